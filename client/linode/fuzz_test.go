package linode

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
)

// The decoders fed arbitrary bytes as a 200 application/json reply: they may
// fail, with a typed error, but never panic, and what they accept is sane.
// Seeds: testdata/fuzz/FuzzDecode*.

// bodyServer answers every request with the current body.
type bodyServer struct{ body atomic.Pointer[[]byte] }

func (b *bodyServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(*b.body.Load())
}

func fuzzProvider(f *testing.F) (*bodyServer, *Provider) {
	bs := &bodyServer{}
	empty := []byte{}
	bs.body.Store(&empty)
	p, err := New(Config{
		Transport: client.Transport{BaseURL: "http://fuzz.invalid", HTTPClient: sim.InProcess(bs), Timeout: 2 * time.Second, Retries: -1},
		Token:     token,
		NoPacing:  true,
	})
	if err != nil {
		f.Fatal(err)
	}
	return bs, p
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err != nil && client.KindOf(err) == client.ErrOther {
		t.Fatalf("untyped error: %v", err)
	}
}

var pageSeeds = []string{
	`{"data":[{"id":1,"label":"a","region":"us-east","status":"running","created":"2026-01-02T03:04:05","backups":{"enabled":true,"last_successful":"2026-01-02T03:04:05","schedule":{"day":"Sunday","window":"W4"}},"specs":{"disk":1}}],"page":1,"pages":1,"results":1}`,
	`{"data":[],"page":1,"pages":1,"results":0}`,
	`{"data":[{"id":"x"}],"pages":1}`,
	`{"data":[{"id":1,"created":"not a time"}],"pages":1}`,
	`{"data":null,"pages":1}`,
	`{}`, `[]`, `null`, `{"data":[{"id":1}`, `{"data":[{"id":1e400}],"pages":1}`,
	`{"data":[{"id":2,"label":"\u001b]52;c;eA==\u0007","tags":null,"backups":null}],"pages":-1}`,
}

func FuzzDecodeInstances(f *testing.F) {
	for _, s := range pageSeeds {
		f.Add([]byte(s))
	}
	bs, p := fuzzProvider(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		bs.body.Store(&body)
		rp, err := p.ListResources(context.Background(), 1, client.Filter{})
		checkErr(t, err)
		if err == nil {
			for _, r := range rp.Items {
				if r.ID == "" || r.ID == "0" {
					t.Fatalf("accepted an instance without an ID: %+v", r)
				}
			}
			if rp.Pages < 1 {
				t.Fatalf("accepted %d pages", rp.Pages)
			}
		}
		_, err = p.GetResource(context.Background(), "1")
		checkErr(t, err)
	})
}

var backupSeeds = []string{
	`{"automatic":[{"id":1,"label":null,"status":"successful","type":"auto","available":true,"created":"2026-01-02T03:04:05","updated":"2026-01-02T03:04:05","finished":"2026-01-02T03:34:05","configs":["c"],"disks":[{"label":"d","size":100,"filesystem":"ext4"}]}],"snapshot":{"current":null,"in_progress":{"id":2,"label":"s","status":"running","type":"snapshot","created":"2026-01-02T03:04:05"}}}`,
	`{"automatic":[],"snapshot":{}}`,
	`{"automatic":[null],"snapshot":{"current":{"id":0}}}`,
	`{"automatic":[{"id":1,"disks":[null,{"size":"big"}]}],"snapshot":{}}`,
	`{"snapshot":{}}`, `{"automatic":[]}`, `{}`, `null`, `{"automatic":{},"snapshot":[]}`,
	`{"id":3,"label":"x","status":"pending","type":"snapshot","created":"2026-01-02T03:04:05"}`,
	`{"data":[{"id":5,"action":"linode_snapshot","status":"started","percent_complete":40,"entity":{"id":1,"type":"linode"}}],"pages":1}`,
}

func FuzzDecodeBackups(f *testing.F) {
	for _, s := range backupSeeds {
		f.Add([]byte(s))
	}
	bs, p := fuzzProvider(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		bs.body.Store(&body)
		ctx := context.Background()
		backups, err := p.ListBackups(ctx, "1")
		checkErr(t, err)
		for _, b := range backups {
			if b.ID == "" || b.ID == "0" {
				t.Fatalf("accepted a backup without an ID: %+v", b)
			}
		}
		_, err = p.GetBackup(ctx, "1", "2")
		checkErr(t, err)
		_, err = p.TakeSnapshot(ctx, "1", model.SnapshotRequest{Label: "label"})
		checkErr(t, err)
		_, err = p.Events(ctx, "1")
		checkErr(t, err)
	})
}
