package client

import (
	"errors"
	"strings"
	"testing"
)

func TestPathRefusesHostileIDs(t *testing.T) {
	for _, id := range []string{"", ".", "..", "a/b", "/", "a\\b", "%2e%2e", "%2F", "x\n", "x\r", "\x00", "\x7f", "\u0085", "\u2028", "\xff", strings.Repeat("a", 257)} {
		p, err := Path("/v1/addons/{}/backups", id)
		if p != "" || !errors.Is(err, ErrUnusableID) || KindOf(err) != ErrInvalid {
			t.Errorf("Path(%q) = %q, %v", id, p, err)
		}
		if err != nil && !strings.Contains(err.Error(), "unusable ID from the provider") {
			t.Errorf("message: %v", err)
		}
		if strings.ContainsAny(err.Error(), "\n\r\x00\x7f") {
			t.Errorf("the error carries a control byte: %q", err.Error())
		}
	}
	p, err := Path("/v1/projects/{}/addons/{}/backups/{}", "payments", "orders db", "snap-1..2~x")
	if err != nil || p != "/v1/projects/payments/addons/orders%20db/backups/snap-1..2~x" {
		t.Fatalf("Path = %q, %v", p, err)
	}
}

func TestIntID(t *testing.T) {
	notFound := func(s string) error { return &Error{Kind: ErrNotFound, Reasons: []string{"no " + s}} }
	for in, want := range map[string]ErrorKind{"": ErrNotFound, "web": ErrNotFound, "+5": ErrNotFound, "05": ErrNotFound, "0": ErrNotFound, "-1": ErrNotFound,
		"..": ErrInvalid, "1/2": ErrInvalid, "1%2f": ErrInvalid, "1\n": ErrInvalid} {
		if _, err := IntID(in, notFound); KindOf(err) != want {
			t.Errorf("IntID(%q): %v, want kind %v", in, err, want)
		}
	}
	if n, err := IntID("123", notFound); n != 123 || err != nil {
		t.Fatalf("IntID(123) = %d, %v", n, err)
	}
}
