package model

import (
	"slices"
	"strings"
)

// ViewRef is one account view: its account's name and its own name
// (account/kind, ProviderInfo.ViewName).
type ViewRef struct{ Account, View string }

// MatchView finds the view q means among vs: the rule of both --account
// and the TUI's `:` prompt. An account's name (its first view) or a view's
// name, case-insensitively; else the names that start with q when they
// all mean one view; else, when no name starts with q, the names that
// contain it when they all mean one view. So "demo/inst" is demo/instances
// even though civo-demo/instances contains it too. matched are the
// distinct views q may mean, in order: one when it means a view (at index
// i), several when it is ambiguous, none when it matches nothing.
func MatchView(vs []ViewRef, q string) (i int, matched []string) {
	q = strings.ToLower(strings.TrimSpace(q))
	if i, ok := viewNamed(vs, q); ok {
		return i, []string{vs[i].View}
	}
	at := -1
	for _, n := range MatchNames(vs, q) {
		j, _ := viewNamed(vs, n)
		if !slices.Contains(matched, vs[j].View) {
			matched = append(matched, vs[j].View)
		}
		if at < 0 {
			at = j
		}
	}
	return max(at, 0), matched
}

// MatchNames are the names (ViewNames) q may mean, in order: those that
// start with q, else those that contain it.
func MatchNames(vs []ViewRef, q string) []string {
	q = strings.ToLower(strings.TrimSpace(q))
	var prefix, inside []string
	for _, n := range ViewNames(vs) {
		switch ln := strings.ToLower(n); {
		case strings.HasPrefix(ln, q):
			prefix = append(prefix, n)
		case q != "" && strings.Contains(ln, q):
			inside = append(inside, n)
		}
	}
	if len(prefix) > 0 {
		return prefix
	}
	return inside
}

// viewNamed is the view called s exactly (case-insensitively): a view's
// name, or an account's, which means its first view.
func viewNamed(vs []ViewRef, s string) (int, bool) {
	for i, v := range vs {
		if strings.EqualFold(v.Account, s) || strings.EqualFold(v.View, s) {
			return i, true
		}
	}
	return 0, false
}

// ViewNames are the names a view may be called by, in order: each
// account, then its views (a view named as its account is listed once).
func ViewNames(vs []ViewRef) []string {
	var out []string
	for i, v := range vs {
		if i == 0 || v.Account != vs[i-1].Account {
			out = append(out, v.Account)
		}
		if v.View != v.Account {
			out = append(out, v.View)
		}
	}
	return out
}
