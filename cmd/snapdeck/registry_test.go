package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/config"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
)

// The fake provider below is a client and a simulator written in this file,
// plugged into snapdeck by one registry entry (fakeEntry) and nothing else:
// no other file of cmd/snapdeck or config knows it. TestOneEntryAddsAProvider
// shows it reaches every place a provider is listed or used.

const fakeToken = "fake-token-0123456789"

var fakeInfo = model.ProviderInfo{Name: "fake", Title: "Fake Cloud", Kind: model.KindInstance,
	Noun: "thing", Plural: "Things", GroupTitle: "ZONE", BackupNoun: "snapshot"}

// fakeClient lists the things of one zone: GET /things?zone=Z.
type fakeClient struct {
	client.Unsupported
	tr          client.Transport
	token, zone string
}

func (f *fakeClient) Name() string             { return fakeInfo.Name }
func (f *fakeClient) Info() model.ProviderInfo { return fakeInfo }

func (f *fakeClient) ListResources(ctx context.Context, page int, _ client.Filter) (client.ResourcePage, error) {
	ctx, cancel := context.WithTimeout(ctx, f.tr.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.tr.BaseURL+"/things?zone="+url.QueryEscape(f.zone), nil)
	if err != nil {
		return client.ResourcePage{}, err
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	hc := f.tr.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return client.ResourcePage{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return client.ResourcePage{}, &client.Error{Kind: client.ErrAuth, Status: resp.StatusCode, Reasons: []string{"bad token"}}
	}
	var things []struct{ ID, Label, Zone string }
	if err := json.NewDecoder(resp.Body).Decode(&things); err != nil {
		return client.ResourcePage{}, err
	}
	out := client.ResourcePage{Page: page, Pages: 1, Total: len(things)}
	for _, t := range things {
		out.Items = append(out.Items, model.Resource{ID: t.ID, Provider: "fake", Kind: model.KindInstance,
			Label: t.Label, Region: t.Zone, Status: "running"})
	}
	return out, nil
}

func (f *fakeClient) ListBackups(context.Context, string) ([]model.Backup, error) { return nil, nil }

func (f *fakeClient) GetBackup(context.Context, string, string) (model.Backup, error) {
	return model.Backup{}, &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no such backup"}}
}

// newFakeSim serves n things on the chassis, in whichever zone is asked for.
func newFakeSim(o sim.Options, n int) *sim.Chassis {
	c := sim.NewChassis(sim.Dialect{
		Authorized:   func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+fakeToken },
		Unauthorized: func(w http.ResponseWriter) { w.WriteHeader(http.StatusUnauthorized) },
		Error:        func(w http.ResponseWriter, status int, reason string) { http.Error(w, reason, status) },
	}, o)
	c.Handle(http.MethodGet, "/things", func(w http.ResponseWriter, r *http.Request, _ sim.Params) {
		things := []map[string]string{}
		for i := range n {
			things = append(things, map[string]string{"ID": fmt.Sprint("t-", i+1), "Label": fmt.Sprint("thing-", i+1), "Zone": r.URL.Query().Get("zone")})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(things)
	})
	return c
}

// fakeEntry is the one registry entry the fake provider needs.
var fakeEntry = provider{
	Kind: config.Kind{Name: "fake", Title: "Fake Cloud", Settings: []string{"zone"},
		Env: &config.EnvAccount{Name: "FAKE_TOKEN", TokenEnv: "FAKE_TOKEN", URLEnv: "FAKE_URL"}},
	help: "fake (things)",
	open: func(o opening) ([]client.Provider, error) {
		return views(&fakeClient{tr: o.Transport, token: o.secret, zone: o.settings["zone"]}, nil)
	},
	sim: simulator{
		serve: func(s simSettings) (simulated, func(string) string) {
			return newFakeSim(s.chassis, s.size), configBanner("Fake API", fmt.Sprintf("%d things", s.size), "fake",
				`token_env = "FAKE_TOKEN"  # `+fakeToken)
		},
		size:        3,
		demoAccount: "fake-demo", demoURL: "http://fake.demo.invalid", demoSecret: fakeToken,
	},
}

// registerFake adds fakeEntry to the registry for the test.
func registerFake(t *testing.T) {
	t.Helper()
	saved := providers
	providers = append(slices.Clone(providers), fakeEntry)
	t.Cleanup(func() { providers = saved })
}

// resourcesOf decodes `snapdeck resources --json`.
func resourcesOf(t *testing.T, r result) []resourceJSON {
	t.Helper()
	wantCode(t, r, 0)
	var rs []resourceJSON
	if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	return rs
}

// TestOneEntryAddsAProvider: with nothing but its registry entry, a new
// provider is listed in the usage and the flags' help, is a provider word
// of the accounts file (with its own setting), opens from its environment
// variables and from the config file, has a --demo account and is served
// by `snapdeck sim --provider`.
func TestOneEntryAddsAProvider(t *testing.T) {
	// Before: the word is unknown.
	cfgBody := func(api string) string {
		return "[[account]]\nname = \"fk\"\nprovider = \"fake\"\nzone = \"z9\"\napi_url = \"" + api + "\"\ntoken_env = \"MY_FAKE\"\n"
	}
	before := strings.Replace(cfgBody("http://x.invalid"), "zone = \"z9\"\n", "", 1)
	if r := runCmd(t, nil, "resources", "--config", writeConfig(t, before, 0o600)); r.code == 0 ||
		!strings.Contains(r.stderr, `provider "fake" is not one of linode, civo, northflank, superbflex`) {
		t.Fatalf("unregistered: %d %s", r.code, r.stderr)
	}
	registerFake(t)

	t.Run("usage and help", func(t *testing.T) {
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--help"}, "SUPERBFLEX_USER + SUPERBFLEX_PASSWORD + SUPERBFLEX_URL, FAKE_TOKEN (and FAKE_URL).\n"},
			{[]string{"resources", "--help"}, "else LINODE_TOKEN, CIVO_TOKEN, NORTHFLANK_TOKEN, SUPERBFLEX_*, FAKE_TOKEN)"},
			{[]string{"sim", "--help"}, "which cloud: linode (instances and Managed Databases), civo, northflank, superbflex or fake (things)"},
		} {
			r := runCmd(t, nil, tc.args...)
			if r.code != 0 || !strings.Contains(r.stdout, tc.want) {
				t.Errorf("%v: want %q in\n%s", tc.args, tc.want, r.stdout)
			}
		}
		r := runCmd(t, nil, "sim", "--provider", "aws")
		if r.code != exitError || !strings.Contains(r.stderr, `--provider "aws" is not one of linode, civo, northflank, superbflex, fake`) {
			t.Errorf("sim --provider aws: %s", r.stderr)
		}
		r = runCmd(t, nil, "resources")
		if r.code != exitError || !strings.Contains(r.stderr, "nor CIVO_TOKEN, NORTHFLANK_TOKEN, SUPERBFLEX_*, FAKE_TOKEN)") {
			t.Errorf("no accounts: %s", r.stderr)
		}
	})

	hs := httptest.NewServer(newFakeSim(sim.Options{}, 2))
	t.Cleanup(hs.Close)

	t.Run("config file", func(t *testing.T) {
		cfg := writeConfig(t, cfgBody(hs.URL), 0o600)
		rs := resourcesOf(t, runCmd(t, map[string]string{"MY_FAKE": fakeToken}, "resources", "--json", "--config", cfg))
		if len(rs) != 2 || rs[0].Provider != "fake" || rs[0].Account != "fk" || rs[0].Label != "thing-1" || rs[0].Region != "z9" {
			t.Fatalf("resources: %+v", rs)
		}
		// Its setting is its own, and the accounts file says so.
		other := writeConfig(t, "[[account]]\nname = \"c\"\nprovider = \"civo\"\nzone = \"z9\"\ntoken_env = \"X\"\n", 0o600)
		if r := runCmd(t, nil, "resources", "--config", other); r.code == 0 || !strings.Contains(r.stderr, `account "c": zone is only for Fake Cloud accounts`) {
			t.Fatalf("zone on a civo account: %d %s", r.code, r.stderr)
		}
		// A rejected token is named by where it came from.
		r := runCmd(t, map[string]string{"MY_FAKE": "not-the-token"}, "resources", "--config", cfg)
		if r.code != exitError || !strings.Contains(r.stderr, "rejected") {
			t.Fatalf("bad token: %d %s", r.code, r.stderr)
		}
	})

	t.Run("environment", func(t *testing.T) {
		rs := resourcesOf(t, runCmd(t, map[string]string{"FAKE_TOKEN": fakeToken, "FAKE_URL": hs.URL}, "resources", "--json"))
		if len(rs) != 2 || rs[0].Account != "FAKE_TOKEN" || rs[1].Label != "thing-2" {
			t.Fatalf("resources: %+v", rs)
		}
	})

	t.Run("demo", func(t *testing.T) {
		rs := resourcesOf(t, demo(t, "resources", "--json", "--account", "fake-demo"))
		if len(rs) != 40 || rs[0].Provider != "fake" || rs[0].Account != "fake-demo" {
			t.Fatalf("resources: %d %+v", len(rs), rs[:min(len(rs), 1)])
		}
		// The other demo accounts are still there, in the registry's order.
		r := demo(t, "resources", "--account", "nope")
		if !strings.Contains(r.stderr, "flex-demo/virtual-machines, fake-demo/things") {
			t.Fatalf("demo views: %s", r.stderr)
		}
	})

	t.Run("sim --provider fake", func(t *testing.T) {
		pr, pw := io.Pipe()
		e := env{stdout: pw, stderr: io.Discard, now: func() time.Time { return fixedNow }, getenv: func(string) string { return "" }}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		code := make(chan int, 1)
		go func() {
			code <- serveSim(ctx, e, []string{"--provider", "fake", "--listen", "127.0.0.1:0"})
			_ = pw.Close()
		}()
		sc := bufio.NewScanner(pr)
		if !sc.Scan() {
			t.Fatalf("no banner: %v", sc.Err())
		}
		m := regexp.MustCompile(`^snapdeck sim: Fake API at (http://127\.0\.0\.1:\d+) \(3 things\)$`).FindStringSubmatch(sc.Text())
		if m == nil {
			t.Fatalf("banner: %q", sc.Text())
		}
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		p := &fakeClient{tr: client.Transport{BaseURL: m[1], Timeout: 5 * time.Second}, token: fakeToken, zone: "z1"}
		page, err := p.ListResources(context.Background(), 1, client.Filter{})
		if err != nil || len(page.Items) != 3 || page.Items[2].Region != "z1" {
			t.Fatalf("served: %+v %v", page, err)
		}
		cancel()
		if c := <-code; c != exitOK {
			t.Fatalf("exit %d", c)
		}
	})
}

// TestRegistryTexts: the lists derived from the registry read as the ones
// written out by hand before it (the README and scripts quote them).
func TestRegistryTexts(t *testing.T) {
	for got, want := range map[string]string{
		envHelp():                          "LINODE_TOKEN (and LINODE_URL or --api), CIVO_TOKEN, NORTHFLANK_TOKEN, SUPERBFLEX_USER + SUPERBFLEX_PASSWORD + SUPERBFLEX_URL",
		strings.Join(envVars(), ", "):      "LINODE_TOKEN, CIVO_TOKEN, NORTHFLANK_TOKEN, SUPERBFLEX_*",
		providerChoices():                  "linode (instances and Managed Databases), civo, northflank or superbflex",
		providerNames():                    "linode, civo, northflank, superbflex",
		fmt.Sprint(len(kinds()), " kinds"): "4 kinds",
	} {
		if got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	}
}
