package civo

import (
	"errors"
	"testing"

	"github.com/snapdeck/snapdeck/client"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
)

// TestHostileSnapshotNameNeverReachesTheServer: Civo names snapshots, and
// the name goes into DELETE /v2/snapshots/:name. A snapshot the API lists
// under a name like ".." is shown, but deleting it is refused with
// "unusable ID from the provider" and nothing is sent.
func TestHostileSnapshotNameNeverReachesTheServer(t *testing.T) {
	f := simcivo.Demo(now)
	in := f.Instances[0]
	hostile := []string{"..", ".", "%2e%2e", "x\n", "a\\b"}
	for _, name := range hostile {
		f.Snapshots = append(f.Snapshots, &simcivo.Snapshot{ID: "hostile-" + name, Name: name, InstanceID: in.ID,
			Hostname: in.Hostname, Region: in.Region, Status: "complete", RequestedAt: now, CompletedAt: now})
	}
	e := setup(t, f, simcivo.Options{}, Config{})
	bs, err := e.p.ListBackups(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, b := range bs {
		listed[b.ID] = true
	}
	before := e.s.Requests()
	for _, name := range hostile {
		if !listed[name] {
			t.Errorf("snapshot %q not listed: %v", name, listed)
		}
		err := e.p.DeleteBackup(ctx, in.ID, name)
		if !errors.Is(err, client.ErrUnusableID) {
			t.Errorf("delete %q: %v, want unusable ID", name, err)
		}
	}
	// An instance ID the API could send that would move GET /v2/instances/:id.
	for _, id := range []string{"..", "."} {
		if _, err := e.p.GetResource(ctx, id); !errors.Is(err, client.ErrUnusableID) {
			t.Errorf("get instance %q: %v, want unusable ID", id, err)
		}
	}
	if n := e.s.Requests() - before; n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}
