package main

import (
	"bufio"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/linode/linodego"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestSimServesLinodego runs `snapdeck sim` as a process on a free port and
// uses it from linodego as any client of the real API would, then stops it
// with SIGTERM.
func TestSimServesLinodego(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	cmd := exec.Command(binary(t), "sim", "--listen", "127.0.0.1:0", "--size", "12", "--snapshot-time", "1s")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-done
		}
	})

	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		done <- cmd.Wait()
	}()
	var head []string
	for len(head) < 3 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("sim ended early: %v\n%s", head, stderr.String())
			}
			head = append(head, l)
		case <-time.After(5 * time.Second):
			t.Fatalf("no banner; got %q", head)
		}
	}
	m := regexp.MustCompile(`^snapdeck sim: Linode API v4 at (http://127\.0\.0\.1:(\d+))/v4 \(12 Linodes, seed 1\)$`).FindStringSubmatch(head[0])
	if m == nil || m[2] == "0" {
		t.Fatalf("banner: %q", head[0])
	}
	base := m[1]
	if head[1] != "  token: "+simlinode.DemoToken || head[2] != "  try:   LINODE_TOKEN="+simlinode.DemoToken+" snapdeck --api "+base {
		t.Fatalf("banner: %q", head)
	}

	lc := linodego.NewClient(nil)
	lc.SetBaseURL(base)
	lc.SetToken(simlinode.DemoToken)
	lc.SetRetryCount(0)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()

	insts, err := lc.ListInstances(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(insts) != 12 || insts[0].Label != "web-prod-01" {
		t.Fatalf("instances: %d, first %q", len(insts), insts[0].Label)
	}
	id := insts[0].ID
	bs, err := lc.GetInstanceBackups(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs.Automatic) != 3 || bs.Snapshot.Current == nil || bs.Snapshot.Current.Label != "pre-deploy-2026-11" {
		t.Fatalf("backups: %+v", bs)
	}
	snap, err := lc.CreateInstanceSnapshot(ctx, id, "from-linodego")
	if err != nil {
		t.Fatal(err)
	}
	for {
		bs, err := lc.GetInstanceBackups(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c := bs.Snapshot.Current; c != nil && c.ID == snap.ID {
			if c.Status != linodego.SnapshotSuccessful || c.Label != "from-linodego" {
				t.Fatalf("snapshot: %+v", c)
			}
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the snapshot did not finish: %+v", bs.Snapshot.InProgress)
		case <-time.After(100 * time.Millisecond):
		}
	}
	// A wrong token is refused as the real API would.
	bad := linodego.NewClient(nil)
	bad.SetBaseURL(base)
	bad.SetToken("wrong")
	bad.SetRetryCount(0)
	var apiErr *linodego.Error
	if _, err := bad.ListInstances(ctx, nil); !errors.As(err, &apiErr) || apiErr.Code != 401 {
		t.Fatalf("wrong token: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sim did not stop on SIGTERM")
	}
}

// TestSimFlags refuses bad fault switches before serving anything.
func TestSimFlags(t *testing.T) {
	for _, args := range [][]string{
		{"sim", "--fail-rate", "2"},
		{"sim", "--fail-rate", "0.1", "--fail-status", "418"},
		{"sim", "--fail-status", "200"},
		{"sim", "--size", "-1"},
		{"sim", "extra"},
		{"sim", "--listen", "256.0.0.1:1"},
	} {
		r := runCmd(t, nil, args...)
		wantCode(t, r, 2)
		wantOneLine(t, r, "")
	}
}
