package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simnorthflank "github.com/snapdeck/snapdeck/sim/northflank"
)

// writeConfig writes a config file with mode perm and returns its path.
func writeConfig(t *testing.T, body string, perm os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigAccounts: accounts come from the config file, each provider
// reached at its api_url with the token from the named variable, and a
// command acts on the one --account names.
func TestConfigAccounts(t *testing.T) {
	civo := httptest.NewServer(simcivo.New(simcivo.Demo(fixedNow), simcivo.Options{Token: "civo-secret-1"}))
	defer civo.Close()
	nf := httptest.NewServer(simnorthflank.New(simnorthflank.Demo(fixedNow), simnorthflank.Options{Token: "nf-secret-2"}))
	defer nf.Close()
	cfg := writeConfig(t, `
[[account]]
name = "lon"
provider = "civo"
api_url = "`+civo.URL+`"
token_env = "MY_CIVO"
production = true

[[account]]
name = "apps"
provider = "northflank"
api_url = "`+nf.URL+`"
token_env = "MY_NF"
`, 0o644)
	env := map[string]string{"MY_CIVO": "civo-secret-1", "MY_NF": "nf-secret-2"}
	for _, tc := range []struct {
		account, provider string
		n                 int
	}{{"", "civo", 12}, {"lon", "civo", 12}, {"apps", "northflank", 12}, {"apps/addons", "northflank", 12}} {
		args := []string{"resources", "--json", "--config", cfg}
		if tc.account != "" {
			args = append(args, "--account", tc.account)
		}
		r := runCmd(t, env, args...)
		wantCode(t, r, 0)
		var rs []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &rs); err != nil || len(rs) != tc.n || rs[0]["provider"] != tc.provider {
			t.Fatalf("--account %q: %d resources of %v, %v", tc.account, len(rs), rs[0]["provider"], err)
		}
	}
	// A wrong token is refused with the variable's name, never its value.
	env["MY_CIVO"] = "wrong-secret-3"
	r := runCmd(t, env, "resources", "--config", cfg, "--account", "lon")
	wantCode(t, r, 2)
	if !strings.Contains(r.stderr, "not authorised") || strings.Contains(r.stdout+r.stderr, "wrong-secret-3") {
		t.Fatalf("rejected token: %q", r.stderr)
	}
}

// TestConfigRefusals: a malformed or unsafe config file stops snapdeck
// with one line naming the file and the problem.
func TestConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		perm       os.FileMode
		want       string
	}{
		{"syntax", "[[account]]\nname = \"unterminated\nprovider = \"civo\"\n", 0o600, "line 2"},
		{"inline token readable by others", "[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken = \"s3cret-inline\"\n", 0o644, "chmod 600"},
		{"unknown provider", "[[account]]\nname = \"a\"\nprovider = \"aws\"\ntoken_env = \"X\"\n", 0o600, `provider "aws" is not one of`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := writeConfig(t, tc.body, tc.perm)
			r := runCmd(t, nil, "resources", "--config", cfg)
			wantCode(t, r, 2)
			wantOneLine(t, r, "config "+cfg+": ")
			wantOneLine(t, r, tc.want)
			if strings.Contains(r.stderr, "s3cret-inline") {
				t.Fatal("the inline token was printed")
			}
		})
	}
	r := runCmd(t, nil, "resources", "--config", filepath.Join(t.TempDir(), "missing.toml"))
	wantCode(t, r, 2)
	wantOneLine(t, r, "no such file")
}
