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

	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	simnorthflank "github.com/snapdeck/snapdeck/sim/northflank"
)

// TestSimServesLinodego runs `snapdeck sim` as a process on a free port and
// uses it from linodego as any client of the real API would, then stops it
// with SIGTERM.
func TestSimServesLinodego(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	sp := startSim(t, 3, "--size", "12", "--snapshot-time", "1s")
	head := sp.head
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

	sp.stop()
}

// simProc is `snapdeck sim` running as a process on a free port.
type simProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	head   []string // the banner's first lines
	done   chan error
	stderr *strings.Builder
	stop   func()
}

// startSim starts `snapdeck sim` with args on a free port and reads the
// first n lines of its banner; stop sends SIGTERM and checks a clean exit.
func startSim(t *testing.T, n int, args ...string) *simProc {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"sim", "--listen", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	sp := &simProc{t: t, cmd: cmd, done: make(chan error, 1), stderr: &strings.Builder{}}
	cmd.Stderr = sp.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			_ = cmd.Process.Kill()
			<-sp.done
		}
	})
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		sp.done <- cmd.Wait()
	}()
	for len(sp.head) < n {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("sim ended early: %v\n%s", sp.head, sp.stderr.String())
			}
			sp.head = append(sp.head, l)
		case <-time.After(5 * time.Second):
			t.Fatalf("no banner; got %q", sp.head)
		}
	}
	sp.stop = func() {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-sp.done:
			stopped = true
			if err != nil {
				t.Fatalf("exit: %v\n%s", err, sp.stderr.String())
			}
		case <-time.After(5 * time.Second):
			t.Fatal("sim did not stop on SIGTERM")
		}
	}
	return sp
}

// TestSimOtherProviders serves Civo and Northflank simulators as processes
// and uses them through a config file made of the banner's own snippet.
func TestSimOtherProviders(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	for _, tc := range []struct {
		provider, token, envVar string
		lines, want             int
	}{
		{"civo", simcivo.DemoToken, "CIVO_TOKEN", 9, 5},
		{"northflank", simnorthflank.DemoToken, "NORTHFLANK_TOKEN", 9, 12},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			args := []string{"--provider", tc.provider}
			if tc.provider == "civo" {
				args = append(args, "--size", "5")
			}
			sp := startSim(t, tc.lines, args...)
			var cfg []string
			for _, l := range sp.head[2:] {
				cfg = append(cfg, strings.SplitN(l, "  #", 2)[0])
			}
			path := writeConfig(t, strings.Join(cfg, "\n")+"\n", 0o600)
			r := runCmd(t, map[string]string{tc.envVar: tc.token}, "resources", "--json", "--config", path)
			wantCode(t, r, 0)
			if n := strings.Count(r.stdout, `"provider": "`+tc.provider+`"`); n != tc.want {
				t.Fatalf("%d %s resources, want %d:\n%s\nbanner:\n%s", n, tc.provider, tc.want, r.stdout, strings.Join(sp.head, "\n"))
			}
			sp.stop()
		})
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
