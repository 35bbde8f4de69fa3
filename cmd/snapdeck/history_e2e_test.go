package main

import (
	"strings"
	"testing"
)

// historyShown checks a backup list's strip and legend as drawn: 14 cells
// of the history glyphs, holding the demo api-staging-02's good backup (4
// days ago) and running snapshot (today), each state readable as a glyph.
func historyShown(t *testing.T, s string) {
	t.Helper()
	var strip, legend string
	for _, l := range strings.Split(s, "\n") {
		if rest, ok := strings.CutPrefix(l, "history "); ok {
			strip, _, _ = strings.Cut(rest, " ")
		}
		if strings.HasPrefix(l, "█ good  ✗ failed  ◐ running  · none  ? unknown") {
			legend = l
		}
	}
	if len([]rune(strip)) != 14 || strings.Trim(strip, "█✗◐·?") != "" || !strings.Contains(strip, "█") || !strings.Contains(strip, "◐") {
		t.Errorf("strip %q: want 14 days holding a good (█) and a running (◐) one:\n%s", strip, s)
	}
	if legend == "" {
		t.Errorf("no legend under the strip:\n%s", s)
	}
}

// TestHistoryJourneyInPTY: the binary at 80×24 with NO_COLOR shows the
// fixture's strip in its backup list and the overview's heat-strip.
func TestHistoryJourneyInPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tm := startTerm(t, 80, 24, []string{"NO_COLOR=1"}, "--demo", "--demo-latency", "20ms")
	tm.waitText("Loaded 40 instances")
	tm.send("/")
	tm.sendText("api-staging-02")
	tm.waitText("Instances 1/40")
	tm.send(keyEnter) // keep the filter
	tm.send(keyEnter) // open the instance
	s := tm.waitFor("the strip", func(s string) bool { return strings.Contains(s, "pre-release") && strings.Contains(s, "history ") })
	historyShown(t, s)
	tm.escTo("LAST GOOD") // the list's header: the backups' breadcrumb says "Instances 1/40" too
	tm.send(":")
	tm.sendText("overview")
	tm.send(keyEnter)
	s = tm.waitText("BACKUP HISTORY")
	if !strings.Contains(s, "good backups per day: █ all") || !strings.Contains(s, " known") {
		t.Errorf("overview lacks the heat-strip legend or the known count:\n%s", s)
	}
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestServeShowsHistory: over `snapdeck serve` the same strip reaches an
// SSH session.
func TestServeShowsHistory(t *testing.T) {
	tb := startBastion(t, 10, 0)
	st := tb.open(t, tb.viewer, 80, 24)
	st.waitText("Loaded 40 instances")
	for range 3 {
		st.send(keyDown)
	}
	st.send(keyEnter)
	s := st.waitFor("the strip", func(s string) bool { return strings.Contains(s, "pre-release") && strings.Contains(s, "history ") })
	historyShown(t, s)
}
