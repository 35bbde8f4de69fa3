package rest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/snapdeck/snapdeck/client"
)

// TestDotSegmentPathNeverSent: a path that reached Do without client.Path
// and holds a ".." (escaped or not) would be folded into its parent by
// JoinPath: DELETE /addons/A/backups/.. is DELETE /addons/A. It is refused.
func TestDotSegmentPathNeverSent(t *testing.T) {
	c, n := serve(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	for _, p := range []string{"/v1/addons/A/backups/..", "/v1/addons/A/backups/./x", "/v1/addons/A/backups/%2e%2e", "/v1/addons/A/backups/%2E."} {
		_, _, err := c.Do(context.Background(), http.MethodDelete, p, nil, nil, nil)
		if !errors.Is(err, client.ErrUnusableID) {
			t.Errorf("%s: %v, want unusable ID", p, err)
		}
	}
	if n.Load() != 0 {
		t.Fatalf("%d requests sent", n.Load())
	}
}
