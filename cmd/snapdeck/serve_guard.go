package main

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	gossh "golang.org/x/crypto/ssh"

	"charm.land/ssh"
)

// What an SSH client sends before the program sees it: every session
// request passes sessionChannel (sizes clamped, forwarding and env refused),
// and every client-supplied string in a log line passes logText.

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
