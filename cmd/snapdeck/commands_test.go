package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixedNow is the clock of the command tests: the demo fleet is seeded
// relative to it, so every listing is the same on every run.
var fixedNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs snapdeck in-process with a fixed clock and the given
// environment (nothing else of the real one is seen).
func runCmd(t *testing.T, environ map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdout: &out, stderr: &errb, now: func() time.Time { return fixedNow }, getenv: func(k string) string { return environ[k] }}
	code := e.run(args)
	return result{code, out.String(), errb.String()}
}

// demo runs a command against the in-process demo cloud, with no latency
// and a private audit log.
func demo(t *testing.T, args ...string) result {
	t.Helper()
	audit := filepath.Join(t.TempDir(), "audit.log")
	return runCmd(t, nil, append(args, "--demo", "--demo-latency", "0", "--audit-log", audit)...)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func wantCode(t *testing.T, r result, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
}

// wantOneLine checks that stderr is one "snapdeck: " line holding sub.
func wantOneLine(t *testing.T, r result, sub string) {
	t.Helper()
	line := strings.TrimSuffix(r.stderr, "\n")
	if strings.Contains(line, "\n") || !strings.HasPrefix(line, "snapdeck: ") || !strings.Contains(line, sub) {
		t.Fatalf("stderr: want one line with %q, got %q", sub, r.stderr)
	}
}

func TestResourcesJSONGolden(t *testing.T) {
	r := demo(t, "resources", "--json")
	wantCode(t, r, 0)
	golden(t, "resources.json.golden", r.stdout)
	var rs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || len(rs) != 40 {
		t.Fatalf("want 40 resources, got %d (%v)", len(rs), err)
	}
}

func TestResourcesTable(t *testing.T) {
	r := demo(t, "resources")
	wantCode(t, r, 0)
	golden(t, "resources.golden", r.stdout)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 41 || !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[1], "web-prod-01") || !strings.Contains(lines[1], "(3h ago)") {
		t.Fatalf("unexpected table:\n%s", r.stdout)
	}
	if r.stderr != "" {
		t.Fatalf("stderr: %q", r.stderr)
	}
	// Filters are applied by the API.
	r = demo(t, "resources", "--tag", "cache", "--json")
	wantCode(t, r, 0)
	var rs []resourceJSON
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || len(rs) == 0 {
		t.Fatalf("tag filter: %v %s", err, r.stdout)
	}
	for _, x := range rs {
		if !strings.Contains(strings.Join(x.Tags, ","), "cache") {
			t.Fatalf("tag filter let %s through", x.Label)
		}
	}
}

func TestBackupsJSONGolden(t *testing.T) {
	r := demo(t, "backups", "web-prod-01", "--json")
	wantCode(t, r, 0)
	golden(t, "backups-web-prod-01.json.golden", r.stdout)
	var bs []backupJSON
	if err := json.Unmarshal([]byte(r.stdout), &bs); err != nil {
		t.Fatal(err)
	}
	if len(bs) != 4 || bs[0].Kind != "automatic" || bs[3].Kind != "snapshot" || bs[3].Label != "pre-deploy-2026-11" {
		t.Fatalf("unexpected backups: %+v", bs)
	}
	// 25600 MB + 512 MB of disks, in bytes.
	if want := int64(26112) * 1024 * 1024; bs[0].SizeBytes != want || bs[0].Resource.Label != "web-prod-01" {
		t.Fatalf("size %d, want %d", bs[0].SizeBytes, want)
	}
	// By ID too, flags before the argument.
	byID := demo(t, "backups", "--json", bs[0].Resource.ID)
	wantCode(t, byID, 0)
	if byID.stdout != r.stdout {
		t.Fatalf("by ID differs from by label:\n%s", byID.stdout)
	}
	// A running snapshot: null finish, normalised and raw status.
	r = demo(t, "backups", "analytics-batch-worker-with-a-rather-long-label-eu-central-1", "--json")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, `"status": "running",`+"\n"+`    "raw_status": "needsPostProcessing"`) || !strings.Contains(r.stdout, `"finished": null`) {
		t.Fatalf("unexpected JSON:\n%s", r.stdout)
	}
	// The table.
	r = demo(t, "backups", "web-prod-01")
	wantCode(t, r, 0)
	golden(t, "backups-web-prod-01.golden", r.stdout)
}

func TestBackupsUnknownResource(t *testing.T) {
	for _, ref := range []string{"no-such-linode", "12345"} {
		r := demo(t, "backups", ref)
		wantCode(t, r, 2)
		wantOneLine(t, r, "no resource with the label or ID")
		if r.stdout != "" {
			t.Fatalf("stdout: %q", r.stdout)
		}
	}
	r := demo(t, "backups")
	wantCode(t, r, 2)
	wantOneLine(t, r, "needs a resource")
}

func TestCheck(t *testing.T) {
	r := demo(t, "check", "--json")
	wantCode(t, r, 1)
	golden(t, "check.json.golden", r.stdout)
	var c checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	for _, s := range c.Stale {
		reasons[s.Resource.Label] = s.Reason
	}
	if c.Checked != 40 || reasons["legacy-mail"] != "backups_disabled" || reasons["api-staging-02"] != "too_old" {
		t.Fatalf("unexpected check: %+v", c)
	}
	if _, ok := reasons["web-prod-01"]; ok {
		t.Fatal("web-prod-01 is fresh")
	}

	r = demo(t, "check")
	wantCode(t, r, 1)
	if !strings.Contains(r.stdout, "legacy-mail") || !strings.Contains(r.stdout, "backups disabled") ||
		!strings.Contains(r.stdout, "api-staging-02") || !strings.Contains(r.stdout, "older than 26h") {
		t.Fatalf("unexpected table:\n%s", r.stdout)
	}

	// A generous age forgives old backups, never disabled ones.
	r = demo(t, "check", "--max-age", "10000h", "--json")
	wantCode(t, r, 1)
	if strings.Contains(r.stdout, "api-staging-02") || !strings.Contains(r.stdout, "legacy-mail") {
		t.Fatalf("unexpected check:\n%s", r.stdout)
	}

	// All good.
	for _, args := range [][]string{{"--label", "web-prod-01"}, {"--tag", "cache"}} {
		r = demo(t, append([]string{"check"}, args...)...)
		wantCode(t, r, 0)
		if !strings.HasPrefix(r.stdout, "OK: all ") {
			t.Fatalf("unexpected output: %q", r.stdout)
		}
	}
}

// simServer is the Linode simulator over HTTP, for commands run with --api.
func simServer(t *testing.T) (*simlinode.Server, string) {
	t.Helper()
	srv := simlinode.New(simlinode.Demo(fixedNow), simlinode.Options{SnapshotTime: 200 * time.Millisecond})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

func TestCheckCannotCheck(t *testing.T) {
	_, url := simServer(t)
	const secret = "tok-9d8e7f6a5b4c3d2e1f"
	r := runCmd(t, map[string]string{"LINODE_TOKEN": secret}, "check", "--api", url)
	wantCode(t, r, 2)
	wantOneLine(t, r, "LINODE_TOKEN was rejected")
	if strings.Contains(r.stdout+r.stderr, secret) {
		t.Fatal("the token was printed")
	}
	r = runCmd(t, map[string]string{"LINODE_TOKEN": secret}, "check", "--json", "--api", "http://127.0.0.1:1")
	wantCode(t, r, 2)
	wantOneLine(t, r, "connection failed")
	if r.stdout != "" {
		t.Fatalf("stdout: %q", r.stdout)
	}
	r = runCmd(t, nil, "check")
	wantCode(t, r, 2)
	wantOneLine(t, r, "LINODE_TOKEN is not set")
}

// TestAPIFlag points the commands at a simulator with --api, with or
// without the "/v4" that `snapdeck sim` prints.
func TestAPIFlag(t *testing.T) {
	_, url := simServer(t)
	tok := map[string]string{"LINODE_TOKEN": simlinode.DemoToken}
	for _, api := range []string{url, url + "/v4", url + "/"} {
		r := runCmd(t, tok, "resources", "--json", "--api", api)
		wantCode(t, r, 0)
		if !strings.Contains(r.stdout, `"account": "LINODE_TOKEN"`) || strings.Contains(r.stdout, simlinode.DemoToken) {
			t.Fatalf("unexpected output:\n%.300s", r.stdout)
		}
	}
	// LINODE_URL is what linodego reads itself; --api wins over it.
	t.Setenv("LINODE_URL", "http://127.0.0.1:1")
	r := runCmd(t, tok, "resources", "--api", url)
	wantCode(t, r, 0)
	r = runCmd(t, tok, "resources", "--api", "127.0.0.1:8799")
	wantCode(t, r, 2)
	wantOneLine(t, r, "needs a scheme")
}

func TestSnapshotWait(t *testing.T) {
	audit := filepath.Join(t.TempDir(), "audit.log")
	r := runCmd(t, nil, "snapshot", "web-prod-01", "--label", "before-upgrade", "--wait", "--json", "--poll", "50ms",
		"--demo", "--demo-latency", "0", "--demo-job-time", "300ms", "--audit-log", audit)
	wantCode(t, r, 0)
	var b backupJSON
	if err := json.Unmarshal([]byte(r.stdout), &b); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if b.Label != "before-upgrade" || b.Status != "successful" || b.Kind != "snapshot" || b.Finished == nil || b.Resource.Label != "web-prod-01" {
		t.Fatalf("unexpected snapshot: %+v", b)
	}
	log, err := os.ReadFile(audit)
	if err != nil || !strings.Contains(string(log), `"action":"snapshot"`) || !strings.Contains(string(log), `"outcome":"ok"`) {
		t.Fatalf("audit log: %v %s", err, log)
	}

	// Without --wait it answers at once, pending.
	r = demo(t, "snapshot", "cache-01", "--label", "x")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "pending") {
		t.Fatalf("unexpected output:\n%s", r.stdout)
	}

	// It gives up at --timeout with exit 2.
	r = runCmd(t, nil, "snapshot", "cache-01", "--label", "slow", "--wait", "--poll", "20ms", "--timeout", "200ms",
		"--demo", "--demo-latency", "0", "--demo-job-time", "1h", "--audit-log", audit)
	wantCode(t, r, 2)
	wantOneLine(t, r, "gave up waiting")

	r = demo(t, "snapshot", "cache-01")
	wantCode(t, r, 2)
	wantOneLine(t, r, "--label")
}

// TestSnapshotGoneExits1 cancels the backups while a snapshot is being
// waited for: it never succeeds, which is exit 1.
func TestSnapshotGoneExits1(t *testing.T) {
	srv := simlinode.New(simlinode.Demo(fixedNow), simlinode.Options{SnapshotTime: time.Hour})
	var reads atomic.Int64 // backup lists read after the snapshot was sent
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/backups") && srv.MutationsTo("/backups") > 0 {
			defer reads.Add(1)
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	go func() {
		// A few polls see it running (counted, not timed: under -race on
		// a busy machine 150 ms could pass before the first one).
		for reads.Load() < 3 {
			time.Sleep(5 * time.Millisecond)
		}
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/v4/linode/instances/"+cacheID()+"/backups/cancel", nil)
		req.Header.Set("Authorization", "Bearer "+simlinode.DemoToken)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	tok := map[string]string{"LINODE_TOKEN": simlinode.DemoToken}
	r := runCmd(t, tok, "snapshot", "cache-01", "--label", "doomed", "--wait", "--poll", "20ms", "--timeout", "5s", "--api", hs.URL,
		"--audit-log", filepath.Join(t.TempDir(), "audit.log"))
	wantCode(t, r, 1)
	wantOneLine(t, r, "is gone")
}

// cacheID is the ID of the demo's cache-01.
func cacheID() string {
	for _, in := range simlinode.Demo(fixedNow).Instances {
		if in.Label == "cache-01" {
			return strconv.Itoa(in.ID)
		}
	}
	return ""
}

func TestDestructiveNeedYes(t *testing.T) {
	srv, url := simServer(t)
	tok := map[string]string{"LINODE_TOKEN": simlinode.DemoToken}
	audit := filepath.Join(t.TempDir(), "audit.log")
	for _, args := range [][]string{
		{"restore", "web-prod-01", "310000275", "--to", "web-prod-01"},
		{"restore", "web-prod-01", "310000275", "--to", "web-prod-01", "--overwrite"},
		{"cancel-backups", "web-prod-01"},
	} {
		r := runCmd(t, tok, append(args, "--api", url, "--audit-log", audit)...)
		wantCode(t, r, 2)
		wantOneLine(t, r, "without --yes")
		if r.stdout != "" {
			t.Fatalf("stdout: %q", r.stdout)
		}
	}
	if n := srv.Requests(); n != 0 {
		t.Fatalf("%d requests were sent", n)
	}
	if _, err := os.Stat(audit); err == nil {
		t.Fatal("a refused-before-sending command wrote the audit log")
	}
}

func TestReadOnlyRefusesInTheClient(t *testing.T) {
	srv, url := simServer(t)
	tok := map[string]string{"LINODE_TOKEN": simlinode.DemoToken}
	audit := filepath.Join(t.TempDir(), "audit.log")
	for _, args := range [][]string{
		{"restore", "web-prod-01", "310000275", "--to", "web-prod-01", "--yes"},
		{"cancel-backups", "web-prod-01", "--yes"},
		{"snapshot", "web-prod-01", "--label", "x"},
	} {
		r := runCmd(t, tok, append(args, "--read-only", "--api", url, "--audit-log", audit)...)
		wantCode(t, r, 2)
		wantOneLine(t, r, "read-only")
	}
	if n := srv.Mutations(); n != 0 {
		t.Fatalf("%d mutations were sent", n)
	}
	log, err := os.ReadFile(audit)
	if err != nil || strings.Count(string(log), `"outcome":"refused"`) != 3 {
		t.Fatalf("audit log: %v\n%s", err, log)
	}
}

func TestRestoreAndCancelWithYes(t *testing.T) {
	srv, url := simServer(t)
	tok := map[string]string{"LINODE_TOKEN": simlinode.DemoToken}
	audit := filepath.Join(t.TempDir(), "audit.log")
	r := runCmd(t, tok, "backups", "web-prod-01", "--json", "--api", url)
	wantCode(t, r, 0)
	var bs []backupJSON
	if err := json.Unmarshal([]byte(r.stdout), &bs); err != nil {
		t.Fatal(err)
	}
	r = runCmd(t, tok, "restore", "web-prod-01", bs[0].ID, "--to", "web-prod-01", "--yes", "--api", url, "--audit-log", audit)
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stdout, "restore started: backup "+bs[0].ID) {
		t.Fatalf("stdout: %q", r.stdout)
	}
	r = runCmd(t, tok, "cancel-backups", "cache-01", "--yes", "--api", url, "--audit-log", audit)
	wantCode(t, r, 0)
	if n := srv.Mutations(); n != 2 {
		t.Fatalf("%d mutations, want 2", n)
	}
	log, _ := os.ReadFile(audit)
	if strings.Count(string(log), "\n") != 4 || strings.Count(string(log), `"outcome":"sent"`) != 2 {
		t.Fatalf("audit log:\n%s", log)
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	r := runCmd(t, nil, "resource")
	wantCode(t, r, 2)
	wantOneLine(t, r, `unknown command "resource"`)
	r = runCmd(t, nil, "check", "--max-age")
	wantCode(t, r, 2)
	wantOneLine(t, r, "flag needs an argument: --max-age (see snapdeck check --help)")
	r = runCmd(t, nil, "backups", "x", "--bogus")
	wantCode(t, r, 2)
	wantOneLine(t, r, "unknown flag --bogus for snapdeck backups; see snapdeck backups --help")
	// Help is what was asked for: on stdout, so that it can be paged.
	r = runCmd(t, nil, "check", "--help")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "--max-age") || r.stderr != "" {
		t.Fatalf("help: %q, stderr %q", r.stdout, r.stderr)
	}
	r = runCmd(t, nil, "--help")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "cancel-backups") || r.stderr != "" {
		t.Fatalf("help: %q, stderr %q", r.stdout, r.stderr)
	}
}

// TestAccountFlag: --account picks the account view a command acts on; a
// name that matches none is one line listing the views there are.
func TestAccountFlag(t *testing.T) {
	r := demo(t, "resources", "--json", "--account", "civo-demo")
	wantCode(t, r, 0)
	var rs []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || len(rs) != 12 {
		t.Fatalf("civo resources: %d, %v\n%s", len(rs), err, r.stdout)
	}
	for _, x := range rs {
		if x["provider"] != "civo" || x["account"] != "civo-demo" {
			t.Fatalf("not a civo-demo resource: %v", x)
		}
	}
	r = demo(t, "backups", "orders-mysql", "--account", "demo/databases")
	wantCode(t, r, 0)
	if !strings.Contains(r.stdout, "pre_release_2026_11") {
		t.Fatalf("database backups lack the snapshot:\n%s", r.stdout)
	}
	r = demo(t, "resources", "--account", "nope")
	wantCode(t, r, 2)
	wantOneLine(t, r, `--account "nope" matches none of: demo/instances, demo/databases, civo-demo/instances`)
}

// TestAllAccounts: --all-accounts lists and checks every account view, each
// resource naming its provider and account.
func TestAllAccounts(t *testing.T) {
	r := demo(t, "check", "--json", "--all-accounts")
	wantCode(t, r, 1) // the demo has stale resources everywhere
	var res struct {
		Checked int
		Stale   []struct{ Provider, Account, View string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Checked != 40+7+12+12+12 {
		t.Fatalf("checked %d resources, want every account's", res.Checked)
	}
	seen := map[string]string{}
	for _, s := range res.Stale {
		seen[s.View] = s.Provider + " " + s.Account
	}
	// The provider as configured: "linode" for its databases too.
	want := map[string]string{"demo/instances": "linode demo", "demo/databases": "linode demo", "civo-demo/instances": "civo civo-demo",
		"northflank-demo/addons": "northflank northflank-demo", "flex-demo/virtual-machines": "superbflex flex-demo"}
	for v, pa := range want {
		if seen[v] != pa {
			t.Errorf("no stale resource of view %s (%s) among %v", v, pa, seen)
		}
	}
	r = demo(t, "resources", "--all-accounts")
	wantCode(t, r, 0)
	for _, label := range []string{"web-prod-01", "orders-mysql", "grafana", "orders-db", "vpn"} {
		if !strings.Contains(r.stdout, label) {
			t.Errorf("resources --all-accounts lacks %s", label)
		}
	}
}

// TestSnapshotOnOtherProviders: `snapshot --wait` on Civo and a Managed
// Database, each name checked against its provider's rule before sending.
func TestSnapshotOnOtherProviders(t *testing.T) {
	for _, tc := range []struct{ account, resource, label, bad, badWhy string }{
		{"civo-demo", "grafana", "grafana-nightly", "has space", "letters"},
		{"demo/databases", "orders-mysql", "orders_nightly", "orders-nightly", "underscores"},
	} {
		t.Run(tc.account, func(t *testing.T) {
			r := demo(t, "snapshot", tc.resource, "--account", tc.account, "--label", tc.bad)
			wantCode(t, r, 2)
			wantOneLine(t, r, tc.badWhy)
			r = demo(t, "snapshot", tc.resource, "--account", tc.account, "--label", tc.label, "--wait", "--poll", "100ms", "--json", "--demo-job-time", "400ms")
			wantCode(t, r, 0)
			var b map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &b); err != nil || b["label"] != tc.label || b["status"] != "successful" {
				t.Fatalf("%v: %s", err, r.stdout)
			}
		})
	}
}

// On a terminal, snapshot --wait rewrites one progress line as the job
// moves, then clears it for the final line; a script's stderr gets the
// final line alone.
func TestSnapshotWaitShowsProgressOnATerminal(t *testing.T) {
	for _, interactive := range []bool{true, false} {
		var out, errb bytes.Buffer
		e := env{stdout: &out, stderr: &errb, now: time.Now, getenv: func(string) string { return "" }, interactive: interactive}
		code := e.run([]string{"snapshot", "cache-01", "--label", "prog", "--wait", "--poll", "50ms",
			"--demo", "--demo-latency", "0", "--demo-job-time", "800ms", "--audit-log", filepath.Join(t.TempDir(), "audit.log")})
		if code != exitOK {
			t.Fatalf("interactive %v: exit %d, stderr %q", interactive, code, errb.String())
		}
		got := errb.String()
		final := "snapdeck: Snapshot prog of cache-01 finished\n"
		if !strings.HasSuffix(got, final) {
			t.Fatalf("interactive %v: stderr does not end with the verdict: %q", interactive, got)
		}
		if !interactive {
			if got != final {
				t.Fatalf("a script's stderr holds more than the verdict: %q", got)
			}
			continue
		}
		if !strings.Contains(got, "\r\x1b[K● Snapshot prog of cache-01: ") {
			t.Fatalf("no progress line on the terminal: %q", got)
		}
		if !strings.HasSuffix(got, "\r\x1b[K"+final) {
			t.Fatalf("the progress line is not cleared before the verdict: %q", got)
		}
	}
}
