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

// Weekdays are the days a Linode backup schedule may name.
var Weekdays = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// ScheduleWindows are Linode's two-hour backup windows, W0 (00:00–02:00 UTC)
// to W22 (22:00–24:00 UTC).
var ScheduleWindows = []string{"W0", "W2", "W4", "W6", "W8", "W10", "W12", "W14", "W16", "W18", "W20", "W22"}

// ValidateSchedule checks a day and window against Linode's sets; "Scheduling"
// lets Linode choose the day.
func ValidateSchedule(s Schedule) error {
	okDay := s.Day == "Scheduling"
	for _, d := range Weekdays {
		okDay = okDay || s.Day == d
	}
	if !okDay {
		return fmt.Errorf("day must be a weekday name or Scheduling, not %q", s.Day)
	}
	for _, w := range ScheduleWindows {
		if s.Window == w {
			return nil
		}
	}
	return fmt.Errorf("window must be one of W0, W2 … W22, not %q", s.Window)
}
