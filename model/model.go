// Package model holds snapdeck's provider-neutral domain: resources, their
// backups, normalised statuses and the rules that judge them. It imports only
// the standard library so that every other layer can depend on it.
package model

import (
	"strings"
	"time"
)

// ResourceKind says what sort of thing a Resource is.
type ResourceKind string

const (
	KindInstance ResourceKind = "instance"
	KindDatabase ResourceKind = "database"
	KindAddon    ResourceKind = "addon"
	KindVM       ResourceKind = "vm"
)

// Schedule is when a provider takes automatic backups. Day is a weekday name
// or "Scheduling"; Window is a provider window code such as "W10".
type Schedule struct {
	Day    string
	Window string
}

// Resource is one server, database, addon or VM that can be backed up.
type Resource struct {
	ID       string
	Provider string
	Kind     ResourceKind
	Label    string
	Region   string
	Status   string // the provider's own status word, e.g. "running"
	Plan     string
	Tags     []string
	Created  time.Time
	DiskMB   int

	BackupsEnabled bool
	// DisksOnly says the provider told that this resource cannot take a
	// backup of the whole of it, only of one disk at a time (a Superb Flex
	// VM without incremental backups): the CLI and the TUI then default
	// to its primary disk.
	DisksOnly bool
	// LastSuccessful is the newest successful backup; zero when there is none.
	LastSuccessful time.Time
	Schedule       Schedule
}

// StaleAfter is how old the newest good backup may get before it is flagged.
const StaleAfter = 48 * time.Hour

// BackupStale reports whether the resource lacks a successful backup newer
// than StaleAfter at now. A backup dated in the future (ClockSkewed) is no
// proof of a fresh one.
func (r Resource) BackupStale(now time.Time) bool {
	return r.LastSuccessful.IsZero() || now.Sub(r.LastSuccessful) > StaleAfter || ClockSkewed(now, r.LastSuccessful)
}

// ClockSkewTolerance is how far ahead of this machine's clock a provider's
// time may be and still count as "just now": clocks drift, a little.
const ClockSkewTolerance = 5 * time.Minute

// ClockSkewed reports whether t lies more than ClockSkewTolerance after
// now: a skewed clock or an invalid date, which must never pass for a
// fresh backup (a "last successful" in 2099 would keep a check green for
// ever).
func ClockSkewed(now, t time.Time) bool {
	return !t.IsZero() && t.Sub(now) > ClockSkewTolerance
}

// SearchText is what a filter query is matched against: the label, region
// and tags, lower-cased. Callers filtering many rows compute it once.
func (r Resource) SearchText() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Label))
	b.WriteByte(0) // a separator no query contains, so matches stay within a field
	b.WriteString(strings.ToLower(r.Region))
	for _, t := range r.Tags {
		b.WriteByte(0)
		b.WriteString(strings.ToLower(t))
	}
	return b.String()
}

// NormalizeQuery prepares a filter query for matching against SearchText.
func NormalizeQuery(q string) string { return strings.ToLower(strings.TrimSpace(q)) }

// Matches reports whether a filter query hits the label, region or a tag,
// case-insensitively. An empty query matches everything.
func (r Resource) Matches(query string) bool {
	q := NormalizeQuery(query)
	return q == "" || strings.Contains(r.SearchText(), q)
}

// BackupKind separates automatic backups from user-taken snapshots.
type BackupKind string

const (
	BackupAutomatic BackupKind = "automatic"
	BackupSnapshot  BackupKind = "snapshot"
)

// Slot says where a Linode-style snapshot sits: the current one or the one in
// progress. Automatic backups have no slot.
type Slot string

const (
	SlotNone       Slot = ""
	SlotCurrent    Slot = "current"
	SlotInProgress Slot = "in progress"
)

// Status is a backup status normalised across providers.
type Status string

const (
	StatusPending    Status = "pending"    // queued or paused, not yet running
	StatusRunning    Status = "running"    // being taken or post-processed
	StatusSuccessful Status = "successful" // usable
	StatusFailed     Status = "failed"
	StatusAborted    Status = "aborted" // stopped by a user
	StatusUnknown    Status = "unknown" // a word this version does not know
)

// Active reports whether a backup with this status may still change.
func (s Status) Active() bool { return s == StatusPending || s == StatusRunning }

// Disk is one disk captured in a backup.
type Disk struct {
	ID         string // where a provider can back up one disk
	Label      string
	Filesystem string
	SizeMB     int
}

// Backup is one backup or snapshot of a Resource.
type Backup struct {
	ID         string
	ResourceID string
	Kind       BackupKind
	Slot       Slot
	Label      string
	Status     Status
	RawStatus  string // the provider's own word, kept for the detail view
	Available  bool
	Created    time.Time
	Updated    time.Time
	Finished   time.Time
	Configs    []string
	Disks      []Disk

	// SizeBytes is the backup's size when the provider gives one total
	// rather than disks; zero when unknown.
	SizeBytes int64
	// Type is the provider's own kind of backup ("dump", "incremental").
	Type string
	// Note is a free-text note the user may edit, where the provider has one.
	Note string
	// Locked backups cannot be deleted.
	Locked bool
	// LastRestore is the newest restore of this backup, when reported.
	LastRestore *Restore
	// Fields are the provider-specific facts shown in the detail.
	Fields []Field
}

// Size is the backup's size in bytes: the total when given, else the disks'
// (saturating, never negative).
func (b Backup) Size() int64 {
	if b.SizeBytes > 0 {
		return b.SizeBytes
	}
	return SizeBytes(int64(b.TotalSizeMB()), 1<<20)
}

// Duration is how long the backup took; zero while unfinished.
func (b Backup) Duration() time.Duration {
	if b.Created.IsZero() || b.Finished.IsZero() || b.Finished.Before(b.Created) {
		return 0
	}
	return b.Finished.Sub(b.Created)
}

// TotalSizeMB adds up the sizes of the backup's disks, saturating; a
// negative size counts as unknown.
func (b Backup) TotalSizeMB() int {
	n := 0
	for _, d := range b.Disks {
		n = addMB(n, d.SizeMB)
	}
	return n
}

// SnapshotState summarises a resource's manual snapshot for list views.
type SnapshotState struct {
	Known      bool    // false until the backups were read
	Current    *Backup // nil when there is none
	InProgress *Backup // nil when none is being taken
	// Manual are the creation times of the successful snapshots and manual
	// backups, for the backup policy's min_manual.
	Manual []time.Time
}

// Summarise derives the snapshot state from a resource's backup list.
func Summarise(backups []Backup) SnapshotState {
	s := SnapshotState{Known: true}
	for i := range backups {
		b := &backups[i]
		switch b.Slot {
		case SlotCurrent:
			s.Current = b
		case SlotInProgress:
			s.InProgress = b
		}
		if b.Kind == BackupSnapshot && b.Status == StatusSuccessful && !b.Created.IsZero() {
			s.Manual = append(s.Manual, b.Created)
		}
	}
	return s
}

// Event is a provider's record of an action, used to follow its progress.
type Event struct {
	ID     string
	Action string // the provider's word, e.g. "linode_snapshot", "backups_restore"
	Status string // the provider's word: scheduled, started, finished, failed, notification
	// Kind and Phase say the same in neutral words, set by the client
	// adapter: what the event is about, and where it stands (pending,
	// running, successful, failed, aborted; "" when the word means none).
	Kind        EventKind
	Phase       Status
	Percent     int    // 0–100; meaningful while started
	EntityID    string // the resource acted on
	EntityLabel string
	// SecondaryID is the other resource involved, e.g. a restore's target.
	SecondaryID string
	Created     time.Time
	Message     string
}

// Done reports whether the event has reached an end.
func (e Event) Done() bool { return e.Status == "finished" || e.Status == "failed" }
