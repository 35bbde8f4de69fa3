package superbflex

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	simsf "github.com/snapdeck/snapdeck/sim/superbflex"
)

func TestTakeSnapshot(t *testing.T) {
	e := setup(t, simsf.Options{JobTime: 10 * time.Second}, Config{}, nil)
	ctx := context.Background()
	db := e.vm(t, "db-master")

	// Incremental: the whole VM.
	b, err := e.p.TakeSnapshot(ctx, sid(db.ID), model.SnapshotRequest{Label: "before failover drill"})
	if err != nil || b.Slot != model.SlotInProgress || b.Status != model.StatusRunning || b.Kind != model.BackupSnapshot ||
		b.Type != "incremental" || b.Note != "before failover drill" || b.Label != b.Note || b.ResourceID != sid(db.ID) ||
		!b.Created.Equal(now) || !b.Finished.IsZero() {
		t.Fatalf("incremental: %+v %v", b, err)
	}
	if n := e.s.MutationsTo("/virtual_machines/" + sid(db.ID) + "/backups.json"); n != 1 {
		t.Fatalf("%d mutations", n)
	}
	e.clock.Set(10 * time.Second)
	got, err := e.p.GetBackup(ctx, sid(db.ID), b.ID)
	if err != nil || got.Status != model.StatusSuccessful || got.Slot != model.SlotCurrent || !got.Finished.Equal(now.Add(10*time.Second)) ||
		got.SizeBytes <= 0 {
		t.Fatalf("after the job time: %+v %v", got, err)
	}
	// The fixture's own backup in progress is still running.
	if st := model.Summarise(mustList(t, e, sid(db.ID))); st.InProgress == nil || st.Current == nil || st.Current.ID != b.ID {
		t.Fatalf("summary: %+v", st)
	}

	// Normal: one disk, no note.
	an := e.vm(t, "analytics-clickhouse-shard-2")
	data := an.Disks[2]
	b, err = e.p.TakeSnapshot(ctx, sid(an.ID), model.SnapshotRequest{DiskID: sid(data.ID)})
	if err != nil || b.Type != "normal" || b.Note != "" || b.Label != "disk "+sid(data.ID)+" backup "+b.ID || b.Slot != model.SlotInProgress ||
		fieldOf(b, "Target") != "disk "+sid(data.ID) {
		t.Fatalf("normal: %+v %v", b, err)
	}
	if n := e.s.MutationsTo("/settings/disks/" + sid(data.ID) + "/backups.json"); n != 1 {
		t.Fatalf("%d mutations", n)
	}

	// Refused by the API, with its reason.
	web := e.vm(t, "web-01")
	_, err = e.p.TakeSnapshot(ctx, sid(web.ID), model.SnapshotRequest{})
	// The 422 is explained: what it means and which disks to back up.
	if e := wantKind(t, err, client.ErrInvalid); e.Status != 422 || len(e.Reasons) != 2 ||
		e.Reasons[0] != "Incremental backups are not enabled for this virtual server" ||
		!strings.Contains(e.Reasons[1], "VM "+sid(web.ID)+" cannot take a backup of the whole VM") ||
		!strings.Contains(e.Reasons[1], "disk "+sid(web.Disks[0].ID)+" (primary)") || !strings.Contains(e.Reasons[1], "--disk") {
		t.Fatalf("%+v", e)
	}
	// The listing says which VMs can take a whole-VM backup.
	rs, err := e.p.ListResources(ctx, 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Items {
		if want := !e.vm(t, r.Label).Incremental; r.DisksOnly != want {
			t.Errorf("%s: DisksOnly %v, want %v", r.Label, r.DisksOnly, want)
		}
	}
	stg := e.vm(t, "staging-api")
	_, err = e.p.TakeSnapshot(ctx, sid(stg.ID), model.SnapshotRequest{DiskID: sid(stg.Disks[0].ID)})
	if e := wantKind(t, err, client.ErrInvalid); e.Reasons[0] != "Virtual server is locked, please try again later" {
		t.Fatalf("%+v", e)
	}
	_, err = e.p.TakeSnapshot(ctx, "9999", model.SnapshotRequest{})
	wantKind(t, err, client.ErrNotFound)

	// Refused here: nothing is sent, or only the read that checks the disk.
	mut := e.s.Mutations()
	for _, c := range []struct {
		vm   string
		req  model.SnapshotRequest
		kind client.ErrorKind
		want string
	}{
		{sid(web.ID), model.SnapshotRequest{Label: strings.Repeat("n", 256)}, client.ErrInvalid, "[note] note is 256 characters"},
		{sid(web.ID), model.SnapshotRequest{Label: "line\nbreak"}, client.ErrInvalid, "[note] a note is one line"},
		{sid(web.ID), model.SnapshotRequest{DiskID: "sda"}, client.ErrInvalid, "[disk] \"sda\" is not a disk ID"},
		{sid(web.ID), model.SnapshotRequest{DiskID: sid(data.ID)}, client.ErrInvalid, "[disk] disk " + sid(data.ID) + " is not a disk of VM " + sid(web.ID)},
		{sid(web.ID), model.SnapshotRequest{DiskID: sid(web.Disks[1].ID)}, client.ErrInvalid, "[disk] disk " + sid(web.Disks[1].ID) + " is a swap disk"},
		{"web-01", model.SnapshotRequest{}, client.ErrNotFound, "no VM has the ID"},
	} {
		_, err := e.p.TakeSnapshot(ctx, c.vm, c.req)
		if e := wantKind(t, err, c.kind); len(e.Reasons) != 1 || !strings.HasPrefix(e.Reasons[0], c.want) {
			t.Fatalf("%+v: %q", c.req, e.Reasons)
		}
	}
	if e.s.Mutations() != mut {
		t.Fatal("a refused backup reached the API")
	}
}

func mustList(t *testing.T, e *env, id string) []model.Backup {
	t.Helper()
	bs, err := e.p.ListBackups(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return bs
}

func TestRestoreBackup(t *testing.T) {
	e := setup(t, simsf.Options{JobTime: 8 * time.Second}, Config{}, nil)
	ctx := context.Background()
	web, db, stg := e.vm(t, "web-01"), e.vm(t, "db-master"), e.vm(t, "staging-api")
	id := sid(web.Backups[len(web.Backups)-1].ID)

	if err := e.p.RestoreBackup(ctx, sid(web.ID), id, sid(web.ID), true); err != nil {
		t.Fatal(err)
	}
	if n := e.s.MutationsTo("/backups/" + id + "/restore.json"); n != 1 {
		t.Fatalf("%d mutations", n)
	}
	e.clock.Set(4 * time.Second)
	if r, _ := e.p.GetResource(ctx, sid(web.ID)); r.Status != "locked" {
		t.Fatalf("during: %s", r.Status)
	}
	if b, _ := e.p.GetBackup(ctx, sid(web.ID), id); !b.Locked {
		t.Fatal("backup not locked")
	}
	e.clock.Set(8 * time.Second)
	if r, _ := e.p.GetResource(ctx, sid(web.ID)); r.Status != "running" {
		t.Fatalf("after: %s", r.Status)
	}
	if b, _ := e.p.GetBackup(ctx, sid(web.ID), id); b.Locked {
		t.Fatal("backup still locked")
	}

	// Refused here, before the restore is sent.
	mut := e.s.Mutations()
	running := sid(db.Backups[len(db.Backups)-1].ID)
	lockedID := ""
	for _, b := range stg.Backups {
		if b.LockedAt(now) {
			lockedID = sid(b.ID)
		}
	}
	for _, c := range []struct {
		vm, backup, target string
		overwrite          bool
		kind               client.ErrorKind
		want               string
	}{
		{sid(web.ID), id, sid(db.ID), true, client.ErrInvalid, "[target] Superb Flex Cloud restores a backup over its own VM only"},
		{sid(web.ID), id, sid(web.ID), false, client.ErrInvalid, "[overwrite] "},
		{sid(db.ID), running, sid(db.ID), true, client.ErrInvalid, "[backup] backup " + running + " is not built yet"},
		{sid(stg.ID), lockedID, sid(stg.ID), true, client.ErrInvalid, "[backup] backup " + lockedID + " is locked"},
		{sid(db.ID), id, sid(db.ID), true, client.ErrNotFound, "backup " + id + " is not a backup of VM " + sid(db.ID)},
		{sid(web.ID), sid(db.Backups[0].ID), sid(web.ID), true, client.ErrNotFound, "backup " + sid(db.Backups[0].ID) + " is not a backup of VM"},
		{sid(web.ID), "99999", sid(web.ID), true, client.ErrNotFound, "Resource not found"},
		{sid(web.ID), "x", sid(web.ID), true, client.ErrNotFound, "no backup has the ID"},
		{"x", id, "x", true, client.ErrNotFound, "no VM has the ID"},
	} {
		err := e.p.RestoreBackup(ctx, c.vm, c.backup, c.target, c.overwrite)
		if e := wantKind(t, err, c.kind); len(e.Reasons) != 1 || !strings.HasPrefix(e.Reasons[0], c.want) {
			t.Fatalf("%+v: %q", c, e.Reasons)
		}
	}
	if e.s.Mutations() != mut {
		t.Fatal("a refused restore reached the API")
	}

	// The API's own refusal still comes through: the VM is locked by a
	// restore of another of its backups.
	if err := e.p.RestoreBackup(ctx, sid(web.ID), id, sid(web.ID), true); err != nil {
		t.Fatal(err)
	}
	err := e.p.RestoreBackup(ctx, sid(web.ID), sid(web.Backups[0].ID), sid(web.ID), true)
	if e := wantKind(t, err, client.ErrInvalid); e.Status != 422 || e.Reasons[0] != "Virtual server is locked, please try again later" {
		t.Fatalf("%+v", e)
	}
}

func TestDeleteBackup(t *testing.T) {
	e := setup(t, simsf.Options{}, Config{}, nil)
	ctx := context.Background()
	web, db, stg := e.vm(t, "web-01"), e.vm(t, "db-master"), e.vm(t, "staging-api")

	// Locked or still being built: refused here with the reason.
	lockedID := ""
	for _, b := range stg.Backups {
		if b.LockedAt(now) {
			lockedID = sid(b.ID)
		}
	}
	running := sid(db.Backups[len(db.Backups)-1].ID)
	for _, c := range []struct{ vm, id, want string }{
		{sid(stg.ID), lockedID, "[backup] backup " + lockedID + " is locked: a restore or another task is using it"},
		{sid(db.ID), running, "[backup] backup " + running + " is still being built"},
	} {
		err := e.p.DeleteBackup(ctx, c.vm, c.id)
		if e := wantKind(t, err, client.ErrInvalid); len(e.Reasons) != 1 || e.Reasons[0] != c.want {
			t.Fatalf("%q", e.Reasons)
		}
	}
	err := e.p.DeleteBackup(ctx, sid(db.ID), sid(web.Backups[0].ID))
	wantKind(t, err, client.ErrNotFound)
	if e.s.Mutations() != 0 {
		t.Fatalf("%d mutations", e.s.Mutations())
	}

	id := sid(web.Backups[0].ID)
	if err := e.p.DeleteBackup(ctx, sid(web.ID), id); err != nil {
		t.Fatal(err)
	}
	if e.s.Mutations() != 1 {
		t.Fatalf("%d mutations", e.s.Mutations())
	}
	_, err = e.p.GetBackup(ctx, sid(web.ID), id)
	wantKind(t, err, client.ErrNotFound)
	err = e.p.DeleteBackup(ctx, sid(web.ID), id)
	wantKind(t, err, client.ErrNotFound)
	if len(mustList(t, e, sid(web.ID))) != 3 {
		t.Fatal("not deleted")
	}
}

func TestSetNote(t *testing.T) {
	e := setup(t, simsf.Options{}, Config{}, nil)
	ctx := context.Background()
	ci, web := e.vm(t, "ci-runner-03"), e.vm(t, "web-01")
	id := sid(ci.Backups[0].ID)
	if err := e.p.SetNote(ctx, sid(ci.ID), id, "golden image — keep"); err != nil {
		t.Fatal(err)
	}
	if b, _ := e.p.GetBackup(ctx, sid(ci.ID), id); b.Note != "golden image — keep" || b.Label != b.Note {
		t.Fatalf("%+v", b)
	}
	if err := e.p.SetNote(ctx, sid(ci.ID), id, ""); err != nil {
		t.Fatal(err)
	}
	if b, _ := e.p.GetBackup(ctx, sid(ci.ID), id); b.Note != "" || b.Label != "VM backup "+id {
		t.Fatalf("cleared: %+v", b)
	}
	if n := e.s.MutationsTo("/backups/" + id + ".json"); n != 2 {
		t.Fatalf("%d mutations", n)
	}
	before := e.s.Requests()
	err := e.p.SetNote(ctx, sid(ci.ID), id, strings.Repeat("é", 256))
	if e := wantKind(t, err, client.ErrInvalid); e.Reasons[0] != "[note] note is 256 characters; at most 255 are allowed" {
		t.Fatalf("%q", e.Reasons)
	}
	if e.s.Requests() != before {
		t.Fatal("an invalid note reached the API")
	}
	err = e.p.SetNote(ctx, sid(web.ID), id, "x")
	wantKind(t, err, client.ErrNotFound)
	err = e.p.SetNote(ctx, sid(ci.ID), "99999", "x")
	wantKind(t, err, client.ErrNotFound)
	if n := e.s.MutationsTo("/backups/" + id + ".json"); n != 2 {
		t.Fatalf("%d mutations", n)
	}
}

// TestGetResourceLastGoodAfterDiskBackup: a VM re-read after one of its
// disks was backed up says when, as the list does; before, a re-read wiped
// it, and the TUI said "last good never" where the CLI said "just now".
func TestGetResourceLastGoodAfterDiskBackup(t *testing.T) {
	e := setup(t, simsf.Options{JobTime: 10 * time.Second}, Config{}, nil)
	ctx := context.Background()
	web := e.vm(t, "web-01")
	before, err := e.p.GetResource(ctx, sid(web.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.TakeSnapshot(ctx, sid(web.ID), model.SnapshotRequest{DiskID: sid(web.Disks[0].ID)}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(10 * time.Second)
	r, err := e.p.GetResource(ctx, sid(web.ID))
	if err != nil || !r.LastSuccessful.Equal(now.Add(10*time.Second)) || !r.LastSuccessful.After(before.LastSuccessful) {
		t.Fatalf("after the disk backup: last good %v (before %v), %v", r.LastSuccessful, before.LastSuccessful, err)
	}
	page, err := e.p.ListResources(ctx, 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range page.Items {
		if x.ID == r.ID && !x.LastSuccessful.Equal(r.LastSuccessful) {
			t.Fatalf("the list says %v, the re-read %v", x.LastSuccessful, r.LastSuccessful)
		}
	}
}
