package model

import (
	"strings"
	"testing"
)

func TestValidateSnapshotLabel(t *testing.T) {
	for _, tc := range []struct {
		label string
		ok    bool
	}{
		{"", false},
		{"a", true},
		{strings.Repeat("x", 255), true},
		{strings.Repeat("é", 255), true}, // characters, not bytes
		{strings.Repeat("x", 256), false},
	} {
		if err := ValidateSnapshotLabel(tc.label); (err == nil) != tc.ok {
			t.Errorf("%d chars: %v", len([]rune(tc.label)), err)
		}
	}
}

func TestValidateSchedule(t *testing.T) {
	for _, tc := range []struct {
		s    Schedule
		want string // "" when valid, else a word of the error
	}{
		{Schedule{"Monday", "W10"}, ""},
		{Schedule{"Scheduling", "W0"}, ""},
		{Schedule{"Sunday", "W22"}, ""},
		{Schedule{"monday", "W10"}, "day"},
		{Schedule{"", "W10"}, "day"},
		{Schedule{"Monday", "W3"}, "window"},
		{Schedule{"Monday", "W24"}, "window"},
		{Schedule{"Monday", ""}, "window"},
	} {
		err := ValidateSchedule(tc.s)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("%+v: %v", tc.s, err)
		}
	}
}

func TestEventDone(t *testing.T) {
	for status, done := range map[string]bool{"started": false, "scheduled": false, "notification": false, "finished": true, "failed": true} {
		if (Event{Status: status}).Done() != done {
			t.Errorf("%s", status)
		}
	}
}
