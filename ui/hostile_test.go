package ui

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/vt"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// Hostile and odd strings from the API are drawn inert, aligned by display
// width and truncated cleanly.

// hostile are labels an API (or whoever named the resource) could send;
// shown is a piece of each that must be drawn.
var hostile = []struct{ label, shown string }{
	{"evil-\x1b[2J\x1b[H-clear", "evil--clear"},
	{"title-\x1b]0;pwned\x07-set", "title--set"},
	{"clip-\x1b]52;c;cm0gLXJmIH4=\x07-board", "clip--board"},
	{"bidi-\u202egnp.exe-\u202c-x", "bidi-gnp.exe--x"},
	{"zero\u200bwidth\u200d\ufeff-x", "zerowidth-x"},
	{"c1-\u009b31m-red", "c1--red"},
	{strings.Repeat("L", 300), strings.Repeat("L", 20)},
	{strings.Repeat("数据库主服务器", 6), "数据库主服务器"},
	{"🔥prod-🚀-db-👩‍💻", "🔥prod-🚀-db-"},
	{"tab\there\nnewline", "tab here newline"},
}

// The escape sequences above, which must never reach the terminal.
var injected = []string{"\x1b[2J\x1b[H-clear", "\x1b]0;pwned", "\x1b]52;", "\u202e", "\u200b", "\u200d\ufeff", "\u009b", "\t"}

func hostileFleet(now time.Time) *simlinode.Fleet {
	f := simlinode.Demo(now)
	for i, h := range hostile {
		in := f.Instances[10+i]
		in.Label = h.label
		in.Region = "ap-south"
		in.Status = "running"
	}
	// web-prod-01's snapshot, disk and config carry escapes too.
	web := f.Instances[0]
	web.Current.Label = "snap-\x1b]52;c;ZXZpbA==\x07\x1b[2J-evil"
	web.Current.Configs = []string{"cfg-\x1b]0;pwned\x07"}
	web.Current.Disks[0].Label = "disk-\u202eevil\x1b[31m"
	return f
}

func TestHostileLabelsDrawnInertAndAligned(t *testing.T) {
	// 130 columns: the label column is then wide enough for the 20 cells
	// of each hostile label checked below, next to the HISTORY column.
	h := start(t, setup{fleet: hostileFleet(time.Now()), w: 140, h: 40})
	var titles []string
	h.mu.Lock()
	h.emu.SetCallbacks(vt.Callbacks{Title: func(s string) { titles = append(titles, s) }})
	h.mu.Unlock()
	s := h.wait("Loaded 40 instances")
	lines := strings.Split(s, "\n")
	if len(lines) != 40 || !strings.HasPrefix(lines[0], "snapdeck") {
		t.Fatalf("the screen was cleared or scrolled:\n%s", s)
	}
	col := -1
	for _, l := range lines {
		if i := strings.Index(l, "REGION"); i >= 0 {
			col = ansi.StringWidth(l[:i])
		}
	}
	if col < 0 {
		t.Fatalf("no header:\n%s", s)
	}
	for _, x := range hostile {
		var row string
		for _, l := range lines {
			if strings.HasPrefix(l, x.shown) {
				row = l
			}
		}
		if row == "" {
			t.Errorf("no row starts with %q:\n%s", x.shown, s)
			continue
		}
		// Every column after the label starts at the same cell.
		if i := strings.Index(row, "ap-south"); i < 0 || ansi.StringWidth(row[:i]) != col {
			t.Errorf("region of %q not at cell %d: %q", x.shown, col, row)
		}
		if !utf8.ValidString(row) || strings.ContainsRune(row, utf8.RuneError) {
			t.Errorf("a character was cut in half: %q", row)
		}
	}
	// Long labels end in an ellipsis.
	for _, l := range lines {
		if strings.HasPrefix(l, "LLLL") || strings.HasPrefix(l, "数据库") {
			if !strings.Contains(l, "…") {
				t.Errorf("long label not truncated with …: %q", l)
			}
		}
	}

	// The backups and the detail of the instance with hostile backup fields.
	h.key("enter")
	s = h.wait("snap--evil")
	h.key("G")
	h.key("enter")
	s += h.waitAll("disk-evil", "cfg-")

	h.mu.Lock()
	raw := string(h.raw)
	got := append([]string(nil), titles...)
	h.mu.Unlock()
	for _, seq := range injected {
		if strings.Contains(raw, seq) {
			t.Errorf("the terminal received %q", seq)
		}
	}
	if strings.Contains(raw, "pwned") && strings.Contains(raw, "\x1b]") && strings.Contains(raw, "]0;pwned") {
		t.Errorf("a title set reached the terminal")
	}
	for _, ti := range got {
		if ti != "snapdeck" {
			t.Errorf("window title changed to %q", ti)
		}
	}
}

func TestHostileLabelsAtSmallWidths(t *testing.T) {
	h := start(t, setup{fleet: hostileFleet(time.Now()), w: 80, h: 24})
	h.wait("Loaded 40 instances")
	for _, w := range []int{30, 41, 57, 80, 33} {
		h.resize(w, 24)
		s := h.waitFor("redraw at width", func(s string) bool {
			ls := strings.Split(s, "\n")
			return len(ls) == 24 && strings.Contains(ls[len(ls)-1], "open") && ansi.StringWidth(ls[0]) <= w
		})
		for _, l := range strings.Split(s, "\n") {
			if ansi.StringWidth(l) > w {
				t.Fatalf("line wider than %d: %q", w, l)
			}
		}
	}
	h.resize(80, 24)
	// Move through the hostile rows and past them.
	for i := 0; i < 25; i++ {
		h.key("down")
	}
	s := h.wait("ap-south")
	if _, footer := lastLines(s); !strings.Contains(footer, "open") {
		t.Fatalf("footer lost:\n%s", s)
	}
}
