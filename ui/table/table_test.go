package table

import (
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/ui/theme"
)

// A narrow screen drops the least important fixed column first, and no
// line is wider than asked.
func TestNarrowDropsTheLeastImportantColumn(t *testing.T) {
	tb := New(Column{Title: "LABEL", Min: 10}, Column{Title: "PLAN", Width: 15, Priority: 1}, Column{Title: "STATUS", Width: 12, Priority: 5})
	tb.SetRows(3)
	tb.SetHeight(5)
	out := tb.Render(theme.New(), 30, func(i int) map[string]Cell {
		return map[string]Cell{"LABEL": {Text: "web-server-01"}, "PLAN": {Text: "g6-standard-2"}, "STATUS": {Text: "running"}}
	})
	lines := strings.Split(out, "\n")
	if len(lines) != 4 || strings.Contains(ansi.Strip(lines[0]), "PLAN") || !strings.Contains(ansi.Strip(lines[0]), "STATUS") {
		t.Fatalf("at 30 cells:\n%s", out)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > 30 {
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

// render draws tb at width with every row's cells from cells, and returns
// its plain lines.
func render(t *testing.T, tb *Table, width int, cells map[string]Cell) []string {
	t.Helper()
	out := tb.Render(theme.New(), width, func(int) map[string]Cell { return cells })
	lines := strings.Split(ansi.Strip(out), "\n")
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > width {
			t.Fatalf("line %q is %d wide, more than %d", l, w, width)
		}
	}
	return lines
}

// Columns are sized from their content: a fixed column whose content is
// wider than its share takes the spare width instead of being cut, and the
// label does not hoard it (issue 16: at 120 columns LABEL was 56 wide while
// the engine column was cut).
func TestSpareWidthGoesToWhatIsCut(t *testing.T) {
	tb := New(Column{Title: "LABEL", Min: 16, Max: 64}, Column{Title: "ENGINE", Width: 8, Priority: 5}, Column{Title: "SNAPSHOT", Width: 11, Priority: 3})
	tb.SetRows(2)
	tb.SetHeight(5)
	cells := map[string]Cell{"LABEL": {Text: "db"}, "ENGINE": {Text: "postgresql 16.4"}, "SNAPSHOT": {Text: "● needsPosting 40%"}}
	lines := render(t, &tb, 120, cells)
	for _, want := range []string{"postgresql 16.4", "● needsPosting 40%"} {
		if !strings.Contains(lines[1], want) {
			t.Fatalf("at 120 cells %q is cut:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	// Narrow, the share holds and the cell is cut with an ellipsis.
	lines = render(t, &tb, 30, cells)
	if strings.Contains(lines[1], "postgresql 16.4") || !strings.Contains(lines[1], "…") {
		t.Fatalf("at 30 cells:\n%s", strings.Join(lines, "\n"))
	}
}

// A column narrower than its share gives the rest away, so a narrow screen
// keeps more columns.
func TestNarrowContentKeepsColumns(t *testing.T) {
	tb := New(Column{Title: "LABEL", Min: 10}, Column{Title: "PLAN", Width: 15, Priority: 1}, Column{Title: "STATUS", Width: 12, Priority: 5})
	tb.SetRows(1)
	tb.SetHeight(5)
	lines := render(t, &tb, 30, map[string]Cell{"LABEL": {Text: "web"}, "PLAN": {Text: "g6"}, "STATUS": {Text: "running"}})
	if !strings.Contains(lines[0], "PLAN") || !strings.Contains(lines[1], "running") {
		t.Fatalf("at 30 cells:\n%s", strings.Join(lines, "\n"))
	}
}

// Position names the cursor's row and the count.
func TestPosition(t *testing.T) {
	tb := New(Column{Title: "LABEL"})
	if tb.Position() != "" {
		t.Fatalf("no rows: %q", tb.Position())
	}
	tb.SetRows(40)
	tb.SetHeight(10)
	tb.Move(2)
	if got := tb.Position(); got != "row 3 of 40" {
		t.Fatalf("got %q", got)
	}
}

// Only the visible rows are asked for their cells: sizing from content does
// not scan every row.
func TestRenderAsksOnlyVisibleRows(t *testing.T) {
	tb := New(Column{Title: "LABEL"}, Column{Title: "PLAN", Width: 10})
	tb.SetRows(100000)
	tb.SetHeight(20)
	asked := 0
	tb.Render(theme.New(), 80, func(int) map[string]Cell { asked++; return map[string]Cell{"LABEL": {Text: "x"}} })
	if asked != 20 {
		t.Fatalf("asked for %d rows, want 20", asked)
	}
}

// The cursor is the marker in the gutter: on the cursor's row, on no other,
// and it follows a move. Read without styles, as NO_COLOR shows it.
func TestCursorMarkerWithoutStyles(t *testing.T) {
	tb := New(Column{Title: "LABEL", Min: 10}, Column{Title: "STATUS", Width: 12})
	tb.SetRows(5)
	tb.SetHeight(5)
	labels := []string{"web-01", "web-02", "web-03", "web-04", "web-05"}
	draw := func() []string {
		out := tb.Render(theme.New(), 40, func(i int) map[string]Cell {
			return map[string]Cell{"LABEL": {Text: labels[i]}, "STATUS": {Text: "running"}}
		})
		return strings.Split(ansi.Strip(out), "\n")
	}
	for _, move := range []int{0, 1, 2, -1} {
		tb.Move(move)
		lines := draw()
		if !strings.HasPrefix(lines[0], "  LABEL") {
			t.Fatalf("the header is not behind the gutter: %q", lines[0])
		}
		for i, l := range lines[1:] {
			marked := strings.HasPrefix(l, Marker+" ")
			if marked != (i == tb.Cursor()) {
				t.Fatalf("cursor on row %d, marker on row %d is %v:\n%s", tb.Cursor(), i, marked, strings.Join(lines, "\n"))
			}
			if !marked && !strings.HasPrefix(l, "  "+labels[i]) || marked && !strings.HasPrefix(l, Marker+" "+labels[i]) {
				t.Fatalf("row %d not aligned under the header: %q", i, l)
			}
		}
	}
}

// Only the marker and the label are drawn in the cursor style: the rest of
// the cursor's row is drawn as on any other row, so that a move rewrites
// little, and a cell's own style (a warning colour) stays on the cursor row.
func TestCursorStylesOnlyMarkerAndLabel(t *testing.T) {
	th := theme.New()
	tb := New(Column{Title: "LABEL", Min: 10}, Column{Title: "STATUS", Width: 12})
	tb.SetRows(2)
	tb.SetHeight(2)
	warn := th.Warn
	out := tb.Render(th, 40, func(i int) map[string]Cell {
		return map[string]Cell{"LABEL": {Text: "web-01"}, "STATUS": {Text: "offline", Style: &warn}}
	})
	lines := strings.Split(out, "\n")
	want := th.Cursor.Render(Marker) + " " + th.Cursor.Render("web-01")
	if !strings.HasPrefix(lines[1], want) {
		t.Fatalf("cursor row %q does not start with the styled marker and label %q", lines[1], want)
	}
	if cell := warn.Render("offline"); !strings.Contains(lines[1], cell) || !strings.Contains(lines[2], cell) {
		t.Fatalf("the status keeps its own style on every row:\n%q\n%q", lines[1], lines[2])
	}
}

// Rows drawn from the cache follow their cells: a changed text or style,
// and the cursor's highlight moving, all show in the next frame.
func TestRedrawFollowsCellsAndCursor(t *testing.T) {
	th := theme.New()
	tb := New(Column{Title: "LABEL", Min: 10}, Column{Title: "STATUS", Width: 12, Priority: 1})
	tb.SetRows(3)
	tb.SetHeight(5)
	status := []string{"running", "running", "running"}
	styles := []*lipgloss.Style{nil, nil, nil}
	draw := func() []string {
		return strings.Split(tb.Render(th, 40, func(i int) map[string]Cell {
			return map[string]Cell{"LABEL": {Text: "web-" + strconv.Itoa(i)}, "STATUS": {Text: status[i], Style: styles[i]}}
		}), "\n")
	}
	first := draw()
	if !strings.HasPrefix(first[1], th.Cursor.Render(Marker)) {
		t.Fatalf("row 0 not marked: %q", first[1])
	}
	tb.Move(1)
	second := draw()
	if second[1] == first[1] || second[2] == first[2] || !strings.HasPrefix(second[2], th.Cursor.Render(Marker)) {
		t.Fatalf("the highlight did not move:\n%q\n%q", first, second)
	}
	if again := draw(); strings.Join(again, "\n") != strings.Join(second, "\n") {
		t.Fatalf("the same frame drew differently:\n%q\n%q", second, again)
	}
	status[2] = "offline"
	if got := ansi.Strip(draw()[3]); !strings.Contains(got, "offline") {
		t.Fatalf("row 2 after its status changed: %q", got)
	}
	before := draw()[3]
	styles[2] = &th.Bad
	if after := draw()[3]; after == before || ansi.Strip(after) != ansi.Strip(before) {
		t.Fatalf("a new style on the same text drew %q, before %q", after, before)
	}
}

// A row put in or taken out elsewhere leaves the cursor and the screen on
// the rows they showed; the cursor's own row taken out hands the cursor to
// the row that takes its place.
func TestInsertedRemovedKeepCursorAndScreen(t *testing.T) {
	tb := New(Column{Title: "LABEL", Min: 10})
	tb.SetRows(100)
	tb.SetHeight(10)
	tb.MoveTo(50) // offset 41: rows 41..50 on screen
	if tb.Offset() != 41 {
		t.Fatalf("offset %d, want 41", tb.Offset())
	}
	tb.Removed(3)
	if tb.Cursor() != 49 || tb.Offset() != 40 {
		t.Errorf("removed above: cursor %d offset %d, want 49 40", tb.Cursor(), tb.Offset())
	}
	tb.Inserted(0)
	if tb.Cursor() != 50 || tb.Offset() != 41 {
		t.Errorf("inserted above: cursor %d offset %d, want 50 41", tb.Cursor(), tb.Offset())
	}
	tb.Removed(70)
	tb.Inserted(80)
	if tb.Cursor() != 50 || tb.Offset() != 41 {
		t.Errorf("below: cursor %d offset %d, want 50 41", tb.Cursor(), tb.Offset())
	}
	tb.Removed(50) // the cursor's own row
	if tb.Cursor() != 50 || tb.Position() != "row 51 of 99" {
		t.Errorf("own row removed: cursor %d, %s", tb.Cursor(), tb.Position())
	}
	tb.MoveTo(98)
	tb.Removed(98) // the last row under the cursor: the one before it
	if tb.Cursor() != 97 {
		t.Errorf("last row removed: cursor %d, want 97", tb.Cursor())
	}
	empty := New(Column{Title: "LABEL", Min: 10})
	empty.Inserted(0)
	if empty.Cursor() != 0 || empty.Position() != "row 1 of 1" {
		t.Errorf("first row: cursor %d, %s", empty.Cursor(), empty.Position())
	}
}
