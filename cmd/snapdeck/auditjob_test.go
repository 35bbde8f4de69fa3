package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// auditLines reads the audit log's records.
func auditLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		out = append(out, m)
	}
	return out
}

// TestAuditNamesLabelAndJobOutcome: `snapshot --wait` leaves the resource's
// label next to its ID on every line, and a "job" line with the verdict
// once the snapshot is done; one that is given up on says "unknown".
func TestAuditNamesLabelAndJobOutcome(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "audit.log")
	r := runCmd(t, nil, "snapshot", "web-prod-01", "--label", "before-upgrade", "--wait", "--poll", "50ms",
		"--demo", "--demo-latency", "0", "--demo-job-time", "300ms", "--audit-log", audit)
	wantCode(t, r, 0)
	recs := auditLines(t, audit)
	var job map[string]any
	for _, m := range recs {
		if m["resource_label"] != "web-prod-01" {
			t.Errorf("a record without the resource's label: %v", m)
		}
		if m["action"] == "job" {
			job = m
		}
	}
	if job == nil || job["outcome"] != "done" || job["job"] != "snapshot" || job["backup"] == "" ||
		!strings.Contains(job["verdict"].(string), "before-upgrade") {
		t.Fatalf("no job line with the verdict: %v", recs)
	}

	audit2 := filepath.Join(t.TempDir(), "audit.log")
	r = runCmd(t, nil, "snapshot", "cache-01", "--label", "slow", "--wait", "--poll", "20ms", "--timeout", "200ms",
		"--demo", "--demo-latency", "0", "--demo-job-time", "1h", "--audit-log", audit2)
	wantCode(t, r, 2)
	recs = auditLines(t, audit2)
	last := recs[len(recs)-1]
	if last["action"] != "job" || last["outcome"] != "unknown" || last["resource_label"] != "cache-01" {
		t.Fatalf("a wait given up on is not recorded as unknown: %v", last)
	}
}
