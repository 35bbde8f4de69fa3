package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Rule is one backup policy rule: how a resource must be backed up. A rule
// applies whole: a setting it leaves out takes the built-in default
// (MaxAge StaleAfter, RequireBackups true, MinManual 0), never the value
// of a less specific rule.
type Rule struct {
	// MaxAge is how old the newest successful backup may get.
	MaxAge time.Duration
	// RequireBackups makes backups switched off a violation; without it a
	// resource whose backups are off passes, and one whose are on is held
	// to MaxAge.
	RequireBackups bool
	// MinManual is how many successful snapshots or manual backups newer
	// than MaxAge the resource must have; 0 asks for none.
	MinManual int
	// Exempt resources are never a violation.
	Exempt bool
	// From says where the rule was written, for people: "tag prod (config
	// line 12)", "account prod (config line 5)", "built-in default".
	From string
}

// BuiltinRule is the rule when no policy is configured: today's fixed
// staleness rule.
func BuiltinRule() Rule {
	return Rule{MaxAge: StaleAfter, RequireBackups: true, From: "built-in default"}
}

// TagRule is a rule for the resources that carry Tag.
type TagRule struct {
	Tag string
	Rule
}

// Policy is every rule: per tag, per account, and the default. Precedence:
// a tag rule over an account rule over the default; of several matching tag
// rules the one written first wins.
type Policy struct {
	Default  Rule
	Accounts map[string]Rule
	// Tags are in the order written; the first that matches wins.
	Tags []TagRule
}

// DefaultPolicy is the policy when none is configured.
func DefaultPolicy() Policy { return Policy{Default: BuiltinRule()} }

// Scope is where a resource is listed, as far as the policy cares.
type Scope struct {
	// Account is the configured account's name.
	Account string
	// GroupIsTag says the provider's group (Resource.Region, its
	// ProviderInfo.GroupTitle column) is a grouping the user chose, such as
	// a project, which tag rules then match as well as the resource's Tags.
	GroupIsTag bool
}

// ScopeOf is the scope of a resource of the provider info describes,
// listed in account.
func ScopeOf(account string, info ProviderInfo) Scope {
	return Scope{Account: account, GroupIsTag: info.GroupIsTag}
}

// tags are the words tag rules match for r: its tags and, where the group
// is the user's, its group.
func (s Scope) tags(r Resource) []string {
	if s.GroupIsTag && r.Region != "" {
		return append(slices.Clip(r.Tags), r.Region)
	}
	return r.Tags
}

// RuleFor is the rule that applies to r listed in s.
func (p Policy) RuleFor(s Scope, r Resource) Rule {
	tags := s.tags(r)
	for _, t := range p.Tags {
		if slices.ContainsFunc(tags, func(x string) bool { return strings.EqualFold(x, t.Tag) }) {
			return t.Rule
		}
	}
	if a, ok := p.Accounts[s.Account]; ok {
		return a
	}
	if p.Default == (Rule{}) {
		return BuiltinRule()
	}
	return p.Default
}

// NeedsBackups reports whether judging r needs its backups read: its rule
// asks for manual backups, and r has backups on (off, the rule is broken
// or passed without them).
func (p Policy) NeedsBackups(s Scope, r Resource) bool {
	rule := p.RuleFor(s, r)
	return !rule.Exempt && rule.MinManual > 0 && r.BackupsEnabled
}

// Override is p with f applied to every rule, for flags that override
// the policy for one run.
func (p Policy) Override(f func(Rule) Rule) Policy {
	out := Policy{Default: f(p.RuleFor(Scope{}, Resource{})), Accounts: make(map[string]Rule, len(p.Accounts))}
	for k, r := range p.Accounts {
		out.Accounts[k] = f(r)
	}
	for _, t := range p.Tags {
		out.Tags = append(out.Tags, TagRule{Tag: t.Tag, Rule: f(t.Rule)})
	}
	return out
}

// Evaluate judges r, listed in s, at now. snap is what is known of its
// backups (SnapshotState.Known false when they were not read).
func (p Policy) Evaluate(s Scope, r Resource, snap SnapshotState, now time.Time) PolicyVerdict {
	return p.RuleFor(s, r).Evaluate(r, snap, now)
}

// Violation names which part of a rule a resource breaks, in a word
// scripts can match.
type Violation string

const (
	ViolationNone     Violation = ""
	ViolationDisabled Violation = "backups_disabled"     // backups are off and the rule requires them
	ViolationNever    Violation = "no_successful_backup" // no successful backup at all
	ViolationSkew     Violation = "clock_skew"           // the newest is dated in the future
	ViolationTooOld   Violation = "too_old"              // the newest is older than max_age
	ViolationManual   Violation = "too_few_manual"       // too few recent manual backups
)

// PolicyVerdict is what a backup policy rule says of one resource.
type PolicyVerdict struct {
	Rule Rule
	// Violation is the part of the rule broken; ViolationNone when none is.
	Violation Violation
	// Unknown says the rule needs the backups, which were not read: the
	// resource is neither passed nor failed yet.
	Unknown bool
	// Manual is how many recent manual backups were counted, when known.
	Manual int
}

// OK reports whether the resource is known to pass.
func (v PolicyVerdict) OK() bool { return v.Violation == ViolationNone && !v.Unknown }

// Violated reports whether the resource is known to break its rule.
func (v PolicyVerdict) Violated() bool { return v.Violation != ViolationNone }

// Words says the violation (or, for Unknown, what is missing) for
// people: "older than 26h", "0 of 1 manual in 26h". Built on demand: a
// list judges every row, and words only the rows drawn.
func (v PolicyVerdict) Words() string {
	age := ShortDuration(v.Rule.EffectiveMaxAge())
	switch v.Violation {
	case ViolationDisabled:
		return "backups disabled"
	case ViolationNever:
		return "no successful backup"
	case ViolationSkew:
		return "dated in the future: clock skew or an invalid date"
	case ViolationTooOld:
		return "older than " + age
	case ViolationManual:
		return fmt.Sprintf("%d of %d manual in %s", v.Manual, v.Rule.MinManual, age)
	}
	switch {
	case v.Rule.Exempt:
		return "exempt"
	case v.Unknown:
		return "manual backups not read yet"
	}
	return ""
}

// Why says in words which rule applies and what it found.
func (v PolicyVerdict) Why() string {
	switch {
	case v.Rule.Exempt:
		return "exempt by " + v.Rule.From
	case v.Violated(), v.Unknown:
		return v.Words() + " (" + v.Rule.From + ")"
	}
	return "meets " + v.Rule.String() + " (" + v.Rule.From + ")"
}

// String says the rule's settings: "max age 26h, backups required, 1 manual".
func (r Rule) String() string {
	if r.Exempt {
		return "exempt"
	}
	parts := []string{"max age " + ShortDuration(r.EffectiveMaxAge())}
	if r.RequireBackups {
		parts = append(parts, "backups required")
	}
	if r.MinManual > 0 {
		parts = append(parts, fmt.Sprintf("%d manual", r.MinManual))
	}
	return strings.Join(parts, ", ")
}

// EffectiveMaxAge is MaxAge, or StaleAfter where the rule leaves it out.
func (r Rule) EffectiveMaxAge() time.Duration {
	if r.MaxAge <= 0 {
		return StaleAfter
	}
	return r.MaxAge
}

// ShortDuration writes d as a config would: "26h", "90m", "1h30m0s".
func ShortDuration(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// Evaluate judges r by this rule at now; snap is what is known of its
// backups. The checks run in order: exempt, require_backups, max_age,
// min_manual; the first broken one is the verdict.
func (r Rule) Evaluate(res Resource, snap SnapshotState, now time.Time) PolicyVerdict {
	v := PolicyVerdict{Rule: r}
	maxAge := r.EffectiveMaxAge()
	fail := func(why Violation) PolicyVerdict {
		v.Violation = why
		return v
	}
	switch {
	case r.Exempt:
		return v
	case !res.BackupsEnabled && r.RequireBackups:
		return fail(ViolationDisabled)
	case !res.BackupsEnabled:
		// Not required, and off: nothing more to hold it to.
		return v
	case res.LastSuccessful.IsZero():
		return fail(ViolationNever)
	case ClockSkewed(now, res.LastSuccessful):
		return fail(ViolationSkew)
	case now.Sub(res.LastSuccessful) > maxAge:
		return fail(ViolationTooOld)
	}
	if r.MinManual <= 0 {
		return v
	}
	if !snap.Known {
		v.Unknown = true
		return v
	}
	v.Manual = snap.ManualSince(now.Add(-maxAge), now)
	if v.Manual < r.MinManual {
		return fail(ViolationManual)
	}
	return v
}

// ManualSince counts the successful manual backups (snapshots) created
// after since and not in the future of now.
func (s SnapshotState) ManualSince(since, now time.Time) int {
	n := 0
	for _, t := range s.Manual {
		if t.After(since) && !ClockSkewed(now, t) {
			n++
		}
	}
	return n
}
