package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// historyClock is a fixed noon UTC: the demo fixture api-staging-02 then
// has, over the 14 days to Nov 20, a good backup on the 16th (4 days ago),
// no backup on the 17th and 18th (skipped days), a failed one on the 19th
// and a snapshot running today.
var historyClock = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const apiStagingStrip = "·········█··✗◐"

const historyLegend = "█ good  ✗ failed  ◐ running  · none  ? unknown"

// lineWith is the first line of s containing sub, "" when none.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// historyCellOf is the HISTORY column's cell in the row of label.
func historyCellOf(s, label string) string {
	hdr, rows := tableRows(s)
	at := strings.Index(hdr, "HISTORY")
	if at < 0 {
		return ""
	}
	col := len([]rune(hdr[:at]))
	for _, r := range rows {
		if strings.HasPrefix(r, label+" ") {
			rs := []rune(r)
			if col >= len(rs) {
				return ""
			}
			cell, _, _ := strings.Cut(string(rs[col:]), " ")
			return cell
		}
	}
	return ""
}

// TestBackupHistoryStripAt80x24: opening the fixture at 80×24 shows its
// strip — the good day, the skipped days, the failed backup, the running
// snapshot — with the dates and the legend, each on a line of its own.
func TestBackupHistoryStripAt80x24(t *testing.T) {
	h := start(t, setup{w: 80, h: 24, clock: historyClock})
	s := h.wait("Loaded 40 instances")
	if hdr, _ := tableRows(s); strings.Contains(hdr, "HISTORY") {
		t.Errorf("at 80 columns the HISTORY column should give way to the others: %q", hdr)
	}
	for range 3 {
		h.key("down")
	}
	h.key("enter")
	s = h.waitAll("history ", "LABEL ")
	lines := strings.Split(s, "\n")
	at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "history ") })
	if at < 0 || at+2 >= len(lines) {
		t.Fatalf("no strip:\n%s", s)
	}
	if got, want := strings.TrimRight(lines[at], " "), "history "+apiStagingStrip+"  14 days to Nov 20 UTC"; got != want {
		t.Errorf("strip line = %q, want %q\n%s", got, want, s)
	}
	if got := strings.TrimRight(lines[at+1], " "); got != historyLegend {
		t.Errorf("legend line = %q, want %q", got, historyLegend)
	}
	if !strings.HasPrefix(lines[at+2], "LABEL ") {
		t.Errorf("the backup table should follow the legend:\n%s", s)
	}
}

// TestBackupHistoryAt200x60: at 200 columns the list has a HISTORY column
// with every day, filled from the reads the SNAPSHOT column makes, and the
// backup list has the same strip.
func TestBackupHistoryAt200x60(t *testing.T) {
	h := start(t, setup{w: 200, h: 60, clock: historyClock})
	h.wait("Loaded 40 instances")
	s := h.waitFor("the fixture's history", func(s string) bool {
		return historyCellOf(s, "api-staging-02") == apiStagingStrip && !strings.Contains(historyCellOf(s, "web-prod-01"), "?")
	})
	if c := historyCellOf(s, "legacy-mail"); c != "—" {
		t.Errorf("legacy-mail (backups off) history = %q, want —", c)
	}
	if c := historyCellOf(s, "web-prod-01"); c != "···········███" {
		t.Errorf("web-prod-01 history = %q, want three good days to today", c)
	}
	for range 3 {
		h.key("down")
	}
	h.key("enter")
	h.waitAll("history "+apiStagingStrip+"  14 days to Nov 20 UTC", historyLegend, "pre-release")
}

// TestHistoryColumnShowsFewerDaysWhenNarrow: between the full width and
// none, the column keeps the newest days; at 80 columns it gives way.
func TestHistoryColumnShowsFewerDaysWhenNarrow(t *testing.T) {
	for _, tc := range []struct{ w, min, max int }{{200, 14, 14}, {120, 7, 13}, {115, 7, 13}, {80, 0, 0}} {
		t.Run(fmt.Sprint(tc.w), func(t *testing.T) {
			h := start(t, setup{w: tc.w, h: 12, clock: historyClock})
			h.wait("Loaded 40 instances")
			s := h.waitFor("the fixture's row read", func(s string) bool {
				return summariesSettled(s) && strings.Contains(s, "api-staging-02 ") && strings.Contains(s, "● running")
			})
			c := historyCellOf(s, "api-staging-02")
			if n := len([]rune(c)); n < tc.min || n > tc.max || !strings.HasSuffix(apiStagingStrip, c) {
				t.Errorf("at %d columns HISTORY = %q: want the newest %d to %d days of %q\n%s", tc.w, c, tc.min, tc.max, apiStagingStrip, s)
			}
		})
	}
}

// TestOverviewHistoryHeatStrip: the overview shows, per account view, the
// share of resources with a good backup per day over those whose backups
// were read ("n of m known"), names the worst, and fits 80 columns.
func TestOverviewHistoryHeatStrip(t *testing.T) {
	h := start(t, setup{w: 80, h: 24, clock: historyClock, extra: []Target{staging(t)}})
	h.wait("Loaded 40 instances")
	h.waitFor("visible summaries", summariesSettled)
	h.key(":")
	h.key("overview")
	h.key("enter")
	s := h.waitAll("BACKUP HISTORY · good backups per day, 14 days to Nov 20 UTC", "good backups per day: █ all")
	line := lineWith(s[strings.Index(s, "BACKUP HISTORY"):], "test/instances")
	if strings.Contains(line, "28 of 28 known") || !strings.Contains(line, " of 28 known") {
		t.Errorf("before the scan only the rows on screen are known: %q", line)
	}
	h.key("esc")
	h.wait("Instances 40")
	h.key("b")
	h.wait("Backup scan done")
	h.key(":")
	h.key("overview")
	h.key("enter")
	s = h.waitFor("every history known", func(s string) bool {
		i := strings.Index(s, "BACKUP HISTORY")
		return i >= 0 && strings.Contains(lineWith(s[i:], "test/instances"), "28 of 28 known")
	})
	line = lineWith(s[strings.Index(s, "BACKUP HISTORY"):], "test/instances")
	if !strings.Contains(line, "worst api-staging-02 1/14 good") {
		t.Errorf("the worst resource should be api-staging-02 (one good day, one failed): %q", line)
	}
	strip := []rune(strings.TrimSpace(line[len("test/instances"):]))[:14]
	for _, r := range strip {
		if !strings.ContainsRune("█▓▒░✗", r) {
			t.Errorf("strip %q has %q, not a share glyph", string(strip), r)
		}
	}
	// Nov 7 to Nov 11: no resource kept a backup that old; Nov 20: some
	// resources had their good backup today, not all.
	if got := string(strip[:5]); got != "✗✗✗✗✗" {
		t.Errorf("old days = %q, want none good", got)
	}
	if last := strip[13]; last == '█' || last == '✗' {
		t.Errorf("today = %q, want a share between none and all", last)
	}
	for _, l := range strings.Split(s, "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line wider than 80: %q", l)
		}
	}
}

// BenchmarkViewHistory draws the instance list (10,000 rows, 120×40) with
// every row's backup history known — two weeks of daily backups each — and,
// as the baseline in the same run, with none known: the HISTORY column's
// cost per frame follows the rows on screen.
func BenchmarkViewHistory(b *testing.B) {
	for _, known := range []bool{false, true} {
		b.Run(fmt.Sprintf("known=%v", known), func(b *testing.B) {
			a, s := loaded(10_000)
			if known {
				now := a.opts.Now()
				for _, r := range a.store.Resources() {
					var bs []model.Backup
					for d := range 14 {
						bs = append(bs, model.Backup{Status: model.StatusSuccessful, Created: now.AddDate(0, 0, -d)})
					}
					a.store.Remember(r.ID, bs, nil)
				}
			}
			s.tbl.MoveTo(5_000)
			b.ReportAllocs()
			for b.Loop() {
				_ = a.View()
			}
		})
	}
}

// TestSummaryHistoryCountsServicesOn: the overview's "n of m known" is over
// the resources whose backup service is on; one that is off stays out even
// when its (empty) backups were read by opening it.
func TestSummaryHistoryCountsServicesOn(t *testing.T) {
	a, _ := loaded(8) // rows 0 and 4 have the service off
	now := a.opts.Now()
	a.store.Remember("1000", nil, nil) // off
	a.store.Remember("1001", []model.Backup{{Status: model.StatusFailed, Created: now}}, nil)
	a.store.Remember("1002", []model.Backup{{Status: model.StatusSuccessful, Created: now}}, nil)
	s := a.Summary()
	if s.Known != 2 || s.WithBackups != 6 {
		t.Fatalf("%d of %d known, want 2 of 6", s.Known, s.WithBackups)
	}
	if today := s.History[len(s.History)-1]; today.Good != 1 || today.Known != 2 {
		t.Errorf("today: %+v, want 1 good of 2", today)
	}
	if s.Worst != "node-us-west-000001" {
		t.Errorf("worst = %q, want the one that failed", s.Worst)
	}
}
