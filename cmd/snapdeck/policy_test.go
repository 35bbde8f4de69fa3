package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	"github.com/snapdeck/snapdeck/ui/table"
)

// policyConfig is one Linode account at the simulator at url with a policy:
// a lax default and account rule, a strict rule for tag web (line 13) and
// tag dev exempt (lines 9 and 12 hold the account and web rules).
func policyConfig(t *testing.T, url string) string {
	return writeConfig(t, `[[account]]
name = "prod"
provider = "linode"
api_url = "`+url+`"
token_env = "PROD_TOKEN"

[policy.default]
max_age = "10000h"
[policy.account.prod]
max_age = "5000h"

[policy.tag.web]
max_age = "26h"
min_manual = 1
[policy.tag.dev]
exempt = true
`, 0o600)
}

func checkStale(t *testing.T, r result) (checkJSON, map[string]staleJSON) {
	t.Helper()
	var c checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	by := map[string]staleJSON{}
	for _, s := range c.Stale {
		by[s.Resource.Label] = s
	}
	return c, by
}

// TestCheckHonoursPolicy: check holds each resource to its rule, tag over
// account over default, says which rule and where it was written, and
// --max-age / --min-manual override every rule for one run.
func TestCheckHonoursPolicy(t *testing.T) {
	_, url := simServer(t)
	cfg := policyConfig(t, url)
	env := map[string]string{"PROD_TOKEN": simlinode.DemoToken}

	r := runCmd(t, env, "check", "--json", "--config", cfg)
	wantCode(t, r, 1)
	c, stale := checkStale(t, r)
	// web-prod-01 (prod, web): fresh automatic backups, but its one snapshot is 30h old.
	if s := stale["web-prod-01"]; s.Reason != "too_few_manual" || s.Rule != "tag web (config line 12)" || s.Problem != "0 of 1 manual in 26h" {
		t.Errorf("web-prod-01: %+v", s)
	}
	// api-staging-02 (staging, web): 4 days old breaks the tag's 26h.
	if s := stale["api-staging-02"]; s.Reason != "too_old" || s.Rule != "tag web (config line 12)" || s.RuleMaxAgeSeconds != 26*3600 {
		t.Errorf("api-staging-02: %+v", s)
	}
	// legacy-mail (dev) has backups off, but dev is exempt.
	if _, ok := stale["legacy-mail"]; ok || c.Exempt == 0 {
		t.Errorf("legacy-mail is exempt; exempt = %d", c.Exempt)
	}
	// cache-01 (prod, cache) is held to the account's rule, and passes.
	if _, ok := stale["cache-01"]; ok {
		t.Error("cache-01 passes the account rule")
	}
	for label, s := range stale {
		if s.Reason == "backups_disabled" && !strings.HasPrefix(s.Rule, "account prod") && !strings.HasPrefix(s.Rule, "tag web") {
			t.Errorf("%s: backups off judged by %q, want the account's or the tag's rule, never the default", label, s.Rule)
		}
	}

	// Flags override every rule for this run.
	r = runCmd(t, env, "check", "--json", "--config", cfg, "--max-age", "10000h", "--min-manual", "0")
	_, stale = checkStale(t, r)
	for _, l := range []string{"web-prod-01", "api-staging-02"} {
		if s, ok := stale[l]; ok {
			t.Errorf("%s fails with the flags overriding: %+v", l, s)
		}
	}
	r = runCmd(t, env, "check", "--json", "--config", cfg, "--max-age", "1h")
	_, stale = checkStale(t, r)
	if s := stale["cache-01"]; s.Reason != "too_old" || !strings.Contains(s.Rule, "account prod (config line 9) with --max-age 1h") {
		t.Errorf("cache-01 with --max-age 1h: %+v", s)
	}

	// The table says the problem and the rule.
	r = runCmd(t, env, "check", "--config", cfg)
	if !strings.Contains(r.stdout, "0 of 1 manual in 26h") || !strings.Contains(r.stdout, "tag web (config line 12)") ||
		!strings.Contains(r.stdout, "break the backup policy (") {
		t.Errorf("table:\n%s", r.stdout)
	}
}

// parseOpenMetrics reads an exposition with expfmt's OpenMetrics decoder
// and, as node_exporter's textfile collector does, its text parser; the
// two must agree.
func parseOpenMetrics(t *testing.T, data []byte) map[string]*dto.MetricFamily {
	t.Helper()
	dec := expfmt.NewDecoder(bytes.NewReader(data), expfmt.NewFormat(expfmt.TypeOpenMetrics))
	om := map[string]*dto.MetricFamily{}
	for {
		mf := &dto.MetricFamily{}
		err := dec.Decode(mf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("OpenMetrics parser: %v\n%s", err, data)
		}
		om[mf.GetName()] = mf
	}
	p := expfmt.NewTextParser(pmodel.UTF8Validation)
	text, err := p.TextToMetricFamilies(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("text parser (node_exporter's): %v\n%s", err, data)
	}
	if len(text) != len(om) {
		t.Fatalf("the parsers disagree: %d families vs %d", len(text), len(om))
	}
	return om
}

// gaugeOf finds the gauge of family name whose labels include want.
func gaugeOf(mf *dto.MetricFamily, want map[string]string) (float64, bool) {
	for _, m := range mf.GetMetric() {
		n := 0
		for _, lp := range m.GetLabel() {
			if v, ok := want[lp.GetName()]; ok && v == lp.GetValue() {
				n++
			}
		}
		if n == len(want) {
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// TestCheckOpenMetrics: --format openmetrics is one gauge per resource,
// parsed back by expfmt's parsers, agreeing with the JSON verdicts.
func TestCheckOpenMetrics(t *testing.T) {
	_, url := simServer(t)
	cfg := policyConfig(t, url)
	env := map[string]string{"PROD_TOKEN": simlinode.DemoToken}
	r := runCmd(t, env, "check", "--format", "openmetrics", "--config", cfg)
	wantCode(t, r, 1)
	fams := parseOpenMetrics(t, []byte(r.stdout))
	viol, age := fams[metricViolation], fams[metricAge]
	if viol == nil || age == nil || fams[metricSuccess] == nil {
		t.Fatalf("families: %v", fams)
	}
	for label, want := range map[string]float64{"web-prod-01": 1, "api-staging-02": 1, "legacy-mail": 0, "cache-01": 0} {
		got, ok := gaugeOf(viol, map[string]string{"provider": "linode", "account": "prod", "view": "prod/instances", "resource": label})
		if !ok || got != want {
			t.Errorf("%s %s = %v (found %v), want %v", metricViolation, label, got, ok, want)
		}
	}
	// web-prod-01's newest good backup finished 3h before the fixed clock.
	if got, ok := gaugeOf(age, map[string]string{"resource": "web-prod-01"}); !ok || got != 3*3600 {
		t.Errorf("age of web-prod-01 = %v (%v)", got, ok)
	}
	if _, ok := gaugeOf(age, map[string]string{"resource": "legacy-mail"}); ok {
		t.Error("legacy-mail never had a backup: no age gauge")
	}
}

// TestMetricsEscapeLabels: label values from a provider (quotes,
// backslashes, line breaks, UTF-8) come back unchanged through the parsers.
func TestMetricsEscapeLabels(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	odd := "we\"ird\\label\nwith λ"
	js := []judged{{found{target{account: "a", provider: "linode", p: fakeInfoProvider{}}, model.Resource{ID: "1", Label: odd, BackupsEnabled: true, LastSuccessful: now.Add(-time.Hour)}}, model.PolicyVerdict{}, nil}}
	var buf bytes.Buffer
	if err := writeMetrics(&buf, metricFamilies(js, true, now)); err != nil {
		t.Fatal(err)
	}
	fams := parseOpenMetrics(t, buf.Bytes())
	if got, ok := gaugeOf(fams[metricAge], map[string]string{"resource": odd}); !ok || got != 3600 {
		t.Fatalf("the label did not survive: %v %v\n%s", got, ok, buf.String())
	}
}

// TestWatchRewritesAtomically: each round replaces the metrics file whole
// (no temporary file is left beside it); a failed round keeps the last good
// round's resource gauges, sets snapdeck_check_success 0 and says why on
// stderr. The ticker is the test's channel: no sleeping.
func TestWatchRewritesAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "snapdeck.prom")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	res := model.Resource{ID: "7", Label: "web", BackupsEnabled: true, LastSuccessful: now.Add(-2 * time.Hour)}
	good := []judged{{found{target{account: "a", provider: "linode", p: fakeInfoProvider{}}, res}, model.PolicyVerdict{Violation: model.ViolationTooOld}, nil}}
	calls := 0
	proceed := make(chan struct{})
	round := func(ctx context.Context) ([]judged, time.Time, error) {
		calls++
		switch calls {
		case 1:
			return good, now, nil
		case 2:
			<-proceed // while the test reads round 1's file
			return nil, now.Add(time.Minute), errors.New("listing the resources: 503 Service Unavailable")
		}
		<-ctx.Done()
		return nil, now, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	tick := make(chan time.Time)
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- watch(ctx, &stderr, path, tick, round) }()

	read := func() map[string]*dto.MetricFamily {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("a temporary file was left: %v", entries)
		}
		return parseOpenMetrics(t, data)
	}
	tick <- now // received only once round 1 is written
	fams := read()
	if v, _ := gaugeOf(fams[metricSuccess], nil); v != 1 {
		t.Errorf("success after a good round = %v", v)
	}
	if v, ok := gaugeOf(fams[metricViolation], map[string]string{"resource": "web"}); !ok || v != 1 {
		t.Errorf("violation = %v %v", v, ok)
	}
	proceed <- struct{}{}
	tick <- now // received only once round 2, which failed, is written
	fams = read()
	if v, _ := gaugeOf(fams[metricSuccess], nil); v != 0 {
		t.Errorf("success after a failed round = %v", v)
	}
	if v, ok := gaugeOf(fams[metricAge], map[string]string{"resource": "web"}); !ok || v != 7200 {
		t.Errorf("the failed round lost the last good gauges: %v %v", v, ok)
	}
	if !strings.Contains(stderr.String(), "503 Service Unavailable") {
		t.Errorf("stderr: %q", stderr.String())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestWriteFileAtomicallyKeepsOldOnFailure: a write that fails leaves the
// old file as it was, and no temporary file.
func TestWriteFileAtomicallyKeepsOldOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.prom")
	if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := writeFileAtomically(path, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return errors.New("disk full")
	})
	if err == nil {
		t.Fatal("no error")
	}
	if data, _ := os.ReadFile(path); string(data) != "old\n" {
		t.Fatalf("file = %q", data)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

// TestCheckEveryRefusals: --every needs --textfile and at least a minute.
func TestCheckEveryRefusals(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--every", "15m"}, "--every needs --textfile"},
		{[]string{"--textfile", "/tmp/x.prom"}, "--textfile needs --every"},
		{[]string{"--every", "10s", "--textfile", "/tmp/x.prom"}, "at least 1m"},
		{[]string{"--format", "xml"}, `--format "xml" is not one of`},
	} {
		r := demo(t, append([]string{"check"}, tc.args...)...)
		wantCode(t, r, 2)
		wantOneLine(t, r, tc.want)
	}
}

// fakeInfoProvider is a provider that only describes itself.
type fakeInfoProvider struct{ client.Provider }

func (fakeInfoProvider) Info() model.ProviderInfo { return simlinodeInfo }

var simlinodeInfo = model.ProviderInfo{Name: "linode", Title: "Linode", Kind: model.KindInstance, Noun: "instance", Plural: "Instances", GroupTitle: "REGION"}

// TestPolicyJourneyInPTY: the binary, with a config whose policy wants a
// recent manual backup of web rows, marks web-prod-01 (its snapshot is 30h
// old), `v` narrows the list to the violations, and its backups say which
// rule and where it was written; `check` agrees.
func TestPolicyJourneyInPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	// The binary runs on the wall clock: so does this simulator.
	hs := httptest.NewServer(simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{}))
	t.Cleanup(hs.Close)
	cfg := policyConfig(t, hs.URL)
	tm := startTerm(t, 100, 30, []string{"PROD_TOKEN=" + simlinode.DemoToken}, "--config", cfg, "--audit-log", filepath.Join(t.TempDir(), "audit.log"))
	s := tm.waitText("Loaded 40 instances")
	if !strings.Contains(s, "POLICY") || !strings.Contains(s, "v violations") {
		t.Fatalf("no POLICY column or v in the footer:\n%s", s)
	}
	tm.waitFor("web-prod-01 marked", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, table.Marker+" "), "web-prod-01 ") {
				return strings.Contains(l, "✗ manual")
			}
		}
		return false
	})
	tm.send("v")
	s = tm.waitText("Instances violating")
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimLeft(l, table.Marker+" "), "cache-01 ") {
			t.Fatalf("cache-01 passes its rule but is listed:\n%s", s)
		}
	}
	tm.send(keyEnter) // web-prod-01, the first violation
	tm.waitText("policy: ✗ 0 of 1 manual in 26h (tag web (config line 12))")
	tm.escTo("LAST GOOD") // the violations list's header
	tm.send("v")
	tm.waitText("Instances 40")
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestPolicyConfigErrorIsOneLine: a bad rule stops every command with one
// line naming the file and the line.
func TestPolicyConfigErrorIsOneLine(t *testing.T) {
	cfg := writeConfig(t, `[[account]]
name = "prod"
provider = "linode"
token_env = "PROD_TOKEN"

[policy.tag.web]
max_age = "a day"
`, 0o600)
	r := runCmd(t, map[string]string{"PROD_TOKEN": simlinode.DemoToken}, "check", "--config", cfg)
	wantCode(t, r, 2)
	wantOneLine(t, r, cfg+": line 6: max_age: \"a day\" is not a duration")
}

// TestCheckEveryWritesTextfileUntilSIGTERM: the binary, run headless,
// writes the metrics file and ends cleanly on SIGTERM.
func TestCheckEveryWritesTextfileUntilSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	_, url := simServer(t)
	cfg := policyConfig(t, url)
	path := filepath.Join(t.TempDir(), "snapdeck.prom")
	cmd := exec.Command(binary(t), "check", "--config", cfg, "--every", "1m", "--textfile", path)
	cmd.Env = append(os.Environ(), "PROD_TOKEN="+simlinode.DemoToken, "XDG_STATE_HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var data []byte
	for deadline := time.Now().Add(30 * time.Second); ; {
		if b, err := os.ReadFile(path); err == nil {
			data = b
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no metrics file; stderr: %s", stderr.String())
		}
		select {
		case err := <-done:
			t.Fatalf("ended before writing: %v; stderr: %s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	fams := parseOpenMetrics(t, data)
	if v, ok := gaugeOf(fams[metricViolation], map[string]string{"resource": "api-staging-02"}); !ok || v != 1 {
		t.Errorf("api-staging-02 violation = %v %v", v, ok)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("exit after SIGTERM: %v; stderr: %s", err, stderr.String())
	}
}

// TestViolationsFollowTheScanInPTY: the binary, on `v`, then `b`: a web
// row far below the screen whose snapshot is 2h old (its rule wants one
// within 26h) leaves the violations as the scan reads it, and the list ends
// with as many rows as the scan's report counts violations.
func TestViolationsFollowTheScanInPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	now := time.Now()
	fleet := simlinode.Demo(now)
	for _, in := range fleet.Instances {
		if in.Label == "api-prod-14" { // prod,web,cache: the web rule
			in.Current = &simlinode.Backup{ID: 990001, Label: "nightly", Status: "successful", Type: "snapshot",
				Available: true, Created: now.Add(-2 * time.Hour), Updated: now.Add(-110 * time.Minute),
				Finished: now.Add(-110 * time.Minute), Disks: in.Disks, Configs: in.Configs}
		}
	}
	hs := httptest.NewServer(simlinode.New(fleet, simlinode.Options{}))
	t.Cleanup(hs.Close)
	cfg := policyConfig(t, hs.URL)
	tm := startTerm(t, 100, 12, []string{"PROD_TOKEN=" + simlinode.DemoToken}, "--config", cfg, "--audit-log", filepath.Join(t.TempDir(), "audit.log"))
	tm.waitText("Loaded 40 instances")
	tm.send("v")
	s := tm.waitText("Instances violating")
	before := regexp.MustCompile(`Instances violating (\d+)\+?/40`).FindStringSubmatch(s)
	tm.send("b")
	s = tm.waitText("break the backup policy (v lists them)")
	report := regexp.MustCompile(`Backup scan done: (\d+) break`).FindStringSubmatch(s)
	title := regexp.MustCompile(`Instances violating (\d+)/40`).FindStringSubmatch(s)
	if report == nil || title == nil || report[1] != title[1] {
		t.Fatalf("the list (%v, %v before the scan) and the scan's report (%v) disagree:\n%s", title, before, report, s)
	}
	// api-prod-14 passes now: `/` finds it among every row, not among the violations.
	tm.send("/")
	tm.send("api-prod-14")
	tm.waitText("Instances violating 0/40")
	tm.send(keyEsc) // the query
	tm.send(keyEsc) // then v
	tm.send("/")
	tm.send("api-prod-14")
	tm.waitText("Instances 1/40")
	tm.send(keyEsc)
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
