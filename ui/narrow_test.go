package ui

import (
	"strings"
	"testing"
)

// TestOverviewKeepsAccountNamesWhole: at 80 columns the overview cuts the
// provider's name before an account's (the account is what an operator
// picks; its header names the provider), the history lines say less rather
// than cut a word, and at 200 columns the columns stay together instead of
// the ACCOUNT column taking the rest of the line.
func TestOverviewKeepsAccountNamesWhole(t *testing.T) {
	long := staging(t)
	long.Account = "payments-platform-eu"
	h := start(t, setup{w: 80, h: 24, extra: []Target{long}})
	h.wait("Loaded 40 instances")
	h.key(":")
	h.key("overview")
	h.key("enter")
	s := h.waitFor("the overview", func(s string) bool { return strings.Contains(s, "BACKUP HISTORY") && strings.Contains(s, "worst") })
	var rows, hist int
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "payments-platform-eu/instances ") {
			rows++
		}
		if strings.Contains(l, " known") && !strings.Contains(l, "unknown") {
			hist++
			if strings.Contains(l, "…") {
				t.Errorf("a history line is cut: %q", l)
			}
		}
	}
	if rows != 2 || hist != 2 {
		t.Errorf("the account's name is cut (%d whole, want its row and its history line), %d history lines:\n%s", rows, hist, s)
	}

	h.resize(200, 60)
	s = h.waitFor("200 columns", func(s string) bool { return strings.Contains(s, " of 28 known") && strings.Contains(s, "↑/k up") })
	if row := rowOf(s, "test/instances"); !strings.Contains(row, "Linode") || strings.Index(row, "Linode") > 60 {
		t.Errorf("PROVIDER is far from the names: %q", row)
	}
}

// TestBackupsSummaryKeepsLastGoodWhole: at 80 columns the line over a
// resource's backups leaves out its plan rather than cut "last good …".
func TestBackupsSummaryKeepsLastGoodWhole(t *testing.T) {
	h := start(t, setup{w: 80, h: 24})
	h.open("cache-01")
	s := h.waitFor("the summary", func(s string) bool { return strings.Contains(s, "last good") })
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "last good") {
			if strings.Contains(l, "…") || !strings.HasSuffix(strings.TrimRight(l, " "), " ago") {
				t.Errorf("the summary is cut: %q", l)
			}
			if !strings.Contains(l, "backups on") {
				t.Errorf("the summary lost whether backups are on: %q", l)
			}
		}
	}
}

// TestNeverWithoutACheckMark: a resource that never had a good backup and
// whose rule allows it (exempt) shows "never" in LAST GOOD without the ✓ of
// a fresh backup.
func TestNeverWithoutACheckMark(t *testing.T) {
	h := start(t, setup{w: 120, h: 40, policy: testPolicy})
	s := h.waitFor("queue-staging-14", func(s string) bool { return rowOf(s, "queue-staging-14") != "" })
	row := rowOf(s, "queue-staging-14") // tag batch, backups off
	if !strings.Contains(row, "exempt") || !strings.Contains(row, "never") {
		t.Fatalf("queue-staging-14: %q", row)
	}
	if strings.Contains(row, "✓ never") || strings.Contains(row, "⚠ never") {
		t.Errorf("an exempt resource that never had a backup is marked: %q", row)
	}
}
