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

// TestFooterNamesEveryWorkingKey: wide enough, a Linode instance list's
// footer names every key that works there, b e X S included.
func TestFooterNamesEveryWorkingKey(t *testing.T) {
	h := start(t, setup{w: 240, h: 30})
	s := h.wait("Loaded 40 instances")
	_, footer := lastLines(s)
	for _, k := range []string{"enter open", "s snapshot", "/ filter", "r refresh", "b scan all backups", "e enable backups",
		"X cancel backups", "S schedule", "↑/k up", "q quit", "? help"} {
		if !strings.Contains(footer, k) {
			t.Errorf("footer lacks %q: %q", k, footer)
		}
	}
	if strings.Contains(footer, "more") || strings.Contains(footer, "…") {
		t.Errorf("footer cut although it fits: %q", footer)
	}
}

// TestFooterShortensWithMoreAndHelpListsJump: at 80 columns the footer
// keeps q and `:`, ends in `? more`, and ? lists the rest, `:` included.
func TestFooterShortensWithMoreAndHelpListsJump(t *testing.T) {
	h := start(t, setup{w: 80, h: 24, extra: []Target{staging(t)}})
	s := h.wait("Loaded 40 instances")
	_, footer := lastLines(s)
	if !strings.HasSuffix(strings.TrimSpace(footer), "q quit • ? more") || !strings.Contains(footer, ": jump") ||
		strings.Contains(footer, "…") || !strings.Contains(footer, "enter open") {
		t.Fatalf("footer at 80 columns: %q", footer)
	}
	h.key("?")
	h.waitAll("Keys — Instances", "S schedule", "X cancel backups", ": jump")
}

// TestOverviewHelp: ? works in the overview too, listing its keys.
func TestOverviewHelp(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}})
	h.wait("Loaded 40 instances")
	h.key(":")
	h.key("overview")
	h.key("enter")
	s := h.wait("VIOLATIONS")
	if _, footer := lastLines(s); !strings.Contains(footer, "? help") || !strings.Contains(footer, ": jump") {
		t.Fatalf("overview footer: %q", footer)
	}
	h.key("?")
	h.waitAll("Keys — Overview", ": jump", "enter open", "q quit", "?/esc close help")
	h.key("esc")
	h.waitFor("the help to close, the overview kept", func(s string) bool {
		return !strings.Contains(s, "Keys — Overview") && strings.Contains(s, "VIOLATIONS")
	})
}

// keyOffered fails unless k is in the footer, or the footer ends in
// `? more` and the help lists k.
func (h *provHarness) keyOffered(where string, keys ...string) {
	h.t.Helper()
	_, footer := lastLines(h.screen())
	var rest []string
	for _, k := range keys {
		if !strings.Contains(footer, k) {
			rest = append(rest, k)
		}
	}
	if len(rest) == 0 {
		return
	}
	if !strings.Contains(footer, "? more") {
		h.t.Fatalf("%s: footer lacks %q and offers no help: %q", where, rest, footer)
	}
	h.key("?")
	h.waitAll(append([]string{"Keys —"}, rest...)...)
	h.key("?")
	h.waitFor("the help to close", func(s string) bool { return !strings.Contains(s, "Keys —") })
}

// TestNorthflankAndFlexFootersOfferTheirKeys: the keys the issue found
// missing (Northflank's s A H, Superb Flex's s n) are offered.
func TestNorthflankAndFlexFootersOfferTheirKeys(t *testing.T) {
	nf, _ := northflankDeck(t, false)
	nf.open("orders-db", "before-index-rebuild")
	nf.keyOffered("northflank backups", "s backup", "A abort", "H restore history", "R restore", "D delete")
	fx, _ := flexDeck(t, provJobTime, false)
	fx.open("vpn", "WireGuard config")
	fx.keyOffered("superb flex backups", "s backup", "n note", "R restore", "D delete")
}

// TestHelpFooterSaysHowToClose: with the help open the footer says how to
// close it, not `? more`.
func TestHelpFooterSaysHowToClose(t *testing.T) {
	h := start(t, setup{})
	h.wait("Loaded 40 instances")
	h.key("?")
	s := h.wait("Keys — Instances")
	if _, footer := lastLines(s); !strings.Contains(footer, "?/esc close help") || strings.Contains(footer, "more") {
		t.Fatalf("help footer: %q", footer)
	}
	h.key("esc")
	h.waitFor("the help to close", func(s string) bool { return !strings.Contains(s, "Keys —") })
}
