package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestHelpOnStdout: help is what was asked for, so it goes to stdout (and
// `snapdeck --help | less` shows it), with exit 0 and nothing on stderr;
// `help [command]` says the same as --help.
func TestHelpOnStdout(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"snapdeck [--demo] [flags]", "cancel-backups", "completion", "LINODE_TOKEN (and LINODE_URL or --api)", "--demo-latency duration"}},
		{[]string{"help"}, []string{"snapdeck [--demo] [flags]", "cancel-backups"}},
		{[]string{"-h"}, []string{"snapdeck [--demo] [flags]"}},
		{[]string{"help", "snapshot"}, []string{"snapdeck snapshot <resource> --label L", "--wait", "--account name", "Acts on the first account"}},
		{[]string{"snapshot", "--help"}, []string{"snapdeck snapshot <resource> --label L", "--wait"}},
		{[]string{"help", "check"}, []string{"--max-age duration", "(default 48h0m0s)"}},
		{[]string{"help", "completion"}, []string{"bash", "zsh", "fish"}},
	} {
		r := runCmd(t, nil, tc.args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", tc.args, r.code, r.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%v: want %q in\n%s", tc.args, w, r.stdout)
			}
		}
	}
	r := runCmd(t, nil, "help", "snapshto")
	wantCode(t, r, 2)
	wantOneLine(t, r, `unknown command "snapshto" (did you mean snapshot?)`)
	if r.stdout != "" {
		t.Fatalf("stdout: %q", r.stdout)
	}
}

// TestDidYouMean: a mistyped command or flag is one line (exit 2) naming
// what was meant; an unknown top-level flag is that one line too, not the
// whole usage.
func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"resourcs"}, `unknown command "resourcs" (did you mean resources?); see snapdeck help`},
		{[]string{"snapshots", "web-prod-01"}, `unknown command "snapshots" (did you mean snapshot?)`},
		{[]string{"check", "--max-ag", "2d"}, "unknown flag --max-ag for snapdeck check (did you mean --max-age?); see snapdeck check --help"},
		{[]string{"backups", "web-prod-01", "--jsn"}, "unknown flag --jsn for snapdeck backups (did you mean --json?)"},
		{[]string{"restore", "a", "b", "--overwrit"}, "(did you mean --overwrite?)"},
		{[]string{"--dem"}, "unknown flag --dem for snapdeck (did you mean --demo, --demo-job-time, --demo-latency or --demo-size?)"},
		{[]string{"--bogus"}, "unknown flag --bogus for snapdeck; see snapdeck --help"},
		{[]string{"resources", "-x"}, "unknown flag -x in -x for snapdeck resources"},
		{[]string{"check", "--max-age"}, "flag needs an argument: --max-age"},
		{[]string{"resources", "extra"}, `resources takes no arguments, got "extra"`},
	} {
		r := runCmd(t, nil, tc.args...)
		if r.code != exitError || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q", tc.args, r.code, r.stdout)
		}
		line := strings.TrimSuffix(r.stderr, "\n")
		if strings.Contains(line, "\n") || !strings.HasPrefix(line, "snapdeck: ") || !strings.Contains(line, tc.want) {
			t.Errorf("%v: want one line with %q, got %q", tc.args, tc.want, r.stderr)
		}
	}
}

// TestDurationsTakeDays: --max-age 2d is two days; a value that is no
// duration is one line saying what would do.
func TestDurationsTakeDays(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		want int64
	}{{"2d", 2 * 86400}, {"1d12h", 36 * 3600}, {"36h", 36 * 3600}, {"90m", 90 * 60}} {
		r := demo(t, "check", "--json", "--max-age", tc.arg)
		if r.code == exitError {
			t.Fatalf("--max-age %s: %s", tc.arg, r.stderr)
		}
		var res checkJSON
		if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.MaxAgeSeconds != tc.want {
			t.Errorf("--max-age %s: max_age_seconds %d, want %d (%v)", tc.arg, res.MaxAgeSeconds, tc.want, err)
		}
	}
	// The same check, said in days or in hours.
	if a, b := demo(t, "check", "--max-age", "2d"), demo(t, "check", "--max-age", "48h"); a.stdout != b.stdout || a.code != b.code {
		t.Errorf("2d and 48h differ:\n%s\n%s", a.stdout, b.stdout)
	}
	for _, bad := range []string{"2x", "two days", "d", "-1d", "2d-3h", "9999999999999d"} {
		r := runCmd(t, nil, "check", "--max-age", bad)
		wantCode(t, r, exitError)
		wantOneLine(t, r, `--max-age "`+bad+`": not a duration: use a number and a unit, e.g. 90s, 15m, 48h, 2d or 1d12h`)
	}
	// Every duration flag takes them: the TUI's, sim's and serve's too.
	r := runCmd(t, nil, "--poll", "soon")
	wantCode(t, r, exitError)
	wantOneLine(t, r, `--poll "soon": not a duration`)
	r = runCmd(t, nil, "serve", "--idle-timeout", "1w")
	wantCode(t, r, exitError)
	wantOneLine(t, r, `--idle-timeout "1w": not a duration`)
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"2d": 48 * time.Hour, "0d": 0, "1d12h": 36 * time.Hour, "1d30m": 24*time.Hour + 30*time.Minute,
		"48h": 48 * time.Hour, "1.5h": 90 * time.Minute, "0": 0, "100ms": 100 * time.Millisecond, " 3d ": 72 * time.Hour,
	} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "d", "2", "2dd", "1d-1h", "-1d", "x2d", "106752d", "2 d"} {
		if got, err := parseDuration(bad); err == nil {
			t.Errorf("%q: %v, want an error", bad, got)
		}
	}
}

// TestOldSingleDashFlags: flags as the standard flag package took them
// (-json, -max-age=2d) still work; a value after a flag is left alone.
func TestOldSingleDashFlags(t *testing.T) {
	r := demo(t, "check", "-json", "-max-age=2d")
	var res checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.MaxAgeSeconds != 2*86400 {
		t.Fatalf("%v: %d %s", err, r.code, r.stderr)
	}
	r = demo(t, "snapshot", "web-prod-01", "-label", "-json")
	wantCode(t, r, 0)
	if !strings.HasPrefix(r.stdout, "ID ") || !strings.Contains(r.stdout, " -json ") { // the label, and a table
		t.Fatalf("-label -json: %s", r.stdout)
	}
}

// TestCompletionScripts: `snapdeck completion SHELL` prints a script for
// bash, zsh and fish, on stdout.
func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -F __start_snapdeck snapdeck",
		"zsh":  "#compdef snapdeck",
		"fish": "complete -c snapdeck",
	} {
		r := runCmd(t, nil, "completion", shell)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "__complete") {
			t.Errorf("%s: exit %d, stderr %q, script lacks %q", shell, r.code, r.stderr, want)
		}
	}
	r := runCmd(t, nil, "completion", "tcsh")
	wantCode(t, r, exitError)
	wantOneLine(t, r, `no completion script for "tcsh"`)
	r = runCmd(t, nil, "completion", "zhs")
	wantCode(t, r, exitError)
	wantOneLine(t, r, `no completion script for "zhs" (did you mean zsh?)`)
}

// completions runs the hidden command the scripts call and returns what
// it offers, without descriptions and the directive line.
func completions(t *testing.T, environ map[string]string, args ...string) []string {
	t.Helper()
	r := runCmd(t, environ, append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %v: %d %s", args, r.code, r.stderr)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if l != "" && !strings.HasPrefix(l, ":") {
			name, _, _ := strings.Cut(l, "\t")
			out = append(out, name)
		}
	}
	return out
}

// TestCompletes: commands, flags and the account names (the config file's,
// the environment's or --demo's) complete.
func TestCompletes(t *testing.T) {
	same := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: got %q, want %q", what, got, want)
		}
	}
	same("commands", completions(t, nil, "re"), "resources", "restore")
	same("help's commands", completions(t, nil, "help", "ch"), "check")
	same("flags", completions(t, nil, "check", "--max"), "--max-age")
	same("demo accounts", completions(t, nil, "resources", "--demo", "--account", "civo"), "civo-demo", "civo-demo/instances")
	same("the TUI's --account", completions(t, nil, "--demo", "--account", "fl"), "flex-demo", "flex-demo/virtual-machines")
	same("sim --provider", completions(t, nil, "sim", "--provider", ""), "linode", "civo", "northflank", "superbflex")
	cfg := writeConfig(t, `
[[account]]
name = "prod"
provider = "linode"
token_env = "PROD_TOKEN"

[[account]]
name = "lon"
provider = "civo"
token_env = "LON_TOKEN"
`, 0o600)
	// Opening them sends nothing: no API is reachable here.
	environ := map[string]string{"PROD_TOKEN": "prod-token-1234", "LON_TOKEN": "lon-token-1234"}
	same("config accounts", completions(t, environ, "snapshot", "--config", cfg, "--account", ""),
		"prod", "prod/instances", "prod/databases", "lon", "lon/instances")
	// Without the variables, the accounts are still named.
	same("unopened accounts", completions(t, nil, "resources", "--config", cfg, "--account", ""), "prod", "lon")
	same("config accounts, typed", completions(t, environ, "backups", "x", "--config", cfg, "--account", "PROD/d"), "prod/databases")
}

// TestAccountPartialName: --account takes what the TUI's `:` prompt takes,
// an unambiguous part of an account or view name; an ambiguous one is
// exit 2 naming the candidates.
func TestAccountPartialName(t *testing.T) {
	for name, want := range map[string]string{
		"civo": "civo-demo", "CIVO-D": "civo-demo", "flex": "flex-demo", "north": "northflank-demo",
		"virtual": "flex-demo", "demo/data": "demo", "addons": "northflank-demo",
		// A name that starts so wins over civo-demo/instances, which only contains it.
		"demo/inst": "demo",
	} {
		rs := resourcesOf(t, demo(t, "resources", "--json", "--account", name))
		if len(rs) == 0 || rs[0].Account != want {
			t.Errorf("--account %s: %+v", name, rs)
		}
	}
	rs := resourcesOf(t, demo(t, "resources", "--json", "--account", "databases"))
	if len(rs) == 0 || rs[0].Kind != "database" {
		t.Errorf("--account databases: %+v", rs)
	}
	r := demo(t, "resources", "--account", "-demo")
	wantCode(t, r, exitError)
	wantOneLine(t, r, `--account "-demo" is ambiguous: it may mean civo-demo/instances, northflank-demo/addons or flex-demo/virtual-machines`)
	if r.stdout != "" {
		t.Fatalf("stdout: %q", r.stdout)
	}
	r = demo(t, "resources", "--account", "nope")
	wantCode(t, r, exitError)
	wantOneLine(t, r, `--account "nope" matches none of: demo/instances, demo/databases, civo-demo/instances`)
}

// TestAllAccountsColumns: with --all-accounts the tables say which
// provider (the word the account was configured with: linode for its
// databases too) and which account view each row is from.
func TestAllAccountsColumns(t *testing.T) {
	rowOf := func(out, label string) []string {
		for _, l := range strings.Split(out, "\n") {
			if f := strings.Fields(l); len(f) > 3 && f[3] == label {
				return f
			}
		}
		t.Fatalf("no row for %s in\n%s", label, out)
		return nil
	}
	r := demo(t, "resources", "--all-accounts")
	wantCode(t, r, 0)
	if f := strings.Fields(strings.SplitN(r.stdout, "\n", 2)[0]); f[0] != "PROVIDER" || f[1] != "ACCOUNT" {
		t.Fatalf("header: %v", f)
	}
	for label, want := range map[string][2]string{
		"web-prod-01": {"linode", "demo/instances"}, "orders-mysql": {"linode", "demo/databases"},
		"grafana": {"civo", "civo-demo/instances"}, "db-master": {"superbflex", "flex-demo/virtual-machines"},
	} {
		if f := rowOf(r.stdout, label); f[0] != want[0] || f[1] != want[1] {
			t.Errorf("%s: %v, want %v", label, f[:2], want)
		}
	}
	r = demo(t, "check", "--all-accounts")
	wantCode(t, r, exitFound)
	if f := strings.Fields(strings.SplitN(r.stdout, "\n", 2)[0]); f[0] != "PROVIDER" || f[1] != "ACCOUNT" {
		t.Fatalf("check header: %v", f)
	}
	dbs := 0
	for _, l := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[1] == "demo/databases" {
			dbs++
			if f[0] != "linode" {
				t.Errorf("a database row says %s, not linode: %s", f[0], l)
			}
		}
	}
	if dbs == 0 {
		t.Errorf("check --all-accounts has no demo/databases row:\n%s", r.stdout)
	}
	// One account's table is as it was (the golden files pin it).
	if r := demo(t, "resources"); strings.Contains(r.stdout, "PROVIDER") {
		t.Errorf("one account's table has PROVIDER:\n%s", r.stdout)
	}
}

// TestMessagesNameWhatFailed: a failed request says what was asked (the
// backup ID, the resource) and of which API.
func TestMessagesNameWhatFailed(t *testing.T) {
	r := demo(t, "restore", "web-prod-01", "no-such-backup", "--to", "web-prod-01", "--yes", "--wait")
	wantCode(t, r, exitError)
	wantOneLine(t, r, "reading backup no-such-backup of web-prod-01 (41000039) in demo/instances at linode.demo.invalid: not found")

	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	var out, errb bytes.Buffer
	e := env{stdout: &out, stderr: &errb, now: func() time.Time { return fixedNow },
		getenv: func(k string) string { return map[string]string{"LINODE_TOKEN": "test-token"}[k] }}
	r = result{e.run([]string{"backups", "web-prod-01", "--timeout", "300ms", "--api", srv.URL}), out.String(), errb.String()}
	wantCode(t, r, exitError)
	wantOneLine(t, r, `finding the resource "web-prod-01" in LINODE_TOKEN/instances at `+host+": timed out")
}

// TestWaitErrorNamesTheJob: a wait that cannot go on (the token is
// rejected midway) says which job it was following, where, and which
// credential was rejected.
func TestWaitErrorNamesTheJob(t *testing.T) {
	srv := simlinode.New(simlinode.Demo(fixedNow), simlinode.Options{SnapshotTime: time.Hour})
	var posted atomic.Bool
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if posted.Load() {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"errors":[{"reason":"Invalid Token"}]}`))
			return
		}
		if r.Method == http.MethodPost {
			defer posted.Store(true)
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	r := runCmd(t, map[string]string{"LINODE_TOKEN": simlinode.DemoToken}, "snapshot", "web-prod-01", "--label", "nightly", "--wait",
		"--poll", "10ms", "--api", hs.URL, "--audit-log", filepath.Join(t.TempDir(), "audit.log"))
	wantCode(t, r, exitError)
	wantOneLine(t, r, "LINODE_TOKEN was rejected: following the snapshot nightly of web-prod-01 in LINODE_TOKEN/instances at "+
		strings.TrimPrefix(hs.URL, "http://")+": not authorised (HTTP 401): Invalid Token")
}

// TestRejectedNamesItsCredential: a rejected token is named by where it
// came from, whichever the provider (it always said LINODE_TOKEN).
func TestRejectedNamesItsCredential(t *testing.T) {
	civo := httptest.NewServer(simcivo.New(simcivo.Demo(fixedNow), simcivo.Options{Token: "civo-secret-1"}))
	t.Cleanup(civo.Close)
	cfg := writeConfig(t, "[[account]]\nname = \"lon\"\nprovider = \"civo\"\napi_url = \""+civo.URL+"\"\ntoken_env = \"MY_CIVO\"\n", 0o600)
	r := runCmd(t, map[string]string{"MY_CIVO": "not-the-secret"}, "backups", "grafana", "--config", cfg)
	wantCode(t, r, exitError)
	wantOneLine(t, r, `MY_CIVO was rejected: finding the resource "grafana" in lon/instances at `+strings.TrimPrefix(civo.URL, "http://")+": not authorised")
	if strings.Contains(r.stderr, "LINODE") || strings.Contains(r.stderr, "not-the-secret") {
		t.Fatalf("stderr: %q", r.stderr)
	}
}
