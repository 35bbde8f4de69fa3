// Package keymap holds every key binding of the UI, and the adapter that hands
// a view's bindings to the help bubble.
package keymap

import "charm.land/bubbles/v2/key"

// KeyMap holds every binding; each view picks the ones that work there, so
// the footer never advertises a key that does nothing.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// ArrowUp and ArrowDown move while text is typed: k and j are text there.
	ArrowUp, ArrowDown                 key.Binding
	Open, Back, Filter, ClearFilter    key.Binding
	Refresh, Help, Quit, ForceQuit     key.Binding
	Apply                              key.Binding
	Snapshot, Restore, Enable, Cancel  key.Binding
	Schedule, Scan                     key.Binding
	Delete, Abort, Note, History, Jump key.Binding
	JobLog                             key.Binding
	// Violations shows only the rows that break the backup policy.
	Violations key.Binding

	// In dialogs and forms.
	Yes, No, Submit, Typed                  key.Binding
	NextField, PrevField, Choose, Overwrite key.Binding
	Left, Right, Complete                   key.Binding
	// TestPanic crashes on purpose, only when Options.PanicKey is set.
	TestPanic key.Binding
}

// New is the default keymap.
func New() KeyMap {
	return KeyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		ArrowUp:     key.NewBinding(key.WithKeys("up"), key.WithHelp("↑", "up")),
		ArrowDown:   key.NewBinding(key.WithKeys("down"), key.WithHelp("↓", "down")),
		PageUp:      key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:    key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:         key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Open:        key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:        key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Filter:      key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear")),
		Apply:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Refresh:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Snapshot:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "snapshot")),
		Restore:     key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restore")),
		Enable:      key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "enable backups")),
		Cancel:      key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "cancel backups")),
		Schedule:    key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "schedule")),
		Scan:        key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "scan all backups")),
		Delete:      key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "delete")),
		Abort:       key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "abort")),
		Note:        key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "note")),
		History:     key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "restore history")),
		Jump:        key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "jump")),
		JobLog:      key.NewBinding(key.WithKeys("J"), key.WithHelp("J", "job log")),
		Violations:  key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "violations")),

		// Yes confirms a y confirmation; Enter never does. Each dialog
		// sets the help text to what it does (withHelp).
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "go ahead")),
		No:        key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "change")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Typed:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("type label + enter", "confirm")),
		NextField: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		PrevField: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Choose:    key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "choose")),
		Overwrite: key.NewBinding(key.WithKeys("o", "space"), key.WithHelp("o", "toggle overwrite")),
		Left:      key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/→", "day")),
		Right:     key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("←/→", "day")),
		Complete:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		TestPanic: key.NewBinding(key.WithKeys("ctrl+\\")),
	}
}

// WithHelp is b with the help text of one dialog: "y" "restore".
func WithHelp(b key.Binding, k, desc string) key.Binding {
	b.SetHelp(k, desc)
	return b
}

// Help adapts a view's bindings to the help bubble.
type Help struct {
	Short []key.Binding
	Full  [][]key.Binding
}

// Note is a legend of the full help, under the keys: a title (a column's)
// and what its short words and glyphs mean, each item kept whole on a line.
type Note struct {
	Title string
	Items []string
}

// ShortHelp is the footer's line.
func (h Help) ShortHelp() []key.Binding { return h.Short }

// FullHelp is the help screen's groups.
func (h Help) FullHelp() [][]key.Binding { return h.Full }

// Footer lists every binding of h once (by key): the short ones first,
// then the rest of the full help with nav (navigation) last, then extra,
// the keys that work in every view (`:`, `q`, `?`), so the footer names
// every key that works in the view.
func Footer(h Help, nav []key.Binding, extra ...key.Binding) []key.Binding {
	var out []key.Binding
	seen := map[string]bool{}
	add := func(b key.Binding) {
		if k := b.Help().Key; k != "" && !seen[k] && b.Enabled() {
			seen[k] = true
			out = append(out, b)
		}
	}
	isNav := func(b key.Binding) bool {
		for _, n := range nav {
			if n.Help().Key == b.Help().Key {
				return true
			}
		}
		return false
	}
	for _, b := range h.Short {
		if !isTail(b, extra) {
			add(b)
		}
	}
	var navs []key.Binding
	for _, g := range h.Full {
		for _, b := range g {
			switch {
			case isTail(b, extra):
			case isNav(b):
				navs = append(navs, b)
			default:
				add(b)
			}
		}
	}
	for _, b := range navs {
		add(b)
	}
	for _, b := range extra {
		add(b)
	}
	return out
}

func isTail(b key.Binding, extra []key.Binding) bool {
	for _, e := range extra {
		if e.Help().Key == b.Help().Key {
			return true
		}
	}
	return false
}

// Fit is the footer's bindings that fit in w cells (each "key desc",
// joined by sep): all of bs when they fit; else as many as fit from the
// start, then keep (always shown: q, `:`), then more (`? more`), which the
// help screen completes.
func Fit(bs, keep []key.Binding, more key.Binding, w int, width func(string) int, sep string) []key.Binding {
	size := func(b key.Binding) int { return width(b.Help().Key) + 1 + width(b.Help().Desc) + width(sep) }
	total := -width(sep)
	for _, b := range bs {
		total += size(b)
	}
	if total <= w {
		return bs
	}
	tail := append(append([]key.Binding(nil), keep...), more)
	used := -width(sep)
	for _, b := range tail {
		used += size(b)
	}
	var out []key.Binding
	for _, b := range bs {
		if isTail(b, tail) {
			continue
		}
		if used+size(b) > w {
			break
		}
		out = append(out, b)
		used += size(b)
	}
	return append(out, tail...)
}
