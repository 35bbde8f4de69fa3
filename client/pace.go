package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Pacer keeps a client inside the rate limit that the server announces in
// its X-RateLimit-Remaining / X-RateLimit-Reset headers (and Retry-After on
// a 429), so that a fleet-wide scan runs at the allowed rate instead of
// learning the limit from 429s. Until a reply has announced a limit it does
// not hold anything back.
type Pacer struct {
	mu        sync.Mutex
	known     bool
	remaining int       // requests the server will still take before reset
	inflight  int       // sent, not yet answered: they will spend remaining too
	reset     time.Time // when the server's window ends
	waits     int64
	now       func() time.Time
	// relative says X-RateLimit-Reset counts seconds until the reset
	// (Northflank) rather than the reset's Unix time (Linode).
	relative bool
}

var errWindowClosed = errors.New("the rate-limit window is used up")

// NewPacer returns a Pacer on the wall clock for an API whose
// X-RateLimit-Reset is the reset's Unix time.
func NewPacer() *Pacer { return &Pacer{now: time.Now} }

// NewRelativePacer returns a Pacer for an API whose X-RateLimit-Reset is
// the seconds left until the reset.
func NewRelativePacer() *Pacer { return &Pacer{now: time.Now, relative: true} }

// Waits counts how often a request had to wait for the window to reset.
func (p *Pacer) Waits() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waits
}

// Wrap returns a RoundTripper that paces rt.
func (p *Pacer) Wrap(rt http.RoundTripper) http.RoundTripper {
	return paced{p: p, rt: rt}
}

type paced struct {
	p  *Pacer
	rt http.RoundTripper
}

func (t paced) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := t.p.acquire(r.Context()); err != nil {
		return nil, err
	}
	resp, err := t.rt.RoundTrip(r)
	t.p.release(resp)
	return resp, err
}

// acquire waits until the window has room for one more request. When the
// caller's deadline comes before the window's end it refuses at once, with
// how long to wait, rather than sit out the deadline and call it a timeout.
func (p *Pacer) acquire(ctx context.Context) error {
	for {
		p.mu.Lock()
		now := p.now()
		if p.known && !now.Before(p.reset) {
			p.known = false // a new window: the next reply tells its size
		}
		if !p.known || p.remaining-p.inflight > 0 {
			p.inflight++
			p.mu.Unlock()
			return nil
		}
		wait := p.reset.Sub(now)
		if d, ok := ctx.Deadline(); ok && d.Before(p.reset) {
			p.mu.Unlock()
			return &Error{Kind: ErrRateLimited, RetryAfter: max(time.Second, wait.Round(time.Second)), Err: errWindowClosed}
		}
		p.waits++
		p.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// release books a reply's announcement of the window.
func (p *Pacer) release(resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	if resp == nil {
		return
	}
	h := resp.Header
	if resp.StatusCode == http.StatusTooManyRequests {
		if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil {
			p.known, p.remaining = true, 0
			if r := p.now().Add(time.Duration(s) * time.Second); r.After(p.reset) {
				p.reset = r
			}
			return
		}
	}
	rem, err1 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	sec, err2 := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	reset := time.Unix(sec, 0)
	if p.relative {
		reset = p.now().Add(time.Duration(sec) * time.Second).Truncate(time.Second)
	}
	switch {
	case !p.known || reset.After(p.reset):
		// Replies arrive out of order; the newest window wins.
		p.known, p.remaining, p.reset = true, rem, reset
	case reset.Equal(p.reset) && rem < p.remaining:
		p.remaining = rem
	}
}
