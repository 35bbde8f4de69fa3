// Package input is every text field of the UI (the filter, the `:` prompt,
// the forms, the typed confirmation): a bubbles textinput with one guard in
// front of its Update. Nothing under ui uses textinput.Model or
// textinput.New but this file (ui's TestEveryTextInputIsGuarded checks).
package input

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Model is a guarded text field.
type Model struct{ textinput.Model }

// New is an empty, blurred field.
func New() Model { return Model{textinput.New()} }

// Update is textinput's, but for the keys bubbles v2.2.1 gets wrong:
// deleteWordForward (alt+d, alt+delete, ctrl+delete) with the cursor on the
// last character steps past the end and indexes out of range, a panic that
// ends the program. There the word to delete is the rest of the text, so it
// is deleted here.
func (in Model) Update(msg tea.Msg) (Model, tea.Cmd) {
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
	return Model{m}, cmd
}
