package model

import (
	"strings"
	"testing"
)

// TestMatchView: the rule --account and the TUI's `:` prompt share.
func TestMatchView(t *testing.T) {
	vs := []ViewRef{{"prod", "prod/instances"}, {"prod", "prod/databases"}, {"test", "test/instances"}, {"civo-demo", "civo-demo/instances"},
		{"demo", "demo/instances"}}
	for q, want := range map[string]string{
		"prod": "prod/instances", "PROD/Databases": "prod/databases", "te": "test/instances", "test/": "test/instances",
		"civo": "civo-demo/instances", "prod/d": "prod/databases", "datab": "prod/databases",
		// A name that starts so wins over one that only contains it.
		"demo/inst": "demo/instances", "demo": "demo/instances", "emo/": "",
		"": "", "p": "", "instances": "", "nope": "",
	} {
		i, m := MatchView(vs, q)
		got := ""
		if len(m) == 1 {
			got = vs[i].View
		}
		if got != want {
			t.Errorf("%q: %q (candidates %v), want %q", q, got, m, want)
		}
	}
	if _, m := MatchView(vs, "instances"); strings.Join(m, " ") != "prod/instances test/instances civo-demo/instances demo/instances" {
		t.Errorf("instances: candidates %v", m)
	}
}
