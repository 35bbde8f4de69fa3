package linodedb

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// TestHostileIDNeverReachesTheServer: this provider's IDs are numbers, but
// an ID handed to it (from the CLI, a stale list, a hostile reply) that
// could move a request's path is refused with "unusable ID from the
// provider" before anything is sent.
func TestHostileIDNeverReachesTheServer(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL}, Token: "t", NoPacing: true})
	if err != nil {
		t.Fatal(err)
	}
	var _ client.Actions = p
	ctx := context.Background()
	good := "mysql/123"
	resource := func(id string) string { return "mysql/" + id }
	for _, id := range []string{"..", ".", "a/b", "%2e%2e", "x\n", "1\x00", "1%2f2"} {
		calls := map[string]func() error{
			"get resource": func() error { _, err := p.GetResource(ctx, resource(id)); return err },
			"list backups": func() error { _, err := p.ListBackups(ctx, resource(id)); return err },
			"get backup":   func() error { _, err := p.GetBackup(ctx, good, id); return err },
			"snapshot": func() error {
				_, err := p.TakeSnapshot(ctx, resource(id), model.SnapshotRequest{Label: "nightly"})
				return err
			},
			"restore":      func() error { return p.RestoreBackup(ctx, good, id, good, true) },
			"restore onto": func() error { return p.RestoreBackup(ctx, good, "1", resource(id), true) },
			"delete":       func() error { return p.DeleteBackup(ctx, good, id) },
		}
		for name, call := range calls {
			err := call()
			// Refused for another reason first is fine too: the provider
			// cannot do it, or the target is not the backup's own.
			other := client.KindOf(err) == client.ErrUnsupported || name == "restore onto" && client.KindOf(err) == client.ErrInvalid
			if !errors.Is(err, client.ErrUnusableID) && !other {
				t.Errorf("%s with %q: %v, want unusable ID", name, id, err)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}
