package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// secret is a token no output may ever contain.
const secret = "tok-SECRET-5f3a9c1e-do-not-print"

// TestTokenNeverWritten runs the binary with a recognisable token against a
// simulator that accepts it, browses, takes a snapshot, makes the API fail
// (once with an error that echoes the token back), then crashes it on
// purpose, and greps every byte it produced — screen and stderr (one pty),
// the crash report and the audit log — for the token.
func TestTokenNeverWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	sim := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{Token: secret, SnapshotTime: 300 * time.Millisecond})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	audit := filepath.Join(t.TempDir(), "audit.log")
	tm := startTerm(t, 100, 30, []string{"LINODE_TOKEN=" + secret, "LINODE_URL=" + srv.URL, "SNAPDECK_TEST_PANIC=1"},
		"--audit-log", audit, "--poll", "100ms", "--timeout", "8s")
	tm.waitText("Loaded 40 instances")
	tm.send("/")
	tm.sendText("cache-01")
	tm.waitText("Instances 1/40")
	tm.send(keyEnter)
	tm.send("s")
	tm.waitText("no snapshot yet")
	tm.send(keyEnter)
	tm.waitText("finished")

	// An API error that quotes the token back must not draw it.
	sim.FailNext(2, 400, `{"errors":[{"reason":"token `+secret+` is not allowed here"}]}`)
	tm.send(keyEnter) // open the backups
	s := tm.waitText("Could not load backups")
	if !strings.Contains(s, "[token]") {
		t.Errorf("the echoed token was not replaced:\n%s", s)
	}
	// Four 500s outlast the client's three retries.
	sim.FailNext(4, 500, `{"errors":[{"reason":"Authorization: Bearer `+secret+`"}]}`)
	tm.send("r")
	tm.waitText("server error")
	tm.send("r")
	tm.waitText("(automatic)")

	// A crash: the report goes to stderr, the terminal is restored.
	tm.send("\x1c") // ctrl+\
	code := tm.wait()
	out := tm.output()
	if !bytes.Contains(out, []byte("test panic")) || !bytes.Contains(out, []byte("goroutine")) {
		t.Errorf("no crash report (exit %d):\n%s", code, tm.screen())
	}
	if code == 0 {
		t.Errorf("a crash exited 0")
	}
	if !bytes.Contains(out, []byte("\x1b[?1049l")) {
		t.Errorf("the alternate screen was not left after the crash")
	}
	if bytes.Contains(out, []byte(secret)) {
		i := bytes.Index(out, []byte(secret))
		t.Errorf("the token reached the terminal: …%q…", out[max(0, i-80):min(len(out), i+80)])
	}
	log, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte(`"action":"snapshot"`)) {
		t.Errorf("the snapshot is not in the audit log:\n%s", log)
	}
	if bytes.Contains(log, []byte(secret)) {
		t.Errorf("the token is in the audit log:\n%s", log)
	}
}

// TestRejectedTokenNotEchoed: a rejected token ends with one line on stderr
// that does not repeat it.
func TestRejectedTokenNotEchoed(t *testing.T) {
	srv := httptest.NewServer(simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{Token: "the-right-one"}))
	defer srv.Close()
	cmd := exec.Command(binary(t), "--audit-log", filepath.Join(t.TempDir(), "a.log"))
	cmd.Env = append(os.Environ(), "LINODE_TOKEN="+secret, "LINODE_URL="+srv.URL)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v; stderr %q", err, stderr.String())
	}
	if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "rejected") {
		t.Fatalf("want one line, got %q", stderr.String())
	}
	if strings.Contains(stdout.String()+stderr.String(), secret) {
		t.Fatalf("token echoed: %q", stderr.String())
	}
}

// TestAuditLogOthersCanReadRefused: a log file group or others can read is
// refused before anything runs: exit 2, one line, the fix named.
func TestAuditLogOthersCanReadRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o644, 0o640, 0o606} {
		path := filepath.Join(t.TempDir(), "audit.log")
		if err := os.WriteFile(path, nil, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		cmd := exec.Command(binary(t), "--demo", "--audit-log", path)
		cmd.Env = append(os.Environ(), "LINODE_TOKEN=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 2 {
			t.Fatalf("mode %04o: exit %v, stderr %q", mode, err, stderr.String())
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) != 1 || !strings.Contains(lines[0], "chmod 600") {
			t.Fatalf("mode %04o: want one line naming the fix, got %q", mode, stderr.String())
		}
	}
}
