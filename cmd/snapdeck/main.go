// Command snapdeck is a terminal UI for browsing and managing cloud backups.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/linode"
	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	"github.com/snapdeck/snapdeck/ui"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// usageError is a bad invocation: exit 2 with one line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("snapdeck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "browse a built-in simulated Linode account (no token, no network)")
	timeout := fs.Duration("timeout", 30*time.Second, "time limit for each API request")
	latency := fs.Duration("demo-latency", 120*time.Millisecond, "with --demo: simulated round-trip time of each request")
	jobTime := fs.Duration("demo-job-time", 6*time.Second, "with --demo: how long a simulated snapshot takes (a restore takes a third longer)")
	readOnly := fs.Bool("read-only", false, "refuse every change: browse only")
	auditPath := fs.String("audit-log", client.DefaultAuditPath(), "append-only JSON-lines log of every action")
	poll := fs.Duration("poll", 3*time.Second, "how often running snapshots and restores are checked")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: snapdeck [--demo] [flags]\n\nWithout --demo, snapdeck reads LINODE_TOKEN (and LINODE_URL for another API endpoint).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// linodego reports its retries through the standard logger, which would
	// scribble over the full-screen UI.
	log.SetOutput(io.Discard)

	p, account, err := provider(*demo, *timeout, *latency, *jobTime)
	if err != nil {
		fmt.Fprintln(stderr, "snapdeck:", err)
		return 2
	}
	if *demo && !flagSet(fs, "poll") {
		*poll = time.Second
	}
	// The decorators nest so that refused read-only attempts are audited too.
	if *readOnly {
		p = client.ReadOnly(p)
	}
	audit, err := client.OpenAuditLog(*auditPath)
	if err != nil {
		fmt.Fprintln(stderr, "snapdeck: audit log:", err)
		return 2
	}
	defer audit.Close()
	p = client.Audited(p, audit, account)
	// Read page 1 before taking over the terminal: a rejected token is then
	// one plain line, and the page is the UI's first draw, not a second request.
	first, err := preflight(p, *timeout, stderr)
	if client.KindOf(err) == client.ErrAuth {
		fmt.Fprintln(stderr, "snapdeck: LINODE_TOKEN was rejected:", err)
		return 2
	}
	app := ui.New(ui.Options{
		Provider: p, Account: account, Timeout: *timeout, Preloaded: first,
		ReadOnly: *readOnly, PollEvery: *poll, AuditPath: audit.Path(),
	})
	if _, err := tea.NewProgram(app, tea.WithContext(context.Background())).Run(); err != nil {
		fmt.Fprintln(stderr, "snapdeck:", err)
		return 1
	}
	if err := app.Fatal(); err != nil {
		if client.KindOf(err) == client.ErrAuth {
			fmt.Fprintln(stderr, "snapdeck: LINODE_TOKEN was rejected:", err)
		} else {
			fmt.Fprintln(stderr, "snapdeck:", err)
		}
		return 2
	}
	return 0
}

// preflight reads the first page of instances. Any failure other than a
// rejected token is left for the UI, which shows it in place with a retry.
func preflight(p client.Provider, timeout time.Duration, stderr io.Writer) (*client.ResourcePage, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	slow := time.AfterFunc(time.Second, func() { fmt.Fprintln(stderr, "snapdeck: waiting for the Linode API…") })
	defer slow.Stop()
	page, err := p.ListResources(ctx, 1, client.Filter{})
	if err != nil {
		return nil, err
	}
	return &page, nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

func provider(demo bool, timeout, latency, jobTime time.Duration) (client.Provider, string, error) {
	if demo {
		srv := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{
			Latency: latency, SnapshotTime: jobTime, RestoreTime: jobTime * 4 / 3,
		})
		p, err := linode.New(linode.Config{
			Token:      simlinode.DemoToken,
			BaseURL:    "http://linode.demo.invalid",
			HTTPClient: sim.InProcess(srv),
			Timeout:    timeout,
		})
		return p, "demo", err
	}
	token := os.Getenv("LINODE_TOKEN")
	if token == "" {
		return nil, "", usageError{"LINODE_TOKEN is not set: export a Linode API token (read-only is enough to browse), or try --demo"}
	}
	p, err := linode.New(linode.Config{Token: token, Timeout: timeout})
	return p, "LINODE_TOKEN", err
}
