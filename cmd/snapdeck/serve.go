package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/config"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui"
)

// Keys of the values the bastion keeps in a connection's context.
type ctxKey string

const (
	ctxRole  ctxKey = "snapdeck-role"
	ctxName  ctxKey = "snapdeck-key-name"
	ctxAccts ctxKey = "snapdeck-key-accounts"
	ctxApp   ctxKey = "snapdeck-app"
	ctxTerm  ctxKey = "snapdeck-term"
)

// bastion serves the TUI over SSH, one ui.App per session, all on one
// provider built once: credentials stay on the server.
type bastion struct {
	idle     time.Duration // without a key press
	srv      *ssh.Server
	targets  []target     // every account view, unwrapped: each session wraps its own
	policy   model.Policy // the backup policy every session judges rows by
	audit    *client.AuditLog
	account  string
	keysPath string
	timeout  time.Duration
	poll     time.Duration
	max      int

	mu       sync.Mutex
	active   int
	programs map[*tea.Program]struct{}
	logw     io.Writer

	// watchSize, when set (by tests), sees every size a session's model
	// is given.
	watchSize func(w, h int)
}

type serveConfig struct {
	hostKey, authorizedKeys string
	maxSessions             int
	idleTimeout             time.Duration
	poll                    time.Duration
	// private, set by tests: each session reads on its own, as before
	// reads were shared (the benchmark's baseline). fresh, when not 0,
	// replaces client.DefaultFresh.
	private bool
	fresh   time.Duration
}

// newBastion builds the provider, opens the audit log, checks the keys and
// returns a server ready to Serve. Close the audit log with close.
func newBastion(e env, cf *connFlags, sc serveConfig) (*bastion, error) {
	if sc.authorizedKeys == "" {
		return nil, usageError{"serve needs --authorized-keys (an OpenSSH authorized_keys file with roles; see README)"}
	}
	if sc.hostKey == "" {
		return nil, usageError{"serve needs --host-key (a path; a new key is written there when missing)"}
	}
	if sc.maxSessions < 1 {
		return nil, usageError{"--max-sessions must be at least 1"}
	}
	keys, err := loadAuthorizedKeys(sc.authorizedKeys)
	if err != nil {
		return nil, err
	}
	hostPEM, created, err := ensureHostKey(sc.hostKey)
	if err != nil {
		return nil, err
	}
	fingerprint, err := hostKeyFingerprint(hostPEM)
	if err != nil {
		return nil, err
	}
	c, err := cf.connect(e, false) // the audit wrapper is per session, naming who acted
	if err != nil {
		return nil, err
	}
	for _, u := range c.unopened {
		fmt.Fprintln(e.stderr, "snapdeck serve: skipping:", u.err)
	}
	if err := checkKeyAccounts(keys, c.targets, sc.authorizedKeys); err != nil {
		return nil, err
	}
	if !sc.private {
		shareReads(c.targets, cmp.Or(sc.fresh, client.DefaultFresh))
	}
	audit, err := client.OpenAuditLog(cf.auditPath)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "audit log") {
			err = fmt.Errorf("audit log: %w", err)
		}
		return nil, err
	}
	b := &bastion{
		idle: sc.idleTimeout, targets: c.targets, policy: c.policy, audit: audit, account: strings.Join(accountsOf(c.targets), ", "), keysPath: sc.authorizedKeys,
		timeout: cf.timeout, poll: sc.poll, max: sc.maxSessions, logw: e.stderr,
		programs: map[*tea.Program]struct{}{},
	}
	if created {
		b.logf("host key %s generated at %s: tell your users to expect it when ssh asks", fingerprint, sc.hostKey)
	} else {
		b.logf("host key %s (%s)", fingerprint, sc.hostKey)
	}
	if len(keys) == 0 {
		// The file is read afresh for every connection, so this is a
		// warning, not a refusal to start: keys can be added while it runs.
		b.logf("warning: %s has no usable key: every connection is refused until one is added", sc.authorizedKeys)
	}
	srv, err := wish.NewServer(
		wish.WithHostKeyPEM(hostPEM),
		wish.WithPublicKeyAuth(b.authorize),
		// The session's own check (no key press for idleTimeout) speaks
		// first; this one only drops connections that went silent.
		wish.WithIdleTimeout(transportIdle(sc.idleTimeout)),
		// Last listed runs first: the session checks wrap the program.
		wish.WithMiddleware(b.run, b.session),
		func(s *ssh.Server) error {
			s.Version = "snapdeck"
			// Only an interactive shell: no exec, no subsystems (sftp).
			// Port forwarding stays off (nil callbacks deny it); agent
			// and X11 forwarding and env are refused by sessionChannel,
			// which every session request passes through.
			s.SessionRequestCallback = func(_ ssh.Session, req string) bool { return req == "shell" }
			s.ChannelHandlers = map[string]ssh.ChannelHandler{"session": b.sessionChannel}
			return nil
		},
	)
	if err != nil {
		_ = audit.Close()
		return nil, err
	}
	b.srv = srv
	return b, nil
}

func (b *bastion) close() { _ = b.audit.Close() }

// shareReads puts the views of each account over one client.ReadCache, so
// that the sessions reading an account share its reads: ten people opening
// the same list cost one read. Each view keeps the one provider (and its
// Pacer) it was opened with, shared by every session already.
func shareReads(ts []target, fresh time.Duration) {
	caches := map[string]*client.ReadCache{}
	for i, t := range ts {
		rc := caches[t.account]
		if rc == nil {
			rc = client.NewReadCache(fresh)
			caches[t.account] = rc
		}
		ts[i].p = client.Shared(t.p, rc)
	}
}

// logf writes one line to the server's log. Every text argument (a
// string, an error, a Stringer) goes through logText, so that what a client
// sent (its user name above all, which anyone can choose before any key is
// checked) can neither break the line nor reach the operator's terminal as
// an escape sequence.
func (b *bastion) logf(format string, args ...any) {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			args[i] = logText(v)
		case error:
			args[i] = logText(v.Error())
		case fmt.Stringer:
			args[i] = logText(v.String())
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.logw, "snapdeck serve: "+format+"\n", args...)
}

// authorize admits a key listed in the authorized keys file, read afresh
// each time so that edits take effect without a restart.
func (b *bastion) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	keys, err := loadAuthorizedKeys(b.keysPath)
	if err != nil {
		b.logf("refusing %s: %v", ctx.RemoteAddr(), err)
		return false
	}
	for _, k := range keys {
		if ssh.KeysEqual(key, k.key) {
			ctx.SetValue(ctxRole, k.role)
			ctx.SetValue(ctxName, k.name)
			ctx.SetValue(ctxAccts, k.accounts)
			return true
		}
	}
	b.logf("refused unknown key %s for %s from %s", gossh.FingerprintSHA256(key), ctx.User(), ctx.RemoteAddr())
	return false
}

// session refuses what the bastion does not serve, enforces the session
// limit, and builds the session's App on the role's provider.
func (b *bastion) session(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		if _, _, ok := s.Pty(); !ok {
			fmt.Fprintln(s.Stderr(), "snapdeck: needs a terminal; connect with ssh -t")
			_ = s.Exit(1)
			return
		}
		b.mu.Lock()
		full := b.active >= b.max
		if !full {
			b.active++
		}
		b.mu.Unlock()
		if full {
			fmt.Fprintf(s, "snapdeck: all %d sessions are in use; try again later\n", b.max)
			_ = s.Exit(1)
			return
		}
		defer func() {
			b.mu.Lock()
			b.active--
			b.mu.Unlock()
		}()
		role, _ := s.Context().Value(ctxRole).(string)
		name, _ := s.Context().Value(ctxName).(string)
		fp := ""
		if k := s.PublicKey(); k != nil {
			fp = gossh.FingerprintSHA256(k)
		}
		who := map[string]string{"ssh_user": s.User(), "key": fp, "remote": s.RemoteAddr().String(), "role": role}
		allowed, _ := s.Context().Value(ctxAccts).([]string)
		var targets []ui.Target
		for _, t := range b.targets {
			if !allows(allowed, t.account) {
				continue
			}
			p := t.p
			if role != roleOperator && !t.readOnly {
				p = client.ReadOnly(p)
			}
			p = client.AuditedAs(p, b.audit, t.account, who)
			targets = append(targets, ui.Target{Account: t.account, Provider: p, Production: t.production,
				ReadOnly: role != roleOperator || t.readOnly})
		}
		if len(targets) == 0 {
			fmt.Fprintln(s, "snapdeck: none of this key's accounts is served here")
			_ = s.Exit(1)
			return
		}
		app := &sessionModel{Deck: ui.NewDeck(ui.Options{Timeout: b.timeout, PollEvery: b.poll, AuditPath: b.audit.Path(), Policy: b.policy}, targets),
			idle: b.idle, lastKey: time.Now(), watchSize: b.watchSize}
		s.Context().SetValue(ctxApp, app)
		b.logf("session start user=%s key=%s (%s) role=%s remote=%s", s.User(), fp, name, role, s.RemoteAddr())
		start := time.Now()
		next(s)
		app.Close() // whatever was still in flight ends with the session
		if app.idled {
			fmt.Fprintf(s, "snapdeck: session closed after %s without a key press\r\n", b.idle)
			b.logf("session idle user=%s key=%s remote=%s", s.User(), fp, s.RemoteAddr())
		}
		b.logf("session end user=%s key=%s remote=%s after %s", s.User(), fp, s.RemoteAddr(), time.Since(start).Round(time.Second))
	}
}

// run runs the session's program on its App, sized to the client's
// (clamped) terminal and resized with it, until it quits or the client
// leaves. The program installs no signal handler: the server alone handles
// SIGINT and SIGTERM (see shutdown), so a stop does not end every session
// at once.
//
// A client that leaves ends its program through the program's context, at
// once: a Quit message would wait behind the messages queued before it, and
// a busy program (a large screen, a loaded server) drew frames for nobody
// for minutes before reading it.
func (b *bastion) run(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		app, _ := s.Context().Value(ctxApp).(*sessionModel)
		term, _ := s.Context().Value(ctxTerm).(*sessionTerm)
		if app == nil || term == nil {
			next(s)
			return
		}
		ctx, leave := context.WithCancel(s.Context()) // done when the client leaves
		defer leave()
		p := tea.NewProgram(app, append(bm.MakeOptions(s), tea.WithoutSignalHandler(), tea.WithContext(ctx))...)
		b.mu.Lock()
		b.programs[p] = struct{}{}
		b.mu.Unlock()
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-done:
					return
				case <-ctx.Done(): // the client left
					return
				case <-term.closed: // the client closed the session
					leave()
					return
				case <-term.changed:
					w, h := term.size()
					p.Send(tea.WindowSizeMsg{Width: w, Height: h})
				}
			}
		}()
		if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
			b.logf("session program: %v", err)
		}
		p.Kill()
		close(done)
		b.mu.Lock()
		delete(b.programs, p)
		b.mu.Unlock()
		next(s)
	}
}

// noticeMsg puts a line from the server over the session's footer.
type noticeMsg string

// sessionModel is the App with room for a notice from the server (such as
// an announced shutdown) in its last line.
type sessionModel struct {
	*ui.Deck
	notice string
	width  int
	// idle ends the session after that long without a key press; the
	// connection's own idle timeout cannot, since the screen's updates
	// (a spinner, a running job) count as traffic.
	idle      time.Duration
	lastKey   time.Time
	idled     bool
	watchSize func(w, h int)
}

// idleCheckMsg asks whether the session has gone idle.
type idleCheckMsg struct{}

func (m *sessionModel) idleCheck(after time.Duration) tea.Cmd {
	if m.idle <= 0 {
		return nil
	}
	return tea.Tick(max(after, 50*time.Millisecond), func(time.Time) tea.Msg { return idleCheckMsg{} })
}

func (m *sessionModel) Init() tea.Cmd {
	return tea.Batch(m.Deck.Init(), m.idleCheck(m.idle))
}

func (m *sessionModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case noticeMsg:
		m.notice = string(msg)
		return m, nil
	case tea.WindowSizeMsg:
		m.width = msg.Width
		if m.watchSize != nil {
			m.watchSize(msg.Width, msg.Height)
		}
	case tea.KeyPressMsg:
		m.lastKey = time.Now()
	case idleCheckMsg:
		left := m.idle - time.Since(m.lastKey)
		if left <= 0 {
			m.idled = true
			m.Deck.Close()
			return m, tea.Quit
		}
		return m, m.idleCheck(left)
	}
	_, cmd := m.Deck.Update(msg)
	return m, cmd
}

func (m *sessionModel) View() tea.View {
	v := m.Deck.View()
	if m.notice == "" {
		return v
	}
	line := "\x1b[7m" + ansi.Truncate(" "+m.notice+" ", max(m.width, 20), "…") + "\x1b[m"
	if i := strings.LastIndexByte(v.Content, '\n'); i >= 0 {
		v.Content = v.Content[:i+1] + line
	} else {
		v.Content = line
	}
	return v
}

// transportIdle is the connection's idle limit: a little longer than the
// session's, so the session can say why it ends.
func transportIdle(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + 30*time.Second
}

// shutdown stops taking connections, tells every session, lets them run
// on (finishing what is in flight) for up to grace, then cuts them.
func (b *bastion) shutdown(grace time.Duration) {
	b.mu.Lock()
	n := b.active
	for p := range b.programs {
		go p.Send(noticeMsg(fmt.Sprintf("snapdeck is shutting down: sessions end within %s. Finish or wait for running actions.", grace)))
	}
	b.mu.Unlock()
	b.logf("stopping: no new connections; waiting up to %s for %d open sessions", grace, n)
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := b.srv.Shutdown(ctx); err != nil {
		b.logf("cutting the remaining sessions: %v", err)
	}
	_ = b.srv.Close()
}

// defineServe: serve serves the TUI over SSH until SIGINT or SIGTERM.
func defineServe(c *cmdFlags) func(pos []string) int {
	e := c.e
	listen := c.String("listen", ":2222", "address to serve SSH on")
	var sc serveConfig
	c.StringVar(&sc.hostKey, "host-key", "snapdeck_host_ed25519", "host key `path` (an ed25519 key is generated there, 0600, when missing)")
	c.StringVar(&sc.authorizedKeys, "authorized-keys", "", "OpenSSH authorized_keys `file`; each key's role (viewer or operator) is an option role=… before the key (default viewer); an option accounts=… limits it to some accounts")
	c.IntVar(&sc.maxSessions, "max-sessions", 10, "most concurrent sessions; further ones are refused")
	c.DurationVar(&sc.idleTimeout, "idle-timeout", 15*time.Minute, "close a connection idle this long (0: never)")
	c.DurationVar(&sc.poll, "poll", 3*time.Second, "how often running snapshots and restores are checked")
	grace := c.Duration("shutdown-grace", 30*time.Second, "on SIGTERM, how long open sessions may run on before they are cut")
	return func([]string) int {
		if c.conn.demo && !c.Changed("poll") {
			sc.poll = time.Second
		}
		if path := c.conn.configPath(); path != "" && !c.conn.demo {
			f, err := config.Load(path, kinds())
			if err != nil {
				return e.fail(err)
			}
			// The file's [serve] settings, where no flag says otherwise.
			set := func(flag string, apply func()) {
				if !c.Changed(flag) {
					apply()
				}
			}
			v := f.Serve
			set("listen", func() { *listen = cmp.Or(v.Listen, *listen) })
			set("host-key", func() { sc.hostKey = cmp.Or(v.HostKey, sc.hostKey) })
			set("authorized-keys", func() { sc.authorizedKeys = cmp.Or(v.AuthorizedKeys, sc.authorizedKeys) })
			set("max-sessions", func() { sc.maxSessions = cmp.Or(v.MaxSessions, sc.maxSessions) })
			set("idle-timeout", func() { sc.idleTimeout = cmp.Or(v.IdleTimeout.Duration, sc.idleTimeout) })
			set("shutdown-grace", func() { *grace = cmp.Or(v.ShutdownGrace.Duration, *grace) })
		}
		// The server alone handles SIGINT and SIGTERM, from before it listens;
		// its sessions' programs install no handler of their own.
		ctx, stop := commandContext()
		defer stop()
		b, err := newBastion(e, c.conn, sc)
		if err != nil {
			return e.fail(err)
		}
		defer b.close()
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return e.fail(err)
		}
		served := make(chan error, 1)
		go func() { served <- b.srv.Serve(ln) }()
		b.logf("listening on %s (account %s, at most %d sessions); try: ssh -p %d %s", ln.Addr(), b.account, sc.maxSessions,
			ln.Addr().(*net.TCPAddr).Port, "localhost")
		select {
		case err := <-served:
			return e.fail(err)
		case <-ctx.Done():
		}
		b.shutdown(*grace)
		b.logf("stopped")
		return exitOK
	}
}
