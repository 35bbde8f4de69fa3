package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

// TestRateLimitHoldsTheAccount: on an account whose API announces no rate
// limit but answers 429 with Retry-After (Civo, Superb Flex Cloud), one 429
// holds the whole account, as its pacer does under `snapdeck` and `snapdeck
// serve`: the status line says to try again in 30s, and a read the user
// asks for while it runs is refused at once with the wait, sending nothing.
func TestRateLimitHoldsTheAccount(t *testing.T) {
	for _, tc := range []struct {
		name  string
		deck  func(t *testing.T) (*provHarness, faulted)
		label string
	}{
		{"civo", func(t *testing.T) (*provHarness, faulted) { h, s := civoDeck(t, false); return h, s }, "grafana"},
		{"superbflex", func(t *testing.T) (*provHarness, faulted) { h, s := flexDeck(t, time.Hour, false); return h, s }, "web-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, srv := tc.deck(t)
			h.pick(tc.label)
			srv.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault429}, RetryAfter: 30 * time.Second})
			h.key("r")
			// The status line: what happened and how long to wait.
			if st, _ := lastLines(h.waitAll("rate limited", "try again in 30s")); !strings.Contains(st, "rate limited (HTTP 429): Too many requests — try again in 30s") {
				t.Fatalf("status line: %q", st)
			}
			before := srv.Requests()
			// The instance's backups: a read of its own, held by the
			// account's pacer and refused at once (the wait is longer
			// than the request's 5 s timeout).
			h.key("enter")
			h.waitAll("Could not load backups of "+tc.label, "rate limited: the rate-limit window is used up — try again in ")
			if n := srv.Requests() - before; n != 0 {
				t.Fatalf("%d requests sent while the account's Retry-After ran", n)
			}
		})
	}
}

type faulted interface {
	SetFaults(sim.Faults)
	Requests() int64
}
