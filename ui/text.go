package ui

import (
	"strings"

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
