package civo

import (
	"net/http"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
)

// The fault matrix at the client: every simulated fault on every read gives
// a typed error within the timeout, after a bounded number of attempts.

const faultTimeout = 400 * time.Millisecond

// timeoutFor gives the 10 MB body room to be sent and refused under the race
// detector on a loaded machine.
func timeoutFor(f sim.Fault) time.Duration {
	if f == sim.FaultHuge {
		return 5 * time.Second
	}
	return faultTimeout
}

func wantFaultKind(f sim.Fault) client.ErrorKind {
	switch f {
	case sim.Fault500, sim.Fault502, sim.Fault503, sim.FaultHTML, sim.FaultLost500:
		return client.ErrServer
	case sim.Fault429:
		return client.ErrRateLimited
	case sim.FaultReset, sim.FaultLostReset:
		return client.ErrNetwork
	case sim.FaultHang, sim.FaultDrip:
		return client.ErrTimeout
	}
	return client.ErrMalformed // truncated, wrong types, missing fields, 10 MB
}

// retried reports whether a read is retried after the fault.
func retried(f sim.Fault) bool {
	switch f {
	case sim.Fault500, sim.Fault502, sim.Fault503, sim.FaultHTML, sim.FaultLost500,
		sim.Fault429, sim.FaultReset, sim.FaultLostReset:
		return true
	}
	return false
}

func TestReadsUnderEveryFault(t *testing.T) {
	fleet := simcivo.Demo(now)
	db := fleet.Instances[1].ID
	reads := []struct {
		name string
		path string // the path faulted
		call func(p *Provider) error
	}{
		{"instances", "/v2/instances", func(p *Provider) error {
			_, err := p.ListResources(ctx, 1, client.Filter{})
			return err
		}},
		{"instances+snapshots", "/v2/snapshots", func(p *Provider) error {
			_, err := p.ListResources(ctx, 1, client.Filter{})
			return err
		}},
		{"backups", "/v2/snapshots", func(p *Provider) error {
			_, err := p.ListBackups(ctx, db)
			return err
		}},
		{"backup", "/v2/snapshots", func(p *Provider) error {
			_, err := p.GetBackup(ctx, db, "db-before-migration")
			return err
		}},
		{"instance", "/v2/instances/" + db, func(p *Provider) error {
			_, err := p.GetResource(ctx, db)
			return err
		}},
	}
	for _, rd := range reads {
		for _, f := range sim.AllFaults() {
			t.Run(rd.name+"/"+f.String(), func(t *testing.T) {
				t.Parallel()
				e := setup(t, simcivo.Demo(now), simcivo.Options{}, Config{Transport: client.Transport{Timeout: timeoutFor(f), Retries: 1}})
				path := rd.path
				e.s.SetFaults(sim.Faults{Next: sim.Burst(f, 5), Match: func(r *http.Request) bool { return r.URL.Path == path }})
				start := time.Now()
				err := rd.call(e.p)
				wantKind(t, err, wantFaultKind(f))
				want := int64(1)
				if retried(f) {
					want = 2
				}
				n := e.s.FaultsServed(f)
				// net/http itself resends a GET whose reused connection was
				// reset before any reply (never a PUT or DELETE).
				reset := f == sim.FaultReset || f == sim.FaultLostReset
				if n != want && !(reset && n > want && n <= 2*want) {
					t.Fatalf("attempts = %d, want %d", n, want)
				}
				// Retry-After: 1 is the longest wait here.
				if d := time.Since(start); d > 2*timeoutFor(f)+1500*time.Millisecond {
					t.Fatalf("took %s", d)
				}
			})
		}
	}
}
