package superbflex

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	simsf "github.com/snapdeck/snapdeck/sim/superbflex"
)

// gate holds every request at the door until the test lets the waiting
// ones in together: one round trip of the API, whatever its latency.
type gate struct {
	h       http.Handler
	arrived chan struct{}
	mu      sync.Mutex
	open    chan struct{}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	select {
	case g.arrived <- struct{}{}:
	default: // after openAll nobody counts
	}
	<-open
	g.h.ServeHTTP(w, r)
}

// openAll lets every request in from now on, so that a failed test does
// not leave requests (and the server's Close) waiting.
func (g *gate) openAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// wave waits until n requests are at the door at once and lets them in.
// The deadline only ends a test that would otherwise hang.
func (g *gate) wave(t *testing.T, i, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for got := 0; got < n; got++ {
		select {
		case <-g.arrived:
		case <-deadline:
			t.Fatalf("round trip %d: %d requests sent together, want %d", i, got, n)
		}
	}
	g.mu.Lock()
	old := g.open
	g.open = make(chan struct{})
	g.mu.Unlock()
	close(old)
}

// TestListingTwoRoundTrips: the VMs come first; the disk list and the
// user's backups, which join every backup to its VM, go out together.
func TestListingTwoRoundTrips(t *testing.T) {
	g := &gate{arrived: make(chan struct{}, 100), open: make(chan struct{})}
	e := setup(t, simsf.Options{}, Config{}, func(h http.Handler) http.Handler { g.h = h; return g })
	t.Cleanup(g.openAll) // before the server's Close, which waits for them
	type listing struct {
		page client.ResourcePage
		err  error
	}
	done := make(chan listing, 1)
	go func() {
		rp, err := e.p.ListResources(context.Background(), 1, client.Filter{})
		done <- listing{rp, err}
	}()
	g.wave(t, 1, 1)
	g.wave(t, 2, 2)
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
