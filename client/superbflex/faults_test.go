package superbflex

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simsf "github.com/snapdeck/snapdeck/sim/superbflex"
)

// call is one use of the adapter against the demo fleet.
type call struct {
	name  string
	write bool // the call ends in a mutation
	run   func(ctx context.Context, e *env) error
	// missing runs it against a VM or backup that does not exist.
	missing func(ctx context.Context, e *env) error
}

func vmOf(e *env, label string) *simsf.VM {
	for _, vm := range e.f.VMs {
		if vm.Label == label {
			return vm
		}
	}
	panic(label)
}

// calls covers every endpoint the adapter uses.
func calls() []call {
	last := func(vm *simsf.VM) string { return sid(vm.Backups[len(vm.Backups)-1].ID) }
	return []call{
		{name: "ListResources", run: func(ctx context.Context, e *env) error {
			_, err := e.p.ListResources(ctx, 1, client.Filter{})
			return err
		}},
		{name: "GetResource", run: func(ctx context.Context, e *env) error {
			_, err := e.p.GetResource(ctx, sid(vmOf(e, "web-01").ID))
			return err
		}, missing: func(ctx context.Context, e *env) error { _, err := e.p.GetResource(ctx, "99999"); return err }},
		{name: "Disks", run: func(ctx context.Context, e *env) error {
			_, err := e.p.Disks(ctx, sid(vmOf(e, "web-01").ID))
			return err
		}, missing: func(ctx context.Context, e *env) error { _, err := e.p.Disks(ctx, "99999"); return err }},
		{name: "ListBackups", run: func(ctx context.Context, e *env) error {
			_, err := e.p.ListBackups(ctx, sid(vmOf(e, "web-01").ID))
			return err
		}, missing: func(ctx context.Context, e *env) error { _, err := e.p.ListBackups(ctx, "99999"); return err }},
		{name: "GetBackup", run: func(ctx context.Context, e *env) error {
			vm := vmOf(e, "web-01")
			_, err := e.p.GetBackup(ctx, sid(vm.ID), last(vm))
			return err
		}, missing: func(ctx context.Context, e *env) error {
			_, err := e.p.GetBackup(ctx, sid(vmOf(e, "web-01").ID), "99999")
			return err
		}},
		{name: "TakeSnapshot/incremental", write: true, run: func(ctx context.Context, e *env) error {
			_, err := e.p.TakeSnapshot(ctx, sid(vmOf(e, "db-master").ID), model.SnapshotRequest{Label: "x"})
			return err
		}, missing: func(ctx context.Context, e *env) error {
			_, err := e.p.TakeSnapshot(ctx, "99999", model.SnapshotRequest{})
			return err
		}},
		{name: "TakeSnapshot/disk", write: true, run: func(ctx context.Context, e *env) error {
			vm := vmOf(e, "web-01")
			_, err := e.p.TakeSnapshot(ctx, sid(vm.ID), model.SnapshotRequest{DiskID: sid(vm.Disks[0].ID)})
			return err
		}, missing: func(ctx context.Context, e *env) error {
			_, err := e.p.TakeSnapshot(ctx, "99999", model.SnapshotRequest{DiskID: "1"})
			return err
		}},
		{name: "RestoreBackup", write: true, run: func(ctx context.Context, e *env) error {
			vm := vmOf(e, "web-01")
			return e.p.RestoreBackup(ctx, sid(vm.ID), last(vm), sid(vm.ID), true)
		}, missing: func(ctx context.Context, e *env) error {
			vm := vmOf(e, "web-01")
			return e.p.RestoreBackup(ctx, sid(vm.ID), "99999", sid(vm.ID), true)
		}},
		{name: "DeleteBackup", write: true, run: func(ctx context.Context, e *env) error {
			vm := vmOf(e, "web-01")
			return e.p.DeleteBackup(ctx, sid(vm.ID), last(vm))
		}, missing: func(ctx context.Context, e *env) error {
			return e.p.DeleteBackup(ctx, sid(vmOf(e, "web-01").ID), "99999")
		}},
		{name: "SetNote", write: true, run: func(ctx context.Context, e *env) error {
			vm := vmOf(e, "web-01")
			return e.p.SetNote(ctx, sid(vm.ID), last(vm), "checked")
		}, missing: func(ctx context.Context, e *env) error {
			return e.p.SetNote(ctx, sid(vmOf(e, "web-01").ID), "99999", "x")
		}},
	}
}

func notGET(r *http.Request) bool { return r.Method != http.MethodGet }

func TestEveryCallSucceeds(t *testing.T) {
	for _, c := range calls() {
		e := setup(t, simsf.Options{}, Config{}, nil)
		if err := c.run(context.Background(), e); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if w := e.writes.Load(); (w == 1) != c.write || w > 1 {
			t.Fatalf("%s: %d writes", c.name, w)
		}
	}
}

func TestUnauthorized(t *testing.T) {
	for _, c := range calls() {
		e := setup(t, simsf.Options{}, Config{User: user, Password: password + "-old"}, nil)
		err := c.run(context.Background(), e)
		ce := wantKind(t, err, client.ErrAuth)
		if ce.Status != 401 || len(ce.Reasons) != 1 || ce.Reasons[0] != "Access denied" {
			t.Fatalf("%s: %+v", c.name, ce)
		}
		if strings.Contains(err.Error(), password) {
			t.Fatalf("%s: password leaked", c.name)
		}
		if e.s.Mutations() != 0 {
			t.Fatalf("%s: a mutation ran", c.name)
		}
	}
}

func TestNotFound(t *testing.T) {
	for _, c := range calls() {
		if c.missing == nil {
			continue
		}
		e := setup(t, simsf.Options{}, Config{}, nil)
		wantKind(t, c.missing(context.Background(), e), client.ErrNotFound)
		// Only a backup of a whole VM has no read before it to find out.
		if c.name != "TakeSnapshot/incremental" && e.writes.Load() != 0 {
			t.Fatalf("%s: a write was sent", c.name)
		}
	}
}

// A 429 is retried for a read (after Retry-After, here capped short) and
// reported with its wait when retries run out; a write is never retried.
func TestRateLimited(t *testing.T) {
	body := `{"errors":["Too many requests"]}`
	for _, c := range calls() {
		e := setup(t, simsf.Options{}, Config{Transport: client.Transport{MaxRetryWait: 5 * time.Millisecond}}, nil)
		ctx := context.Background()
		if !c.write {
			e.s.FailNext(1, http.StatusTooManyRequests, body)
			before := e.s.Requests()
			if err := c.run(ctx, e); err != nil {
				t.Fatalf("%s after one 429: %v", c.name, err)
			}
			// ListResources and GetResource (the VM, then its backups'
			// dates) read more than once.
			if c.name != "ListResources" && c.name != "GetResource" && e.s.Requests()-before != 2 {
				t.Fatalf("%s: %d requests", c.name, e.s.Requests()-before)
			}
			e.s.FailNext(10, http.StatusTooManyRequests, body)
			err := c.run(ctx, e)
			e.s.FailNext(0, 0, "")
			if ce := wantKind(t, err, client.ErrRateLimited); ce.RetryAfter != time.Second || ce.Reasons[0] != "Too many requests" {
				t.Fatalf("%s: %+v", c.name, ce)
			}
			continue
		}
		e.s.SetFaults(sim.Faults{Next: sim.Burst(sim.Fault429, 3), Match: notGET, RetryAfter: 2 * time.Second})
		err := c.run(ctx, e)
		if ce := wantKind(t, err, client.ErrRateLimited); ce.RetryAfter != 2*time.Second {
			t.Fatalf("%s: %+v", c.name, ce)
		}
		if e.writes.Load() != 1 || e.s.Mutations() != 0 {
			t.Fatalf("%s: %d writes, %d mutations", c.name, e.writes.Load(), e.s.Mutations())
		}
	}
}

// The simulator's own fixed-window limit: Retry-After says when it opens.
func TestRateLimitWindow(t *testing.T) {
	e := setup(t, simsf.Options{Options: sim.Options{RateLimit: 1, RateWindow: 20 * time.Second}}, Config{Transport: client.Transport{Retries: -1}}, nil)
	ctx := context.Background()
	if _, err := e.p.GetResource(ctx, sid(vmOf(e, "web-01").ID)); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(5 * time.Second)
	_, err := e.p.GetResource(ctx, sid(vmOf(e, "web-01").ID))
	if ce := wantKind(t, err, client.ErrRateLimited); ce.RetryAfter != 15*time.Second || ce.Status != 429 {
		t.Fatalf("%+v", ce)
	}
	e.clock.Set(20 * time.Second)
	if _, err := e.p.GetResource(ctx, sid(vmOf(e, "web-01").ID)); err != nil {
		t.Fatal(err)
	}
}

func TestMalformed(t *testing.T) {
	for _, c := range calls() {
		for _, body := range []string{`[{"virtual_machine": {"id": 1`, `<html><body>Maintenance</body></html>`, `{"errors": 1`} {
			e := setup(t, simsf.Options{}, Config{}, nil)
			// The first request gets it: a write's own request for a backup
			// of the whole VM, the read before it otherwise.
			e.s.FailNext(1, http.StatusOK, body)
			if c.name == "TakeSnapshot/incremental" {
				e.s.FailNext(1, http.StatusCreated, body)
			}
			err := c.run(context.Background(), e)
			wantKind(t, err, client.ErrMalformed)
			if c.name != "TakeSnapshot/incremental" && e.s.Mutations() != 0 {
				t.Fatalf("%s: went on after an unreadable read", c.name)
			}
		}
	}
	// Valid JSON of the wrong shape is as unreadable.
	for _, c := range calls() {
		if c.write {
			continue
		}
		for _, f := range []sim.Fault{sim.FaultWrongTypes, sim.FaultMissing, sim.FaultTruncated} {
			e := setup(t, simsf.Options{}, Config{}, nil)
			e.s.SetFaults(sim.Faults{Next: []sim.Fault{f}})
			wantKind(t, c.run(context.Background(), e), client.ErrMalformed)
		}
	}
	// A write whose reply is unreadable was still made, once.
	e := setup(t, simsf.Options{}, Config{}, nil)
	e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultTruncated}, Match: notGET})
	_, err := e.p.TakeSnapshot(context.Background(), sid(vmOf(e, "web-01").ID), model.SnapshotRequest{DiskID: sid(vmOf(e, "web-01").Disks[0].ID)})
	if !client.Uncertain(wantKind(t, err, client.ErrMalformed)) || e.s.Mutations() != 1 || e.writes.Load() != 1 {
		t.Fatalf("%v: %d mutations", err, e.s.Mutations())
	}
}

func TestTimeout(t *testing.T) {
	for _, c := range calls() {
		e := setup(t, simsf.Options{}, Config{Transport: client.Transport{Timeout: 50 * time.Millisecond, Retries: -1}}, nil)
		if c.write {
			e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultHang}, Match: notGET})
		} else {
			e.s.HangNext(1)
		}
		start := time.Now()
		err := c.run(context.Background(), e)
		wantKind(t, err, client.ErrTimeout)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%s: took %s", c.name, d)
		}
		if c.write && (e.writes.Load() != 1 || e.s.Mutations() != 0) {
			t.Fatalf("%s: %d writes", c.name, e.writes.Load())
		}
	}
	// The caller's deadline also ends a read that is being retried.
	e := setup(t, simsf.Options{}, Config{Transport: client.Transport{RetryWait: time.Second}}, nil)
	e.s.FailNext(10, http.StatusServiceUnavailable, `{"errors":["Service Unavailable"]}`)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.p.ListBackups(ctx, sid(vmOf(e, "web-01").ID))
	if k := client.KindOf(err); k != client.ErrServer && k != client.ErrTimeout {
		t.Fatalf("%v", err)
	}
}

// A write whose reply is lost (a 500 or a dropped connection after the
// change was made) is reported, never sent again.
func TestLostReplySentOnce(t *testing.T) {
	for _, c := range calls() {
		if !c.write {
			continue
		}
		for _, f := range []sim.Fault{sim.FaultLost500, sim.FaultLostReset} {
			e := setup(t, simsf.Options{}, Config{Transport: client.Transport{Retries: 3}}, nil)
			e.s.SetFaults(sim.Faults{Next: []sim.Fault{f}, Match: notGET})
			err := c.run(context.Background(), e)
			if err == nil || !client.Uncertain(err) {
				t.Fatalf("%s %s: %v", c.name, f, err)
			}
			if e.writes.Load() != 1 || e.s.Mutations() != 1 {
				t.Fatalf("%s %s: %d writes, %d mutations", c.name, f, e.writes.Load(), e.s.Mutations())
			}
		}
	}
	// The change was made: the backup exists though the reply was lost.
	e := setup(t, simsf.Options{}, Config{}, nil)
	db := vmOf(e, "db-master")
	n := len(db.Backups)
	e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultLost500}, Match: notGET})
	_, err := e.p.TakeSnapshot(context.Background(), sid(db.ID), model.SnapshotRequest{})
	wantKind(t, err, client.ErrServer)
	if got := mustList(t, e, sid(db.ID)); len(got) != n+1 {
		t.Fatalf("%d backups", len(got))
	}
}

// Writes are not retried after a 5xx either.
func TestWritesNotRetried(t *testing.T) {
	for _, c := range calls() {
		if !c.write {
			continue
		}
		for _, f := range []sim.Fault{sim.Fault500, sim.Fault502, sim.Fault503, sim.FaultHTML, sim.FaultReset} {
			e := setup(t, simsf.Options{}, Config{Transport: client.Transport{Retries: 3}}, nil)
			e.s.SetFaults(sim.Faults{Next: sim.Burst(f, 5), Match: notGET})
			err := c.run(context.Background(), e)
			if err == nil || !client.Uncertain(err) {
				t.Fatalf("%s %s: %v", c.name, f, err)
			}
			if e.writes.Load() != 1 || e.s.Mutations() != 0 {
				t.Fatalf("%s %s: %d writes", c.name, f, e.writes.Load())
			}
		}
	}
}

// Reads ride out transient failures.
func TestReadsRetried(t *testing.T) {
	for _, c := range calls() {
		if c.write {
			continue
		}
		e := setup(t, simsf.Options{}, Config{Transport: client.Transport{Retries: 3}}, nil)
		e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault502, sim.FaultReset, sim.FaultHTML}})
		if err := c.run(context.Background(), e); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
}

func TestReasons(t *testing.T) {
	for body, want := range map[string][]string{
		`{"errors":["Resource not found"]}`:                                        {"Resource not found"},
		`{"errors":{"base":["Backup is locked"]}}`:                                 {"Backup is locked"},
		`{"errors":{"note":["is too long"],"base":["Nope"],"disk_id":"is wrong"}}`: {"Nope", "[disk_id] is wrong", "[note] is too long"},
		`{"error":"You need to sign in or sign up before continuing."}`:            {"You need to sign in or sign up before continuing."},
		`{"errors":null}`: nil,
		`not json`:        nil,
		`{"errors":7}`:    nil,
	} {
		got := reasons(422, []byte(body))
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}

// TestBackupSizeField: the detail's Backup size is written as every size
// is (format.Size, binary units) beside OnApp's own kB, and a built backup
// of size 0 is unknown, not "0 B".
func TestBackupSizeField(t *testing.T) {
	for kb, want := range map[int64]string{0: "— (0 kB)", 1: "1 KiB (1 kB)", 930584: "909 MiB (930584 kB)", 5 << 30: "5 TiB (5368709120 kB)"} {
		got := ""
		for _, f := range fields(&backupWire{Built: true, BackupSize: kb}) {
			if f.Name == "Backup size" {
				got = f.Value
			}
		}
		if got != want {
			t.Errorf("%d kB: Backup size %q, want %q", kb, got, want)
		}
	}
}
