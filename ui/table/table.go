// Package table is a virtualised table: a cursor, an offset and the rows
// that fit, each drawn on demand. It knows nothing of screens.
package table

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// Column is one table column. Width 0 marks the flexible column (the
// label), which takes what is left once the others are sized.
//
// Every column is sized from its content: the widest of its title and the
// cells seen on screen since the rows last changed. Width is a fixed
// column's share when the screen is tight: a column whose content is
// narrower takes only what it needs, and spare width goes first to the
// columns that would otherwise be cut.
type Column struct {
	Title    string
	Width    int
	Min      int // for the flexible column
	Max      int // for the flexible column; 0 means no cap
	Priority int // lower numbers are dropped first when the screen is narrow
	// KeepEnd cuts a cell from the left rather than the right: a
	// timeline with its newest cell last shows fewer old ones.
	KeepEnd bool
}

// Cell is one rendered table cell: plain text plus an optional style, so
// truncation works on the text and the style is applied after.
type Cell struct {
	Text  string
	Style *lipgloss.Style
}

// Table is a virtualised list: it keeps a cursor and an offset, and renders
// only the rows that fit, fetching each row's cells on demand. Its cost per
// frame depends on the screen's height, not on how many rows are loaded.
type Table struct {
	cols   []Column
	n      int // row count
	cursor int
	offset int
	height int // rows of body
	// seen is each column's widest content (title included) on screen
	// since the row count last changed: measured from the visible window
	// only, so sizing costs nothing more at 100,000 rows. It only grows
	// until the rows change, so scrolling does not make columns jitter.
	seen []int
	// lines are the rows drawn lately, by their cells: a cursor move
	// redraws the two rows it changes, not every row on screen. styles
	// number the cells' styles for the key. A Table draws with one theme.
	lines  map[string]*rowLines
	styles []*lipgloss.Style
	key    strings.Builder
}

// rowLines is one row as drawn: its cells' widths, and its line at the
// column layout layout, plain and under the cursor ("" until drawn).
type rowLines struct {
	widths        []int
	layout        string
	plain, cursor string
}

// New is a table of these columns and no rows.
func New(cols ...Column) Table { return Table{cols: cols} }

// Cursor is the selected row.
func (t *Table) Cursor() int { return t.cursor }

// Offset is the first row on screen.
func (t *Table) Offset() int { return t.offset }

// Height is the rows of body.
func (t *Table) Height() int { return t.height }

// SetRows sets the row count.
func (t *Table) SetRows(n int) {
	if n != t.n {
		t.seen = nil // new data: measure again from what is on screen
	}
	t.n = n
	t.clamp()
}

// Inserted notes a row put in at index i: the cursor and the rows on
// screen stay on the rows they showed (a row put in above them pushes
// them down by one).
func (t *Table) Inserted(i int) {
	t.n++
	t.seen = nil
	if i <= t.cursor && t.n > 1 {
		t.cursor++
	}
	if i < t.offset {
		t.offset++
	}
	t.clamp()
}

// Removed notes row i taken out: the cursor and the rows on screen stay on
// the rows they showed; when the cursor's own row goes, it moves to the
// row that took its place.
func (t *Table) Removed(i int) {
	if i < 0 || i >= t.n {
		return
	}
	t.n--
	t.seen = nil
	if i < t.cursor {
		t.cursor--
	}
	if i < t.offset {
		t.offset--
	}
	t.clamp()
}

// SetHeight sets the rows of body.
func (t *Table) SetHeight(h int) {
	t.height = max(h, 1)
	t.clamp()
}

// Move moves the cursor by delta rows.
func (t *Table) Move(delta int) {
	t.cursor += delta
	t.clamp()
}

// MoveTo puts the cursor on row i.
func (t *Table) MoveTo(i int) {
	t.cursor = i
	t.clamp()
}

func (t *Table) clamp() {
	if t.cursor >= t.n {
		t.cursor = t.n - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.height > 0 && t.cursor >= t.offset+t.height {
		t.offset = t.cursor - t.height + 1
	}
	if maxOff := t.n - t.height; t.offset > maxOff {
		t.offset = max(maxOff, 0)
	}
}

// Visible returns the half-open range of row indexes on screen.
func (t *Table) Visible() (int, int) {
	return t.offset, min(t.offset+t.height, t.n)
}

// Position is where the cursor is, "row 3 of 40"; empty with no rows.
func (t *Table) Position() string {
	if t.n == 0 {
		return ""
	}
	return fmt.Sprintf("row %d of %d", t.cursor+1, t.n)
}

// measure widens seen to the cells of the visible rows.
func (t *Table) measure(rows []*rowLines) {
	if len(t.seen) != len(t.cols) {
		t.seen = make([]int, len(t.cols))
		for i, c := range t.cols {
			t.seen[i] = ansi.StringWidth(c.Title)
		}
	}
	for _, r := range rows {
		for i, w := range r.widths {
			t.seen[i] = max(t.seen[i], w)
		}
	}
}

// row finds the drawn row of these cells, or starts one.
func (t *Table) row(cells map[string]Cell) *rowLines {
	if len(t.styles) > 64 { // styles made afresh for every frame: keep nothing
		t.styles, t.lines = nil, nil
	}
	t.key.Reset()
	for _, c := range t.cols {
		cl := cells[c.Title]
		id := -1
		if cl.Style != nil {
			id = slices.Index(t.styles, cl.Style)
			if id < 0 {
				id = len(t.styles)
				t.styles = append(t.styles, cl.Style)
			}
		}
		t.key.WriteString(cl.Text)
		t.key.WriteByte(0)
		t.key.WriteString(strconv.Itoa(id))
		t.key.WriteByte(0)
	}
	key := t.key.String()
	if r := t.lines[key]; r != nil {
		return r
	}
	if t.lines == nil || len(t.lines) >= 4*t.height+64 {
		t.lines = make(map[string]*rowLines, 2*t.height)
	}
	r := &rowLines{widths: make([]int, len(t.cols))}
	for i, c := range t.cols {
		r.widths[i] = ansi.StringWidth(cells[c.Title].Text)
	}
	t.lines[key] = r
	return r
}

// layout returns the columns that fit in width and their widths, given
// each column's content width (want, by index into t.cols).
//
// Each column first gets its share: a fixed column min(Width, content), the
// flexible one min(Min, content). While the shares and gaps do not fit,
// the least important fixed column is dropped. The spare width then goes
// to the columns whose content is cut (the flexible one up to its Max),
// evenly, until none is.
func (t *Table) layout(width int, want []int) ([]Column, []int) {
	idx := make([]int, len(t.cols))
	for i := range idx {
		idx[i] = i
	}
	share := func(i int) int {
		c := t.cols[i]
		tw := ansi.StringWidth(c.Title)
		if c.Width == 0 {
			return max(min(c.Min, want[i]), 1)
		}
		return max(min(c.Width, want[i]), min(tw, c.Width), 1)
	}
	for {
		used := len(idx) - 1
		for _, i := range idx {
			used += share(i)
		}
		if used <= width || len(idx) <= 2 {
			break
		}
		drop := -1
		for k, i := range idx {
			if t.cols[i].Width != 0 && (drop < 0 || t.cols[i].Priority < t.cols[idx[drop]].Priority) {
				drop = k
			}
		}
		if drop < 0 {
			break
		}
		idx = append(idx[:drop], idx[drop+1:]...)
	}
	ws := make([]int, len(idx))
	spare := width - (len(idx) - 1)
	for k, i := range idx {
		ws[k] = share(i)
		spare -= ws[k]
	}
	limit := func(k int) int {
		i := idx[k]
		if c := t.cols[i]; c.Width == 0 && c.Max > 0 {
			return min(want[i], c.Max)
		}
		return want[i]
	}
	// Give the spare to what is cut, evenly.
	for spare > 0 {
		cut := 0
		for k := range idx {
			if ws[k] < limit(k) {
				cut++
			}
		}
		if cut == 0 {
			break
		}
		each := max(spare/cut, 1)
		for k := range idx {
			if spare == 0 {
				break
			}
			if need := limit(k) - ws[k]; need > 0 {
				g := min(need, each, spare)
				ws[k] += g
				spare -= g
			}
		}
	}
	// What is left stays empty: padding the label past its content would
	// only cost bytes.
	cols := make([]Column, len(idx))
	for k, i := range idx {
		cols[k] = t.cols[i]
	}
	return cols, ws
}

// Marker is the cursor: a bar in the gutter left of the selected row. The
// glyph, not its colour, is what shows the row, so it survives NO_COLOR;
// and a cursor move redraws two gutter cells instead of two whole rows.
const Marker = "▌"

// GutterWidth is the width left of every row for the marker and a space.
const GutterWidth = 2

// Gutter is what stands left of a row: the marker on the cursor's row,
// blanks on every other row and on the header. Lists not drawn by Table
// (the overview) use it too, so every cursor looks the same.
func Gutter(th theme.Theme, cursor bool) string {
	if cursor {
		return th.Cursor.Render(Marker) + " "
	}
	return "  "
}

// CursorLabel is the label cell of the cursor's row, fitted to its column:
// the text in the cursor style, its padding not, so a move rewrites only
// the label.
func CursorLabel(th theme.Theme, fitted string) string {
	lbl := strings.TrimRight(fitted, " ")
	return th.Cursor.Render(lbl) + fitted[len(lbl):]
}

// Render draws the header and the visible rows. row(i) returns the cells of
// row i keyed by column title.
func (t *Table) Render(th theme.Theme, width int, row func(i int) map[string]Cell) string {
	from, to := t.Visible()
	cells := make([]map[string]Cell, 0, to-from)
	rows := make([]*rowLines, 0, to-from)
	for i := from; i < to; i++ {
		c := row(i)
		cells = append(cells, c)
		rows = append(rows, t.row(c))
	}
	t.measure(rows)
	cols, ws := t.layout(max(width-GutterWidth, 1), t.seen)
	var b strings.Builder
	hdr := make([]string, len(cols))
	for i, c := range cols {
		hdr[i] = text.Fit(c.Title, ws[i])
	}
	layout := fmt.Sprint(hdr, ws)
	b.WriteString(Gutter(th, false))
	b.WriteString(th.Header.Render(strings.Join(hdr, " ")))
	for r, rl := range rows {
		i := from + r
		b.WriteByte('\n')
		b.WriteString(Gutter(th, i == t.cursor))
		if rl.layout != layout {
			rl.layout, rl.plain, rl.cursor = layout, "", ""
		}
		line := &rl.plain
		if i == t.cursor {
			line = &rl.cursor
		}
		if *line == "" {
			*line = drawRow(th, cols, ws, cells[r], i == t.cursor)
		}
		b.WriteString(*line)
	}
	return b.String()
}

// drawRow draws one row's cells at the widths ws.
func drawRow(th theme.Theme, cols []Column, ws []int, cells map[string]Cell, cursor bool) string {
	var b strings.Builder
	for j, c := range cols {
		if j > 0 {
			b.WriteByte(' ')
		}
		cl := cells[c.Title]
		fit := text.Fit
		if c.KeepEnd {
			fit = text.FitEnd
		}
		txt := fit(cl.Text, ws[j])
		switch {
		case j == 0 && cursor:
			txt = CursorLabel(th, txt)
		case cl.Style != nil:
			txt = cl.Style.Render(txt)
		}
		b.WriteString(txt)
	}
	return b.String()
}
