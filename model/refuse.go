package model

import "fmt"

// The preconditions of the actions on one backup. Each says why the action
// cannot be taken now, in words for the user, or "" when it can; the TUI
// asks before offering the confirmation, so nothing is sent that the
// provider would refuse or that would do harm.

// RefuseRestore says why b cannot be restored.
func RefuseRestore(info ProviderInfo, b Backup) string {
	if info.Caps.Has(CapRestoreOther) {
		// Linode: a backup restores onto any instance once available.
		if !b.Available || b.Status != StatusSuccessful {
			avail := "not available"
			if b.Available {
				avail = "available"
			}
			return fmt.Sprintf("Backup %s cannot be restored: it is %s and %s", b.ID, b.RawStatus, avail)
		}
		return ""
	}
	switch {
	case b.Status != StatusSuccessful:
		return fmt.Sprintf("%s %s cannot be restored: it is %s", upperFirst(info.BackupNoun), b.Name(), b.RawStatus)
	case b.Locked:
		return fmt.Sprintf("%s %s is locked (in use by another operation); try again when it is free", upperFirst(info.BackupNoun), b.Name())
	}
	return ""
}

// RefuseDelete says why b cannot be deleted. A running backup that can be
// aborted is refused with "abort it first".
func RefuseDelete(info ProviderInfo, b Backup) string {
	noun := upperFirst(info.BackupNoun)
	switch {
	case b.Kind == BackupAutomatic && info.AutomaticKept != "":
		return "Automatic backups cannot be deleted; " + info.AutomaticKept
	case b.Locked:
		return fmt.Sprintf("%s %s is locked and cannot be deleted now", noun, b.Name())
	case b.Status.Active() && mentions(b.RawStatus, "abort"):
		return fmt.Sprintf("%s %s is being aborted: it can be deleted once aborted", noun, b.Name())
	case b.Status.Active() && info.Caps.Has(CapAbortBackup):
		return fmt.Sprintf("%s %s is still running: abort it first", noun, b.Name())
	case b.Status.Active():
		// Nothing can stop it here, and no provider deletes one under way.
		return fmt.Sprintf("%s %s is still %s: it can be deleted once it has finished", noun, b.Name(), b.RawStatus)
	}
	return ""
}

// RefuseAbort says why b cannot be aborted.
func RefuseAbort(info ProviderInfo, b Backup) string {
	if !b.Status.Active() {
		return fmt.Sprintf("%s %s is not running (%s); nothing to abort", upperFirst(info.BackupNoun), b.Name(), b.RawStatus)
	}
	return ""
}
