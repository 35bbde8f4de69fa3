package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestJourneyInPTY walks the main journey in a real terminal at 80×24:
// filter to an instance, open its backups, open a backup, back, quit.
func TestJourneyInPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tm := startTerm(t, 80, 24, []string{"LINODE_TOKEN="}, "--demo", "--demo-latency", "20ms")
	// The SNAPSHOT column comes with the snapshots, a read after the list's.
	s := tm.waitFor("the list with its snapshots", func(s string) bool {
		return strings.Contains(s, "Loaded 40 instances") && !strings.Contains(s, "loading")
	})
	for _, want := range []string{"LABEL", "LAST GOOD", "SNAPSHOT", "web-prod-01", "legacy-mail"} {
		if !strings.Contains(s, want) {
			t.Errorf("instance list lacks %q:\n%s", want, s)
		}
	}

	tm.send("/")
	tm.sendText("db-pri")
	s = tm.waitText("Instances 1/40")
	if !strings.Contains(s, "db-primary") || strings.Contains(s, "web-prod-01") {
		t.Fatalf("filter did not narrow the list to db-primary:\n%s", s)
	}
	tm.send(keyEnter) // keep the filter
	tm.send(keyEnter) // open the instance
	s = tm.waitText("before-schema-migration")
	if !strings.Contains(s, "running") || !strings.Contains(s, "automatic") {
		t.Fatalf("backup list lacks the running snapshot or the automatic backups:\n%s", s)
	}

	tm.send(keyEnter) // the first (newest automatic) backup
	s = tm.waitText("Backup ")
	for _, want := range []string{"of db-primary", "Status", "Available", "Disks (", "Configs"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q:\n%s", want, s)
		}
	}

	tm.escTo("before-schema-migration")
	// The backups' breadcrumb says "Instances 1/40" too: the list's own
	// header tells that esc was read.
	tm.escTo("LAST GOOD")
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestResizeAndTinyTerminal shrinks the terminal below the minimum and back:
// no panic, a clear message, and the list again afterwards.
func TestResizeAndTinyTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tm := startTerm(t, 100, 30, nil, "--demo", "--demo-latency", "20ms")
	tm.waitText("Loaded 40 instances")
	tm.resize(20, 5)
	tm.waitText("too small")
	tm.resize(80, 24)
	tm.waitText("web-prod-01")
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestMissingTokenIsOneLine runs without --demo and without a token.
func TestMissingTokenIsOneLine(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tm := startTerm(t, 80, 24, []string{"LINODE_TOKEN="})
	if code := tm.wait(); code != 2 {
		t.Fatalf("exit code %d, want 2", code)
	}
	out := bytes.TrimSpace(tm.output())
	if !bytes.Contains(out, []byte("LINODE_TOKEN is not set")) || bytes.Count(out, []byte("\n")) > 0 {
		t.Fatalf("want one clear line, got %q", out)
	}
}

// TestRejectedTokenIsOneLineAndNeverShown points the binary, through
// LINODE_URL, at a simulator that does not know its token.
func TestRejectedTokenIsOneLineAndNeverShown(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := httptest.NewServer(simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{}))
	defer srv.Close()
	const secret = "tok-3f9a1c77e2d54b8a9c0d"
	tm := startTerm(t, 80, 24, []string{"LINODE_TOKEN=" + secret, "LINODE_URL=" + srv.URL})
	if code := tm.wait(); code != 2 {
		t.Fatalf("exit code %d, want 2; screen:\n%s", code, tm.screen())
	}
	out := tm.output()
	if bytes.Contains(out, []byte(secret)) {
		t.Fatalf("the token was written to the terminal")
	}
	line := string(bytes.TrimSpace(out))
	if strings.Contains(line, "\n") || !strings.Contains(line, "LINODE_TOKEN was rejected") || !strings.Contains(line, "Invalid Token") {
		t.Fatalf("want one line naming the API's reason, got %q", line)
	}
}

// TestSnapshotAndRestoreInPTY takes a snapshot in --demo and watches it
// succeed, then restores a backup onto another Linode with overwrite and the
// typed label, and watches the restore finish; both land in the audit log.
func TestSnapshotAndRestoreInPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	audit := filepath.Join(t.TempDir(), "audit.log")
	tm := startTerm(t, 120, 36, nil, "--demo", "--demo-latency", "20ms", "--demo-job-time", "1500ms",
		"--poll", "200ms", "--audit-log", audit)
	tm.waitText("Loaded 40 instances")
	tm.send("/")
	tm.sendText("cache-01")
	tm.waitText("Instances 1/40")
	tm.send(keyEnter)

	tm.send("s")
	tm.waitText("no snapshot yet")
	tm.send("\x15") // ctrl+u clears the suggested label
	tm.sendText("e2e-snap")
	tm.waitText("✓ 8/255 characters")
	tm.send(keyEnter)
	tm.waitText("✓ Snapshot e2e-snap of cache-01 finished")

	tm.send(keyEnter)
	// The row, not the name alone: the status line names it before the
	// backup list has loaded.
	s := tm.waitFor("the snapshot's row", func(s string) bool { return rowHas(s, "e2e-snap", "✓ successful") })
	if !rowHas(s, "e2e-snap", "✓ successful") {
		t.Fatalf("the new snapshot is not listed as successful:\n%s", s)
	}
	tm.send("g")
	tm.send("R")
	tm.waitText("cache-01 (this Linode)")
	tm.send(keyDown)
	tm.send("o")
	tm.waitText("ERASES every disk")
	tm.send(keyEnter)
	s = tm.waitText("to confirm,")
	target := ""
	for _, l := range strings.Split(s, "\n") {
		if i, j := strings.Index(l, "Type "), strings.Index(l, " to confirm,"); i >= 0 && j > i {
			target = strings.TrimSpace(l[i+5 : j])
		}
	}
	if target == "" || target == "cache-01" {
		t.Fatalf("no other target named:\n%s", s)
	}
	tm.sendText(target)
	tm.send(keyEnter)
	tm.waitText("onto " + target + " finished")
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}

	info, err := os.Stat(audit)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("audit log mode %v, want 0600", info.Mode().Perm())
	}
	data, _ := os.ReadFile(audit)
	var lines []string // the outcome lines; each follows its "sent" line
	jobs := 0          // and each job's end, once watched to it
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		switch {
		case strings.Contains(l, `"action":"job"`):
			if !strings.Contains(l, `"outcome":"done"`) {
				t.Fatalf("a job line without the done outcome: %s", l)
			}
			jobs++
		case !strings.Contains(l, `"outcome":"sent"`):
			lines = append(lines, l)
		}
	}
	if jobs != 2 {
		t.Fatalf("%d job lines, want the snapshot's and the restore's:\n%s", jobs, data)
	}
	if len(lines) != 2 || !strings.Contains(lines[0], `"snapshot"`) || !strings.Contains(lines[1], `"restore"`) ||
		strings.Count(string(data), `"outcome":"sent"`) != 2 {
		t.Fatalf("audit log should hold the snapshot then the restore:\n%s", data)
	}
	for _, l := range lines {
		if !strings.Contains(l, `"outcome":"ok"`) {
			t.Fatalf("audit line without ok outcome: %s", l)
		}
	}
}

// rowHas reports whether a screen line holding key also holds want.
func rowHas(screen, key, want string) bool {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, key) && strings.Contains(l, want) {
			return true
		}
	}
	return false
}
