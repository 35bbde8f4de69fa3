package model

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanitize makes a string from a provider inert before anything draws or
// prints it: escape sequences (screen clears, title sets, OSC 8 hyperlinks,
// OSC 52 clipboard writes, device control strings), in their 7-bit (ESC …)
// and 8-bit C1 forms (U+009B CSI, U+009D OSC, U+0090 DCS, U+0098 SOS,
// U+009E PM, U+009F APC), are removed whole; so is every other C0 or C1
// control character, and the bidi, zero-width and other format characters
// that could disguise what the operator reads (U+202E). Tab, newline and
// carriage return become one space each. A zero-width joiner between two
// emoji (👩‍💻) is kept: it makes one glyph of two. Invalid UTF-8 is dropped.
//
// The result is idempotent: Sanitize(Sanitize(s)) == Sanitize(s).
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	// Invalid bytes go first: a lone 0x9B byte is no character, and
	// dropping it later could join what surrounds it into one.
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	var prev rune
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if next := skipSequence(s, i); next > i {
			i = next
			continue
		}
		i += n
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r == zwj && emojiJoin(prev, s[i:]):
			b.WriteRune(r)
		case unicode.IsControl(r), invisible(r):
			continue // dropped; prev stays what was written last
		default:
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// skipSequence returns the index just past the escape sequence starting at
// s[i], or i when none starts there. An unterminated string sequence runs to
// the end, as a terminal would swallow it.
func skipSequence(s string, i int) int {
	r, n := utf8.DecodeRuneInString(s[i:])
	j := i + n
	switch r {
	case 0x1b: // ESC
		if j >= len(s) {
			return j
		}
		c := s[j]
		switch {
		case c == '[':
			return skipCSI(s, j+1)
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			return skipString(s, j+1)
		case c >= 0x20 && c <= 0x2f: // intermediates, then one final byte
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
				j++
			}
			if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
				j++
			}
			return j
		case c >= 0x30 && c <= 0x7e: // a two-character escape: ESC 7, ESC c…
			return j + 1
		}
		return j // a lone ESC
	case 0x9b: // C1 CSI
		return skipCSI(s, j)
	case 0x9d, 0x90, 0x98, 0x9e, 0x9f: // C1 OSC, DCS, SOS, PM, APC
		return skipString(s, j)
	}
	return i
}

// skipCSI skips a control sequence's parameters, intermediates and final
// byte from s[j]. Anything else ends it there, and is judged on its own.
func skipCSI(s string, j int) int {
	for j < len(s) {
		c := s[j]
		switch {
		case c >= 0x20 && c <= 0x3f:
			j++
		case c >= 0x40 && c <= 0x7e:
			return j + 1
		default:
			return j
		}
	}
	return j
}

// skipString skips a string sequence's body from s[j] up to and including
// its terminator: BEL, ST (ESC \ or U+009C), or CAN/SUB which abort it. An
// ESC that does not begin ST ends the string and begins what follows.
func skipString(s string, j int) int {
	for j < len(s) {
		r, n := utf8.DecodeRuneInString(s[j:])
		switch r {
		case 0x07, 0x9c, 0x18, 0x1a:
			return j + n
		case 0x1b:
			if j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
			return j
		}
		j += n
	}
	return j
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

func invisible(r rune) bool {
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

// Inert reports whether s draws as itself: Sanitize leaves it unchanged.
func Inert(s string) bool { return Sanitize(s) == s }

// sanitizeAll returns ss with every string sanitised, sharing ss when all
// were already inert.
func sanitizeAll(ss []string) []string {
	var out []string
	for i, s := range ss {
		c := Sanitize(s)
		if c != s && out == nil {
			out = append(make([]string, 0, len(ss)), ss[:i]...)
		}
		if out != nil {
			out = append(out, c)
		}
	}
	if out == nil {
		return ss
	}
	return out
}

// SanitizeID makes an ID inert without ever turning it into another one:
// cleaning "7\x1b[2J" to "7" would point a delete at backup 7. An ID that
// Sanitize would change comes back quoted in ASCII instead ("\"7\\x1b[2J\""):
// distinct from every clean ID, drawable, and refused by the URL path
// builder (client.CheckID refuses its backslash), so no request is sent for it.
func SanitizeID(id string) string {
	if Sanitize(id) == id {
		return id
	}
	return strconv.QuoteToASCII(id)
}

// Sanitized returns a copy of r with every string made inert (Sanitize).
func (r Resource) Sanitized() Resource {
	r.ID = SanitizeID(r.ID)
	r.Provider = Sanitize(r.Provider)
	r.Kind = ResourceKind(Sanitize(string(r.Kind)))
	r.Label = Sanitize(r.Label)
	r.Region = Sanitize(r.Region)
	r.Status = Sanitize(r.Status)
	r.Plan = Sanitize(r.Plan)
	r.Tags = sanitizeAll(r.Tags)
	r.Schedule = r.Schedule.Sanitized()
	return r
}

// Sanitized returns a copy of s with every string made inert.
func (s Schedule) Sanitized() Schedule {
	return Schedule{Day: Sanitize(s.Day), Window: Sanitize(s.Window)}
}

// Sanitized returns a copy of b, its disks, restore and fields included,
// with every string made inert. The copy shares no slice with b.
func (b Backup) Sanitized() Backup {
	b.ID = SanitizeID(b.ID)
	b.ResourceID = SanitizeID(b.ResourceID)
	b.Kind = BackupKind(Sanitize(string(b.Kind)))
	b.Slot = Slot(Sanitize(string(b.Slot)))
	b.Label = Sanitize(b.Label)
	b.Status = Status(Sanitize(string(b.Status)))
	b.RawStatus = Sanitize(b.RawStatus)
	b.Configs = sanitizeAll(b.Configs)
	if b.Disks != nil {
		ds := make([]Disk, len(b.Disks))
		for i, d := range b.Disks {
			ds[i] = d.Sanitized()
		}
		b.Disks = ds
	}
	b.Type = Sanitize(b.Type)
	b.Note = Sanitize(b.Note)
	if b.LastRestore != nil {
		r := b.LastRestore.Sanitized()
		b.LastRestore = &r
	}
	if b.Fields != nil {
		fs := make([]Field, len(b.Fields))
		for i, f := range b.Fields {
			fs[i] = f.Sanitized()
		}
		b.Fields = fs
	}
	return b
}

// Sanitized returns a copy of d with every string made inert.
func (d Disk) Sanitized() Disk {
	d.ID = SanitizeID(d.ID)
	d.Label = Sanitize(d.Label)
	d.Filesystem = Sanitize(d.Filesystem)
	return d
}

// Sanitized returns a copy of f with every string made inert.
func (f Field) Sanitized() Field {
	return Field{Name: Sanitize(f.Name), Value: Sanitize(f.Value)}
}

// Sanitized returns a copy of r with every string made inert.
func (r Restore) Sanitized() Restore {
	r.BackupID = SanitizeID(r.BackupID)
	r.BackupName = Sanitize(r.BackupName)
	r.Status = Status(Sanitize(string(r.Status)))
	r.RawStatus = Sanitize(r.RawStatus)
	return r
}

// Sanitized returns a copy of e with every string made inert.
func (e Event) Sanitized() Event {
	e.ID = SanitizeID(e.ID)
	e.Action = Sanitize(e.Action)
	e.Status = Sanitize(e.Status)
	e.Kind = EventKind(Sanitize(string(e.Kind)))
	e.Phase = Status(Sanitize(string(e.Phase)))
	e.EntityID = SanitizeID(e.EntityID)
	e.EntityLabel = Sanitize(e.EntityLabel)
	e.SecondaryID = SanitizeID(e.SecondaryID)
	e.Message = Sanitize(e.Message)
	return e
}
