package model

import (
	"strings"
	"testing"
)

func TestNorthflankStatus(t *testing.T) {
	for raw, want := range map[string]Status{
		"scheduled":     StatusPending,
		"in-progress":   StatusRunning,
		"aborting":      StatusRunning,
		"completed":     StatusSuccessful,
		"failed":        StatusFailed,
		"not-supported": StatusFailed,
		"aborted":       StatusAborted,
		"":              StatusUnknown,
		"Completed":     StatusUnknown,
	} {
		if got := NorthflankStatus(raw); got != want {
			t.Errorf("%q: %s, want %s", raw, got, want)
		}
	}
}

func TestValidateNorthflankBackupName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"", false},
		{"ab", false},
		{"abc", true},
		{"Pre migration 2026/11/20 12:00", true},
		{"nightly-dump", true},
		{"a b", true},
		{strings.Repeat("x", 39), true},
		{strings.Repeat("x", 40), false},
		{" abc", false},
		{"abc ", false},
		{"abc--def", false},
		{"abc_def", false},
		{"abc.def", false},
		{"-abc", false},
		{"abc:", false},
		{"ünï", false},
		{"a\tb", true}, // \s admits any whitespace, as the API's pattern does
	} {
		if err := ValidateNorthflankBackupName(tc.name); (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.name, err)
		}
	}
}

func TestValidateNorthflankDestination(t *testing.T) {
	for _, tc := range []struct {
		d    Destination
		want string
	}{
		{Destination{ID: "offsite-s3", RetentionDays: 7}, ""},
		{Destination{ID: "abc"}, ""},
		{Destination{ID: "abc", RetentionDays: 120}, ""},
		{Destination{ID: "abc", RetentionDays: 121}, "retention"},
		{Destination{ID: "abc", RetentionDays: -1}, "retention"},
		{Destination{ID: "ab", RetentionDays: 1}, "destination ID must be 3"},
		{Destination{ID: strings.Repeat("a", 101)}, "destination ID must be 3"},
		{Destination{ID: "off site"}, "destination ID must be letters"},
		{Destination{ID: "off--site"}, "destination ID must be letters"},
	} {
		err := ValidateNorthflankDestination(tc.d)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("%+v: %v", tc.d, err)
		}
	}
}

func TestNorthflankBackupProblems(t *testing.T) {
	for _, tc := range []struct {
		req  SnapshotRequest
		want []string // field prefixes, in order
	}{
		{SnapshotRequest{Label: "before upgrade"}, nil},
		{SnapshotRequest{}, nil},
		{SnapshotRequest{Label: "nightly", Type: "dump", Compression: "zstd"}, nil},
		{SnapshotRequest{Label: "nightly", Type: "dump"}, nil},
		{SnapshotRequest{Label: "x", Type: "snapshot"}, []string{"[name]"}},
		{SnapshotRequest{Label: "nightly", Type: "full"}, []string{"[backupType]"}},
		{SnapshotRequest{Label: "nightly", Compression: "gz"}, []string{"[compressionType]"}},
		{SnapshotRequest{Label: "nightly", Type: "snapshot", Compression: "gz"}, []string{"[compressionType]"}},
		{SnapshotRequest{Label: "nightly", Type: "dump", Compression: "bz2"}, []string{"[compressionType]"}},
		{SnapshotRequest{Label: "nightly", Type: "dump", Destinations: []Destination{{ID: "offsite"}}}, []string{"[additionalDestinations]"}},
		{SnapshotRequest{Label: "nightly", Destinations: []Destination{{ID: "offsite", RetentionDays: 30}, {ID: "x", RetentionDays: 200}}},
			[]string{"[additionalDestinations.1]"}},
	} {
		got := NorthflankBackupProblems(tc.req)
		if len(got) != len(tc.want) {
			t.Errorf("%+v: %q, want %q", tc.req, got, tc.want)
			continue
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tc.want[i]+" ") {
				t.Errorf("%+v: %q, want prefix %q", tc.req, got[i], tc.want[i])
			}
		}
	}
}
