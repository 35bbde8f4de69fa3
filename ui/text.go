package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/model"
)

// sanitize makes a string from an API inert before it is drawn: escape
// sequences (screen clears, title sets, OSC 52 clipboard writes) are removed,
// and so are control, bidi-override and zero-width characters that could
// disguise what the operator reads.
func sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	// Invalid bytes go first: the escape parser would otherwise join the
	// bytes around them into characters the API never sent.
	s = ansi.Strip(strings.ToValidUTF8(s, ""))
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for i, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r == zwj && emojiJoin(prev, s[i+len(string(zwj)):]):
			// Inside an emoji sequence (👩‍💻) the joiner is what makes one
			// glyph of two; dropping it would widen the text.
			b.WriteRune(r)
		case unicode.IsControl(r), isInvisible(r):
			// dropped
			continue
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

const zwj = '\u200D'

// emojiJoin reports whether a zero-width joiner after prev and before rest
// joins two emoji.
func emojiJoin(prev rune, rest string) bool {
	next, _ := utf8.DecodeRuneInString(rest)
	isEmoji := func(r rune) bool { return r >= 0x2600 && unicode.Is(unicode.So, r) }
	return (isEmoji(prev) || prev == 0xFE0F || (prev >= 0x1F3FB && prev <= 0x1F3FF)) && isEmoji(next)
}

// isPlain is the fast path: printable ASCII needs no work.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isInvisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200F, // zero-width space/joiners, LRM, RLM
		r >= 0x202A && r <= 0x202E, // bidi embeddings and overrides
		r >= 0x2060 && r <= 0x2069, // word joiner, invisible operators, bidi isolates
		r == 0xFEFF, r == 0x061C, r == 0x00AD,
		// Text/emoji presentation selectors: terminals disagree on the width
		// they give (0️ is one cell or two), which would break alignment.
		r == 0xFE0E, r == 0xFE0F:
		return true
	}
	// Every other format character too (Arabic number signs, tags…): none
	// draws anything of its own, and some glue onto what follows.
	return unicode.Is(unicode.Cf, r)
}

// fit pads or truncates s to exactly w display cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	for cut := w; sw > w && cut > 0; cut-- {
		// Truncate and StringWidth can disagree on a grapheme cluster;
		// cut further until the result fits.
		s = ansi.Truncate(s, cut, "…")
		sw = ansi.StringWidth(s)
	}
	if sw > w {
		s, sw = "", 0
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// age renders how long ago t was, in the compact form operators scan fast.
func age(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	if model.ClockSkewed(now, t) {
		return "in future" // clock skew or an invalid date; BackupStale says so too
	}
	d := now.Sub(t)
	if d < 0 {
		return "just now"
	}
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd ago", int(d.Hours()/24))
	}
}

// stamp renders t in local time with its age, or a dash.
func stamp(now, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04") + " (" + age(now, t) + ")"
}

func shortTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("01-02 15:04")
}

// duration renders a backup's run time: "42m", "1h05m".
func duration(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	if d < time.Hour {
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// sizeMB renders a size given in MB (as Linode reports disks) human-readably.
func sizeMB(mb int) string {
	switch {
	case mb <= 0:
		return "—"
	case mb < 1024:
		return fmt.Sprintf("%d MB", mb)
	case mb < 1024*1024:
		return trimZero(fmt.Sprintf("%.1f GB", float64(mb)/1024))
	default:
		return trimZero(fmt.Sprintf("%.1f TB", float64(mb)/(1024*1024)))
	}
}

func trimZero(s string) string { return strings.Replace(s, ".0 ", " ", 1) }
