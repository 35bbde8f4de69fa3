package client

import "testing"

// TestRedact: the whole secret is masked, never a part of it and never a
// part of a word that happens to hold a short one.
func TestRedact(t *testing.T) {
	for _, tc := range []struct {
		s       string
		secrets []string
		want    string
	}{
		// A short value (a user name) inside words is left alone.
		{"Invalid Token", []string{"e"}, "Invalid Token"},
		{"user ops stops: ops!", []string{"ops"}, "user [x] stops: [x]!"},
		// A longer secret that holds a shorter one is masked whole.
		{"auth abcdefgh-longer failed", []string{"abcdefgh", "abcdefgh-longer"}, "auth [x] failed"},
		// A real token is masked wherever it appears, even glued to text.
		{"Bearer tok3n-abcdefXYZ/v4", []string{"tok3n-abcdefXYZ"}, "Bearer [x]/v4"},
		{"nothing", []string{"", "  "}, "nothing"},
	} {
		if got := Redact(tc.s, "[x]", tc.secrets...); got != tc.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", tc.s, tc.secrets, got, tc.want)
		}
	}
}
