package model

import (
	"strings"
	"testing"
)

func TestSuperbFlexStatus(t *testing.T) {
	for raw, want := range map[string]Status{
		SuperbFlexBuilt:    StatusSuccessful,
		SuperbFlexNotBuilt: StatusRunning,
		"":                 StatusUnknown,
		"Built":            StatusUnknown,
		"failed":           StatusUnknown,
	} {
		if got := SuperbFlexStatus(raw); got != want {
			t.Errorf("SuperbFlexStatus(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestSuperbFlexBackupKind(t *testing.T) {
	for initiated, want := range map[string]BackupKind{
		"manual": BackupSnapshot,
		"days":   BackupAutomatic,
		"weeks":  BackupAutomatic,
		"months": BackupAutomatic,
		"years":  BackupAutomatic,
		"":       BackupAutomatic,
	} {
		if got := SuperbFlexBackupKind(initiated); got != want {
			t.Errorf("SuperbFlexBackupKind(%q) = %q, want %q", initiated, got, want)
		}
	}
}

func TestValidateSuperbFlexNote(t *testing.T) {
	for _, c := range []struct {
		note string
		ok   bool
	}{
		{"", true},
		{"before the PHP 8.3 upgrade", true},
		{strings.Repeat("x", 255), true},
		{strings.Repeat("é", 255), true}, // characters, not bytes
		{strings.Repeat("x", 256), false},
		{"two\nlines", false},
		{"bell\a", false},
		{"esc \x1b[31mred", false},
		{"del\x7f", false},
		{"tab\there", false},
	} {
		err := ValidateSuperbFlexNote(c.note)
		if (err == nil) != c.ok {
			t.Errorf("ValidateSuperbFlexNote(%q) = %v, want ok=%v", c.note, err, c.ok)
		}
	}
}
