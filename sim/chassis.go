package sim

import (
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Dialect is what differs between providers in the parts every simulator
// shares: how a request proves who it is and how errors and rate limits
// look on the wire.
type Dialect struct {
	// Authorized reports whether r carries the account's credential.
	Authorized func(r *http.Request) bool
	// Unauthorized answers a request that does not (status, headers, body).
	Unauthorized func(w http.ResponseWriter)
	// Error writes the provider's error body with one reason.
	Error func(w http.ResponseWriter, status int, reason string)
	// RateHeaders sets the provider's rate-limit headers on every reply
	// while a limit is on; nil sets none.
	RateHeaders func(h http.Header, limit, remaining int, reset time.Time)
	// Identity lists the JSON fields FaultMissing drops: what identifies an
	// item and what pages a list.
	Identity []string
}

// Options are the switches every simulator has.
type Options struct {
	Latency    time.Duration // added to every request, cancellable via ctx
	RateLimit  int           // requests per RateWindow; 0 = unlimited
	RateWindow time.Duration // default 1 minute
	Now        func() time.Time
}

// Params are the {name} segments a route captured.
type Params map[string]string

// HandlerFunc serves one route.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, p Params)

type route struct {
	method, pattern string
	h               HandlerFunc
}

// Chassis is the http.Handler every simulated cloud is built on: routing,
// latency, a fixed-window rate limit, auth, injected faults, hangs and
// delays, and counters that tests read. A provider's simulator embeds it and
// adds its routes with Handle.
type Chassis struct {
	d      Dialect
	opts   Options
	routes []route

	requests  atomic.Int64
	mutations atomic.Int64
	inflight  atomic.Int64

	mu          sync.Mutex // guards everything below
	paths       map[string]int64
	mutPaths    map[string]int64
	windowStart time.Time
	windowCount int
	failN       int
	failStatus  int
	failBody    string
	hangN       int
	delayN      int
	delayFor    time.Duration
	faults      faultState
}

// NewChassis returns a Chassis with no routes.
func NewChassis(d Dialect, o Options) *Chassis {
	if o.RateWindow <= 0 {
		o.RateWindow = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Chassis{d: d, opts: o, paths: map[string]int64{}, mutPaths: map[string]int64{}}
}

// Handle adds a route; {name} segments of pattern match any one segment.
func (s *Chassis) Handle(method, pattern string, h HandlerFunc) {
	s.routes = append(s.routes, route{method, pattern, h})
}

// Now is the simulator's clock.
func (s *Chassis) Now() time.Time { return s.opts.Now() }

// WriteError writes the provider's error body.
func (s *Chassis) WriteError(w http.ResponseWriter, status int, reason string) {
	s.d.Error(w, status, reason)
}

// DelayNext makes the next n requests (after auth and faults) run normally,
// state changes included, but holds each reply for d or until the request's
// context ends: a client that gives up first never learns that it worked.
func (s *Chassis) DelayNext(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delayN, s.delayFor = n, d
}

// HangNext makes the next n requests (after auth and faults) do nothing and
// block until their context ends.
func (s *Chassis) HangNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangN = n
}

// FailNext makes the next n requests (after auth) answer status with the raw
// body, which may be malformed JSON or HTML. A 429 also carries Retry-After: 1.
func (s *Chassis) FailNext(n int, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failBody = n, status, body
}

// Mutations counts POST, PUT, PATCH and DELETE requests that reached a
// handler: past auth, the rate limit and injected faults and hangs.
func (s *Chassis) Mutations() int64 { return s.mutations.Load() }

// MutationsTo counts the mutations whose path ends with pathSuffix.
func (s *Chassis) MutationsTo(pathSuffix string) int64 {
	return s.count(s.mutPaths, func(p string) bool { return strings.HasSuffix(p, pathSuffix) })
}

// InFlight counts the requests being handled now; a hung one leaves only
// when its client gives up.
func (s *Chassis) InFlight() int64 { return s.inflight.Load() }

// Requests counts every request received.
func (s *Chassis) Requests() int64 { return s.requests.Load() }

// RequestsTo counts requests whose path starts with pathPrefix.
func (s *Chassis) RequestsTo(pathPrefix string) int64 {
	return s.count(s.paths, func(p string) bool { return strings.HasPrefix(p, pathPrefix) })
}

// count adds up the counters of the paths that match, under the lock.
func (s *Chassis) count(paths map[string]int64, match func(string) bool) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for p, c := range paths {
		if match(p) {
			n += c
		}
	}
	return n
}

func (rt route) match(path string) (Params, bool) {
	ps := strings.Split(strings.Trim(rt.pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	var p Params
	for i, seg := range ps {
		if strings.HasPrefix(seg, "{") {
			if p == nil {
				p = Params{}
			}
			p[strings.Trim(seg, "{}")] = xs[i]
		} else if seg != xs[i] {
			return nil, false
		}
	}
	return p, true
}

// ServeHTTP implements http.Handler.
func (s *Chassis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	s.mu.Lock()
	s.paths[r.URL.Path]++
	s.mu.Unlock()

	if d := s.opts.Latency; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if !s.admit(w) {
		return
	}
	if !s.d.Authorized(r) {
		s.d.Unauthorized(w)
		return
	}
	if status, body, ok := s.takeFault(); ok {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		if strings.HasPrefix(strings.TrimSpace(body), "<") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return
	}
	if f, cfg := s.pickFault(r); s.serveFault(w, r, f, cfg) {
		return
	}
	hang, delay := s.takeStall()
	if hang {
		// net/http notices a client hanging up only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
		return
	}
	if delay > 0 {
		rec := httptest.NewRecorder()
		s.dispatch(rec, r)
		_, _ = io.Copy(io.Discard, r.Body) // see the hang above
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	s.dispatch(w, r)
}

// dispatch routes a request that passed auth, the rate limit and faults.
func (s *Chassis) dispatch(w http.ResponseWriter, r *http.Request) {
	allowed := []string{}
	for _, rt := range s.routes {
		p, ok := rt.match(r.URL.Path)
		if !ok {
			continue
		}
		if rt.method == r.Method {
			if r.Method != http.MethodGet {
				s.mutations.Add(1)
				s.mu.Lock()
				s.mutPaths[r.URL.Path]++
				s.mu.Unlock()
			}
			rt.h(w, r, p)
			return
		}
		allowed = append(allowed, rt.method)
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.d.Error(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	s.d.Error(w, http.StatusNotFound, "Not found")
}

// admit applies the fixed-window rate limit and sets its headers; false means
// it already answered 429.
func (s *Chassis) admit(w http.ResponseWriter) bool {
	limit := s.opts.RateLimit
	if limit <= 0 {
		return true
	}
	now := s.opts.Now()
	s.mu.Lock()
	if s.windowStart.IsZero() || !now.Before(s.windowStart.Add(s.opts.RateWindow)) {
		s.windowStart, s.windowCount = now, 0
	}
	s.windowCount++
	count := s.windowCount
	reset := s.windowStart.Add(s.opts.RateWindow)
	s.mu.Unlock()

	h := w.Header()
	if s.d.RateHeaders != nil {
		s.d.RateHeaders(h, limit, max(0, limit-count), reset)
	}
	if count <= limit {
		return true
	}
	wait := int(math.Ceil(reset.Sub(now).Seconds()))
	h.Set("Retry-After", strconv.Itoa(max(1, wait)))
	s.d.Error(w, http.StatusTooManyRequests, "Too many requests")
	return false
}

func (s *Chassis) takeFault() (int, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN <= 0 {
		return 0, "", false
	}
	s.failN--
	return s.failStatus, s.failBody, true
}

// takeStall consumes one HangNext or DelayNext, hangs first.
func (s *Chassis) takeStall() (hang bool, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hangN > 0 {
		s.hangN--
		return true, 0
	}
	if s.delayN > 0 {
		s.delayN--
		return false, s.delayFor
	}
	return false, 0
}
