package ui

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// FuzzSanitize: whatever an API sends, sanitize leaves no escape or control
// character, never makes the text wider (but for whitespace controls, which
// become one space each), and is idempotent. Seeds: testdata/fuzz/FuzzSanitize.
func FuzzSanitize(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.label)
	}
	for _, s := range []string{"", "plain", "\x1b", "\x1b[", "\x1b]52;c;", "\x9b2J", "\xc2\x9b2J", "\xff\xfe", "a\x00b", "\x1bP+q\x1b\\", "é\u0301", "\u2028\u2029"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := sanitize(in)
		var prev rune
		for i, r := range out {
			if r == zwj && emojiJoin(prev, out[i+len(string(zwj)):]) {
				prev = r
				continue // joins two emoji, as in 👩‍💻
			}
			prev = r
			if r == utf8.RuneError && !strings.ContainsRune(in, utf8.RuneError) {
				t.Fatalf("sanitize(%q) = %q invents U+FFFD", in, out)
			}
			if r == 0x1b || unicode.IsControl(r) || isInvisible(r) {
				t.Fatalf("sanitize(%q) = %q keeps %U", in, out, r)
			}
		}
		// The input's width: rune by rune (a whole invalid string has no
		// reliable width), whitespace controls counted as the space they become.
		wi := 0
		for i, r := range in {
			switch {
			case r == '\t' || r == '\n' || r == '\r':
				wi++
			case r != utf8.RuneError || strings.HasPrefix(in[i:], "\uFFFD"):
				wi += ansi.StringWidth(string(r))
			}
		}
		// Read as a whole, variation selectors can widen a cluster (0️).
		wi = max(wi, ansi.StringWidth(in), ansi.StringWidth(strings.ToValidUTF8(in, ""))+spaces(in))
		if w := ansi.StringWidth(out); w > wi {
			t.Fatalf("sanitize(%q) = %q is wider: %d > %d", in, out, w, wi)
		}
		if again := sanitize(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
		// What the screen does with it: exactly the width asked for.
		for _, w := range []int{1, 2, 7, 24} {
			if got := ansi.StringWidth(fit(out, w)); got != w {
				t.Fatalf("fit(%q, %d) is %d wide", out, w, got)
			}
		}
	})
}

func spaces(s string) int {
	return strings.Count(s, "\t") + strings.Count(s, "\n") + strings.Count(s, "\r")
}
