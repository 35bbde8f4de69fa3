package sim

import (
	"net/http"
	"sync"
	"time"
)

// Gate holds every request at the door until the caller lets the waiting
// ones in together: one round trip of the API, whatever its latency. Tests
// use it to count the waves of requests a listing needs.
type Gate struct {
	h       http.Handler
	arrived chan struct{}
	mu      sync.Mutex
	open    chan struct{}
}

// NewGate puts a gate in front of h.
func NewGate(h http.Handler) *Gate {
	return &Gate{h: h, arrived: make(chan struct{}, 1000), open: make(chan struct{})}
}

func (g *Gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	open := g.open
	g.mu.Unlock()
	select {
	case g.arrived <- struct{}{}:
	default: // after OpenAll nobody counts
	}
	<-open
	g.h.ServeHTTP(w, r)
}

// OpenAll lets every request in from now on, so that a failed test does
// not leave requests (and the server's Close) waiting.
func (g *Gate) OpenAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// Wave waits until n requests are at the door at once and lets them in.
// It gives up after within, saying how many had come (ok false): the
// limit only ends a test that would otherwise hang.
func (g *Gate) Wave(n int, within time.Duration) (got int, ok bool) {
	deadline := time.After(within)
	for ; got < n; got++ {
		select {
		case <-g.arrived:
		case <-deadline:
			return got, false
		}
	}
	g.mu.Lock()
	old := g.open
	g.open = make(chan struct{})
	g.mu.Unlock()
	close(old)
	return got, true
}
