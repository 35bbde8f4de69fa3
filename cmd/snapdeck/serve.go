package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/config"
	"github.com/snapdeck/snapdeck/ui"
)

// Roles an authorized key may have.
const (
	roleViewer   = "viewer"   // read-only: every mutation refused in the client layer
	roleOperator = "operator" // may act
)

// authKey is one line of the authorized keys file.
type authKey struct {
	key  gossh.PublicKey
	role string
	name string // the comment, for the log
	// accounts limits the key to these accounts; empty means all of them.
	accounts []string
}

// parseAuthorizedKeys reads an OpenSSH authorized_keys file in which each
// key's role is an option before the key type:
//
//	role=operator ssh-ed25519 AAAA… alice@laptop
//	ssh-ed25519 AAAA… bob@desk
//
// A key with no role is a viewer. The comment is only a name: its owner
// wrote it (ssh-keygen -C), so a word in it never grants a role. An option accounts="prod staging" (names
// separated by spaces, commas or colons) limits the key to those accounts.
// Blank lines and # comments are skipped; any other line that is not a key,
// or an unknown role, is an error.
func parseAuthorizedKeys(data []byte) ([]authKey, error) {
	var keys []authKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		role, name := "", comment
		var accounts []string
		for _, o := range options {
			if v, ok := strings.CutPrefix(o, "role="); ok {
				role = strings.Trim(v, `"`)
			}
			if v, ok := strings.CutPrefix(o, "accounts="); ok {
				accounts = strings.FieldsFunc(strings.Trim(v, `"`), func(r rune) bool { return r == ' ' || r == ',' || r == ':' })
				if len(accounts) == 0 {
					return nil, fmt.Errorf("line %d: accounts= names no account", n)
				}
			}
		}
		switch role {
		case "":
			role = roleViewer
		case roleViewer, roleOperator:
		default:
			return nil, fmt.Errorf("line %d: unknown role %q (want viewer or operator)", n, role)
		}
		keys = append(keys, authKey{key: key, role: role, name: name, accounts: accounts})
	}
	return keys, sc.Err()
}

func loadAuthorizedKeys(path string) ([]authKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w", err)
	}
	keys, err := parseAuthorizedKeys(data)
	if err != nil {
		return nil, fmt.Errorf("authorized keys %s: %w", path, err)
	}
	return keys, nil
}

// ensureHostKey generates an ed25519 host key at path (0600) when there is
// none, saying so with created, and refuses one that group or others may
// read.
func ensureHostKey(path string) (pemBytes []byte, created bool, err error) {
	if pemBytes, err := os.ReadFile(path); err == nil {
		fi, err := os.Stat(path)
		if err != nil {
			return nil, false, err
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			return nil, false, fmt.Errorf("host key %s is open to group or others (mode %04o); run: chmod 600 %s", path, perm, path)
		}
		return pemBytes, false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, false, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "snapdeck serve host key")
	if err != nil {
		return nil, false, err
	}
	pemBytes = pem.EncodeToMemory(block)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	if _, err := f.Write(pemBytes); err != nil {
		_ = f.Close()
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, false, fmt.Errorf("host key: %w", err)
	}
	return pemBytes, true, nil
}

// hostKeyFingerprint is what ssh shows a user connecting for the first
// time ("ED25519 key fingerprint is SHA256:…"), for them to compare.
func hostKeyFingerprint(pemBytes []byte) (string, error) {
	signer, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		return "", fmt.Errorf("host key: %w", err)
	}
	return gossh.FingerprintSHA256(signer.PublicKey()), nil
}

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
	targets  []target // every account view, unwrapped: each session wraps its own
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
	audit, err := client.OpenAuditLog(cf.auditPath)
	if err != nil {
		if !strings.HasPrefix(err.Error(), "audit log") {
			err = fmt.Errorf("audit log: %w", err)
		}
		return nil, err
	}
	b := &bastion{
		idle: sc.idleTimeout, targets: c.targets, audit: audit, account: strings.Join(accountsOf(c.targets), ", "), keysPath: sc.authorizedKeys,
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

// maxLogText is the most bytes of one value a log line carries.
const maxLogText = 200

// logText is s as a log line shows it: as is when it is one word of
// printable characters, else Go-quoted (control bytes, newlines, escapes,
// spaces and quotes escaped), and cut to maxLogText bytes.
func logText(s string) string {
	cut := len(s) > maxLogText
	if cut {
		s = s[:maxLogText]
	}
	if !cut && s != "" && utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool {
		return r == ' ' || r == '"' || r == '\\' || !strconv.IsPrint(r)
	}) < 0 {
		return s
	}
	q := strconv.Quote(s)
	if cut {
		q += "…"
	}
	return q
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
		app := &sessionModel{Deck: ui.NewDeck(ui.Options{Timeout: b.timeout, PollEvery: b.poll, AuditPath: b.audit.Path()}, targets),
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
func (b *bastion) run(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		app, _ := s.Context().Value(ctxApp).(*sessionModel)
		term, _ := s.Context().Value(ctxTerm).(*sessionTerm)
		if app == nil || term == nil {
			next(s)
			return
		}
		p := tea.NewProgram(app, append(bm.MakeOptions(s), tea.WithoutSignalHandler())...)
		b.mu.Lock()
		b.programs[p] = struct{}{}
		b.mu.Unlock()
		done := make(chan struct{})
		go func() {
			for {
				select {
				case <-done:
					return
				case <-s.Context().Done(): // the client left
					p.Quit()
					return
				case <-term.closed: // the client closed the session
					p.Quit()
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

// Terminal sizes a client may claim: a larger one is clamped to these, so
// that what a session's screen costs does not depend on what the client
// says. Zero means the usual 80×24.
const (
	maxCols = 500
	maxRows = 200
)

func clampWindow(cols, rows uint32) (w, h int) {
	w, h = 80, 24
	if cols > 0 {
		w = int(min(cols, maxCols))
	}
	if rows > 0 {
		h = int(min(rows, maxRows))
	}
	return w, h
}

// sessionTerm is a session's terminal size, as the client last set it
// (clamped).
type sessionTerm struct {
	mu      sync.Mutex
	pty     bool
	w, h    int
	changed chan struct{} // one pending change; a newer one replaces it
	claim   func() bool   // makes this the connection's terminal, if it has none
	closed  chan struct{} // the client closed the channel
}

func (t *sessionTerm) size() (int, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.w, t.h
}

// sessionChannel is where a client's session channel, and every request on
// it, enters the server. A pty's size and each window change are clamped
// here, and window changes are kept here (the newest wins) rather than
// queued, so a client can neither grow a session's screen nor stall its
// requests; one pty per connection (a session's values live in the
// connection's context); agent and X11 forwarding and env are refused. The
// rest goes on to the library's session handler.
func (b *bastion) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, nc gossh.NewChannel, ctx ssh.Context) {
	t := &sessionTerm{changed: make(chan struct{}, 1), closed: make(chan struct{})}
	t.claim = func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		if ctx.Value(ctxTerm) != nil {
			return false
		}
		ctx.SetValue(ctxTerm, t)
		return true
	}
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{nc, t}, ctx)
}

type filteredChannel struct {
	gossh.NewChannel
	t *sessionTerm
}

func (c filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, in, err := c.NewChannel.Accept()
	if err != nil {
		return ch, in, err
	}
	out := make(chan *gossh.Request)
	go func() {
		defer close(c.t.closed) // no more requests: the channel is closed
		defer close(out)
		for req := range in {
			if c.t.pass(req) {
				out <- req
			}
		}
	}()
	return ch, out, nil
}

// pass answers the requests the bastion handles itself, rewrites a pty
// request to the clamped size, and reports whether req goes on.
func (t *sessionTerm) pass(req *gossh.Request) bool {
	switch req.Type {
	case "pty-req":
		var p struct {
			Term             string
			Cols, Rows, X, Y uint32
			Modes            string
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.pty || gossh.Unmarshal(req.Payload, &p) != nil || !t.claim() {
			_ = req.Reply(false, nil)
			return false
		}
		t.pty = true
		t.w, t.h = clampWindow(p.Cols, p.Rows)
		p.Cols, p.Rows = uint32(t.w), uint32(t.h)
		req.Payload = gossh.Marshal(&p)
		return true
	case "window-change":
		var p struct{ Cols, Rows, X, Y uint32 }
		t.mu.Lock()
		ok := t.pty && gossh.Unmarshal(req.Payload, &p) == nil
		if ok {
			t.w, t.h = clampWindow(p.Cols, p.Rows)
		}
		t.mu.Unlock()
		if ok {
			select {
			case t.changed <- struct{}{}:
			default: // one is pending: it will read the newest size
			}
		}
		_ = req.Reply(ok, nil)
		return false
	case "auth-agent-req@openssh.com", "x11-req", "env":
		_ = req.Reply(false, nil)
		return false
	}
	return true
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

// allows reports whether a key limited to allowed may open account.
func allows(allowed []string, account string) bool {
	if len(allowed) == 0 {
		return true
	}
	for _, a := range allowed {
		if a == account {
			return true
		}
	}
	return false
}

// checkKeyAccounts refuses a keys file that names an account not served,
// which is a typo that would silently lock an operator out.
func checkKeyAccounts(keys []authKey, ts []target, path string) error {
	served := map[string]bool{}
	for _, t := range ts {
		served[t.account] = true
	}
	for _, k := range keys {
		for _, a := range k.accounts {
			if !served[a] {
				return fmt.Errorf("authorized keys %s: key %s names account %q, which is not served (accounts: %s)", path, k.name, a, strings.Join(accountsOf(ts), ", "))
			}
		}
	}
	return nil
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
