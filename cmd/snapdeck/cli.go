package main

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The command line is parsed by cobra (spf13/cobra, on spf13/pflag): it
// gives help on stdout, `help [command]`, suggestions for a mistyped
// command, and shell completions. What is snapdeck's own is here: every
// error is one line on stderr (exit 2), a mistyped flag gets a suggestion,
// durations take days, and --account completes the configured names.

// newRoot builds the command tree for one run; *code is the exit code a
// command's run sets.
func (e env) newRoot(code *int) *cobra.Command {
	root := &cobra.Command{
		Use:   "snapdeck [--demo] [flags]",
		Short: "browse and manage cloud backups",
		Long: "snapdeck is a terminal UI for browsing and managing cloud backups.\n\n" +
			"Without --demo, snapdeck opens the accounts of its config file (--config), else those whose variables are set:\n" +
			envHelp() + ".",
		SilenceErrors:              true,
		SilenceUsage:               true,
		DisableFlagsInUseLine:      true,
		SuggestionsMinimumDistance: 2,
		// A word that names no command is one line, with a suggestion.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return nil
		},
		ValidArgsFunction: cobra.NoFileCompletions,
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	tui := &cmdFlags{FlagSet: root.Flags(), name: "", e: e}
	runTUI := defineTUI(tui)
	tui.conn.completeAccounts(e, root)
	root.Run = func(*cobra.Command, []string) { *code = runTUI(nil) }
	root.SetFlagErrorFunc(flagError)
	for _, def := range commands {
		root.AddCommand(e.subcommand(def, code))
	}
	// `completion SHELL` for a shell it has no script for is one line too.
	root.InitDefaultCompletionCmd()
	if cc, _, err := root.Find([]string{"completion"}); err == nil && cc != root {
		cc.SuggestionsMinimumDistance = 2
		cc.Args = cobra.ArbitraryArgs
		cc.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("no completion script for %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += " (did you mean " + orList(s) + "?)"
			}
			return usageError{msg + "; snapdeck has them for bash, zsh, fish and powershell"}
		}
	}
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [command]",
		Short: "show the help of snapdeck or of one command",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{"help takes at most one command"}
			}
			if len(args) == 1 {
				if c, rest, err := root.Find(args); err != nil || c == root || len(rest) > 0 {
					return unknownCommand(root, args[0])
				}
			}
			return nil
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			for _, c := range root.Commands() {
				if c.IsAvailableCommand() && strings.HasPrefix(c.Name(), toComplete) && len(args) == 0 {
					out = append(out, cobra.CompletionWithDesc(c.Name(), c.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			target, _, _ := root.Find(args)
			return target.Help()
		},
	})
	return root
}

// subcommand is def as a cobra command: its flags are defined on the
// command's own flag set, and its run checks the positional arguments.
func (e env) subcommand(def command, code *int) *cobra.Command {
	cc := &cobra.Command{
		Use:                   def.name + " " + def.args,
		Short:                 def.summary,
		DisableFlagsInUseLine: true,
		ValidArgsFunction:     cobra.NoFileCompletions,
	}
	cc.Long = strings.ToUpper(def.summary[:1]) + def.summary[1:] + "."
	if def.shared != noConn {
		cc.Long += "\nActs on the first account of the config file or environment, or the one --account names."
	}
	c := newCmdOn(e, def.name, def.shared, cc.Flags())
	body := def.define(c)
	if c.conn != nil {
		c.conn.completeAccounts(e, cc)
	}
	if def.complete != nil {
		def.complete(cc)
	}
	cc.SetFlagErrorFunc(flagError)
	cc.Run = func(_ *cobra.Command, args []string) {
		if err := c.checkArgs(args, def.nargs, def.names); err != nil {
			*code = e.fail(err)
			return
		}
		*code = body(args)
	}
	return cc
}

// run parses args and runs the command they name, or the TUI.
func (e env) run(args []string) int {
	code := exitOK
	root := e.newRoot(&code)
	root.SetArgs(longFlags(root, args))
	if _, err := root.ExecuteC(); err != nil {
		var u usageError
		if !errors.As(err, &u) {
			err = usageError{err.Error()}
		}
		return e.fail(err)
	}
	return code
}

// unknownCommand is one line naming the word, and what it may have meant.
func unknownCommand(root *cobra.Command, word string) error {
	msg := fmt.Sprintf("unknown command %q", word)
	if s := root.SuggestionsFor(word); len(s) > 0 {
		msg += " (did you mean " + orList(s) + "?)"
	}
	return usageError{msg + "; see snapdeck help"}
}

// flagError turns pflag's errors into one line that says which command's
// flags were read, suggests the flag meant and, for a bad value, what
// would do.
func flagError(cmd *cobra.Command, err error) error {
	see := fmt.Sprintf("see %s --help", cmd.CommandPath())
	var notExist *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &notExist):
		name := notExist.GetSpecifiedName()
		if short := notExist.GetSpecifiedShortnames(); short != "" {
			return usageError{fmt.Sprintf("unknown flag -%s in -%s for %s; %s", name, short, cmd.CommandPath(), see)}
		}
		msg := fmt.Sprintf("unknown flag --%s for %s", name, cmd.CommandPath())
		if s := similarFlags(cmd.Flags(), name); len(s) > 0 {
			msg += " (did you mean " + orList(s) + "?)"
		}
		return usageError{msg + "; " + see}
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		cause := err
		if u := errors.Unwrap(err); u != nil {
			cause = u
		}
		return usageError{fmt.Sprintf("--%s %q: %v", f.Name, invalid.GetValue(), cause)}
	}
	return usageError{fmt.Sprintf("%v (%s)", err, see)}
}

// similarFlags are the flags of fs that name may have meant: one with it
// as a prefix, else those a couple of edits away.
func similarFlags(fs *pflag.FlagSet, name string) []string {
	var prefix, near []string
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		switch {
		case strings.HasPrefix(f.Name, name):
			prefix = append(prefix, "--"+f.Name)
		case editDistance(strings.ToLower(name), f.Name) <= max(1, min(2, len(name)/3)):
			near = append(near, "--"+f.Name)
		}
	})
	if len(prefix) > 0 {
		return prefix
	}
	return near
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// orList is "a", "a or b", "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// longFlag is a one-dash long flag as the standard flag package took it
// (-json, -max-age=2d).
var longFlag = regexp.MustCompile(`^-([a-z][a-z0-9-]+)(=.*)?$`)

// longFlags rewrites -name to --name, as snapdeck accepted it before it
// used pflag, for every name that is a long flag of some command. A value
// that follows a flag that takes one is left as it is, and so is
// everything after "--".
func longFlags(root *cobra.Command, args []string) []string {
	takesValue := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) { takesValue[f.Name] = f.NoOptDefVal == "" })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, hasValue := "", false
		if m := longFlag.FindStringSubmatch(a); m != nil {
			if _, known := takesValue[m[1]]; known {
				a = "-" + a
			}
		}
		if strings.HasPrefix(a, "--") {
			name, _, hasValue = strings.Cut(a[2:], "=")
		}
		out = append(out, a)
		if name != "" && !hasValue && takesValue[name] && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// dayDuration is a flag's time.Duration that also takes days: 2d, 1d12h.
type dayDuration struct{ d *time.Duration }

func (v dayDuration) String() string {
	if v.d == nil {
		return "0s"
	}
	return v.d.String()
}

func (v dayDuration) Type() string { return "duration" }

func (v dayDuration) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

// days is a leading count of days: "2d", "1d12h".
var days = regexp.MustCompile(`^([0-9]+)d(.*)$`)

// parseDuration is time.ParseDuration that also takes a leading count of
// days (24h each), and says what would do when s is not a duration.
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("not a duration: use a number and a unit, e.g. 90s, 15m, 48h, 2d or 1d12h")
	t := strings.TrimSpace(s)
	var d time.Duration
	if m := days.FindStringSubmatch(t); m != nil {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > int64(1<<63-1)/int64(24*time.Hour) {
			return 0, bad
		}
		d = time.Duration(n) * 24 * time.Hour
		if t = m[2]; t == "" {
			return d, nil
		}
	}
	rest, err := time.ParseDuration(t)
	if err != nil || (d > 0 && rest < 0) {
		return 0, bad
	}
	if sum := d + rest; sum >= d {
		return sum, nil
	}
	return 0, bad
}

// durationVar defines a duration flag that takes days.
func durationVar(fs *pflag.FlagSet, p *time.Duration, name string, value time.Duration, usage string) {
	*p = value
	fs.Var(dayDuration{p}, name, usage)
}

// completeAccounts makes --account complete the account names and views
// the flags so far open (--demo's, the config file's or the environment's).
// Opening them sends nothing.
func (c *connFlags) completeAccounts(e env, cc *cobra.Command) {
	_ = cc.RegisterFlagCompletionFunc("account", func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		// An account that cannot be opened (a variable not set) is still
		// named, with its views when it can be.
		ts, bad, err := c.targets(e)
		names := viewNames(ts)
		for _, b := range bad {
			names = append(names, b.account)
		}
		if err != nil {
			accts, _ := c.accounts(e)
			for _, a := range accts {
				names = append(names, a.Name)
			}
		}
		var out []cobra.Completion
		for _, name := range names {
			if strings.HasPrefix(strings.ToLower(name), strings.ToLower(toComplete)) {
				out = append(out, name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}
