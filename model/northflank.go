package model

import (
	"fmt"
	"regexp"
	"strconv"
)

// NorthflankStatus maps a Northflank backup or restore status word onto the
// normalised set. The API uses one enum for both.
func NorthflankStatus(raw string) Status {
	switch raw {
	case "scheduled":
		return StatusPending
	case "in-progress", "aborting":
		// aborting may still end as aborted or completed; it is not over.
		return StatusRunning
	case "completed":
		return StatusSuccessful
	case "failed", "not-supported":
		// not-supported: the addon type cannot make this kind of backup, so
		// the attempt produced nothing usable.
		return StatusFailed
	case "aborted":
		return StatusAborted
	}
	return StatusUnknown
}

// Northflank's documented limits for a backup's name and its extra
// destinations (POST /v1/projects/{projectId}/addons/{addonId}/backups).
const (
	NorthflankNameMin      = 3
	NorthflankNameMax      = 39
	NorthflankDestMin      = 3
	NorthflankDestMax      = 100
	NorthflankRetentionMin = 1
	NorthflankRetentionMax = 120
)

var (
	northflankName = regexp.MustCompile(`^[a-zA-Z0-9]+((-|\s|\/|:)[a-zA-Z0-9]+)*$`)
	northflankDest = regexp.MustCompile(`^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$`)
)

// ValidateNorthflankBackupName applies the documented rule for a backup's
// name: 3–39 characters, letters and digits in groups joined by one '-',
// whitespace, '/' or ':'. The API would generate a name when none is sent,
// but snapdeck asks for one so the backup can be found again.
func ValidateNorthflankBackupName(name string) error {
	n := len(name) // the pattern admits ASCII only, so bytes are characters
	switch {
	case n == 0:
		return fmt.Errorf("a name is required (%d–%d characters)", NorthflankNameMin, NorthflankNameMax)
	case n < NorthflankNameMin:
		return fmt.Errorf("name is %d characters; at least %d are needed", n, NorthflankNameMin)
	case n > NorthflankNameMax:
		return fmt.Errorf("name is %d characters; at most %d are allowed", n, NorthflankNameMax)
	case !northflankName.MatchString(name):
		return fmt.Errorf("use letters and digits, joined by single '-', ' ', '/' or ':' (no leading, trailing or doubled separators)")
	}
	return nil
}

// ValidateNorthflankDestination checks one extra destination: an ID of
// 3–100 letters and digits joined by single '-', and a retention of 1–120
// days (0 leaves the retention to the destination's default).
func ValidateNorthflankDestination(d Destination) error {
	n := len(d.ID)
	switch {
	case n < NorthflankDestMin || n > NorthflankDestMax:
		return fmt.Errorf("destination ID must be %d–%d characters, not %d", NorthflankDestMin, NorthflankDestMax, n)
	case !northflankDest.MatchString(d.ID):
		return fmt.Errorf("destination ID must be letters and digits joined by single '-'")
	case d.RetentionDays != 0 && (d.RetentionDays < NorthflankRetentionMin || d.RetentionDays > NorthflankRetentionMax):
		return fmt.Errorf("retention must be %d–%d days, not %d", NorthflankRetentionMin, NorthflankRetentionMax, d.RetentionDays)
	}
	return nil
}

// NorthflankBackupProblems lists what Northflank would refuse in req, each
// prefixed with the request field it concerns; nil means it may be sent. An
// empty Label is allowed here (the API then names the backup itself); the
// form asks for one through ValidateNorthflankBackupName.
func NorthflankBackupProblems(req SnapshotRequest) []string {
	var out []string
	if req.Label != "" {
		if err := ValidateNorthflankBackupName(req.Label); err != nil {
			out = append(out, "[name] "+err.Error())
		}
	}
	dump := req.Type == "dump"
	switch req.Type {
	case "", "snapshot", "dump":
	default:
		out = append(out, fmt.Sprintf("[backupType] must be snapshot or dump, not %q", req.Type))
	}
	switch {
	case req.Compression == "":
	case !dump:
		out = append(out, "[compressionType] compression applies to dumps only; a snapshot takes none")
	case req.Compression != "gz" && req.Compression != "zstd":
		out = append(out, fmt.Sprintf("[compressionType] must be gz or zstd, not %q", req.Compression))
	}
	if len(req.Destinations) > 0 && dump {
		out = append(out, "[additionalDestinations] extra destinations apply to snapshots only")
	}
	for i, d := range req.Destinations {
		if err := ValidateNorthflankDestination(d); err != nil {
			out = append(out, "[additionalDestinations."+strconv.Itoa(i)+"] "+err.Error())
		}
	}
	return out
}
