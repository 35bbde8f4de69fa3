package ui

import (
	"fmt"
	"testing"
	"time"

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
