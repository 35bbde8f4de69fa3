package northflank

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simnf "github.com/snapdeck/snapdeck/sim/northflank"
)

// hostileIDs are IDs a provider could send that would move a request to
// another path: ".." turns DELETE …/addons/A/backups/.. into DELETE
// …/addons/A, the whole addon.
var hostileIDs = []string{"..", ".", "a/b", "%2e%2e", "x\n", "a\\b", "\x1b[2J"}

// TestHostileBackupIDNeverReachesTheServer: the simulator lists backups
// whose IDs are hostile; deleting, aborting or restoring one is refused
// with "unusable ID from the provider" and no request is sent.
func TestHostileBackupIDNeverReachesTheServer(t *testing.T) {
	f := simnf.Demo(now)
	orders := f.Projects[0].Addons[0]
	if f.Projects[0].ID+"/"+orders.ID != ordersID {
		t.Fatalf("fixture moved: %s/%s", f.Projects[0].ID, orders.ID)
	}
	for i, id := range hostileIDs {
		orders.Backups = append(orders.Backups, &simnf.Backup{ID: id, Name: "hostile", Status: "completed", Source: "snapshot",
			Created: now.Add(-time.Duration(i+1) * time.Minute), Completed: now.Add(-time.Duration(i+1) * time.Minute)})
	}
	s := simnf.New(f, simnf.Options{Options: sim.Options{Now: func() time.Time { return now }}, Token: token})
	var mu sync.Mutex
	var writes []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path)
			mu.Unlock()
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL, Retries: -1}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	bs, err := p.ListBackups(ctx, ordersID)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, b := range bs {
		seen[b.ID] = true
	}
	for _, id := range hostileIDs {
		if !seen[id] {
			t.Fatalf("the listing lost backup %q: %v", id, seen)
		}
		for name, act := range map[string]func() error{
			"delete":  func() error { return p.DeleteBackup(ctx, ordersID, id) },
			"abort":   func() error { return p.AbortBackup(ctx, ordersID, id) },
			"restore": func() error { return p.RestoreBackup(ctx, ordersID, id, ordersID, true) },
			"get":     func() error { _, err := p.GetBackup(ctx, ordersID, id); return err },
		} {
			err := act()
			if !errors.Is(err, client.ErrUnusableID) || client.KindOf(err) != client.ErrInvalid {
				t.Errorf("%s %q: err = %v, want unusable ID", name, id, err)
			}
		}
		// A hostile addon or project ID in a resource ID is refused too.
		for _, rid := range []string{"payments-platform/" + id, id + "/orders-db"} {
			if _, err := p.TakeSnapshot(ctx, rid, model.SnapshotRequest{Label: "nightly"}); err == nil {
				t.Errorf("snapshot of %q was sent", rid)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(writes) != 0 {
		t.Fatalf("requests reached the server: %q", writes)
	}
	if _, ok := s.Addon("payments-platform", "orders-db"); !ok {
		t.Fatal("the addon is gone")
	}
}

// TestCleanedIDNeverPointsAtAnotherBackup: through client.Sanitized (as
// every surface opens a provider), a backup whose ID is "bk-7" plus an
// escape or a bidi override is not cleaned into "bk-7": deleting it is
// refused, nothing is sent, and backup bk-7 is still there.
func TestCleanedIDNeverPointsAtAnotherBackup(t *testing.T) {
	f := simnf.Demo(now)
	orders := f.Projects[0].Addons[0]
	for i, id := range []string{"bk-7", "bk-7\x1b[A", "bk-7\u202e", "\x1b]8;;http://x\x1b\\bk-7\x1b]8;;\x1b\\"} {
		orders.Backups = append(orders.Backups, &simnf.Backup{ID: id, Name: "n", Status: "completed", Source: "snapshot",
			Created: now.Add(-time.Duration(i+1) * time.Minute), Completed: now.Add(-time.Duration(i+1) * time.Minute)})
	}
	s := simnf.New(f, simnf.Options{Options: sim.Options{Now: func() time.Time { return now }}, Token: token})
	var mu sync.Mutex
	var writes []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			mu.Lock()
			writes = append(writes, r.Method+" "+r.URL.Path)
			mu.Unlock()
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	np, err := New(Config{Transport: client.Transport{BaseURL: srv.URL, Retries: -1}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	p := client.Sanitized(np)
	ctx := context.Background()
	bs, err := p.ListBackups(ctx, ordersID)
	if err != nil {
		t.Fatal(err)
	}
	hostile := 0
	for _, b := range bs {
		if !strings.Contains(b.ID, "bk-7") || b.ID == "bk-7" {
			continue
		}
		hostile++
		if err := p.(client.Actions).DeleteBackup(ctx, ordersID, b.ID); !errors.Is(err, client.ErrUnusableID) {
			t.Errorf("delete %q: err = %v, want unusable ID", b.ID, err)
		}
	}
	if hostile != 3 {
		t.Fatalf("listed %d hostile bk-7 look-alikes, want 3: %v", hostile, bs)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(writes) != 0 {
		t.Fatalf("requests reached the server: %q", writes)
	}
	if _, err := p.GetBackup(ctx, ordersID, "bk-7"); err != nil {
		t.Fatalf("backup bk-7: %v", err)
	}
}
