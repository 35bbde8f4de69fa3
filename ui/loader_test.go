package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// listing reports whether r reads a page of the instance listing.
func listing(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == "/v4/linode/instances"
}

// TestListingDrawsPageOneThenTheRestInOneWave: the list shows page 1's
// rows while the other pages are still unanswered, and those are asked for
// together: 1,234 instances take two round trips of the API.
func TestListingDrawsPageOneThenTheRestInOneWave(t *testing.T) {
	var g *sim.Gate
	h := start(t, setup{fleet: simlinode.Seed(7, 1234, time.Now()), wrap: func(srv http.Handler) http.Handler {
		g = sim.NewGate(srv)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if listing(r) {
				g.ServeHTTP(w, r)
				return
			}
			srv.ServeHTTP(w, r)
		})
	}})
	t.Cleanup(g.OpenAll)
	if got, ok := g.Wave(1, 10*time.Second); !ok {
		t.Fatalf("%d requests for page 1", got)
	}
	s := h.wait("web-prod-01")
	if strings.Contains(s, "Loaded 1234") {
		t.Fatalf("loaded before pages 2 and 3 were answered:\n%s", s)
	}
	if got, ok := g.Wave(2, 10*time.Second); !ok {
		t.Fatalf("%d of the 2 other pages asked for at once", got)
	}
	h.wait("Loaded 1234 instances")
}

// TestRefreshFailingMidwayKeepsTheListAndRetries: a refresh whose third
// page fails says so, ends (the pages still out are stopped, the header
// no longer says loading), keeps every row on screen, and r reads the list
// again once the fault clears.
func TestRefreshFailingMidwayKeepsTheListAndRetries(t *testing.T) {
	h := start(t, setup{fleet: simlinode.Seed(7, 1234, time.Now()), retryWait: 10 * time.Millisecond})
	h.wait("Loaded 1234 instances")
	on(h.srv, sim.Fault500, func(r *http.Request) bool { return listing(r) && r.URL.Query().Get("page") == "3" })
	h.key("r")
	s := h.waitAll("refresh failed", "r to retry")
	if !strings.Contains(s, "web-prod-01") {
		t.Fatalf("the list was lost to the error:\n%s", s)
	}
	// The listing is over: the header stops saying it is loading.
	h.waitFor("the header's loading to go", func(s string) bool { return !strings.Contains(s, " loading") })
	h.key("G") // the last page's rows are the last generation's, still there
	h.wait("Instances 1234")
	off(h.srv)
	h.key("r") // once: each r starts the listing again
	h.wait("Loaded 1234 instances")
}
