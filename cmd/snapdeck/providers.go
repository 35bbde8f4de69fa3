package main

import (
	"cmp"
	"fmt"
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

// providers is the registry: one entry per provider, in the order they are
// listed, opened from the environment and shown by --demo. The accounts
// file's checks, account opening, --demo, `snapdeck sim --provider`, the
// usage text and the flags' help are all derived from it, so adding a
// provider is its client and sim packages and one entry here.
//
// What a provider can do (its capabilities, nouns, name rules) is not
// repeated here: it is the model.ProviderInfo its client's Info returns.
var providers = []provider{
	{
		Kind: config.Kind{Name: "linode", Title: "Linode",
			Env: &config.EnvAccount{Name: "LINODE_TOKEN", TokenEnv: "LINODE_TOKEN", URLEnv: "LINODE_URL"}},
		help:    "linode (instances and Managed Databases)",
		apiFlag: true,
		// X-RateLimit-Remaining, X-RateLimit-Reset as a Unix time.
		pacer: client.NewPacer,
		open:  linodeAccount,
		sim: simulator{
			serve: func(s simSettings) (simulated, func(string) string) {
				fleet := simlinode.Seed(s.seed, s.size, s.now)
				if s.demo && !s.sized {
					fleet = simlinode.Demo(s.now)
				}
				srv := simlinode.New(fleet, simlinode.Options{Options: s.chassis, SnapshotTime: s.snapshotTime, RestoreTime: s.restoreTime})
				return srv, func(base string) string {
					return fmt.Sprintf("snapdeck sim: Linode API v4 at %s/v4 (%d Linodes, seed %d)\n", base, s.size, s.seed) +
						fmt.Sprintf("  token: %s\n", simlinode.DemoToken) +
						fmt.Sprintf("  try:   LINODE_TOKEN=%s snapdeck --api %s\n", simlinode.DemoToken, base)
				}
			},
			demoAccount: "demo", demoURL: "http://linode.demo.invalid", demoSecret: simlinode.DemoToken,
			rawFailNext: true,
		},
	},
	{
		Kind: config.Kind{Name: "civo", Title: "Civo", Settings: []string{"region"},
			Env: &config.EnvAccount{Name: "CIVO_TOKEN", TokenEnv: "CIVO_TOKEN"}},
		// The API documents no rate-limit headers: a 429's Retry-After only.
		pacer: client.NewRetryAfterPacer,
		open: func(o opening) ([]client.Provider, error) {
			return views(civo.New(civo.Config{Transport: o.Transport, Token: o.secret, Region: o.settings["region"]}))
		},
		sim: simulator{
			serve: func(s simSettings) (simulated, func(string) string) {
				fleet := simcivo.Seed(s.seed, s.size, s.now)
				if s.demo {
					fleet = simcivo.Demo(s.now)
				}
				srv := simcivo.New(fleet, simcivo.Options{Options: s.chassis, JobTime: s.snapshotTime})
				return srv, configBanner("Civo API", fmt.Sprintf("%d instances", s.size), "civo",
					`token_env = "CIVO_TOKEN"  # `+simcivo.DemoToken)
			},
			size:        12,
			demoAccount: "civo-demo", demoURL: "http://civo.demo.invalid", demoSecret: simcivo.DemoToken,
		},
	},
	{
		Kind: config.Kind{Name: "northflank", Title: "Northflank",
			Env: &config.EnvAccount{Name: "NORTHFLANK_TOKEN", TokenEnv: "NORTHFLANK_TOKEN"}},
		// x-ratelimit-remaining, x-ratelimit-reset in seconds left.
		pacer: client.NewRelativePacer,
		open: func(o opening) ([]client.Provider, error) {
			return views(northflank.New(northflank.Config{Transport: o.Transport, Token: o.secret}))
		},
		sim: simulator{
			serve: func(s simSettings) (simulated, func(string) string) {
				srv := simnorthflank.New(simnorthflank.Demo(s.now), simnorthflank.Options{Options: s.chassis,
					JobTime: s.snapshotTime, RestoreTime: s.restoreTime})
				return srv, configBanner("Northflank API", "addons (the demo fixture)", "northflank",
					`token_env = "NORTHFLANK_TOKEN"  # `+simnorthflank.DemoToken)
			},
			demoAccount: "northflank-demo", demoURL: "http://northflank.demo.invalid", demoSecret: simnorthflank.DemoToken,
		},
	},
	{
		Kind: config.Kind{Name: "superbflex", Title: "Superb Flex Cloud", Password: true, APIURLRequired: "your cloud's address",
			Env: &config.EnvAccount{Name: "SUPERBFLEX", UserEnv: "SUPERBFLEX_USER", PasswordEnv: "SUPERBFLEX_PASSWORD", URLEnv: "SUPERBFLEX_URL"}},
		// The API documents no rate limit: a 429's Retry-After only.
		pacer: client.NewRetryAfterPacer,
		open: func(o opening) ([]client.Provider, error) {
			return views(superbflex.New(superbflex.Config{Transport: o.Transport, User: o.user, Password: o.secret}))
		},
		sim: simulator{
			serve: func(s simSettings) (simulated, func(string) string) {
				srv := simsuperbflex.New(simsuperbflex.Demo(s.now), simsuperbflex.Options{Options: s.chassis, JobTime: s.snapshotTime})
				return srv, configBanner("Superb Flex Cloud API", "VMs (the demo fixture)", "superbflex",
					`user = "`+simsuperbflex.DemoUser+"\"\npassword_env = \"SUPERBFLEX_PASSWORD\"  # "+simsuperbflex.DemoPassword)
			},
			demoAccount: "flex-demo", demoURL: "http://flex.demo.invalid",
			demoUser: simsuperbflex.DemoUser, demoSecret: simsuperbflex.DemoPassword,
		},
	},
}

// provider is one entry of the registry.
type provider struct {
	// Kind is what the accounts file knows of it: its provider word, title,
	// sign-in (token, or user and password), whether api_url is required,
	// its own settings and its account from the environment.
	config.Kind
	// help names it in `snapdeck sim --provider`'s help; "" is its Name.
	help string
	// apiFlag: --api sets its accounts' base URL (a trailing /v4 is
	// dropped, as `snapdeck sim` prints it).
	apiFlag bool
	// pacer builds an account's one client.Pacer, configured for the
	// rate-limit replies its API sends; nil means client.NewRetryAfterPacer
	// (a 429's Retry-After holds every request of the account). The
	// account's views share it, and so does every session of `snapdeck
	// serve`, which opens each account once.
	pacer func() *client.Pacer
	// open builds an account's views, one client.Provider each: a Linode
	// account has two, its instances and its Managed Databases. The
	// opening's Pacer is the account's.
	open func(o opening) ([]client.Provider, error)
	// sim is its simulator, for --demo and `snapdeck sim`.
	sim simulator
}

// opening is what a provider's open gets.
type opening struct {
	// Transport: the account's api_url (or the demo's), the HTTP client and
	// the per-request timeout.
	client.Transport
	// user (for a Password kind) and secret (its password, else its token).
	user, secret string
	// settings are the account's values of the provider's own settings.
	settings map[string]string
}

// simulator builds a provider's simulator.
type simulator struct {
	// serve builds the handler; the banner, given the address it is served
	// at, is what `snapdeck sim` prints.
	serve func(s simSettings) (srv simulated, banner func(base string) string)
	// size is `snapdeck sim --size`'s default for it; 0 leaves the flag's.
	size int
	// demoAccount names its --demo account, served in-process at demoURL
	// to the credential demoUser / demoSecret.
	demoAccount, demoURL, demoUser, demoSecret string
	// rawFailNext: --fail-next always answers with FailNext's raw body,
	// also for the statuses the chassis's faults know (the Linode simulator
	// keeps its own).
	rawFailNext bool
}

// simSettings are what a simulator is built with.
type simSettings struct {
	now time.Time
	// demo: for --demo, the provider's demo fixture, unless sized asks
	// for a generated fleet of size (--demo-size); else seed and size say
	// what to generate, where the provider generates fleets.
	demo, sized bool
	seed        int64
	size        int
	chassis     sim.Options // latency and rate limit
	// snapshotTime and restoreTime: how long a simulated job takes.
	snapshotTime, restoreTime time.Duration
}

// openAccount builds an account's views on one new Pacer of the account.
func (pv *provider) openAccount(o opening) ([]client.Provider, error) {
	newPacer := pv.pacer
	if newPacer == nil {
		newPacer = client.NewRetryAfterPacer
	}
	o.Pacer = newPacer()
	return pv.open(o)
}

// views turns one adapter's New into open's result.
func views[P client.Provider](p P, err error) ([]client.Provider, error) {
	if err != nil {
		return nil, err
	}
	return []client.Provider{p}, nil
}

// linodeAccount opens a Linode account's two views, its instances and its
// Managed Databases, on the account's one pacer: they share its rate limit.
func linodeAccount(o opening) ([]client.Provider, error) {
	tr := o.Transport
	lp, err := linode.New(linode.Config{Transport: tr, Token: o.secret})
	if err != nil {
		return nil, err
	}
	dbp, err := linodedb.New(linodedb.Config{Transport: tr, Token: o.secret})
	if err != nil {
		return nil, err
	}
	return []client.Provider{lp, dbp}, nil
}

// configBanner is `snapdeck sim`'s banner for a provider reached through a
// config file: what is served, and the [[account]] to write.
func configBanner(api, what, name, credential string) func(base string) string {
	return func(base string) string {
		return fmt.Sprintf("snapdeck sim: %s at %s (%s)\n", api, base, what) +
			fmt.Sprintf("  try, in a config file (snapdeck --config FILE):\n\n[[account]]\nname = \"sim\"\nprovider = %q\napi_url = %q\n%s\n\n",
				name, base, credential)
	}
}

// providerNamed is the registry's entry for a provider word, or nil.
func providerNamed(name string) *provider {
	for i := range providers {
		if providers[i].Name == name {
			return &providers[i]
		}
	}
	return nil
}

// kinds are the registry as the accounts file knows it.
func kinds() []config.Kind {
	out := make([]config.Kind, 0, len(providers))
	for _, p := range providers {
		out = append(out, p.Kind)
	}
	return out
}

// providerNames lists the provider words: "linode, civo, …".
func providerNames() string {
	names := make([]string, 0, len(providers))
	for _, p := range providers {
		names = append(names, p.Name)
	}
	return strings.Join(names, ", ")
}

// providerChoices is --provider's help: "linode (…), civo or superbflex".
func providerChoices() string {
	words := make([]string, 0, len(providers))
	for _, p := range providers {
		words = append(words, cmp.Or(p.help, p.Name))
	}
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// envVars names, briefly, the variables that open accounts without a
// config file: "LINODE_TOKEN, CIVO_TOKEN, …, SUPERBFLEX_*".
func envVars() []string {
	var out []string
	for _, p := range providers {
		e := p.Env
		switch {
		case e == nil:
		case p.Password:
			out = append(out, commonPrefix(e.UserEnv, e.PasswordEnv)+"*")
		default:
			out = append(out, e.TokenEnv)
		}
	}
	return out
}

// envHelp names them in full, with what each needs besides:
// "LINODE_TOKEN (and LINODE_URL or --api), …, SUPERBFLEX_USER + … + SUPERBFLEX_URL".
func envHelp() string {
	var out []string
	for _, p := range providers {
		e := p.Env
		if e == nil {
			continue
		}
		s := e.TokenEnv
		if p.Password {
			s = e.UserEnv + " + " + e.PasswordEnv
		}
		switch {
		case e.URLEnv == "":
		case p.APIURLRequired != "":
			s += " + " + e.URLEnv
		case p.apiFlag:
			s += " (and " + e.URLEnv + " or --api)"
		default:
			s += " (and " + e.URLEnv + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func commonPrefix(a, b string) string {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return a[:n]
}
