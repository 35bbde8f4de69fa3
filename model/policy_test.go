package model

import (
	"testing"
	"time"
)

func TestPolicyPrecedence(t *testing.T) {
	def := Rule{MaxAge: 26 * time.Hour, RequireBackups: true, From: "default (config line 2)"}
	acct := Rule{MaxAge: 12 * time.Hour, From: "account prod (config line 5)"}
	db := Rule{MinManual: 1, MaxAge: 24 * time.Hour, From: "tag db (config line 8)"}
	scratch := Rule{Exempt: true, From: "tag scratch (config line 11)"}
	p := Policy{Default: def, Accounts: map[string]Rule{"prod": acct}, Tags: []TagRule{{"db", db}, {"scratch", scratch}}}
	cases := []struct {
		name  string
		scope Scope
		r     Resource
		want  string
	}{
		{"default", Scope{Account: "dev"}, Resource{}, def.From},
		{"account over default", Scope{Account: "prod"}, Resource{}, acct.From},
		{"tag over account", Scope{Account: "prod"}, Resource{Tags: []string{"web", "DB"}}, db.From},
		{"two tags: the first written wins", Scope{Account: "prod"}, Resource{Tags: []string{"scratch", "db"}}, db.From},
		{"group is a tag where the provider says so", Scope{Account: "dev", GroupIsTag: true}, Resource{Region: "scratch"}, scratch.From},
		{"group is not a tag elsewhere", Scope{Account: "dev"}, Resource{Region: "scratch"}, def.From},
		{"no policy: built-in", Scope{}, Resource{}, BuiltinRule().From},
	}
	for _, c := range cases {
		pol := p
		if c.name == "no policy: built-in" {
			pol = Policy{}
		}
		if got := pol.RuleFor(c.scope, c.r).From; got != c.want {
			t.Errorf("%s: rule from %q, want %q", c.name, got, c.want)
		}
	}
}

func TestRuleEvaluate(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	on := func(last time.Time) Resource { return Resource{BackupsEnabled: true, LastSuccessful: last} }
	known := func(ts ...time.Time) SnapshotState { return SnapshotState{Known: true, Manual: ts} }
	r26 := Rule{MaxAge: 26 * time.Hour, RequireBackups: true}
	cases := []struct {
		name    string
		rule    Rule
		r       Resource
		snap    SnapshotState
		want    Violation
		unknown bool
	}{
		{"fresh passes", r26, on(ago(25 * time.Hour)), SnapshotState{}, ViolationNone, false},
		{"max_age", r26, on(ago(27 * time.Hour)), SnapshotState{}, ViolationTooOld, false},
		{"unset max_age is 48h", Rule{}, on(ago(47 * time.Hour)), SnapshotState{}, ViolationNone, false},
		{"never", r26, on(time.Time{}), SnapshotState{}, ViolationNever, false},
		{"future date is no proof", r26, on(now.Add(time.Hour)), SnapshotState{}, ViolationSkew, false},
		{"require_backups", r26, Resource{}, SnapshotState{}, ViolationDisabled, false},
		{"backups off, not required", Rule{MaxAge: time.Hour}, Resource{}, SnapshotState{}, ViolationNone, false},
		{"exempt", Rule{Exempt: true, RequireBackups: true}, Resource{}, SnapshotState{}, ViolationNone, false},
		{"min_manual unknown until read", Rule{MaxAge: 26 * time.Hour, MinManual: 1}, on(ago(time.Hour)), SnapshotState{}, ViolationNone, true},
		{"min_manual met", Rule{MaxAge: 26 * time.Hour, MinManual: 1}, on(ago(time.Hour)), known(ago(2 * time.Hour)), ViolationNone, false},
		{"min_manual too old", Rule{MaxAge: 26 * time.Hour, MinManual: 1}, on(ago(time.Hour)), known(ago(30 * time.Hour)), ViolationManual, false},
		{"min_manual counts", Rule{MaxAge: 26 * time.Hour, MinManual: 2}, on(ago(time.Hour)), known(ago(2 * time.Hour)), ViolationManual, false},
		{"a definite violation beats unknown", Rule{MaxAge: 26 * time.Hour, MinManual: 1}, on(ago(30 * time.Hour)), SnapshotState{}, ViolationTooOld, false},
	}
	for _, c := range cases {
		v := c.rule.Evaluate(c.r, c.snap, now)
		if v.Violation != c.want || v.Unknown != c.unknown {
			t.Errorf("%s: violation %q unknown %v (%s), want %q unknown %v", c.name, v.Violation, v.Unknown, v.Words(), c.want, c.unknown)
		}
		if v.OK() == (c.want != ViolationNone || c.unknown) {
			t.Errorf("%s: OK() = %v", c.name, v.OK())
		}
		if v.Violated() && v.Words() == "" {
			t.Errorf("%s: a violation needs words", c.name)
		}
	}
}

func TestNeedsBackupsOnlyForMinManual(t *testing.T) {
	p := Policy{Default: Rule{From: "d"}, Tags: []TagRule{{"db", Rule{MinManual: 1, From: "db"}}, {"x", Rule{Exempt: true, From: "x"}}}}
	for _, c := range []struct {
		r    Resource
		want bool
	}{
		{Resource{Tags: []string{"db"}, BackupsEnabled: true}, true},
		{Resource{Tags: []string{"db"}}, false}, // backups off: judged without them
		{Resource{Tags: []string{"web"}, BackupsEnabled: true}, false},
		{Resource{Tags: []string{"x", "db"}, BackupsEnabled: true}, true}, // db is written first
	} {
		if got := p.NeedsBackups(Scope{}, c.r); got != c.want {
			t.Errorf("%v: NeedsBackups = %v, want %v", c.r.Tags, got, c.want)
		}
	}
}

func TestSummariseCountsManual(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	s := Summarise([]Backup{
		{Kind: BackupSnapshot, Status: StatusSuccessful, Created: t0},
		{Kind: BackupSnapshot, Status: StatusFailed, Created: t0},
		{Kind: BackupAutomatic, Status: StatusSuccessful, Created: t0},
	})
	if len(s.Manual) != 1 {
		t.Fatalf("manual = %v, want the one successful snapshot", s.Manual)
	}
}

func TestVerdictWhySaysRuleAndSource(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	r := Rule{MaxAge: 26 * time.Hour, RequireBackups: true, From: "tag prod (config line 12)"}
	v := r.Evaluate(Resource{BackupsEnabled: true, LastSuccessful: now.Add(-30 * time.Hour)}, SnapshotState{}, now)
	if got, want := v.Why(), "older than 26h (tag prod (config line 12))"; got != want {
		t.Errorf("Why() = %q, want %q", got, want)
	}
	ok := r.Evaluate(Resource{BackupsEnabled: true, LastSuccessful: now.Add(-time.Hour)}, SnapshotState{}, now)
	if got, want := ok.Why(), "meets max age 26h, backups required (tag prod (config line 12))"; got != want {
		t.Errorf("Why() = %q, want %q", got, want)
	}
}
