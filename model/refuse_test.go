package model

import "testing"

// TestRefusals: each action on one backup is refused, with the reason the
// user reads, exactly when it would fail or do harm.
func TestRefusals(t *testing.T) {
	inPlace := ProviderInfo{BackupNoun: "backup", Caps: CapRestore | CapDeleteBackup}
	abortable := ProviderInfo{BackupNoun: "backup", Caps: CapRestore | CapDeleteBackup | CapAbortBackup}
	linode := ProviderInfo{BackupNoun: "snapshot", Caps: CapRestore | CapRestoreOther}
	kept := ProviderInfo{BackupNoun: "snapshot", Caps: CapDeleteBackup, AutomaticKept: "Linode keeps them 7 days"}
	good := Backup{ID: "7", Label: "nightly", Status: StatusSuccessful, RawStatus: "completed", Available: true}
	running := Backup{ID: "8", Label: "dump", Status: StatusRunning, RawStatus: "in-progress"}
	aborting := Backup{ID: "9", Label: "dump", Status: StatusRunning, RawStatus: "aborting"}
	locked := good
	locked.Locked = true
	auto := good
	auto.Kind, auto.Label = BackupAutomatic, ""
	unavailable := good
	unavailable.Available = false

	for _, tc := range []struct {
		name, got, want string
	}{
		{"restore a good backup", RefuseRestore(inPlace, good), ""},
		{"restore a running one", RefuseRestore(inPlace, running), "Backup dump cannot be restored: it is in-progress"},
		{"restore a locked one", RefuseRestore(inPlace, locked), "Backup nightly is locked (in use by another operation); try again when it is free"},
		{"restore an unavailable Linode backup", RefuseRestore(linode, unavailable), "Backup 7 cannot be restored: it is completed and not available"},
		{"restore an available Linode backup", RefuseRestore(linode, good), ""},
		{"delete a good backup", RefuseDelete(inPlace, good), ""},
		{"delete a kept automatic one", RefuseDelete(kept, auto), "Automatic backups cannot be deleted; Linode keeps them 7 days"},
		{"delete an automatic one elsewhere", RefuseDelete(inPlace, auto), ""},
		{"delete a locked one", RefuseDelete(inPlace, locked), "Backup nightly is locked and cannot be deleted now"},
		{"delete one being aborted", RefuseDelete(abortable, aborting), "Backup dump is being aborted: it can be deleted once aborted"},
		{"delete a running one that can be aborted", RefuseDelete(abortable, running), "Backup dump is still running: abort it first"},
		{"delete a running one that cannot", RefuseDelete(inPlace, running), "Backup dump is still in-progress: it can be deleted once it has finished"},
		{"abort a running one", RefuseAbort(abortable, running), ""},
		{"abort a finished one", RefuseAbort(abortable, good), "Backup nightly is not running (completed); nothing to abort"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
