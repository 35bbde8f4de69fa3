package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/config"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
)

// target is one account view: an account and one of its providers (a
// Linode account gives two, its instances and its Managed Databases).
type target struct {
	account    string
	provider   string // the provider word the account was configured with ("linode" for its databases too)
	p          client.Provider
	production bool
	readOnly   bool
	// secret names where the credential came from, for a rejection message.
	secret string
	// endpoint is the API base URL it was opened with, "" for the
	// provider's default; messages name its host.
	endpoint string
}

// demoTargets puts every provider's simulator behind one account each, all
// in-process: --demo needs no account and no network.
func (c *connFlags) demoTargets(e env) ([]target, error) {
	now := e.now()
	var out []target
	for _, pv := range providers {
		srv, _ := pv.sim.serve(simSettings{
			now: now, demo: true, sized: c.size != 40, seed: 1, size: max(c.size, 0),
			chassis:      sim.Options{Latency: c.latency},
			snapshotTime: c.jobTime, restoreTime: c.jobTime * 4 / 3,
		})
		ps, err := pv.openAccount(opening{
			Transport: client.Transport{BaseURL: pv.sim.demoURL, HTTPClient: sim.InProcess(srv), Timeout: c.timeout},
			user:      pv.sim.demoUser, secret: pv.sim.demoSecret,
		})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, target{account: pv.sim.demoAccount, provider: pv.Name, p: p, endpoint: pv.sim.demoURL})
		}
	}
	return out, nil
}

// demoPolicy is --demo's backup policy, as a config file would set it:
// a default every demo account is held to, and tag rules so that some
// rows break it. The README's "Backup policy" section shows it as TOML.
var demoPolicy = model.Policy{
	Default: model.Rule{MaxAge: 26 * time.Hour, RequireBackups: true, From: "demo default"},
	Tags: []model.TagRule{
		{Tag: "db", Rule: model.Rule{MaxAge: 26 * time.Hour, RequireBackups: true, MinManual: 1, From: "demo tag db"}},
		{Tag: "batch", Rule: model.Rule{Exempt: true, From: "demo tag batch"}},
	},
}

// configPath is --config, else the default file when it exists, else "".
func (c *connFlags) configPath() string {
	if c.config != "" {
		return c.config
	}
	if def := config.DefaultPath(); def != "" {
		if _, err := os.Stat(def); err == nil {
			return def
		}
	}
	return ""
}

// accounts are the configured accounts: --config (or the default file when
// it exists), else one per provider whose environment variables are set.
func (c *connFlags) accounts(e env) ([]config.Account, error) {
	if path := c.configPath(); path != "" {
		f, err := config.Load(path, kinds())
		if err != nil {
			return nil, err
		}
		c.policy = f.Policy
		return f.Accounts, nil
	}
	accts := config.FromEnv(kinds(), e.getenv)
	if len(accts) == 0 {
		vars := envVars()
		return nil, usageError{vars[0] + " is not set (nor " + strings.Join(vars[1:], ", ") + "): export a token, " +
			"write " + config.DefaultPath() + " (see the README), or try --demo"}
	}
	return accts, nil
}

// open builds the views of one account, through its provider's entry.
func (c *connFlags) open(e env, a config.Account, hc *http.Client) ([]target, error) {
	secret, err := a.Secret(e.getenv)
	if err != nil {
		return nil, err
	}
	pv := providerNamed(a.Provider)
	if pv == nil {
		return nil, fmt.Errorf("account %s: provider %q is not supported", a.Name, a.Provider)
	}
	o := opening{Transport: client.Transport{BaseURL: a.APIURL, HTTPClient: hc, Timeout: c.timeout}, secret: secret, settings: a.Settings}
	from := "the token of account " + a.Name
	if a.TokenEnv != "" {
		from = a.TokenEnv
	}
	if pv.Password {
		if o.user, err = a.UserName(e.getenv); err != nil {
			return nil, err
		}
		from = "the user and password of account " + a.Name
	}
	if pv.apiFlag {
		if c.api != "" {
			o.BaseURL = c.api
		}
		if o.BaseURL, err = apiBase(o.BaseURL); err != nil {
			return nil, err
		}
	}
	ps, err := pv.openAccount(o)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", a.Name, err)
	}
	ts := make([]target, 0, len(ps))
	for _, p := range ps {
		ts = append(ts, target{account: a.Name, provider: a.Provider, p: p, production: a.Production, readOnly: a.ReadOnly, secret: from, endpoint: o.BaseURL})
	}
	return ts, nil
}

// unopened is a configured account that could not be opened, and why.
// It is never skipped silently: a command that would act on it, or on
// "every account", fails naming it, and the TUI's overview lists it.
type unopened struct {
	account  string
	provider string // the config's provider word
	first    bool   // the first configured account: the default one
	err      error  // names the account, never its secret
}

// targets resolves every account into its views, in config order, and
// lists apart the accounts that could not be opened. It fails only when
// none could.
func (c *connFlags) targets(e env) ([]target, []unopened, error) {
	c.policy = model.DefaultPolicy()
	if c.demo {
		c.policy = demoPolicy
		ts, err := c.demoTargets(e)
		return ts, nil, err
	}
	accts, err := c.accounts(e)
	if err != nil {
		return nil, nil, err
	}
	var out []target
	var bad []unopened
	var errs []error
	for i, a := range accts {
		ts, err := c.open(e, a, nil)
		if err != nil {
			bad = append(bad, unopened{account: a.Name, provider: a.Provider, first: i == 0, err: err})
			errs = append(errs, err)
			continue
		}
		out = append(out, ts...)
	}
	if len(out) == 0 {
		return nil, nil, errors.Join(errs...)
	}
	return out, bad, nil
}

// unopenedError names the accounts that could not be opened, one line.
func unopenedError(bad []unopened) error {
	errs := make([]error, 0, len(bad))
	for _, b := range bad {
		errs = append(errs, b.err)
	}
	return errors.New(strings.ReplaceAll(errors.Join(errs...).Error(), "\n", "; "))
}

// askError is a failed request of a command, saying what was asked (naming
// the resource and backup), of which account view, at which API.
type askError struct {
	what string // "reading backup 123 of web-prod-01"
	t    target
	err  error
}

func (a *askError) Error() string {
	return fmt.Sprintf("%s in %s at %s: %v", a.what, viewName(a.t), apiHost(a.t), a.err)
}

func (a *askError) Unwrap() error { return a.err }

// asked names what was asked, and of whom, when err is a failed request.
func asked(t target, what string, err error) error {
	var u usageError
	if err == nil || errors.As(err, &u) {
		return err
	}
	return &askError{what: what, t: t, err: err}
}

// apiHost names the API a view was opened at: its host, else the
// provider's own ("the Linode API").
func apiHost(t target) string {
	if u, err := url.Parse(t.endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return "the " + t.p.Info().Title + " API"
}
