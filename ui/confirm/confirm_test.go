package confirm

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/keymap"
)

func press(m *Model, keys ...tea.KeyPressMsg) Answer {
	a := Undecided
	for _, k := range keys {
		a, _ = m.Update(k, keymap.New())
	}
	return a
}

var (
	enter = tea.KeyPressMsg{Code: tea.KeyEnter}
	esc   = tea.KeyPressMsg{Code: tea.KeyEscape}
)

func typed(s string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// Enter never confirms a y confirmation; y does, esc and n back out.
func TestEnterNeverConfirms(t *testing.T) {
	m := New(model.Confirmation{Heading: "Delete", Verb: "delete"})
	if a := press(&m, enter); a != Undecided || m.Hint() == "" {
		t.Fatalf("enter: %v, hint %q", a, m.Hint())
	}
	if a := press(&m, typed("y")...); a != Yes {
		t.Fatalf("y: %v", a)
	}
	for _, k := range []tea.KeyPressMsg{esc, typed("n")[0]} {
		m := New(model.Confirmation{Heading: "Delete", Verb: "delete"})
		if a := press(&m, k); a != No {
			t.Fatalf("%s: %v", k, a)
		}
	}
}

// A typed confirmation takes the label exactly: y is text there, a wrong
// label is refused with a hint, the right one confirms.
func TestTypedConfirmationWantsTheLabel(t *testing.T) {
	m := New(model.Confirmation{Heading: "Restore", Verb: "restore", Typed: true, Expect: "web-1"})
	if a := press(&m, append(typed("y"), enter)...); a != Undecided || m.Hint() == "" {
		t.Fatalf("y + enter: %v, hint %q", a, m.Hint())
	}
	m = New(model.Confirmation{Heading: "Restore", Verb: "restore", Typed: true, Expect: "web-1"})
	if a := press(&m, append(typed("web-1"), enter)...); a != Yes {
		t.Fatalf("label + enter: %v", a)
	}
}
