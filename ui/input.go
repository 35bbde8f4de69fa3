package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// input is every text field of the UI (the filter, the `:` prompt, the
// forms): a bubbles textinput with one guard in front of its Update.
// Nothing in ui uses textinput.Model or textinput.New but this file
// (TestEveryTextInputIsGuarded checks).
type input struct{ textinput.Model }

func newInput() input { return input{textinput.New()} }

// Update is textinput's, but for the keys bubbles v2.2.1 gets wrong:
// deleteWordForward (alt+d, alt+delete, ctrl+delete) with the cursor on the
// last character steps past the end and indexes out of range, a panic that
// ends the program. There the word to delete is the rest of the text, so it
// is deleted here.
func (in input) Update(msg tea.Msg) (input, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && in.Focused() && key.Matches(k, in.KeyMap.DeleteWordForward) {
		v := []rune(in.Value())
		if pos := in.Position(); pos >= len(v)-1 {
			if pos < len(v) {
				in.SetValue(string(v[:pos]))
				in.SetCursor(pos)
			}
			return in, nil
		}
	}
	m, cmd := in.Model.Update(msg)
	return input{m}, cmd
}
