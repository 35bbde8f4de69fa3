package linodedb

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/snapdeck/snapdeck/client"
)

// TestAbsurdPageCountRefused: a reply claiming 300,000 pages of three
// databases is refused on the first page, not read page by page.
func TestAbsurdPageCountRefused(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"data":[],"page":1,"pages":300000,"results":3}`))
	}))
	t.Cleanup(srv.Close)
	p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL, Retries: -1}, Token: "t", NoPacing: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.ListResources(context.Background(), 1, client.Filter{})
	if client.KindOf(err) != client.ErrMalformed || !strings.Contains(err.Error(), "claims 300000 pages") {
		t.Fatalf("err = %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("%d requests", hits.Load())
	}
}
