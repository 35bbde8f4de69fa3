package ui

import (
	"testing"
)

// TestEnableBackupsFillsTheSnapshotCell: after e, the row's SNAPSHOT cell
// says what the instance's backups are, without moving the cursor or r.
// It used to stay "…".
func TestEnableBackupsFillsTheSnapshotCell(t *testing.T) {
	h := start(t, setup{})
	h.select_("legacy-mail")
	h.key("e")
	h.wait("paid service")
	h.key("y")
	h.wait("✓ Backups enabled for legacy-mail")
	h.waitFor("the snapshot cell of legacy-mail to be read", func(s string) bool {
		return rowHas(s, "legacy-mail", "none") && !rowHas(s, "legacy-mail", "…")
	})
}
