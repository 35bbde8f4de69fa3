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

// TestSnapshotDefaultsToWhatTheVMSupports: a Superb Flex VM without
// incremental backups has its primary disk backed up (said on stderr)
// rather than a 422; --disk chooses the disk; a VM with them still takes a
// whole-VM backup.
func TestSnapshotDefaultsToWhatTheVMSupports(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "audit.log")
	flex := func(args ...string) result {
		return runCmd(t, nil, append(args, "--account", "flex-demo", "--json", "--demo", "--demo-latency", "0", "--audit-log", audit)...)
	}
	r := flex("snapshot", "web-01", "--label", "before")
	wantCode(t, r, 0)
	if !strings.Contains(r.stderr, "cannot take a backup of the whole VM") || !strings.Contains(r.stderr, "backing up disk") {
		t.Fatalf("the default disk is not said:\n%s", r.stderr)
	}
	var b backupJSON
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	recs := auditLines(t, audit)
	disk, _ := recs[len(recs)-1]["disk"].(string)
	if disk == "" || recs[len(recs)-1]["outcome"] != "ok" {
		t.Fatalf("not a disk backup: %v", recs[len(recs)-1])
	}

	r = flex("snapshot", "web-01", "--label", "again", "--disk", disk)
	wantCode(t, r, 0)
	if strings.Contains(r.stderr, "backing up disk") {
		t.Fatalf("--disk was overridden:\n%s", r.stderr)
	}
	r = flex("snapshot", "web-01", "--label", "x", "--disk", "1")
	wantCode(t, r, 2)
	wantOneLine(t, r, "disk 1 is not a disk of VM")

	r = flex("snapshot", "db-master", "--label", "whole")
	wantCode(t, r, 0)
	recs = auditLines(t, audit)
	if last := recs[len(recs)-1]; last["disk"] != nil || last["outcome"] != "ok" {
		t.Fatalf("a VM with incremental backups did not back up whole: %v", last)
	}
}
