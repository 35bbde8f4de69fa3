package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/civo"
	"github.com/snapdeck/snapdeck/client/linode"
	"github.com/snapdeck/snapdeck/client/linodedb"
	"github.com/snapdeck/snapdeck/client/northflank"
	"github.com/snapdeck/snapdeck/client/superbflex"
	"github.com/snapdeck/snapdeck/config"
	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	simnorthflank "github.com/snapdeck/snapdeck/sim/northflank"
	simsuperbflex "github.com/snapdeck/snapdeck/sim/superbflex"
)

// target is one account view: an account and one of its providers (a
// Linode account gives two, its instances and its Managed Databases).
type target struct {
	account    string
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
	fleet := simlinode.Demo(now)
	if c.size != 40 {
		fleet = simlinode.Seed(1, max(c.size, 0), now)
	}
	lsrv := simlinode.New(fleet, simlinode.Options{
		Options:      sim.Options{Latency: c.latency},
		SnapshotTime: c.jobTime,
		RestoreTime:  c.jobTime * 4 / 3,
	})
	lp, dbp, err := linodeAccount(simlinode.DemoToken, "http://linode.demo.invalid", sim.InProcess(lsrv), c.timeout)
	if err != nil {
		return nil, err
	}
	csrv := simcivo.New(simcivo.Demo(now), simcivo.Options{Options: sim.Options{Latency: c.latency}, JobTime: c.jobTime})
	cp, err := civo.New(civo.Config{Transport: client.Transport{BaseURL: "http://civo.demo.invalid", HTTPClient: sim.InProcess(csrv), Timeout: c.timeout}, Token: simcivo.DemoToken})
	if err != nil {
		return nil, err
	}
	nsrv := simnorthflank.New(simnorthflank.Demo(now), simnorthflank.Options{Options: sim.Options{Latency: c.latency}, JobTime: c.jobTime})
	np, err := northflank.New(northflank.Config{Transport: client.Transport{BaseURL: "http://northflank.demo.invalid", HTTPClient: sim.InProcess(nsrv), Timeout: c.timeout}, Token: simnorthflank.DemoToken})
	if err != nil {
		return nil, err
	}
	ssrv := simsuperbflex.New(simsuperbflex.Demo(now), simsuperbflex.Options{Options: sim.Options{Latency: c.latency}, JobTime: c.jobTime})
	sp, err := superbflex.New(superbflex.Config{
		Transport: client.Transport{BaseURL: "http://flex.demo.invalid", HTTPClient: sim.InProcess(ssrv), Timeout: c.timeout},
		User:      simsuperbflex.DemoUser,
		Password:  simsuperbflex.DemoPassword,
	})
	if err != nil {
		return nil, err
	}
	return []target{
		{account: "demo", p: lp},
		{account: "demo", p: dbp},
		{account: "civo-demo", p: cp},
		{account: "northflank-demo", p: np},
		{account: "flex-demo", p: sp},
	}, nil
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

// linodeAccount opens a Linode account's two views, its instances and its
// Managed Databases, on one pacer: they share the account's rate limit.
func linodeAccount(token, base string, hc *http.Client, timeout time.Duration) (client.Provider, client.Provider, error) {
	pc := client.NewPacer()
	lp, err := linode.New(linode.Config{Transport: client.Transport{BaseURL: base, HTTPClient: hc, Timeout: timeout, Pacer: pc}, Token: token})
	if err != nil {
		return nil, nil, err
	}
	dbp, err := linodedb.New(linodedb.Config{Transport: client.Transport{BaseURL: base, HTTPClient: hc, Timeout: timeout, Pacer: pc}, Token: token})
	if err != nil {
		return nil, nil, err
	}
	return lp, dbp, nil
}

// accounts are the configured accounts: --config (or the default file when
// it exists), else one per provider whose environment variables are set.
func (c *connFlags) accounts(e env) ([]config.Account, error) {
	if path := c.configPath(); path != "" {
		f, err := config.Load(path)
		if err != nil {
			return nil, err
		}
		return f.Accounts, nil
	}
	accts := config.FromEnv(e.getenv)
	if len(accts) == 0 {
		return nil, usageError{"LINODE_TOKEN is not set (nor CIVO_TOKEN, NORTHFLANK_TOKEN, SUPERBFLEX_*): export a token, " +
			"write " + config.DefaultPath() + " (see the README), or try --demo"}
	}
	return accts, nil
}

// open builds the providers of one account.
func (c *connFlags) open(e env, a config.Account, hc *http.Client) ([]target, error) {
	secret, err := a.Secret(e.getenv)
	if err != nil {
		return nil, err
	}
	from := "the token of account " + a.Name
	if a.TokenEnv != "" {
		from = a.TokenEnv
	}
	t := target{account: a.Name, production: a.Production, readOnly: a.ReadOnly, secret: from}
	timeout := c.timeout
	switch a.Provider {
	case "linode":
		base := a.APIURL
		if c.api != "" {
			base = c.api
		}
		if base, err = apiBase(base); err != nil {
			return nil, err
		}
		lp, dbp, err := linodeAccount(secret, base, hc, timeout)
		if err != nil {
			return nil, fmt.Errorf("account %s: %w", a.Name, err)
		}
		t2 := t
		t.p, t2.p = lp, dbp
		return []target{t, t2}, nil
	case "civo":
		t.p, err = civo.New(civo.Config{Transport: client.Transport{BaseURL: a.APIURL, HTTPClient: hc, Timeout: timeout}, Token: secret, Region: a.Region})
	case "northflank":
		t.p, err = northflank.New(northflank.Config{Transport: client.Transport{BaseURL: a.APIURL, HTTPClient: hc, Timeout: timeout}, Token: secret})
	case "superbflex":
		user, uerr := a.UserName(e.getenv)
		if uerr != nil {
			return nil, uerr
		}
		t.secret = "the user and password of account " + a.Name
		t.p, err = superbflex.New(superbflex.Config{Transport: client.Transport{BaseURL: a.APIURL, HTTPClient: hc, Timeout: timeout}, User: user, Password: secret})
	default:
		err = fmt.Errorf("provider %q is not supported", a.Provider)
	}
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", a.Name, err)
	}
	return []target{t}, nil
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
