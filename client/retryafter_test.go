package client

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestHugeRetryAfterLocksTenMinutesAtMost: one 429 with Retry-After
// 999999999 (or a reset decades away) held every request of the account,
// and of every bastion session sharing its Pacer, until restart ("try
// again in 277777h"). The wait is capped at MaxRetryAfter, after which a
// refresh sends again.
func TestHugeRetryAfterLocksTenMinutesAtMost(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		p      *Pacer
		status int
		h      map[string]string
	}{
		{"429 seconds", NewPacer(), 429, map[string]string{"Retry-After": "999999999"}},
		{"429 overflowing seconds", NewPacer(), 429, map[string]string{"Retry-After": "99999999999999999999999"}},
		{"reset as unix time", NewPacer(), 200, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "99999999999"}},
		{"reset as seconds left", NewRelativePacer(), 200, map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "999999999"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := now
			tc.p.now = func() time.Time { return clock }
			h := http.Header{}
			for k, v := range tc.h {
				h.Set(k, v)
			}
			tc.p.inflight++
			tc.p.release(&http.Response{StatusCode: tc.status, Header: h})
			// A request whose deadline comes first is refused, told a
			// bounded wait.
			ctx, cancel := context.WithDeadline(context.Background(), now.Add(time.Second))
			defer cancel()
			err := tc.p.acquire(ctx)
			var e *Error
			if !asError(err, &e) || e.Kind != ErrRateLimited || e.RetryAfter != MaxRetryAfter ||
				!strings.HasSuffix(err.Error(), "try again in 10m0s") {
				t.Fatalf("refusal: %v", err)
			}
			// Past the cap, "r" is let through at once.
			clock = now.Add(MaxRetryAfter)
			if err := tc.p.acquire(context.Background()); err != nil {
				t.Fatalf("after %s: %v", MaxRetryAfter, err)
			}
		})
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "30": 30 * time.Second, "600": MaxRetryAfter, "999999999": MaxRetryAfter, "99999999999999999999999": MaxRetryAfter,
	} {
		if d, ok := RetryAfterSeconds(in); !ok || d != want {
			t.Errorf("RetryAfterSeconds(%q) = %v, %v; want %v", in, d, ok, want)
		}
	}
	for _, in := range []string{"", "-5", "1.5", "soon", "+3"} {
		if _, ok := RetryAfterSeconds(in); ok {
			t.Errorf("RetryAfterSeconds(%q) accepted", in)
		}
	}
}
