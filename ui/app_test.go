package ui

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/linode"
	"github.com/snapdeck/snapdeck/model"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// harness runs the root model under teatest on the Linode simulator and
// reads what it draws through a VT emulator, so assertions see the screen a
// user sees rather than the renderer's byte stream.
type harness struct {
	t   *testing.T
	tm  *teatest.TestModel
	srv *simlinode.Server
	app *App
	mu  sync.Mutex
	emu *vt.Emulator
	raw []byte // every byte the program wrote so far, for leak checks
}

type setup struct {
	w, h     int
	fleet    *simlinode.Fleet
	token    string
	before   func(*simlinode.Server)
	sim      simlinode.Options
	readOnly bool
	timeout  time.Duration // per request; default 5s
	// retryWait is the client's shortest wait between read retries
	// (default 1s); retries how often it retries (default 1, -1 for none).
	retryWait time.Duration
	retries   int
	// extra, when set, runs a Deck: the simulated account as "test" (a
	// production one when production is set) followed by these targets.
	extra      []Target
	production bool
	// clock, when set, is the time of the demo fleet, the simulator and
	// the TUI alike: a fixed day, for assertions on dates.
	clock time.Time
	// wrap, when set, stands in front of the simulator (a sim.Gate).
	wrap func(http.Handler) http.Handler
	// policy is the backup policy rows are judged by (zero: built-in).
	policy model.Policy
	// shared, when set, puts the provider over it, as the SSH server does.
	shared *client.ReadCache
}

func start(t *testing.T, s setup) *harness {
	t.Helper()
	if s.w == 0 {
		s.w, s.h = 100, 30
	}
	now := time.Now()
	clock := time.Now
	if !s.clock.IsZero() {
		now = s.clock
		clock = func() time.Time { return s.clock }
		s.sim.Now = clock
	}
	if s.fleet == nil {
		s.fleet = simlinode.Demo(now)
	}
	if s.sim.SnapshotTime == 0 {
		s.sim.SnapshotTime = 400 * time.Millisecond
	}
	if s.sim.RestoreTime == 0 {
		s.sim.RestoreTime = 400 * time.Millisecond
	}
	srv := simlinode.New(s.fleet, s.sim)
	if s.before != nil {
		s.before(srv)
	}
	var handler http.Handler = srv
	if s.wrap != nil {
		handler = s.wrap(srv)
	}
	hs := httptest.NewServer(handler)
	t.Cleanup(hs.Close)
	token := s.token
	if token == "" {
		token = simlinode.DemoToken
	}
	if s.timeout == 0 {
		s.timeout = 5 * time.Second
	}
	if s.retries == 0 {
		s.retries = 1
	}
	lp, err := linode.New(linode.Config{Transport: client.Transport{BaseURL: hs.URL, Timeout: s.timeout, Retries: s.retries, MaxRetryWait: time.Second, RetryWait: s.retryWait}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	// Wrapped as cmd/snapdeck's connect wraps every provider.
	p := client.Sanitized(lp)
	if s.shared != nil {
		p = client.Shared(p, s.shared)
	}
	if s.readOnly {
		p = client.ReadOnly(p)
	}
	opts := Options{Provider: p, Account: "test", Now: clock, Timeout: s.timeout, ReadOnly: s.readOnly, PollEvery: 50 * time.Millisecond, Policy: s.policy}
	app := New(opts)
	var root tea.Model = app
	if s.extra != nil {
		d := NewDeck(opts, append([]Target{{Account: "test", Provider: p, Production: s.production}}, s.extra...))
		app, root = d.apps[0], d
	}
	h := run(t, app, root, s.w, s.h)
	h.srv = srv
	return h
}

// run starts root (app, or a Deck holding it) under teatest in a w×hh
// terminal read through a VT emulator, and stops it when the test ends.
func run(t *testing.T, app *App, root tea.Model, w, hh int) *harness {
	t.Helper()
	h := &harness{t: t, app: app, emu: vt.NewEmulator(w, hh)}
	go func() { _, _ = io.Copy(io.Discard, h.emu) }() // terminal replies: nobody listens
	t.Cleanup(func() {
		if pw, ok := h.emu.InputPipe().(*io.PipeWriter); ok {
			_ = pw.CloseWithError(io.EOF)
		}
	})
	h.tm = teatest.NewTestModel(t, root, teatest.WithInitialTermSize(w, hh))
	t.Cleanup(func() {
		_ = h.tm.Quit()
		h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	})
	return h
}

// screen feeds what the program wrote so far into the emulator.
func (h *harness) screen() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, _ := io.ReadAll(h.tm.Output())
	h.raw = append(h.raw, b...)
	// Without a TTY the renderer counts on the terminal's ONLCR mapping of
	// \n to \r\n, which a real pty does and the bare emulator does not.
	_, _ = h.emu.Write(bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n")))
	return h.emu.String()
}

func (h *harness) waitFor(what string, cond func(string) bool) string {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := h.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (h *harness) wait(sub string) string {
	h.t.Helper()
	return h.waitFor(sub, func(s string) bool { return strings.Contains(s, sub) })
}

func (h *harness) waitAll(subs ...string) string {
	h.t.Helper()
	return h.waitFor(strings.Join(subs, " + "), func(s string) bool {
		for _, sub := range subs {
			if !strings.Contains(s, sub) {
				return false
			}
		}
		return true
	})
}

func (h *harness) key(k string) {
	switch k {
	case "enter":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	case "esc":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	case "down":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	case "up":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyUp})
	case "tab":
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	default:
		h.tm.Type(k)
	}
}

// resize resizes both the program and the emulator that reads it.
func (h *harness) resize(w, hh int) {
	h.mu.Lock()
	h.emu.Resize(w, hh)
	h.mu.Unlock()
	h.tm.Send(tea.WindowSizeMsg{Width: w, Height: hh})
}

func (h *harness) final() *App {
	h.t.Helper()
	return h.tm.FinalModel(h.t, teatest.WithFinalTimeout(5*time.Second)).(*App)
}

func TestNavigateListBackupsDetailAndBack(t *testing.T) {
	h := start(t, setup{})
	s := h.wait("Loaded 40 instances")
	for _, col := range []string{"LABEL", "REGION", "STATUS", "PLAN", "BACKUPS", "LAST GOOD", "SNAPSHOT"} {
		if !strings.Contains(s, col) {
			t.Errorf("instance list lacks column %s:\n%s", col, s)
		}
	}
	h.key("/")
	h.key("web-prod")
	h.wait("Instances 1/40")
	h.key("enter")
	h.key("enter")
	s = h.waitAll("pre-deploy-2026-11", "(automatic)")
	for _, want := range []string{"TYPE", "CREATED", "DURATION", "SIZE", "✓ successful", "snapshot"} {
		if !strings.Contains(s, want) {
			t.Errorf("backup list lacks %q:\n%s", want, s)
		}
	}
	h.key("G")
	h.key("enter")
	s = h.waitAll("Backup ", "of web-prod-01", "Debian 12 Disk")
	for _, want := range []string{"snapshot (current)", "ext4", "swap", "25 GiB", "512 MiB", "Available", "yes", "Finished", "Configs", "pre-deploy-2026-11"} {
		if !strings.Contains(s, want) {
			t.Errorf("detail lacks %q:\n%s", want, s)
		}
	}
	h.key("esc")
	h.wait("(automatic)")
	h.key("esc")
	h.waitFor("the filtered list", func(s string) bool {
		return strings.Contains(s, "Instances 1/40") && !strings.Contains(s, "(automatic)")
	})
	h.key("q")
	if n := len(h.final().stack); n != 1 {
		t.Fatalf("stack depth %d after backing out, want 1", n)
	}
}

func TestFilterByLabelRegionTagAndClear(t *testing.T) {
	h := start(t, setup{})
	h.wait("Loaded 40 instances")
	h.key("/")
	h.key("eu-west")
	s := h.waitFor("eu-west rows only", func(s string) bool { return strings.Contains(s, "db-primary") && !strings.Contains(s, "web-prod-01") })
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, " us-east ") {
			t.Fatalf("a us-east row passed the eu-west filter:\n%s", s)
		}
	}
	h.key("esc") // clears the filter
	h.wait("Instances 40")
	h.key("/")
	h.key("cache") // a tag
	h.waitFor("cache-tagged rows", func(s string) bool { return strings.Contains(s, "cache-01") && !strings.Contains(s, "db-primary") })
	h.key("esc")
	h.key("/")
	h.key("no-such-thing")
	h.wait("No instance matches")
	h.key("q") // typed into the filter, not a quit
	h.wait("no-such-thingq")
	h.key("esc")
	h.wait("Instances 40")
}

func TestSnapshotColumnAndStaleness(t *testing.T) {
	h := start(t, setup{w: 120, h: 40})
	s := h.waitFor("snapshot states", func(s string) bool {
		return strings.Contains(s, "Loaded 40") && summariesSettled(s)
	})
	line := func(label string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, label+" ") {
				return l
			}
		}
		t.Fatalf("no row for %s:\n%s", label, s)
		return ""
	}
	if l := line("legacy-mail"); !strings.Contains(l, "off") || !strings.Contains(l, "never") {
		t.Errorf("legacy-mail should show backups off, never backed up: %q", l)
	}
	if l := line("db-primary"); !strings.Contains(l, "● running") {
		t.Errorf("db-primary should show its running snapshot: %q", l)
	}
	if l := line("cache-01"); !strings.Contains(l, "none") {
		t.Errorf("cache-01 has no snapshot: %q", l)
	}
	if l := line("api-staging-02"); !strings.Contains(l, "d ago") {
		t.Errorf("api-staging-02's newest good backup is days old: %q", l)
	}
	if l := line("web-prod-01"); !strings.Contains(l, "h ago") || !strings.Contains(l, "✓") {
		t.Errorf("web-prod-01 has a recent backup and a good snapshot: %q", l)
	}
}

func TestResizeKeepsScreenUsable(t *testing.T) {
	h := start(t, setup{w: 80, h: 24})
	s := h.wait("Loaded 40 instances")
	if strings.Contains(s, "PLAN") {
		t.Errorf("at 80 columns the plan column should give way to the label:\n%s", s)
	}
	h.resize(140, 40)
	h.wait("PLAN")
	h.resize(20, 5)
	h.wait("too small")
	h.resize(80, 24)
	s = h.wait("web-prod-01")
	if !strings.Contains(s, "q quit") {
		t.Errorf("footer lost after resizing:\n%s", s)
	}
}

func TestHelpToggleAndFooterKeys(t *testing.T) {
	h := start(t, setup{})
	s := h.wait("Loaded 40 instances")
	for _, k := range []string{"enter open", "/ filter", "r refresh", "? more", "q quit"} {
		if !strings.Contains(s, k) {
			t.Errorf("footer lacks %q:\n%s", k, s)
		}
	}
	h.key("?")
	s = h.wait("Keys — Instances")
	if !strings.Contains(s, "page down") || !strings.Contains(s, "top") {
		t.Errorf("full help lacks navigation keys:\n%s", s)
	}
	h.key("?")
	h.waitFor("help closed", func(s string) bool { return !strings.Contains(s, "Keys —") })
	h.key("enter")
	s = h.wait("(automatic)")
	if !strings.Contains(s, "esc back") {
		t.Errorf("backup list footer lacks esc back:\n%s", s)
	}
}

func TestListErrorInPlaceThenRetry(t *testing.T) {
	h := start(t, setup{before: func(s *simlinode.Server) {
		s.FailNext(1, 400, `{"errors":[{"reason":"Something went wrong on our side","field":"page"}]}`)
	}})
	s := h.waitAll("Could not load instances", "Something went wrong on our side", "r to retry")
	if !strings.Contains(s, "q quit") {
		t.Errorf("footer missing beside the error:\n%s", s)
	}
	h.key("r")
	h.wait("Loaded 40 instances")
}

func TestBackupsErrorInPlaceThenRetry(t *testing.T) {
	h := start(t, setup{})
	h.wait("Loaded 40 instances")
	// Let the snapshot column settle so the next failure hits the list we open.
	h.waitFor("summaries", summariesSettled)
	h.srv.FailNext(2, 502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	h.key("enter")
	s := h.waitAll("Could not load backups", "r to retry")
	if strings.Contains(s, "<html>") {
		t.Errorf("raw HTML drawn:\n%s", s)
	}
	h.key("r")
	h.wait("(automatic)")
}

func TestRejectedTokenEndsWithAuthError(t *testing.T) {
	h := start(t, setup{token: "wrong-token"})
	a := h.final()
	if client.KindOf(a.Fatal()) != client.ErrAuth {
		t.Fatalf("want an auth error, got %v", a.Fatal())
	}
	if strings.Contains(a.Fatal().Error(), "wrong-token") {
		t.Fatalf("the token leaked into the error: %v", a.Fatal())
	}
}

func TestAllPagesLoadedFirstPageDrawnFirst(t *testing.T) {
	now := time.Now()
	h := start(t, setup{fleet: simlinode.Seed(7, 1234, now), w: 100, h: 30})
	h.wait("Loaded 1234 instances")
	h.key("G")
	s := h.wait("Instances 1234")
	if strings.Contains(s, "Loading") {
		t.Fatalf("still loading:\n%s", s)
	}
}

// summariesSettled reports whether no snapshot cell still shows "…" (unread).
func summariesSettled(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasSuffix(strings.TrimRight(l, " "), " …") {
			return false
		}
	}
	return true
}

func TestFleetScanFillsEveryRowAndStopsOnLeave(t *testing.T) {
	h := start(t, setup{w: 120, h: 20})
	h.wait("Loaded 40 instances")
	h.waitFor("visible summaries", summariesSettled)
	h.key("b")
	h.wait("Backup scan done")
	h.key("G") // the last rows were off screen and are read now
	s := h.waitFor("bottom rows", summariesSettled)
	enabled := 0
	for _, in := range simlinode.Demo(time.Now()).Instances {
		if in.BackupsEnabled {
			enabled++
		}
	}
	// Every instance with backups on was read exactly once: the visible
	// ones before the scan, the rest by it.
	if got := h.srv.RequestsTo("/v4/linode/instances/"); got != int64(enabled) {
		t.Fatalf("%d backup reads for %d instances with backups on", got, enabled)
	}
	if strings.Contains(s, "Scanning backups") {
		t.Fatalf("scan still shown after it finished:\n%s", s)
	}
	h.key("r")
	h.wait("Loaded 40 instances")
	h.key("b")
	h.key("enter") // leaving the list stops the scan
	h.wait("Backup scan stopped at")
}
