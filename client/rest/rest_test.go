package rest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
)

const secret = "hunter2-token"

func serve(t *testing.T, h http.HandlerFunc) (*Client, *atomic.Int64) {
	t.Helper()
	return serveTimeout(t, h, 300*time.Millisecond)
}

// serveTimeout is serve with another per-attempt timeout.
func serveTimeout(t *testing.T, h http.HandlerFunc, timeout time.Duration) (*Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	c, err := New(Config{
		Transport: client.Transport{BaseURL: srv.URL + "/api", Retries: 2, RetryWait: 5 * time.Millisecond, Timeout: timeout},
		Auth:      func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) },
		Secrets:   []string{secret},
		Reasons:   func(_ int, b []byte) []string { return []string{strings.TrimSpace(string(b))} },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c, &n
}

func TestGetRetriedPostSentOnce(t *testing.T) {
	var calls atomic.Int64
	c, n := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%2 == 1 {
			w.WriteHeader(503)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true,"path":"` + r.URL.EscapedPath() + `"}`))
	})
	var out struct {
		OK   bool
		Path string
	}
	if _, _, err := c.Do(context.Background(), "GET", "/x/"+url.PathEscape("a b"), nil, nil, &out); err != nil || !out.OK {
		t.Fatalf("GET after a 503: %v %+v", err, out)
	}
	if out.Path != "/api/x/a%20b" || n.Load() != 2 {
		t.Fatalf("path %q after %d requests", out.Path, n.Load())
	}
	calls.Store(0)
	n.Store(0)
	_, _, err := c.Do(context.Background(), "POST", "/x", nil, map[string]string{"a": "b"}, &out)
	if client.KindOf(err) != client.ErrServer || n.Load() != 1 {
		t.Fatalf("POST: %v after %d requests, want one server error", err, n.Load())
	}
}

func TestErrorsClassifiedAndScrubbed(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		kind client.ErrorKind
	}{
		{"401", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(401)
			_, _ = w.Write([]byte("bad token " + secret))
		}, client.ErrAuth},
		{"404", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) }, client.ErrNotFound},
		{"422", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(422)
			_, _ = w.Write([]byte("name is taken"))
		}, client.ErrInvalid},
		{"429", func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Retry-After", "7"); w.WriteHeader(429) }, client.ErrRateLimited},
		{"html", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<html>portal</html>"))
		}, client.ErrMalformed},
		{"truncated", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"ok":`)) }, client.ErrMalformed},
		{"huge", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(strings.Repeat(" ", MaxBody+10))) }, client.ErrMalformed},
		{"hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, client.ErrTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 300 * time.Millisecond
			if tc.name == "huge" {
				// 8 MiB must arrive whole to be judged too large: under -race
				// on a busy machine that can take longer than 300 ms.
				timeout = 30 * time.Second
			}
			c, _ := serveTimeout(t, tc.h, timeout)
			var out map[string]any
			_, _, err := c.Do(context.Background(), "PUT", "/y", nil, nil, &out)
			if client.KindOf(err) != tc.kind {
				t.Fatalf("got %v, want kind %d", err, tc.kind)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("secret in %q", err)
			}
			if tc.name == "429" {
				if e := err.(*client.Error); e.RetryAfter != 7*time.Second {
					t.Fatalf("Retry-After %s", e.RetryAfter)
				}
			}
			if tc.name == "422" && !strings.Contains(err.Error(), "name is taken") {
				t.Fatalf("reason lost: %v", err)
			}
		})
	}
}

func TestFormBody(t *testing.T) {
	c, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"v":"` + r.Header.Get("Content-Type") + " " + r.PostForm.Get("instance_id") + `"}`))
	})
	var out struct{ V string }
	if _, _, err := c.Do(context.Background(), "PUT", "/s", nil, Form(url.Values{"instance_id": {"i-1"}}), &out); err != nil {
		t.Fatal(err)
	}
	if out.V != "application/x-www-form-urlencoded i-1" {
		t.Fatalf("form: %q", out.V)
	}
}
