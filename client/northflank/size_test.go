package northflank

import (
	"context"
	"math"
	"testing"
	"time"

	simnf "github.com/snapdeck/snapdeck/sim/northflank"
)

// TestAbsurdSizes: a negative size is unknown (0, shown as "—") instead of
// failing the whole list; one past int64 saturates instead of wrapping.
func TestAbsurdSizes(t *testing.T) {
	f := simnf.Demo(now)
	orders := f.Projects[0].Addons[0]
	orders.Backups = append(orders.Backups,
		&simnf.Backup{ID: "neg", Name: "neg", Status: "completed", Source: "snapshot", Created: now.Add(-time.Minute), Completed: now.Add(-time.Minute), SizeBytes: -8581936147419103232})
	e := setup(t, f, simnf.Options{}, Config{})
	bs, err := e.p.ListBackups(context.Background(), ordersID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.SizeBytes < 0 || b.Size() < 0 {
			t.Fatalf("negative size: %+v", b)
		}
		if b.ID == "neg" && b.SizeBytes != 0 {
			t.Fatalf("size %d, want 0 (unknown)", b.SizeBytes)
		}
	}
	// Sizes past int64, as a number or past float64: saturated.
	for _, size := range []string{"1e30", "99999999999999999999999", "1e999"} {
		var raw backupJSON
		raw.ID, raw.Name, raw.Status, raw.CreatedAt, raw.Config.Size = "x", "x", "completed", now.Format(time.RFC3339), size
		b, err := toBackup(ordersID, &raw)
		if err != nil || b.SizeBytes != math.MaxInt64 {
			t.Fatalf("size %s: %d, %v", size, b.SizeBytes, err)
		}
	}
}
