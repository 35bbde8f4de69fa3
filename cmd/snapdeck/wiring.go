package main

import (
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/config"
	"github.com/snapdeck/snapdeck/model"
)

// env is what a run of snapdeck sees of the world; tests replace parts of it.
type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
	getenv         func(string) string
	// interactive says stderr is a person's terminal even when it is not
	// an *os.File (tests); a real terminal is found out by itself.
	interactive bool
}

func osEnv(stdout, stderr io.Writer) env {
	return env{stdout: stdout, stderr: stderr, now: time.Now, getenv: os.Getenv}
}

// connFlags say how to reach the account: shared by the TUI and every
// command, so credentials, --demo, --read-only and the audit log behave the
// same everywhere.
type connFlags struct {
	demo      bool
	api       string
	timeout   time.Duration // each API request
	latency   time.Duration
	jobTime   time.Duration
	size      int
	readOnly  bool
	auditPath string
	config    string
	account   string

	// deadline makes timeout bound the whole command too (deadline.go).
	deadline bool
	// policy is the backup policy the accounts were configured with, set
	// by targets.
	policy model.Policy
}

// addConnFlags registers the connection flags on fs. --timeout is left to
// the caller, since `snapshot` gives it another meaning.
func addConnFlags(fs *pflag.FlagSet) *connFlags {
	c := &connFlags{timeout: 30 * time.Second}
	fs.BoolVar(&c.demo, "demo", false, "use built-in simulated accounts, one per provider (no token, no network)")
	fs.StringVar(&c.account, "account", "", "the account view to act on or open first: a `name` or name/kind, e.g. prod/databases, or an unambiguous part of one (default: the first)")
	fs.StringVar(&c.config, "config", "", "accounts `file` (default: "+config.DefaultPath()+" when it exists, else "+strings.Join(envVars(), ", ")+")")
	fs.StringVar(&c.api, "api", "", "Linode API base `url`, e.g. http://127.0.0.1:8799 from snapdeck sim (default: LINODE_URL, else the real API)")
	durationVar(fs, &c.latency, "demo-latency", 120*time.Millisecond, "with --demo: simulated round-trip time of each request")
	durationVar(fs, &c.jobTime, "demo-job-time", 6*time.Second, "with --demo: how long a simulated snapshot takes (a restore takes a third longer)")
	fs.IntVar(&c.size, "demo-size", 40, "with --demo: how many Linodes the simulated account has (try 10000)")
	fs.BoolVar(&c.readOnly, "read-only", false, "refuse every change")
	fs.StringVar(&c.auditPath, "audit-log", client.DefaultAuditPath(), "append-only JSON-lines log of every action")
	return c
}

// conn is an open connection to the accounts: every view, and the first
// one (the account the commands act on) as p.
type conn struct {
	p       client.Provider // wrapped: sanitized, read-only (when asked) and audited (when opened with a log)
	account string          // a name for the account, never its token
	secret  string          // where its credential came from, for messages
	targets []target        // every account view, wrapped the same way
	start   int             // the view --account chose
	audit   *client.AuditLog

	// unopened are the configured accounts that could not be opened.
	unopened []unopened
	// policy is the backup policy of the accounts' config (built-in when
	// it sets none).
	policy model.Policy
}

func (c *conn) Close() {
	if c.audit != nil {
		_ = c.audit.Close()
	}
}

// connect builds the providers and, when withAudit, opens the audit log and
// wraps each as Audited(ReadOnly?(Sanitized(p)), log, account). Read-only commands pass
// false: they change nothing, so there is nothing to log.
func (c *connFlags) connect(e env, withAudit bool) (*conn, error) {
	// linodego reports its retries through the standard logger, which would
	// scribble over the full-screen UI and the commands' one-line errors.
	log.SetOutput(io.Discard)
	ts, bad, err := c.targets(e)
	if err != nil {
		return nil, err
	}
	out := &conn{unopened: bad, policy: c.policy}
	if withAudit {
		audit, err := client.OpenAuditLog(c.auditPath)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "audit log") {
				err = fmt.Errorf("audit log: %w", err)
			}
			return nil, err
		}
		out.audit = audit
	}
	for _, t := range ts {
		// Provider text is made inert where it enters, innermost, so that
		// the TUI, every command, serve and the audit log see it clean.
		t.p = client.Sanitized(t.p)
		// The decorators nest so that refused read-only attempts are audited too.
		if c.readOnly || t.readOnly {
			t.p = client.ReadOnly(t.p)
			t.readOnly = true
		}
		if out.audit != nil {
			t.p = client.Audited(t.p, out.audit, t.account)
		}
		out.targets = append(out.targets, t)
	}
	i, err := pickTarget(out.targets, bad, c.account)
	if err != nil {
		out.Close()
		return nil, err
	}
	out.start = i
	out.p, out.account, out.secret = out.targets[i].p, out.targets[i].account, out.targets[i].secret
	return out, nil
}

// viewName is how --account and the `:` prompt name a view: account/kind.
func viewName(t target) string {
	return t.p.Info().ViewName(t.account)
}

// viewNames are the names --account and the TUI's `:` prompt take, in
// order: each account, then its views (account/kind).
func viewNames(ts []target) []string { return model.ViewNames(viewRefs(ts)) }

// viewRefs names the views of ts for model.MatchView.
func viewRefs(ts []target) []model.ViewRef {
	vs := make([]model.ViewRef, 0, len(ts))
	for _, t := range ts {
		vs = append(vs, model.ViewRef{Account: t.account, View: viewName(t)})
	}
	return vs
}

// pickTarget finds the view --account names, by the rule of the TUI's `:`
// prompt (model.MatchView): an account (its first view) or account/kind,
// case-insensitively; else the one view that every name starting with it
// (then, containing it) means, so "civo" is civo-demo when nothing else
// starts so. Several views is an error listing them. Naming an account
// that could not be opened is an error saying why.
func pickTarget(ts []target, bad []unopened, name string) (int, error) {
	if name == "" {
		return 0, nil
	}
	for _, b := range bad {
		if acct, _, _ := strings.Cut(name, "/"); strings.EqualFold(acct, b.account) {
			return 0, fmt.Errorf("--account %s cannot be opened: %w", b.account, b.err)
		}
	}
	i, matched := model.MatchView(viewRefs(ts), name)
	switch {
	case len(matched) == 1:
		return i, nil
	case len(matched) > 1:
		return 0, usageError{fmt.Sprintf("--account %q is ambiguous: it may mean %s", name, orList(matched))}
	}
	q := strings.ToLower(strings.TrimSpace(name))
	for _, b := range bad {
		if strings.HasPrefix(strings.ToLower(b.account), q) {
			return 0, fmt.Errorf("--account %s cannot be opened: %w", b.account, b.err)
		}
	}
	var names []string
	for _, t := range ts {
		names = append(names, viewName(t))
	}
	return 0, usageError{fmt.Sprintf("--account %q matches none of: %s", name, strings.Join(names, ", "))}
}

// apiBase turns --api into linode.Config.BaseURL: linodego adds "/v4"
// itself, so a URL that already ends in it (as `snapdeck sim` prints) is
// accepted too.
func apiBase(api string) (string, error) {
	if api == "" {
		return "", nil
	}
	if !strings.HasPrefix(api, "http://") && !strings.HasPrefix(api, "https://") {
		return "", usageError{fmt.Sprintf("--api %q needs a scheme, e.g. http://127.0.0.1:8799", api)}
	}
	api = strings.TrimSuffix(strings.TrimRight(api, "/"), "/v4")
	return api, nil
}

// mayAct keeps a command on the account the user named or meant: an
// account that could not be opened is an error, never a reason to fall
// through to the next one. A change (mutating) needs every configured
// account open, unless --account (named) picked one that is; a read
// without --account needs the first account, the one it reads.
func (cn *conn) mayAct(mutating, named bool) error {
	switch {
	case len(cn.unopened) == 0 || named:
		return nil
	case mutating:
		return fmt.Errorf("%w; nothing was sent: fix it, or name the account to act on with --account", unopenedError(cn.unopened))
	case cn.unopened[0].first:
		return unopenedError(cn.unopened[:1])
	}
	return nil
}
