package linode

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = now.Add(d)
}

// actionFleet is the demo plus a spare Linode next to web-prod-01 with room
// for its snapshot.
func actionFleet() (f *simlinode.Fleet, web, spare *simlinode.Instance) {
	f = simlinode.Demo(now)
	spare = &simlinode.Instance{ID: 7001, Label: "spare", Region: "us-east", Type: "g6-standard-2", Status: "offline",
		Specs: simlinode.Specs{Disk: 81920}, Disks: []simlinode.Disk{{Label: "Old", SizeMB: 40000, Filesystem: "ext4"}}}
	f.Instances = append(f.Instances, spare)
	return f, f.Instances[0], spare
}

func id(in *simlinode.Instance) string { return strconv.Itoa(in.ID) }

func TestActions(t *testing.T) {
	c := &fakeClock{t: now}
	f, web, spare := actionFleet()
	db, legacy := f.Instances[1], f.Instances[2]
	s, p := setup(t, f, simlinode.Options{Options: sim.Options{Now: c.Now}, SnapshotTime: 10 * time.Second, RestoreTime: 8 * time.Second}, Config{})
	ctx := context.Background()

	r, err := p.GetResource(ctx, id(web))
	if err != nil || r.Label != "web-prod-01" || !r.BackupsEnabled || r.DiskMB != 163840 {
		t.Fatalf("get: %+v %v", r, err)
	}
	_, err = p.GetResource(ctx, "1")
	wantKind(t, err, client.ErrNotFound)

	// Snapshot: in progress at once, current when done.
	b, err := p.TakeSnapshot(ctx, id(web), model.SnapshotRequest{Label: "before-upgrade"})
	if err != nil || b.Slot != model.SlotInProgress || b.Kind != model.BackupSnapshot || b.Status != model.StatusPending ||
		b.Label != "before-upgrade" || b.ResourceID != id(web) || len(b.Disks) != 2 || !b.Finished.IsZero() {
		t.Fatalf("snapshot: %+v %v", b, err)
	}
	c.Set(4 * time.Second)
	ev, err := p.Events(ctx, id(web))
	if err != nil || len(ev) != 1 || ev[0].Action != "linode_snapshot" || ev[0].Status != "started" || ev[0].Percent != 40 ||
		ev[0].EntityID != id(web) || ev[0].EntityLabel != "web-prod-01" || ev[0].SecondaryID != "" || ev[0].Done() || !ev[0].Created.Equal(now) ||
		ev[0].Kind != model.EventSnapshot || ev[0].Phase != model.StatusRunning {
		t.Fatalf("events at 40%%: %+v %v", ev, err)
	}
	_, err = p.TakeSnapshot(ctx, id(web), model.SnapshotRequest{Label: "again"})
	if e := wantKind(t, err, client.ErrInvalid); e.Status != 400 || len(e.Reasons) != 1 || e.Reasons[0] != "A snapshot is already in progress for this Linode." {
		t.Fatalf("in progress: %+v", e)
	}
	c.Set(10 * time.Second)
	bs, err := p.ListBackups(ctx, id(web))
	st := model.Summarise(bs)
	if err != nil || st.InProgress != nil || st.Current == nil || st.Current.ID != b.ID || st.Current.Status != model.StatusSuccessful {
		t.Fatalf("after: %+v %v", st, err)
	}
	if ev, _ := p.Events(ctx, id(web)); !ev[0].Done() || ev[0].Percent != 100 || ev[0].Phase != model.StatusSuccessful {
		t.Fatalf("event done: %+v", ev[0])
	}

	// Restore the new snapshot onto the spare: the target's Events show it.
	if err := p.RestoreBackup(ctx, id(web), b.ID, id(spare), false); err != nil {
		t.Fatal(err)
	}
	c.Set(14 * time.Second)
	r, _ = p.GetResource(ctx, id(spare))
	ev, err = p.Events(ctx, id(spare))
	if err != nil || r.Status != "restoring" || len(ev) != 1 || ev[0].Action != "backups_restore" || ev[0].Kind != model.EventRestore || ev[0].EntityID != id(web) ||
		ev[0].SecondaryID != id(spare) || ev[0].Percent != 50 || ev[0].Status != "started" {
		t.Fatalf("restore at 50%%: %s %+v %v", r.Status, ev, err)
	}
	if ev, _ := p.Events(ctx, id(web)); len(ev) != 2 || ev[0].Action != "backups_restore" || ev[1].Action != "linode_snapshot" {
		t.Fatalf("source events: %+v", ev)
	}
	c.Set(20 * time.Second)
	if ev, _ := p.Events(ctx, id(spare)); !ev[0].Done() {
		t.Fatalf("restore done: %+v", ev[0])
	}
	if in, _ := s.Instance(spare.ID); in.Status != "offline" || len(in.Disks) != 3 {
		t.Fatalf("spare after restore: %+v", in)
	}

	// Refusals keep the API's reasons, field-prefixed.
	err = p.RestoreBackup(ctx, id(web), b.ID, id(db), true)
	if e := wantKind(t, err, client.ErrInvalid); e.Reasons[0] != "[linode_id] Linode must be in the same region as the source Linode." {
		t.Fatalf("region: %q", e.Reasons)
	}
	err = p.RestoreBackup(ctx, id(web), b.ID, id(spare), false)
	if e := wantKind(t, err, client.ErrInvalid); !strings.HasPrefix(e.Reasons[0], "[overwrite] Insufficient free space on the target Linode") {
		t.Fatalf("space: %q", e.Reasons)
	}
	err = p.RestoreBackup(ctx, id(web), b.ID, "424242", true)
	wantKind(t, err, client.ErrInvalid)
	err = p.RestoreBackup(ctx, id(web), "1", id(spare), true)
	wantKind(t, err, client.ErrNotFound)
	_, err = p.TakeSnapshot(ctx, id(legacy), model.SnapshotRequest{Label: "x"})
	if e := wantKind(t, err, client.ErrInvalid); e.Reasons[0] != "Backups are not enabled for this Linode." {
		t.Fatalf("disabled: %q", e.Reasons)
	}

	// Schedule, enable, cancel.
	r, err = p.SetSchedule(ctx, id(web), model.Schedule{Day: "Monday", Window: "W10"})
	if err != nil || r.Schedule != (model.Schedule{Day: "Monday", Window: "W10"}) || r.Label != "web-prod-01" {
		t.Fatalf("schedule: %+v %v", r, err)
	}
	if err := p.EnableBackups(ctx, id(legacy)); err != nil {
		t.Fatal(err)
	}
	if r, _ := p.GetResource(ctx, id(legacy)); !r.BackupsEnabled {
		t.Fatal("not enabled")
	}
	if err := p.CancelBackups(ctx, id(web)); err != nil {
		t.Fatal(err)
	}
	if bs, _ := p.ListBackups(ctx, id(web)); len(bs) != 0 {
		t.Fatalf("after cancel: %+v", bs)
	}
	if r, _ := p.GetResource(ctx, id(web)); r.BackupsEnabled || !r.LastSuccessful.IsZero() {
		t.Fatalf("after cancel: %+v", r)
	}

	// Checked here first: nothing is sent.
	before := s.Requests()
	_, err = p.TakeSnapshot(ctx, id(legacy), model.SnapshotRequest{Label: strings.Repeat("x", 256)})
	wantKind(t, err, client.ErrInvalid)
	_, err = p.SetSchedule(ctx, id(web), model.Schedule{Day: "Funday", Window: "W10"})
	wantKind(t, err, client.ErrInvalid)
	err = p.RestoreBackup(ctx, "web", "1", "2", false)
	wantKind(t, err, client.ErrNotFound)
	if s.Requests() != before {
		t.Fatal("invalid input reached the API")
	}
}

// Every mutation is sent exactly once, whatever the answer: a 429 or 5xx
// may come from a proxy after the change was made.
func TestMutationsNotRetried(t *testing.T) {
	f, web, spare := actionFleet()
	s, p := setup(t, f, simlinode.Options{}, Config{Transport: client.Transport{Retries: 3}})
	ctx := context.Background()
	calls := map[string]func() error{
		"snapshot": func() error { _, err := p.TakeSnapshot(ctx, id(web), model.SnapshotRequest{Label: "x"}); return err },
		"restore":  func() error { return p.RestoreBackup(ctx, id(web), strconv.Itoa(web.Current.ID), id(spare), false) },
		"enable":   func() error { return p.EnableBackups(ctx, id(web)) },
		"cancel":   func() error { return p.CancelBackups(ctx, id(web)) },
		"schedule": func() error {
			_, err := p.SetSchedule(ctx, id(web), model.Schedule{Day: "Monday", Window: "W2"})
			return err
		},
	}
	for name, call := range calls {
		for _, status := range []int{http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusBadGateway} {
			s.FailNext(5, status, `{"errors":[{"reason":"Please try again"}]}`)
			before := s.Requests()
			err := call()
			if n := s.Requests() - before; n != 1 {
				t.Fatalf("%s after %d: %d requests", name, status, n)
			}
			s.FailNext(0, 0, "")
			e := wantKind(t, err, map[int]client.ErrorKind{429: client.ErrRateLimited, 503: client.ErrServer, 502: client.ErrServer}[status])
			if status == 429 && e.RetryAfter != time.Second {
				t.Fatalf("%s: Retry-After %s", name, e.RetryAfter)
			}
		}
	}
	if s.Mutations() != 0 {
		t.Fatalf("faulted requests reached a handler: %d", s.Mutations())
	}
	if in, _ := s.Instance(web.ID); in.InProgress != nil || !in.BackupsEnabled || in.ScheduleDay == "Monday" {
		t.Fatalf("state changed: %+v", in)
	}

	// "Linode busy." is one of linodego's own retry conditions; a read
	// would retry it, a mutation must not.
	if err := p.RestoreBackup(ctx, id(web), strconv.Itoa(web.Current.ID), id(spare), false); err != nil {
		t.Fatal(err)
	}
	err := p.RestoreBackup(ctx, id(web), strconv.Itoa(web.Current.ID), id(spare), true)
	if e := wantKind(t, err, client.ErrInvalid); e.Reasons[0] != "Linode busy." {
		t.Fatalf("busy: %v", err)
	}
	if s.Mutations() != 2 || s.MutationsTo("/restore") != 2 {
		t.Fatalf("mutations = %d", s.Mutations())
	}
}

// A reply lost to a timeout: the client says so, and the change happened
// exactly once.
func TestMutationTimeout(t *testing.T) {
	f, web, spare := actionFleet()
	s, p := setup(t, f, simlinode.Options{}, Config{Transport: client.Transport{Timeout: 200 * time.Millisecond}})
	ctx := context.Background()

	s.DelayNext(1, 5*time.Second)
	start := time.Now()
	_, err := p.TakeSnapshot(ctx, id(web), model.SnapshotRequest{Label: "lost-reply"})
	wantKind(t, err, client.ErrTimeout)
	if time.Since(start) > 3*time.Second {
		t.Fatal("timeout was not prompt")
	}
	if s.Requests() != 1 || s.Mutations() != 1 {
		t.Fatalf("requests %d mutations %d", s.Requests(), s.Mutations())
	}
	in, _ := s.Instance(web.ID)
	if in.InProgress == nil || in.InProgress.Label != "lost-reply" {
		t.Fatalf("snapshot not taken: %+v", in.InProgress)
	}
	// Re-reading shows it; sending again is refused, not doubled. The
	// read has the same short timeout, which a loaded -race run can miss:
	// try again, as a user's r would.
	bs, err := p.ListBackups(ctx, id(web))
	for try := 0; err != nil && try < 5; try++ {
		bs, err = p.ListBackups(ctx, id(web))
	}
	if err != nil {
		t.Fatalf("re-read: %v", err)
	}
	if st := model.Summarise(bs); st.InProgress == nil || st.InProgress.Label != "lost-reply" {
		t.Fatalf("re-read: %+v", st)
	}

	// The caller's deadline counts the same, on a reply that never comes.
	s.HangNext(1)
	dctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
	defer cancel()
	err = p.RestoreBackup(dctx, id(web), strconv.Itoa(web.Automatic[0].ID), id(spare), true)
	wantKind(t, err, client.ErrTimeout)
	if s.Mutations() != 1 || s.MutationsTo("/restore") != 0 {
		t.Fatalf("mutations %d", s.Mutations())
	}
	if in, _ := s.Instance(spare.ID); in.Status != "offline" {
		t.Fatalf("hung restore ran: %s", in.Status)
	}
}

// --read-only is enforced in the client layer: nothing reaches the API.
func TestReadOnlyClient(t *testing.T) {
	f, web, spare := actionFleet()
	s, p := setup(t, f, simlinode.Options{}, Config{})
	ro := client.ReadOnly(p)
	a, ok := ro.(client.Actions)
	if !ok || !client.IsReadOnly(ro) {
		t.Fatal("read-only provider lost Actions")
	}
	ctx := context.Background()
	_, e1 := a.TakeSnapshot(ctx, id(web), model.SnapshotRequest{Label: "x"})
	e2 := a.RestoreBackup(ctx, id(web), strconv.Itoa(web.Current.ID), id(spare), true)
	e3 := a.EnableBackups(ctx, id(web))
	e4 := a.CancelBackups(ctx, id(web))
	_, e5 := a.SetSchedule(ctx, id(web), model.Schedule{Day: "Monday", Window: "W2"})
	for i, err := range []error{e1, e2, e3, e4, e5} {
		if e := wantKind(t, err, client.ErrReadOnly); !strings.Contains(e.Error(), "--read-only") {
			t.Fatalf("%d: %v", i, err)
		}
	}
	if s.Requests() != 0 {
		t.Fatalf("%d requests reached the API", s.Requests())
	}
	// Reads still work.
	if _, err := a.Events(ctx, id(web)); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.ListBackups(ctx, id(web)); err != nil {
		t.Fatal(err)
	}
}

func TestAuditWithClient(t *testing.T) {
	f, web, _ := actionFleet()
	s, p := setup(t, f, simlinode.Options{}, Config{})
	path := filepath.Join(t.TempDir(), "snapdeck", "audit.log")
	log, err := client.OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := client.Audited(p, log, "personal").(client.Actions)
	if _, err := a.TakeSnapshot(ctx, id(web), model.SnapshotRequest{Label: "audited"}); err != nil {
		t.Fatal(err)
	}
	// An API reason that echoes the token is scrubbed before it is logged.
	s.FailNext(1, 400, `{"errors":[{"reason":"token `+token+` lacks linodes:read_write"}]}`)
	if err := a.CancelBackups(ctx, id(web)); err == nil {
		t.Fatal("expected an error")
	}
	ro := client.Audited(client.ReadOnly(p), log, "personal").(client.Actions)
	if err := ro.CancelBackups(ctx, id(web)); client.KindOf(err) != client.ErrReadOnly {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}

	raw, _ := os.ReadFile(path)
	if strings.Contains(string(raw), token) {
		t.Fatalf("token in audit log: %s", raw)
	}
	var lines []string // the outcome lines; the two sent ones precede theirs
	for _, l := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		if !strings.Contains(l, `"outcome":"sent"`) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 3 || strings.Count(string(raw), `"outcome":"sent"`) != 2 {
		t.Fatalf("%d lines: %s", len(lines), raw)
	}
	for i, want := range []string{
		`"account":"personal","provider":"linode","action":"snapshot","resource":"` + id(web) + `","backup":"`,
		`"outcome":"error","error":"request refused (HTTP 400): token [token] lacks`,
		`"action":"cancel_backups","resource":"` + id(web) + `","outcome":"refused"`,
	} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d: %s\nwant %s", i, lines[i], want)
		}
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	if s.Mutations() != 1 {
		t.Fatalf("mutations %d", s.Mutations())
	}
}
