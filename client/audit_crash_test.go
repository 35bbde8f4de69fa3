package client

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// TestAuditLogSurvivesKill kills a process in the middle of writing audit
// records, several times, and checks that every line left is whole JSON:
// a crash can lose the record being written, never tear one.
func TestAuditLogSurvivesKill(t *testing.T) {
	if path := os.Getenv("SNAPDECK_AUDIT_WRITER"); path != "" {
		writeForever(path) // the child
		return
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	for round := range 5 {
		// Each writer opens the log a previous one may have left torn.
		cmd := exec.Command(os.Args[0], "-test.run", "^TestAuditLogSurvivesKill$")
		cmd.Env = append(os.Environ(), "SNAPDECK_AUDIT_WRITER="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill it only once it writes: under -race on a busy machine a
		// child can take longer than the sleep below just to start.
		if !waitLine(out, "writing") {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatal("the writer never started writing")
		}
		time.Sleep(time.Duration(60+round*17) * time.Millisecond)
		_ = cmd.Process.Kill() // SIGKILL: no deferred close, no flush
		_ = cmd.Wait()
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The last writer's torn line, if any, is repaired by the next open.
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	_ = l.Close()
	data, _ := os.ReadFile(path)
	if len(data) == 0 || data[len(data)-1] != '\n' {
		t.Fatalf("the log ends in a torn line (%d bytes)", len(data))
	}
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d is not whole JSON: %v: %q", n+1, err, sc.Text())
		}
		n++
	}
	if n < 5 {
		t.Fatalf("only %d records written", n)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", info.Mode().Perm())
	}
}

// writeForever appends records until killed, with long labels so that a
// write is large enough to be caught half-way if it were not atomic.
func writeForever(path string) {
	log, err := OpenAuditLog(path)
	if err != nil {
		os.Exit(3)
	}
	p := Audited(&fake{}, log, "crash-test").(Actions)
	label := strings.Repeat("x", 2000)
	for i := 0; ; i++ {
		_, _ = p.TakeSnapshot(context.Background(), "1", model.SnapshotRequest{Label: label})
		if i == 0 {
			fmt.Println("writing")
		}
	}
}

// waitLine reads r until a line equal to want, or its end.
func waitLine(r io.Reader, want string) bool {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if sc.Text() == want {
			go func() { _, _ = io.Copy(io.Discard, r) }() // never block the child on a full pipe
			return true
		}
	}
	return false
}
