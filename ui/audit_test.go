package ui

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/linode"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestAuditLogNamesLabelAndJobOutcome: a snapshot taken in the TUI leaves
// audit lines that name the instance's label next to its ID, and, once the
// job is watched to its end, a "job" line with the verdict.
func TestAuditLogNamesLabelAndJobOutcome(t *testing.T) {
	srv := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{SnapshotTime: 300 * time.Millisecond, RestoreTime: 300 * time.Millisecond})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	lp, err := linode.New(linode.Config{Transport: client.Transport{BaseURL: hs.URL, Timeout: 5 * time.Second, Retries: 1, MaxRetryWait: time.Second}, Token: simlinode.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := client.OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	p := client.Audited(client.Sanitized(lp), log, "test")
	app := New(Options{Provider: p, Account: "test", Now: time.Now, Timeout: 5 * time.Second, PollEvery: 50 * time.Millisecond})
	h := run(t, app, app, 100, 30)
	h.srv = srv

	h.wait("Loaded 40 instances")
	h.select_("web-prod-01")
	h.key("s")
	h.wait("Take a snapshot of web-prod-01")
	h.clearInput()
	h.key("before-upgrade")
	h.key("enter")
	h.wait("Replace \"pre-deploy-2026-11\"")
	h.key("y")
	h.wait("✓ Snapshot before-upgrade of web-prod-01 finished")

	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var job map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if m["resource_label"] != "web-prod-01" {
			t.Errorf("an audit line without the instance's label: %s", l)
		}
		if m["action"] == "job" {
			job = m
		}
	}
	if job == nil || job["outcome"] != "done" || job["job"] != "snapshot" || !strings.Contains(job["verdict"].(string), "before-upgrade") {
		t.Fatalf("no job line with the verdict:\n%s", b)
	}
}
