package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/pflag"

	gossh "golang.org/x/crypto/ssh"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// The bastion tests run `snapdeck serve` in process on a loopback port and
// talk to it with golang.org/x/crypto/ssh, reading the screen through a VT
// emulator as an SSH client's terminal would.

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authLine(prefix string, s gossh.Signer, comment string) string {
	k := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
	return strings.TrimSpace(prefix+" "+k+" "+comment) + "\n"
}

type testBastion struct {
	addr     string
	hostKey  gossh.PublicKey
	operator gossh.Signer
	viewer   gossh.Signer
	limited  gossh.Signer // an operator limited to two accounts
	audit    string
	log      *lockedBuf
	b        *bastion
}

// startBastion serves the demo cloud with two keys, an operator and a
// viewer, and extra serve flags.
func startBastion(t testing.TB, maxSessions int, idle time.Duration) *testBastion {
	t.Helper()
	return startBastionWith(t, maxSessions, idle, []string{"--demo", "--demo-latency", "10ms", "--demo-job-time", "1500ms"}, nil)
}

// startBastionWith serves with the given connection flags, and getenv in
// place of the process environment when not nil.
func startBastionWith(t testing.TB, maxSessions int, idle time.Duration, conn []string, getenv func(string) string) *testBastion {
	t.Helper()
	return startBastionConfig(t, serveConfig{maxSessions: maxSessions, idleTimeout: idle}, conn, getenv)
}

// startBastionConfig serves with sc, its host key, keys and poll filled in.
func startBastionConfig(t testing.TB, sc serveConfig, conn []string, getenv func(string) string) *testBastion {
	t.Helper()
	dir := t.TempDir()
	tb := &testBastion{operator: newSigner(t), viewer: newSigner(t), limited: newSigner(t), audit: filepath.Join(dir, "audit.log"), log: &lockedBuf{}}
	keys := "# snapdeck bastion keys\n" + authLine("role=operator", tb.operator, "alice@laptop") + authLine("", tb.viewer, "bob@desk viewer")
	if slices.Contains(conn, "--demo") {
		keys += authLine(`role=operator,accounts="civo-demo flex-demo"`, tb.limited, "carol@ci")
	}
	keysPath := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keysPath, []byte(keys), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	cf := addConnFlags(fs)
	if err := fs.Parse(append(conn, "--audit-log", tb.audit)); err != nil {
		t.Fatal(err)
	}
	hostKeyPath := filepath.Join(dir, "host_ed25519")
	e := osEnv(io.Discard, tb.log)
	if getenv != nil {
		e.getenv = getenv
	}
	sc.hostKey, sc.authorizedKeys, sc.poll = hostKeyPath, keysPath, 300*time.Millisecond
	b, err := newBastion(e, cf, sc)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(hostKeyPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key not written 0600: %v %v", fi, err)
	}
	pemBytes, _ := os.ReadFile(hostKeyPath)
	hk, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	tb.hostKey = hk.PublicKey()
	tb.b = b
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tb.addr = ln.Addr().String()
	done := make(chan struct{})
	go func() { _ = b.srv.Serve(ln); close(done) }()
	t.Cleanup(func() {
		_ = b.srv.Close()
		<-done
		b.close()
	})
	return tb
}

func (tb *testBastion) dial(signer gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", tb.addr, &gossh.ClientConfig{
		User:            "alice",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(tb.hostKey),
		Timeout:         5 * time.Second,
	})
}

// sshTerm is one SSH session with a pty, its output in an emulator.
type sshTerm struct {
	*vtScreen
	c     *gossh.Client
	sess  *gossh.Session
	stdin io.WriteCloser
	done  chan error
}

func (tb *testBastion) open(t testing.TB, signer gossh.Signer, w, h int) *sshTerm {
	t.Helper()
	c, err := tb.dial(signer)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	stdin, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	st := &sshTerm{vtScreen: newVTScreen(t, stdin, w, h, 8*time.Second), c: c, sess: sess, stdin: stdin, done: make(chan error, 1)}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	st.pump(stdout, read)
	go func() { st.done <- sess.Wait() }()
	t.Cleanup(func() {
		_ = sess.Close()
		_ = c.Close()
		<-read
		closeReplies(st.emu)
	})
	return st
}

func (st *sshTerm) resize(w, h int) {
	st.t.Helper()
	st.resizeScreen(w, h)
	if err := st.sess.WindowChange(h, w); err != nil {
		st.t.Fatal(err)
	}
}

// wait waits for the session to end.
func (st *sshTerm) wait(within time.Duration) error {
	st.t.Helper()
	select {
	case err := <-st.done:
		return err
	case <-time.After(within):
		st.t.Fatalf("session did not end; screen:\n%s", st.screen())
	}
	return nil
}

func auditRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestServeOperatorTakesSnapshot(t *testing.T) {
	tb := startBastion(t, 10, 0)
	st := tb.open(t, tb.operator, 100, 30)
	st.waitText("Loaded 40 instances")
	st.send("/")
	st.sendText("cache-01")
	st.waitText("Instances 1/40")
	st.send(keyEnter)
	st.send(keyEnter)
	st.send("s")
	st.waitText("no snapshot yet")
	st.send("\x15") // ctrl+u clears the suggested label
	st.sendText("ssh-snap")
	st.waitText("✓ 8/255 characters")
	st.send(keyEnter)
	st.waitText("✓ Snapshot ssh-snap of cache-01 finished")

	recs := auditRecords(t, tb.audit)
	// "sent", then the outcome, then the job's end, each naming who.
	if len(recs) != 3 || recs[0]["outcome"] != "sent" || recs[2]["action"] != "job" || recs[2]["outcome"] != "done" ||
		recs[2]["resource_label"] != "cache-01" || recs[2]["who"] == nil {
		t.Fatalf("audit records = %v", recs)
	}
	recs = recs[1:]
	who, _ := recs[0]["who"].(map[string]any)
	fp := gossh.FingerprintSHA256(tb.operator.PublicKey())
	if recs[0]["action"] != "snapshot" || recs[0]["outcome"] != "ok" || who["ssh_user"] != "alice" || who["key"] != fp ||
		!strings.HasPrefix(fmt.Sprint(who["remote"]), "127.0.0.1:") || who["role"] != "operator" {
		t.Errorf("audit record = %v", recs[0])
	}
	if !strings.Contains(tb.log.String(), "session start user=alice key="+fp+" (alice@laptop) role=operator") {
		t.Errorf("server log:\n%s", tb.log.String())
	}
	st.send("q")
	if err := st.wait(5 * time.Second); err != nil {
		t.Errorf("session ended with %v after q", err)
	}
}

func TestServeViewerIsReadOnly(t *testing.T) {
	tb := startBastion(t, 10, 0)
	st := tb.open(t, tb.viewer, 100, 30)
	st.waitText("Loaded 40 instances")
	st.waitText("[read-only]")
	st.send(keyEnter)
	st.send("s")
	st.waitText("Read-only mode")
	if s := st.screen(); strings.Contains(s, "no snapshot yet") {
		t.Fatalf("viewer got the snapshot form:\n%s", s)
	}
	if data, _ := os.ReadFile(tb.audit); strings.Contains(string(data), `"outcome":"ok"`) {
		t.Errorf("a viewer's action went through: %s", data)
	}
}

// TestServeKeyLimitedToAccounts: a key with accounts= sees only those
// accounts, in its own Deck, and cannot jump to the others.
func TestServeKeyLimitedToAccounts(t *testing.T) {
	tb := startBastion(t, 10, 0)
	st := tb.open(t, tb.limited, 110, 30)
	s := st.waitText("Loaded 12 instances")
	if top := strings.SplitN(s, "\n", 2)[0]; !strings.Contains(top, "civo (civo-demo)") {
		t.Fatalf("the limited key did not start on its first account:\n%s", s)
	}
	st.send(":")
	s = st.waitText("flex-demo")
	if strings.Contains(s, "demo/databases") || strings.Contains(s, "northflank") {
		t.Fatalf("the prompt offers an account the key may not see:\n%s", s)
	}
	st.sendText("northflank")
	st.send(keyEnter)
	st.waitText("No account or view matches northflank")
	st.escTo("/ filter") // the list's footer: the prompt is closed
	st.send(":")
	st.sendText("flex")
	st.send(keyEnter)
	st.waitText("Loaded 12 virtual machines")
	// Meanwhile the unlimited operator sees every account.
	full := tb.open(t, tb.operator, 110, 30)
	full.waitText("Loaded 40 instances")
	full.send(":")
	full.waitText("northflank-demo")
}

func TestServeRefusesUnknownKey(t *testing.T) {
	tb := startBastion(t, 10, 0)
	c, err := tb.dial(newSigner(t))
	if err == nil {
		_ = c.Close()
		t.Fatal("an unlisted key was let in")
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("err = %v", err)
	}
	if !strings.Contains(tb.log.String(), "refused unknown key SHA256:") {
		t.Errorf("server log:\n%s", tb.log.String())
	}
	// Password auth is not offered at all.
	_, err = gossh.Dial("tcp", tb.addr, &gossh.ClientConfig{
		User: "alice", Auth: []gossh.AuthMethod{gossh.Password("x")},
		HostKeyCallback: gossh.FixedHostKey(tb.hostKey), Timeout: 5 * time.Second,
	})
	if err == nil {
		t.Fatal("password auth let a client in")
	}
}

func TestServeRefusesExecAndNoPty(t *testing.T) {
	tb := startBastion(t, 10, 0)
	c, err := tb.dial(tb.operator)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := sess.CombinedOutput("cat /etc/passwd"); err == nil {
		t.Fatalf("exec ran: %q", out)
	}
	sess, err = c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	sess.Stderr = &stderr
	sess.Stdout = io.Discard
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	err = sess.Wait()
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 || !strings.Contains(stderr.String(), "needs a terminal") {
		t.Errorf("no-pty shell: err %v, stderr %q", err, stderr.String())
	}
}

func TestServeSessionsAreIndependentAndResize(t *testing.T) {
	tb := startBastion(t, 10, 0)
	a := tb.open(t, tb.operator, 100, 30)
	b := tb.open(t, tb.viewer, 100, 30)
	a.waitText("Loaded 40 instances")
	b.waitText("Loaded 40 instances")
	a.send("/")
	a.sendText("cache-01")
	a.waitText("Instances 1/40")
	b.send("j")
	time.Sleep(200 * time.Millisecond)
	if s := b.screen(); strings.Contains(s, "1/40") || !strings.Contains(s, "Instances 40") {
		t.Fatalf("a filter in one session reached the other:\n%s", s)
	}

	widest := func(s string) int {
		n := 0
		for _, l := range strings.Split(s, "\n") {
			n = max(n, len([]rune(strings.TrimRight(l, " "))))
		}
		return n
	}
	b.resize(140, 30)
	b.waitFor("a redraw to 140 columns", func(s string) bool { return widest(s) > 100 })
	b.resize(60, 20)
	b.waitFor("a redraw to 60 columns", func(s string) bool {
		return widest(s) <= 60 && strings.Contains(s, "Instances 40")
	})
	if w := widest(a.screen()); w > 100 {
		t.Errorf("the other session's screen changed width: %d", w)
	}
}

func TestServeMaxSessions(t *testing.T) {
	tb := startBastion(t, 1, 0)
	a := tb.open(t, tb.operator, 100, 30)
	a.waitText("Loaded 40 instances")
	b := tb.open(t, tb.viewer, 100, 30)
	err := b.wait(5 * time.Second)
	var ee *gossh.ExitError
	if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
		t.Errorf("second session ended with %v, want exit 1", err)
	}
	// The refusal may still be on its way out of the channel after the exit.
	b.waitText("all 1 sessions are in use")
	// The first session goes on; once it ends, a new one is let in.
	a.send("q")
	_ = a.wait(5 * time.Second)
	c := tb.open(t, tb.viewer, 100, 30)
	c.waitText("Loaded 40 instances")
}

// TestServeIdleTimeout: key presses keep a session open however long; a
// session without one is closed with a line saying why, even while its
// screen keeps changing (a job running, a spinner).
func TestServeIdleTimeout(t *testing.T) {
	tb := startBastion(t, 10, 1500*time.Millisecond)
	st := tb.open(t, tb.operator, 100, 30)
	st.waitText("Loaded 40 instances")
	st.send("b") // a fleet scan keeps the screen busy
	for range 6 {
		time.Sleep(400 * time.Millisecond)
		st.send("j")
	}
	if s := st.screen(); strings.Contains(s, "without a key press") {
		t.Fatalf("closed while keys were pressed:\n%s", s)
	}
	_ = st.wait(8 * time.Second) // nothing typed: the session ends
	if !bytes.Contains(st.output(), []byte("closed after 1.5s without a key press")) {
		t.Fatalf("no reason given:\n%s", st.screen())
	}
}

func TestParseAuthorizedKeys(t *testing.T) {
	a, b, c, d := newSigner(t), newSigner(t), newSigner(t), newSigner(t)
	data := "# comment\n\n" + authLine("role=operator", a, "alice") + authLine(`no-pty,role="viewer"`, b, "bob") +
		authLine("", c, "carol role=operator") + authLine("", d, "")
	// carol's comment, written by her, does not make her an operator.
	keys, err := parseAuthorizedKeys([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ role, name string }{{"operator", "alice"}, {"viewer", "bob"}, {"viewer", "carol role=operator"}, {"viewer", ""}}
	if len(keys) != len(want) {
		t.Fatalf("%d keys, want %d", len(keys), len(want))
	}
	for i, w := range want {
		if keys[i].role != w.role || keys[i].name != w.name {
			t.Errorf("key %d: role %q name %q, want %q %q", i, keys[i].role, keys[i].name, w.role, w.name)
		}
	}
	lim, err := parseAuthorizedKeys([]byte(authLine(`role=operator,accounts="prod, staging"`, a, "x") + authLine(`accounts=lon`, b, "y")))
	if err != nil || !slices.Equal(lim[0].accounts, []string{"prod", "staging"}) || !slices.Equal(lim[1].accounts, []string{"lon"}) || lim[1].role != "viewer" {
		t.Fatalf("accounts=: %+v %v", lim, err)
	}
	if err := checkKeyAccounts(lim, []target{{account: "prod"}, {account: "lon"}}, "keys"); err == nil || !strings.Contains(err.Error(), `"staging", which is not served`) {
		t.Fatalf("an unserved account was accepted: %v", err)
	}
	for _, bad := range []string{"not a key\n", authLine("role=admin", a, "x"), authLine(`accounts=""`, a, "x")} {
		if _, err := parseAuthorizedKeys([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestEnsureHostKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hk")
	first, created, err := ensureHostKey(path)
	if err != nil || !created {
		t.Fatalf("first start: created %v, err %v", created, err)
	}
	again, created, err := ensureHostKey(path)
	if err != nil || created || !bytes.Equal(first, again) {
		t.Fatalf("second start did not reuse the key: created %v, err %v", created, err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ensureHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable host key: err = %v", err)
	}
}

// The operator starting serve sees the host key's fingerprint, the one ssh
// shows a user on first contact, and is told when it was just generated;
// an authorized keys file without a usable key is warned about.
func TestServeStartSaysHostKeyAndWarnsOfNoKeys(t *testing.T) {
	dir := t.TempDir()
	hostKey, keysPath := filepath.Join(dir, "hk"), filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keysPath, []byte("# nobody yet\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func() string {
		fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
		cf := addConnFlags(fs)
		if err := fs.Parse([]string{"--demo", "--audit-log", filepath.Join(dir, "audit.log")}); err != nil {
			t.Fatal(err)
		}
		log := &lockedBuf{}
		b, err := newBastion(osEnv(io.Discard, log), cf, serveConfig{hostKey: hostKey, authorizedKeys: keysPath, maxSessions: 1})
		if err != nil {
			t.Fatal(err)
		}
		b.close()
		return log.String()
	}
	first := start()
	pemBytes, err := os.ReadFile(hostKey)
	if err != nil {
		t.Fatal(err)
	}
	fp, err := hostKeyFingerprint(pemBytes)
	if err != nil || !strings.HasPrefix(fp, "SHA256:") {
		t.Fatalf("fingerprint %q, %v", fp, err)
	}
	if !strings.Contains(first, "host key "+fp+" generated at") {
		t.Errorf("first start does not name the new key's fingerprint:\n%s", first)
	}
	if !strings.Contains(first, "has no usable key: every connection is refused") {
		t.Errorf("no warning for an authorized keys file without keys:\n%s", first)
	}
	second := start()
	if !strings.Contains(second, "host key "+fp) || strings.Contains(second, "generated") {
		t.Errorf("second start: want the same fingerprint, not generated:\n%s", second)
	}
}

func TestServeShutdownTellsSessions(t *testing.T) {
	tb := startBastion(t, 10, 0)
	st := tb.open(t, tb.operator, 100, 30)
	st.waitText("Loaded 40 instances")
	stopped := make(chan struct{})
	go func() { tb.b.shutdown(time.Second); close(stopped) }()
	st.waitText("snapdeck is shutting down")
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown did not end after its grace period")
	}
	_ = st.wait(5 * time.Second)
	if _, err := tb.dial(tb.operator); err == nil {
		t.Error("a connection was accepted after shutdown")
	}
}

// TestServeViewerSendsNoMutation serves a simulator reached over HTTP and
// counts what reaches it: the keys that make an operator take a snapshot and
// start a restore send nothing for a viewer.
func TestServeViewerSendsNoMutation(t *testing.T) {
	for _, tc := range []struct {
		role string
		want func(int64) bool
	}{
		{"operator", func(n int64) bool { return n == 2 }},
		{"viewer", func(n int64) bool { return n == 0 }},
	} {
		t.Run(tc.role, func(t *testing.T) {
			sim := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{Token: "bastion-held-token"})
			srv := httptest.NewServer(sim)
			defer srv.Close()
			tb := startBastionWith(t, 4, 0, []string{"--api", srv.URL}, func(k string) string {
				if k == "LINODE_TOKEN" {
					return "bastion-held-token"
				}
				return ""
			})
			key := tb.operator
			if tc.role == "viewer" {
				key = tb.viewer
			}
			st := tb.open(t, key, 100, 30)
			st.waitText("Loaded 40 instances")
			// An operator's mutations are waited for; a viewer's absence of
			// them is checked after the same keys and a pause.
			settle := func(n int64) {
				if tc.role == "viewer" {
					time.Sleep(300 * time.Millisecond)
					return
				}
				for end := time.Now().Add(10 * time.Second); sim.Mutations() < n && time.Now().Before(end); {
					time.Sleep(20 * time.Millisecond)
				}
			}
			st.send("s") // web-prod-01: a snapshot that replaces its current one
			if tc.role == "operator" {
				st.waitText("Label")
			}
			st.send(keyEnter)
			if tc.role == "operator" {
				st.waitText("replace")
			}
			st.send("y")
			settle(1)
			// Back on the list. The viewer's enter opened web-prod-01 (s
			// did nothing); the operator's keys ended on the list, where an
			// esc would change nothing to wait for, and could reach the
			// program together with the enter, as alt+enter.
			if tc.role == "viewer" {
				st.escTo("/ filter")
			} else {
				st.waitText("/ filter")
			}
			st.send(keyEnter)
			st.waitText("(automatic)")
			st.send("R") // restore the newest backup onto itself, no overwrite
			if tc.role == "operator" {
				st.waitText("Restore")
			}
			st.send(keyEnter)
			st.send("y")
			settle(2)
			if n := sim.Mutations(); !tc.want(n) {
				t.Fatalf("%d mutations reached the simulator from an %s", n, tc.role)
			}
			if bytes.Contains(st.output(), []byte("bastion-held-token")) {
				t.Fatal("the server's token reached the client")
			}
		})
	}
}

// sizeWatch records every size the sessions' models are given.
type sizeWatch struct {
	mu   sync.Mutex
	seen [][2]int
}

func (s *sizeWatch) add(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, [2]int{w, h})
}

func (s *sizeWatch) all() [][2]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.seen)
}

// waitSeen waits until a model was given w×h.
func (s *sizeWatch) waitSeen(t testing.TB, w, h int) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if slices.Contains(s.all(), [2]int{w, h}) {
			return
		}
	}
	t.Fatalf("no session was given %d×%d; sizes given: %v", w, h, s.all())
}

// watchSizes makes tb's sessions report their sizes (before any connects).
func (tb *testBastion) watchSizes() *sizeWatch {
	sw := &sizeWatch{}
	tb.b.watchSize = sw.add
	return sw
}

// rawSession opens a session with no emulator behind it: its output is
// read and dropped.
func rawSession(t testing.TB, c *gossh.Client) *gossh.Session {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return sess
}

// waitIdle waits until the bastion has no session and no program left.
func (tb *testBastion) waitIdle(t testing.TB) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		tb.b.mu.Lock()
		active, programs := tb.b.active, len(tb.b.programs)
		tb.b.mu.Unlock()
		if active == 0 && programs == 0 {
			return
		}
		if time.Now().After(end) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("after the client left: %d sessions, %d programs still running; goroutines:\n%s", active, programs, buf)
		}
	}
}

// TestServeClampsTerminalSize: a client claiming a huge terminal, at the
// start or by a window change, gets a session of at most 500×200; what it
// claims within that is followed, and window changes sent before the
// shell do not stall the session.
func TestServeClampsTerminalSize(t *testing.T) {
	tb := startBastion(t, 10, 0)
	sw := tb.watchSizes()
	c := mustDial(t, tb, tb.viewer)
	sess := rawSession(t, c)
	if err := sess.RequestPty("xterm", 10000, 10000, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	// Before the shell: these once kept the library's request loop
	// waiting for a reader that was not there yet, so the shell never
	// started.
	for _, hw := range [][2]int{{1500, 1500}, {4000, 4000}, {30, 90}} {
		if err := sess.WindowChange(hw[0], hw[1]); err != nil {
			t.Fatal(err)
		}
	}
	shell := make(chan error, 1)
	go func() { shell <- sess.Shell() }()
	select {
	case err := <-shell:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the shell did not start after window changes sent before it")
	}
	sw.waitSeen(t, 90, 30)
	// Each change is waited for, so that none is merged into the next.
	for _, step := range []struct{ h, w, wantW, wantH int }{
		{4000, 4000, maxCols, maxRows},
		{30, 1500, maxCols, 30},
		{10000, 20, 20, maxRows},
		{0, 0, 80, 24},
		{40, 120, 120, 40},
	} {
		if err := sess.WindowChange(step.h, step.w); err != nil {
			t.Fatal(err)
		}
		sw.waitSeen(t, step.wantW, step.wantH)
	}
	// A client that ran stty rows 1500 cols 300 gets 200 rows.
	sess2 := rawSession(t, mustDial(t, tb, tb.operator))
	if err := sess2.RequestPty("xterm", 1500, 300, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess2.Shell(); err != nil {
		t.Fatal(err)
	}
	sw.waitSeen(t, 300, maxRows)
	for _, wh := range sw.all() {
		if wh[0] > maxCols || wh[1] > maxRows || wh[0] < 1 || wh[1] < 1 {
			t.Errorf("a session was given %d×%d (at most %d×%d)", wh[0], wh[1], maxCols, maxRows)
		}
	}
}

func mustDial(t testing.TB, tb *testBastion, signer gossh.Signer) *gossh.Client {
	t.Helper()
	c, err := tb.dial(signer)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestServeSessionEndsWhenClientLeaves: a client that drops its
// connection, or closes its session's channel, leaves no session and no
// program running.
func TestServeSessionEndsWhenClientLeaves(t *testing.T) {
	tb := startBastion(t, 10, 0)
	for _, how := range []string{"connection", "channel"} {
		t.Run(how, func(t *testing.T) {
			st := tb.open(t, tb.operator, 100, 30)
			st.waitText("Loaded 40 instances")
			st.send("b") // a fleet scan in flight
			if how == "connection" {
				_ = st.c.Close()
			} else {
				_ = st.sess.Close()
			}
			tb.waitIdle(t)
		})
	}
}

// TestServeRefusesForwardingAndEnv: agent and X11 forwarding, env, port
// forwarding and a second terminal on the same connection are refused; the
// terminal session itself still works. COLUMNS and LINES, were they taken,
// would size a session whose pty claims 0×0.
func TestServeRefusesForwardingAndEnv(t *testing.T) {
	tb := startBastion(t, 10, 0)
	sw := tb.watchSizes()
	c := mustDial(t, tb, tb.operator)
	sess := rawSession(t, c)
	if ok, err := sess.SendRequest("auth-agent-req@openssh.com", true, nil); ok || err != nil {
		t.Errorf("agent forwarding: accepted %v, err %v", ok, err)
	}
	x11 := gossh.Marshal(struct {
		Single        bool
		Proto, Cookie string
		Screen        uint32
	}{false, "MIT-MAGIC-COOKIE-1", "00112233445566778899aabbccddeeff", 0})
	if ok, err := sess.SendRequest("x11-req", true, x11); ok || err != nil {
		t.Errorf("X11 forwarding: accepted %v, err %v", ok, err)
	}
	for _, kv := range [][2]string{{"COLUMNS", "9000"}, {"LINES", "9000"}, {"LANG", "C.UTF-8"}} {
		if err := sess.Setenv(kv[0], kv[1]); err == nil {
			t.Errorf("env %s accepted", kv[0])
		}
	}
	if _, err := c.Dial("tcp", tb.addr); err == nil {
		t.Error("local port forwarding accepted")
	}
	if ln, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		_ = ln.Close()
		t.Error("remote port forwarding accepted")
	}
	if err := sess.RequestPty("xterm", 0, 0, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	other, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := other.RequestPty("xterm", 30, 100, gossh.TerminalModes{}); err == nil {
		t.Error("a second terminal on one connection was accepted")
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	sw.waitSeen(t, 80, 24)
	if err := sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	sw.waitSeen(t, 100, 30)
	for _, wh := range sw.all() {
		if wh[0] > 100 || wh[1] > 30 {
			t.Errorf("a session was sized %d×%d by the client's environment", wh[0], wh[1])
		}
	}
}

// checkLogLines fails unless every line of the server's log is one of its
// own lines, free of control bytes.
func checkLogLines(t testing.TB, log string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(log, "\n"), "\n") {
		if !strings.HasPrefix(line, "snapdeck serve: ") {
			t.Errorf("a log line the server did not start: %q", line)
		}
		if i := strings.IndexFunc(line, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }); i >= 0 {
			t.Errorf("a control byte in a log line: %q", line)
		}
	}
}

// TestServeLogQuotesClientText: a user name with a newline and escape
// sequences, from a client with no valid key or with one, is quoted in the
// log: it forges no line and writes no escape to the operator's terminal.
func TestServeLogQuotesClientText(t *testing.T) {
	tb := startBastion(t, 10, 0)
	forged := "x\nsnapdeck serve: session start user=mallory key=SHA256:AAAA (mallory) role=operator remote=10.0.0.1:22\x1b]0;pwned\x07\x1b[2J"
	dial := func(signer gossh.Signer) (*gossh.Client, error) {
		return gossh.Dial("tcp", tb.addr, &gossh.ClientConfig{
			User: forged, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: gossh.FixedHostKey(tb.hostKey), Timeout: 5 * time.Second,
		})
	}
	if c, err := dial(newSigner(t)); err == nil {
		_ = c.Close()
		t.Fatal("an unlisted key was let in")
	}
	c, err := dial(tb.viewer)
	if err != nil {
		t.Fatal(err)
	}
	sess := rawSession(t, c)
	if err := sess.RequestPty("xterm", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	// The forged name holds "session start" too, quoted in the refusal's
	// line: wait for the server's own line, which starts one.
	for end := time.Now().Add(10 * time.Second); !strings.Contains(tb.log.String(), "\nsnapdeck serve: session start"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no session start logged:\n%s", tb.log.String())
		}
	}
	_ = c.Close()
	tb.waitIdle(t)
	log := tb.log.String()
	checkLogLines(t, log)
	lines := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	starts := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "snapdeck serve: session start") {
			starts++
			if !strings.Contains(l, ") role=viewer remote=127.0.0.1:") {
				t.Errorf("the session start line: %q", l)
			}
		}
	}
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "snapdeck serve: host key SHA256:") || starts != 1 {
		t.Errorf("want 4 lines (host key, refused, start, end), one start; got:\n%s", log)
	}
	q := strconv.Quote(forged)
	if !strings.Contains(log, "for "+q+" from 127.0.0.1:") || !strings.Contains(log, "session start user="+q+" key=") {
		t.Errorf("the user name is not quoted in the log:\n%s", log)
	}
	// A plain name stays as it is; one past 200 bytes is cut.
	if got := logText("alice"); got != "alice" {
		t.Errorf("logText(alice) = %s", got)
	}
	if got := logText(strings.Repeat("a", 5000)); len(got) > maxLogText+10 || !strings.HasSuffix(got, "…") {
		t.Errorf("a long name is logged as %d bytes", len(got))
	}
}

// TestServeSIGTERMLetsSessionsFinish runs `snapdeck serve` as systemd stops
// it: SIGTERM to the process while an operator's snapshot request is in
// flight. The session stays open with the notice in its footer, the
// snapshot is taken and audited as done, and the server stops once the
// session ends.
func TestServeSIGTERMLetsSessionsFinish(t *testing.T) {
	// Were no handler installed, SIGTERM would end the test binary.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	defer signal.Stop(sigs)

	dir := t.TempDir()
	operator := newSigner(t)
	keys := filepath.Join(dir, "keys")
	if err := os.WriteFile(keys, []byte(authLine("role=operator", operator, "alice@laptop")), 0o600); err != nil {
		t.Fatal(err)
	}
	audit, hostKey := filepath.Join(dir, "audit.log"), filepath.Join(dir, "host")
	log := &lockedBuf{}
	code := make(chan int, 1)
	go func() {
		code <- runServe(osEnv(io.Discard, log), []string{"--demo", "--demo-latency", "1s", "--demo-job-time", "1500ms",
			"--listen", "127.0.0.1:0", "--host-key", hostKey, "--authorized-keys", keys, "--audit-log", audit,
			"--shutdown-grace", "30s"})
	}()
	var addr string
	for end := time.Now().Add(10 * time.Second); addr == ""; time.Sleep(20 * time.Millisecond) {
		if _, rest, ok := strings.Cut(log.String(), "listening on "); ok {
			addr, _, _ = strings.Cut(rest, " ")
		} else if time.Now().After(end) {
			t.Fatalf("serve did not start:\n%s", log.String())
		}
	}
	pemBytes, err := os.ReadFile(hostKey)
	if err != nil {
		t.Fatal(err)
	}
	hk, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	tb := &testBastion{addr: addr, hostKey: hk.PublicKey(), log: log}
	st := tb.open(t, operator, 100, 30)
	st.waitText("Loaded 40 instances")
	st.send("s") // web-prod-01 has a snapshot: this one replaces it
	st.waitText("Label")
	st.send(keyEnter)
	st.waitText("replace")
	st.send("y")
	st.waitText("Sending…")
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	st.waitText("snapdeck is shutting down")
	st.waitText("finished")
	recs := auditRecords(t, audit)
	// The "sent" line, then the outcome of the same attempt, then the job's
	// end: the snapshot finished.
	if len(recs) != 3 || recs[0]["outcome"] != "sent" || recs[1]["action"] != "snapshot" ||
		recs[1]["outcome"] != "ok" || recs[1]["attempt"] != recs[0]["attempt"] ||
		recs[2]["action"] != "job" || recs[2]["outcome"] != "done" {
		t.Fatalf("audit records = %v", recs)
	}
	if _, err := tb.dial(operator); err == nil {
		t.Error("a connection was accepted after SIGTERM")
	}
	st.send("q")
	_ = st.wait(5 * time.Second)
	_ = st.c.Close() // as ssh does once its session ends
	select {
	case c := <-code:
		if c != exitOK {
			t.Errorf("serve exited %d:\n%s", c, log.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not stop once its last session ended:\n%s", log.String())
	}
	checkLogLines(t, log.String())
}

// firstBytes reports, once, that something arrived.
type firstBytes struct {
	once sync.Once
	got  chan struct{}
}

func (f *firstBytes) Write(p []byte) (int, error) {
	f.once.Do(func() { close(f.got) })
	return len(p), nil
}

// TestServeRandomClients drives the server with seeded random clients, on
// loopback, a bounded number of them: user names with control bytes,
// newlines, escapes and invalid UTF-8, unknown keys, huge and zero pty
// sizes, window changes before and after the shell, env, agent and X11
// requests, and leaving by closing the channel or the connection. The
// server must not fall over, every size a model is given stays within
// 500×200, the heap stays bounded while it runs, every log line is one
// line without control bytes, and no session, program or goroutine is left
// once the clients are gone.
func TestServeRandomClients(t *testing.T) {
	tb := startBastion(t, 50, 0)
	sw := tb.watchSizes()
	rng := mrand.New(mrand.NewPCG(13, 2026))
	size := func() int {
		switch rng.IntN(5) {
		case 0:
			return 0
		case 1:
			return 1 + rng.IntN(300)
		case 2:
			return 500 + rng.IntN(20000)
		case 3:
			return math.MaxUint32
		default:
			return 1 + rng.IntN(200000)
		}
	}
	const hostile = "\n\r\x1b\x00\x07\x7f\x9b\"\\ =()é\u202e[]0;2Jrole=operatorsnapdeck serve: session start "
	name := func() string {
		var b []byte
		switch rng.IntN(4) {
		case 0:
			return "alice"
		case 1:
			for range rng.IntN(64) {
				b = append(b, hostile[rng.IntN(len(hostile))])
			}
		case 2:
			b = bytes.Repeat([]byte{byte('a' + rng.IntN(26))}, 300+rng.IntN(3000))
		default:
			for range 1 + rng.IntN(100) {
				b = append(b, byte(rng.IntN(256)))
			}
		}
		return string(b)
	}
	x11 := gossh.Marshal(struct {
		Single        bool
		Proto, Cookie string
		Screen        uint32
	}{true, "MIT-MAGIC-COOKIE-1", "00", 0})

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	baseHeap, baseGoroutines := ms.HeapInuse, runtime.NumGoroutine()
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			select {
			case <-stopSampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()

	const clients = 40
	started := 0
	for i := range clients {
		user := name()
		signer := []gossh.Signer{tb.operator, tb.viewer, newSigner(t)}[rng.IntN(3)]
		c, err := gossh.Dial("tcp", tb.addr, &gossh.ClientConfig{
			User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
			HostKeyCallback: gossh.FixedHostKey(tb.hostKey), Timeout: 5 * time.Second,
		})
		if signer != tb.operator && signer != tb.viewer {
			if err == nil {
				_ = c.Close()
				t.Fatalf("client %d: an unknown key was let in", i)
			}
			continue
		}
		if err != nil {
			t.Fatalf("client %d (user %q): %v", i, user, err)
		}
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		first := &firstBytes{got: make(chan struct{})}
		sess.Stdout = first
		for range rng.IntN(4) {
			switch rng.IntN(4) {
			case 0:
				_ = sess.Setenv([]string{"COLUMNS", "LINES", "TERM"}[rng.IntN(3)], fmt.Sprint(size()))
			case 1:
				_, _ = sess.SendRequest("auth-agent-req@openssh.com", true, nil)
			case 2:
				_, _ = sess.SendRequest("x11-req", true, x11)
			default:
				_ = sess.WindowChange(size(), size())
			}
		}
		if err := sess.RequestPty("xterm", size(), size(), gossh.TerminalModes{gossh.ECHO: 0}); err != nil {
			t.Fatalf("client %d: pty refused: %v", i, err)
		}
		for range rng.IntN(3) {
			_ = sess.WindowChange(size(), size())
		}
		if err := sess.Shell(); err != nil {
			t.Fatalf("client %d: shell refused: %v", i, err)
		}
		started++
		for range rng.IntN(6) {
			_ = sess.WindowChange(size(), size())
		}
		if rng.IntN(2) == 0 { // let the program draw before leaving
			select {
			case <-first.got:
			case <-time.After(10 * time.Second):
				t.Fatalf("client %d: nothing drawn", i)
			}
		}
		if rng.IntN(2) == 0 {
			_ = sess.Close()
		}
		_ = c.Close()
	}
	tb.waitIdle(t)
	close(stopSampling)
	<-sampled

	t.Logf("%d of %d clients had a session; %d sizes given; heap peak +%d MB", started, clients, len(sw.all()), (int64(peak.Load())-int64(baseHeap))>>20)
	if started == 0 || len(sw.all()) == 0 {
		t.Fatalf("%d sessions started, %d sizes given: the test tested nothing", started, len(sw.all()))
	}
	for _, wh := range sw.all() {
		if wh[0] < 1 || wh[0] > maxCols || wh[1] < 1 || wh[1] > maxRows {
			t.Errorf("a session was given %d×%d", wh[0], wh[1])
		}
	}
	if grew := int64(peak.Load()) - int64(baseHeap); grew > 256<<20 {
		t.Errorf("the heap grew by %d MB while %d clients came and went", grew>>20, started)
	}
	log := tb.log.String()
	checkLogLines(t, log)
	if s, e := strings.Count(log, "serve: session start "), strings.Count(log, "serve: session end "); s != e || s == 0 {
		t.Errorf("%d session starts, %d ends logged", s, e)
	}
	for end := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > baseGoroutines+10; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Errorf("%d goroutines left, %d before the clients came", runtime.NumGoroutine(), baseGoroutines)
			break
		}
	}
	// The server still serves.
	st := tb.open(t, tb.viewer, 100, 30)
	st.waitText("Loaded 40 instances")
}
