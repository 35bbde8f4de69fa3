package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestTimeoutIsTheWholeCommand: under a rate limit `resources --timeout`
// ran for as long as the retries' waits added up (20 s for 5 s), silently.
// --timeout bounds the whole command: a wait the deadline cannot cover is
// not started, and the error says what was waited for.
func TestTimeoutIsTheWholeCommand(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "20")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"errors":[{"reason":"Too many requests"}]}`))
	}))
	t.Cleanup(srv.Close)
	for _, cmd := range [][]string{{"resources"}, {"check"}, {"backups", "web-prod-01"}} {
		hits.Store(0)
		var out, errb bytes.Buffer
		e := env{stdout: &out, stderr: &errb, now: func() time.Time { return fixedNow },
			getenv: func(k string) string { return map[string]string{"LINODE_TOKEN": "test-token"}[k] }}
		code := e.run(append(cmd, "--timeout", "1s", "--api", srv.URL))
		r := result{code, out.String(), errb.String()}
		wantCode(t, r, 2)
		wantOneLine(t, r, "rate limited")
		if !strings.Contains(r.stderr, "try again in 20s") {
			t.Errorf("%s: %q", cmd[0], r.stderr)
		}
		// One request: no retry is sent after a wait the deadline cannot
		// cover (linodego's default would try three more times).
		if n := hits.Load(); n != 1 {
			t.Errorf("%s: %d requests", cmd[0], n)
		}
	}
}

// TestTimeoutSaysWhichLimit: a server that never answers is given up on
// at --timeout, and the error names that limit.
func TestTimeoutSaysWhichLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	var out, errb bytes.Buffer
	e := env{stdout: &out, stderr: &errb, now: func() time.Time { return fixedNow },
		getenv: func(k string) string { return map[string]string{"LINODE_TOKEN": "test-token"}[k] }}
	r := result{e.run([]string{"resources", "--timeout", "300ms", "--api", srv.URL}), out.String(), errb.String()}
	wantCode(t, r, 2)
	wantOneLine(t, r, "timed out: --timeout 300ms for the whole command passed")
}
