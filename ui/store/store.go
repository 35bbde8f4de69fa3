// Package store is one account's data as last read: its resources, listed
// page by page in generations (a refresh starts a new one and keeps the
// old rows on screen until their page is read again), what is known of
// each resource's backups (the snapshot and history columns), and the jobs watched to
// the end. The root owns a Store and is its only writer; screens read it.
// It does no I/O and knows nothing of screens.
package store

import (
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// Store holds one account.
type Store struct {
	pages   [][]model.Resource // by page number - 1; nil while not yet read
	all     []model.Resource   // pages concatenated in order
	total   int
	gen     int // listing generation
	pending int // pages of this generation still in flight
	loaded  bool
	err     error
	version int // bumped whenever the rows are rebuilt from the pages

	snaps   map[string]model.SnapshotState
	snapGen map[string]int // the listing generation each summary belongs to
	snapErr map[string]bool
	reading map[string]bool       // backup reads in flight
	hist    map[string]packedDays // each resource's backup history as read
	now     func() time.Time

	jobs    []*Job
	nextJob int
}

// New is an empty store.
func New() *Store {
	return &Store{
		snaps:   map[string]model.SnapshotState{},
		snapGen: map[string]int{},
		snapErr: map[string]bool{},
		reading: map[string]bool{},
		hist:    map[string]packedDays{},
		now:     time.Now,
	}
}

// SetClock sets the clock the backup histories are dated by.
func (s *Store) SetClock(now func() time.Time) {
	if now != nil {
		s.now = now
	}
}

// --- the resource listing ----------------------------------------------------

// Begin starts a new listing generation with page 1 in flight.
func (s *Store) Begin() int {
	s.gen++
	s.err = nil
	s.pending = 1
	return s.gen
}

// Gen is the current listing generation.
func (s *Store) Gen() int { return s.gen }

// Current reports whether gen is the current generation: replies of an
// older one are dropped.
func (s *Store) Current(gen int) bool { return gen == s.gen }

// Answered counts one page request of the current generation answered.
func (s *Store) Answered() {
	if s.pending > 0 {
		s.pending--
	}
}

// Asked counts n more page requests in flight.
func (s *Store) Asked(n int) { s.pending += n }

// Pending is the page requests still in flight.
func (s *Store) Pending() int { return s.pending }

// Ended counts the listing over: no page of it is still to come.
func (s *Store) Ended() { s.pending = 0 }

// Failed keeps the first error of the current generation.
func (s *Store) Failed(err error) {
	if s.err == nil {
		s.err = err
	}
}

// Err is the current generation's first error.
func (s *Store) Err() error { return s.err }

// Loaded reports whether page 1 of some generation arrived.
func (s *Store) Loaded() bool { return s.loaded }

// Total is the resource count the provider reported.
func (s *Store) Total() int { return s.total }

// SetPageCount takes page 1's news: how many pages and resources there
// are. Rows of pages past the new count go.
func (s *Store) SetPageCount(pages, total int) {
	if len(s.pages) > pages {
		s.pages = s.pages[:pages]
	}
	for len(s.pages) < pages {
		s.pages = append(s.pages, nil)
	}
	s.total = total
	s.loaded = true
}

// SetPage stores one page's rows and rebuilds the list.
func (s *Store) SetPage(page int, items []model.Resource) {
	if page-1 < len(s.pages) {
		s.pages[page-1] = items
	}
	n := 0
	for _, p := range s.pages {
		n += len(p)
	}
	all := make([]model.Resource, 0, n)
	for _, p := range s.pages {
		all = append(all, p...)
	}
	s.all = all
	s.version++
}

// Resources are the rows, in list order. Callers must not change them.
func (s *Store) Resources() []model.Resource { return s.all }

// Version changes whenever Resources is rebuilt (not when one resource is
// replaced in place).
func (s *Store) Version() int { return s.version }

// Replace swaps in a re-read resource wherever it is loaded.
func (s *Store) Replace(r model.Resource) {
	for _, p := range s.pages {
		for i := range p {
			if p[i].ID == r.ID {
				p[i] = r
			}
		}
	}
	for i := range s.all {
		if s.all[i].ID == r.ID {
			s.all[i] = r
		}
	}
}

// NoteLastGood moves a resource's last good backup on to t, when t is
// newer.
func (s *Store) NoteLastGood(id string, t time.Time) {
	for _, p := range s.pages {
		for i := range p {
			if p[i].ID == id && t.After(p[i].LastSuccessful) {
				p[i].LastSuccessful = t
			}
		}
	}
	for i := range s.all {
		if s.all[i].ID == id && t.After(s.all[i].LastSuccessful) {
			s.all[i].LastSuccessful = t
		}
	}
}

// --- what is known of each resource's backups ----------------------------

// Remember keeps the outcome of reading a resource's backups, as of the
// current listing generation. A failed read keeps the last good summary
// and marks the resource unreadable.
func (s *Store) Remember(id string, backups []model.Backup, err error) {
	s.snapGen[id] = s.gen
	if err != nil {
		s.snapErr[id] = true
		return
	}
	delete(s.snapErr, id)
	s.snaps[id] = model.Summarise(backups)
	s.hist[id] = pack(model.History(backups, s.now(), model.HistoryDays))
}

// History is id's backup history for the days days ending today, oldest
// first, as of its last good read: days that began since are unknown, and
// every day is unknown while the backups were never read.
func (s *Store) History(id string, days int) []model.Day {
	var h []model.Day
	if p, ok := s.hist[id]; ok {
		h = p.unpack()
	}
	return model.Realign(h, s.now(), days)
}

// HistoryKnown reports whether id's backups were ever read, so that its
// history says more than unknown.
func (s *Store) HistoryKnown(id string) bool {
	_, ok := s.hist[id]
	return ok
}

// Known reports whether id's backups were read in this generation.
func (s *Store) Known(id string) bool { return s.snapGen[id] == s.gen }

// Snapshot is what is known of id's snapshots.
func (s *Store) Snapshot(id string) (model.SnapshotState, bool) {
	st, ok := s.snaps[id]
	return st, ok
}

// Unreadable reports whether the last read of id's backups failed.
func (s *Store) Unreadable(id string) bool { return s.snapErr[id] }

// Reading reports whether a read of id's backups is in flight.
func (s *Store) Reading(id string) bool { return s.reading[id] }

// StartReading marks a read of id's backups in flight.
func (s *Store) StartReading(id string) { s.reading[id] = true }

// DoneReading marks the read of id's backups answered.
func (s *Store) DoneReading(id string) { delete(s.reading, id) }

// ReadsInFlight counts the backup reads in flight.
func (s *Store) ReadsInFlight() int { return len(s.reading) }

// Busy reports whether pages or backup reads are in flight.
func (s *Store) Busy() bool { return s.pending > 0 || len(s.reading) > 0 }

// packedDays is a history as the store keeps it: 14 model.Days are 670
// bytes, and a fleet of 10,000 read resources held 6.5 MiB of them.
type packedDays struct {
	last   int32 // the newest day, in days since 1970-01-01 UTC
	states [model.HistoryDays]uint8
	counts [model.HistoryDays]uint16
}

// dayStates numbers the day states for packedDays.
var dayStates = [...]model.DayState{model.DayNone, model.DayUnknown, model.DayFailed, model.DayRunning, model.DayGood}

const day = 24 * time.Hour

// pack keeps the newest model.HistoryDays of h (oldest first, one per day).
func pack(h []model.Day) packedDays {
	var p packedDays
	if len(h) == 0 {
		return p
	}
	h = h[max(len(h)-model.HistoryDays, 0):]
	p.last = int32(h[len(h)-1].Date.Unix() / int64(day/time.Second))
	off := model.HistoryDays - len(h)
	for i := range p.states {
		p.states[i] = 1 // unknown, where h is shorter
	}
	for i, d := range h {
		for k, st := range dayStates {
			if st == d.State {
				p.states[off+i] = uint8(k)
			}
		}
		p.counts[off+i] = uint16(min(max(d.Count, 0), 1<<16-1))
	}
	return p
}

// unpack is the days pack kept, oldest first.
func (p packedDays) unpack() []model.Day {
	out := make([]model.Day, model.HistoryDays)
	last := time.Unix(int64(p.last)*int64(day/time.Second), 0).UTC()
	for i := range out {
		out[i] = model.Day{Date: last.AddDate(0, 0, i-(model.HistoryDays-1)), State: dayStates[p.states[i]], Count: int(p.counts[i])}
	}
	return out
}
