// Package ui is snapdeck's Bubble Tea program: a root model that owns the
// window size, keymap, theme and a navigation stack of screens. Screens ask
// the client layer for data only through tea.Cmds, and replies carry the ID
// of the request they answer so that stale replies are dropped.
package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/status"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// Options configure the program.
type Options struct {
	Provider client.Provider
	// Account names the account in the top bar ("demo", "default").
	Account string
	// Now is the clock; tests pin it. Defaults to time.Now.
	Now func() time.Time
	// Timeout bounds each request. Defaults to 30s.
	Timeout time.Duration
	// Preloaded is page 1 of the resource list when the caller already read
	// it (to check the token before taking over the terminal).
	Preloaded *client.ResourcePage
	// Parallel bounds concurrent requests. Defaults to client.MaxParallel.
	Parallel int
	// ReadOnly hides every action; the client layer refuses them too.
	ReadOnly bool
	// PollEvery is how often running snapshots and restores are checked.
	// Defaults to 3s.
	PollEvery time.Duration
	// AuditPath is where actions are logged, shown in the help.
	AuditPath string
	// Production marks an account whose mistakes cost most: its top bar is
	// drawn in red with a PRODUCTION badge.
	Production bool
	// Jump says a Deck holds this App, so `:` switches account.
	Jump bool
	// Policy is the backup policy rows are judged by; the zero Policy is
	// the built-in rule.
	Policy model.Policy
	// PanicKey makes ctrl+\ panic, so that tests can check what a crash
	// report shows and that the terminal is restored.
	PanicKey bool
}

// screen is one level of the navigation stack.
type screen interface {
	// title is the breadcrumb segment.
	title() string
	// update handles a key or a message; data messages for other screens
	// must be ignored.
	update(e *env, msg tea.Msg) tea.Cmd
	// view draws the body in w×h cells.
	view(e *env, w, h int) string
	// keys lists the bindings that work here now.
	keys(e *env) keymap.Help
	// busy reports whether the screen waits on a request (spinner).
	busy() bool
	// close cancels the screen's requests when it leaves the stack.
	close()
	// capturing reports whether keys go to a text field (q is then text).
	capturing() bool
}

// App is the root model.
type App struct {
	opts   Options
	keys   keymap.KeyMap
	th     theme.Theme
	help   help.Model
	spin   spinner.Model
	stack  []screen
	width  int
	height int

	showHelp bool
	ask      quitAsk // q's question while jobs are watched
	spinning bool
	status   status.Line

	nextReq int
	sem     chan struct{}
	fatal   error
	// root ends every request when the program quits: a reply nobody will
	// read must not keep a connection (or an API call) open.
	root context.Context
	stop context.CancelFunc
	// refreshAt is when the user asked for a refresh, while the key is
	// handled: the reads it starts want data read after it (a provider
	// shared by several sessions must not answer with an older read).
	refreshAt time.Time

	info      model.ProviderInfo
	actions   client.Actions // nil when the provider cannot act
	testPanic bool           // see Options.PanicKey
	// store is the account's data: screens read it, the root writes it,
	// acct reads it in.
	store *store.Store
	acct  *account
	// env is what the screens get of the App.
	env     *env
	ticking bool
	clip    text.Clipper // the body's lines, fitted, from the last frame
}

// Fatal is the error that ended the program, if any: a rejected token is not
// something a retry key can fix, so the program quits and the caller prints it.
func (a *App) Fatal() error { return a.fatal }

// New builds the root model on a provider.
func New(o Options) *App {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Parallel <= 0 {
		o.Parallel = client.MaxParallel
	}
	if client.IsReadOnly(o.Provider) {
		o.ReadOnly = true // the client refuses anyway; hide what it would refuse
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 3 * time.Second
	}
	a := &App{
		opts:   o,
		keys:   keymap.New(),
		th:     theme.New(),
		help:   help.New(),
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:  80,
		height: 24,
		sem:    make(chan struct{}, o.Parallel),
	}
	if act, ok := o.Provider.(client.Actions); ok {
		a.actions = act
	}
	a.info = o.Provider.Info()
	a.keys.Snapshot.SetHelp("s", a.info.BackupNoun)
	a.testPanic = o.PanicKey
	a.root, a.stop = context.WithCancel(context.Background())
	a.store = store.New()
	a.store.SetClock(o.Now)
	a.acct = &account{st: a.store, p: o.Provider, plural: a.info.Plural, call: a.call, request: a.request, announce: a.announce, preloaded: o.Preloaded}
	a.env = &env{keys: a.keys, th: a.th, info: a.info, actions: a.actions, p: o.Provider, now: o.Now,
		readOnly: o.ReadOnly, production: o.Production, account: o.Account, policy: o.Policy, store: a.store, jobLog: &store.JobLog{}, acct: a.acct, root: a}
	a.acct.violations = func() int { return a.Summary().Violations }
	a.stack = []screen{newInstances(a.env)}
	return a
}

// Summary is what the overview shows of one account view.
type Summary struct {
	Loaded    bool
	Resources int
	// Violations are the resources known to break their backup policy
	// rule; Unknown those whose rule needs backups not read yet.
	Violations, Unknown int
	Jobs                int
	Err                 error
	Title               string // the provider's name for itself: "Linode", "Civo"
	ReadOnly            bool
	// History is, per day of the last model.HistoryDays, how many of the
	// resources whose backups were read had a good backup that day.
	History []model.DayShare
	// Known of the WithBackups resources whose backup service is on have
	// had their backups read; History and Worst are over those.
	Known, WithBackups int
	// Worst is the label of the known resource with the fewest good days
	// (then the most failed), and WorstDays its history; "" when none is
	// known.
	Worst     string
	WorstDays []model.Day
}

// Summary reports the App's account at a glance.
func (a *App) Summary() Summary {
	st := a.store
	s := Summary{Loaded: st.Loaded(), Resources: len(st.Resources()), Jobs: len(st.ActiveJobs()), Err: st.Err(),
		Title: a.info.Title, ReadOnly: a.opts.ReadOnly}
	if a.fatal != nil {
		s.Err = a.fatal
	}
	now := a.opts.Now()
	var hs [][]model.Day
	var labels []string
	for _, r := range st.Resources() {
		switch v := a.env.verdict(r, now); {
		case v.Violated():
			s.Violations++
		case v.Unknown:
			s.Unknown++
		}
		if !r.BackupsEnabled {
			continue // the share is over resources whose service is on
		}
		s.WithBackups++
		if st.HistoryKnown(r.ID) {
			hs = append(hs, st.History(r.ID, model.HistoryDays))
			labels = append(labels, r.Label)
		}
	}
	s.Known = len(hs)
	s.History = model.FleetHistory(hs)
	if w := model.WorstHistory(hs); w >= 0 {
		s.Worst, s.WorstDays = labels[w], hs[w]
	}
	return s
}

// Name is the App's jump name in a Deck: account/kind.
func (a *App) Name() string { return a.info.ViewName(a.opts.Account) }

// Capturing reports whether keys go to a text field (q is then text).
func (a *App) Capturing() bool { return a.top().capturing() }

// Refresh starts a new listing of the account, unless one is in flight.
func (a *App) Refresh() tea.Cmd {
	if a.store.Pending() > 0 {
		return nil
	}
	defer a.refreshing()()
	return a.loadList()
}

// refreshing marks the reads started until the returned func is called as
// an explicit refresh's (see client.ReadAfter).
func (a *App) refreshing() (done func()) {
	a.refreshAt = time.Now()
	return func() { a.refreshAt = time.Time{} }
}

// fresh marks ctx with the refresh being handled, if any.
func (a *App) fresh(ctx context.Context) context.Context {
	if a.refreshAt.IsZero() {
		return ctx
	}
	return client.ReadAfter(ctx, a.refreshAt)
}

// Init starts the first load.
func (a *App) Init() tea.Cmd {
	return tea.Batch(a.loadList(), a.startSpinner())
}

// listedMsg tells the screens that the store's listing may have changed.
type listedMsg struct{}

// resumeMsg tells the top screen that its App is back on screen (a Deck
// showed another account meanwhile).
type resumeMsg struct{}

// loadList starts a new listing of the account.
func (a *App) loadList() tea.Cmd {
	return tea.Batch(a.acct.load(a.fresh(context.Background())), a.broadcast(listedMsg{}))
}

// broadcast hands msg to every screen on the stack; each keeps what is its own.
func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(a.stack))
	for _, s := range a.stack {
		cmds = append(cmds, s.update(a.env, msg))
	}
	return tea.Batch(cmds...)
}

func (a *App) top() screen { return a.stack[len(a.stack)-1] }

// reqID hands out request IDs so that replies can be matched to requests.
func (a *App) reqID() int {
	a.nextReq++
	return a.nextReq
}

// call runs fn in a tea.Cmd under the concurrency bound and the timeout.
func (a *App) call(ctx context.Context, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	ctx = a.fresh(ctx)
	return func() tea.Msg { return a.request(ctx, fn) }
}

// request runs fn now under the concurrency bound and the timeout: call's
// work, for code already off the event loop (the listing's loader).
func (a *App) request(ctx context.Context, fn func(ctx context.Context) tea.Msg) tea.Msg {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(a.root, cancel)()
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return fn(ctx) // reports the cancellation through fn's own error path
	}
	defer func() { <-a.sem }()
	cctx, cancel := context.WithTimeout(ctx, a.opts.Timeout)
	defer cancel()
	return fn(cctx)
}

// Close cancels every request still out. The program calls it on quitting;
// a caller that ends the program another way should call it too.
func (a *App) Close() {
	a.stop()
	a.acct.close()
	for _, s := range a.stack {
		s.close()
	}
}

// quit ends the program, and with it every request.
func (a *App) quit() tea.Cmd {
	a.Close()
	return tea.Quit
}

func (a *App) push(s screen, cmd tea.Cmd) tea.Cmd {
	// The fleet scan serves the list; leaving the list stops it.
	a.acct.stopScan()
	a.stack = append(a.stack, s)
	a.showHelp = false
	return tea.Batch(cmd, a.startSpinner())
}

func (a *App) pop() {
	if len(a.stack) <= 1 {
		return
	}
	a.top().close()
	a.stack = a.stack[:len(a.stack)-1]
	a.showHelp = false
}

func (a *App) announce(s string) { a.status.Announce(s) }

func (a *App) anyBusy() bool {
	if a.acct.busy() {
		return true
	}
	for _, s := range a.stack {
		if s.busy() {
			return true
		}
	}
	return false
}

func (a *App) startSpinner() tea.Cmd {
	if a.spinning || !a.anyBusy() {
		return nil
	}
	a.spinning = true
	return a.spin.Tick
}

// Update routes messages: global keys first, then the top screen; data
// messages go to every screen on the stack, each keeping only its own.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.help.SetWidth(msg.Width)
		return a, a.top().update(a.env, msg) // more rows may be on screen now
	case resumeMsg:
		return a, a.top().update(a.env, msg)
	case pageMsg:
		cmd, fatal := a.acct.onPage(msg)
		if fatal != nil {
			a.fatal = fatal
			return a, a.quit()
		}
		return a, tea.Batch(cmd, a.broadcast(listedMsg{}), a.startSpinner())
	case scanMsg:
		cmd := a.acct.onScan(msg)
		a.tell(msg) // a row the scan proves passing leaves `v`
		return a, tea.Batch(cmd, a.startSpinner())
	case summaryMsg:
		a.acct.onSummary(msg) // and on to the screens: more rows may want reading
	case jobTickMsg:
		return a, a.onJobTick()
	case jobPollMsg:
		return a, a.onJobPoll(msg)
	case rereadMsg:
		a.onReread(msg)
		return a, nil
	case spinner.TickMsg:
		if !a.anyBusy() {
			a.spinning = false
			return a, nil
		}
		var cmd tea.Cmd
		a.spin, cmd = a.spin.Update(msg)
		return a, cmd
	case tea.KeyPressMsg:
		if key.Matches(msg, a.keys.ForceQuit) {
			return a, a.quit()
		}
		if a.testPanic && key.Matches(msg, a.keys.TestPanic) {
			panic("snapdeck: test panic (SNAPDECK_TEST_PANIC)")
		}
		if a.ask.asking {
			if a.ask.key(msg, a.keys) {
				return a, a.quit()
			}
			return a, nil
		}
		if !a.top().capturing() {
			switch {
			case key.Matches(msg, a.keys.Quit):
				if a.ask.start([]*App{a}) {
					return a, a.quit()
				}
				return a, nil
			case key.Matches(msg, a.keys.Help):
				a.showHelp = !a.showHelp
				return a, nil
			case a.showHelp && key.Matches(msg, a.keys.Back):
				a.showHelp = false
				return a, nil
			case key.Matches(msg, a.keys.JobLog):
				if _, open := a.top().(*jobLogScreen); !open {
					return a, a.push(&jobLogScreen{}, nil)
				}
				return a, nil
			}
		}
		if key.Matches(msg, a.keys.Refresh) {
			defer a.refreshing()()
		}
		cmd := a.top().update(a.env, msg)
		return a, tea.Batch(cmd, a.startSpinner())
	}
	return a, tea.Batch(a.broadcast(msg), a.startSpinner())
}

const (
	minWidth  = 30
	minHeight = 8
)

// View draws header, body, status line and footer.
func (a *App) View() tea.View {
	body := a.render()
	if a.ask.asking && a.width >= minWidth && a.height >= minHeight {
		body = a.ask.overlay(a.th, a.keys, []*App{a}, body, a.width, a.height)
	}
	v := tea.NewView(body)
	v.AltScreen = true
	v.WindowTitle = "snapdeck"
	return v
}

func (a *App) render() string {
	w, h := a.width, a.height
	if w < minWidth || h < minHeight {
		return text.Fit("Terminal too small", w) + "\n" + text.Fit("need 30×8", w)
	}
	var b strings.Builder
	b.WriteString(a.header(w))
	b.WriteByte('\n')
	bodyH := a.bodyHeight()
	var body string
	if a.showHelp {
		body = a.fullHelp(w, bodyH)
	} else {
		body = a.top().view(a.env, w, bodyH)
	}
	b.WriteString(a.clip.Clip(body, w, bodyH))
	b.WriteByte('\n')
	b.WriteString(text.Fit(a.statusLine(), w))
	b.WriteByte('\n')
	b.WriteString(text.Fit(a.help.ShortHelpView(a.footer(w)), w))
	return b.String()
}

// footer is every key that works in the view on top, as many as fit in w
// cells, then `? more` for the rest (in the help). While a text field
// takes the keys, q and ? are text, and the footer is the field's keys.
func (a *App) footer(w int) []key.Binding {
	top := a.top()
	if top.capturing() {
		return keymap.Footer(top.keys(a.env), nil)
	}
	global := a.globalKeys()
	if a.showHelp { // the help lists the view's keys; ? and esc close it
		return append(global[:len(global)-1:len(global)-1], keymap.WithHelp(a.keys.Help, "?/esc", "close help"))
	}
	// J (the job log) works everywhere too, but gives way before q, : and ?.
	return fitFooter(a.help, keymap.Footer(top.keys(a.env), append(a.navKeys(), a.keys.JobLog), global...), global[:len(global)-1], a.keys, w)
}

// navKeys are the movement keys, listed after the view's actions.
func (a *App) navKeys() []key.Binding {
	k := a.keys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}

// globalKeys work in every view that is not taking text: `:` (with
// several views), q and ? (last).
func (a *App) globalKeys() []key.Binding {
	var out []key.Binding
	if a.opts.Jump {
		out = append(out, a.keys.Jump)
	}
	return append(out, a.keys.Quit, a.keys.Help)
}

// fitFooter shortens bs to w cells as the help bubble draws them, keeping
// keep, with `? more` for the rest.
func fitFooter(h help.Model, bs, keep []key.Binding, k keymap.KeyMap, w int) []key.Binding {
	return keymap.Fit(bs, keep, keymap.WithHelp(k.Help, "?", "more"), w, lipgloss.Width, h.ShortSeparator)
}

// spinView is the spinner's frame.
func (a *App) spinView() string { return a.spin.View() }

// bodyHeight is the screen less the header, status and footer lines.
func (a *App) bodyHeight() int { return a.height - 3 }

// statusLine shows the jobs in flight and a running scan, then the last
// announcement.
func (a *App) statusLine() string {
	return a.status.View(a.th, a.jobLine(), a.acct.scanProgress())
}

func (a *App) header(w int) string {
	crumbs := make([]string, len(a.stack))
	for i, s := range a.stack {
		crumbs[i] = s.title()
	}
	acct := a.opts.Provider.Name()
	if a.opts.Account != "" {
		acct += " (" + a.opts.Account + ")"
	}
	if a.opts.Production {
		acct = theme.Production.Render(" PRODUCTION ") + " " + a.th.Bad.Render(acct)
	} else {
		acct = a.th.Dim.Render(acct)
	}
	if a.opts.ReadOnly {
		acct += " " + a.th.Warn.Render("[read-only]")
	}
	left := a.th.Title.Render("snapdeck") + " " + acct + " › " + a.th.Crumb.Render(strings.Join(crumbs, " › "))
	right := ""
	if a.anyBusy() {
		right = a.spin.View() + " loading"
	}
	return text.Fit(left+"  "+right, w)
}

func (a *App) fullHelp(w, h int) string {
	k := a.top().keys(a.env)
	groups := append([][]key.Binding{}, k.Full...)
	groups = append(groups, append(a.globalKeys(), a.keys.JobLog, a.keys.ForceQuit))
	out := a.th.Label.Render("Keys — "+a.top().title()) + "\n\n" + a.help.FullHelpView(groups)
	if n, ok := a.top().(noter); ok {
		out += "\n\n" + noteLines(a.th, n.notes(a.env), w)
	}
	switch {
	case a.opts.ReadOnly:
		out += "\n\n" + a.th.Dim.Render("Read-only mode: actions are hidden and refused.")
	case a.opts.AuditPath != "":
		out += "\n\n" + a.th.Dim.Render("Audit log: "+a.opts.AuditPath)
	}
	return out
}

// noter is a screen whose help explains its columns' short words.
type noter interface {
	notes(e *env) []keymap.Note
}

// noteLines lays out the help's legends: each title, then its items as
// many to a line as fit in w, an item never cut in two (one wider than
// the screen is cut by the clip).
func noteLines(th theme.Theme, notes []keymap.Note, w int) string {
	indent := 0
	for _, n := range notes {
		indent = max(indent, ansi.StringWidth(n.Title)+2)
	}
	var lines []string
	for _, n := range notes {
		line, lw := th.Label.Render(text.Fit(n.Title, indent)), indent
		for i, it := range n.Items {
			iw := ansi.StringWidth(it)
			if i > 0 && lw+2+iw > w {
				lines = append(lines, line)
				line, lw = strings.Repeat(" ", indent), indent
			} else if i > 0 {
				line, lw = line+"  ", lw+2
			}
			line, lw = line+it, lw+iw
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
