package model

import (
	"sort"
	"time"
)

// HistoryDays is how many days a backup history covers by default.
const HistoryDays = 14

// DayState is what one day of a resource's backup history shows.
type DayState string

const (
	DayGood    DayState = "good"    // at least one successful backup
	DayRunning DayState = "running" // none good yet, one pending or running
	DayFailed  DayState = "failed"  // none good or running, one failed or aborted
	DayNone    DayState = "none"    // no backup taken that day
	// DayUnknown is a day whose backups were not read, or whose only
	// backups have a status this version does not know or a date in the
	// future (a skewed clock is no proof of a backup).
	DayUnknown DayState = "unknown"
)

// Day is one calendar day of a resource's backup history. Days are UTC
// calendar days (the provider's schedule windows are UTC too), so every
// operator and `snapdeck serve` session sees the same cells whatever its
// zone.
type Day struct {
	Date  time.Time // midnight UTC starting the day
	State DayState
	Count int // backups created that day, whatever their status
}

// dayOf is the UTC midnight starting t's day.
func dayOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// History summarises backups per UTC day for the days days ending with
// now's day, oldest first. A backup counts on the day it was created
// (started), whenever it finished. A day is good when one of its backups
// succeeded; else running when one is pending or running; else failed when
// one failed or was aborted; else unknown when it had backups of unknown
// status or dated more than ClockSkewTolerance after now; else none.
func History(backups []Backup, now time.Time, days int) []Day {
	if days <= 0 {
		return nil
	}
	out := make([]Day, days)
	first := dayOf(now).AddDate(0, 0, -(days - 1))
	for i := range out {
		out[i] = Day{Date: first.AddDate(0, 0, i), State: DayNone}
	}
	rank := map[DayState]int{DayNone: 0, DayUnknown: 1, DayFailed: 2, DayRunning: 3, DayGood: 4}
	for _, b := range backups {
		if b.Created.IsZero() {
			continue
		}
		d := dayOf(b.Created)
		if d.Before(first) {
			continue
		}
		i := int(d.Sub(first).Hours() / 24)
		if i >= days {
			continue // dated after today: no day of the window
		}
		st := DayUnknown
		switch {
		case ClockSkewed(now, b.Created):
		case b.Status == StatusSuccessful:
			st = DayGood
		case b.Status.Active():
			st = DayRunning
		case b.Status == StatusFailed || b.Status == StatusAborted:
			st = DayFailed
		}
		out[i].Count++
		if rank[st] > rank[out[i].State] {
			out[i].State = st
		}
	}
	return out
}

// Realign moves a history read earlier onto the days days ending with
// now's day: days it does not cover (they began after it was read) are
// unknown.
func Realign(h []Day, now time.Time, days int) []Day {
	if days <= 0 {
		return nil
	}
	out := make([]Day, days)
	first := dayOf(now).AddDate(0, 0, -(days - 1))
	for i := range out {
		out[i] = Day{Date: first.AddDate(0, 0, i), State: DayUnknown}
	}
	for _, d := range h {
		if d.Date.Before(first) {
			continue
		}
		if i := int(d.Date.Sub(first).Hours() / 24); i < days {
			out[i] = d
		}
	}
	return out
}

// HistoryScore counts a history's good and failed days.
func HistoryScore(h []Day) (good, failed int) {
	for _, d := range h {
		switch d.State {
		case DayGood:
			good++
		case DayFailed:
			failed++
		}
	}
	return good, failed
}

// DayShare is one day of a fleet's history: of the Known resources (whose
// history was read), how many had a good backup.
type DayShare struct {
	Date  time.Time
	Good  int
	Known int
}

// FleetHistory adds up per-resource histories of the same days, day by
// day; a resource counts as known on a day unless that day is unknown.
func FleetHistory(hs [][]Day) []DayShare {
	var out []DayShare
	for _, h := range hs {
		if out == nil {
			out = make([]DayShare, len(h))
			for i, d := range h {
				out[i].Date = d.Date
			}
		}
		for i, d := range h {
			if i >= len(out) || d.State == DayUnknown {
				continue
			}
			out[i].Known++
			if d.State == DayGood {
				out[i].Good++
			}
		}
	}
	return out
}

// WorstHistory is the index into hs of the resource with the fewest good
// days, then the most failed ones, then the first; -1 when hs is empty.
func WorstHistory(hs [][]Day) int {
	idx := make([]int, len(hs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ga, fa := HistoryScore(hs[idx[a]])
		gb, fb := HistoryScore(hs[idx[b]])
		if ga != gb {
			return ga < gb
		}
		return fa > fb
	})
	if len(idx) == 0 {
		return -1
	}
	return idx[0]
}
