package client

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
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
	// retryAfterOnly: the API announces no window (Civo, Superb Flex
	// Cloud), so X-RateLimit headers, which something in front of it might
	// send in a shape of its own, are not read; only a 429's Retry-After.
	retryAfterOnly bool
}

var errWindowClosed = errors.New("the rate-limit window is used up")

// MaxRetryAfter is the longest a server may hold an account back, by a
// 429's Retry-After or an X-RateLimit-Reset: one reply asking for
// 999999999 s would otherwise lock the account (and, on a bastion, every
// session sharing its Pacer) until restart. After it, "r" sends again; a
// server still over its limit says so with another 429.
const MaxRetryAfter = 10 * time.Minute

// CapRetryAfter bounds a wait a server asked for to [0, MaxRetryAfter].
func CapRetryAfter(d time.Duration) time.Duration { return min(max(d, 0), MaxRetryAfter) }

// RetryAfterSeconds reads a header's count of seconds (Retry-After,
// Northflank's X-RateLimit-Reset), capped at MaxRetryAfter before it is made
// a Duration, which 99999999999 s would overflow. ok is false for anything
// but digits.
func RetryAfterSeconds(v string) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.TrimLeft(v, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n > int64(MaxRetryAfter/time.Second) {
		return MaxRetryAfter, true // only digits: too many of them
	}
	return time.Duration(n) * time.Second, true
}

// RetryAfterHeader reads a Retry-After header, in seconds or as an HTTP
// date (seen from now), capped at MaxRetryAfter. ok is false for anything
// else, an empty header included.
func RetryAfterHeader(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if d, ok := RetryAfterSeconds(v); ok {
		return d, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return CapRetryAfter(t.Sub(now).Round(time.Second)), true
	}
	return 0, false
}

// NewPacer returns a Pacer on the wall clock for an API whose
// X-RateLimit-Reset is the reset's Unix time.
func NewPacer() *Pacer { return &Pacer{now: time.Now} }

// NewRelativePacer returns a Pacer for an API whose X-RateLimit-Reset is
// the seconds left until the reset.
func NewRelativePacer() *Pacer { return &Pacer{now: time.Now, relative: true} }

// NewRetryAfterPacer returns a Pacer for an API that announces no rate
// limit but answers 429 with Retry-After: it holds every request of the
// account back until the Retry-After of the latest 429 has run, so that one
// caller's 429 is every caller's wait instead of each caller (each session
// of a bastion) learning the limit from a 429 of its own.
func NewRetryAfterPacer() *Pacer { return &Pacer{now: time.Now, retryAfterOnly: true} }

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
		if d, ok := RetryAfterHeader(h.Get("Retry-After"), p.now()); ok {
			p.known, p.remaining = true, 0
			if r := p.now().Add(d); r.After(p.reset) {
				p.reset = r
			}
			return
		}
	}
	if p.retryAfterOnly {
		return
	}
	rem, err1 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	sec, err2 := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	now := p.now()
	var reset time.Time
	if p.relative {
		d, _ := RetryAfterSeconds(strconv.FormatInt(max(sec, 0), 10))
		reset = now.Add(d).Truncate(time.Second)
	} else {
		// A window ending further off than a server may ask is capped.
		reset = time.Unix(sec, 0)
		if limit := now.Add(MaxRetryAfter); reset.After(limit) {
			reset = limit
		}
	}
	switch {
	case !p.known || reset.After(p.reset):
		// Replies arrive out of order; the newest window wins.
		p.known, p.remaining, p.reset = true, rem, reset
	case reset.Equal(p.reset) && rem < p.remaining:
		p.remaining = rem
	}
}
