package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// The demo's api-staging-02 over the 14 UTC days to fixedNow (Nov 20): a
// good backup on the 16th, none on the 17th and 18th, a failed one on the
// 19th, a snapshot running on the 20th.
var apiStagingDays = []dayJSON{
	{"2026-11-07", "none", 0}, {"2026-11-08", "none", 0}, {"2026-11-09", "none", 0}, {"2026-11-10", "none", 0},
	{"2026-11-11", "none", 0}, {"2026-11-12", "none", 0}, {"2026-11-13", "none", 0}, {"2026-11-14", "none", 0},
	{"2026-11-15", "none", 0}, {"2026-11-16", "good", 1}, {"2026-11-17", "none", 0}, {"2026-11-18", "none", 0},
	{"2026-11-19", "failed", 1}, {"2026-11-20", "running", 1},
}

func sameDays(t *testing.T, what string, got []dayJSON, want []dayJSON) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s days:\n got %v\nwant %v", what, got, want)
	}
}

func TestBackupsHistory(t *testing.T) {
	r := demo(t, "backups", "api-staging-02", "--json", "--history")
	wantCode(t, r, 0)
	var out backupsHistoryJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v:\n%s", err, r.stdout)
	}
	if len(out.Backups) != 3 || out.Backups[0].Resource.Label != "api-staging-02" {
		t.Errorf("backups: %+v", out.Backups)
	}
	h := out.History
	if h.Resource.Label != "api-staging-02" || h.View != "demo/instances" || h.GoodDays != 1 || h.FailedDays != 1 {
		t.Errorf("history: %+v", h)
	}
	sameDays(t, "api-staging-02", h.Days, apiStagingDays)

	// Without --history the output is the array it always was.
	r = demo(t, "backups", "api-staging-02", "--json")
	wantCode(t, r, 0)
	var arr []backupJSON
	if err := json.Unmarshal([]byte(r.stdout), &arr); err != nil || len(arr) != 3 {
		t.Fatalf("backups --json is no longer the array (%v):\n%s", err, r.stdout)
	}

	// The table ends with the strip, in the TUI's glyphs, and its legend.
	r = demo(t, "backups", "api-staging-02", "--history")
	wantCode(t, r, 0)
	for _, want := range []string{"HISTORY ·········█··✗◐ (2026-11-07 to 2026-11-20 UTC)", "█ good  ✗ failed  ◐ running  · none  ? unknown"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("backups --history lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestCheckHistory(t *testing.T) {
	r := demo(t, "check", "--json", "--history")
	wantCode(t, r, 1) // the verdict is the same with --history
	var c checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.History) != c.Checked || c.Checked != 40 {
		t.Fatalf("history of %d of %d checked", len(c.History), c.Checked)
	}
	by := map[string]historyJSON{}
	for _, h := range c.History {
		by[h.Resource.Label] = h
		if len(h.Days) != model.HistoryDays || h.Days[13].Date != "2026-11-20" {
			t.Errorf("%s: %d days to %v", h.Resource.Label, len(h.Days), h.Days[len(h.Days)-1])
		}
	}
	sameDays(t, "api-staging-02", by["api-staging-02"].Days, apiStagingDays)
	if w := by["web-prod-01"]; w.GoodDays != 3 || w.FailedDays != 0 || w.Days[13].State != "good" {
		t.Errorf("web-prod-01: %+v", w)
	}
	// Backups off: nothing to read, every day none.
	if lm := by["legacy-mail"]; lm.GoodDays != 0 || lm.Days[13].State != "none" {
		t.Errorf("legacy-mail: %+v", lm)
	}

	// Without --history there is no history field (and no extra read).
	r = demo(t, "check", "--json")
	if strings.Contains(r.stdout, `"history"`) {
		t.Errorf("check --json without --history has a history:\n%s", r.stdout)
	}

	r = demo(t, "check", "--history", "--label", "api-staging-02")
	wantCode(t, r, 1)
	if !strings.Contains(r.stdout, "·········█··✗◐ (2026-11-07 to 2026-11-20 UTC)  1          1") {
		t.Errorf("check --history table:\n%s", r.stdout)
	}
}

// fakeBackups is a provider whose backup reads count how many run at once
// and fail for one resource.
type fakeBackups struct {
	client.Provider
	mu        sync.Mutex
	now, most int
	failFor   string
	reads     int
	gate      chan struct{}
}

func (f *fakeBackups) Info() model.ProviderInfo {
	return model.ProviderInfo{Title: "Fake", Kind: "instances"}
}

func (f *fakeBackups) ListBackups(ctx context.Context, id string) ([]model.Backup, error) {
	f.mu.Lock()
	f.now++
	f.reads++
	f.most = max(f.most, f.now)
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.now--; f.mu.Unlock() }()
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if id == f.failFor {
		return nil, errors.New("boom")
	}
	return []model.Backup{{ID: "b-" + id, ResourceID: id}}, nil
}

// TestBackupsOf: every resource with backups on is read once, at most
// client.MaxParallel at a time, keyed by view and ID; one failure is the
// error, naming the resource.
func TestBackupsOf(t *testing.T) {
	f := &fakeBackups{gate: make(chan struct{})}
	tg := target{account: "a", provider: "fake", p: f}
	var fs []found
	for i := range 3 * client.MaxParallel {
		fs = append(fs, found{tg, model.Resource{ID: fmt.Sprint(i), Label: fmt.Sprint("r", i), BackupsEnabled: i != 5}})
	}
	go func() {
		for range 3*client.MaxParallel - 1 {
			f.gate <- struct{}{}
		}
	}()
	got, err := backupsOf(context.Background(), fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(fs)-1 || f.reads != len(fs)-1 {
		t.Errorf("%d results from %d reads, want %d", len(got), f.reads, len(fs)-1)
	}
	if f.most > client.MaxParallel || f.most < 2 {
		t.Errorf("%d reads at once, want 2 to %d", f.most, client.MaxParallel)
	}
	if bs := got[backupsKey(fs[7])]; len(bs) != 1 || bs[0].ID != "b-7" {
		t.Errorf("r7: %+v", bs)
	}
	if _, ok := got[backupsKey(fs[5])]; ok {
		t.Error("r5 has backups off: it should not be read")
	}

	f = &fakeBackups{failFor: "3"}
	tg.p = f
	for i := range fs {
		fs[i].t = tg
	}
	if _, err := backupsOf(context.Background(), fs); err == nil || !strings.Contains(err.Error(), "r3") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v, want one naming r3", err)
	}
}
