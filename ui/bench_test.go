package ui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// nopProvider answers nothing; the benchmarks load rows directly.
type nopProvider struct{}

func (nopProvider) Name() string { return "linode" }
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
	s.pages = [][]model.Resource{fleet(n, now)}
	s.loaded = true
	s.rebuild()
	return a, s
}

// BenchmarkView draws the instance list; the cost must follow the rows on
// screen, not the rows loaded.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			a, s := loaded(n)
			s.tbl.moveTo(n / 2)
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
