package client

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestPacerResetKinds: Linode's X-RateLimit-Reset is a Unix time,
// Northflank's the seconds left; either way a closed window refuses a
// request whose deadline comes first, saying how long to wait.
func TestPacerResetKinds(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		p     *Pacer
		reset string
	}{
		{"unix time", NewPacer(), "1795780830"}, // now + 30 s
		{"seconds left", NewRelativePacer(), "30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.p.now = func() time.Time { return now }
			h := http.Header{}
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset", tc.reset)
			tc.p.inflight++
			tc.p.release(&http.Response{StatusCode: 200, Header: h})
			ctx, cancel := context.WithDeadline(context.Background(), now.Add(10*time.Second))
			defer cancel()
			err := tc.p.acquire(ctx)
			var e *Error
			if !asError(err, &e) || e.Kind != ErrRateLimited || e.RetryAfter != 30*time.Second {
				t.Fatalf("refusal: %v", err)
			}
		})
	}
}

func asError(err error, e **Error) bool {
	x, ok := err.(*Error)
	*e = x
	return ok
}

// TestRetryAfterPacer: for an API that announces no window, X-RateLimit
// headers (from whatever stands in front of it) hold nothing back, and a
// 429's Retry-After, in seconds or as a date, holds every request until it
// has run.
func TestRetryAfterPacer(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	reply := func(p *Pacer, status int, kv ...string) {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		p.inflight++
		p.release(&http.Response{StatusCode: status, Header: h})
	}
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(10*time.Second))
	defer cancel()

	p := NewRetryAfterPacer()
	p.now = func() time.Time { return now }
	reply(p, 200, "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "30")
	if err := p.acquire(ctx); err != nil {
		t.Fatalf("held back by headers the API does not send: %v", err)
	}
	p.inflight--
	for _, v := range []string{"30", now.Add(30 * time.Second).Format(http.TimeFormat)} {
		p := NewRetryAfterPacer()
		p.now = func() time.Time { return now }
		reply(p, 429, "Retry-After", v)
		var e *Error
		if err := p.acquire(ctx); !asError(err, &e) || e.Kind != ErrRateLimited || e.RetryAfter != 30*time.Second {
			t.Fatalf("Retry-After %q: %v", v, err)
		}
		now := now.Add(30 * time.Second)
		p.now = func() time.Time { return now }
		if err := p.acquire(ctx); err != nil {
			t.Fatalf("Retry-After %q, after it ran: %v", v, err)
		}
	}
}
