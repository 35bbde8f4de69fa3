package linode

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// The fault matrix at the client: every simulated fault on every read gives
// a typed error within the timeout, after a bounded number of attempts.

const faultTimeout = 400 * time.Millisecond

// timeoutFor gives the 10 MB body room to be sent and refused under the race
// detector on a loaded machine; the others need only faultTimeout.
func timeoutFor(f simlinode.Fault) time.Duration {
	if f == simlinode.FaultHuge {
		return 5 * time.Second
	}
	return faultTimeout
}

func wantFaultKind(f simlinode.Fault) client.ErrorKind {
	switch f {
	case simlinode.Fault500, simlinode.Fault502, simlinode.Fault503, simlinode.FaultHTML, simlinode.FaultLost500:
		return client.ErrServer
	case simlinode.Fault429:
		return client.ErrRateLimited
	case simlinode.FaultReset, simlinode.FaultLostReset:
		return client.ErrNetwork
	case simlinode.FaultHang, simlinode.FaultDrip:
		return client.ErrTimeout
	}
	return client.ErrMalformed // truncated, wrong types, missing fields, 10 MB
}

// retried reports whether linodego retries the fault on a read.
func retried(f simlinode.Fault) bool {
	switch f {
	case simlinode.Fault500, simlinode.Fault502, simlinode.Fault503, simlinode.FaultHTML, simlinode.FaultLost500, simlinode.Fault429:
		return true
	}
	return false
}

func TestReadsUnderEveryFault(t *testing.T) {
	reads := []struct {
		name string
		path string // the path faulted
		call func(p *Provider, id, bid string) error
	}{
		{"instances", "/v4/linode/instances", func(p *Provider, _, _ string) error {
			_, err := p.ListResources(context.Background(), 1, client.Filter{})
			return err
		}},
		{"backups", "/backups", func(p *Provider, id, _ string) error {
			_, err := p.ListBackups(context.Background(), id)
			return err
		}},
		{"backup", "/backups/", func(p *Provider, id, bid string) error {
			_, err := p.GetBackup(context.Background(), id, bid)
			return err
		}},
		{"instance", "/v4/linode/instances/", func(p *Provider, id, _ string) error {
			_, err := p.GetResource(context.Background(), id)
			return err
		}},
	}
	for _, rd := range reads {
		for _, f := range simlinode.AllFaults() {
			t.Run(rd.name+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				fleet := simlinode.Demo(now)
				web := fleet.Instances[0]
				id, bid := strconv.Itoa(web.ID), strconv.Itoa(web.Automatic[0].ID)
				s, p := setup(t, fleet, simlinode.Options{}, Config{Transport: client.Transport{Timeout: timeoutFor(f), Retries: 1}})
				match := func(r *http.Request) bool {
					switch rd.name {
					case "backup":
						return strings.Contains(r.URL.Path, rd.path)
					case "backups":
						return strings.HasSuffix(r.URL.Path, rd.path)
					case "instance":
						return strings.HasSuffix(r.URL.Path, "/"+id)
					}
					return r.URL.Path == rd.path
				}
				s.SetFaults(simlinode.Faults{Rate: 1, Mix: []simlinode.Fault{f}, Match: match, HugeBytes: 10 << 20})
				start := time.Now()
				err := rd.call(p, id, bid)
				took := time.Since(start)
				e := wantKind(t, err, wantFaultKind(f))
				if strings.Contains(err.Error(), "<") || strings.Contains(err.Error(), "xxxxxxxx") || len(err.Error()) > 200 {
					t.Fatalf("the body leaked into the message: %.300q", err.Error())
				}
				served := s.FaultsServed(f)
				// Bounded: Retries 1 means at most two attempts (net/http may
				// resend a GET once more over a fresh connection after a reset).
				if served < 1 || served > 3 || (retried(f) && served != 2) || (!retried(f) && f != simlinode.FaultReset && f != simlinode.FaultLostReset && served > 2) {
					t.Fatalf("%d attempts", served)
				}
				if f == simlinode.Fault429 {
					if e.RetryAfter != time.Second {
						t.Fatalf("RetryAfter %v", e.RetryAfter)
					}
					if took < 900*time.Millisecond {
						t.Fatalf("retried after %v, before Retry-After: 1", took)
					}
				}
				// Each attempt is bounded by the timeout; waits are bounded by
				// MaxRetryWait (30s is far above anything here).
				if took > 2*timeoutFor(f)+1500*time.Millisecond {
					t.Fatalf("took %v", took)
				}
				// The fault clears: the same call works again.
				s.SetFaults(simlinode.Faults{})
				err = rd.call(p, id, bid)
				// A busy machine (-race) can stretch a clean read past the
				// fault's short timeout: try again, as a user's r would.
				for try := 0; try < 5 && client.KindOf(err) == client.ErrTimeout; try++ {
					err = rd.call(p, id, bid)
				}
				if err != nil {
					t.Fatalf("after the fault cleared: %v", err)
				}
			})
		}
	}
}

func TestRetryAfterHonouredForEachRetry(t *testing.T) {
	for _, retries := range []int{1, 2} {
		t.Run(strconv.Itoa(retries), func(t *testing.T) {
			t.Parallel()
			s, p := setup(t, simlinode.Demo(now), simlinode.Options{}, Config{Transport: client.Transport{Retries: retries}})
			s.SetFaults(simlinode.Faults{Next: simlinode.Burst(simlinode.Fault429, 10)})
			start := time.Now()
			_, err := p.ListResources(context.Background(), 1, client.Filter{})
			took := time.Since(start)
			wantKind(t, err, client.ErrRateLimited)
			if n := s.Requests(); n != int64(retries+1) {
				t.Fatalf("%d requests with %d retries", n, retries)
			}
			if took < time.Duration(retries)*900*time.Millisecond {
				t.Fatalf("%d retries in %v: Retry-After: 1 not honoured", retries, took)
			}
			// A storm that ends inside the retries is ridden out.
			s.SetFaults(simlinode.Faults{Next: simlinode.Burst(simlinode.Fault503, retries)})
			if _, err := p.ListResources(context.Background(), 1, client.Filter{}); err != nil {
				t.Fatalf("after %d 503s: %v", retries, err)
			}
		})
	}
}

func TestMutationsNeverRetriedUnderFaults(t *testing.T) {
	for _, f := range simlinode.AllFaults() {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			fleet := simlinode.Demo(now)
			var id string
			for _, in := range fleet.Instances {
				if in.Label == "cache-01" {
					id = strconv.Itoa(in.ID)
				}
			}
			s, p := setup(t, fleet, simlinode.Options{}, Config{Transport: client.Transport{Timeout: timeoutFor(f), Retries: 3}})
			s.SetFaults(simlinode.Faults{Rate: 1, Mix: []simlinode.Fault{f}, HugeBytes: 10 << 20,
				Match: func(r *http.Request) bool { return r.Method != http.MethodGet }})
			_, err := p.TakeSnapshot(context.Background(), id, model.SnapshotRequest{Label: "under-" + f.String()})
			if err == nil {
				t.Fatal("no error")
			}
			if n := s.RequestsTo("/v4/linode/instances/" + id + "/backups"); n != 1 {
				t.Fatalf("%d snapshot requests, want 1 (never retried)", n)
			}
			want := int64(0)
			if f >= simlinode.FaultTruncated { // after the handler
				want = 1
			}
			if n := s.Mutations(); n != want {
				t.Fatalf("%d mutations applied, want %d", n, want)
			}
		})
	}
}
