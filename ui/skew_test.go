package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model/format"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestFutureBackupShownAsClockSkew: a last successful backup dated a day
// ahead used to read "just now", a fresh backup. It reads "in future"
// (model.ClockSkewed: clock skew or an invalid date), drawn as stale.
func TestFutureBackupShownAsClockSkew(t *testing.T) {
	h := start(t, setup{fleet: simlinode.Demo(time.Now().Add(24 * time.Hour)), w: 140, h: 40})
	s := h.wait("Loaded 40 instances")
	if !strings.Contains(s, "in future") {
		t.Fatalf("no future date shown:\n%s", s)
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "web-prod-01") && strings.Contains(line, "just now") {
			t.Fatalf("a future backup passes for fresh: %q", line)
		}
	}
}

func TestAgeText(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		-3 * time.Hour: "3h ago", 0: "just now", 4 * time.Minute: "just now",
		6 * time.Minute: "in future", 24 * time.Hour: "in future",
	} {
		if got := format.Age(now, now.Add(d)); got != want {
			t.Errorf("age(now%+v) = %q, want %q", d, got, want)
		}
	}
}
