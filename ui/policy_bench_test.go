package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
)

// BenchmarkSummaryPolicy is the overview's count of one account view
// (App.Summary, drawn every frame the overview is open) over n rows: with
// no policy (the built-in rule: the baseline) and with an account rule and
// tag rules that every row is matched against.
func BenchmarkSummaryPolicy(b *testing.B) {
	tagged := model.Policy{
		Default:  model.Rule{MaxAge: 26 * time.Hour, RequireBackups: true, From: "default"},
		Accounts: map[string]model.Rule{"": {MaxAge: 12 * time.Hour, From: "account"}},
		Tags: []model.TagRule{
			{Tag: "db", Rule: model.Rule{MinManual: 1, From: "tag db"}},
			{Tag: "batch", Rule: model.Rule{Exempt: true, From: "tag batch"}},
			{Tag: "web", Rule: model.Rule{MaxAge: 6 * time.Hour, From: "tag web"}},
		},
	}
	for _, n := range []int{10_000, 100_000} {
		// The baseline: what the overview counted before the policy, the
		// fixed 48h rule of every row.
		b.Run(fmt.Sprintf("rows=%d/baseline=stale48h", n), func(b *testing.B) {
			a, _ := loaded(n)
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				stale := 0
				for _, r := range a.store.Resources() {
					if r.BackupStale(now) {
						stale++
					}
				}
				_ = stale
			}
		})
		for _, pc := range []struct {
			name string
			p    model.Policy
		}{{"builtin", model.Policy{}}, {"tags", tagged}} {
			b.Run(fmt.Sprintf("rows=%d/policy=%s", n, pc.name), func(b *testing.B) {
				a, _ := loaded(n)
				a.env.policy = pc.p
				b.ReportAllocs()
				for b.Loop() {
					_ = a.Summary()
				}
			})
		}
	}
}

// BenchmarkScanRefilter is one `b` scan reply reaching the list with `v`
// on, over 10,000 rows: the row it proves passing leaves and the next reply
// brings it back (a snapshot read, then none), each a membership change.
// The baseline is what a reply cost when it re-ran the filter over every
// row (applyFilter).
func BenchmarkScanRefilter(b *testing.B) {
	const n = 10_000
	pol := model.Policy{Default: model.Rule{MaxAge: 26 * time.Hour, RequireBackups: true, MinManual: 1, From: "default"}}
	setup := func() (*App, *instancesScreen, string, []model.Backup) {
		a, s := loaded(n)
		a.env.policy = pol
		a.Update(tea.KeyPressMsg{Code: 'v', Text: "v"})
		r := a.store.Resources()[n/2+41] // backups on, 1h old
		snap := []model.Backup{{ID: "s1", ResourceID: r.ID, Kind: model.BackupSnapshot, Status: model.StatusSuccessful,
			RawStatus: "successful", Available: true, Created: time.Now().Add(-time.Hour), Finished: time.Now()}}
		s.tbl.MoveTo(n / 2)
		return a, s, r.ID, snap
	}
	b.Run("baseline=applyFilter", func(b *testing.B) {
		a, s, id, snap := setup()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i++; i%2 == 0 {
				a.store.Remember(id, snap, nil)
			} else {
				a.store.Remember(id, nil, nil)
			}
			s.applyFilter(s.keepID())
		}
	})
	b.Run("refilter", func(b *testing.B) {
		a, s, id, snap := setup()
		sc := &scan{}
		before := len(s.shown)
		a.store.Remember(id, snap, nil)
		a.Update(scanMsg{scan: sc, id: id})
		if len(s.shown) != before-1 {
			b.Fatalf("the passing row did not leave: %d rows shown, then %d", before, len(s.shown))
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if i++; i%2 == 0 {
				a.store.Remember(id, snap, nil)
			} else {
				a.store.Remember(id, nil, nil)
			}
			a.Update(scanMsg{scan: sc, id: id})
		}
	})
}
