package linode

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/snapdeck/snapdeck/client"
)

// TestAbsurdPageCountRefused: a reply claiming 300,000 pages made the TUI
// start a fetch per page and the CLI send 300,000 requests. The count is
// checked where it enters: against results ÷ page size and a ceiling.
func TestAbsurdPageCountRefused(t *testing.T) {
	for _, tc := range []struct{ pages, results int }{
		{300000, 3},         // more pages than the results fill
		{300000, 150000000}, // consistent, but past client.MaxResources
		{2, 500},            // one page too many
	} {
		var hits atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			hits.Add(1)
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"data":[],"page":1,"pages":%d,"results":%d}`, tc.pages, tc.results)
		}))
		p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL, Retries: -1}, Token: "t", NoPacing: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.ListResources(context.Background(), 1, client.Filter{})
		srv.Close()
		if client.KindOf(err) != client.ErrMalformed || !strings.Contains(err.Error(), fmt.Sprintf("claims %d pages", tc.pages)) {
			t.Errorf("%d pages, %d results: %v", tc.pages, tc.results, err)
		}
		if hits.Load() != 1 {
			t.Errorf("%d requests", hits.Load())
		}
	}
}
