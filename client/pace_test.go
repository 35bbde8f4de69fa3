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
