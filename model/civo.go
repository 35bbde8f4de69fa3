package model

import (
	"fmt"
	"strings"
)

// CivoStatus maps a Civo snapshot status word onto the normalised set.
// The snapshots reference documents "new" and "in-progress" and clients
// wait for "complete"; Civo's newer snapshot APIs capitalise their words
// ("Complete"), so the match ignores case and the few spellings seen.
func CivoStatus(raw string) Status {
	switch strings.ToLower(strings.TrimSpace(raw)) {
	case "new", "pending", "queued", "scheduled":
		return StatusPending
	case "in-progress", "in_progress", "inprogress", "running", "creating", "uploading":
		return StatusRunning
	case "complete", "completed", "available", "ready":
		return StatusSuccessful
	case "failed", "error":
		return StatusFailed
	case "cancelled", "canceled", "aborted":
		return StatusAborted
	}
	return StatusUnknown
}

// MaxCivoSnapshotName is the longest snapshot name snapdeck sends to Civo.
// Civo calls the name a "unique, alphanumerical, short, human readable code"
// and puts it in the URL, so snapdeck keeps it short and URL-safe.
const MaxCivoSnapshotName = 64

// ValidateCivoSnapshotName applies that rule: 1 to 64 characters, letters,
// digits, '.', '_' and '-', starting with a letter or digit.
func ValidateCivoSnapshotName(name string) error {
	n := len([]rune(name))
	switch {
	case n == 0:
		return fmt.Errorf("a name is required (1–%d characters)", MaxCivoSnapshotName)
	case n > MaxCivoSnapshotName:
		return fmt.Errorf("name is %d characters; at most %d are allowed", n, MaxCivoSnapshotName)
	}
	for i, r := range name {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if i == 0 && !alnum {
			return fmt.Errorf("name must start with a letter or digit, not %q", r)
		}
		if !alnum && r != '-' && r != '_' && r != '.' {
			return fmt.Errorf("name may hold only letters, digits, '.', '_' and '-', not %q", r)
		}
	}
	return nil
}
