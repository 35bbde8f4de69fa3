package model

import (
	"strings"
	"testing"
)

func TestCivoStatus(t *testing.T) {
	for raw, want := range map[string]Status{
		"new":         StatusPending,
		"pending":     StatusPending,
		"in-progress": StatusRunning,
		"in_progress": StatusRunning,
		"complete":    StatusSuccessful,
		"Complete":    StatusSuccessful,
		"completed":   StatusSuccessful,
		"failed":      StatusFailed,
		"error":       StatusFailed,
		"cancelled":   StatusAborted,
		"":            StatusUnknown,
		"exploded":    StatusUnknown,
	} {
		if got := CivoStatus(raw); got != want {
			t.Errorf("CivoStatus(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestValidateCivoSnapshotName(t *testing.T) {
	for _, tc := range []struct {
		name, err string
	}{
		{"pre-upgrade", ""},
		{"db.2026-11-20_0300", ""},
		{"a", ""},
		{"9lives", ""},
		{strings.Repeat("x", MaxCivoSnapshotName), ""},
		{"", "required"},
		{strings.Repeat("x", MaxCivoSnapshotName+1), "at most 64"},
		{"-leading", "start with a letter or digit"},
		{".hidden", "start with a letter or digit"},
		{"has space", "only letters"},
		{"slash/name", "only letters"},
		{"percent%2F", "only letters"},
		{"ünïcode", "start with"},
		{"q?x=1", "only letters"},
	} {
		err := ValidateCivoSnapshotName(tc.name)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%q: unexpected %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: err = %v, want %q", tc.name, err, tc.err)
		}
	}
}
