package model

import (
	"reflect"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func snapOp() Operation {
	return Operation{Kind: OpSnapshot, ResourceID: "r1", Label: "web-01", Name: "nightly", BackupID: "b9", Noun: "backup", Started: t0}
}

// TestJudgeSnapshot walks a snapshot through the states every provider
// reports, and checks what the user is told at each.
func TestJudgeSnapshot(t *testing.T) {
	running := Backup{ID: "b9", Label: "nightly", Status: StatusRunning, RawStatus: "in-progress", Created: t0}
	done := running
	done.Status, done.RawStatus, done.Finished = StatusSuccessful, "completed", t0.Add(3*time.Minute)
	aborted := running
	aborted.Status, aborted.RawStatus = StatusAborted, "aborted"
	failed := running
	failed.Status, failed.RawStatus = StatusFailed, "failed"
	inSlot := done
	inSlot.Slot = SlotInProgress
	oldSameID := done
	oldSameID.Created = t0.Add(-48 * time.Hour)

	snapEv := func(phase Status, msg string) []Event {
		return []Event{{Kind: EventSnapshot, Status: string(phase), Phase: phase, Percent: 40, Created: t0, Message: msg}}
	}
	seen := snapOp()
	seen.Seen = true

	for _, tc := range []struct {
		name string
		op   Operation
		obs  Observation
		now  time.Time
		want Outcome
		text string
	}{
		{"not listed yet", snapOp(), Observation{}, t0.Add(time.Second), OutcomePending, "Backup nightly of web-01: pending"},
		{"running", snapOp(), Observation{Backups: []Backup{running}}, t0, OutcomeRunning, "Backup nightly of web-01: in-progress"},
		{"done", snapOp(), Observation{Backups: []Backup{done}}, t0, OutcomeDone, "Backup nightly of web-01 finished"},
		{"aborted is not failed", snapOp(), Observation{Backups: []Backup{aborted}}, t0, OutcomeAborted, "Backup nightly of web-01 aborted"},
		{"failed", snapOp(), Observation{Backups: []Backup{failed}}, t0, OutcomeFailed, "Backup nightly of web-01 failed: status failed"},
		{"successful but still in the in-progress slot", snapOp(), Observation{Backups: []Backup{inSlot}}, t0, OutcomeRunning, ""},
		{"successful while the resource still backs up", snapOp(),
			Observation{Backups: []Backup{done}, Resource: &Resource{Status: "backing_up"}}, t0, OutcomeRunning, ""},
		{"an old record under the same ID", snapOp(), Observation{Backups: []Backup{oldSameID}}, t0, OutcomePending, ""},
		{"never seen within the limit", snapOp(), Observation{}, t0.Add(UnseenLimit + time.Second), OutcomeUnseen,
			"Backup nightly of web-01: not seen under way within a minute — check its state"},
		{"the event says started, the list not yet", snapOp(), Observation{ByEvents: true, Events: snapEv(StatusRunning, "")},
			t0.Add(2 * UnseenLimit), OutcomeRunning, ""},
		{"the event failed", snapOp(), Observation{ByEvents: true, Backups: []Backup{running}, Events: snapEv(StatusFailed, "disk full")},
			t0, OutcomeFailed, "Backup nightly of web-01 failed: disk full"},
		{"seen, then gone", seen, Observation{}, t0, OutcomeGone, ""},
		{"seen, then gone, its event failed", seen, Observation{ByEvents: true, Events: snapEv(StatusFailed, "")}, t0, OutcomeGone,
			"Backup nightly of web-01 is gone: another replaced it, or the backups were cancelled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.op, tc.obs, tc.now)
			if v.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s (%+v)", v.Outcome, tc.want, v)
			}
			if tc.text != "" && v.Text() != tc.text {
				t.Fatalf("text %q, want %q", v.Text(), tc.text)
			}
			if again := Judge(tc.op, tc.obs, tc.now); !reflect.DeepEqual(again, v) {
				t.Fatalf("not pure: %+v then %+v", v, again)
			}
		})
	}

	v := Judge(snapOp(), Observation{Backups: []Backup{running}}, t0)
	if !v.Op.Seen {
		t.Fatal("a listed snapshot is not remembered as seen")
	}
	v = Judge(snapOp(), Observation{Backups: []Backup{done}}, t0)
	if !v.LastGood.Equal(done.Finished) || v.Percent != 100 {
		t.Fatalf("done: last good %v, %d%%", v.LastGood, v.Percent)
	}
	// By name, when the provider gave no ID.
	op := snapOp()
	op.BackupID = ""
	if v := Judge(op, Observation{Backups: []Backup{{ID: "x", Label: "other", Status: StatusSuccessful}, done}}, t0); v.Outcome != OutcomeDone || v.Backup.ID != "b9" {
		t.Fatalf("by name: %+v", v)
	}
}

// TestJudgeRestore: by events (Linode), by the backup's restore record, and
// by the resource's status when that is all there is.
func TestJudgeRestore(t *testing.T) {
	op := Operation{Kind: OpRestore, ResourceID: "r1", Label: "db", Name: "b1", BackupID: "b1", TargetID: "r1", TargetLabel: "db",
		ResourceNoun: "database", Started: t0}
	ev := func(phase Status, msg string) Observation {
		return Observation{ByEvents: true, Events: []Event{
			{Kind: EventSnapshot, Phase: StatusFailed, Created: t0},
			{Kind: EventRestore, Status: string(phase), Phase: phase, Created: t0, Message: msg}}}
	}
	res := func(status string, bs ...Backup) Observation {
		return Observation{Resource: &Resource{ID: "r1", Status: status}, Backups: bs}
	}
	b := Backup{ID: "b1", Label: "b1", Status: StatusSuccessful}
	busy := op
	busy.SawBusy = true
	withRecord := func(st Status, raw string, started time.Time) Backup {
		x := b
		x.LastRestore = &Restore{Status: st, RawStatus: raw, Started: started}
		return x
	}
	for _, tc := range []struct {
		name string
		op   Operation
		obs  Observation
		now  time.Time
		want Outcome
		text string
	}{
		{"no event yet", op, Observation{ByEvents: true}, t0.Add(time.Hour), OutcomePending, ""},
		{"event started", op, ev(StatusRunning, ""), t0, OutcomeRunning, ""},
		{"event finished", op, ev(StatusSuccessful, ""), t0, OutcomeDone, "Restore of b1 onto db finished"},
		{"event failed", op, ev(StatusFailed, "no space"), t0, OutcomeFailed, "Restore of b1 onto db failed: no space"},
		{"settled, never seen busy", op, res("active", b), t0, OutcomePending, ""},
		{"restoring", op, res("restoring", b), t0, OutcomeRunning, ""},
		{"seen busy, then settled", busy, res("active", b), t0, OutcomeDone, "Restore of b1 onto db finished"},
		// A re-read that failed (a timeout on a busy machine) is no news:
		// never a finished restore.
		{"seen busy, then the re-read failed", busy, Observation{Backups: []Backup{b}}, t0, OutcomeRunning, ""},
		{"broken", op, res("failed", b), t0, OutcomeFailed, "Restore of b1 onto db failed: the database is failed"},
		{"never seen busy within the limit", op, res("active", b), t0.Add(2 * UnseenLimit), OutcomeUnseen, ""},
		{"its own record, completed", op, res("active", withRecord(StatusSuccessful, "completed", t0.Add(time.Second))), t0, OutcomeDone, ""},
		{"its own record, aborted", op, res("active", withRecord(StatusAborted, "aborted", t0.Add(time.Second))), t0, OutcomeAborted,
			"Restore of b1 onto db aborted"},
		{"an earlier record", Operation{Kind: OpRestore, BackupID: "b1", TargetID: "r1", Started: t0, PrevRestore: t0.Add(-time.Hour)},
			res("active", withRecord(StatusSuccessful, "completed", t0.Add(-time.Hour))), t0, OutcomePending, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.op, tc.obs, tc.now)
			if v.Outcome != tc.want {
				t.Fatalf("outcome %s, want %s (%+v)", v.Outcome, tc.want, v)
			}
			if tc.text != "" && v.Text() != tc.text {
				t.Fatalf("text %q, want %q", v.Text(), tc.text)
			}
		})
	}
	// Busy, then settled: done, because it was seen busy.
	v := Judge(op, res("restoring", b), t0)
	if v = Judge(v.Op, res("active", b), t0); v.Outcome != OutcomeDone {
		t.Fatalf("restoring then active: %+v", v)
	}
}
