package table

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/ui/theme"
)

// A narrow screen drops the least important fixed column first, and every
// line is exactly as wide as asked.
func TestNarrowDropsTheLeastImportantColumn(t *testing.T) {
	tb := New(Column{Title: "LABEL", Min: 10}, Column{Title: "PLAN", Width: 15, Priority: 1}, Column{Title: "STATUS", Width: 12, Priority: 5})
	tb.SetRows(3)
	tb.SetHeight(5)
	out := tb.Render(theme.New(), 30, func(i int) map[string]Cell {
		return map[string]Cell{"LABEL": {Text: "web"}, "PLAN": {Text: "g6"}, "STATUS": {Text: "running"}}
	})
	lines := strings.Split(out, "\n")
	if len(lines) != 4 || strings.Contains(ansi.Strip(lines[0]), "PLAN") || !strings.Contains(ansi.Strip(lines[0]), "STATUS") {
		t.Fatalf("at 30 cells:\n%s", out)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w != 30 {
			t.Fatalf("line %q is %d wide", l, w)
		}
	}
}

// The cursor stays on a row and the offset keeps it on screen.
func TestCursorStaysOnScreen(t *testing.T) {
	tb := New(Column{Title: "LABEL"})
	tb.SetRows(10)
	tb.SetHeight(3)
	tb.Move(7)
	if from, to := tb.Visible(); tb.Cursor() != 7 || from > 7 || to <= 7 {
		t.Fatalf("cursor %d, visible %d–%d", tb.Cursor(), from, to)
	}
	tb.Move(100)
	tb.SetRows(4)
	if tb.Cursor() != 3 {
		t.Fatalf("cursor %d after the rows shrank to 4", tb.Cursor())
	}
}
