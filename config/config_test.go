package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testKinds are the providers cmd/snapdeck registers, as its registry
// describes them to this package.
var testKinds = []Kind{
	{Name: "linode", Title: "Linode", Env: &EnvAccount{Name: "LINODE_TOKEN", TokenEnv: "LINODE_TOKEN", URLEnv: "LINODE_URL"}},
	{Name: "civo", Title: "Civo", Settings: []string{"region"}, Env: &EnvAccount{Name: "CIVO_TOKEN", TokenEnv: "CIVO_TOKEN"}},
	{Name: "northflank", Title: "Northflank", Env: &EnvAccount{Name: "NORTHFLANK_TOKEN", TokenEnv: "NORTHFLANK_TOKEN"}},
	{Name: "superbflex", Title: "Superb Flex Cloud", Password: true, APIURLRequired: "your cloud's address",
		Env: &EnvAccount{Name: "SUPERBFLEX", UserEnv: "SUPERBFLEX_USER", PasswordEnv: "SUPERBFLEX_PASSWORD", URLEnv: "SUPERBFLEX_URL"}},
}

func write(t *testing.T, body string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(p, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

const good = `
[[account]]
name = "prod"
provider = "linode"
token_env = "PROD_LINODE"
production = true

[[account]]
name = "lon"
provider = "civo"
region = "LON1"
token_file = "%s"
read_only = true

[serve]
listen = ":2223"
idle_timeout = "5m"
max_sessions = 4

[[account]]
name = "flex"
provider = "superbflex"
api_url = "https://cloud.example.com"
user = "ops"
password_env = "FLEX_PW"
`

func TestLoadGood(t *testing.T) {
	tok := filepath.Join(t.TempDir(), "civo.token")
	if err := os.WriteFile(tok, []byte("civo-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := Load(write(t, strings.Replace(good, "%s", tok, 1), 0o644), testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if f.Serve.Listen != ":2223" || f.Serve.IdleTimeout.Minutes() != 5 || f.Serve.MaxSessions != 4 {
		t.Fatalf("serve: %+v", f.Serve)
	}
	if len(f.Accounts) != 3 || !f.Accounts[0].Production || !f.Accounts[1].ReadOnly || f.Accounts[1].Settings["region"] != "LON1" {
		t.Fatalf("accounts: %+v", f.Accounts)
	}
	env := map[string]string{"PROD_LINODE": "lin-secret", "FLEX_PW": "flex-password"}
	getenv := func(k string) string { return env[k] }
	for i, want := range []string{"lin-secret", "civo-secret", "flex-password"} {
		if got, err := f.Accounts[i].Secret(getenv); err != nil || got != want {
			t.Fatalf("secret %d: %q %v", i, got, err)
		}
	}
	if u, _ := f.Accounts[2].UserName(getenv); u != "ops" {
		t.Fatalf("user %q", u)
	}
	delete(env, "PROD_LINODE")
	if _, err := f.Accounts[0].Secret(getenv); err == nil || !strings.Contains(err.Error(), "PROD_LINODE is not set") {
		t.Fatalf("unset env: %v", err)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		mode       os.FileMode
		want       string
	}{
		{"syntax", "[[account]]\nname = \"a\nprovider = \"linode\"\n", 0o600, "line 2"},
		{"unknown key", "[[account]]\nname = \"a\"\nprovider = \"linode\"\ntoken_env = \"X\"\ncolour = \"red\"\n", 0o600, `unknown setting "account.colour"`},
		{"no provider", "[[account]]\nname = \"a\"\ntoken_env = \"X\"\n", 0o600, `account "a": provider "" is not one of`},
		{"bad provider", "[[account]]\nname = \"a\"\nprovider = \"aws\"\ntoken_env = \"X\"\n", 0o600, `provider "aws"`},
		{"no name", "[[account]]\nprovider = \"civo\"\ntoken_env = \"X\"\n", 0o600, "account 1: name is missing"},
		{"two sources", "[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken_env = \"X\"\ntoken_file = \"/x\"\n", 0o600, "exactly one of token_env, token_file, token"},
		{"duplicate", "[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken_env = \"X\"\n[[account]]\nname = \"a\"\nprovider = \"linode\"\ntoken_env = \"Y\"\n", 0o600, "used twice"},
		{"inline token in a shared file", "[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken = \"s3cret\"\n", 0o644, "chmod 600"},
		{"flex without url", "[[account]]\nname = \"f\"\nprovider = \"superbflex\"\nuser = \"u\"\npassword_env = \"P\"\n", 0o600, "api_url is required"},
		{"empty", "# nothing\n", 0o600, "no [[account]] entries"},
		{"region on linode", "[[account]]\nname = \"a\"\nprovider = \"linode\"\nregion = \"LON1\"\ntoken_env = \"X\"\n", 0o600, `account "a": region is only for Civo accounts`},
		{"region on superbflex", "[[account]]\nname = \"f\"\nprovider = \"superbflex\"\napi_url = \"https://x\"\nregion = \"LON1\"\nuser = \"u\"\npassword_env = \"P\"\n", 0o600, `account "f": region is only for Civo accounts`},
		{"region not text", "[[account]]\nname = \"c\"\nprovider = \"civo\"\nregion = 3\ntoken_env = \"X\"\n", 0o600, `account "c": region must be a string`},
		{"region at the top", "region = \"LON1\"\n[[account]]\nname = \"c\"\nprovider = \"civo\"\ntoken_env = \"X\"\n", 0o600, `unknown setting "region"`},
		{"bad duration", "[serve]\nidle_timeout = \"soon\"\n[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken_env = \"X\"\n", 0o600, "not a duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, tc.body, tc.mode)
			_, err := Load(p, testKinds)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "config "+p+": ") {
				t.Fatalf("got %v, want %q naming the file", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("not one clean line: %q", err)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "none.toml"), testKinds); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestInlineTokenInPrivateFile(t *testing.T) {
	f, err := Load(write(t, "[[account]]\nname = \"a\"\nprovider = \"northflank\"\ntoken = \"s3cret-token\"\n", 0o600), testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := f.Accounts[0].Secret(os.Getenv); s != "s3cret-token" {
		t.Fatalf("inline: %q", s)
	}
}

func TestTokenFileMustBePrivate(t *testing.T) {
	tok := filepath.Join(t.TempDir(), "t")
	if err := os.WriteFile(tok, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(tok, 0o644)
	f, err := Load(write(t, "[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken_file = \""+tok+"\"\n", 0o600), testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accounts[0].Secret(os.Getenv); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("shared token file: %v", err)
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"CIVO_TOKEN": "c", "NORTHFLANK_TOKEN": "n", "SUPERBFLEX_USER": "u", "SUPERBFLEX_PASSWORD": "p"}
	got := FromEnv(testKinds, func(k string) string { return env[k] })
	if len(got) != 2 || got[0].Provider != "civo" || got[1].Provider != "northflank" {
		t.Fatalf("without SUPERBFLEX_URL: %+v", got)
	}
	env["SUPERBFLEX_URL"] = "https://flex.example.com"
	env["LINODE_TOKEN"] = "l"
	got = FromEnv(testKinds, func(k string) string { return env[k] })
	if len(got) != 4 || got[0].Provider != "linode" || got[3].APIURL != "https://flex.example.com" {
		t.Fatalf("all four: %+v", got)
	}
}

// TestSecretsNeverEchoed: a secret put where a name or path belongs, or
// written unquoted, is not repeated in the error.
func TestSecretsNeverEchoed(t *testing.T) {
	const secret = "tok3nVALUEabc123xyz"
	for _, body := range []string{
		"[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken_env = \"" + secret + "-x\"\n",
		"[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken = " + secret + "\n",
		"[[account]]\nname = \"a\"\nprovider = \"superbflex\"\napi_url = \"https://x\"\nuser = \"u\"\npassword = " + secret + "\n",
	} {
		_, err := Load(write(t, body, 0o600), testKinds)
		if err == nil || strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:6]) {
			t.Fatalf("secret echoed or accepted: %v", err)
		}
	}
	f, err := Load(write(t, "[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken_file = \""+secret+"\"\n", 0o600), testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accounts[0].Secret(os.Getenv); err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("token_file value echoed: %v", err)
	}
}

// TestImplausibleSecretsRefused: a token or password that cannot be a real
// one (empty, blank, short, with a line break or, for a token, a space) is
// refused where it is read, in a line naming its source and never its value.
func TestImplausibleSecretsRefused(t *testing.T) {
	for _, tc := range []struct{ value, want string }{
		{"e", "too short: 1 characters"},
		{"short12", "too short: 7 characters"},
		{"   ", "empty or blank"},
		{"abcd\nefghijk", "control characters"},
		{"abcd efghijk", "holds spaces"},
	} {
		a := FromEnv(testKinds, func(k string) string { return map[string]string{"LINODE_TOKEN": tc.value}[k] })
		if len(a) != 1 {
			t.Fatalf("%q: %d accounts", tc.value, len(a))
		}
		_, err := a[0].Secret(func(string) string { return tc.value })
		if err == nil || !strings.Contains(err.Error(), "LINODE_TOKEN ") || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") ||
			(len(strings.TrimSpace(tc.value)) > 1 && strings.Contains(err.Error(), strings.TrimSpace(tc.value))) {
			t.Errorf("%q: %v", tc.value, err)
		}
	}
	// A password may hold a space; it still needs 8 characters.
	f, err := Load(write(t, "[[account]]\nname = \"f\"\nprovider = \"superbflex\"\napi_url = \"https://x\"\nuser = \"ops\"\npassword_env = \"PW\"\n", 0o600), testKinds)
	if err != nil {
		t.Fatal(err)
	}
	for pw, ok := range map[string]bool{"correct horse": true, "pw": false} {
		if _, err := f.Accounts[0].Secret(func(string) string { return pw }); (err == nil) != ok {
			t.Errorf("password %q: %v", pw, err)
		}
	}
	f, err = Load(write(t, "[[account]]\nname = \"a\"\nprovider = \"civo\"\ntoken = \"abc\"\n", 0o600), testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Accounts[0].Secret(os.Getenv); err == nil || !strings.Contains(err.Error(), `account "a": the inline token is too short`) {
		t.Errorf("inline: %v", err)
	}
}
