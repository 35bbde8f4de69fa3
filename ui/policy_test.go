package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
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
		if strings.HasPrefix(l, label+" ") {
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
