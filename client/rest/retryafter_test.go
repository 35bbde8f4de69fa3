package rest

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/snapdeck/snapdeck/client"
)

// TestHugeRetryAfterIsCapped: a 429 asking for 999999999 s is reported as
// at most client.MaxRetryAfter ("try again in 10m0s", not 277777h), and
// with a Pacer the account is held back no longer than that.
func TestHugeRetryAfterIsCapped(t *testing.T) {
	for _, v := range []string{"999999999", "99999999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT"} {
		h := http.Header{}
		h.Set("Retry-After", v)
		if d := RetryAfter(h); d != client.MaxRetryAfter {
			t.Errorf("RetryAfter(%q) = %v", v, d)
		}
	}
	c, n := serve(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "999999999")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c.c.Retries = 0
	_, _, err := c.Do(context.Background(), http.MethodGet, "/x", nil, nil, nil)
	if client.KindOf(err) != client.ErrRateLimited || !strings.HasSuffix(err.Error(), "try again in 10m0s") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 1 {
		t.Fatalf("%d requests", n.Load())
	}
}
