package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/prompt"
	"github.com/snapdeck/snapdeck/ui/status"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/table"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// Target is one view a Deck can show: one account, one of its providers
// (a Linode account has two: instances and Managed Databases).
type Target struct {
	Account    string
	Provider   client.Provider
	Production bool
	ReadOnly   bool
	// Preloaded is page 1 when the caller read it already.
	Preloaded *client.ResourcePage
}

// Deck is the root model when snapdeck opens several accounts: one App per
// target, a top bar naming the account and provider, `:` to jump between
// them with completion (as in k9s), and an overview of every account.
// Each App's commands are tagged with its index, so replies reach the App
// that asked even while another is on screen.
type Deck struct {
	apps     []*App
	targets  []Target
	cur      int
	overview bool
	ovCursor int
	prompt   prompt.Model // the `:` jump, open while jumping
	width    int
	height   int
	th       theme.Theme
	keys     keymap.KeyMap
	fatal    error
	status   status.Line
	ask      quitAsk // q's question while jobs are watched
	help     help.Model
	ovHelp   bool // the overview's help is open
	// unavailable are accounts that could not be opened, listed in the
	// overview with the reason.
	unavailable []Unavailable
	// jobLog is every account's job log; logSeen how much of it was
	// announced.
	jobLog  *store.JobLog
	logSeen int
}

// Unavailable is a configured account that could not be opened. Reason
// must not hold a secret; it is drawn as provider text (sanitised).
type Unavailable struct {
	Account, Provider, Reason string
}

// unavailableNamed finds the unavailable account q names (account or
// account/kind).
func (d *Deck) unavailableNamed(q string) (Unavailable, bool) {
	acct, _, _ := strings.Cut(strings.TrimSpace(q), "/")
	for _, u := range d.unavailable {
		if strings.EqualFold(u.Account, acct) {
			return u, true
		}
	}
	return Unavailable{}, false
}

// SetUnavailable lists accounts that could not be opened, so the overview
// shows them instead of silently dropping them.
func (d *Deck) SetUnavailable(u []Unavailable) {
	d.unavailable = append([]Unavailable(nil), u...)
}

// tagged carries an App's message back to it.
type tagged struct {
	i   int
	msg tea.Msg
}

// appQuit is an App asking to end the program (its token was rejected).
type appQuit struct{}

// NewDeck builds one App per target on the shared options o (Provider,
// Account, ReadOnly and Preloaded are taken from each target).
func NewDeck(o Options, targets []Target) *Deck {
	d := &Deck{targets: targets, width: 80, height: 24, th: theme.New(), keys: keymap.New(), help: help.New(), jobLog: &store.JobLog{}}
	for _, t := range targets {
		to := o
		to.Provider, to.Account, to.ReadOnly, to.Preloaded = t.Provider, t.Account, o.ReadOnly || t.ReadOnly, t.Preloaded
		to.Production = t.Production
		to.Jump = len(targets) > 1
		a := New(to)
		a.env.jobLog = d.jobLog // J shows every account's jobs
		d.apps = append(d.apps, a)
	}
	d.prompt = prompt.New(":", "account, account/kind or overview (tab completes)")
	return d
}

func tag(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		switch m := cmd().(type) {
		case nil:
			return nil
		case tea.BatchMsg:
			out := make(tea.BatchMsg, 0, len(m))
			for _, c := range m {
				if c != nil {
					out = append(out, tag(i, c))
				}
			}
			return out
		case tea.QuitMsg:
			return tagged{i, appQuit{}}
		default:
			return tagged{i, m}
		}
	}
}

// Init starts every account's first load, so the overview has counts.
func (d *Deck) Init() tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(d.apps))
	for i, a := range d.apps {
		cmds = append(cmds, tag(i, a.Init()))
	}
	return tea.Batch(cmds...)
}

// Fatal is the error that ended the program, if any.
func (d *Deck) Fatal() error { return d.fatal }

// Close ends every request of every account.
func (d *Deck) Close() {
	for _, a := range d.apps {
		a.Close()
	}
}

// Show puts target i on screen first (before the program starts).
func (d *Deck) Show(i int) {
	if i >= 0 && i < len(d.apps) {
		d.cur = i
	}
}

// Current is the App on screen.
func (d *Deck) Current() *App { return d.apps[d.cur] }

func (d *Deck) quit() tea.Cmd {
	d.Close()
	return tea.Quit
}

// askQuit quits, or first asks when jobs are still being watched.
func (d *Deck) askQuit() tea.Cmd {
	if d.ask.start(d.apps) {
		return d.quit()
	}
	return nil
}

// Update routes: tagged replies to their App, keys to the prompt, the
// overview or the App on screen.
func (d *Deck) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		d.width, d.height = m.Width, m.Height
		d.prompt.SetWidth(max(m.Width-2, 10))
		d.help.SetWidth(m.Width)
		cmds := make([]tea.Cmd, 0, len(d.apps))
		for i, a := range d.apps {
			_, cmd := a.Update(m)
			cmds = append(cmds, tag(i, cmd))
		}
		return d, tea.Batch(cmds...)
	case tagged:
		if m.i < 0 || m.i >= len(d.apps) {
			return d, nil
		}
		if _, ok := m.msg.(appQuit); ok {
			return d, d.appEnded(m.i)
		}
		_, cmd := d.apps[m.i].Update(m.msg)
		d.announceJobs()
		return d, tag(m.i, cmd)
	case tea.KeyPressMsg:
		return d, d.key(m)
	}
	_, cmd := d.apps[d.cur].Update(msg)
	return d, tag(d.cur, cmd)
}

// announceJobs says in the status line on screen how the jobs of other
// accounts ended (and of any account while the overview is open): the App
// on screen announces its own.
func (d *Deck) announceJobs() {
	for _, en := range d.jobLog.Since(d.logSeen) {
		if !en.Outcome || (!d.overview && en.View == d.name(d.cur)) {
			continue
		}
		line := en.View + ": " + en.Line
		if d.overview {
			d.status.Announce(line)
		} else {
			d.apps[d.cur].announce(line)
		}
	}
	d.logSeen = d.jobLog.Added()
}

// appEnded handles an App that quit by itself: with one account the
// program ends with its error; with several, the others carry on.
func (d *Deck) appEnded(i int) tea.Cmd {
	err := d.apps[i].Fatal()
	if len(d.apps) == 1 || err == nil {
		d.fatal = err
		return d.quit()
	}
	if err != nil {
		d.status.Announce("✗ " + d.name(i) + ": " + text.Err(err))
	}
	if i == d.cur {
		d.overview, d.ovCursor = true, i
	}
	return nil
}

func (d *Deck) key(m tea.KeyPressMsg) tea.Cmd {
	if key.Matches(m, d.keys.ForceQuit) {
		return d.quit()
	}
	if d.ask.asking {
		if d.ask.key(m, d.keys) {
			return d.quit()
		}
		return nil
	}
	if d.prompt.IsOpen() {
		return d.promptKey(m)
	}
	if d.overview {
		return d.overviewKey(m)
	}
	a := d.apps[d.cur]
	if !a.Capturing() {
		// q quits everything here, help open or not: an App must never
		// end alone, or its account would be left cancelled.
		switch {
		case key.Matches(m, d.keys.Jump):
			return d.openPrompt()
		case key.Matches(m, d.keys.Quit):
			return d.askQuit()
		}
	}
	_, cmd := a.Update(m)
	return tag(d.cur, cmd)
}

func (d *Deck) openPrompt() tea.Cmd {
	return d.prompt.Open()
}

// name is a target's jump name: account/kind.
func (d *Deck) name(i int) string {
	return d.apps[i].Name()
}

// views names the overview, then every target, for model.MatchView: the
// rule --account applies too.
func (d *Deck) views() []model.ViewRef {
	vs := []model.ViewRef{{Account: "overview", View: "overview"}}
	for i, t := range d.targets {
		vs = append(vs, model.ViewRef{Account: t.Account, View: d.name(i)})
	}
	return vs
}

// candidates are the jump names a query may mean, best first.
func (d *Deck) candidates(q string) []string {
	return model.MatchNames(d.views(), q)
}

// prefixed are the candidates that start with the query: what tab completes.
func (d *Deck) prefixed(q string) []string {
	var out []string
	for _, c := range d.candidates(q) {
		if strings.HasPrefix(strings.ToLower(c), strings.ToLower(strings.TrimSpace(q))) {
			out = append(out, c)
		}
	}
	return out
}

// resolve turns a query into a target index, -1 for the overview.
func (d *Deck) resolve(q string) (int, bool) {
	if strings.EqualFold(strings.TrimSpace(q), "o") {
		return -1, true
	}
	i, matched := model.MatchView(d.views(), q)
	if len(matched) != 1 {
		return 0, false
	}
	return i - 1, true // views()[0] is the overview
}

func (d *Deck) promptKey(m tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(m, d.keys.Back):
		d.prompt.Close()
		return nil
	case key.Matches(m, d.keys.Complete):
		d.prompt.Complete(d.prefixed(d.prompt.Value()))
		return nil
	case key.Matches(m, d.keys.Submit):
		if strings.TrimSpace(d.prompt.Value()) == "" {
			d.prompt.Close() // nothing asked: as esc
			return nil
		}
		if u, found := d.unavailableNamed(d.prompt.Value()); found {
			// Never a near match instead: say why it cannot be opened.
			d.prompt.SetHint(text.User(u.Account) + " is unavailable: " + text.User(u.Reason))
			return nil
		}
		i, ok := d.resolve(d.prompt.Value())
		if !ok {
			c := d.candidates(d.prompt.Value())
			if len(c) == 0 {
				d.prompt.SetHint("No account or view matches " + text.User(d.prompt.Value()))
			} else {
				d.prompt.SetHint("Which one? " + strings.Join(c, ", "))
			}
			return nil
		}
		d.prompt.Close()
		return d.jumpTo(i)
	}
	return d.prompt.Update(m)
}

// jumpTo shows target i, or the overview for -1.
func (d *Deck) jumpTo(i int) tea.Cmd {
	if i < 0 {
		d.overview, d.ovCursor, d.ovHelp = true, d.cur, false
		return nil
	}
	if d.apps[i].Fatal() != nil {
		d.status.Announce("✗ " + d.name(i) + " is unavailable: " + text.Err(d.apps[i].Fatal()))
		d.overview, d.ovCursor = true, i
		return nil
	}
	d.overview, d.cur = false, i
	d.status.Announce("")
	a := d.apps[i]
	// Rows may have been read while another account was on screen.
	_, cmd := a.Update(resumeMsg{})
	return tag(i, cmd)
}

func (d *Deck) overviewKey(m tea.KeyPressMsg) tea.Cmd {
	k := d.keys
	switch {
	case key.Matches(m, k.Jump):
		return d.openPrompt()
	case key.Matches(m, k.Quit):
		return d.askQuit()
	case key.Matches(m, k.Help):
		d.ovHelp = !d.ovHelp
	case d.ovHelp && key.Matches(m, k.Back):
		d.ovHelp = false
	case key.Matches(m, k.Up):
		d.ovCursor = max(d.ovCursor-1, 0)
	case key.Matches(m, k.Down):
		d.ovCursor = min(d.ovCursor+1, len(d.apps)-1)
	case key.Matches(m, k.Open):
		return d.jumpTo(d.ovCursor)
	case key.Matches(m, k.JobLog):
		// The log is every account's: open it over the last account shown.
		cmd := d.jumpTo(d.cur)
		_, open := d.apps[d.cur].Update(m)
		return tea.Batch(cmd, tag(d.cur, open))
	case key.Matches(m, k.Back):
		return d.jumpTo(d.cur)
	case key.Matches(m, k.Refresh):
		var cmds []tea.Cmd
		for i, a := range d.apps {
			cmds = append(cmds, tag(i, a.Refresh()))
		}
		return tea.Batch(cmds...)
	}
	return nil
}

// View draws the App on screen, or the overview, with the jump prompt in
// place of the footer while it is open.
func (d *Deck) View() tea.View {
	var body string
	if d.overview {
		body = d.renderOverview()
	} else {
		body = d.apps[d.cur].View().Content
	}
	if d.prompt.IsOpen() && d.width >= minWidth && d.height >= minHeight {
		lines := strings.Split(body, "\n")
		if len(lines) >= 2 {
			var cands []string
			if d.prompt.Hint() == "" {
				cands = d.candidates(d.prompt.Value())
			}
			lines[len(lines)-2], lines[len(lines)-1] = d.prompt.View(d.th, d.width, cands)
		}
		body = strings.Join(lines, "\n")
	}
	if d.ask.asking && d.width >= minWidth && d.height >= minHeight {
		body = d.ask.overlay(d.th, d.keys, d.apps, body, d.width, d.height)
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "snapdeck"
	return v
}

func (d *Deck) renderOverview() string {
	w, h := d.width, d.height
	if w < minWidth || h < minHeight {
		return text.Fit("Terminal too small", w) + "\n" + text.Fit("need 30×8", w)
	}
	th := d.th
	out := []string{text.Fit(th.Title.Render("snapdeck")+" "+th.Dim.Render(fmt.Sprintf("%d accounts", len(d.accounts())))+" › "+th.Crumb.Render("Overview"), w)}
	cols := []struct {
		t string
		w int
	}{{"ACCOUNT", 0}, {"PROVIDER", 26}, {"RESOURCES", 10}, {"VIOLATIONS", 15}, {"JOBS", 5}}
	names := make([]string, len(d.apps))
	longest := 0
	for i := range d.apps {
		names[i] = d.name(i)
		if d.targets[i].Production {
			names[i] += " " + th.Bad.Render("[prod]")
		}
		if d.apps[i].opts.ReadOnly {
			names[i] += " " + th.Warn.Render("[ro]")
		}
		longest = max(longest, ansi.StringWidth(names[i]))
	}
	for _, u := range d.unavailable {
		longest = max(longest, ansi.StringWidth(text.User(u.Account)))
	}
	fixed := 0
	for _, c := range cols[2:] {
		fixed += c.w + 1
	}
	// ACCOUNT and PROVIDER share what is left; a narrow screen cuts the
	// provider's name (the header names it once opened) before an account's.
	// A wide screen keeps the columns together: ACCOUNT is as wide as the
	// longest name, not the rest of the line.
	space := max(w-fixed-table.GutterWidth-1, 24)
	longest = max(longest, len("ACCOUNT"))
	cols[0].w = min(space-cols[1].w, longest)
	if cols[0].w < longest {
		cols[0].w = max(min(longest, space-12), 12)
		cols[1].w = space - cols[0].w
	}
	var hdr []string
	for _, c := range cols {
		hdr = append(hdr, text.Fit(c.t, c.w))
	}
	out = append(out, table.Gutter(th, false)+th.Header.Render(text.Fit(strings.Join(hdr, " "), w-table.GutterWidth)))
	for i, a := range d.apps {
		s := a.Summary()
		name := names[i]
		res, stale := "…", "…"
		staleStyle := th.Dim
		switch {
		case s.Err != nil:
			res, stale = th.Bad.Render("error"), ""
		case s.Loaded:
			res, stale = fmt.Sprint(s.Resources), theme.AgeText(fmt.Sprint(s.Violations), s.Violations > 0)
			if s.Unknown > 0 {
				stale += fmt.Sprintf(" +%d?", s.Unknown)
			}
			staleStyle = th.Good
			if s.Violations > 0 {
				staleStyle = th.Bad
			}
		}
		jobs := fmt.Sprint(s.Jobs)
		nameCell := text.Fit(name, cols[0].w)
		if i == d.ovCursor {
			nameCell = table.CursorLabel(th, nameCell)
		}
		row := table.Gutter(th, i == d.ovCursor) + nameCell + " " + text.Fit(s.Title, cols[1].w) + " " + text.Fit(res, cols[2].w) + " " +
			staleStyle.Render(text.Fit(stale, cols[3].w)) + " " + text.Fit(jobs, cols[4].w)
		out = append(out, text.Fit(row, w))
	}
	out = append(out, d.historyLines(cols[0].w, w)...)
	for _, u := range d.unavailable {
		rest := w - table.GutterWidth - cols[0].w - cols[1].w - 2
		out = append(out, text.Fit(table.Gutter(th, false)+text.Fit(text.User(u.Account), cols[0].w)+" "+text.Fit(text.User(u.Provider), cols[1].w)+" "+
			th.Bad.Render(text.Fit("unavailable: "+text.User(u.Reason), max(rest, 1))), w))
	}
	for i, a := range d.apps {
		if s := a.Summary(); s.Err != nil {
			out = append(out, "", th.ErrBox.Render(text.Fit("⚠ "+d.name(i)+": ", w)), text.Wrap(text.Err(s.Err), w))
		}
	}
	for _, u := range d.unavailable {
		out = append(out, "", th.ErrBox.Render(text.Fit("⚠ "+text.User(u.Account)+" is unavailable: ", w)), text.Wrap(text.User(u.Reason), w))
	}
	k := d.keys
	keys := keymap.Help{Short: []key.Binding{k.Open, k.Refresh, k.JobLog, k.Back}, Full: [][]key.Binding{{k.Up, k.Down}, {k.Open, k.Refresh, k.JobLog, k.Back}}}
	global := []key.Binding{k.Jump, k.Quit, k.Help}
	body := strings.Join(out[1:], "\n")
	if d.ovHelp {
		groups := append(keys.Full, append(global, k.ForceQuit))
		body = th.Label.Render("Keys — Overview") + "\n\n" + d.help.FullHelpView(groups) + "\n\n" +
			text.Wrap("VIOLATIONS  resources that break the backup policy (enter, then v, lists them); "+
				"+N? those not known yet, whose rule wants manual backups not read yet (b in the list reads them).", w)
	}
	body = text.Clip(body, w, h-3)
	footer := fitFooter(d.help, keymap.Footer(keys, []key.Binding{k.Up, k.Down}, global...), global[:2], k, w)
	if d.ovHelp {
		footer = []key.Binding{k.Jump, k.Quit, keymap.WithHelp(k.Help, "?/esc", "close help")}
	}
	return out[0] + "\n" + body + "\n" + text.Fit(d.status.View(th), w) + "\n" + text.Fit(d.help.ShortHelpView(footer), w)
}

// historyLines are the overview's backup history: per account view, the
// share of its resources with a good backup per UTC day (of those whose
// backups were read: "n of m known") and its worst resource, then the
// legend. A narrow screen shows fewer days.
func (d *Deck) historyLines(nameW, w int) []string {
	th := d.th
	days := min(model.HistoryDays, max(w-nameW-1-20, 1))
	now := time.Now()
	if len(d.apps) > 0 {
		now = d.apps[0].opts.Now()
	}
	out := []string{"", th.Header.Render(text.Fit(fmt.Sprintf("BACKUP HISTORY · good backups per day, %d days to %s UTC", days, now.UTC().Format("Jan 2")), w))}
	longest := 0
	for i := range d.apps {
		longest = max(longest, ansi.StringWidth(d.name(i)))
	}
	nameW = min(nameW, longest)
	// Each line's words after the strip, longest first: a narrow screen
	// says them shorter, every line alike, rather than cut a word.
	lead := make([]string, len(d.apps))
	forms := make([][]string, len(d.apps))
	form := 0
	for i, a := range d.apps {
		s := a.Summary()
		strip := theme.ShareStrip(make([]model.DayShare, days)) // nothing known yet
		if len(s.History) >= days {
			strip = theme.ShareStrip(s.History[len(s.History)-days:])
		}
		lead[i] = text.Fit(d.name(i), nameW) + " " + strip + " "
		long := th.Dim.Render(fmt.Sprintf("%d of %d known", s.Known, s.WithBackups))
		short := th.Dim.Render(fmt.Sprintf("%d/%d known", s.Known, s.WithBackups))
		forms[i] = []string{long, short, short}
		if s.Worst != "" {
			good, _ := model.HistoryScore(s.WorstDays)
			worst := th.Dim.Render(" · worst ") + s.Worst
			score := th.Dim.Render(fmt.Sprintf(" %d/%d good", good, len(s.WorstDays)))
			forms[i] = []string{long + worst + score, short + worst + score, short + worst}
		}
		room := w - ansi.StringWidth(lead[i])
		for form < len(forms[i])-1 && ansi.StringWidth(forms[i][form]) > room {
			form++
		}
	}
	for i := range d.apps {
		out = append(out, text.Fit(lead[i]+text.Fit(forms[i][form], w-ansi.StringWidth(lead[i])), w))
	}
	return append(out, text.Fit(theme.ShareLegend(), w))
}

// accounts lists the distinct account names.
func (d *Deck) accounts() []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range d.targets {
		if !seen[t.Account] {
			seen[t.Account] = true
			out = append(out, t.Account)
		}
	}
	for _, u := range d.unavailable {
		if !seen[u.Account] {
			seen[u.Account] = true
			out = append(out, u.Account)
		}
	}
	sort.Strings(out)
	return out
}
