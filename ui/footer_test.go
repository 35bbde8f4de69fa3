package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestFilterFooterNamesOnlyArrows: while the filter is typed, k and j are
// text, so the footer offers ↑ and ↓ alone, and k goes into the filter.
func TestFilterFooterNamesOnlyArrows(t *testing.T) {
	h := start(t, setup{})
	h.wait("Loaded 40 instances")
	h.key("/")
	s := h.waitFor("the filter's footer", func(s string) bool {
		_, footer := lastLines(s)
		return strings.Contains(footer, "keep filter")
	})
	if _, footer := lastLines(s); !strings.Contains(footer, "↑ up") || !strings.Contains(footer, "↓ down") ||
		strings.Contains(footer, "k up") || strings.Contains(footer, "j down") {
		t.Fatalf("filter footer: %q", footer)
	}
	h.key("kj")
	h.wait("/kj")
}

// TestQuitWhileWatchingAsks: q with a job still watched asks, naming the
// job that will not be watched; any other key stays, y quits.
func TestQuitWhileWatchingAsks(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}, sim: simlinode.Options{SnapshotTime: time.Hour}})
	h.select_("cache-01")
	h.key("s")
	h.wait("Label")
	h.key("enter")
	h.wait("● snapshot")
	h.key("esc")
	h.key("q")
	s := h.waitAll("Quit?", "no longer watch", "y quit")
	if !strings.Contains(s, "● test/instances: snapshot") || !strings.Contains(s, "cache-01") {
		t.Fatalf("the question does not name the job:\n%s", s)
	}
	h.key("n")
	h.waitFor("the question to go", func(s string) bool { return !strings.Contains(s, "Quit?") && strings.Contains(s, "● snapshot") })
	h.key("q")
	h.wait("Quit?")
	h.key("y")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
