package model

import "fmt"

// LinodeStatus maps a Linode backup status word onto the normalised set.
func LinodeStatus(raw string) Status {
	switch raw {
	case "paused", "pending":
		return StatusPending
	case "running", "needsPostProcessing":
		return StatusRunning
	case "successful":
		return StatusSuccessful
	case "failed":
		return StatusFailed
	case "userAborted":
		return StatusAborted
	}
	return StatusUnknown
}

// MaxSnapshotLabel is the longest label the Linode API accepts for a snapshot.
const MaxSnapshotLabel = 255

// ValidateSnapshotLabel applies Linode's rule: 1 to 255 characters.
func ValidateSnapshotLabel(label string) error {
	n := len([]rune(label))
	switch {
	case n == 0:
		return fmt.Errorf("a label is required (1–%d characters)", MaxSnapshotLabel)
	case n > MaxSnapshotLabel:
		return fmt.Errorf("label is %d characters; at most %d are allowed", n, MaxSnapshotLabel)
	}
	return nil
}
