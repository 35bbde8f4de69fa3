package store

import (
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// TestStoreHistory: a resource's history is unknown until its backups are
// read, kept as days (not backups), and moves on with the clock: a day that
// began after the read is unknown, not none.
func TestStoreHistory(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := New()
	s.SetClock(func() time.Time { return now })
	if s.HistoryKnown("a") {
		t.Fatal("known before any read")
	}
	for _, d := range s.History("a", 3) {
		if d.State != model.DayUnknown {
			t.Fatalf("unread: %v, want unknown", d.State)
		}
	}
	s.Remember("a", []model.Backup{{Status: model.StatusSuccessful, Created: now.Add(-time.Hour)}}, nil)
	if got := s.History("a", 2); got[0].State != model.DayNone || got[1].State != model.DayGood {
		t.Fatalf("after the read: %+v", got)
	}
	now = now.Add(24 * time.Hour)
	if got := s.History("a", 2); got[0].State != model.DayGood || got[1].State != model.DayUnknown {
		t.Fatalf("a day later: %+v", got)
	}
	// A failed read keeps the last good history.
	s.Remember("a", nil, errFake{})
	if !s.HistoryKnown("a") || s.History("a", 2)[0].State != model.DayGood {
		t.Fatal("a failed read lost the history")
	}
}

type errFake struct{}

func (errFake) Error() string { return "fake" }
