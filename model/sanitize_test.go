package model

import (
	"strings"
	"testing"
)

// Each escape is removed whole, in its 7-bit and its C1 form, and what it
// framed (a hyperlink's text) stays readable.
func TestSanitizeRemovesSequencesWhole(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b]8;;http://x\x1b\\label\x1b]8;;\x1b\\":   "label",
		"\u009d8;;http://x\u009clabel\u009d8;;\u009c": "label",
		"a\u009b2Jb":                     "ab",
		"a\x1b[2J\x1b[Hb":                "ab",
		"a\x9b2Jb":                       "a2Jb", // a lone 0x9B byte is no character: dropped alone
		"bidi-\u202egnp.exe":             "bidi-gnp.exe",
		"t\x1b]0;pwned\x07x":             "tx",
		"c\x1b]52;c;cm0=\x1b\\d":         "cd",
		"dcs\x1bP+q\x1b\\.":              "dcs.",
		"dcs\u0090+q\u009c.":             "dcs.",
		"apc\x1b_x\x1b\\.pm\x1b^y\x07.":  "apc.pm.",
		"sos\u0098secret\u009c.":         "sos.",
		"apc\u009fx\u009c.pm\u009ey\a.":  "apc.pm.",
		"esc\x1b7save\x1b(Bcharset":      "escsavecharset",
		"unterminated\x1b]0;title":       "unterminated",
		"lone\x1b":                       "lone",
		"tab\there\nnl\rcr":              "tab here nl cr",
		"👩\u200d💻":                       "👩\u200d💻",
		"zero\u200bwidth\ufeff\u00ad":    "zerowidth",
		"c0\x00\x07\x7f c1\u0085\u009c.": "c0 c1.",
		"数据库":                            "数据库",
		"plain":                          "plain",
	} {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
		if got := Sanitize(want); got != want {
			t.Errorf("not idempotent on %q: %q", want, got)
		}
	}
}

// An ID is never cleaned into another ID: an action on the cleaned one
// would hit a different backup.
func TestSanitizeIDNeverBecomesAnotherID(t *testing.T) {
	clean := []string{"7", "bk-01", "snap_2026.12.01", "Ω-1"}
	for _, id := range clean {
		if got := SanitizeID(id); got != id {
			t.Errorf("SanitizeID(%q) = %q, want it unchanged", id, got)
		}
	}
	hostile := []string{"7\x1b[2J", "7\u202e", "\u009b7", "7\n", "\x1b]8;;http://x\x1b\\7\x1b]8;;\x1b\\"}
	seen := map[string]string{}
	for _, id := range hostile {
		got := SanitizeID(id)
		if got == "7" || got == Sanitize(id) {
			t.Errorf("SanitizeID(%q) = %q: cleaned into another ID", id, got)
		}
		if Sanitize(got) != got {
			t.Errorf("SanitizeID(%q) = %q is not inert", id, got)
		}
		if !strings.Contains(got, `\`) {
			t.Errorf("SanitizeID(%q) = %q: the path builder would not refuse it", id, got)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("SanitizeID(%q) and SanitizeID(%q) are both %q", prev, id, got)
		}
		seen[got] = id
	}
	b := Backup{ID: "7\u202e", ResourceID: "1\x1b[A"}.Sanitized()
	if b.ID == "7" || b.ResourceID == "1" {
		t.Errorf("Backup.Sanitized() cleaned IDs into others: %q %q", b.ID, b.ResourceID)
	}
}
