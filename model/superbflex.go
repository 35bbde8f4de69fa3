package model

import "fmt"

// Superb Flex Cloud (an OnApp cloud) reports no status word for a backup,
// only whether it is built. The adapter names the two states with these
// words, which are what the detail view shows as the raw status.
const (
	SuperbFlexBuilt    = "built"
	SuperbFlexNotBuilt = "not built"
)

// SuperbFlexStatus maps a Superb Flex backup's state word onto the
// normalised set: a built backup is usable; one not yet built is still
// being taken (OnApp removes a backup whose transaction fails, so there is
// no failed state to report).
func SuperbFlexStatus(raw string) Status {
	switch raw {
	case SuperbFlexBuilt:
		return StatusSuccessful
	case SuperbFlexNotBuilt:
		return StatusRunning
	}
	return StatusUnknown
}

// SuperbFlexBackupKind maps a backup's "initiated" field: "manual" backups
// were taken by a user, days / weeks / months / years by a schedule.
func SuperbFlexBackupKind(initiated string) BackupKind {
	if initiated == "manual" {
		return BackupSnapshot
	}
	return BackupAutomatic
}

// MaxSuperbFlexNote is the longest backup note the API keeps: the note is a
// string column of OnApp's Rails schema, 255 characters.
const MaxSuperbFlexNote = 255

// ValidateSuperbFlexNote checks a backup note. A note is optional, so the
// empty string is valid; the API keeps at most 255 characters. Control
// characters are refused here rather than by the API: notes are drawn in a
// terminal, one line each.
func ValidateSuperbFlexNote(note string) error {
	n := 0
	for _, r := range note {
		n++
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("a note is one line of text: no control characters or line breaks")
		}
	}
	if n > MaxSuperbFlexNote {
		return fmt.Errorf("note is %d characters; at most %d are allowed", n, MaxSuperbFlexNote)
	}
	return nil
}
