package model

import (
	"strings"
	"time"
)

// Caps is the set of things a provider can do to a resource and its
// backups. The UI offers a key only when the provider has its capability,
// so a provider that cannot do something never shows it.
type Caps uint32

const (
	CapSnapshot       Caps = 1 << iota // take a snapshot or backup now (s)
	CapRestore                         // restore a backup over its own resource (R)
	CapRestoreOther                    // restore a backup onto another resource
	CapDeleteBackup                    // delete one backup or snapshot (D)
	CapAbortBackup                     // stop a backup that is running (A)
	CapEnableBackups                   // turn a paid backup service on (e)
	CapCancelBackups                   // turn it off, deleting every backup (X)
	CapSchedule                        // change when automatic backups run (S)
	CapNote                            // edit a backup's note (n)
	CapRestoreHistory                  // list the restores of a resource (H)
	CapEvents                          // progress is followed through events, not by re-reading backups
)

// Has reports whether every capability in x is in c.
func (c Caps) Has(x Caps) bool { return c&x == x }

// ProviderInfo describes one provider's resource kind to the UI.
type ProviderInfo struct {
	Name  string       // "linode", "civo", …: the config's provider word
	Title string       // "Linode", "Civo", …
	Kind  ResourceKind // what its resources are
	// Noun names one resource in messages ("instance", "addon"), and
	// Plural the list ("Instances").
	Noun, Plural string
	// GroupTitle heads the column that says where a resource lives
	// ("REGION", "PROJECT").
	GroupTitle string
	// GroupIsTag says the group is one the user chose (a project), so
	// backup policy tag rules match it as well as the resource's tags.
	GroupIsTag bool
	// BackupNoun is what taking one makes ("snapshot", "backup").
	BackupNoun string
	Caps       Caps
	// MaxManual is how many manual snapshots a resource may keep; 0 means
	// no documented limit. (Linode Managed Databases keep at most 3.)
	MaxManual int
	// ReplacesSnapshot says a new manual snapshot replaces the old one
	// (Linode keeps one).
	ReplacesSnapshot bool
	// OverwritesByName says a new snapshot named like an existing one
	// overwrites it (Civo): the CLI and the TUI ask before doing that.
	OverwritesByName bool
	// BackupTypes lists the kinds of backup one may choose when taking one
	// ("dump", "snapshot"); empty means there is no choice.
	BackupTypes []string
	// Compressions lists the compression choices for a dump.
	Compressions []string
	// SafeOption offers Civo's "safe" snapshot, which shuts the instance
	// down for consistency.
	SafeOption bool
	// Destinations offers extra destinations with a retention in days.
	Destinations bool
	// DiskTarget offers backing up one disk rather than the whole VM.
	DiskTarget bool
	// NameField is what the form calls a new backup's name ("Name" when
	// empty; Superb Flex backups have a note instead).
	NameField string
	// ValidateName checks a new backup's name as it is typed; nil means any
	// non-empty name.
	ValidateName func(string) error `json:"-"`
	// BackupDisks says a backup records the resource's disks and configs,
	// and whether it is available to restore (Linode instances): the list
	// has a DISKS column, the detail the disks, configs and availability.
	BackupDisks bool
	// ResourceTitle names the resource a backup belongs to in its detail
	// ("Linode"); empty means the Noun, capitalised.
	ResourceTitle string
	// AutomaticKept, when set, says automatic backups cannot be deleted,
	// and why ("Linode keeps them 7 days").
	AutomaticKept string
	// Wording is the provider's own text for what its actions do; the
	// confirmations (confirm.go) fall back to plain wording where empty.
	Wording Wording
}

// Wording is what a provider says about its actions, in its own words.
// "{target}" in a sentence stands for the resource acted on.
type Wording struct {
	// Service names the backup service that is turned on and off ("the
	// Linode Backup service").
	Service string
	// Billing says what the service costs.
	Billing string
	// Enabled says what the service does once it is on.
	Enabled string
	// RestoreOverwrite is the consequence of restoring over {target},
	// erasing what it holds.
	RestoreOverwrite string
	// RestoreBeside is the consequence of restoring onto {target} without
	// overwriting.
	RestoreBeside string
	// Replaces says why taking a snapshot deletes the current one.
	Replaces string
	// Schedule says how the provider runs its backup schedule (shown in
	// the schedule form); ScheduleAnyDay names a schedule whose day the
	// provider picks.
	Schedule, ScheduleAnyDay string
}

// Slug names the resource kind in a view's name ("prod/databases",
// "flex/virtual-machines").
func (i ProviderInfo) Slug() string {
	return strings.ReplaceAll(strings.ToLower(i.Plural), " ", "-")
}

// ViewName names one account's view of this provider, as `:` and
// --account take it: "prod/databases".
func (i ProviderInfo) ViewName(account string) string { return account + "/" + i.Slug() }

// SnapshotRequest is what the user asked for when taking a snapshot or
// backup. Providers read the fields they have and ignore the rest.
type SnapshotRequest struct {
	Label        string
	Type         string // a ProviderInfo.BackupTypes entry, "" for the default
	Compression  string // for dumps
	Safe         bool   // Civo: shut the instance down while it is taken
	Destinations []Destination
	DiskID       string // Superb Flex: back up this disk, not the whole VM
}

// BackupDestination is a place a provider can also write backups to, as it
// lists them for choosing (Northflank's custom backup destinations).
type BackupDestination struct {
	ID   string
	Name string
}

// Sanitized returns d with its strings made inert.
func (d BackupDestination) Sanitized() BackupDestination {
	d.ID = SanitizeID(d.ID)
	d.Name = Sanitize(d.Name)
	return d
}

// Destination is an extra place a backup is also written to.
type Destination struct {
	ID            string
	RetentionDays int
}

// Restore is one restore of a backup, as the provider reports it.
type Restore struct {
	BackupID   string
	BackupName string
	Status     Status
	RawStatus  string
	Started    time.Time
	Finished   time.Time
}

// Field is one provider-specific fact about a backup, shown in its detail
// in the provider's order.
type Field struct {
	Name, Value string
}
