package civo

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/snapdeck/snapdeck/client"
)

// TestAbsurdPageCountRefused: Civo gives no total, so a page count past
// the ceiling (client.MaxResources at PerPage a page) is refused on the
// first page, filtered or not, instead of read page by page.
func TestAbsurdPageCountRefused(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/v2/snapshots" {
			_, _ = w.Write([]byte(`[]`))
			return
		}
		hits.Add(1)
		_, _ = w.Write([]byte(`{"page":1,"per_page":100,"pages":300000,"items":[]}`))
	}))
	t.Cleanup(srv.Close)
	p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL, Retries: -1}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []client.Filter{{}, {Label: "web"}} {
		_, err = p.ListResources(ctx, 1, f)
		if client.KindOf(err) != client.ErrMalformed || !strings.Contains(err.Error(), "claims 300000 pages") {
			t.Fatalf("filter %+v: %v", f, err)
		}
	}
	if hits.Load() != 2 {
		t.Fatalf("%d instance pages read", hits.Load())
	}
}
