package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	simnorthflank "github.com/snapdeck/snapdeck/sim/northflank"
	simsuperbflex "github.com/snapdeck/snapdeck/sim/superbflex"
	"github.com/snapdeck/snapdeck/ui"
)

// One job, two ways of watching it: the TUI (its status line, as the user
// sees it) and the CLI (`snapshot --wait` / `restore --wait`: exit code and
// message) must judge it the same, for every provider. Each side gets its
// own simulator, reached through the account config and the client
// adapter exactly as `snapdeck` reaches it.

// judgeJobTime is how long a simulated job takes here: long enough to be
// seen running at judgePoll, short enough for the test.
const (
	judgeJobTime = 400 * time.Millisecond
	judgePoll    = 40 * time.Millisecond
)

// judgeSim is one provider's simulator behind an account in a config file.
type judgeSim struct {
	cfg     string            // the config file
	environ map[string]string // its secrets
	account string            // the view, as --account takes it
	served  *atomic.Int64     // requests the simulator answered
}

type judgeProvider struct {
	name string
	// start serves a fresh simulator; abortIn, when set, is how long a
	// requested abort takes.
	start func(t *testing.T) judgeSim
}

func judgeConfig(t *testing.T, provider, url, secretKey, extra string) string {
	t.Helper()
	return writeConfig(t, fmt.Sprintf("[[account]]\nname = %q\nprovider = %q\napi_url = %q\n%s = \"SECRET\"\n%s", "acct", provider, url, secretKey, extra), 0o600)
}

// lastServed counts the requests of the simulator served last, for the
// judgeSim made from it.
var lastServed *atomic.Int64

func serveJudgeSim(t *testing.T, h http.Handler) string {
	t.Helper()
	n := &atomic.Int64{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		n.Add(1)
	}))
	t.Cleanup(hs.Close)
	lastServed = n
	return hs.URL
}

func (p judgeProvider) serve(t *testing.T) judgeSim {
	s := p.start(t)
	s.served = lastServed
	return s
}

var (
	linodeSim = judgeProvider{"linode", func(t *testing.T) judgeSim {
		srv := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{SnapshotTime: judgeJobTime, RestoreTime: judgeJobTime})
		return judgeSim{judgeConfig(t, "linode", serveJudgeSim(t, srv), "token_env", ""), map[string]string{"SECRET": simlinode.DemoToken}, "acct", nil}
	}}
	linodeDBSim = judgeProvider{"linodedb", func(t *testing.T) judgeSim {
		srv := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{SnapshotTime: judgeJobTime, RestoreTime: judgeJobTime})
		return judgeSim{judgeConfig(t, "linode", serveJudgeSim(t, srv), "token_env", ""), map[string]string{"SECRET": simlinode.DemoToken}, "acct/databases", nil}
	}}
	civoSim = judgeProvider{"civo", func(t *testing.T) judgeSim {
		srv := simcivo.New(simcivo.Demo(time.Now()), simcivo.Options{JobTime: judgeJobTime})
		return judgeSim{judgeConfig(t, "civo", serveJudgeSim(t, srv), "token_env", ""), map[string]string{"SECRET": simcivo.DemoToken}, "acct", nil}
	}}
	northflankSim = judgeProvider{"northflank", func(t *testing.T) judgeSim {
		srv := simnorthflank.New(simnorthflank.Demo(time.Now()), simnorthflank.Options{JobTime: judgeJobTime, RestoreTime: judgeJobTime})
		return judgeSim{judgeConfig(t, "northflank", serveJudgeSim(t, srv), "token_env", ""), map[string]string{"SECRET": simnorthflank.DemoToken}, "acct", nil}
	}}
	// northflankSlowSim's backups run for an hour, so that only an abort
	// ends them; an abort takes a moment.
	northflankSlowSim = judgeProvider{"northflank", func(t *testing.T) judgeSim {
		srv := simnorthflank.New(simnorthflank.Demo(time.Now()), simnorthflank.Options{JobTime: time.Hour, AbortTime: judgeJobTime})
		return judgeSim{judgeConfig(t, "northflank", serveJudgeSim(t, srv), "token_env", ""), map[string]string{"SECRET": simnorthflank.DemoToken}, "acct", nil}
	}}
	flexSim = judgeProvider{"superbflex", func(t *testing.T) judgeSim {
		srv := simsuperbflex.New(simsuperbflex.Demo(time.Now()), simsuperbflex.Options{JobTime: judgeJobTime})
		return judgeSim{judgeConfig(t, "superbflex", serveJudgeSim(t, srv), "password_env", "user = \""+simsuperbflex.DemoUser+"\"\n"),
			map[string]string{"SECRET": simsuperbflex.DemoPassword}, "acct", nil}
	}}
)

// realCmd runs snapdeck in-process on the real clock (the simulators run
// on it too), with env's secrets and a private audit log.
func realCmd(t *testing.T, s judgeSim, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdout: &out, stderr: &errb, now: time.Now, getenv: func(k string) string { return s.environ[k] }}
	args = append(args, "--config", s.cfg, "--account", s.account, "--audit-log", filepath.Join(t.TempDir(), "audit.log"))
	code := e.run(args)
	return result{code, out.String(), errb.String()}
}

// provider opens the account as `snapdeck` does for its TUI: sanitised,
// wrapped, the same adapter.
func (s judgeSim) provider(t *testing.T) client.Provider {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdout: &out, stderr: &errb, now: time.Now, getenv: func(k string) string { return s.environ[k] }}
	c := newCmd(e, "tui", connAndTimeout)
	if _, code, ok := c.parse([]string{"--config", s.cfg, "--account", s.account}, 0, ""); !ok {
		t.Fatalf("flags: %d %s", code, errb.String())
	}
	cn, err := c.conn.connect(e, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cn.Close)
	return cn.p
}

// startJudgeTUI runs the TUI of one account view on p, as the judge
// tests read it.
func startJudgeTUI(t *testing.T, p client.Provider) *tuiView {
	t.Helper()
	return startTUI(t, 160, 36, ui.New(ui.Options{Provider: p, Account: "acct", Now: time.Now, Timeout: 5 * time.Second, PollEvery: judgePoll}))
}

// pick filters the list down to label and leaves the cursor on it.
func (h *tuiView) pick(label string) {
	h.t.Helper()
	h.wait(label)
	h.key("/")
	h.key(label)
	h.waitFor("the list filtered to "+label, func(s string) bool { return strings.Contains(s, " 1/") })
	h.key("enter")
}

// statusLine is the line above the footer: where the TUI says how a job
// ended.
func statusLine(s string) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) < 2 {
		return ""
	}
	return strings.TrimSpace(ls[len(ls)-2])
}

// verdictOf strips the TUI's symbol or the CLI's "snapdeck: " from a
// verdict line, leaving the judge's words.
func verdictOf(line string) string {
	line = strings.TrimPrefix(strings.TrimSpace(line), "snapdeck: ")
	for _, sym := range []string{"✓ ", "✗ ", "⊘ ", "⚠ "} {
		line = strings.TrimPrefix(line, sym)
	}
	return strings.TrimSuffix(line, " (r re-reads)")
}

// lastLine is the last line a command wrote on stderr.
func lastLine(s string) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return ls[len(ls)-1]
}

// abortWhenSeen aborts the backup named name of the resource labelled
// label as soon as it is listed, as a user pressing A (or another
// snapdeck) would.
func abortWhenSeen(t *testing.T, p client.Provider, label, name string) {
	go func() {
		ctx := context.Background()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			time.Sleep(judgePoll)
			r, err := resolve(ctx, target{account: "judge", p: p}, label)
			if err != nil {
				continue
			}
			bs, err := p.ListBackups(ctx, r.ID)
			if err != nil {
				continue
			}
			for _, b := range bs {
				if b.Label == name && b.Status.Active() {
					if err := p.(client.Actions).AbortBackup(ctx, r.ID, b.ID); err != nil {
						t.Errorf("abort: %v", err)
					}
					return
				}
			}
		}
		t.Errorf("the backup %q of %s never showed up to be aborted", name, label)
	}()
}

// TestTUIAndCLIJudgeAJobAlike takes the same snapshot or backup on every
// provider, once in the TUI and once with `snapshot --wait`, and checks
// both tell the user the same outcome: a Northflank abort is "aborted" in
// both (the TUI said "failed"), and a Superb Flex disk backup leaves "last
// good just now" in both (the TUI said "never").
func TestTUIAndCLIJudgeAJobAlike(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sim      judgeProvider
		resource string
		label    string
		cliArgs  []string         // beyond the label and --wait
		form     func(h *tuiView) // keys between the form opening and Enter, after the name is typed
		during   func(p judgeSim) // runs alongside the job
		want     string           // the verdict both must give
		code     int              // the CLI's exit code
		lastGood bool             // the resource's last good is "just now" afterwards
	}{
		{name: "linode snapshot", sim: linodeSim, resource: "cache-01", label: "before-upgrade",
			want: "Snapshot before-upgrade of cache-01 finished", code: exitOK},
		{name: "linode managed database snapshot", sim: linodeDBSim, resource: "orders-mysql", label: "pre_release",
			want: "Snapshot pre_release of orders-mysql finished", code: exitOK},
		{name: "civo snapshot", sim: civoSim, resource: "grafana", label: "grafana-nightly",
			want: "Snapshot grafana-nightly of grafana finished", code: exitOK},
		{name: "northflank backup", sim: northflankSim, resource: "wp", label: "before upgrade",
			want: "Backup before upgrade of wp finished", code: exitOK},
		{name: "northflank abort", sim: northflankSlowSim, resource: "wp", label: "doomed",
			want: "Backup doomed of wp aborted", code: exitFound},
		{name: "superb flex disk backup", sim: flexSim, resource: "web-01", label: "before kernel 6.12",
			form: func(h *tuiView) { h.key("tab") }, // web-01 has no incremental backups: its first disk is the default
			want: "Backup before kernel 6.12 of web-01 finished", code: exitOK, lastGood: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The CLI.
			cs := tc.sim.serve(t)
			args := []string{"snapshot", tc.resource, "--label", tc.label, "--wait", "--poll", judgePoll.String(), "--timeout", "30s"}
			if tc.form != nil { // the disk the TUI picks first: the primary one
				p := cs.provider(t)
				r, err := resolve(context.Background(), target{account: "judge", p: p}, tc.resource)
				if err != nil {
					t.Fatal(err)
				}
				disks, err := p.(client.DiskLister).Disks(context.Background(), r.ID)
				if err != nil || len(disks) == 0 {
					t.Fatalf("disks: %v %v", disks, err)
				}
				args = append(args, "--disk", disks[0].ID)
			}
			if tc.code == exitFound {
				abortWhenSeen(t, cs.provider(t), tc.resource, tc.label)
			}
			r := realCmd(t, cs, args...)
			if r.code != tc.code {
				t.Fatalf("CLI: exit %d, want %d; stderr %q", r.code, tc.code, r.stderr)
			}
			cli := verdictOf(lastLine(r.stderr))

			// The TUI.
			ts := tc.sim.serve(t)
			p := ts.provider(t)
			h := startJudgeTUI(t, p)
			h.pick(tc.resource)
			h.key("s")
			h.wait(" of " + tc.resource)
			h.key("clear")
			h.key(tc.label)
			h.wait(tc.label)
			if tc.form != nil {
				tc.form(h)
			}
			if tc.code == exitFound {
				abortWhenSeen(t, p, tc.resource, tc.label)
			}
			h.key("enter")
			s := h.waitFor("the job's end", func(s string) bool {
				l := statusLine(s)
				return strings.Contains(l, tc.label) && strings.ContainsAny(l, "✓✗⊘⚠") && !strings.Contains(l, "●") && !strings.Contains(l, "accepted")
			})
			tv := verdictOf(statusLine(s))
			t.Logf("both: %q", tv)
			if cli != tc.want || tv != tc.want {
				t.Fatalf("the TUI says %q, the CLI %q; want %q from both", tv, cli, tc.want)
			}
			if !tc.lastGood {
				return
			}
			// Last good, as each shows it: the TUI's LAST GOOD cell once the
			// job is over, the CLI's resources table.
			// The job's end re-reads the VM and its backups; once the
			// simulator has gone quiet, that re-read has been answered.
			quiet(ts.served)
			settleTUI()
			s = h.screen()
			if cell := cellOf(s, "LAST GOOD", tc.resource); cell != "✓ just now" {
				t.Errorf("TUI: LAST GOOD of %s after the backup is %q:\n%s", tc.resource, cell, s)
			}
			r = realCmd(t, cs, "resources", "--label", tc.resource)
			if cell := cellOf(r.stdout, "LAST SUCCESSFUL", tc.resource); r.code != exitOK || !strings.Contains(cell, "just now") {
				t.Errorf("CLI: LAST SUCCESSFUL of %s is %q (exit %d):\n%s", tc.resource, cell, r.code, r.stdout)
			}
		})
	}
}

// quiet waits until n stops moving: no request for a few looks in a row.
func quiet(n *atomic.Int64) {
	last, still := n.Load(), 0
	for deadline := time.Now().Add(10 * time.Second); still < 5 && time.Now().Before(deadline); {
		time.Sleep(40 * time.Millisecond)
		if now := n.Load(); now != last {
			last, still = now, 0
		} else {
			still++
		}
	}
}

// settleTUI gives answers the simulator has sent time to reach the
// screen (a pause, never an assertion on time).
func settleTUI() { time.Sleep(150 * time.Millisecond) }

// cellOf reads the cell under column in the table row of label: from where
// the column's title starts to where the next column's title starts (or the
// next run of two spaces).
func cellOf(s, column, label string) string {
	lines := strings.Split(s, "\n")
	at, end := -1, -1
	for _, l := range lines {
		r := []rune(l)
		if i := strings.Index(l, column); i >= 0 && at < 0 {
			at = len([]rune(l[:i]))
			// The cell ends where the next column's title starts.
			for k := at + len([]rune(column)); k < len(r); k++ {
				if r[k] != ' ' {
					end = k
					break
				}
			}
			continue
		}
		if at >= 0 && strings.Contains(" "+l+" ", " "+label+" ") && len(r) > at {
			cell := string(r[at:])
			if end > at && end <= len(r) {
				cell = string(r[at:end])
			}
			if j := strings.Index(cell, "  "); j >= 0 {
				cell = cell[:j]
			}
			return strings.TrimSpace(cell)
		}
	}
	return ""
}

// to puts the cursor of a backup list on the row holding label.
func (h *tuiView) to(label string) {
	h.t.Helper()
	s := h.wait(label)
	hdr := -1
	for i, l := range strings.Split(s, "\n") {
		switch {
		case hdr < 0 && strings.HasPrefix(l, "LABEL "):
			hdr = i
		case hdr >= 0 && strings.Contains(l, label):
			h.key("g")
			for range i - hdr - 1 {
				h.key("down")
			}
			return
		}
	}
	h.t.Fatalf("no row holds %q:\n%s", label, s)
}

// TestTUIAndCLIJudgeARestoreAlike restores the same backup over its own
// resource on every provider that restores, once in the TUI and once with
// `restore --wait`, and checks both tell the same outcome.
func TestTUIAndCLIJudgeARestoreAlike(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sim      judgeProvider
		resource string
		// confirm answers the TUI's restore dialog; nil types the label,
		// as every in-place restore asks.
		confirm func(h *tuiView, resource string)
	}{
		{"linode", linodeSim, "web-prod-01", func(h *tuiView, resource string) {
			h.wait(resource + " (this Linode)")
			h.key("o") // overwrite this Linode
			h.wait("ERASES every disk and config")
			h.key("enter")
			h.wait("Type " + resource + " to confirm")
		}},
		{"linode managed database", linodeDBSim, "orders-mysql", nil},
		{"northflank", northflankSim, "orders-db", nil},
		{"superb flex", flexSim, "vpn", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The backup: the newest usable one with a label, the same in
			// both simulators (they are seeded alike).
			cs := tc.sim.serve(t)
			p := cs.provider(t)
			ctx := context.Background()
			r, err := resolve(ctx, target{account: "judge", p: p}, tc.resource)
			if err != nil {
				t.Fatal(err)
			}
			bs, err := p.ListBackups(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			var b model.Backup
			for _, x := range bs {
				if x.Status == model.StatusSuccessful && !x.Locked && x.Label != "" && b.ID == "" {
					b = x
				}
			}
			if b.ID == "" {
				t.Fatalf("no backup of %s to restore: %+v", tc.resource, bs)
			}
			want := "Restore of " + b.Name() + " onto " + tc.resource + " finished"

			res := realCmd(t, cs, "restore", tc.resource, b.ID, "--to", tc.resource, "--overwrite", "--yes", "--wait",
				"--poll", judgePoll.String(), "--timeout", "30s")
			if res.code != exitOK {
				t.Fatalf("CLI: exit %d; stderr %q", res.code, res.stderr)
			}
			cli := verdictOf(lastLine(res.stderr))

			h := startJudgeTUI(t, tc.sim.serve(t).provider(t))
			h.pick(tc.resource)
			h.key("enter")
			h.wait("LABEL ")
			h.to(b.Label)
			h.key("R")
			if tc.confirm != nil {
				tc.confirm(h, tc.resource)
			} else {
				h.wait("Type " + tc.resource + " to confirm")
			}
			h.key(tc.resource)
			h.key("enter")
			s := h.waitFor("the restore's end", func(s string) bool {
				l := statusLine(s)
				return strings.Contains(l, "Restore of") && strings.ContainsAny(l, "✓✗⊘⚠") && !strings.Contains(l, "●")
			})
			tv := verdictOf(statusLine(s))
			t.Logf("both: %q", tv)
			if cli != want || tv != want {
				t.Fatalf("the TUI says %q, the CLI %q; want %q from both", tv, cli, want)
			}
		})
	}
}

// TestRestoreWaitGivesUpAtTimeout: a restore still running at --timeout is
// exit 2, "it may still finish"; without --wait restore answers at once;
// --disk is refused where a provider backs up whole resources only.
func TestRestoreWaitGivesUpAtTimeout(t *testing.T) {
	slow := judgeProvider{"linodedb", func(t *testing.T) judgeSim {
		srv := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{RestoreTime: time.Hour})
		return judgeSim{judgeConfig(t, "linode", serveJudgeSim(t, srv), "token_env", ""), map[string]string{"SECRET": simlinode.DemoToken}, "acct/databases", nil}
	}}
	s := slow.start(t)
	p := s.provider(t)
	r, err := resolve(context.Background(), target{account: "judge", p: p}, "orders-mysql")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := p.ListBackups(context.Background(), r.ID)
	if err != nil || len(bs) == 0 {
		t.Fatalf("%v %v", bs, err)
	}
	res := realCmd(t, s, "restore", "orders-mysql", bs[0].ID, "--to", "orders-mysql", "--overwrite", "--yes", "--wait", "--poll", "20ms", "--timeout", "300ms")
	if res.code != exitError || !strings.Contains(res.stderr, "gave up waiting for restore of "+bs[0].Name()+" onto orders-mysql after 300ms; it may still finish") {
		t.Fatalf("exit %d, stderr %q", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "restore started") {
		t.Fatalf("stdout %q", res.stdout)
	}

	res = realCmd(t, linodeSim.start(t), "snapshot", "cache-01", "--label", "x", "--disk", "7")
	if res.code != exitError || !strings.Contains(res.stderr, "--disk: Linode backs up a whole") {
		t.Fatalf("--disk on Linode: exit %d, stderr %q", res.code, res.stderr)
	}
}
