package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// reader is a Provider without Actions.
type reader struct{}

func (reader) Name() string             { return "fake" }
func (reader) Info() model.ProviderInfo { return model.ProviderInfo{Name: "fake"} }
func (reader) ListResources(context.Context, int, Filter) (ResourcePage, error) {
	return ResourcePage{Items: []model.Resource{{ID: "1"}}, Page: 1, Pages: 1, Total: 1}, nil
}
func (reader) ListBackups(context.Context, string) ([]model.Backup, error) { return nil, nil }
func (reader) GetBackup(context.Context, string, string) (model.Backup, error) {
	return model.Backup{}, nil
}

// fake is a Provider with Actions that counts calls and fails on demand.
// An action it does not define answers ErrUnsupported, so that it stays
// Actions when one is added.
type fake struct {
	reader
	Unsupported
	mu    sync.Mutex
	calls map[string]int
	err   error
}

func (f *fake) call(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[name]++
	return f.err
}

func (f *fake) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func (f *fake) GetResource(_ context.Context, id string) (model.Resource, error) {
	return model.Resource{ID: id}, f.call("get")
}
func (f *fake) TakeSnapshot(_ context.Context, id string, req model.SnapshotRequest) (model.Backup, error) {
	return model.Backup{ID: "b-" + req.Label, ResourceID: id}, f.call("snapshot")
}
func (f *fake) DeleteBackup(context.Context, string, string) error { return f.call("delete") }
func (f *fake) AbortBackup(context.Context, string, string) error  { return f.call("abort") }
func (f *fake) SetNote(context.Context, string, string, string) error {
	return f.call("note")
}
func (f *fake) Restores(context.Context, string) ([]model.Restore, error) {
	return nil, f.call("restores")
}
func (f *fake) RestoreBackup(context.Context, string, string, string, bool) error {
	return f.call("restore")
}
func (f *fake) EnableBackups(context.Context, string) error { return f.call("enable") }
func (f *fake) CancelBackups(context.Context, string) error { return f.call("cancel") }
func (f *fake) SetSchedule(_ context.Context, id string, s model.Schedule) (model.Resource, error) {
	return model.Resource{ID: id, Schedule: s}, f.call("schedule")
}
func (f *fake) Events(context.Context, string) ([]model.Event, error) {
	return []model.Event{{ID: "e1"}}, f.call("events")
}

// mutateAll calls each mutation once and returns their errors.
func mutateAll(a Actions) []error {
	ctx := context.Background()
	_, e1 := a.TakeSnapshot(ctx, "1", model.SnapshotRequest{Label: "snap"})
	e2 := a.RestoreBackup(ctx, "1", "9", "2", true)
	e3 := a.EnableBackups(ctx, "1")
	e4 := a.CancelBackups(ctx, "1")
	_, e5 := a.SetSchedule(ctx, "1", model.Schedule{Day: "Monday", Window: "W10"})
	return []error{e1, e2, e3, e4, e5}
}

func TestReadOnly(t *testing.T) {
	inner := &fake{}
	p := ReadOnly(inner)
	a, ok := p.(Actions)
	if !ok || !IsReadOnly(p) || IsReadOnly(inner) {
		t.Fatal("ReadOnly must implement Actions and report read-only")
	}
	for i, err := range mutateAll(a) {
		var e *Error
		if !errors.As(err, &e) || e.Kind != ErrReadOnly || len(e.Reasons) != 1 || !strings.Contains(err.Error(), "--read-only") {
			t.Fatalf("mutation %d: %v", i, err)
		}
	}
	if inner.total() != 0 {
		t.Fatalf("inner was called: %v", inner.calls)
	}
	if r, err := a.GetResource(context.Background(), "7"); err != nil || r.ID != "7" {
		t.Fatalf("GetResource: %v", err)
	}
	if ev, err := a.Events(context.Background(), "7"); err != nil || len(ev) != 1 {
		t.Fatalf("Events: %v", err)
	}
	if rp, err := p.ListResources(context.Background(), 1, Filter{}); err != nil || rp.Total != 1 {
		t.Fatal("reads must pass through")
	}

	// Over a provider without Actions: still refuses mutations, and the
	// reads that need Actions say unsupported.
	a = ReadOnly(reader{}).(Actions)
	if _, err := a.TakeSnapshot(context.Background(), "1", model.SnapshotRequest{Label: "x"}); KindOf(err) != ErrReadOnly {
		t.Fatalf("snapshot: %v", err)
	}
	if _, err := a.Events(context.Background(), "1"); KindOf(err) != ErrUnsupported {
		t.Fatalf("events: %v", err)
	}
	if _, err := a.GetResource(context.Background(), "1"); KindOf(err) != ErrUnsupported {
		t.Fatalf("get: %v", err)
	}
}

// outcomes are the outcome lines of an audit log, each checked to follow
// the "sent" line of its attempt (when it was sent at all).
func outcomes(t *testing.T, lines []map[string]any) []map[string]any {
	t.Helper()
	sent := map[any]map[string]any{}
	var out []map[string]any
	for _, l := range lines {
		if l["outcome"] == "sent" {
			sent[l["attempt"]] = l
			continue
		}
		if id := l["attempt"]; id != nil {
			if s := sent[id]; s == nil || s["action"] != l["action"] || s["resource"] != l["resource"] {
				t.Fatalf("outcome without its sent line: %v", l)
			}
			delete(sent, id)
		}
		out = append(out, l)
	}
	if len(sent) > 0 {
		t.Fatalf("sent without an outcome: %v", sent)
	}
	return out
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestAudited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "snapdeck", "audit.log")
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if log.Path() != path {
		t.Fatal(log.Path())
	}
	inner := &fake{}
	p := Audited(inner, log, "work")
	a := p.(Actions)
	for i, err := range mutateAll(a) {
		if err != nil {
			t.Fatalf("mutation %d: %v", i, err)
		}
	}
	// Reads are not logged.
	_, _ = a.Events(context.Background(), "1")
	_, _ = a.GetResource(context.Background(), "1")
	inner.err = &Error{Kind: ErrTimeout}
	if err := a.EnableBackups(context.Background(), "5"); KindOf(err) != ErrTimeout {
		t.Fatal(err)
	}
	inner.err = &Error{Kind: ErrInvalid, Status: 400, Reasons: []string{"Backups are not enabled for this Linode."}}
	_ = a.CancelBackups(context.Background(), "5")

	all := readLines(t, path)
	lines := outcomes(t, all)
	if len(lines) != 7 || len(all) != 14 {
		t.Fatalf("%d outcome lines of %d", len(lines), len(all))
	}
	want := []string{"snapshot", "restore", "enable_backups", "cancel_backups", "set_schedule", "enable_backups", "cancel_backups"}
	for i, l := range lines {
		if l["action"] != want[i] || l["account"] != "work" || l["provider"] != "fake" || l["resource"] == "" {
			t.Fatalf("line %d: %v", i, l)
		}
		ts, err := time.Parse(time.RFC3339Nano, l["time"].(string))
		if err != nil || ts.Location() != time.UTC || time.Since(ts) > time.Minute {
			t.Fatalf("time %v: %v", l["time"], err)
		}
	}
	if l := lines[0]; l["label"] != "snap" || l["backup"] != "b-snap" || l["outcome"] != "ok" || l["error"] != nil {
		t.Errorf("snapshot: %v", l)
	}
	if l := lines[1]; l["backup"] != "9" || l["target"] != "2" || l["overwrite"] != true || l["label"] != nil {
		t.Errorf("restore: %v", l)
	}
	if s, _ := lines[4]["schedule"].(map[string]any); s["day"] != "Monday" || s["window"] != "W10" {
		t.Errorf("schedule: %v", lines[4])
	}
	if l := lines[5]; l["outcome"] != "error" || l["error"] != "timed out" || l["uncertain"] != true {
		t.Errorf("timeout: %v", l)
	}
	if l := lines[6]; l["outcome"] != "error" || !strings.Contains(l["error"].(string), "not enabled") || l["uncertain"] != nil {
		t.Errorf("refused by the API: %v", l)
	}
	fi, _ := os.Stat(path)
	di, _ := os.Stat(filepath.Dir(path))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("modes: %v %v", fi.Mode(), di.Mode())
	}
}

func TestAuditedReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	inner := &fake{}
	p := Audited(ReadOnly(inner), log, "ops")
	if !IsReadOnly(p) {
		t.Fatal("Audited hides read-only")
	}
	for _, err := range mutateAll(p.(Actions)) {
		if KindOf(err) != ErrReadOnly {
			t.Fatal(err)
		}
	}
	if inner.total() != 0 {
		t.Fatal("inner was called")
	}
	lines := readLines(t, path)
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if l["outcome"] != "refused" || !strings.Contains(l["error"].(string), "read-only") {
			t.Fatalf("not refused: %v", l)
		}
	}
	// Without Actions underneath: logged as an error, not silently dropped.
	p = Audited(reader{}, log, "ops")
	if err := p.(Actions).EnableBackups(context.Background(), "1"); KindOf(err) != ErrUnsupported {
		t.Fatal(err)
	}
	if l := readLines(t, path); len(l) != 6 || l[5]["outcome"] != "error" {
		t.Fatalf("unsupported: %v", l[len(l)-1])
	}
	if Audited(inner, nil, "x") != Provider(inner) {
		t.Fatal("a nil log must leave p unwrapped")
	}
}

func TestAuditConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	a := Audited(&fake{}, log, "c").(Actions)
	long := strings.Repeat("x", 4000)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = a.TakeSnapshot(context.Background(), strconv.Itoa(i), model.SnapshotRequest{Label: long})
		}()
	}
	wg.Wait()
	if err := log.Close(); err != nil || log.Err() != nil {
		t.Fatal(err, log.Err())
	}
	if n := len(outcomes(t, readLines(t, path))); n != 50 {
		t.Fatalf("%d outcome lines", n)
	}
	// After Close, writes fail and Err says so.
	_ = a.EnableBackups(context.Background(), "1")
	if log.Err() == nil {
		t.Fatal("write after close not reported")
	}
}

func TestOpenAuditLogRefuses(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.log")
	if err := os.WriteFile(open, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenAuditLog(open); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("0644: %v", err)
	}
	if _, err := OpenAuditLog(dir); err == nil {
		t.Fatal("a directory was accepted")
	}
	link := filepath.Join(dir, "link.log")
	if err := os.Symlink(open, link); err == nil {
		if _, err := OpenAuditLog(link); err == nil {
			t.Fatal("a symlink was accepted")
		}
	}
	if _, err := OpenAuditLog(""); err == nil {
		t.Fatal("empty path accepted")
	}
	// An existing private file is appended to, not truncated.
	_ = os.Chmod(open, 0o600)
	log, err := OpenAuditLog(open)
	if err != nil {
		t.Fatal(err)
	}
	_ = Audited(&fake{}, log, "a").(Actions).EnableBackups(context.Background(), "1")
	_ = log.Close()
	if b, _ := os.ReadFile(open); !strings.HasPrefix(string(b), "old\n{") {
		t.Fatalf("content: %q", b)
	}
}

func TestDefaultAuditPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if p := DefaultAuditPath(); p != "/xdg/state/snapdeck/audit.log" {
		t.Fatal(p)
	}
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/op")
	if p := DefaultAuditPath(); p != "/home/op/.local/state/snapdeck/audit.log" {
		t.Fatal(p)
	}
}

type diskFake struct{ reader }

func (diskFake) Disks(context.Context, string) ([]model.Disk, error) {
	return []model.Disk{{ID: "7", Label: "data"}}, nil
}

// TestDecoratorsPassDisksThrough: the disk choice survives --read-only and
// the audit log, and a provider without disks says so.
func TestDecoratorsPassDisksThrough(t *testing.T) {
	log, err := OpenAuditLog(filepath.Join(t.TempDir(), "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	p := Audited(ReadOnly(diskFake{}), log, "acct")
	d, err := p.(DiskLister).Disks(context.Background(), "1")
	if err != nil || len(d) != 1 || d[0].ID != "7" {
		t.Fatalf("disks through the decorators: %v %v", d, err)
	}
	_, err = Audited(reader{}, log, "acct").(DiskLister).Disks(context.Background(), "1")
	if KindOf(err) != ErrUnsupported {
		t.Fatalf("a provider without disks: %v", err)
	}
}
