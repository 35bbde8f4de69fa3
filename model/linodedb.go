package model

import "fmt"

// Linode Managed Databases (MySQL, PostgreSQL): the rules of their backups.
// A database backup has no status of its own: the API lists a backup once it
// is complete, and the cluster's status says "backing_up" while a snapshot
// is being taken.

// LinodeDB engines, as they appear in the API's paths and "engine" field.
const (
	LinodeDBMySQL      = "mysql"
	LinodeDBPostgreSQL = "postgresql"
)

// LinodeDBMaxSnapshots is how many snapshot backups a cluster may keep; one
// must be deleted before another is taken.
const LinodeDBMaxSnapshots = 3

// MaxLinodeDBSnapshotLabel is the longest snapshot label the API accepts.
const MaxLinodeDBSnapshotLabel = 30

// LinodeDBClusterStatuses are the documented cluster statuses (the last two
// appear while a cluster is deleted).
var LinodeDBClusterStatuses = []string{"provisioning", "active", "suspending", "suspended", "resuming",
	"restoring", "failed", "degraded", "updating", "backing_up", "deleting", "deleted"}

// LinodeDBStatus normalises what snapdeck knows of a database backup's state:
// a listed backup carries no status word ("") and is complete; "backing_up"
// (the cluster's status) is a snapshot still being taken.
func LinodeDBStatus(raw string) Status {
	switch raw {
	case "":
		return StatusSuccessful
	case "backing_up":
		return StatusRunning
	}
	return StatusUnknown
}

// LinodeDBCanSnapshot reports whether a cluster in this status accepts a new
// snapshot: only an active one does.
func LinodeDBCanSnapshot(clusterStatus string) bool { return clusterStatus == "active" }

// LinodeDBCanRestore reports whether a cluster in this status accepts a
// restore (or the deletion of a backup): active, degraded or failed.
func LinodeDBCanRestore(clusterStatus string) bool {
	switch clusterStatus {
	case "active", "degraded", "failed":
		return true
	}
	return false
}

// ValidateLinodeDBSnapshotLabel applies the API's rule for a snapshot label:
// 1 to 30 characters, ASCII letters, digits and underscores only. (The label
// must also be unique among the cluster's backups, which only the list can
// tell.)
func ValidateLinodeDBSnapshotLabel(label string) error {
	if label == "" {
		return fmt.Errorf("a label is required (1–%d letters, digits or underscores)", MaxLinodeDBSnapshotLabel)
	}
	for i, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return fmt.Errorf("character %d (%q) is not allowed: use ASCII letters, digits and underscores", len([]rune(label[:i]))+1, r)
		}
	}
	if n := len(label); n > MaxLinodeDBSnapshotLabel {
		return fmt.Errorf("label is %d characters; at most %d are allowed", n, MaxLinodeDBSnapshotLabel)
	}
	return nil
}
