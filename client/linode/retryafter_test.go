package linode

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
)

// TestHugeRetryAfterThroughLinodego: a 429 asking for 999999999 s goes
// through linodego's retries (each wait capped by MaxRetryWait) and the
// account's Pacer; the error and the Pacer's hold both say 10m0s at most,
// never 277777h.
func TestHugeRetryAfterThroughLinodego(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "999999999")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"errors":[{"reason":"Too many requests"}]}`))
	}))
	t.Cleanup(srv.Close)
	pacer := client.NewPacer()
	p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL, Retries: -1, RetryWait: time.Millisecond, MaxRetryWait: time.Millisecond, Pacer: pacer}, Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.ListResources(context.Background(), 1, client.Filter{})
	if client.KindOf(err) != client.ErrRateLimited || !strings.HasSuffix(err.Error(), "try again in 10m0s") {
		t.Fatalf("first: %v", err)
	}
	// The next request, with a deadline, is held back by the Pacer for no
	// more than the cap, and says so without sending.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = p.ListResources(ctx, 1, client.Filter{})
	var e *client.Error
	if client.KindOf(err) != client.ErrRateLimited || !errors.As(err, &e) || e.RetryAfter > client.MaxRetryAfter {
		t.Fatalf("second: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d requests", hits.Load())
	}
}
