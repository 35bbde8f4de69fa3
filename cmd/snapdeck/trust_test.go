package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// prodAndStaging is a config whose first account, prod, takes its token
// from PROD_TOKEN, and whose second, staging, is the simulator at url.
func prodAndStaging(t *testing.T, url string) string {
	return writeConfig(t, `
[[account]]
name = "prod"
provider = "linode"
api_url = "`+url+`"
token_env = "PROD_TOKEN"
production = true

[[account]]
name = "staging"
provider = "linode"
api_url = "`+url+`"
token_env = "STAGING_TOKEN"
`, 0o600)
}

// TestUnopenedAccountIsAnError: with prod's token unset, nothing that
// changes something falls through to staging, and neither does a read of
// the default account or of every account; --account staging still works.
func TestUnopenedAccountIsAnError(t *testing.T) {
	srv, url := simServer(t)
	cfg := prodAndStaging(t, url)
	env := map[string]string{"STAGING_TOKEN": simlinode.DemoToken}
	audit := filepath.Join(t.TempDir(), "audit.log")
	for _, args := range [][]string{
		{"snapshot", "web-prod-01", "--label", "x"},
		{"restore", "web-prod-01", "310000275", "--to", "web-prod-01", "--yes"},
		{"cancel-backups", "cache-01", "--yes"},
		{"snapshot", "web-prod-01", "--label", "x", "--account", "prod"},
		{"resources"},
		{"check", "--all-accounts"},
		{"resources", "--all-accounts"},
		{"backups", "web-prod-01"},
	} {
		r := runCmd(t, env, append(args, "--config", cfg, "--audit-log", audit)...)
		wantCode(t, r, 2)
		wantOneLine(t, r, "prod")
		wantOneLine(t, r, "PROD_TOKEN is not set")
		if r.stdout != "" {
			t.Fatalf("%v: stdout %q", args, r.stdout)
		}
	}
	if n := srv.Mutations(); n != 0 {
		t.Fatalf("%d mutations reached an account nobody named", n)
	}
	if data, _ := os.ReadFile(audit); len(data) != 0 {
		t.Fatalf("audit log: %s", data)
	}
	// Naming the account that opens is fine.
	r := runCmd(t, env, "snapshot", "web-prod-01", "--label", "named", "--account", "staging", "--config", cfg, "--audit-log", audit)
	wantCode(t, r, 0)
	r = runCmd(t, env, "resources", "--account", "staging", "--config", cfg)
	wantCode(t, r, 0)
	if srv.Mutations() != 1 {
		t.Fatalf("%d mutations, want the one named", srv.Mutations())
	}
}

// TestImplausibleTokenRefused: LINODE_TOKEN=e is refused before anything is
// sent, in one line that names the variable and not the value; it never
// reaches the redaction that would garble "Invalid Token".
func TestImplausibleTokenRefused(t *testing.T) {
	srv, url := simServer(t)
	for _, tok := range []string{"e", " ", "short12"} {
		for _, args := range [][]string{{"resources"}, {"snapshot", "web-prod-01", "--label", "x"}, {}} {
			r := runCmd(t, map[string]string{"LINODE_TOKEN": tok}, append(args, "--api", url, "--audit-log", filepath.Join(t.TempDir(), "a.log"))...)
			wantCode(t, r, 2)
			wantOneLine(t, r, "LINODE_TOKEN ")
			if tok == "short12" && strings.Contains(r.stderr, tok) {
				t.Fatalf("token echoed: %q", r.stderr)
			}
		}
	}
	if n := srv.Requests(); n != 0 {
		t.Fatalf("%d requests sent with an implausible token", n)
	}
}

// TestUnknownLabelOrAccountIsExit2: a label or account that matches
// nothing is exit 2 with one line, never "OK: all 0 resources".
func TestUnknownLabelOrAccountIsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--label", "web-prod-O1"}, `no resource with the label "web-prod-O1" in demo/instances`},
		{[]string{"check", "--label", "web-prod-O1", "--json", "--all-accounts"}, `no resource with the label "web-prod-O1" in demo/instances, demo/databases`},
		{[]string{"backups", "web-prod-O1"}, `no resource with the label or ID "web-prod-O1"`},
		{[]string{"snapshot", "web-prod-O1", "--label", "x"}, `no resource with the label or ID "web-prod-O1"`},
		{[]string{"restore", "web-prod-O1", "1", "--to", "web-prod-01", "--yes"}, `no resource with the label or ID "web-prod-O1"`},
		{[]string{"check", "--account", "prdo"}, `--account "prdo" matches none of`},
		{[]string{"backups", "web-prod-01", "--account", "prdo"}, `--account "prdo" matches none of`},
		{[]string{"snapshot", "web-prod-01", "--label", "x", "--account", "prdo"}, `--account "prdo" matches none of`},
		{[]string{"restore", "web-prod-01", "1", "--to", "web-prod-01", "--yes", "--account", "prdo"}, `--account "prdo" matches none of`},
	} {
		r := demo(t, tc.args...)
		wantCode(t, r, 2)
		wantOneLine(t, r, tc.want)
		if r.stdout != "" {
			t.Fatalf("%v: stdout %q", tc.args, r.stdout)
		}
	}
	// A label that exists is checked as before.
	r := demo(t, "check", "--label", "web-prod-01", "--max-age", "100000h")
	wantCode(t, r, 0)
}

// TestCivoSnapshotOverwriteNeedsReplace: on Civo a snapshot named like an
// existing one overwrites it; the CLI asks for --replace (or --yes) first,
// as the TUI asks, and sends nothing without it.
func TestCivoSnapshotOverwriteNeedsReplace(t *testing.T) {
	var puts atomic.Int32
	// Each PUT moves the simulator's clock an hour on, so every snapshot
	// has finished before the next is asked for.
	sim := simcivo.New(simcivo.Demo(fixedNow), simcivo.Options{
		Options: sim.Options{Now: func() time.Time { return fixedNow.Add(time.Duration(puts.Load()) * time.Hour) }},
		Token:   "civo-secret-1",
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			defer puts.Add(1)
		}
		sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	cfg := writeConfig(t, "[[account]]\nname = \"lon\"\nprovider = \"civo\"\napi_url = \""+srv.URL+"\"\ntoken_env = \"MY_CIVO\"\n", 0o600)
	env := map[string]string{"MY_CIVO": "civo-secret-1"}
	audit := filepath.Join(t.TempDir(), "audit.log")
	snap := func(extra ...string) result {
		return runCmd(t, env, append([]string{"snapshot", "grafana", "--label", "nightly", "--config", cfg, "--audit-log", audit}, extra...)...)
	}
	wantCode(t, snap(), 0) // the first of that name
	if puts.Load() != 1 {
		t.Fatalf("%d PUTs, want 1", puts.Load())
	}
	r := snap()
	wantCode(t, r, 2)
	wantOneLine(t, r, `grafana already has a snapshot named "nightly"`)
	wantOneLine(t, r, "--replace")
	if puts.Load() != 1 || r.stdout != "" {
		t.Fatalf("sent without --replace: %d PUTs, stdout %q", puts.Load(), r.stdout)
	}
	wantCode(t, snap("--replace"), 0)
	wantCode(t, snap("--yes"), 0)
	if puts.Load() != 3 {
		t.Fatalf("%d PUTs, want 3", puts.Load())
	}
	// Another name needs nothing more.
	r = runCmd(t, env, "snapshot", "grafana", "--label", "weekly", "--config", cfg, "--audit-log", audit)
	wantCode(t, r, 0)
}

// TestTUISigtermRecordsInFlight: the local TUI killed by SIGTERM while a
// snapshot request is out leaves its "sent" line and an uncertain outcome.
func TestTUISigtermRecordsInFlight(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	sim := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{})
	got := make(chan struct{}, 1)
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost { // the snapshot: never answered
			select {
			case got <- struct{}{}:
			default:
			}
			select {
			case <-hold:
			case <-r.Context().Done():
			}
			return
		}
		sim.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer close(hold)
	audit := filepath.Join(t.TempDir(), "audit.log")
	tm := startTerm(t, 120, 36, []string{"LINODE_TOKEN=" + simlinode.DemoToken, "LINODE_URL=" + srv.URL}, "--audit-log", audit)
	tm.waitText("Loaded 40 instances")
	tm.send("/")
	tm.sendText("cache-01")
	tm.waitText("Instances 1/40")
	tm.send(keyEnter)
	tm.send("s")
	tm.waitText("no snapshot yet")
	tm.send("\x15")
	tm.sendText("cut-snap")
	tm.waitText("✓ 8/255 characters")
	tm.send(keyEnter)
	select {
	case <-got:
	case <-time.After(30 * time.Second): // a guard, not a timing assertion
		t.Fatalf("the snapshot request never arrived:\n%s", tm.screen())
	}
	if err := tm.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	tm.wait()
	data, err := os.ReadFile(audit)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"outcome":"sent"`) || !strings.Contains(lines[0], `"label":"cut-snap"`) ||
		!strings.Contains(lines[1], `"uncertain":true`) {
		t.Fatalf("audit log after SIGTERM:\n%s", data)
	}
}
