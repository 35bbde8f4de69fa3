package civo

import (
	"math"
	"testing"

	simcivo "github.com/snapdeck/snapdeck/sim/civo"
)

// TestAbsurdSnapshotSizeSaturates: size_gb × 2^30 used to wrap negative.
func TestAbsurdSnapshotSizeSaturates(t *testing.T) {
	f := simcivo.Demo(now)
	in := f.Instances[0]
	f.Snapshots = append(f.Snapshots, &simcivo.Snapshot{ID: "huge", Name: "huge", InstanceID: in.ID, Hostname: in.Hostname,
		Region: in.Region, Status: "complete", SizeGB: 1 << 40, RequestedAt: now, CompletedAt: now})
	e := setup(t, f, simcivo.Options{}, Config{})
	bs, err := e.p.ListBackups(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.ID == "huge" && b.SizeBytes != math.MaxInt64 {
			t.Fatalf("size %d", b.SizeBytes)
		}
		if b.SizeBytes < 0 {
			t.Fatalf("negative size: %+v", b)
		}
	}
}
