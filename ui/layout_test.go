package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/snapdeck/snapdeck/ui/table"
)

// blankGutter is the table's gutter on every line but the cursor's, where
// it holds table.Marker.
const blankGutter = "  "

// isHeader reports whether l is a list's column header.
func isHeader(l string) bool { return strings.HasPrefix(l, blankGutter+"LABEL ") }

// cellsOf is a table line without its gutter.
func cellsOf(l string) string {
	return strings.TrimPrefix(strings.TrimPrefix(l, table.Marker+" "), blankGutter)
}

// tableRows are the lines of the list under its column header, up to the
// first blank line.
func tableRows(s string) (hdr string, rows []string) {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if isHeader(l) {
			for _, r := range lines[i+1:] {
				if strings.TrimSpace(r) == "" {
					break
				}
				rows = append(rows, r)
			}
			return l, rows
		}
	}
	return "", nil
}

// columnsCutAndSlack reads the table as a user does: each column spans from
// its title to the next one. It returns a cut cell (one ending in "…"), if
// any, and the columns no cell uses: the width of each column beyond its
// widest cell, and of the line beyond the last column's widest cell.
func columnsCutAndSlack(hdr string, rows []string, w int) (cut string, slack int) {
	h := []rune(hdr)
	var starts []int
	for i := range h {
		if h[i] != ' ' && (i == 0 || h[i-1] == ' ') && !strings.HasPrefix(string(h[i:]), "GOOD") {
			starts = append(starts, i)
		}
	}
	for k, st := range starts {
		end := w
		if k+1 < len(starts) {
			end = starts[k+1] - 1
		}
		widest := len([]rune(strings.TrimRight(string(h[st:min(end, len(h))]), " ")))
		for _, r := range rows {
			rr := []rune(r)
			if st >= len(rr) {
				continue
			}
			cell := strings.TrimRight(string(rr[st:min(end, len(rr))]), " ")
			if strings.HasSuffix(cell, "…") && cell != "…" {
				cut = cell
			}
			widest = max(widest, len([]rune(cell)))
		}
		slack += end - st - widest
	}
	return cut, slack
}

// TestListUsesTheWidth (issue 16, layout): at 80×24, 120×40 and 220×50 the
// instance list shows where the cursor is (row N of M); a cell is cut only
// when its line has no width to spare; and where the width allows, the
// tags are a column of their own.
func TestListUsesTheWidth(t *testing.T) {
	for _, sz := range []struct {
		w, h int
		tags bool
	}{{80, 24, false}, {120, 40, true}, {220, 50, true}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			h := start(t, setup{w: sz.w, h: sz.h})
			h.wait("Loaded 40 instances")
			s := h.waitFor("summaries", summariesSettled)
			if !strings.Contains(s, "row 1 of 40") {
				t.Fatalf("no position on screen:\n%s", s)
			}
			h.key("down")
			h.key("down")
			s = h.wait("row 3 of 40")
			hdr, rows := tableRows(s)
			if len(rows) == 0 {
				t.Fatalf("no rows:\n%s", s)
			}
			cut, slack := columnsCutAndSlack(hdr, rows, sz.w)
			if cut != "" && slack > 0 {
				t.Errorf("%q is cut though %d columns are spare:\n%s", cut, slack, s)
			}
			if sz.w >= 220 && cut != "" {
				t.Errorf("at %d columns %q is cut:\n%s", sz.w, cut, s)
			}
			if sz.tags {
				if !strings.Contains(hdr, "TAGS") || !strings.Contains(s, "prod,web") {
					t.Fatalf("no tags at %d columns:\n%s", sz.w, s)
				}
			}
		})
	}
}

// TestBackupListShowsPosition: the backup list says where its cursor is.
func TestBackupListShowsPosition(t *testing.T) {
	h := start(t, setup{w: 120, h: 30})
	h.wait("Loaded 40 instances")
	h.waitFor("summaries", summariesSettled)
	h.key("enter")
	h.waitAll("web-prod-01 · row 1 of 4", "LABEL ")
	h.key("down")
	h.wait("web-prod-01 · row 2 of 4")
}

// TestNoColourStaleAgesDiffer (issue 16): the screen read as plain text —
// what NO_COLOR shows — tells a stale newest backup (⚠) from a fresh one
// (✓), and every coloured state of the list and the backup statuses has a
// glyph or a word.
func TestNoColourStaleAgesDiffer(t *testing.T) {
	age := regexp.MustCompile(`([✓⚠] )?\b(\d+[mhd] ago|never)`)
	h := start(t, setup{w: 120, h: 50})
	h.wait("Loaded 40 instances")
	s := h.waitFor("summaries", summariesSettled)
	_, rows := tableRows(s)
	fresh, stale := 0, 0
	for _, r := range rows {
		switch {
		case strings.Contains(r, "⚠ never") || strings.Contains(r, "d ago") && strings.Contains(r, "⚠ "):
			stale++
		case strings.Contains(r, "h ago") && strings.Contains(r, "✓ "):
			fresh++
		}
		for _, m := range age.FindAllStringSubmatch(r, -1) {
			if m[1] == "" {
				t.Errorf("an age without a mark: %q in\n%s", m[0], r)
			}
		}
	}
	if fresh == 0 || stale == 0 {
		t.Fatalf("want both fresh (✓) and stale (⚠) ages marked, got %d and %d:\n%s", fresh, stale, s)
	}
	// The backup statuses carry their group's glyph.
	h.key("enter")
	h.waitAll("LABEL ", "✓ successful")
}

// TestEveryProviderListUsesTheWidth: the same rule on every provider's list
// (issue 16: at 120 columns the database engine column was cut while LABEL
// was 56 wide; at 220, snapshot states and plans were cut with ~80 spare).
func TestEveryProviderListUsesTheWidth(t *testing.T) {
	decks := map[string]func(t *testing.T) *provHarness{
		"databases":  func(t *testing.T) *provHarness { h, _ := databasesDeck(t, false); return h },
		"civo":       func(t *testing.T) *provHarness { h, _ := civoDeck(t, false); return h },
		"northflank": func(t *testing.T) *provHarness { h, _ := northflankDeck(t, false); return h },
		"flex":       func(t *testing.T) *provHarness { h, _ := flexDeck(t, provJobTime, false); return h },
	}
	for name, deck := range decks {
		for _, w := range []int{120, 220} {
			t.Run(fmt.Sprintf("%s/%d", name, w), func(t *testing.T) {
				h := deck(t)
				h.wait(fmt.Sprintf("row 1 of %d", h.total))
				h.resize(w, 40)
				// Eventually (the resize and the summaries land), nothing is cut
				// while width is spare, and at 220 nothing is cut at all.
				h.waitFor("no cut with width to spare", func(s string) bool {
					hdr, rows := tableRows(s)
					if !summariesSettled(s) || len(rows) == 0 {
						return false
					}
					cut, slack := columnsCutAndSlack(hdr, rows, w)
					return cut == "" || slack == 0 && w < 220
				})
			})
		}
	}
}

// markedRows are the table rows of a screen read as plain text (what
// NO_COLOR shows) that carry the cursor's marker, without their gutter.
func markedRows(s string) []string {
	var out []string
	_, rows := tableRows(s)
	for _, r := range rows {
		if strings.HasPrefix(r, table.Marker+" ") {
			out = append(out, cellsOf(r))
		}
	}
	return out
}

// TestCursorObviousWithoutColour (issue 18): with no colour at all, the
// cursor is still plain to see: the marker is on the row the breadcrumb
// names and on no other, and it follows the keys, in the instance list and
// in a backup list.
func TestCursorObviousWithoutColour(t *testing.T) {
	h := start(t, setup{w: 100, h: 30})
	h.wait("Loaded 40 instances")
	one := func(label, where string) {
		t.Helper()
		s := h.waitFor(label+" marked", func(s string) bool {
			m := markedRows(s)
			return len(m) == 1 && strings.HasPrefix(m[0], label+" ") && strings.Contains(s, where)
		})
		if m := markedRows(s); len(m) != 1 {
			t.Fatalf("%d rows marked:\n%s", len(m), s)
		}
	}
	one("web-prod-01", "row 1 of 40")
	h.key("down")
	h.key("down")
	one("legacy-mail", "row 3 of 40")
	h.key("up")
	one("db-primary", "row 2 of 40")
	h.key("up")
	h.key("enter")
	h.waitAll("web-prod-01 · row 1 of 4", "LABEL ")
	h.key("down")
	s := h.wait("web-prod-01 · row 2 of 4")
	_, rows := tableRows(s)
	if len(rows) < 2 || !strings.HasPrefix(rows[1], table.Marker+" ") || len(markedRows(s)) != 1 {
		t.Fatalf("the second backup is not the one marked:\n%s", s)
	}
}
