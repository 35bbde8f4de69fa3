package superbflex

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/sim"
	simsf "github.com/snapdeck/snapdeck/sim/superbflex"
)

// TestListingTwoRoundTrips: the VMs come first; the disk list and the
// user's backups, which join every backup to its VM, go out together.
func TestListingTwoRoundTrips(t *testing.T) {
	var g *sim.Gate
	e := setup(t, simsf.Options{}, Config{}, func(h http.Handler) http.Handler { g = sim.NewGate(h); return g })
	t.Cleanup(g.OpenAll) // before the server's Close, which waits for them
	type listing struct {
		page client.ResourcePage
		err  error
	}
	done := make(chan listing, 1)
	go func() {
		rp, err := e.p.ListResources(context.Background(), 1, client.Filter{})
		done <- listing{rp, err}
	}()
	for i, n := range []int{1, 2} {
		if got, ok := g.Wave(n, 10*time.Second); !ok {
			t.Fatalf("round trip %d: %d requests sent together, want %d", i+1, got, n)
		}
	}
	select {
	case l := <-done:
		known := 0
		for _, r := range l.page.Items {
			if !r.LastSuccessful.IsZero() {
				known++
			}
		}
		if l.err != nil || len(l.page.Items) != 12 || known != 10 || e.s.Requests() != 3 {
			t.Fatalf("%d VMs, %d with a last good backup, %d requests: %v", len(l.page.Items), known, e.s.Requests(), l.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the listing did not finish after two round trips")
	}
}
