// Package prompt is a one-line command prompt with tab completion (the
// `:` jump of a Deck): a guarded input, and above it a hint line that shows
// advice when there is some, else the candidates. What the candidates are
// and what a submitted value means is the caller's business.
package prompt

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/ui/input"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// Model is the prompt.
type Model struct {
	in   input.Model
	hint string
	open bool
}

// New is a closed prompt drawn as prefix, with a placeholder.
func New(prefix, placeholder string) Model {
	in := input.New()
	in.Prompt = prefix
	in.Placeholder = placeholder
	return Model{in: in}
}

// Open empties and focuses the prompt.
func (m *Model) Open() tea.Cmd {
	m.open, m.hint = true, ""
	m.in.SetValue("")
	return m.in.Focus()
}

// Close hides the prompt.
func (m *Model) Close() {
	m.open = false
	m.in.Blur()
}

// IsOpen reports whether the prompt takes the keys.
func (m *Model) IsOpen() bool { return m.open }

// Value is what was typed.
func (m *Model) Value() string { return m.in.Value() }

// SetValue replaces what was typed.
func (m *Model) SetValue(s string) { m.in.SetValue(s) }

// Hint is the advice shown above the prompt.
func (m *Model) Hint() string { return m.hint }

// SetHint shows advice above the prompt until the next edit.
func (m *Model) SetHint(s string) { m.hint = s }

// SetWidth sets the field's width.
func (m *Model) SetWidth(w int) { m.in.SetWidth(w) }

// Complete extends the value to what every candidate shares (candidates
// that start with the value).
func (m *Model) Complete(cands []string) {
	if len(cands) == 0 {
		return
	}
	m.in.SetValue(commonPrefix(cands))
	m.in.CursorEnd()
}

// Update edits the value; an edit clears the hint.
func (m *Model) Update(msg tea.KeyPressMsg) tea.Cmd {
	var cmd tea.Cmd
	m.in, cmd = m.in.Update(msg)
	m.hint = ""
	return cmd
}

// View is the hint line and the prompt line, each w cells wide: the hint
// is the advice, or else the candidates.
func (m *Model) View(th theme.Theme, w int, candidates []string) (hint, line string) {
	h := m.hint
	if h == "" && len(candidates) > 0 {
		h = "→ " + strings.Join(candidates, "  ")
	}
	return text.Fit(th.Dim.Render(h), w), text.Fit(m.in.View(), w)
}

// commonPrefix is the longest prefix every s shares, ignoring case, in
// the spelling of the first.
func commonPrefix(ss []string) string {
	p := ss[0]
	for _, s := range ss[1:] {
		for !strings.HasPrefix(strings.ToLower(s), strings.ToLower(p)) {
			p = p[:len(p)-1]
		}
	}
	return p
}
