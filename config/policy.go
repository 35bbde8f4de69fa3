package config

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// Policy is the [policy] part of the accounts file: the backup policy's
// default rule, a rule per account and a rule per tag.
//
//	[policy.default]
//	max_age = "26h"
//	[policy.account.prod]
//	min_manual = 1
//	[policy.tag.scratch]
//	exempt = true
type Policy struct {
	Default *ruleTOML           `toml:"default"`
	Account map[string]ruleTOML `toml:"account"`
	Tag     map[string]ruleTOML `toml:"tag"`
}

// ruleTOML reads one rule, refusing what is not a rule; the decoder turns
// its errors into "line N: …" with the line of the rule's table.
type ruleTOML struct{ model.Rule }

// ruleKeys are the settings a rule takes.
var ruleKeys = []string{"max_age", "require_backups", "min_manual", "exempt"}

// UnmarshalTOML implements toml.Unmarshaler.
func (r *ruleTOML) UnmarshalTOML(data any) error {
	m, ok := data.(map[string]any)
	if !ok {
		return fmt.Errorf("a policy rule is a table of %s", strings.Join(ruleKeys, ", "))
	}
	r.Rule = model.Rule{MaxAge: model.StaleAfter, RequireBackups: true}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		switch k {
		case "max_age":
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("max_age must be a duration in quotes, such as \"26h\"")
			}
			d, err := parseAge(s)
			if err != nil {
				return fmt.Errorf("max_age: %v", err)
			}
			r.MaxAge = d
		case "require_backups", "exempt":
			b, ok := v.(bool)
			if !ok {
				return fmt.Errorf("%s must be true or false", k)
			}
			if k == "exempt" {
				r.Exempt = b
			} else {
				r.RequireBackups = b
			}
		case "min_manual":
			n, ok := v.(int64)
			if !ok || n < 0 || n > 1000 {
				return fmt.Errorf("min_manual must be a whole number from 0 to 1000")
			}
			r.MinManual = int(n)
		default:
			return fmt.Errorf("%q is not a policy setting (%s)", k, strings.Join(ruleKeys, ", "))
		}
	}
	if r.Exempt && len(m) > 1 {
		return fmt.Errorf("exempt = true takes no other setting")
	}
	return nil
}

// parseAge reads a max_age: a Go duration or a number of days ("2d").
func parseAge(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if days, ok := strings.CutSuffix(s, "d"); ok && err != nil {
		n, aerr := strconv.Atoi(days)
		if aerr == nil && n > 0 && n <= 3650 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 26h, 90m or 2d", s)
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be more than zero", s)
	}
	return d, nil
}

// policyHeader is a rule's table header: [policy.tag.db], [policy.account."prod"].
var policyHeader = regexp.MustCompile(`^\s*\[\s*policy\s*\.\s*(default|account|tag)\s*(?:\.\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*)?\]\s*(?:#.*)?$`)

// policyLines finds the line of each rule's table header, keyed "tag db",
// "account prod" or "default".
func policyLines(path string) map[string]int {
	out := map[string]int{}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for i, line := range strings.Split(string(data), "\n") {
		m := policyHeader.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := m[1]
		if name := m[2]; name != "" {
			if u, err := strconv.Unquote(name); err == nil {
				name = u
			} else {
				name = strings.Trim(name, "'")
			}
			key += " " + name
		}
		if _, dup := out[key]; !dup {
			out[key] = i + 1
		}
	}
	return out
}

// policy turns the file's [policy] into the model's, checking that every
// account rule names an account of the file. Each rule says where it was
// written ("tag db (config line 12)").
func (f *File) policy() (model.Policy, error) {
	p := model.DefaultPolicy()
	lines := policyLines(f.Path)
	from := func(key string) string {
		if n := lines[key]; n > 0 {
			return fmt.Sprintf("%s (config line %d)", key, n)
		}
		return key + " (config)"
	}
	if d := f.PolicyTOML.Default; d != nil {
		p.Default = d.Rule
		p.Default.From = from("default")
	}
	names := f.Names()
	for _, name := range slices.Sorted(maps.Keys(f.PolicyTOML.Account)) {
		r := f.PolicyTOML.Account[name].Rule
		key := "account " + name
		if !slices.Contains(names, name) {
			at := ""
			if n := lines[key]; n > 0 {
				at = fmt.Sprintf("line %d: ", n)
			}
			return p, fmt.Errorf("%s[policy.account.%s] names no account of this file (%s)", at, name, strings.Join(names, ", "))
		}
		r.From = from(key)
		if p.Accounts == nil {
			p.Accounts = map[string]model.Rule{}
		}
		p.Accounts[name] = r
	}
	for name, r := range f.PolicyTOML.Tag {
		if strings.TrimSpace(name) == "" {
			return p, fmt.Errorf("line %d: a tag rule needs a tag", lines["tag "+name])
		}
		r.From = from("tag " + name)
		p.Tags = append(p.Tags, model.TagRule{Tag: name, Rule: r.Rule})
	}
	// The first written wins where several tags match: order by line,
	// then (rules written inline, without a line) by name.
	slices.SortFunc(p.Tags, func(a, b model.TagRule) int {
		la, lb := lines["tag "+a.Tag], lines["tag "+b.Tag]
		if la == 0 {
			la = 1 << 30
		}
		if lb == 0 {
			lb = 1 << 30
		}
		if la != lb {
			return la - lb
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	return p, nil
}
