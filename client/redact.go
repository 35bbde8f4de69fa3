package client

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordOnlyBelow is the length under which a secret is redacted only where
// it stands as a whole word. Tokens and passwords shorter than 8 are refused
// where they are read (config.MinSecretLen); what is still this short here
// is a user name ("ops"), and cutting it out of every word that holds it
// ("st[secret]") would garble the message.
const wordOnlyBelow = 8

// Redact replaces every whole occurrence of each secret in s with mask.
// Longer secrets go first, so a secret that holds another is never left
// half shown; empty and blank secrets are ignored.
func Redact(s, mask string, secrets ...string) string {
	ss := make([]string, 0, len(secrets))
	for _, sec := range secrets {
		if strings.TrimSpace(sec) != "" {
			ss = append(ss, sec)
		}
	}
	sort.SliceStable(ss, func(i, j int) bool { return len(ss[i]) > len(ss[j]) })
	for _, sec := range ss {
		if utf8.RuneCountInString(sec) >= wordOnlyBelow {
			s = strings.ReplaceAll(s, sec, mask)
			continue
		}
		s = replaceWords(s, sec, mask)
	}
	return s
}

// replaceWords replaces the occurrences of w in s that no letter or digit
// touches on either side.
func replaceWords(s, w, mask string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, w)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(w):])
		b.WriteString(s[:i])
		if i > 0 && wordRune(before) || i+len(w) < len(s) && wordRune(after) {
			b.WriteString(w)
		} else {
			b.WriteString(mask)
		}
		s = s[i+len(w):]
	}
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }
