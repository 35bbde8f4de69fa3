package ui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// column is one table column. Width 0 means "takes the remaining space".
type column struct {
	title    string
	width    int
	min      int // for the flexible column
	max      int // for the flexible column; 0 means no cap
	priority int // lower numbers are dropped first when the screen is narrow
}

// cell is one rendered table cell: plain text plus an optional style, so
// truncation works on the text and the style is applied after.
type cell struct {
	text  string
	style *lipgloss.Style
}

// table is a virtualised list: it keeps a cursor and an offset, and renders
// only the rows that fit, fetching each row's cells on demand. Its cost per
// frame depends on the screen's height, not on how many rows are loaded.
type table struct {
	cols   []column
	n      int // row count
	cursor int
	offset int
	height int // rows of body
}

func (t *table) setRows(n int) {
	t.n = n
	t.clamp()
}

func (t *table) setHeight(h int) {
	t.height = max(h, 1)
	t.clamp()
}

func (t *table) move(delta int) {
	t.cursor += delta
	t.clamp()
}

func (t *table) moveTo(i int) {
	t.cursor = i
	t.clamp()
}

func (t *table) clamp() {
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

// visible returns the half-open range of row indexes on screen.
func (t *table) visible() (int, int) {
	return t.offset, min(t.offset+t.height, t.n)
}

// layout returns the columns that fit in width and their widths.
func (t *table) layout(width int) ([]column, []int) {
	cols := append([]column(nil), t.cols...)
	for {
		fixed, flex := 0, -1
		for i, c := range cols {
			if c.width == 0 {
				flex = i
				continue
			}
			fixed += c.width
		}
		gaps := len(cols) - 1
		rest := width - fixed - gaps
		if flex < 0 || rest >= cols[flex].min || len(cols) <= 2 {
			ws := make([]int, len(cols))
			for i, c := range cols {
				ws[i] = c.width
				if i == flex {
					ws[i] = max(rest, 1)
					if c.max > 0 {
						// Wider rows only cost bytes: a highlighted row is
						// redrawn cell by cell on every cursor move.
						ws[i] = min(ws[i], c.max)
					}
				}
			}
			return cols, ws
		}
		// Drop the least important fixed column and try again.
		drop := -1
		for i, c := range cols {
			if c.width != 0 && (drop < 0 || c.priority < cols[drop].priority) {
				drop = i
			}
		}
		cols = append(cols[:drop], cols[drop+1:]...)
	}
}

// render draws the header and the visible rows. row(i) returns the cells of
// row i keyed by column title.
func (t *table) render(th theme.Theme, width int, row func(i int) map[string]cell) string {
	cols, ws := t.layout(width)
	var b strings.Builder
	hdr := make([]string, len(cols))
	for i, c := range cols {
		hdr[i] = text.Fit(c.title, ws[i])
	}
	b.WriteString(th.Header.Render(strings.Join(hdr, " ")))
	from, to := t.visible()
	for i := from; i < to; i++ {
		b.WriteByte('\n')
		cells := row(i)
		parts := make([]string, len(cols))
		for j, c := range cols {
			cl := cells[c.title]
			txt := text.Fit(cl.text, ws[j])
			if cl.style != nil && i != t.cursor {
				txt = cl.style.Render(txt)
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
