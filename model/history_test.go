package model

import (
	"testing"
	"time"
)

func states(h []Day) string {
	s := ""
	for _, d := range h {
		s += map[DayState]string{DayGood: "G", DayFailed: "F", DayRunning: "R", DayNone: ".", DayUnknown: "?"}[d.State]
	}
	return s
}

func TestHistoryStates(t *testing.T) {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	day := func(ago int, h int) time.Time {
		return now.AddDate(0, 0, -ago).Truncate(24 * time.Hour).Add(time.Duration(h) * time.Hour)
	}
	bs := []Backup{
		{Status: StatusSuccessful, Created: day(13, 3)},
		{Status: StatusFailed, Created: day(12, 3)},
		{Status: StatusAborted, Created: day(11, 3)},
		// a failed one and a good retry the same day: the day is good
		{Status: StatusFailed, Created: day(10, 1)},
		{Status: StatusSuccessful, Created: day(10, 5)},
		// day 9 skipped
		{Status: StatusUnknown, Created: day(8, 3)},
		{Status: StatusFailed, Created: day(7, 1)},
		{Status: StatusRunning, Created: day(7, 2)},
		{Status: StatusPending, Created: day(6, 2)},
		{Status: StatusSuccessful, Created: day(1, 23)},
		{Status: StatusRunning, Created: day(0, 9)},
		{Status: StatusSuccessful, Created: day(20, 3)},           // before the window
		{Status: StatusSuccessful, Created: now.AddDate(1, 0, 0)}, // in the future
		{Status: StatusSuccessful},                                // no date
	}
	h := History(bs, now, 14)
	if got, want := states(h), "GFFG.?RR....GR"; got != want {
		t.Fatalf("states = %q, want %q", got, want)
	}
	if !h[0].Date.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) || !h[13].Date.Equal(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("dates %v … %v", h[0].Date, h[13].Date)
	}
	if h[3].Count != 2 || h[4].Count != 0 {
		t.Errorf("counts %d %d, want 2 0", h[3].Count, h[4].Count)
	}
	if n := len(History(bs, now, 7)); n != 7 {
		t.Errorf("7 days gave %d", n)
	}
	if got := states(History(bs, now, 3)); got != ".GR" {
		t.Errorf("3 days = %q", got)
	}
	if History(bs, now, 0) != nil {
		t.Error("0 days should be nil")
	}
}

// A backup later today than the clock allows (a skewed clock) is no good
// backup: the day is unknown, not good.
func TestHistoryFutureIsNotGood(t *testing.T) {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	h := History([]Backup{{Status: StatusSuccessful, Created: now.Add(2 * time.Hour)}}, now, 2)
	if got := states(h); got != ".?" {
		t.Fatalf("states = %q, want .?", got)
	}
	h = History([]Backup{{Status: StatusSuccessful, Created: now.Add(time.Minute)}}, now, 2)
	if got := states(h); got != ".G" {
		t.Fatalf("within the tolerance: %q, want .G", got)
	}
}

// Days are UTC days: a backup a minute before midnight UTC and one a
// minute after fall on two days, whatever the zone of the times given.
func TestHistoryMidnightUTC(t *testing.T) {
	ny := time.FixedZone("UTC-5", -5*3600)
	now := time.Date(2026, 3, 15, 0, 30, 0, 0, time.UTC).In(ny) // 19:30 on the 14th in ny
	bs := []Backup{
		{Status: StatusFailed, Created: time.Date(2026, 3, 14, 23, 59, 0, 0, time.UTC).In(ny)},
		{Status: StatusSuccessful, Created: time.Date(2026, 3, 15, 0, 1, 0, 0, time.UTC).In(ny)},
	}
	h := History(bs, now, 2)
	if got := states(h); got != "FG" {
		t.Fatalf("states = %q, want FG", got)
	}
	if h[1].Date.Location() != time.UTC || h[1].Date.Day() != 15 {
		t.Errorf("today = %v, want the 15th UTC", h[1].Date)
	}
}

func TestRealign(t *testing.T) {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	h := History([]Backup{{Status: StatusSuccessful, Created: now}}, now, 3)
	later := History(nil, now.AddDate(0, 0, 1), 3) // the dates of the next day
	got := Realign(h, now.AddDate(0, 0, 1), 3)
	if states(got) != ".G?" {
		t.Fatalf("realigned = %q, want .G?", states(got))
	}
	for i := range got {
		if !got[i].Date.Equal(later[i].Date) {
			t.Errorf("day %d: %v, want %v", i, got[i].Date, later[i].Date)
		}
	}
}

func TestFleetHistoryAndWorst(t *testing.T) {
	mk := func(s string) []Day {
		var h []Day
		for _, c := range s {
			h = append(h, Day{State: map[rune]DayState{'G': DayGood, 'F': DayFailed, 'R': DayRunning, '.': DayNone, '?': DayUnknown}[c]})
		}
		return h
	}
	hs := [][]Day{mk("GGG"), mk("G.F"), mk("?GF"), mk("G.?")}
	f := FleetHistory(hs)
	want := []DayShare{{Good: 3, Known: 3}, {Good: 2, Known: 4}, {Good: 1, Known: 3}}
	for i := range want {
		if f[i].Good != want[i].Good || f[i].Known != want[i].Known {
			t.Errorf("day %d: %+v, want %+v", i, f[i], want[i])
		}
	}
	// G.F and ?GF both have one good day and one failed: the first wins.
	if w := WorstHistory(hs); w != 1 {
		t.Errorf("worst = %d, want 1", w)
	}
	if w := WorstHistory([][]Day{mk("GG"), mk("FF"), mk("..")}); w != 1 {
		t.Errorf("worst = %d, want 1 (most failed)", w)
	}
	if WorstHistory(nil) != -1 {
		t.Error("no resources: -1")
	}
}
