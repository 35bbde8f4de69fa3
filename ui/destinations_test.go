package ui

import (
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/northflank"
	"github.com/snapdeck/snapdeck/sim"
	simnorthflank "github.com/snapdeck/snapdeck/sim/northflank"
)

// TestNorthflankDestinationTypedWhenNoneListed: a team with no backup
// destinations listed still lets one be typed, and says there are none.
func TestNorthflankDestinationTypedWhenNoneListed(t *testing.T) {
	clock := &simClock{}
	f := simnorthflank.Demo(time.Now())
	f.Destinations = nil // the simulator then lists none and accepts any
	srv := simnorthflank.New(f, simnorthflank.Options{Options: sim.Options{Now: clock.now}, JobTime: provJobTime, RestoreTime: time.Hour, AbortTime: time.Hour})
	p, err := northflank.New(northflank.Config{Transport: client.Transport{BaseURL: serve(t, srv), Timeout: 5 * time.Second, Retries: 1}, Token: simnorthflank.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	h := startProvider(t, p, srv, clock, 12, false)
	h.pick("wp")
	h.key("s")
	h.waitAll("Take a backup of wp", "No backup destinations are set up for this team.")
	h.key("tab")
	h.key("tab")
	h.key("offsite-s3")
	h.wait("Also to destination › offsite-s3")
}
