package ui

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	stock "charm.land/bubbles/v2/table"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/linode"
	"github.com/snapdeck/snapdeck/model"
)

// nopProvider answers nothing; the benchmarks load rows directly.
type nopProvider struct{}

func (nopProvider) Name() string             { return "linode" }
func (nopProvider) Info() model.ProviderInfo { return linode.Info }
func (nopProvider) ListResources(context.Context, int, client.Filter) (client.ResourcePage, error) {
	return client.ResourcePage{}, nil
}
func (nopProvider) ListBackups(context.Context, string) ([]model.Backup, error) { return nil, nil }
func (nopProvider) GetBackup(context.Context, string, string) (model.Backup, error) {
	return model.Backup{}, nil
}

var regions = []string{"us-east", "us-west", "eu-west", "eu-central", "ap-south"}

func fleet(n int, now time.Time) []model.Resource {
	rs := make([]model.Resource, n)
	for i := range rs {
		rs[i] = model.Resource{
			ID: fmt.Sprint(1000 + i), Provider: "linode", Kind: model.KindInstance,
			Label: fmt.Sprintf("node-%s-%06d", regions[i%5], i), Region: regions[i%5], Status: "running",
			Plan: "g6-standard-2", Tags: []string{"prod", "web"}, BackupsEnabled: i%4 != 0,
			LastSuccessful: now.Add(-time.Duration(i%72) * time.Hour),
		}
	}
	return rs
}

// loaded builds an App whose list holds n instances, drawn at 120×40.
func loaded(n int) (*App, *instancesScreen) {
	now := time.Now()
	a := New(Options{Provider: nopProvider{}, Now: func() time.Time { return now }})
	a.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	s := a.stack[0].(*instancesScreen)
	a.store.SetPageCount(1, n)
	a.store.SetPage(1, fleet(n, now))
	s.rebuild()
	return a, s
}

// BenchmarkView draws the instance list; the cost must follow the rows on
// screen, not the rows loaded.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			a, s := loaded(n)
			s.tbl.MoveTo(n / 2)
			b.ReportAllocs()
			for b.Loop() {
				_ = a.View()
			}
		})
	}
}

// BenchmarkFilterKeystroke types one more character into an open filter
// and draws the result.
func BenchmarkFilterKeystroke(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			a, _ := loaded(n)
			a.Update(tea.KeyPressMsg{Code: '/', Text: "/"})
			b.ReportAllocs()
			for b.Loop() {
				a.Update(tea.KeyPressMsg{Code: 'e', Text: "e"})
				_ = a.View()
				a.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
			}
		})
	}
}

// stockTable builds the baseline: the bubbles table holding every row, as
// a list built on it would.
func stockTable(n int) (stock.Model, []stock.Row) {
	rs := fleet(n, time.Now())
	rows := make([]stock.Row, n)
	for i, r := range rs {
		rows[i] = stock.Row{r.Label, r.Region, r.Status, r.Plan, "on", "3h ago", "none"}
	}
	t := stock.New(stock.WithColumns([]stock.Column{
		{Title: "LABEL", Width: 30}, {Title: "REGION", Width: 12}, {Title: "STATUS", Width: 12},
		{Title: "PLAN", Width: 15}, {Title: "BACKUPS", Width: 7}, {Title: "LAST GOOD", Width: 9}, {Title: "SNAPSHOT", Width: 11},
	}), stock.WithRows(rows), stock.WithHeight(36), stock.WithFocused(true))
	t.SetCursor(n / 2)
	return t, rows
}

// BenchmarkStockTableMove is the baseline of BenchmarkScrollFrame: one
// cursor move and the frame, in the stock table.
func BenchmarkStockTableMove(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			t, _ := stockTable(n)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 {
					t.MoveDown(1)
				} else {
					t.MoveUp(1)
				}
				_ = t.View()
			}
		})
	}
}

// BenchmarkStockTableFilter is the baseline of BenchmarkFilterKeystroke: the
// stock table is given the rows that pass, then drawn.
func BenchmarkStockTableFilter(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			t, rows := stockTable(n)
			b.ReportAllocs()
			for b.Loop() {
				var kept []stock.Row
				for _, r := range rows {
					if strings.Contains(r[0], "e") {
						kept = append(kept, r)
					}
				}
				t.SetRows(kept)
				_ = t.View()
			}
		})
	}
}

// BenchmarkScrollFrame is one cursor move and the frame it draws: the
// allocations per frame while scrolling.
func BenchmarkScrollFrame(b *testing.B) {
	a, _ := loaded(10_000)
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	b.ReportAllocs()
	for b.Loop() {
		a.Update(down)
		_ = a.View()
	}
}

// BenchmarkHeapLoaded reports the live heap with 10,000 instances loaded and
// 100,000 backups (ten per instance) read into the snapshot column.
func BenchmarkHeapLoaded(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		a, _ := loaded(10_000)
		now := time.Now()
		var kept [][]model.Backup // as a cache of every backup list would hold them
		for _, r := range a.store.Resources() {
			bs := make([]model.Backup, 10)
			for j := range bs {
				bs[j] = model.Backup{
					ID: fmt.Sprint(r.ID, "-", j), ResourceID: r.ID, Kind: model.BackupAutomatic,
					Status: model.StatusSuccessful, RawStatus: "successful", Available: true,
					Created: now.Add(-time.Duration(j) * 24 * time.Hour), Finished: now,
					Configs: []string{"My Debian 12 Disk Profile"},
					Disks:   []model.Disk{{Label: "Debian 12 Disk", Filesystem: "ext4", SizeMB: 25600}, {Label: "512 MB Swap Image", Filesystem: "swap", SizeMB: 512}},
				}
			}
			a.store.Remember(r.ID, bs, nil)
			kept = append(kept, bs)
		}
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MiB-heap")
		runtime.KeepAlive(a)
		runtime.KeepAlive(kept)
	}
}
