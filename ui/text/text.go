// Package text holds the drawing helpers every view uses: cutting and
// padding to a width, wrapping, clipping a body to a box, and the two ways
// text of other origins than a provider is made inert before it is drawn.
//
// Provider text (labels, statuses, names, IDs, reasons in errors) arrives
// inert: client.Sanitized cleans every string a provider returns where the
// provider is opened (cmd/snapdeck connect), so no drawing site cleans it
// again. What is left to clean is text of other origins, in one way: User
// for what the operator typed or configured, Err for errors.
package text

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/model"
)

// User is text the operator typed or configured (a filter, a `:` query,
// an account name), drawn back to them.
func User(s string) string { return model.Sanitize(s) }

// Err is an error as drawn. Provider errors are inert already; this
// covers the errors snapdeck and its libraries make themselves, which can
// quote a path, a URL or a panic.
func Err(err error) string { return model.Sanitize(err.Error()) }

// Fit pads or truncates s to exactly w display cells.
func Fit(s string, w int) string {
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

// FirstFit is the first of forms, longest first, that fits in w cells,
// padded to w: a line says less on a narrow screen rather than cut a word
// in half. When none fits, the last is cut.
func FirstFit(w int, forms ...string) string {
	for _, f := range forms {
		if ansi.StringWidth(f) <= w {
			return Fit(f, w)
		}
	}
	if len(forms) == 0 {
		return Fit("", w)
	}
	return Fit(forms[len(forms)-1], w)
}

// FitEnd pads or cuts s to exactly w display cells, keeping its end: for
// a timeline whose newest cells are on the right, a narrow screen shows
// fewer of the old ones.
func FitEnd(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if sw := ansi.StringWidth(s); sw > w {
		s = ansi.TruncateLeft(s, sw-w, "")
	}
	return Fit(s, w)
}

// Clip pads or cuts body to exactly h lines of width w, so that a view can
// never push the footer off the screen.
func Clip(body string, w, h int) string {
	lines := strings.Split(body, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = Fit(l, w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

// Clipper is Clip for a screen drawn frame after frame: it remembers the
// last frame's lines as fitted, so that a line drawn again (most of them,
// on a cursor move) is not measured again. The zero value is ready.
type Clipper struct {
	w    int
	last map[string]string
}

// Clip is Clip(body, w, h).
func (c *Clipper) Clip(body string, w, h int) string {
	if c.w != w {
		c.w, c.last = w, nil
	}
	lines := strings.Split(body, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	next := make(map[string]string, len(lines))
	for i, l := range lines {
		f, ok := c.last[l]
		if !ok {
			f = Fit(l, w)
		}
		next[l] = f
		lines[i] = f
	}
	c.last = next
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

// Wrap breaks s into lines of at most w cells on spaces.
func Wrap(s string, w int) string {
	if w <= 0 {
		return ""
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= w:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// UpperFirst is s with its first letter upper-cased.
func UpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
