package ui

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client/northflank"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/input"
)

// editingKeys are every key textinput's KeyMap binds (but ctrl+v, which
// reads the clipboard), and keys that type.
var editingKeys = func() []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	km := textinput.DefaultKeyMap()
	for _, b := range []interface{ Keys() []string }{
		km.CharacterForward, km.CharacterBackward, km.WordForward, km.WordBackward,
		km.DeleteWordBackward, km.DeleteWordForward, km.DeleteAfterCursor, km.DeleteBeforeCursor,
		km.DeleteCharacterBackward, km.DeleteCharacterForward, km.LineStart, km.LineEnd,
		km.AcceptSuggestion, km.NextSuggestion, km.PrevSuggestion,
	} {
		for _, k := range b.Keys() {
			out = append(out, keyMsg(k))
		}
	}
	for _, r := range []rune{'a', 'Z', ' ', '-', 'é', '数'} {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}()

// keyMsg builds the key press whose String() is k ("alt+d", "ctrl+delete").
func keyMsg(k string) tea.KeyPressMsg {
	var m tea.KeyPressMsg
	parts := strings.Split(k, "+")
	for _, mod := range parts[:len(parts)-1] {
		switch mod {
		case "ctrl":
			m.Mod |= tea.ModCtrl
		case "alt":
			m.Mod |= tea.ModAlt
		}
	}
	switch name := parts[len(parts)-1]; name {
	case "left":
		m.Code = tea.KeyLeft
	case "right":
		m.Code = tea.KeyRight
	case "up":
		m.Code = tea.KeyUp
	case "down":
		m.Code = tea.KeyDown
	case "home":
		m.Code = tea.KeyHome
	case "end":
		m.Code = tea.KeyEnd
	case "delete":
		m.Code = tea.KeyDelete
	case "backspace":
		m.Code = tea.KeyBackspace
	case "tab":
		m.Code = tea.KeyTab
	default:
		m.Code, _ = utf8.DecodeRuneInString(name)
	}
	if m.String() != k {
		panic(fmt.Sprintf("keyMsg(%q) makes %q", k, m.String()))
	}
	return m
}

// press sends k to in, failing the test with what was pressed where, if
// it panics.
func press(t *testing.T, in input.Model, k tea.KeyPressMsg, where string) (out input.Model) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%s: %s panicked: %v", where, k.String(), r)
		}
	}()
	out, _ = in.Update(k)
	if p, n := out.Position(), utf8.RuneCountInString(out.Value()); p < 0 || p > n {
		t.Fatalf("%s: %s left the cursor at %d of %d", where, k.String(), p, n)
	}
	return out
}

// Every editing key, at every cursor position of texts that end in a
// word, a space or nothing at all, in both echo modes: no panic, and the
// cursor stays in the text. (bubbles v2.2.1 panics on alt+d with the
// cursor on the last character.)
func TestEveryEditingKeyAtEveryCursorPosition(t *testing.T) {
	for _, text := range []string{"", "a", "ab", "a b", "ab ", " ", "  a  ", "web-prod-01", "数据 x", "👩‍💻 y"} {
		for pos := 0; pos <= utf8.RuneCountInString(text); pos++ {
			for _, echo := range []textinput.EchoMode{textinput.EchoNormal, textinput.EchoPassword} {
				for _, k := range editingKeys {
					in := input.New()
					in.EchoMode = echo
					in.SetValue(text)
					in.Focus()
					in.SetCursor(pos)
					press(t, in, k, fmt.Sprintf("%q at %d (echo %d)", text, pos, echo))
				}
			}
		}
	}
}

// What alt+d does at the end: deletes the rest of the word, as it does
// elsewhere, and nothing when there is nothing after the cursor.
func TestDeleteWordForwardAtTheEnd(t *testing.T) {
	for _, c := range []struct {
		text      string
		pos       int
		want      string
		wantPos   int
		whichKeys string
	}{
		{"web", 2, "we", 2, "alt+d"},
		{"web", 3, "web", 3, "alt+d"},
		{"", 0, "", 0, "alt+d"},
		{"a ", 1, "a", 1, "ctrl+delete"},
		{"web prod", 2, "we", 2, "alt+delete"}, // not at the end: bubbles' own
		{"web prod", 3, "web", 3, "alt+d"},
	} {
		in := input.New()
		in.SetValue(c.text)
		in.Focus()
		in.SetCursor(c.pos)
		out := press(t, in, keyMsg(c.whichKeys), c.text)
		if out.Value() != c.want || out.Position() != c.wantPos {
			t.Errorf("%s on %q at %d: %q at %d, want %q at %d", c.whichKeys, c.text, c.pos, out.Value(), out.Position(), c.want, c.wantPos)
		}
	}
}

// withNotes can edit notes, so that the note form opens.
type withNotes struct{ hostileAddonActions }

func (withNotes) Info() model.ProviderInfo {
	i := northflank.Info
	i.Caps |= model.CapNote
	return i
}

// everyInput builds every screen of the UI that has a text field, the
// ways the UI builds them, and returns a pointer to each input field
// (found by reflection, so a field added to one of these screens is walked
// too).
func everyInput(t *testing.T) map[string]*input.Model {
	t.Helper()
	now := time.Now()
	a := New(Options{Provider: withNotes{hostileAddonActions{hostileAddons: newHostileAddons(now)}}, Now: time.Now})
	r := model.Resource{ID: "1", Label: "web-prod-01", Region: "eu", BackupsEnabled: true}
	b := model.Backup{ID: "b1", Label: "nightly", Status: model.StatusSuccessful, Note: "before upgrade"}
	_ = a.env.startNote(r, b)
	screens := map[string]any{
		"filter":   newInstances(a.env),
		"confirm":  newConfirm(model.ConfirmRestore(a.info, "nightly", r, r, true, "")),
		"snapshot": newSnapshotForm(a.env, r),
		"restore":  newRestoreForm(a.env, r, b),
		"backup":   newBackupForm(a.env, r),
		"note":     a.top(),
		"deck":     NewDeck(Options{Now: time.Now}, []Target{{Account: "x", Provider: hostileAddonActions{hostileAddons: newHostileAddons(now)}}}),
	}
	out := map[string]*input.Model{}
	// Fields of fields too: a component (confirm.Model) holds its own.
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f, name := v.Field(i), path+"."+v.Type().Field(i).Name
			switch {
			case f.Type() == reflect.TypeFor[input.Model]():
				out[name] = (*input.Model)(f.Addr().UnsafePointer())
			case f.Kind() == reflect.Struct:
				walk(name, f)
			}
		}
	}
	for name, s := range screens {
		walk(name, reflect.ValueOf(s).Elem())
	}
	return out
}

// A seeded random walk over every text input presses every editing key,
// typing and moving in between, a bounded number of times: none panics,
// the cursor stays in the text, and a CharLimit holds.
func TestRandomWalkOverEveryTextInput(t *testing.T) {
	inputs := everyInput(t)
	for _, want := range []string{"filter.filter", "deck.prompt.in", "confirm.Model.input", "snapshot.input",
		"backup.name", "backup.dest", "backup.days", "note.input"} {
		if inputs[want] == nil {
			t.Errorf("no text input %s found; have %v", want, reflect.ValueOf(inputs).MapKeys())
		}
	}
	rng := rand.New(rand.NewPCG(13, 12))
	for name, p := range inputs {
		in := *p
		in.Focus()
		for step := 0; step < 3000; step++ {
			k := editingKeys[rng.IntN(len(editingKeys))]
			in = press(t, in, k, fmt.Sprintf("%s step %d (%q at %d)", name, step, in.Value(), in.Position()))
			if in.CharLimit > 0 && utf8.RuneCountInString(in.Value()) > in.CharLimit {
				t.Fatalf("%s: %q is longer than its limit %d", name, in.Value(), in.CharLimit)
			}
			if rng.IntN(50) == 0 {
				in.SetValue("")
			}
		}
	}
}

// Every text field of the UI is an input.Model, so none misses the guard:
// no file of ui or its packages but input/input.go names textinput.Model or
// calls textinput.New.
func TestEveryTextInputIsGuarded(t *testing.T) {
	var files []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			files = append(files, filepath.ToSlash(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The walk must see the guard itself and the packages beside it, or it
	// checks nothing.
	for _, want := range []string{"input/input.go", "app.go", "confirm/confirm.go"} {
		if !slices.Contains(files, want) {
			t.Fatalf("walk did not find %s; found %v", want, files)
		}
	}
	for _, f := range files {
		if f == "input/input.go" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "textinput" && (sel.Sel.Name == "Model" || sel.Sel.Name == "New") {
					t.Errorf("%s uses textinput.%s: use input.Model (input.New), which guards its Update", f, sel.Sel.Name)
				}
			}
			return true
		})
	}
}

// In the running program: the filter, a few letters, the cursor onto the
// last one, alt+d. The program lives on and the letter is gone.
func TestAltDAtTheEndOfTheFilterDoesNotCrash(t *testing.T) {
	h := start(t, setup{})
	h.wait("Loaded 40 instances")
	h.key("/")
	h.key("web")
	h.tm.Send(keyMsg("left"))
	h.tm.Send(keyMsg("alt+d"))
	h.tm.Send(keyMsg("ctrl+delete"))
	h.key("b-prod")
	h.wait("/web-prod")
}
