package model

import (
	"strings"
	"time"
)

// EventKind is what an event is about, in words no provider owns: the
// client adapters map their providers' action names ("linode_snapshot",
// "backups_restore") onto these.
type EventKind string

const (
	EventOther    EventKind = ""         // anything a job does not follow
	EventSnapshot EventKind = "snapshot" // a snapshot or backup being taken
	EventRestore  EventKind = "restore"  // a backup being restored
)

// OpKind is what sort of action an Operation is.
type OpKind string

const (
	OpSnapshot OpKind = "snapshot" // a snapshot or backup being taken
	OpRestore  OpKind = "restore"  // a backup being restored
)

// UnseenLimit is how long an operation may go without the provider showing
// it under way before the judge stops guessing and says so.
const UnseenLimit = time.Minute

// Operation is an action that runs on after the provider accepted it: a
// snapshot being taken or a backup being restored. The TUI, the CLI's
// --wait and the SSH server follow one the same way: they read an
// Observation and ask Judge.
type Operation struct {
	Kind OpKind
	// ResourceID and Label name the snapshot's resource, or the restore's
	// source.
	ResourceID, Label string
	// Name is the snapshot's label, or the restored backup's name.
	Name string
	// BackupID is the backup taken or restored, when known.
	BackupID string
	// Noun is what taking one makes: "snapshot", "backup"; ResourceNoun
	// names the resource: "instance", "VM".
	Noun, ResourceNoun string
	// TargetID and TargetLabel name a restore's target.
	TargetID, TargetLabel string
	// Started is when it was sent.
	Started time.Time
	// PrevRestore is the backup's last restore before this one, for a
	// provider that records restores on the backup.
	PrevRestore time.Time

	// What earlier observations showed, carried to the next by Verdict.Op.
	Seen    bool // the snapshot was seen listed
	SawBusy bool // a restore's target was seen restoring or locked
}

// Describe names the operation in messages: "snapshot pre-release of
// web-01", "restore of nightly onto web-01".
func (o Operation) Describe() string {
	if o.Kind == OpRestore {
		return "restore of " + o.Name + " onto " + o.TargetLabel
	}
	noun := o.Noun
	if noun == "" {
		noun = "snapshot"
	}
	return noun + " " + o.Name + " of " + o.Label
}

// Changed is the resource the operation changes: a snapshot's own, a
// restore's target.
func (o Operation) Changed() string {
	if o.Kind == OpRestore {
		return o.TargetID
	}
	return o.ResourceID
}

// Name is how messages name a backup: its label, else "automatic backup"
// and its ID.
func (b Backup) Name() string {
	if b.Label != "" {
		return b.Label
	}
	return "automatic backup " + b.ID
}

// Observation is what was read about an operation at one moment.
type Observation struct {
	// ByEvents says the provider reports progress through events
	// (CapEvents); then Events is read, else Resource.
	ByEvents bool
	// Backups are the resource's backups, newest first (a snapshot's own
	// resource; a restore's source, for providers without events).
	Backups []Backup
	// Resource is the changed resource re-read, for providers without
	// events; nil when it could not be read.
	Resource *Resource
	// Events are the recent events about the changed resource, newest
	// first.
	Events []Event
}

// Outcome is where an operation stands.
type Outcome string

const (
	OutcomePending Outcome = "pending" // not yet seen under way
	OutcomeRunning Outcome = "running"
	OutcomeDone    Outcome = "done"    // finished and usable
	OutcomeFailed  Outcome = "failed"  // the provider says it failed
	OutcomeAborted Outcome = "aborted" // stopped on request
	OutcomeGone    Outcome = "gone"    // seen, then no longer listed
	OutcomeUnseen  Outcome = "unseen"  // never seen under way: nothing can be claimed
)

// Over reports whether the outcome is final: nothing more to watch.
func (o Outcome) Over() bool { return o != OutcomePending && o != OutcomeRunning }

// Verdict is Judge's answer about one operation.
type Verdict struct {
	Outcome Outcome
	// Status is the provider's word for where it is ("pending" until one
	// is known); Percent its progress where the provider gives one.
	Status  string
	Percent int
	// Reason says why it failed, where known.
	Reason string
	// Backup is the snapshot taken, when it was found.
	Backup *Backup
	// LastGood is when the resource's newest good backup was made, once a
	// snapshot is done: the resource's "last good" from then on.
	LastGood time.Time
	// Op is the operation with what this observation showed remembered;
	// the caller keeps it for the next one.
	Op Operation
}

// Text says the outcome in one line without a symbol: "Backup x of web-01
// finished", "Restore of x onto y failed: disk full".
func (v Verdict) Text() string {
	d := upperFirst(v.Op.Describe())
	switch v.Outcome {
	case OutcomeDone:
		return d + " finished"
	case OutcomeFailed:
		if v.Reason != "" {
			return d + " failed: " + v.Reason
		}
		return d + " failed"
	case OutcomeAborted:
		return d + " aborted"
	case OutcomeGone:
		return d + " is gone: another replaced it, or the backups were cancelled"
	case OutcomeUnseen:
		return d + ": not seen under way within a minute — check its state"
	}
	st := v.Status
	if st == "" {
		st = "pending"
	}
	return d + ": " + st
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Judge says where op stands given what was read at now. It is pure: the
// same operation, observation and time always give the same verdict.
func Judge(op Operation, obs Observation, now time.Time) Verdict {
	if op.Kind == OpRestore {
		return judgeRestore(op, obs, now)
	}
	return judgeSnapshot(op, obs, now)
}

// newest returns the newest event of kind since op started (a minute's
// slack for clocks), if any.
func (o Operation) newest(events []Event, kind EventKind) (Event, bool) {
	for _, e := range events { // newest first
		if e.Kind == kind && !e.Created.Before(o.Started.Add(-time.Minute)) {
			return e, true
		}
	}
	return Event{}, false
}

// find picks the snapshot the operation took: by its ID when the provider
// gave one, else the newest with its name. An older, settled record under
// the same name or ID (Civo names snapshots by name, and overwrites by name)
// is not the new snapshot.
func (o Operation) find(backups []Backup) (Backup, bool) {
	for _, b := range backups {
		if (o.BackupID != "" && b.ID != o.BackupID) || (o.BackupID == "" && b.Label != o.Name) {
			continue
		}
		if !b.Status.Active() && !b.Created.IsZero() && b.Created.Before(o.Started.Add(-UnseenLimit)) {
			continue
		}
		return b, true
	}
	return Backup{}, false
}

// Transitional says a resource's status word means an operation runs on it.
func Transitional(status string) bool {
	return mentions(status, "restor", "backing", "lock", "provision", "resiz", "migrat")
}

// Broken says a resource's status word means an operation on it failed.
func Broken(status string) bool { return mentions(status, "fail", "error", "degraded") }

func mentions(status string, words ...string) bool {
	s := strings.ToLower(status)
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func judgeSnapshot(op Operation, obs Observation, now time.Time) Verdict {
	v := Verdict{Outcome: OutcomePending, Status: "pending", Op: op}
	ev, hasEv := op.newest(obs.Events, EventSnapshot)
	b, found := op.find(obs.Backups)
	if hasEv {
		v.Percent = ev.Percent
		// A snapshot seen and now gone says more (replaced, or the
		// backups cancelled) than the failed event it leaves behind.
		if ev.Phase == StatusFailed && (found || !op.Seen) {
			v.Outcome, v.Reason = OutcomeFailed, ev.Message
			return v
		}
	}
	resStatus := ""
	if obs.Resource != nil {
		resStatus = obs.Resource.Status
	}
	if !found {
		switch {
		case op.Seen:
			v.Outcome = OutcomeGone
		case hasEv && ev.Phase == StatusSuccessful:
			v.Outcome, v.Percent = OutcomeDone, 100
		case hasEv:
			v.Outcome, v.Status = OutcomeRunning, ev.Status
		case now.Sub(op.Started) > UnseenLimit:
			v.Outcome = OutcomeUnseen
		}
		return v
	}
	v.Op.Seen = true
	v.Backup = &b
	v.Status = b.RawStatus
	v.Outcome = OutcomeRunning
	switch b.Status {
	case StatusSuccessful:
		// Linode lists a finished snapshot in progress until it moves to
		// the current slot; a resource still backing up is not done.
		if b.Slot != SlotInProgress && !Transitional(resStatus) {
			v.Outcome, v.Percent = OutcomeDone, 100
			v.LastGood = b.Finished
			if v.LastGood.IsZero() {
				v.LastGood = b.Created
			}
		}
	case StatusAborted:
		v.Outcome = OutcomeAborted
	case StatusFailed, StatusUnknown:
		v.Outcome, v.Reason = OutcomeFailed, "status "+b.RawStatus
	}
	return v
}

func judgeRestore(op Operation, obs Observation, now time.Time) Verdict {
	v := Verdict{Outcome: OutcomePending, Status: "pending", Op: op}
	if obs.ByEvents {
		ev, ok := op.newest(obs.Events, EventRestore)
		if !ok {
			return v
		}
		v.Status, v.Percent, v.Outcome = ev.Status, ev.Percent, OutcomeRunning
		switch ev.Phase {
		case StatusSuccessful:
			v.Outcome, v.Percent = OutcomeDone, 100
		case StatusFailed:
			v.Outcome, v.Reason = OutcomeFailed, ev.Message
		case StatusAborted:
			v.Outcome = OutcomeAborted
		}
		return v
	}
	status := ""
	if obs.Resource != nil {
		status = obs.Resource.Status
	}
	var b *Backup
	for i := range obs.Backups {
		if x := &obs.Backups[i]; (op.BackupID != "" && x.ID == op.BackupID) || (op.BackupID == "" && x.Label == op.Name) {
			b = x
			break
		}
	}
	// The backup's own record of the restore, where the provider keeps one
	// and it is newer than the one seen when the restore was sent.
	if b != nil && b.LastRestore != nil && b.LastRestore.Started.After(op.PrevRestore) {
		r := b.LastRestore
		v.Status, v.Outcome = r.RawStatus, OutcomeRunning
		switch {
		case r.Status == StatusSuccessful && !Transitional(status):
			v.Outcome, v.Percent = OutcomeDone, 100
		case r.Status == StatusAborted:
			v.Outcome = OutcomeAborted
		case !r.Status.Active() && r.Status != StatusSuccessful:
			v.Outcome, v.Reason = OutcomeFailed, "status "+r.RawStatus
		}
		return v
	}
	// Else the resource tells: busy (restoring, locked) while it runs, then
	// settled; success only once it was seen busy.
	switch {
	case Transitional(status) || (b != nil && b.Locked):
		v.Op.SawBusy = true
		v.Outcome, v.Status = OutcomeRunning, status
		if !Transitional(status) {
			v.Status = "locked"
		}
	case Broken(status):
		noun := op.ResourceNoun
		if noun == "" {
			noun = "resource"
		}
		v.Outcome, v.Reason = OutcomeFailed, "the "+noun+" is "+status
	case op.SawBusy && obs.Resource != nil:
		// Settled after busy. A re-read that failed (no resource) says
		// nothing: it must not pass for a finished restore.
		v.Outcome, v.Percent = OutcomeDone, 100
	case op.SawBusy:
		v.Outcome, v.Status = OutcomeRunning, "unknown (the re-read failed)"
	case now.Sub(op.Started) > UnseenLimit:
		v.Outcome = OutcomeUnseen
	}
	return v
}
