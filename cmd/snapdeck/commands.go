package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// command is one subcommand of the snapdeck binary. The TUI runs when the
// first argument names none of them.
type command struct {
	name, args, summary string
	shared              int    // which shared flags it takes
	nargs               int    // how many positional arguments
	names               string // what they are, for the error when they are missing
	// define defines the command's flags and returns its run, given the
	// positional arguments.
	define func(c *cmdFlags) func(pos []string) int
	// complete, when set, adds completions of its own flags.
	complete func(cc *cobra.Command)
}

// Exit codes of the commands.
const (
	exitOK    = 0
	exitFound = 1 // check: stale resources; snapshot/restore --wait: it failed, was aborted or vanished
	exitError = 2 // bad usage, refused, or the API could not be asked
)

// commands are the subcommands, in the order help lists them.
var commands []command

func init() {
	resource := "a resource (label or ID)"
	commands = []command{
		{name: "resources", args: "[--json] [--label L] [--tag T] [--region R] [--all-accounts]", summary: "list the account's resources",
			shared: connAndTimeout, define: defineResources},
		{name: "backups", args: "<resource> [--json]", summary: "list one resource's backups and snapshots",
			shared: connAndTimeout, nargs: 1, names: resource, define: defineBackups},
		{name: "check", args: "[--max-age 2d] [--json] [--all-accounts]", summary: "list resources without a recent successful backup (exit 1 if any)",
			shared: connAndTimeout, define: defineCheck},
		{name: "snapshot", args: "<resource> --label L [--disk ID] [--wait] [--replace]", summary: "take a snapshot, optionally waiting for it to finish",
			shared: connOnly, nargs: 1, names: resource, define: defineSnapshot},
		{name: "restore", args: "<resource> <backup-id> --to <target> [--overwrite] --yes [--wait]", summary: "restore a backup onto a resource, optionally waiting for it to finish",
			shared: connOnly, nargs: 2, names: "a resource and a backup ID", define: defineRestore},
		{name: "cancel-backups", args: "<resource> --yes", summary: "turn the Backup service off, deleting every backup",
			shared: connAndTimeout, nargs: 1, names: resource, define: defineCancelBackups},
		{name: "sim", args: "[--listen 127.0.0.1:8799]", summary: "serve the simulated Linode API over HTTP",
			shared: noConn, define: defineSim, complete: completeSim},
		{name: "serve", args: "--authorized-keys FILE [--listen :2222] [--demo]", summary: "serve the TUI over SSH (a bastion), with per-key roles",
			shared: connAndTimeout, define: defineServe},
	}
}

// cmdFlags is one command's flag set with the shared connection flags.
type cmdFlags struct {
	*pflag.FlagSet
	conn *connFlags
	name string
	e    env
}

// Which shared flags a command takes.
const (
	connAndTimeout = iota // the connection flags and --timeout per request
	connOnly              // the connection flags; the command defines --timeout
	noConn                // none
)

// newCmd makes a flag set for command name on its own, for tests that
// parse flags without running a command.
func newCmd(e env, name string, shared int) *cmdFlags {
	fs := pflag.NewFlagSet("snapdeck "+name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return newCmdOn(e, name, shared, fs)
}

// newCmdOn defines the shared flags of command name on fs.
func newCmdOn(e env, name string, shared int, fs *pflag.FlagSet) *cmdFlags {
	c := &cmdFlags{FlagSet: fs, name: name, e: e}
	if shared != noConn {
		c.conn = addConnFlags(fs)
	}
	if shared == connAndTimeout {
		durationVar(fs, &c.conn.timeout, "timeout", 30*time.Second, "time limit for each API request and, for a one-shot command, for the whole command (retries and rate-limit waits included)")
		c.conn.deadline = true
	}
	return c
}

// Duration defines a duration flag that takes days too (2d).
func (c *cmdFlags) Duration(name string, value time.Duration, usage string) *time.Duration {
	p := new(time.Duration)
	durationVar(c.FlagSet, p, name, value, usage)
	return p
}

// DurationVar is Duration into p.
func (c *cmdFlags) DurationVar(p *time.Duration, name string, value time.Duration, usage string) {
	durationVar(c.FlagSet, p, name, value, usage)
}

// parse parses flags and positional arguments in any order, and checks
// that there are exactly nargs of the latter. ok false means: return code.
// Commands are parsed by cobra (cli.go); this is for tests.
func (c *cmdFlags) parse(args []string, nargs int, names string) (pos []string, code int, ok bool) {
	if err := c.Parse(args); err != nil {
		return nil, c.e.fail(usageError{err.Error()}), false
	}
	if err := c.checkArgs(c.Args(), nargs, names); err != nil {
		return nil, c.e.fail(err), false
	}
	return c.Args(), 0, true
}

// checkArgs checks that there are exactly nargs positional arguments.
func (c *cmdFlags) checkArgs(pos []string, nargs int, names string) error {
	if len(pos) == nargs {
		return nil
	}
	if nargs == 0 {
		return usageError{fmt.Sprintf("%s takes no arguments, got %q", c.name, pos[0])}
	}
	return usageError{fmt.Sprintf("%s needs %s (see snapdeck %s --help)", c.name, names, c.name)}
}

// fail reports err as one line on stderr and returns exitError.
func (e env) fail(err error) int {
	msg := err.Error()
	if client.KindOf(err) == client.ErrAuth {
		secret := "LINODE_TOKEN"
		if a := (*askError)(nil); errors.As(err, &a) && a.t.secret != "" {
			secret = a.t.secret
		}
		msg = secret + " was rejected: " + msg
	}
	fmt.Fprintln(e.stderr, "snapdeck: "+oneLine(msg))
	return exitError
}

// oneLine keeps an error to one printable line: API text may hold newlines
// or terminal control sequences.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// commandContext ends on Ctrl+C or SIGTERM.
func commandContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// session connects for one command and gives it a context that ends on
// Ctrl+C or SIGTERM; end releases both.
func (c *connFlags) session(e env, withAudit bool) (*conn, context.Context, func(), error) {
	cn, err := c.connect(e, withAudit)
	if err != nil {
		return nil, nil, nil, err
	}
	// withAudit is true exactly for the commands that change something.
	if err := cn.mayAct(withAudit, c.account != ""); err != nil {
		cn.Close()
		return nil, nil, nil, err
	}
	ctx, cancel := c.withDeadline(commandContext())
	return cn, ctx, func() { cancel(); cn.Close() }, nil
}

// chosen are the views a command reads: every one with --all-accounts
// (an error when one could not be opened), else the one --account picked.
func (c *conn) chosen(all bool) ([]target, error) {
	if all {
		if len(c.unopened) > 0 {
			return nil, fmt.Errorf("%w; not every account can be read", unopenedError(c.unopened))
		}
		return c.targets, nil
	}
	return []target{c.targets[c.start]}, nil
}

// found is one resource and the view it was listed in.
type found struct {
	t target
	r model.Resource
}

// listView reads every resource of one view matching f. It is
// client.LoadAll; the benchmarks swap in the sequential pager it replaced,
// as their baseline.
var listView = client.LoadAll

// listChosen lists the resources matching f in the views a command reads
// (conn.chosen), each with its view, in the views' order. Each view is read
// by client.LoadAll, and the views at once: the first that fails ends the
// others and is the error.
func (c *conn) listChosen(ctx context.Context, all bool, f client.Filter) ([]target, []found, error) {
	views, err := c.chosen(all)
	if err != nil {
		return nil, nil, err
	}
	lists := make([][]model.Resource, len(views))
	// The first view that fails ends the others and is the one named.
	g, gctx := errgroup.WithContext(ctx)
	for i, t := range views {
		g.Go(func() error {
			var err error
			if lists[i], err = listView(gctx, t.p, f); err != nil {
				return asked(t, "listing the resources", err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	var out []found
	for i, t := range views {
		for _, r := range lists[i] {
			out = append(out, found{t, r})
		}
	}
	return views, out, nil
}

// resolve finds a resource by its label or, failing that, its ID.
func resolve(ctx context.Context, t target, ref string) (model.Resource, error) {
	p := t.p
	if ref == "" {
		return model.Resource{}, usageError{"the resource is empty: give a label or an ID"}
	}
	pg, err := p.ListResources(ctx, 1, client.Filter{Label: ref})
	if err != nil {
		return model.Resource{}, asked(t, fmt.Sprintf("finding the resource %q", ref), err)
	}
	for _, r := range pg.Items {
		if r.Label == ref {
			return r, nil
		}
	}
	notFound := usageError{fmt.Sprintf("no resource with the label or ID %q in %s", ref, viewName(t))}
	if _, err := strconv.ParseUint(ref, 10, 63); err != nil {
		return model.Resource{}, notFound
	}
	a, ok := p.(client.Actions)
	if !ok {
		return model.Resource{}, notFound
	}
	r, err := a.GetResource(ctx, ref)
	if client.KindOf(err) == client.ErrNotFound {
		return model.Resource{}, notFound
	}
	return r, asked(t, fmt.Sprintf("reading the resource %s", ref), err)
}

func filterFlags(c *cmdFlags) *client.Filter {
	f := &client.Filter{}
	c.StringVar(&f.Label, "label", "", "only the resource with this exact label")
	c.StringVar(&f.Tag, "tag", "", "only resources with this tag")
	c.StringVar(&f.Region, "region", "", "only resources in this region")
	return f
}

func defineResources(c *cmdFlags) func(pos []string) int {
	e := c.e
	asJSON := c.Bool("json", false, "print JSON (schema in README, Scripting)")
	all := c.Bool("all-accounts", false, "list every account view, not only the first (or --account)")
	f := filterFlags(c)
	return func(pos []string) int {
		conn, ctx, end, err := c.conn.session(e, false)
		if err != nil {
			return e.fail(err)
		}
		defer end()
		out := []resourceJSON{}
		var from []origin // with --all-accounts, where each row is from
		if *all {
			from = []origin{}
		}
		_, rs, err := conn.listChosen(ctx, *all, *f)
		if err != nil {
			return e.fail(err)
		}
		for _, fr := range rs {
			out = append(out, toResourceJSON(fr.t, fr.r))
			if *all {
				from = append(from, originOf(fr.t))
			}
		}
		if *asJSON {
			return e.printJSON(out)
		}
		e.resourceTable(out, from)
		return exitOK
	}
}

func defineBackups(c *cmdFlags) func(pos []string) int {
	e := c.e
	asJSON := c.Bool("json", false, "print JSON (schema in README, Scripting)")
	history := c.Bool("history", false, "also summarise the backups per UTC day for the last 14 days (with --json: an object {backups, history})")
	return func(pos []string) int {
		conn, ctx, end, err := c.conn.session(e, false)
		if err != nil {
			return e.fail(err)
		}
		defer end()
		r, err := resolve(ctx, conn.view(), pos[0])
		if err != nil {
			return e.fail(err)
		}
		bs, err := conn.p.ListBackups(ctx, r.ID)
		if err != nil {
			return e.fail(asked(conn.view(), "listing the backups of "+ref(r), err))
		}
		out := make([]backupJSON, 0, len(bs))
		for _, b := range bs {
			out = append(out, toBackupJSON(conn.view(), r, b))
		}
		var h historyJSON
		if *history {
			h = toHistoryJSON(conn.view(), r, bs, e.now())
		}
		switch {
		case *asJSON && *history:
			return e.printJSON(backupsHistoryJSON{Backups: out, History: h})
		case *asJSON:
			return e.printJSON(out)
		}
		e.backupTable(out)
		if *history {
			fmt.Fprintf(e.stdout, "\nHISTORY %s\n%s\n", historyLine(h), theme.HistoryLegendPlain())
		}
		return exitOK
	}
}

func defineCheck(c *cmdFlags) func(pos []string) int {
	e := c.e
	asJSON := c.Bool("json", false, "print JSON (schema in README, Scripting); the same as --format json")
	form := c.String("format", "text", "output `format`: text, json, or openmetrics (gauges for Prometheus; see README, Backup policy)")
	all := c.Bool("all-accounts", false, "check every account view, not only the first (or --account)")
	maxAge := c.Duration("max-age", model.StaleAfter, "for this run, every policy rule's max_age: the newest successful backup may be at most this old (default: the config's policy, else 48h)")
	minManual := c.Int("min-manual", 0, "for this run, every policy rule's min_manual: snapshots or manual backups newer than max_age each resource needs")
	every := c.Duration("every", 0, "check again at this interval until stopped (Ctrl+C, SIGTERM), rewriting --textfile each round; at least 1m")
	textfile := c.String("textfile", "", "with --every: the metrics `file` to rewrite atomically (for node_exporter's textfile collector)")
	history := c.Bool("history", false, "also read every resource's backups and summarise them per UTC day for the last 14 days (one request per resource, paced)")
	f := filterFlags(c)
	return func(pos []string) int {
		if c.Changed("max-age") && *maxAge <= 0 {
			return e.fail(usageError{"--max-age must be positive"})
		}
		if *minManual < 0 {
			return e.fail(usageError{"--min-manual must be 0 or more"})
		}
		if *asJSON {
			*form = "json"
		}
		switch *form {
		case "text", "json", "openmetrics":
		default:
			return e.fail(usageError{fmt.Sprintf("--format %q is not one of text, json, openmetrics", *form)})
		}
		watching := *every != 0 || *textfile != ""
		if watching {
			switch {
			case *textfile == "":
				return e.fail(usageError{errNoTextfile.Error()})
			case *every == 0:
				return e.fail(usageError{"--textfile needs --every, the interval of its rewrites"})
			case *every < MinEvery:
				return e.fail(usageError{fmt.Sprintf("--every %s is too often: at least %s (each round reads every resource, paced within each provider's rate limit)", *every, MinEvery)})
			}
			// --timeout bounds each round, not the whole (endless) run.
			c.conn.deadline = false
		}
		conn, ctx, end, err := c.conn.session(e, false)
		if err != nil {
			return e.fail(err)
		}
		defer end()
		pol := conn.policy
		if c.Changed("max-age") || c.Changed("min-manual") {
			pol = pol.Override(func(r model.Rule) model.Rule {
				if c.Changed("max-age") {
					r.MaxAge = *maxAge
					r.From += " with --max-age " + model.ShortDuration(*maxAge)
				}
				if c.Changed("min-manual") {
					r.MinManual = *minManual
					r.From += fmt.Sprintf(" with --min-manual %d", *minManual)
				}
				return r
			})
		}
		round := func(ctx context.Context) ([]target, []judged, time.Time, error) {
			now := e.now().UTC().Truncate(time.Second)
			views, js, err := conn.judge(ctx, *all, *f, pol, now, *history)
			if err == nil && len(js) == 0 && f.Label != "" {
				// A typo in a cron job's --label must not pass as "all 0 are fine".
				names := make([]string, 0, len(views))
				for _, t := range views {
					names = append(names, viewName(t))
				}
				err = usageError{fmt.Sprintf("no resource with the label %q in %s", f.Label, strings.Join(names, ", "))}
			}
			return views, js, now, err
		}
		if watching {
			tk := time.NewTicker(*every)
			defer tk.Stop()
			timeout := c.conn.timeout
			werr := watch(ctx, e.stderr, *textfile, tk.C, func(ctx context.Context) ([]judged, time.Time, error) {
				if timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeoutCause(ctx, timeout, &client.Deadline{What: fmt.Sprintf("--timeout %s for each round", timeout)})
					defer cancel()
				}
				_, js, now, err := round(ctx)
				return js, now, err
			})
			if werr != nil {
				return e.fail(werr)
			}
			return exitOK
		}
		_, js, now, err := round(ctx)
		if err != nil {
			return e.fail(err)
		}
		res := checkResult(js, pol, now)
		if *history {
			res.History = make([]historyJSON, 0, len(js))
			for _, j := range js {
				res.History = append(res.History, toHistoryJSON(j.t, j.r, j.backups, now))
			}
		}
		switch *form {
		case "json":
			if code := e.printJSON(res); code != exitOK {
				return code
			}
		case "openmetrics":
			if err := writeMetrics(e.stdout, metricFamilies(js, true, now)); err != nil {
				return e.fail(err)
			}
		default:
			var from []origin // with --all-accounts, where each stale row is from
			if *all {
				from = []origin{}
				for _, j := range js {
					if j.v.Violated() {
						from = append(from, originOf(j.t))
					}
				}
			}
			e.checkTable(res, from, now)
			if *history {
				e.historyTable(res.History, *all)
			}
		}
		if len(res.Stale) > 0 {
			return exitFound
		}
		return exitOK
	}
}

func defineSnapshot(c *cmdFlags) func(pos []string) int {
	e := c.e
	asJSON := c.Bool("json", false, "print the snapshot as JSON (schema in README, Scripting)")
	label := c.String("label", "", "the snapshot's label or name (required; the provider's rule: Linode 1–255 characters)")
	wait := c.Bool("wait", false, "wait until the snapshot is current and successful (exit 0) or failed (exit 1)")
	replace := c.Bool("replace", false, "overwrite a snapshot of the same name where that is how the provider works (Civo); --yes too")
	c.BoolVar(replace, "yes", false, "the same as --replace")
	disk := c.String("disk", "", "back up this one disk (its ID) rather than the whole resource, where the provider can (Superb Flex; a VM without incremental backups defaults to its primary disk)")
	w := waitFlags(c)
	return func(pos []string) int {
		if *label == "" {
			return e.fail(usageError{"--label is required"})
		}
		conn, ctx, end, err := w.session(c)
		if err != nil {
			return e.fail(err)
		}
		defer end()
		info := conn.p.Info()
		if !info.Caps.Has(model.CapSnapshot) {
			return e.fail(usageError{info.Title + " cannot take a snapshot"})
		} else if *disk != "" && !info.DiskTarget {
			return e.fail(usageError{"--disk: " + info.Title + " backs up a whole " + info.Noun + ", not one disk"})
		} else if v := info.ValidateName; v != nil {
			if err := v(*label); err != nil {
				return e.fail(usageError{"--label: " + err.Error()})
			}
		}
		r, err := resolve(ctx, conn.view(), pos[0])
		if err != nil {
			return e.fail(err)
		}
		if info.OverwritesByName && !*replace {
			// As the TUI asks, so must a script say it means to overwrite.
			bs, err := conn.p.ListBackups(ctx, r.ID)
			if err != nil {
				return e.fail(asked(conn.view(), "listing the snapshots of "+ref(r), err))
			}
			for _, b := range bs {
				if b.Kind == model.BackupSnapshot && b.Label == *label {
					conf, _ := model.ConfirmTakeSnapshot(info, model.Resource{Label: oneLine(r.Label)}, oneLine(*label), format.Timestamp(b.Created), false)
					return e.fail(usageError{conf.Refusal("overwriting", "--replace (or --yes)")})
				}
			}
		}
		if *disk == "" && r.DisksOnly && info.DiskTarget {
			// The whole resource would be refused (Superb Flex: 422
			// "Incremental backups are not enabled"): its primary disk is
			// what it can back up.
			dl, ok := conn.p.(client.DiskLister)
			if !ok {
				return e.fail(usageError{ref(r) + " can back up one disk only: name it with --disk ID"})
			}
			ds, err := dl.Disks(ctx, r.ID)
			if err != nil {
				return e.fail(asked(conn.view(), "listing the disks of "+ref(r), err))
			}
			if len(ds) == 0 {
				return e.fail(usageError{ref(r) + " can back up one disk only, and has no disk that can be backed up"})
			}
			*disk = ds[0].ID
			fmt.Fprintf(e.stderr, "snapdeck: %s cannot take a backup of the whole %s (incremental backups are not enabled for it): backing up disk %s %s instead (--disk ID chooses another)\n",
				ref(r), info.Noun, ds[0].ID, oneLine(ds[0].Label))
		}
		started := e.now()
		b, err := conn.p.(client.Actions).TakeSnapshot(ctx, r.ID, model.SnapshotRequest{Label: *label, DiskID: *disk})
		if err != nil {
			if client.Uncertain(err) {
				err = fmt.Errorf("%w (the snapshot may still have been started: see snapdeck backups %s)", err, r.ID)
			}
			return e.fail(asked(conn.view(), fmt.Sprintf("taking the snapshot %q of %s", *label, ref(r)), err))
		}
		show := func(b model.Backup) {
			j := toBackupJSON(conn.view(), r, b)
			if *asJSON {
				e.printJSON(j)
			} else {
				e.backupTable([]backupJSON{j})
			}
		}
		if !*wait {
			show(b)
			return exitOK
		}
		op := model.Operation{Kind: model.OpSnapshot, ResourceID: r.ID, Label: r.Label, Name: *label, BackupID: b.ID,
			Noun: info.BackupNoun, ResourceNoun: info.Noun, Started: started}
		v, err := waitJob(ctx, e, conn.p, op, *w.poll)
		err = asked(conn.view(), "following the "+op.Describe(), err)
		if err == nil && v.Backup != nil {
			show(*v.Backup)
		}
		return e.waitExit(v, err, *w.timeout)
	}
}

func defineRestore(c *cmdFlags) func(pos []string) int {
	e := c.e
	to := c.String("to", "", "the resource to restore onto, label or ID (required; may be the same one)")
	overwrite := c.Bool("overwrite", false, "erase the target's disks and configs first")
	yes := c.Bool("yes", false, "really do it (required)")
	wait := c.Bool("wait", false, "wait until the restore has finished (exit 0) or failed (exit 1)")
	w := waitFlags(c)
	return func(pos []string) int {
		if *to == "" {
			return e.fail(usageError{"restore needs --to <target> (label or ID; may be the resource itself)"})
		}
		if !*yes {
			// The same heading and consequence the TUI's confirm view draws.
			conf := model.ConfirmRestore(c.conn.providerInfo(e), "backup "+oneLine(pos[1]),
				model.Resource{Label: oneLine(pos[0])}, model.Resource{Label: oneLine(*to)}, *overwrite, "")
			return e.fail(usageError{conf.Refusal("restoring", "--yes")})
		}
		conn, ctx, end, err := w.session(c)
		if err != nil {
			return e.fail(err)
		}
		defer end()
		src, err := resolve(ctx, conn.view(), pos[0])
		if err != nil {
			return e.fail(err)
		}
		dst, err := resolve(ctx, conn.view(), *to)
		if err != nil {
			return e.fail(err)
		}
		op := model.Operation{Kind: model.OpRestore, ResourceID: src.ID, Label: src.Label, Name: pos[1], BackupID: pos[1],
			Noun: conn.p.Info().BackupNoun, ResourceNoun: conn.p.Info().Noun, TargetID: dst.ID, TargetLabel: dst.Label}
		if *wait {
			// Where the provider records restores on the backup, the one
			// before this must not pass for it.
			b, err := conn.p.GetBackup(ctx, src.ID, pos[1])
			if err != nil {
				return e.fail(asked(conn.view(), fmt.Sprintf("reading backup %s of %s", pos[1], ref(src)), err))
			}
			op.Name = b.Name()
			if b.LastRestore != nil {
				op.PrevRestore = b.LastRestore.Started
			}
		}
		op.Started = e.now()
		if err := conn.p.(client.Actions).RestoreBackup(ctx, src.ID, pos[1], dst.ID, *overwrite); err != nil {
			return e.fail(asked(conn.view(), fmt.Sprintf("restoring backup %s of %s onto %s", pos[1], ref(src), ref(dst)), uncertain(err, "the restore")))
		}
		fmt.Fprintf(e.stdout, "restore started: backup %s of %s (%s) onto %s (%s), overwrite %t\n",
			pos[1], oneLine(src.Label), src.ID, oneLine(dst.Label), dst.ID, *overwrite)
		if !*wait {
			return exitOK
		}
		v, err := waitJob(ctx, e, conn.p, op, *w.poll)
		err = asked(conn.view(), "following the "+op.Describe(), err)
		return e.waitExit(v, err, *w.timeout)
	}
}

// waitLimits are --poll and --timeout, the same for every command that
// may wait on a job.
type waitLimits struct{ poll, timeout *time.Duration }

// waitFlags adds --poll and --timeout.
func waitFlags(c *cmdFlags) waitLimits {
	return waitLimits{
		poll:    c.Duration("poll", 3*time.Second, "with --wait: how often the job's state is read"),
		timeout: c.Duration("timeout", 30*time.Minute, "the whole command, with --wait how long to wait in all; each request is also limited to 30s"),
	}
}

// session checks the limits and opens an audited session whose context
// ends with --timeout, each request limited to 30s within it.
func (w waitLimits) session(c *cmdFlags) (*conn, context.Context, func(), error) {
	if *w.poll <= 0 || *w.timeout <= 0 {
		return nil, nil, nil, usageError{"--poll and --timeout must be positive"}
	}
	c.conn.timeout = min(30*time.Second, *w.timeout)
	conn, ctx, end, err := c.conn.session(c.e, true)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, *w.timeout)
	return conn, ctx, func() { cancel(); end() }, nil
}

func defineCancelBackups(c *cmdFlags) func(pos []string) int {
	e := c.e
	yes := c.Bool("yes", false, "really do it (required)")
	return func(pos []string) int {
		if !*yes {
			conf := model.ConfirmCancelBackups(c.conn.providerInfo(e), model.Resource{Label: oneLine(pos[0])}, nil)
			return e.fail(usageError{conf.Refusal("cancelling", "--yes")})
		}
		conn, ctx, end, err := c.conn.session(e, true)
		if err != nil {
			return e.fail(err)
		}
		defer end()
		r, err := resolve(ctx, conn.view(), pos[0])
		if err != nil {
			return e.fail(err)
		}
		if err := conn.p.(client.Actions).CancelBackups(ctx, r.ID); err != nil {
			return e.fail(asked(conn.view(), "cancelling the backups of "+ref(r), uncertain(err, "the cancellation")))
		}
		fmt.Fprintf(e.stdout, "backups cancelled: %s (%s)\n", oneLine(r.Label), r.ID)
		return exitOK
	}
}

// providerInfo is the provider of the account a command acts on, for the
// wording of a refusal made before anything is sent: opening the accounts
// sends nothing and writes no audit line. It is the zero ProviderInfo (plain
// wording) when they cannot be opened; the command says why when run.
func (c *connFlags) providerInfo(e env) model.ProviderInfo {
	cn, err := c.connect(e, false)
	if err != nil {
		return model.ProviderInfo{}
	}
	defer cn.Close()
	return cn.p.Info()
}

func uncertain(err error, what string) error {
	if client.Uncertain(err) {
		return fmt.Errorf("%w (%s may still have been made: check before trying again)", err, what)
	}
	return err
}

// ref names a resource in a message: its label and ID.
func ref(r model.Resource) string {
	if r.Label == "" || r.Label == r.ID {
		return r.ID
	}
	return fmt.Sprintf("%s (%s)", oneLine(r.Label), r.ID)
}

// view is the account view the command acts on.
func (c *conn) view() target { return c.targets[c.start] }
