package client

import (
	"context"
	"strconv"
	"sync"
	"time"
)

// DefaultFresh is how long a ReadCache reuses a finished read: shorter than
// the TUI's slowest poll, so that a screen still sees a job move on.
const DefaultFresh = 2 * time.Second

// maxSharedRead bounds a read that Shared detached from its callers'
// contexts, should the first caller have no deadline.
const maxSharedRead = 5 * time.Minute

// ReadCache is one account's reads, shared by everyone reading the account
// through Shared: the sessions of `snapdeck serve`. Identical reads made
// while one is in flight wait for it instead of sending their own, and a
// finished read is reused while younger than its freshness window. Any
// change made through it (a snapshot, a restore, a delete…) forgets every
// read, so that no reader sees the account as it was before the change.
// Errors are shared by those who waited for them, never kept.
type ReadCache struct {
	fresh time.Duration
	now   func() time.Time

	mu    sync.Mutex
	views int
	reads map[string]*sharedRead
	swept time.Time
	sent  int64 // reads sent to the provider
	saved int64 // reads answered without sending
}

// NewReadCache returns an empty cache whose finished reads are reused for
// fresh (0: only while in flight).
func NewReadCache(fresh time.Duration) *ReadCache {
	return &ReadCache{fresh: max(fresh, 0), now: time.Now, reads: map[string]*sharedRead{}}
}

// Stats counts the reads sent to the provider and those answered by one
// sent for another caller.
func (rc *ReadCache) Stats() (sent, saved int64) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.sent, rc.saved
}

// sharedRead is one read sent for everyone who asks for it meanwhile.
type sharedRead struct {
	key     string
	start   time.Time
	done    chan struct{} // closed when val and err are set
	val     any
	err     error
	waiters int // callers waiting; the read is called off when none is left
	cancel  context.CancelFunc
}

func (r *sharedRead) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

type readAfterKey struct{}

// ReadAfter marks ctx so that a read under it through Shared is answered
// only by one sent at or after t, never by an older one: an explicit
// refresh asks for data read after the key press.
func ReadAfter(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, readAfterKey{}, t)
}

// Shared wraps p, one view of the account rc belongs to, so that its reads
// go through rc. Put it over Sanitized and under each reader's own ReadOnly
// and Audited: Audited(ReadOnly(Shared(Sanitized(p), rc)), …). A reader
// whose context ends stops waiting; the read goes on for the others, until
// the last of them leaves. Writes are never shared: each is sent, and
// forgets every read of the account, before it is sent and after it ends.
func Shared(p Provider, rc *ReadCache) Provider {
	rc.mu.Lock()
	rc.views++
	view := rc.views
	rc.mu.Unlock()
	return decorated{p: p, layer: share{rc: rc, view: strconv.Itoa(view)}}
}

// share is Shared's layer.
type share struct {
	rc   *ReadCache
	view string
}

func (s share) around(c *call, next func() error) error {
	if !c.read {
		s.rc.forget()
		defer s.rc.forget()
		return next()
	}
	if !c.has || c.fetch == nil || c.adopt == nil {
		return next()
	}
	key := s.view + "\x00" + c.rec.Action + "\x00" + c.rec.Resource + "\x00" + c.rec.Backup + "\x00" + c.args
	r, waiting := s.rc.join(c.ctx, key, c.fetch)
	if waiting {
		select {
		case <-r.done:
		case <-c.ctx.Done():
			s.rc.leave(r)
			return ContextError(c.ctx)
		}
	}
	c.adopt(r.val)
	return r.err
}

// join finds the read to answer a caller: a fresh finished one (waiting
// false), one in flight, or a new one.
func (rc *ReadCache) join(ctx context.Context, key string, fetch func(context.Context) (any, error)) (r *sharedRead, waiting bool) {
	after, _ := ctx.Value(readAfterKey{}).(time.Time)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	now := rc.now()
	rc.sweep(now)
	if r := rc.reads[key]; r != nil && !r.start.Before(after) {
		if !r.finished() {
			r.waiters++
			rc.saved++
			return r, true
		}
		if r.err == nil && now.Sub(r.start) < rc.fresh {
			rc.saved++
			return r, false
		}
	}
	// The read is detached from this caller's cancellation (others may
	// come to wait for it) but not from its deadline.
	dctx := context.WithoutCancel(ctx)
	var cancel context.CancelFunc
	if d, ok := ctx.Deadline(); ok {
		dctx, cancel = context.WithDeadline(dctx, d)
	} else {
		dctx, cancel = context.WithTimeout(dctx, maxSharedRead)
	}
	r = &sharedRead{key: key, start: now, done: make(chan struct{}), waiters: 1, cancel: cancel}
	rc.reads[key] = r
	rc.sent++
	go func() {
		val, err := fetch(dctx)
		cancel()
		rc.mu.Lock()
		r.val, r.err = val, err
		if err != nil && rc.reads[key] == r {
			delete(rc.reads, key)
		}
		close(r.done)
		rc.mu.Unlock()
	}()
	return r, true
}

// leave is a waiter giving up; the last one calls the read off.
func (rc *ReadCache) leave(r *sharedRead) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	r.waiters--
	if r.waiters > 0 || r.finished() {
		return
	}
	if rc.reads[r.key] == r {
		delete(rc.reads, r.key)
	}
	r.cancel()
}

// forget drops every read: those in flight finish for their waiters, but
// nobody new joins them.
func (rc *ReadCache) forget() {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	clear(rc.reads)
}

// sweep drops finished reads past their freshness, at most once a window.
func (rc *ReadCache) sweep(now time.Time) {
	if now.Sub(rc.swept) < max(rc.fresh, time.Second) {
		return
	}
	rc.swept = now
	for k, r := range rc.reads {
		if r.finished() && now.Sub(r.start) >= rc.fresh {
			delete(rc.reads, k)
		}
	}
}
