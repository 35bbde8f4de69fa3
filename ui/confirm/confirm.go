// Package confirm is the one confirm component: it draws a
// model.Confirmation (its target and consequence, the same text a command
// prints when refused without --yes) and asks for y or the typed label.
// Enter alone never confirms; Esc backs out. It knows nothing of screens or
// of the action it guards: the caller sends the action on Yes and leaves on
// No.
package confirm

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/input"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// Answer is what a key press decided.
type Answer int

const (
	// Undecided: keep asking.
	Undecided Answer = iota
	// Yes: the user confirmed (y, or the label typed and Enter).
	Yes
	// No: the user backed out (esc, or n where y is asked).
	No
)

// Model asks to confirm one Confirmation.
type Model struct {
	model.Confirmation
	input input.Model
	hint  string
}

// New asks for conf; a typed confirmation starts with its field focused.
func New(conf model.Confirmation) Model {
	ti := input.New()
	ti.Prompt = "› "
	// No placeholder: textinput draws its first letter under the cursor,
	// in reverse video, like a typed character. View draws the label.
	ti.SetWidth(max(len(conf.Expect)+2, 20))
	m := Model{Confirmation: conf, input: ti}
	if conf.Typed {
		m.input.Focus()
	}
	return m
}

// Capturing reports whether keys go to the typed field.
func (m *Model) Capturing() bool { return m.Typed }

// Hint is the advice for a key that did nothing, "" when there is none.
func (m *Model) Hint() string { return m.hint }

// Update reads one key.
func (m *Model) Update(msg tea.KeyPressMsg, k keymap.KeyMap) (Answer, tea.Cmd) {
	switch {
	case key.Matches(msg, k.Back), !m.Typed && key.Matches(msg, k.No):
		return No, nil
	case !m.Typed && key.Matches(msg, k.Yes):
		return Yes, nil
	case !m.Typed && key.Matches(msg, k.Submit):
		m.hint = "Enter does not confirm here: press y to " + m.Verb + ", or esc."
		return Undecided, nil
	case !m.Typed:
		return Undecided, nil
	case key.Matches(msg, k.Submit):
		if m.input.Value() != m.Expect {
			m.hint = "That is not the label. Type " + m.Expect + " exactly, or esc."
			return Undecided, nil
		}
		return Yes, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.hint = ""
	return Undecided, cmd
}

// Keys are the keys that answer.
func (m *Model) Keys(k keymap.KeyMap) keymap.Help {
	yes := keymap.WithHelp(k.Yes, "y", m.Verb)
	if m.Typed {
		yes = keymap.WithHelp(k.Typed, "type label + enter", m.Verb)
	}
	return keymap.Help{Short: []key.Binding{yes, k.Back}, Full: [][]key.Binding{{yes, k.Back}}}
}

// field is the typed field; while it is empty, the cursor and then the
// whole label in grey, as the placeholder of the filter and `:` prompts.
func (m *Model) field(th theme.Theme) string {
	if m.input.Value() != "" {
		return m.input.View()
	}
	return m.input.Styles().Focused.Prompt.Render(m.input.Prompt) + cursorCell.Render(" ") + th.Dim.Render(m.Expect)
}

// cursorCell is the cursor drawn on an empty field.
var cursorCell = lipgloss.NewStyle().Reverse(true)

// View draws the heading, banner (a reminder such as the production line;
// "" for none), the confirmation's lines and warnings, and the question,
// which is left out while locked (the answer is being sent).
func (m *Model) View(th theme.Theme, w int, banner string, locked bool) []string {
	var out []string
	out = append(out, th.ErrBox.Render(text.Fit("⚠ "+m.Heading, w)), "")
	if banner != "" {
		out = append(out, banner, "")
	}
	for _, l := range m.Lines {
		out = append(out, text.Wrap(l, w))
	}
	for _, l := range m.Warn {
		out = append(out, th.Warn.Render(text.Wrap("⚠ "+l, w)))
	}
	out = append(out, "")
	switch {
	case locked:
	case m.Typed:
		out = append(out, "Type "+th.Label.Render(m.Expect)+" to confirm, then press Enter. Esc backs out.", m.field(th))
	default:
		out = append(out, "Press "+th.Label.Render("y")+" to "+m.Verb+", "+th.Label.Render("esc")+" to back out.")
	}
	return out
}
