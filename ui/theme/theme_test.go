package theme

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/model"
)

// TestHistoryGlyphsReadWithoutColour: every day state has its own glyph,
// the coloured strip less its colour is the plain one, and the legend names
// every glyph — what NO_COLOR or a monochrome terminal shows.
func TestHistoryGlyphsReadWithoutColour(t *testing.T) {
	states := []model.DayState{model.DayGood, model.DayFailed, model.DayRunning, model.DayNone, model.DayUnknown}
	seen := map[string]model.DayState{}
	var h []model.Day
	for _, st := range states {
		g := DayGlyph(st)
		if ansi.StringWidth(g) != 1 {
			t.Errorf("%s: glyph %q is not one cell wide", st, g)
		}
		if other, dup := seen[g]; dup {
			t.Errorf("%s and %s share the glyph %q", st, other, g)
		}
		seen[g] = st
		h = append(h, model.Day{State: st})
	}
	if got, want := HistoryText(h), "█✗◐·?"; got != want {
		t.Errorf("HistoryText = %q, want %q", got, want)
	}
	if got := ansi.Strip(HistoryStrip(h)); got != HistoryText(h) {
		t.Errorf("the strip without colour = %q, want %q", got, HistoryText(h))
	}
	legend := ansi.Strip(HistoryLegend())
	if legend != HistoryLegendPlain() {
		t.Errorf("legend without colour %q differs from the plain one %q", legend, HistoryLegendPlain())
	}
	for _, st := range states {
		if !strings.Contains(legend, DayGlyph(st)+" "+string(st)) {
			t.Errorf("legend %q does not name %s", legend, st)
		}
	}
}

// TestShareGlyphs: a fleet day is shaded by the share of good among the
// known, with a glyph per band and "?" when nothing is known.
func TestShareGlyphs(t *testing.T) {
	for _, tc := range []struct {
		good, known int
		want        string
	}{{3, 3, "█"}, {2, 3, "▓"}, {5, 7, "▓"}, {1, 3, "▒"}, {1, 4, "░"}, {0, 4, "✗"}, {0, 0, "?"}} {
		if g, _ := ShareGlyph(model.DayShare{Good: tc.good, Known: tc.known}); g != tc.want {
			t.Errorf("%d of %d: %q, want %q", tc.good, tc.known, g, tc.want)
		}
	}
	legend := ansi.Strip(ShareLegend())
	for _, g := range []string{"█", "▓", "▒", "░", "✗", "?"} {
		if !strings.Contains(legend, g+" ") {
			t.Errorf("legend %q lacks %q", legend, g)
		}
	}
}
