package model

import (
	"strings"
	"testing"
)

func TestValidateLinodeDBSnapshotLabel(t *testing.T) {
	for _, tc := range []struct {
		label string
		ok    bool
		want  string // in the error
	}{
		{"a", true, ""},
		{"pre_release_2026_11", true, ""},
		{"ABC123", true, ""},
		{strings.Repeat("x", 30), true, ""},
		{"", false, "required"},
		{strings.Repeat("x", 31), false, "31 characters"},
		{"db-snapshot", false, `character 3 ('-')`},
		{"with space", false, `' '`},
		{"naïve", false, `character 3 ('ï')`},
		{"tab\there", false, `'\t'`},
		{"x\x1b[31m", false, `'\x1b'`},
	} {
		err := ValidateLinodeDBSnapshotLabel(tc.label)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err = %v, want ok=%v", tc.label, err, tc.ok)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want it to mention %s", tc.label, err, tc.want)
		}
	}
}

func TestLinodeDBStatus(t *testing.T) {
	for raw, want := range map[string]Status{
		"":           StatusSuccessful,
		"backing_up": StatusRunning,
		"active":     StatusUnknown,
		"whatever":   StatusUnknown,
	} {
		if got := LinodeDBStatus(raw); got != want {
			t.Errorf("%q: %s, want %s", raw, got, want)
		}
	}
}

func TestLinodeDBClusterRules(t *testing.T) {
	snap := map[string]bool{"active": true}
	restore := map[string]bool{"active": true, "degraded": true, "failed": true}
	for _, st := range LinodeDBClusterStatuses {
		if got := LinodeDBCanSnapshot(st); got != snap[st] {
			t.Errorf("snapshot while %s: %v", st, got)
		}
		if got := LinodeDBCanRestore(st); got != restore[st] {
			t.Errorf("restore while %s: %v", st, got)
		}
	}
}
