// Command snapdeck is a terminal UI for browsing and managing cloud backups.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/ui"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// usageError is a bad invocation: exit 2 with one line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdout, stderr io.Writer) int {
	return osEnv(stdout, stderr).run(args)
}

// defineTUI defines the flags of snapdeck without a command, the TUI, on
// c, and returns its run.
func defineTUI(c *cmdFlags) func(pos []string) int {
	e := c.e
	cf := addConnFlags(c.FlagSet)
	c.conn = cf
	durationVar(c.FlagSet, &cf.timeout, "timeout", 30*time.Second, "time limit for each API request")
	poll := c.Duration("poll", 3*time.Second, "how often running snapshots and restores are checked")
	showVersion := c.Bool("version", false, "print the version and exit")
	return func([]string) int {
		if *showVersion {
			fmt.Fprintln(e.stdout, "snapdeck", version())
			return 0
		}
		return e.runTUI(cf, *poll, c.Changed("poll"))
	}
}

// runTUI opens the accounts and runs the TUI until it quits.
func (e env) runTUI(cf *connFlags, poll time.Duration, pollSet bool) int {
	stderr := e.stderr
	c, err := cf.connect(e, true)
	if err != nil {
		fmt.Fprintln(stderr, "snapdeck:", err)
		return 2
	}
	defer c.Close()
	if cf.demo && !pollSet {
		poll = time.Second
	}
	p := c.p
	// Read page 1 before taking over the terminal: a rejected token is then
	// one plain line, and the page is the UI's first draw, not a second request.
	first, err := preflight(p, cf.timeout, stderr, p.Info().Title)
	if client.KindOf(err) == client.ErrAuth && len(accountsOf(c.targets)) == 1 {
		fmt.Fprintf(stderr, "snapdeck: %s was rejected: %v\n", c.secret, err)
		return 2
	}
	targets := make([]ui.Target, 0, len(c.targets))
	for i, t := range c.targets {
		ut := ui.Target{Account: t.account, Provider: t.p, Production: t.production, ReadOnly: t.readOnly}
		if i == c.start {
			ut.Preloaded = first
		}
		targets = append(targets, ut)
	}
	app := ui.NewDeck(ui.Options{
		Timeout: cf.timeout, ReadOnly: cf.readOnly, PollEvery: poll, AuditPath: c.audit.Path(), Policy: c.policy,
		// Only the secrets test sets this, to force a crash report.
		PanicKey: e.getenv("SNAPDECK_TEST_PANIC") == "1",
	}, targets)
	// An account that could not be opened is shown, with why, never dropped.
	var gone []ui.Unavailable
	for _, u := range c.unopened {
		gone = append(gone, ui.Unavailable{Account: u.account, Provider: u.provider, Reason: u.err.Error()})
	}
	app.SetUnavailable(gone)
	app.Show(c.start)
	_, err = tea.NewProgram(app, tea.WithContext(context.Background())).Run()
	app.Close() // whatever was still in flight ends with the program
	if err != nil {
		fmt.Fprintln(stderr, "snapdeck:", err)
		return 1
	}
	if err := app.Fatal(); err != nil {
		if client.KindOf(err) == client.ErrAuth {
			fmt.Fprintf(stderr, "snapdeck: %s was rejected: %v\n", c.secret, err)
		} else {
			fmt.Fprintln(stderr, "snapdeck:", err)
		}
		return 2
	}
	return 0
}

// preflight reads the first page of instances. Any failure other than a
// rejected token is left for the UI, which shows it in place with a retry.
func preflight(p client.Provider, timeout time.Duration, stderr io.Writer, title string) (*client.ResourcePage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	slow := time.AfterFunc(time.Second, func() { fmt.Fprintln(stderr, "snapdeck: waiting for the "+title+" API…") })
	defer slow.Stop()
	page, err := p.ListResources(ctx, 1, client.Filter{})
	if err != nil {
		return nil, err
	}
	return &page, nil
}

// accountsOf lists the distinct accounts of the targets.
func accountsOf(ts []target) []string {
	var out []string
	for i, t := range ts {
		if i == 0 || t.account != ts[i-1].account {
			out = append(out, t.account)
		}
	}
	return out
}

// version is the module version the binary was built from, or "dev".
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
