package ui

import (
	"time"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/table"
	"github.com/snapdeck/snapdeck/ui/text"
)

// verdict is what the backup policy says of r now, from what the store
// knows of its backups: a rule with min_manual is Unknown until they were
// read (the SNAPSHOT column's reads, or `b`), never a false pass.
func (e *env) verdict(r model.Resource, now time.Time) model.PolicyVerdict {
	rule := e.policy.RuleFor(model.ScopeOf(e.account, e.info), r)
	var snap model.SnapshotState
	if rule.MinManual > 0 && !rule.Exempt { // only then are the backups looked up
		if st, ok := e.store.Snapshot(r.ID); ok && e.store.Known(r.ID) {
			snap = st
		}
	}
	return rule.Evaluate(r, snap, now)
}

// judge is the policy's verdict on r given what is known of its backups.
func (e *env) judge(r model.Resource, snap model.SnapshotState) model.PolicyVerdict {
	return e.policy.Evaluate(model.ScopeOf(e.account, e.info), r, snap, e.now())
}

// policyLine says which rule applies to r and why it passes or not, for
// the head of its backups.
func (e *env) policyLine(r model.Resource, snap model.SnapshotState, w int) string {
	v := e.judge(r, snap)
	style, mark := e.th.Good, "✓ "
	switch {
	case v.Rule.Exempt:
		style, mark = e.th.Dim, ""
	case v.Violated():
		style, mark = e.th.Bad, "✗ "
	case v.Unknown:
		style, mark = e.th.Dim, "? "
	}
	return style.Render(text.Fit("policy: "+mark+v.Why(), w))
}

// policyCell is the POLICY column: ✓, the broken part of the rule in a
// word or two ("✗ > 26h"; the backups screen and `check` say it whole),
// "?" while the backups it needs are unread, or "exempt".
func (e *env) policyCell(v model.PolicyVerdict) table.Cell {
	th := &e.th
	switch {
	case v.Rule.Exempt:
		return table.Cell{Text: "exempt", Style: &th.Dim}
	case v.Violated():
		return table.Cell{Text: "✗ " + shortViolation[v.Violation](v), Style: &th.Bad}
	case v.Unknown:
		return table.Cell{Text: "? manual", Style: &th.Dim}
	}
	return table.Cell{Text: "✓", Style: &th.Good}
}

// shortViolation names each broken part of a rule in a few cells.
var shortViolation = map[model.Violation]func(model.PolicyVerdict) string{
	model.ViolationDisabled: func(model.PolicyVerdict) string { return "off" },
	model.ViolationNever:    func(model.PolicyVerdict) string { return "never" },
	model.ViolationSkew:     func(model.PolicyVerdict) string { return "future" },
	model.ViolationTooOld:   func(v model.PolicyVerdict) string { return "> " + model.ShortDuration(v.Rule.EffectiveMaxAge()) },
	model.ViolationManual:   func(model.PolicyVerdict) string { return "manual" },
}

// ageViolation reports whether v faults the age of the newest good
// backup (or its absence): the LAST GOOD column's ⚠.
func ageViolation(v model.PolicyVerdict) bool {
	switch v.Violation {
	case model.ViolationDisabled, model.ViolationNever, model.ViolationSkew, model.ViolationTooOld:
		return true
	}
	return false
}

// mayViolate is the violations filter: rows that break their rule, and
// rows not yet known to pass (their backups unread), so that none hides.
func (e *env) mayViolate(r model.Resource) bool {
	v := e.verdict(r, e.now())
	return v.Violated() || v.Unknown
}

// policyLegend says what the POLICY column's short words mean, for the
// help: the same words as policyCell, with the account's own max age.
func (e *env) policyLegend() keymap.Note {
	rule := e.policy.RuleFor(model.ScopeOf(e.account, e.info), model.Resource{})
	v := model.PolicyVerdict{Rule: rule}
	word := func(x model.Violation, what string) string { return "✗ " + shortViolation[x](v) + ": " + what }
	return keymap.Note{Title: "POLICY", Items: []string{
		"✓ meets its rule",
		word(model.ViolationDisabled, "backups switched off"),
		word(model.ViolationNever, "no good backup"),
		word(model.ViolationTooOld, "newest good backup too old"),
		word(model.ViolationManual, "too few manual backups"),
		word(model.ViolationSkew, "dated in the future"),
		"? manual: not read yet (b reads all)",
		"exempt: never a violation",
		"(enter: the rule in full)",
	}}
}
