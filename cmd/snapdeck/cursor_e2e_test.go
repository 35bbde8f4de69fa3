package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/snapdeck/snapdeck/ui/table"
)

// sgr is one Select Graphic Rendition sequence and its parameters.
var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// colourSGR reports the first SGR sequence in out that sets a colour.
func colourSGR(out []byte) string {
	for _, m := range sgr.FindAllSubmatch(out, -1) {
		for _, p := range strings.FieldsFunc(string(m[1]), func(r rune) bool { return r == ';' || r == ':' }) {
			switch p {
			case "30", "31", "32", "33", "34", "35", "36", "37", "38", "40", "41", "42", "43", "44", "45", "46", "47", "48",
				"90", "91", "92", "93", "94", "95", "96", "97", "100", "101", "102", "103", "104", "105", "106", "107":
				return string(m[0])
			}
		}
	}
	return ""
}

// TestCursorObviousUnderNoColour (issue 18) runs the binary with NO_COLOR=1
// in a pseudo-terminal: nothing it writes sets a colour, and the cursor is
// still obvious: the marker stands on the row the breadcrumb names, on no
// other, and follows the arrow keys.
func TestCursorObviousUnderNoColour(t *testing.T) {
	tm := startTerm(t, 80, 24, []string{"NO_COLOR=1"}, "--demo", "--demo-latency", "0s")
	tm.waitText("Loaded 40 instances")
	marked := func(s string) []string {
		var out []string
		for _, r := range tableRows(s) {
			if strings.HasPrefix(r, table.Marker+" ") {
				out = append(out, r)
			}
		}
		return out
	}
	for _, step := range []struct{ keys, label, where string }{
		{"", "web-prod-01", "row 1 of 40"},
		{keyDown + keyDown, "legacy-mail", "row 3 of 40"},
		{keyUp, "db-primary", "row 2 of 40"},
	} {
		if step.keys != "" {
			tm.send(step.keys)
		}
		s := tm.waitFor(step.label+" marked", func(s string) bool {
			m := marked(s)
			return strings.Contains(s, step.where) && len(m) == 1 && strings.HasPrefix(m[0], table.Marker+" "+step.label+" ")
		})
		if m := marked(s); len(m) != 1 {
			t.Fatalf("%d rows marked:\n%s", len(m), s)
		}
	}
	if c := colourSGR(tm.output()); c != "" {
		t.Errorf("NO_COLOR, yet the program set a colour: %q", c)
	}
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit %d", code)
	}
}
