package model

import (
	"testing"
	"time"
)

// TestFutureBackupIsNotFresh: a last successful backup dated ahead of now
// by more than the tolerance is clock skew or an invalid date, and the
// resource counts as stale; a little drift is still fresh.
func TestFutureBackupIsNotFresh(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		last          time.Time
		skewed, stale bool
	}{
		{time.Time{}, false, true},
		{now.Add(-time.Hour), false, false},
		{now.Add(-StaleAfter - time.Second), false, true},
		{now.Add(ClockSkewTolerance), false, false},
		{now.Add(ClockSkewTolerance + time.Second), true, true},
		{now.Add(24 * time.Hour), true, true},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), true, true},
	} {
		r := Resource{LastSuccessful: tc.last}
		if got := ClockSkewed(now, tc.last); got != tc.skewed {
			t.Errorf("ClockSkewed(%v) = %v", tc.last, got)
		}
		if got := r.BackupStale(now); got != tc.stale {
			t.Errorf("BackupStale(%v) = %v", tc.last, got)
		}
	}
}
