package ui

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/text"
)

// FuzzSanitize: whatever an API sends, model.Sanitize (which
// client.Sanitized applies to every provider string) leaves no escape or
// control character, never makes the text wider (but for whitespace
// controls, which become one space each), is idempotent, and fit then draws
// it exactly as wide as asked. It lives here rather than in model because
// widths are measured as the terminal draws them (charmbracelet/x/ansi).
// Seeds: testdata/fuzz/FuzzSanitize.
func FuzzSanitize(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.label)
	}
	for _, s := range []string{"", "plain", "\x1b", "\x1b[", "\x1b]52;c;", "\x9b2J", "\xc2\x9b2J", "\x1b]8;;http://x\x1b\\label\x1b]8;;\x1b\\", "\u009d8;;x\u009cl", "\u00902\u009c", "\u009fa\u009e\u0098", "\xff\xfe", "a\x00b", "\x1bP+q\x1b\\", "é\u0301", "\u2028\u2029"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := model.Sanitize(in)
		var prev rune
		for i, r := range out {
			if r == zwj && emojiJoin(prev, out[i+len(string(zwj)):]) {
				prev = r
				continue // joins two emoji, as in 👩‍💻
			}
			prev = r
			if r == utf8.RuneError && !strings.ContainsRune(in, utf8.RuneError) {
				t.Fatalf("Sanitize(%q) = %q invents U+FFFD", in, out)
			}
			if r == 0x1b || unicode.IsControl(r) || drawsNothing(r) {
				t.Fatalf("Sanitize(%q) = %q keeps %U", in, out, r)
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
			t.Fatalf("Sanitize(%q) = %q is wider: %d > %d", in, out, w, wi)
		}
		if again := model.Sanitize(out); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", in, out, again)
		}
		// What the screen does with it: exactly the width asked for.
		for _, w := range []int{1, 2, 7, 24} {
			if got := ansi.StringWidth(text.Fit(out, w)); got != w {
				t.Fatalf("text.Fit(%q, %d) is %d wide", out, w, got)
			}
		}
	})
}

func spaces(s string) int {
	return strings.Count(s, "\t") + strings.Count(s, "\n") + strings.Count(s, "\r")
}

const zwj = '\u200D'

// emojiJoin reports whether a zero-width joiner after prev and before rest
// joins two emoji, the one case where Sanitize keeps a joiner.
func emojiJoin(prev rune, rest string) bool {
	next, _ := utf8.DecodeRuneInString(rest)
	isEmoji := func(r rune) bool { return r >= 0x2600 && unicode.Is(unicode.So, r) }
	return (isEmoji(prev) || prev == 0xFE0F || (prev >= 0x1F3FB && prev <= 0x1F3FF)) && isEmoji(next)
}

// drawsNothing: format characters (bidi overrides, zero-width ones, tags)
// and the presentation selectors.
func drawsNothing(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == 0xFE0E || r == 0xFE0F || (r >= 0x200B && r <= 0x200F) ||
		(r >= 0x202A && r <= 0x202E) || (r >= 0x2060 && r <= 0x2069)
}
