package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simsuperbflex "github.com/snapdeck/snapdeck/sim/superbflex"
)

// pacedAccount opens pv's demo account as the registry opens any account,
// on its simulator in-process, and returns its views, the account's pacer
// and the count of requests that reached the simulator.
func pacedAccount(t *testing.T, pv provider, tr client.Transport) (simulated, []client.Provider, *client.Pacer, *atomic.Int64) {
	t.Helper()
	srv, _ := pv.sim.serve(simSettings{now: fixedNow, demo: true, seed: 1, size: 3})
	sent := &atomic.Int64{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { sent.Add(1); srv.ServeHTTP(w, r) })
	var made *client.Pacer
	if build := pv.pacer; build != nil {
		pv.pacer = func() *client.Pacer { made = build(); return made }
	}
	tr.BaseURL, tr.HTTPClient = pv.sim.demoURL, sim.InProcess(h)
	ps, err := pv.openAccount(opening{Transport: tr, user: pv.sim.demoUser, secret: pv.sim.demoSecret})
	if err != nil {
		t.Fatal(err)
	}
	if made == nil {
		t.Fatalf("%s: the registry gives its accounts no pacer", pv.Name)
	}
	return srv, ps, made, sent
}

// TestEveryAccountPaced: every provider's account has one pacer, shared by
// its views (and so by every session of `snapdeck serve`, which opens each
// account once). After one 429 asking for 30 s, which Civo and Superb Flex
// Cloud send with no rate-limit headers at all, a caller on any view of the
// account whose deadline comes first is refused at once ("try again in
// 30s"), one that can wait waits, and neither sends a request: the account
// learns the limit from one 429, not one per caller.
func TestEveryAccountPaced(t *testing.T) {
	for _, pv := range providers {
		t.Run(pv.Name+"/refused", func(t *testing.T) {
			srv, ps, pc, sent := pacedAccount(t, pv, client.Transport{Timeout: 5 * time.Second, Retries: -1})
			srv.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault429}, RetryAfter: 30 * time.Second})
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := ps[0].ListResources(ctx, 1, client.Filter{})
			wantRefused(t, err)
			if n := sent.Load(); n != 1 {
				t.Fatalf("%d requests for the first read", n)
			}
			errs := make(chan error, 2*len(ps))
			for _, p := range ps { // concurrent callers, on every view
				for range 2 {
					go func() { _, err := p.ListResources(ctx, 1, client.Filter{}); errs <- err }()
				}
			}
			for range 2 * len(ps) {
				wantRefused(t, <-errs)
			}
			if n := sent.Load(); n != 1 {
				t.Fatalf("%d requests sent while the account's Retry-After ran, want only the first", n)
			}
			if pc.Waits() != 0 {
				t.Fatalf("%d waits: a wait the deadline cannot cover is refused, not started", pc.Waits())
			}
		})
		t.Run(pv.Name+"/waits", func(t *testing.T) {
			// Attempts may last longer than the Retry-After: callers wait.
			srv, ps, pc, sent := pacedAccount(t, pv, client.Transport{Timeout: 2 * time.Minute, Retries: -1})
			srv.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault429}, RetryAfter: 30 * time.Second})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if _, err := ps[0].ListResources(ctx, 1, client.Filter{}); client.KindOf(err) != client.ErrRateLimited {
				t.Fatalf("first read: %v", err)
			}
			callers := 2 * len(ps)
			errs := make(chan error, callers)
			for _, p := range ps {
				for range 2 {
					go func() { _, err := p.ListResources(ctx, 1, client.Filter{}); errs <- err }()
				}
			}
			// Bounded by the 30 s hold, not by a clock: every caller is
			// held by the pacer, none has returned or sent.
			for pc.Waits() < int64(callers) {
				select {
				case err := <-errs:
					t.Fatalf("a caller returned while the account's Retry-After ran: %v", err)
				case <-time.After(time.Millisecond):
				}
			}
			if n := sent.Load(); n != 1 {
				t.Fatalf("%d requests sent while the account's Retry-After ran, want only the first", n)
			}
			cancel() // the callers give up (a session leaving)
			for range callers {
				if err := <-errs; err == nil {
					t.Fatal("a held caller read without a request")
				}
			}
			if n := sent.Load(); n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
		})
	}
}

func wantRefused(t *testing.T, err error) {
	t.Helper()
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Kind != client.ErrRateLimited || !strings.HasSuffix(err.Error(), "try again in 30s") {
		t.Fatalf("want a refusal saying \"try again in 30s\", got %v", err)
	}
}

// TestRateLimitedCommandsWithoutHeaders: on the accounts whose API answers
// a 429 with Retry-After alone (Civo, Superb Flex Cloud), a command under
// --timeout still sends one request, does not wait out a Retry-After its
// deadline cannot cover, and says "rate limited … try again in 20s".
func TestRateLimitedCommandsWithoutHeaders(t *testing.T) {
	for _, tc := range []struct {
		provider, config string
		env              map[string]string
		resource         string
		serve            func() (http.Handler, func(sim.Faults), func() int64)
	}{
		{"civo", "token_env = \"MY_CIVO\"\n", map[string]string{"MY_CIVO": simcivo.DemoToken}, "grafana",
			func() (http.Handler, func(sim.Faults), func() int64) {
				s := simcivo.New(simcivo.Demo(fixedNow), simcivo.Options{})
				return s, s.SetFaults, s.Requests
			}},
		{"superbflex", "user = \"" + simsuperbflex.DemoUser + "\"\npassword_env = \"MY_FLEX\"\n",
			map[string]string{"MY_FLEX": simsuperbflex.DemoPassword}, "web-01",
			func() (http.Handler, func(sim.Faults), func() int64) {
				s := simsuperbflex.New(simsuperbflex.Demo(fixedNow), simsuperbflex.Options{})
				return s, s.SetFaults, s.Requests
			}},
	} {
		h, setFaults, requests := tc.serve()
		setFaults(sim.Faults{Rate: 1, Mix: []sim.Fault{sim.Fault429}, RetryAfter: 20 * time.Second})
		hs := httptest.NewServer(h)
		t.Cleanup(hs.Close)
		cfg := writeConfig(t, "[[account]]\nname = \"acct\"\nprovider = \""+tc.provider+"\"\napi_url = \""+hs.URL+"\"\n"+tc.config, 0o600)
		for _, cmd := range [][]string{{"resources"}, {"check"}, {"backups", tc.resource}} {
			before := requests()
			r := runCmd(t, tc.env, append(cmd, "--timeout", "1s", "--config", cfg)...)
			wantCode(t, r, exitError)
			wantOneLine(t, r, "rate limited")
			if !strings.Contains(r.stderr, "try again in 20s") {
				t.Errorf("%s %s: %q", tc.provider, cmd[0], r.stderr)
			}
			if n := requests() - before; n != 1 {
				t.Errorf("%s %s: %d requests", tc.provider, cmd[0], n)
			}
		}
	}
}

// TestServeSessionsShareTheAccountsPacer: two sessions of `snapdeck serve`
// on one Civo account (an API with no rate-limit headers) share its pacer:
// after one session's refresh meets a 429, the other's refresh is refused
// at once with the wait, and sends nothing.
func TestServeSessionsShareTheAccountsPacer(t *testing.T) {
	s := simcivo.New(simcivo.Demo(time.Now()), simcivo.Options{})
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	cfg := writeConfig(t, "[[account]]\nname = \"lon\"\nprovider = \"civo\"\napi_url = \""+hs.URL+"\"\ntoken_env = \"MY_CIVO\"\n", 0o600)
	tb := startBastionConfig(t, serveConfig{maxSessions: 2, fresh: time.Hour}, []string{"--config", cfg},
		func(k string) string { return map[string]string{"MY_CIVO": simcivo.DemoToken}[k] })
	one, two := tb.open(t, tb.operator, 120, 40), tb.open(t, tb.viewer, 120, 40)
	one.waitText("grafana")
	two.waitText("grafana")

	// The next read of the instance list (the sessions may still be
	// reading snapshots in the background) is answered 429.
	s.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault429}, RetryAfter: client.MaxRetryAfter,
		Match: func(r *http.Request) bool { return r.URL.Path == "/v2/instances" }})
	one.send("r")
	one.waitText("refresh failed: rate limited (HTTP 429): Too many requests — try again in 10m0s")
	before := s.RequestsTo("/v2/instances")
	two.send("r")
	two.waitText("refresh failed: rate limited: the rate-limit window is used up — try again in 10m0s")
	if n := s.RequestsTo("/v2/instances") - before; n != 0 {
		t.Fatalf("the second session sent %d requests while the account's Retry-After ran", n)
	}
}
