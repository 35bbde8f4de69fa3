// Package table is a virtualised table: a cursor, an offset and the rows
// that fit, each drawn on demand. It knows nothing of screens.
package table

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// Column is one table column. Width 0 means "takes the remaining space".
type Column struct {
	Title    string
	Width    int
	Min      int // for the flexible column
	Max      int // for the flexible column; 0 means no cap
	Priority int // lower numbers are dropped first when the screen is narrow
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
	t.n = n
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

// layout returns the columns that fit in width and their widths.
func (t *Table) layout(width int) ([]Column, []int) {
	cols := append([]Column(nil), t.cols...)
	for {
		fixed, flex := 0, -1
		for i, c := range cols {
			if c.Width == 0 {
				flex = i
				continue
			}
			fixed += c.Width
		}
		gaps := len(cols) - 1
		rest := width - fixed - gaps
		if flex < 0 || rest >= cols[flex].Min || len(cols) <= 2 {
			ws := make([]int, len(cols))
			for i, c := range cols {
				ws[i] = c.Width
				if i == flex {
					ws[i] = max(rest, 1)
					if c.Max > 0 {
						// Wider rows only cost bytes: a highlighted row is
						// redrawn cell by cell on every cursor move.
						ws[i] = min(ws[i], c.Max)
					}
				}
			}
			return cols, ws
		}
		// Drop the least important fixed column and try again.
		drop := -1
		for i, c := range cols {
			if c.Width != 0 && (drop < 0 || c.Priority < cols[drop].Priority) {
				drop = i
			}
		}
		cols = append(cols[:drop], cols[drop+1:]...)
	}
}

// Render draws the header and the visible rows. row(i) returns the cells of
// row i keyed by column title.
func (t *Table) Render(th theme.Theme, width int, row func(i int) map[string]Cell) string {
	cols, ws := t.layout(width)
	var b strings.Builder
	hdr := make([]string, len(cols))
	for i, c := range cols {
		hdr[i] = text.Fit(c.Title, ws[i])
	}
	b.WriteString(th.Header.Render(strings.Join(hdr, " ")))
	from, to := t.Visible()
	for i := from; i < to; i++ {
		b.WriteByte('\n')
		cells := row(i)
		parts := make([]string, len(cols))
		for j, c := range cols {
			cl := cells[c.Title]
			txt := text.Fit(cl.Text, ws[j])
			if cl.Style != nil && i != t.cursor {
				txt = cl.Style.Render(txt)
			}
			parts[j] = txt
		}
		line := strings.Join(parts, " ")
		if i == t.cursor {
			line = th.Selected.Render(line)
		}
		b.WriteString(line)
	}
	return b.String()
}
