package client

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/snapdeck/snapdeck/model"
)

// inFlight is a provider whose snapshot request hangs until its context
// ends or release is closed, announcing on entered that it was called.
type inFlight struct {
	fake
	entered chan struct{}
	release chan struct{}
}

func (p *inFlight) TakeSnapshot(ctx context.Context, id string, _ model.SnapshotRequest) (model.Backup, error) {
	close(p.entered)
	select {
	case <-ctx.Done():
		return model.Backup{}, ctx.Err()
	case <-p.release:
		return model.Backup{ID: "b-" + id}, nil
	}
}

func newInFlight() *inFlight {
	return &inFlight{entered: make(chan struct{}), release: make(chan struct{})}
}

// TestAuditSentBeforeRequest: the "sent" line is in the file before the
// request leaves; a request cut by its context ends "uncertain".
func TestAuditSentBeforeRequest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	inner := newInFlight()
	a := Audited(inner, log, "prod").(Actions)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := a.TakeSnapshot(ctx, "7", model.SnapshotRequest{Label: "pre-upgrade"})
		done <- err
	}()
	<-inner.entered
	lines := readLines(t, path)
	if len(lines) != 1 || lines[0]["outcome"] != "sent" || lines[0]["label"] != "pre-upgrade" || lines[0]["attempt"] == nil {
		t.Fatalf("while the request is out, the log holds %v", lines)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled request succeeded")
	}
	lines = readLines(t, path)
	if len(lines) != 2 || lines[1]["outcome"] != "error" || lines[1]["uncertain"] != true || lines[1]["attempt"] != lines[0]["attempt"] {
		t.Fatalf("after the cut: %v", lines)
	}
}

// TestAuditCloseMarksInFlightUncertain: when the program ends (Close) with
// a request still out, its outcome is written then: uncertain.
func TestAuditCloseMarksInFlightUncertain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	inner := newInFlight()
	a := Audited(inner, log, "prod").(Actions)
	done := make(chan struct{})
	go func() {
		_, _ = a.TakeSnapshot(context.Background(), "7", model.SnapshotRequest{Label: "x"})
		close(done)
	}()
	<-inner.entered
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	close(inner.release) // the reply comes after the end: nothing more is written
	<-done
	lines := readLines(t, path)
	if len(lines) != 2 || lines[1]["outcome"] != "error" || lines[1]["uncertain"] != true ||
		!strings.Contains(fmt.Sprint(lines[1]["error"]), "ended before the reply") || lines[1]["attempt"] != lines[0]["attempt"] {
		t.Fatalf("log: %v", lines)
	}
	if log.Err() != nil {
		t.Fatalf("Err = %v", log.Err())
	}
}

// TestAuditSentSurvivesKill kills a process whose request is in flight:
// the "sent" line is on disk although no outcome ever came.
func TestAuditSentSurvivesKill(t *testing.T) {
	if path := os.Getenv("SNAPDECK_AUDIT_INFLIGHT"); path != "" {
		log, err := OpenAuditLog(path)
		if err != nil {
			os.Exit(3)
		}
		inner := newInFlight()
		go func() {
			<-inner.entered
			fmt.Println("in flight")
		}()
		_, _ = Audited(inner, log, "prod").(Actions).TakeSnapshot(context.Background(), "7", model.SnapshotRequest{Label: "killed"})
		os.Exit(4) // never reached: the parent kills us first
	}
	path := filepath.Join(t.TempDir(), "audit.log")
	cmd := exec.Command(os.Args[0], "-test.run", "^TestAuditSentSurvivesKill$")
	cmd.Env = append(os.Environ(), "SNAPDECK_AUDIT_INFLIGHT="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "in flight" {
	}
	_ = cmd.Process.Kill() // SIGKILL: no deferred close, no flush
	_ = cmd.Wait()
	lines := readLines(t, path)
	if len(lines) != 1 || lines[0]["outcome"] != "sent" || lines[0]["label"] != "killed" {
		t.Fatalf("log after the kill: %v", lines)
	}
}
