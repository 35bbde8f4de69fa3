// Package status is the status line above the footer: the work in flight
// (jobs, a scan), then the last announcement. It knows nothing of screens:
// the root hands it what is running.
package status

import (
	"strings"

	"github.com/snapdeck/snapdeck/ui/theme"
)

// Line holds the last announcement.
type Line struct{ msg string }

// Announce replaces the announcement.
func (l *Line) Announce(s string) { l.msg = s }

// Message is the last announcement.
func (l *Line) Message() string { return l.msg }

// View is the line: the running parts that are not empty, joined and
// drawn as a warning, then the announcement.
func (l *Line) View(th theme.Theme, running ...string) string {
	var parts []string
	for _, r := range running {
		if r != "" {
			parts = append(parts, r)
		}
	}
	run := strings.Join(parts, " · ")
	switch {
	case run == "":
		return l.msg
	case l.msg == "":
		return th.Warn.Render(run)
	}
	return th.Warn.Render(run) + " · " + l.msg
}
