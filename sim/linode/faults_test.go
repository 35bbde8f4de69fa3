package linode

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// get sends one authorised GET over a real socket.
func get(t *testing.T, url string, timeout time.Duration) (*http.Response, []byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+DemoToken)
	// A fresh connection each time: net/http silently resends a GET whose
	// reused connection was reset, which would hide the fault.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestEachFaultOverASocket(t *testing.T) {
	s := New(Demo(now), Options{})
	hs := httptest.NewServer(s)
	defer hs.Close()
	url := hs.URL + "/v4/linode/instances"
	for _, f := range AllFaults() {
		t.Run(f.String(), func(t *testing.T) {
			s.SetFaults(Faults{Next: []Fault{f}, HugeBytes: 1 << 20, DripEvery: 5 * time.Millisecond, DripBytes: 4096})
			before := s.Mutations()
			resp, body, err := get(t, url, 300*time.Millisecond)
			switch f {
			case Fault500, Fault502, Fault503, FaultLost500:
				if err != nil || resp.StatusCode < 500 || !strings.Contains(string(body), `"errors"`) {
					t.Fatalf("got %v %v %s", resp, err, body)
				}
			case Fault429:
				if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "1" {
					t.Fatalf("got %v %v", resp, err)
				}
			case FaultHTML:
				if err != nil || resp.StatusCode != 502 || resp.Header.Get("Content-Type") != "text/html" {
					t.Fatalf("got %v %v", resp, err)
				}
			case FaultReset, FaultLostReset, FaultHang:
				if err == nil {
					t.Fatalf("got a reply: %v", resp.Status)
				}
			case FaultTruncated:
				if err != nil || resp.StatusCode != 200 || json.Valid(body) {
					t.Fatalf("want 200 with broken JSON, got %v %v %q", resp, err, body)
				}
			case FaultWrongTypes, FaultMissing:
				var p page
				if err != nil || !json.Valid(body) {
					t.Fatalf("want valid JSON, got %v %q", err, body)
				}
				if f == FaultWrongTypes && json.Unmarshal(body, &p) == nil {
					t.Fatalf("wrong types decoded cleanly: %s", body)
				}
				if f == FaultMissing && (json.Unmarshal(body, &p) != nil || p.Pages != 0 || len(p.Data) != 0) {
					t.Fatalf("missing fields still there: %s", body)
				}
			case FaultHuge:
				var p page
				if err != nil || len(body) < 1<<20 || json.Unmarshal(body, &p) != nil || len(p.Data) != 40 {
					t.Fatalf("want a valid 1 MB page, got %d bytes, %v", len(body), err)
				}
			case FaultDrip:
				var p page
				if err != nil || json.Unmarshal(body, &p) != nil || len(p.Data) != 40 {
					t.Fatalf("drip: %v, %d bytes", err, len(body))
				}
			}
			if s.Mutations() != before {
				t.Fatal("a GET counted as a mutation")
			}
			if s.FaultsServed(f) != 1 {
				t.Fatalf("served %d", s.FaultsServed(f))
			}
			// The fault was used up: the next request is served.
			if resp, _, err := get(t, url, time.Second); err != nil || resp.StatusCode != 200 {
				t.Fatalf("after the fault: %v %v", resp, err)
			}
		})
	}
}

func TestFaultsSeededRateAndMatch(t *testing.T) {
	draw := func() []Fault {
		s := New(Demo(now), Options{})
		s.SetFaults(Faults{Rate: 0.5, Seed: 42, Mix: []Fault{Fault500, Fault503, Fault429},
			Match: func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/instances") }})
		var got []Fault
		for i := 0; i < 40; i++ {
			rec := do(t, s, "GET", "/v4/linode/instances", nil, nil)
			f := FaultNone
			switch rec.Code {
			case 500:
				f = Fault500
			case 503:
				f = Fault503
			case 429:
				f = Fault429
			}
			got = append(got, f)
		}
		// Not matched: never faulted.
		for i := 0; i < 20; i++ {
			if rec := do(t, s, "GET", "/v4/account/events", nil, nil); rec.Code != 200 {
				t.Fatalf("unmatched path faulted: %d", rec.Code)
			}
		}
		return got
	}
	a, b := draw(), draw()
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different faults at %d: %v vs %v", i, a, b)
		}
		if a[i] != FaultNone {
			n++
		}
	}
	if n < 10 || n > 30 {
		t.Fatalf("%d of 40 faulted at rate 0.5", n)
	}
}

func TestFaultAfterHandlerAppliesMutation(t *testing.T) {
	s := New(Demo(now), Options{})
	var id int
	for _, in := range s.fleet.Instances {
		if in.Label == "cache-01" { // backups on, no snapshot
			id = in.ID
		}
	}
	for _, f := range []Fault{FaultLost500, FaultTruncated, Fault503} {
		s.SetFaults(Faults{Next: []Fault{f}})
		before := s.Mutations()
		req := httptest.NewRequest("POST", "/v4/linode/instances/"+strconv.Itoa(id)+"/backups", strings.NewReader(`{"label":"x"}`))
		req.Header.Set("Authorization", "Bearer "+DemoToken)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		want := int64(1)
		if !f.AfterHandler() {
			want = 0
		}
		if got := s.Mutations() - before; got != want {
			t.Fatalf("%v: %d mutations, want %d", f, got, want)
		}
	}
}
