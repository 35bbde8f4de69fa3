package config

import (
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

const accounts = `[[account]]
name = "prod"
provider = "linode"
token_env = "PROD_LINODE"

[[account]]
name = "dev"
provider = "northflank"
token_env = "NF"
`

func TestLoadPolicy(t *testing.T) {
	p := write(t, accounts+`
[policy.default]
max_age = "26h"

[policy.account.prod]
max_age = "2d"
min_manual = 1

[policy.tag.scratch]
exempt = true

[policy.tag."db"]
require_backups = false
max_age = "90m"
`, 0o600)
	f, err := Load(p, testKinds)
	if err != nil {
		t.Fatal(err)
	}
	pol := f.Policy
	if got := pol.Default; got.MaxAge != 26*time.Hour || !got.RequireBackups || got.From != "default (config line 11)" {
		t.Errorf("default = %s from %s", got, got.From)
	}
	if got := pol.Accounts["prod"]; got.MaxAge != 48*time.Hour || got.MinManual != 1 || got.From != "account prod (config line 14)" {
		t.Errorf("account prod = %s from %s", got, got.From)
	}
	if len(pol.Tags) != 2 || pol.Tags[0].Tag != "scratch" || pol.Tags[1].Tag != "db" {
		t.Fatalf("tags = %+v, want scratch then db, as written", pol.Tags)
	}
	if db := pol.Tags[1]; db.RequireBackups || db.MaxAge != 90*time.Minute || db.From != "tag db (config line 21)" {
		t.Errorf("tag db = %s from %s", db, db.From)
	}
	// Both tags: the one written first wins.
	r := model.Resource{Tags: []string{"db", "scratch"}}
	if got := pol.RuleFor(model.Scope{Account: "prod"}, r); !got.Exempt {
		t.Errorf("db+scratch got %+v, want the scratch rule written first", got)
	}
}

func TestLoadNoPolicyIsBuiltin(t *testing.T) {
	f, err := Load(write(t, accounts, 0o600), testKinds)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Policy.RuleFor(model.Scope{Account: "prod"}, model.Resource{}); got != model.BuiltinRule() {
		t.Errorf("rule = %+v, want the built-in", got)
	}
}

func TestPolicyErrorsAreOneLineWithFileAndLine(t *testing.T) {
	cases := []struct{ body, want string }{
		{"[policy.default]\nmax_age = \"soon\"\n", `line 11: max_age: "soon" is not a duration`},
		{"[policy.default]\nmax_age = \"-1h\"\n", `line 11: max_age: "-1h" must be more than zero`},
		{"\n[policy.tag.db]\nmin_manual = -1\n", "line 12: min_manual must be a whole number"},
		{"[policy.tag.db]\nmin_manul = 1\n", `line 11: "min_manul" is not a policy setting`},
		{"[policy.tag.db]\nexempt = true\nmax_age = \"1h\"\n", "line 11: exempt = true takes no other setting"},
		{"[policy.tag.db]\nexempt = \"yes\"\n", "line 11: exempt must be true or false"},
		{"[policy.account.stage]\nmax_age = \"1h\"\n", "line 11: [policy.account.stage] names no account of this file"},
		{"[policy.group.db]\nmax_age = \"1h\"\n", `unknown setting "policy.group.db"`},
	}
	for _, c := range cases {
		p := write(t, accounts+"\n"+c.body, 0o600)
		_, err := Load(p, testKinds)
		if err == nil {
			t.Errorf("%q: no error", c.body)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "config "+p+": ") || strings.Contains(msg, "\n") {
			t.Errorf("%q:\n got %q\nwant one line naming %s and holding %q", c.body, msg, p, c.want)
		}
	}
}
