package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/store"
)

// eventless is a provider that follows jobs by re-reading, as every
// provider but Linode instances does.
type eventless struct{ nopProvider }

func (eventless) Info() model.ProviderInfo {
	return model.ProviderInfo{Name: "fake", Title: "Fake", Noun: "database", Plural: "Databases", BackupNoun: "snapshot",
		Caps: model.CapSnapshot | model.CapRestore}
}

func restoreJob(a *App, prev time.Time) *store.Job {
	j := &store.Job{Kind: store.JobRestore, ResourceID: "db1", Label: "db1", Name: "b1", BackupID: "b1", TargetID: "db1", TargetLabel: "db1", PrevRestore: prev}
	a.addJob(j)
	return j
}

func poll(a *App, j *store.Job, status string, bs ...model.Backup) {
	r := model.Resource{ID: "db1", Label: "db1", Status: status}
	a.onJobPoll(jobPollMsg{id: j.ID, obs: model.Observation{Resource: &r, Backups: bs}})
}

// TestGenericRestoreJob: a restore on a provider without a restore record
// succeeds only once the resource was seen busy and then settled; a broken
// resource is a failure; never seeing it busy is said, not guessed.
func TestGenericRestoreJob(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	clock := now
	a := New(Options{Provider: eventless{}, Now: func() time.Time { return clock }})
	b := model.Backup{ID: "b1", Label: "b1", Status: model.StatusSuccessful}

	j := restoreJob(a, time.Time{})
	poll(a, j, "active", b) // not yet seen restoring: not done
	if j.Done {
		t.Fatal("a restore never seen under way was called done")
	}
	poll(a, j, "restoring", b)
	poll(a, j, "active", b)
	if !j.Done || !strings.Contains(a.status.Message(), "✓ Restore of b1 onto db1 finished") {
		t.Fatalf("restoring then active: done=%v %q", j.Done, a.status.Message())
	}

	j = restoreJob(a, time.Time{})
	poll(a, j, "restoring", b)
	poll(a, j, "failed", b)
	if !j.Done || !strings.Contains(a.status.Message(), "✗") || !strings.Contains(a.status.Message(), "failed") {
		t.Fatalf("restoring then failed: done=%v %q", j.Done, a.status.Message())
	}

	j = restoreJob(a, time.Time{})
	poll(a, j, "active", b)
	clock = clock.Add(2 * model.UnseenLimit)
	poll(a, j, "active", b)
	if !j.Done || !strings.Contains(a.status.Message(), "not seen under way") || strings.Contains(a.status.Message(), "✓") {
		t.Fatalf("never seen busy: done=%v %q", j.Done, a.status.Message())
	}

	// A record from an earlier restore does not stand for this one.
	clock = now
	old := b
	old.LastRestore = &model.Restore{Status: model.StatusSuccessful, RawStatus: "completed", Started: now.Add(-time.Hour)}
	j = restoreJob(a, old.LastRestore.Started)
	poll(a, j, "active", old)
	if j.Done {
		t.Fatal("an earlier restore's record ended this one")
	}
	fresh := old
	fresh.LastRestore = &model.Restore{Status: model.StatusFailed, RawStatus: "failed", Started: now.Add(time.Second)}
	poll(a, j, "active", fresh)
	if !j.Done || !strings.Contains(a.status.Message(), "status failed") {
		t.Fatalf("its own record failed: done=%v %q", j.Done, a.status.Message())
	}
}

// TestGenericSnapshotJobIgnoresAnOldRecordOfTheSameName: Civo overwrites a
// snapshot by name; the old, complete one must not end the new job.
func TestGenericSnapshotJobIgnoresAnOldRecordOfTheSameName(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	a := New(Options{Provider: eventless{}, Now: func() time.Time { return now }})
	j := &store.Job{Kind: store.JobSnapshot, ResourceID: "db1", Label: "db1", Name: "nightly", BackupID: "nightly"}
	a.addJob(j)
	old := model.Backup{ID: "nightly", Label: "nightly", Status: model.StatusSuccessful, Created: now.Add(-48 * time.Hour)}
	poll(a, j, "active", old)
	if j.Done {
		t.Fatalf("the old snapshot of that name ended the job: %q", a.status.Message())
	}
	fresh := old
	fresh.Created, fresh.Status, fresh.RawStatus = now, model.StatusRunning, "in-progress"
	poll(a, j, "active", fresh)
	fresh.Status, fresh.RawStatus = model.StatusSuccessful, "complete"
	poll(a, j, "active", fresh)
	if !j.Done || !strings.Contains(a.status.Message(), "✓ Snapshot nightly of db1 finished") {
		t.Fatalf("new snapshot complete: done=%v %q", j.Done, a.status.Message())
	}
}

// TestSnapshotJobAbortedIsNotFailed: a backup stopped on request ends its
// job "⊘ … aborted", in the words `snapshot --wait` prints; the TUI used to
// say "✗ … failed: status aborted".
func TestSnapshotJobAbortedIsNotFailed(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	a := New(Options{Provider: eventless{}, Now: func() time.Time { return now }})
	j := &store.Job{Kind: store.JobSnapshot, ResourceID: "db1", Label: "db1", Name: "nightly", BackupID: "b7"}
	a.addJob(j)
	b := model.Backup{ID: "b7", Label: "nightly", Status: model.StatusRunning, RawStatus: "in-progress", Created: now}
	poll(a, j, "active", b)
	if j.Done || !strings.Contains(a.jobLine(), "● snapshot nightly of db1: in-progress") {
		t.Fatalf("running: done=%v %q", j.Done, a.jobLine())
	}
	b.Status, b.RawStatus = model.StatusAborted, "aborted"
	poll(a, j, "active", b)
	if !j.Done || a.status.Message() != "⊘ Snapshot nightly of db1 aborted" {
		t.Fatalf("aborted: done=%v %q", j.Done, a.status.Message())
	}
}
