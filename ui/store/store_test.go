package store

import (
	"errors"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

func res(ids ...string) []model.Resource {
	out := make([]model.Resource, len(ids))
	for i, id := range ids {
		out[i] = model.Resource{ID: id, Label: id}
	}
	return out
}

// A refresh keeps the last rows on screen until their page is read again,
// and drops pages past the new count.
func TestRefreshKeepsRowsUntilTheirPageIsReadAgain(t *testing.T) {
	s := New()
	s.Begin()
	s.SetPageCount(2, 4)
	s.SetPage(1, res("a", "b"))
	s.SetPage(2, res("c", "d"))
	if got := len(s.Resources()); got != 4 {
		t.Fatalf("%d rows, want 4", got)
	}
	old := s.Gen()
	s.Begin()
	if s.Current(old) {
		t.Fatal("a reply of the old generation counts as current")
	}
	if got := len(s.Resources()); got != 4 {
		t.Fatalf("a refresh blanked the list: %d rows", got)
	}
	s.SetPageCount(1, 2)
	s.SetPage(1, res("a", "e"))
	if rs := s.Resources(); len(rs) != 2 || rs[1].ID != "e" {
		t.Fatalf("rows after the refresh: %v", rs)
	}
}

// A failed read of a resource's backups keeps the last good summary and
// marks the row; a read of an older generation is not known any more.
func TestFailedBackupReadKeepsTheLastSummary(t *testing.T) {
	s := New()
	s.Begin()
	now := time.Now()
	s.Remember("a", []model.Backup{{ID: "1", Kind: model.BackupSnapshot, Slot: model.SlotCurrent, Status: model.StatusSuccessful, Created: now}}, nil)
	s.Remember("a", nil, errors.New("boom"))
	if st, ok := s.Snapshot("a"); !ok || st.Current == nil || !s.Unreadable("a") {
		t.Fatalf("summary %+v (%v), unreadable %v", st, ok, s.Unreadable("a"))
	}
	if !s.Known("a") {
		t.Fatal("read in this generation but not known")
	}
	s.Begin()
	if s.Known("a") {
		t.Fatal("a read of the last generation is known in the new one")
	}
}

// Jobs are numbered, judged from the Operation made when added, and the
// active snapshot job of a resource is found.
func TestJobs(t *testing.T) {
	s := New()
	j := &Job{Kind: JobSnapshot, ResourceID: "a", Label: "web", Name: "n1"}
	s.AddJob(j, "snapshot", "instance", time.Now())
	if j.ID != 1 || j.Op.Kind != model.OpSnapshot || j.Noun != "snapshot" || s.JobFor("a") != j || s.Job(1) != j {
		t.Fatalf("job %+v", j)
	}
	j.Done = true
	if s.JobFor("a") != nil || len(s.ActiveJobs()) != 0 {
		t.Fatal("a done job is still active")
	}
}

// The job log keeps the newest LogSize entries and tells a reader what is
// new since it last looked, even past what it keeps.
func TestJobLogKeepsTheNewest(t *testing.T) {
	var l JobLog
	for i := 0; i < LogSize+5; i++ {
		l.Add(LogEntry{Line: string(rune('a' + i%26))})
	}
	if len(l.Entries()) != LogSize || l.Added() != LogSize+5 {
		t.Fatalf("%d kept, %d added", len(l.Entries()), l.Added())
	}
	if got := l.Since(LogSize + 3); len(got) != 2 || got[1] != l.Entries()[LogSize-1] {
		t.Fatalf("since: %v", got)
	}
	if got := l.Since(0); len(got) != LogSize {
		t.Fatalf("since 0: %d", len(got))
	}
}

// The history the store keeps compactly comes back day for day: every
// state, its count and its date.
func TestPackedHistoryRoundTrip(t *testing.T) {
	last := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	states := []model.DayState{model.DayGood, model.DayFailed, model.DayRunning, model.DayNone, model.DayUnknown}
	h := make([]model.Day, model.HistoryDays)
	for i := range h {
		h[i] = model.Day{Date: last.AddDate(0, 0, i-(model.HistoryDays-1)), State: states[i%len(states)], Count: i * 3}
	}
	got := pack(h).unpack()
	for i := range h {
		if !got[i].Date.Equal(h[i].Date) || got[i].State != h[i].State || got[i].Count != h[i].Count {
			t.Fatalf("day %d: got %+v, want %+v", i, got[i], h[i])
		}
	}
}
