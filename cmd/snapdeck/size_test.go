package main

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestAbsurdDiskSizesSaturate: disks of 2^62 MB used to wrap the backup's
// size to "size_bytes": -8581936147419103232. Sums and byte counts
// saturate; a negative disk size is unknown and adds nothing.
func TestAbsurdDiskSizesSaturate(t *testing.T) {
	f := simlinode.Demo(fixedNow)
	web := f.Instances[0]
	web.Current.Disks = []simlinode.Disk{{Label: "huge", SizeMB: 1 << 62, Filesystem: "ext4"}, {Label: "huge2", SizeMB: 1 << 62, Filesystem: "ext4"}, {Label: "neg", SizeMB: -5, Filesystem: "ext4"}}
	hs := httptest.NewServer(simlinode.New(f, simlinode.Options{SnapshotTime: time.Second}))
	t.Cleanup(hs.Close)
	var out, errb bytes.Buffer
	e := env{stdout: &out, stderr: &errb, now: func() time.Time { return fixedNow },
		getenv: func(k string) string { return map[string]string{"LINODE_TOKEN": simlinode.DemoToken}[k] }}
	r := result{e.run([]string{"backups", web.Label, "--json", "--api", hs.URL}), out.String(), errb.String()}
	wantCode(t, r, 0)
	var bs []backupJSON
	if err := json.Unmarshal([]byte(r.stdout), &bs); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range bs {
		if b.SizeBytes < 0 {
			t.Fatalf("negative size: %+v", b)
		}
		if b.Kind == "snapshot" {
			found = b.SizeBytes == math.MaxInt64
		}
	}
	if !found || strings.Contains(r.stdout, "-85") {
		t.Fatalf("the snapshot's size did not saturate:\n%s", r.stdout)
	}
}
