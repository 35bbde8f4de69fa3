package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/model"
)

// Provider text (labels, statuses, names, IDs, reasons in errors) arrives
// inert: client.Sanitized cleans every string a provider returns where the
// provider is opened (cmd/snapdeck connect), so no drawing site here cleans
// it again. What is left to clean is text of other origins, in one way:

// userText is text the operator typed or configured (a filter, a `:`
// query, an account name), drawn back to them.
func userText(s string) string { return model.Sanitize(s) }

// errText is an error as drawn. Provider errors are inert already; this
// covers the errors snapdeck and its libraries make themselves, which can
// quote a path, a URL or a panic.
func errText(err error) string { return model.Sanitize(err.Error()) }

// fit pads or truncates s to exactly w display cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	for cut := w; sw > w && cut > 0; cut-- {
		// Truncate and StringWidth can disagree on a grapheme cluster;
		// cut further until the result fits.
		s = ansi.Truncate(s, cut, "…")
		sw = ansi.StringWidth(s)
	}
	if sw > w {
		s, sw = "", 0
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// age renders how long ago t was, in the compact form operators scan fast.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if model.ClockSkewed(now, t) {
		return "in future" // clock skew or an invalid date; BackupStale says so too
	}
	d := now.Sub(t)
	if d < 0 {
		return "just now"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

// stamp renders t in local time with its age, or a dash.
func stamp(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04") + " (" + age(now, t) + ")"
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("01-02 15:04")
}

// duration renders a backup's run time: "42m", "1h05m".
func duration(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// sizeMB renders a size given in MB (as Linode reports disks) human-readably.
func sizeMB(mb int) string {
	switch {
	case mb <= 0:
		return "—"
	case mb < 1024:
		return fmt.Sprintf("%d MB", mb)
	case mb < 1024*1024:
		return trimZero(fmt.Sprintf("%.1f GB", float64(mb)/1024))
	default:
		return trimZero(fmt.Sprintf("%.1f TB", float64(mb)/(1024*1024)))
	}
}

func trimZero(s string) string { return strings.Replace(s, ".0 ", " ", 1) }
