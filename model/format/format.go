// Package format is the one way snapdeck writes sizes, ages, durations and
// times for people: the TUI, the commands' tables and the providers' detail
// fields all call it, so the same backup reads the same everywhere.
//
// Sizes are in IEC binary units (B, KiB, MiB, GiB, TiB, PiB, EiB: powers of
// 1024), because that is how they are counted: Linode's disk "MB" and Civo's
// and Superb Flex's "GB" are MiB and GiB. What is not known is Unknown,
// never "0 B".
//
// It lives under model, not ui, because the provider adapters in client/
// write sizes and times into model.Field values and may not import ui; like
// model it imports only the standard library (and model).
package format

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// Unknown is what every view shows for a size, duration or time that is
// not known.
const Unknown = "—"

// Size is n bytes in binary units, at most 8 cells wide: "812 B",
// "1.4 GiB", "25.5 GiB", "512 MiB", "1023 MiB". One decimal below 100,
// whole numbers from 100, a trailing ".0" dropped. Zero or negative is
// Unknown: a provider that gives no size (a Managed Database backup) has
// not made an empty one.
func Size(n int64) string {
	if n <= 0 {
		return Unknown
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	const units = "KMGTPE"
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	// Rounding can carry into the next unit or width: 1023.96 MiB is
	// "1 GiB", not "1024.0 MiB".
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if v >= 99.95 {
		s = strconv.FormatFloat(math.Round(v), 'f', 0, 64)
		if s == "1024" && i < len(units)-1 {
			s, i = "1", i+1
		}
	}
	s = strings.TrimSuffix(s, ".0")
	return s + " " + units[i:i+1] + "iB"
}

// SizeMB is n MiB (Linode's and OnApp's "MB") as Size writes it.
func SizeMB(n int) string { return Size(model.SizeBytes(int64(n), 1<<20)) }

// Age is how long before now t was, in the compact form operators scan:
// "just now", "45m ago", "27h ago" (under two days), "4d ago". The zero
// time is "never"; a time more than model.ClockSkewTolerance ahead of now
// is "in future" (a skewed clock or an invalid date, never a fresh backup);
// a time a little ahead is "just now".
func Age(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if model.ClockSkewed(now, t) {
		return "in future"
	}
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
}

// Duration is d in its two largest units, truncated, a zero second one
// left out: "42s", "5m", "14m37s", "1h05m", "48h". Zero or negative is
// Unknown (a backup still running has no duration yet).
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return Unknown
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
		if s == 0 {
			return fmt.Sprintf("%dm", m)
		}
		return fmt.Sprintf("%dm%02ds", m, s)
	}
	h, m := int64(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02dm", h, m)
}

// Timestamp is t in RFC 3339, UTC ("2026-11-20T09:00:00Z"), as the
// commands print times and the providers' detail fields show them; the
// zero time is Unknown.
func Timestamp(t time.Time) string {
	if t.IsZero() {
		return Unknown
	}
	return t.UTC().Format(time.RFC3339)
}

// Stamp is t in local time to the minute with its Age: "2026-11-20 09:00
// (3h ago)"; the zero time is Unknown.
func Stamp(now, t time.Time) string {
	if t.IsZero() {
		return Unknown
	}
	return t.Local().Format("2006-01-02 15:04") + " (" + Age(now, t) + ")"
}

// Short is t in local time, month to minute, for narrow columns: "11-20
// 09:00"; the zero time is Unknown.
func Short(t time.Time) string {
	if t.IsZero() {
		return Unknown
	}
	return t.Local().Format("01-02 15:04")
}
