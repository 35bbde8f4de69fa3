package main

import (
	"slices"
	"strings"
)

// This file uses the standard library only, so that the rule can move to
// model and be shared with the TUI's `:` prompt (ui.Deck's resolve, which
// applies the same rule to its targets).

// viewRef is one account view: its account's name and its own name
// (account/kind, model.ProviderInfo.ViewName).
type viewRef struct{ Account, View string }

// matchView finds the view q means among vs, as the TUI's `:` prompt does:
// an account's name (its first view) or a view's name, case-insensitively;
// else the names that start with q, then those that contain it, when all
// of them mean one view. matched are the distinct views q may mean, in
// order: one when it means a view (at index i), several when it is
// ambiguous, none when it matches nothing.
func matchView(vs []viewRef, q string) (i int, matched []string) {
	q = strings.ToLower(strings.TrimSpace(q))
	byName := func(s string) (int, bool) {
		for i, v := range vs {
			if strings.EqualFold(v.Account, s) || strings.EqualFold(v.View, s) {
				return i, true // an account alone means its first view
			}
		}
		return 0, false
	}
	if i, ok := byName(q); ok {
		return i, []string{vs[i].View}
	}
	var prefix, inside []string
	for _, n := range namesOf(vs) {
		switch ln := strings.ToLower(n); {
		case strings.HasPrefix(ln, q):
			prefix = append(prefix, n)
		case q != "" && strings.Contains(ln, q):
			inside = append(inside, n)
		}
	}
	at := -1
	for _, n := range append(prefix, inside...) {
		j, _ := byName(n)
		if !slices.Contains(matched, vs[j].View) {
			matched = append(matched, vs[j].View)
		}
		if at < 0 {
			at = j
		}
	}
	return max(at, 0), matched
}

// namesOf are the names a view may be called by, in order: each account,
// then its views.
func namesOf(vs []viewRef) []string {
	var out []string
	for i, v := range vs {
		if i == 0 || v.Account != vs[i-1].Account {
			out = append(out, v.Account)
		}
		out = append(out, v.View)
	}
	return out
}
