package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/config"
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
		ps, err := pv.open(opening{
			Transport: client.Transport{BaseURL: pv.sim.demoURL, HTTPClient: sim.InProcess(srv), Timeout: c.timeout},
			user:      pv.sim.demoUser, secret: pv.sim.demoSecret,
		})
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			out = append(out, target{account: pv.sim.demoAccount, provider: pv.Name, p: p})
		}
	}
	return out, nil
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
	ps, err := pv.open(o)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", a.Name, err)
	}
	ts := make([]target, 0, len(ps))
	for _, p := range ps {
		ts = append(ts, target{account: a.Name, provider: a.Provider, p: p, production: a.Production, readOnly: a.ReadOnly, secret: from})
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
	if c.demo {
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
