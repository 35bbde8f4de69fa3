package ui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	"github.com/snapdeck/snapdeck/ui/table"
)

// testPolicy holds every row to 26h, wants a manual backup of db rows and
// exempts batch rows.
var testPolicy = model.Policy{
	Default: model.Rule{MaxAge: 26 * time.Hour, RequireBackups: true, From: "default (config line 3)"},
	Tags: []model.TagRule{
		{Tag: "db", Rule: model.Rule{MaxAge: 26 * time.Hour, RequireBackups: true, MinManual: 1, From: "tag db (config line 6)"}},
		{Tag: "batch", Rule: model.Rule{Exempt: true, From: "tag batch (config line 9)"}},
	},
}

// rowOf is the screen line of the row labelled label, "" when none.
func rowOf(s, label string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(cellsOf(l), label+" ") {
			return l
		}
	}
	return ""
}

// TestPolicyColumnAndViolationsFilter: the POLICY column judges each row by
// its rule, `v` keeps only the rows that break theirs (or are not known to
// pass yet), and `v` again shows every row.
func TestPolicyColumnAndViolationsFilter(t *testing.T) {
	h := start(t, setup{w: 120, h: 50, policy: testPolicy})
	h.wait("Loaded 40 instances")
	s := h.waitFor("summaries", summariesSettled)
	for label, want := range map[string]string{
		"web-prod-01":      "✓",       // 3h old, default rule
		"api-staging-02":   "✗ > 26h", // 4 days old
		"legacy-mail":      "✗ off",   // backups off, required
		"queue-staging-14": "exempt",  // batch
	} {
		if row := rowOf(s, label); !strings.Contains(row, want) {
			t.Errorf("%s: want %q in %q", label, want, row)
		}
	}
	if row := rowOf(s, "db-primary"); strings.Contains(row, " ✓ ") && !strings.Contains(row, "manual") {
		t.Errorf("db-primary (min_manual 1, no recent snapshot) passed: %q", row)
	}
	if !strings.Contains(s, "v violations") {
		t.Errorf("the footer does not offer v:\n%s", s)
	}

	h.key("v")
	s = h.waitFor("only violations", func(s string) bool {
		return strings.Contains(s, "Instances violating") && rowOf(s, "web-prod-01") == ""
	})
	for _, l := range []string{"api-staging-02", "legacy-mail", "db-primary"} {
		if rowOf(s, l) == "" {
			t.Errorf("%s breaks its rule but is filtered out:\n%s", l, s)
		}
	}
	for _, l := range []string{"cache-01", "web-prod-01"} {
		if rowOf(s, l) != "" {
			t.Errorf("%s passes but is shown:\n%s", l, s)
		}
	}
	h.key("v")
	h.waitFor("every row again", func(s string) bool { return rowOf(s, "web-prod-01") != "" && strings.Contains(s, "Instances 40") })
}

// TestBackupsSayWhichRuleApplies: a resource's backups say which rule
// applies, from where, and why it passes or not.
func TestBackupsSayWhichRuleApplies(t *testing.T) {
	h := start(t, setup{policy: testPolicy})
	h.wait("Loaded 40 instances")
	h.key("enter") // web-prod-01
	h.wait("policy: ✓ meets max age 26h, backups required (default (config line 3))")
	h.key("esc")
	h.key("down")
	h.key("enter") // db-primary: no snapshot in the last 26h
	h.wait("policy: ✗ 0 of 1 manual in 26h (tag db (config line 6))")
}

// TestOverviewCountsViolationsPerAccount: the overview counts each view's
// violations by its own rule: staging, exempt by an account rule (and no
// tag rule over it), has none.
func TestOverviewCountsViolationsPerAccount(t *testing.T) {
	pol := model.Policy{Default: testPolicy.Default,
		Accounts: map[string]model.Rule{"staging": {Exempt: true, From: "account staging (config line 12)"}}}
	h := start(t, setup{extra: []Target{staging(t)}, policy: pol})
	h.wait("Loaded 40 instances")
	h.key(":")
	h.key("overview")
	h.key("enter")
	h.waitFor("violations counted", func(s string) bool {
		return rowHas(s, "staging/instances", "✓ 0") && rowHas(s, "test/instances", "⚠ ")
	})
}

// cursorLabel is the label of the row under the cursor, "" when none.
func cursorLabel(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, table.Marker+" ") {
			if f := strings.Fields(cellsOf(l)); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}

// atBottom reports whether the list's cursor is on its last row.
func atBottom(s string) bool {
	m := regexp.MustCompile(`row (\d+) of (\d+)`).FindStringSubmatch(s)
	return m != nil && m[1] == m[2]
}

// TestViolationsFollowTheScan: with `v` on, the `b` scan's results re-filter
// the list as they arrive: a row off screen that the scan proves passing
// leaves (it does not wait for a refresh), one proven failing stays, and the
// cursor stays on its resource while rows above it leave.
func TestViolationsFollowTheScan(t *testing.T) {
	now := time.Now()
	fleet := simlinode.Demo(now)
	for _, in := range fleet.Instances {
		if in.Label == "dns" { // a manual snapshot 2h old: passes min_manual 1
			in.Current = &simlinode.Backup{ID: 990001, Label: "nightly", Status: "successful", Type: "snapshot",
				Available: true, Created: now.Add(-2 * time.Hour), Updated: now.Add(-110 * time.Minute),
				Finished: now.Add(-110 * time.Minute), Disks: in.Disks, Configs: in.Configs}
		}
	}
	pol := model.Policy{Default: model.Rule{MaxAge: 26 * time.Hour, RequireBackups: true, MinManual: 1, From: "default (config line 3)"}}
	h := start(t, setup{w: 120, h: 16, fleet: fleet, policy: pol})
	h.wait("Loaded 40 instances")
	h.key("v")
	h.wait("Instances violating")
	// To the bottom: the rows read for the screen so far are the top and
	// bottom ones; dns (row 19) and api-staging-10 (row 17) only the scan reads.
	h.key("G")
	s := h.waitFor("the bottom rows read", func(s string) bool { return atBottom(s) && summariesSettled(s) })
	last := cursorLabel(s)
	h.key("k")
	h.key("k")
	s = h.waitFor("the cursor two rows up", func(s string) bool { return !atBottom(s) && summariesSettled(s) })
	at := cursorLabel(s)
	if !strings.Contains(rowOf(s, at), "✗") {
		t.Fatalf("the cursor's row %s does not break its rule:\n%s", at, s)
	}

	h.key("b")
	s = h.wait("Backup scan done")
	if !regexp.MustCompile(`Backup scan done: \d+ break the backup policy \(v lists them\)`).MatchString(s) {
		t.Errorf("the scan's report does not count the violations:\n%s", s)
	}
	if got := cursorLabel(s); got != at {
		t.Errorf("the scan moved the cursor from %s to %s:\n%s", at, got, s)
	}
	h.key("g")
	h.waitFor("the top", func(s string) bool { return cursorLabel(s) == "web-prod-01" })
	listed := map[string]bool{}
	for page := 0; page < 10; page++ {
		s = h.screen()
		for _, l := range strings.Split(s, "\n") {
			if f := strings.Fields(cellsOf(l)); len(f) > 0 {
				listed[f[0]] = true
			}
		}
		if atBottom(s) {
			break
		}
		before := cursorLabel(s)
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyPgDown})
		h.waitFor("the next page", func(s string) bool { return cursorLabel(s) != before })
	}
	if !listed[last] {
		t.Fatalf("never reached the last row")
	}
	if !listed["api-staging-10"] {
		t.Errorf("api-staging-10 (no manual backup) left the violations")
	}
	if listed["dns"] {
		t.Errorf("dns passes (a manual snapshot 2h old) but is still listed")
	}
}

// TestOverviewToViolations: from the overview, enter on an account with
// violations and then v lists just them; the footer then says v shows
// every row again, the help lists v and explains the POLICY column's short
// words, and the overview's help explains VIOLATIONS and its +N?.
func TestOverviewToViolations(t *testing.T) {
	pol := model.Policy{Default: testPolicy.Default,
		Accounts: map[string]model.Rule{"staging": {Exempt: true, From: "account staging (config line 12)"}}}
	h := start(t, setup{w: 100, h: 30, extra: []Target{staging(t)}, policy: pol})
	h.wait("Loaded 40 instances")
	h.key(":")
	h.key("overview")
	h.key("enter")
	h.waitFor("violations counted", func(s string) bool { return rowHas(s, "test/instances", "⚠ ") })
	h.key("?")
	h.waitAll("VIOLATIONS", "+N?", "b in the list reads them")
	h.key("?")
	h.wait("BACKUP HISTORY")
	h.key("enter") // test/instances, the cursor's row
	h.wait("linode (test)")
	h.key("v")
	s := h.waitFor("only violations", func(s string) bool {
		return strings.Contains(s, "Instances violating") && rowOf(s, "web-prod-01") == ""
	})
	if rowOf(s, "api-staging-02") == "" {
		t.Errorf("api-staging-02 (4 days old) is not listed:\n%s", s)
	}
	if _, footer := lastLines(s); !strings.Contains(footer, "v all rows") {
		t.Errorf("the footer does not say v shows every row again: %q", footer)
	}
	h.key("?")
	s = h.waitAll("Keys — Instances violating", "POLICY")
	for _, want := range []string{"v     all rows", "✗ off: backups switched off", "✗ never: no good backup",
		"✗ > 26h: newest good backup too old", "✗ manual: too few manual backups", "✗ future: dated in the future",
		"? manual: not read yet", "exempt: never a violation", "█ good", "? unknown"} {
		if !strings.Contains(s, want) {
			t.Errorf("the help lacks %q:\n%s", want, s)
		}
	}
	h.key("?")
	h.key("v")
	h.waitFor("every row again", func(s string) bool { return rowOf(s, "web-prod-01") != "" && strings.Contains(s, "v violations") })
}

// TestEscClearsTheFilterThenViolations: esc undoes the `/` filter first,
// then `v`, as esc resets a view in k9s; the title says which is on.
func TestEscClearsTheFilterThenViolations(t *testing.T) {
	h := start(t, setup{w: 120, h: 40, policy: testPolicy})
	h.wait("Loaded 40 instances")
	h.key("v")
	h.wait("Instances violating")
	h.key("/")
	h.key("staging")
	h.key("enter")
	s := h.waitFor("staging violations", func(s string) bool {
		return rowOf(s, "api-staging-02") != "" && rowOf(s, "legacy-mail") == ""
	})
	if rowOf(s, "api-staging-10") != "" { // staging, but passes
		t.Errorf("api-staging-10 passes but is listed:\n%s", s)
	}
	h.key("esc")
	h.waitFor("the query cleared, v still on", func(s string) bool {
		return strings.Contains(s, "Instances violating") && rowOf(s, "legacy-mail") != "" && rowOf(s, "web-prod-01") == ""
	})
	h.key("esc")
	h.waitFor("every row", func(s string) bool {
		return strings.Contains(s, "Instances 40") && rowOf(s, "web-prod-01") != ""
	})
}
