package model

import (
	"fmt"
	"strings"
)

// Confirmation is what a destructive action asks before it runs: the TUI's
// confirm view draws it, and a command refused for want of --yes prints the
// same heading and consequence. Providers' own wording comes from their
// ProviderInfo; the text here is the same for every provider.
type Confirmation struct {
	// Heading names the action and its target: "Cancel backups of web-1".
	Heading string
	// Lines say what happens, the consequence included.
	Lines []string
	// Warn are what else the user must accept, drawn as warnings.
	Warn []string
	// Typed says the user must type Expect (the resource's label) and press
	// Enter; otherwise y confirms. Enter alone never does.
	Typed  bool
	Expect string
	// Verb is what confirming does, for "press y to …": "cancel backups".
	Verb string
}

// Consequence is the confirmation's text on one line: its lines, then its
// warnings.
func (c Confirmation) Consequence() string {
	return strings.Join(append(append([]string(nil), c.Lines...), c.Warn...), " ")
}

// Refusal is what a command says when it will not act without a flag
// (--yes): "not restoring without --yes: <heading>: <consequence>".
func (c Confirmation) Refusal(what, flag string) string {
	return "not " + what + " without " + flag + ": " + c.Heading + ": " + c.Consequence()
}

// TypedName is what a user types to confirm acting on r: its label, or its
// ID when the label is empty (Enter alone must never confirm).
func TypedName(r Resource) string {
	if l := strings.TrimSpace(r.Label); l != "" {
		return l
	}
	return r.ID
}

// target puts a resource's label into one of a provider's sentences.
func target(sentence, label string) string {
	return strings.ReplaceAll(sentence, "{target}", label)
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// ServiceName names the provider's backup service: "the Linode Backup
// service".
func (i ProviderInfo) ServiceName() string {
	return or(i.Wording.Service, strings.Join(strings.Fields("the "+i.Title+" backup service"), " "))
}

// ConfirmEnableBackups asks to turn the backup service on for r (y).
func ConfirmEnableBackups(info ProviderInfo, r Resource) Confirmation {
	lines := []string{"Turns on " + info.ServiceName() + " for " + r.Label + " (" + r.Plan + ", " + r.Region + ")."}
	for _, l := range []string{info.Wording.Billing, info.Wording.Enabled} {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return Confirmation{Heading: "Enable backups for " + r.Label, Lines: lines, Verb: "enable backups"}
}

// ConfirmEnableForSnapshot asks to turn the backup service on because taking a
// snapshot of r needs it (y).
func ConfirmEnableForSnapshot(info ProviderInfo, r Resource) Confirmation {
	lines := []string{"A " + info.BackupNoun + " needs " + info.ServiceName() + ", which is not enabled for " + r.Label + "."}
	if info.Wording.Billing != "" {
		lines = append(lines, info.Wording.Billing)
	}
	return Confirmation{Heading: "Backups are off for " + r.Label, Lines: lines, Verb: "enable backups"}
}

// ConfirmCancelBackups asks to turn the backup service of r off, deleting its
// backups (typed). known are its backups when read, nil when not.
func ConfirmCancelBackups(info ProviderInfo, r Resource, known []Backup) Confirmation {
	c := Confirmation{
		Heading: "Cancel backups of " + r.Label,
		Lines: []string{
			"Cancels " + info.ServiceName() + " of " + r.Label + ".",
			"This deletes every backup and snapshot of " + r.Label + " forever. They cannot be recovered, and re-enabling the service starts from nothing.",
		},
		Typed: true, Expect: TypedName(r), Verb: "cancel backups",
	}
	if known != nil {
		auto, snaps := 0, 0
		for _, b := range known {
			if b.Kind == BackupAutomatic {
				auto++
			} else {
				snaps++
			}
		}
		c.Lines = append(c.Lines, fmt.Sprintf("That is all %d automatic backups and %d snapshots.", auto, snaps))
	}
	return c
}

// RestoreOverwrite is the consequence of restoring over t, in the
// provider's words.
func RestoreOverwrite(info ProviderInfo, t Resource) string {
	return target(or(info.Wording.RestoreOverwrite,
		"The current data of {target} is replaced by the backup's. Anything written since it was taken is lost."), t.Label)
}

// RestoreBeside is the consequence of restoring onto t without overwriting.
func RestoreBeside(info ProviderInfo, t Resource) string {
	return target(or(info.Wording.RestoreBeside, "The backup is restored onto {target}."), t.Label)
}

// ConfirmRestore asks to restore backup (named as drawn) of src onto t: typed with
// overwrite, y without. taken says when the backup was taken ("" when
// unknown).
func ConfirmRestore(info ProviderInfo, backup string, src, t Resource, overwrite bool, taken string) Confirmation {
	what := backup
	if taken != "" {
		what += ", taken " + taken + ","
	}
	onto := strings.TrimSpace(info.Noun + " " + t.Label)
	if t.Region != "" {
		onto += " (" + t.Region + ")"
	}
	of := " of " + src.Label
	if src.ID != "" && src.ID == t.ID {
		of = "" // in place: "Restores nightly onto database db-1."
	}
	c := Confirmation{Lines: []string{"Restores " + what + of + " onto " + onto + "."}}
	if overwrite {
		c.Heading = "Restore " + backup + " over " + t.Label
		c.Lines = append(c.Lines, RestoreOverwrite(info, t))
		c.Typed, c.Expect, c.Verb = true, TypedName(t), "restore"
	} else {
		c.Heading = "Restore " + backup + " onto " + t.Label
		c.Lines = append(c.Lines, RestoreBeside(info, t))
		c.Verb = "restore onto " + t.Label
	}
	return c
}

// ConfirmReplaceSnapshot asks to take snapshot label of r, which deletes its
// current snapshot (y).
func ConfirmReplaceSnapshot(info ProviderInfo, r Resource, current Backup, label, taken string) Confirmation {
	lines := []string{fmt.Sprintf("Replace %q with %q? The current one was taken %s.", current.Label, label, taken)}
	lines = append(lines, or(info.Wording.Replaces, "Taking a new "+info.BackupNoun+" deletes the current one."))
	return Confirmation{Heading: "Replace the " + info.BackupNoun + " of " + r.Label, Lines: lines, Verb: "replace snapshot"}
}

// ConfirmTakeSnapshot asks before taking snapshot name of r when it overwrites
// one of that name (taken when: "" when there is none, or the provider
// does not overwrite by name) or shuts r down (safe). ok is false when
// there is nothing to ask.
func ConfirmTakeSnapshot(info ProviderInfo, r Resource, name, taken string, safe bool) (c Confirmation, ok bool) {
	c = Confirmation{Heading: "Take " + info.BackupNoun + " " + name + " of " + r.Label, Verb: "go ahead"}
	if info.OverwritesByName && taken != "" {
		c.Warn = append(c.Warn, fmt.Sprintf("%s already has a %s named %q (taken %s): it will be overwritten.", r.Label, info.BackupNoun, name, taken))
	}
	if safe {
		c.Warn = append(c.Warn, r.Label+" will be shut down while the "+info.BackupNoun+" is taken, and started again after it.")
	}
	return c, len(c.Warn) > 0
}

// ConfirmDeleteBackup asks to delete backup (named as drawn) of r (y).
func ConfirmDeleteBackup(info ProviderInfo, r Resource, backup, size, taken string) Confirmation {
	noun := info.BackupNoun
	return Confirmation{
		Heading: "Delete " + noun + " " + backup,
		Lines: []string{
			fmt.Sprintf("Deletes %s %s of %s (%s, taken %s).", noun, backup, r.Label, size, taken),
			"This is immediate and cannot be undone: the " + noun + " cannot be restored afterwards.",
		},
		Verb: "delete it",
	}
}

// ConfirmAbortBackup asks to stop backup (named as drawn) of r, now status (y).
func ConfirmAbortBackup(info ProviderInfo, r Resource, backup, status string) Confirmation {
	noun := info.BackupNoun
	return Confirmation{
		Heading: "Abort " + noun + " " + backup,
		Lines: []string{
			fmt.Sprintf("Stops %s %s of %s, which is %s.", noun, backup, r.Label, status),
			"The partial " + noun + " cannot be used; take a new one later.",
		},
		Verb: "abort it",
	}
}
