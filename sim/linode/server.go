// Package linode simulates the parts of the Linode API v4 that snapdeck uses,
// speaking the real wire format so the real client (linodego) can be tested
// against it and the demo can run without an account.
package linode

import (
	"encoding/json"
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

// DemoToken is the bearer token the simulator accepts when Options.Token is "".
const DemoToken = "snapdeck-demo-token"

// Options tune the simulator.
type Options struct {
	Token      string        // bearer token required; "" means DemoToken
	Latency    time.Duration // added to every request, cancellable via ctx
	RateLimit  int           // requests per RateWindow; 0 = unlimited
	RateWindow time.Duration // default 1 minute
	Now        func() time.Time
	// SnapshotTime is how long a snapshot takes: pending for the first 20%,
	// then running; default 6s.
	SnapshotTime time.Duration
	// RestoreTime is how long a restore takes; default 8s.
	RestoreTime time.Duration
}

// Server is an http.Handler serving a Fleet under /v4/.
type Server struct {
	opts   Options
	routes []route

	requests  atomic.Int64
	mutations atomic.Int64
	inflight  atomic.Int64

	mu          sync.Mutex // guards everything below
	fleet       *Fleet
	byID        map[int]*Instance
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

	events       []*event
	jobs         []job // running snapshots and restores, advanced lazily
	nextEventID  int
	nextBackupID int
}

// New serves f. The Server owns f from now on.
func New(f *Fleet, o Options) *Server {
	if o.Token == "" {
		o.Token = DemoToken
	}
	if o.RateWindow <= 0 {
		o.RateWindow = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SnapshotTime <= 0 {
		o.SnapshotTime = 6 * time.Second
	}
	if o.RestoreTime <= 0 {
		o.RestoreTime = 8 * time.Second
	}
	if f == nil {
		f = &Fleet{}
	}
	s := &Server{opts: o, fleet: f, byID: make(map[int]*Instance, len(f.Instances)), paths: map[string]int64{}, mutPaths: map[string]int64{},
		nextEventID: 870_000_000}
	for _, in := range f.Instances {
		s.byID[in.ID] = in
		for _, b := range in.allBackups() {
			s.nextBackupID = max(s.nextBackupID, b.ID+1)
		}
	}
	s.nextBackupID = max(s.nextBackupID, 390_000_000)
	s.seedEvents()
	s.routes = []route{
		{"GET", "/v4/linode/instances", s.listInstances},
		{"GET", "/v4/linode/instances/{id}", s.getInstance},
		{"PUT", "/v4/linode/instances/{id}", s.updateInstance},
		{"GET", "/v4/linode/instances/{id}/backups", s.listBackups},
		{"POST", "/v4/linode/instances/{id}/backups", s.takeSnapshot},
		{"POST", "/v4/linode/instances/{id}/backups/enable", s.enableBackups},
		{"POST", "/v4/linode/instances/{id}/backups/cancel", s.cancelBackups},
		{"GET", "/v4/linode/instances/{id}/backups/{backupId}", s.getBackup},
		{"POST", "/v4/linode/instances/{id}/backups/{backupId}/restore", s.restoreBackup},
		{"GET", "/v4/account/events", s.listEvents},
	}
	return s
}

// lock takes s.mu and brings running jobs up to Options.Now, so every read
// sees the state the clock implies without background goroutines.
func (s *Server) lock() {
	s.mu.Lock()
	s.advance(s.opts.Now())
}

// Instance returns a deep copy of Linode id as it stands now.
func (s *Server) Instance(id int) (Instance, bool) {
	s.lock()
	defer s.mu.Unlock()
	in := s.byID[id]
	if in == nil {
		return Instance{}, false
	}
	return in.clone(), true
}

// DelayNext makes the next n requests (after auth and faults) run normally,
// state changes included, but holds each reply for d or until the request's
// context ends: a client that gives up first never learns that it worked.
func (s *Server) DelayNext(n int, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delayN, s.delayFor = n, d
}

// HangNext makes the next n requests (after auth and faults) do nothing and
// block until their context ends.
func (s *Server) HangNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangN = n
}

// Mutations counts POST, PUT and DELETE requests that reached a handler:
// past auth, the rate limit and injected faults and hangs.
func (s *Server) Mutations() int64 { return s.mutations.Load() }

// MutationsTo counts the mutations whose path ends with pathSuffix.
func (s *Server) MutationsTo(pathSuffix string) int64 {
	return s.count(s.mutPaths, func(p string) bool { return strings.HasSuffix(p, pathSuffix) })
}

// count adds up the counters of the paths that match, under the lock.
func (s *Server) count(paths map[string]int64, match func(string) bool) int64 {
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

// FailNext makes the next n requests (after auth) answer status with the raw
// body, which may be malformed JSON or HTML. A 429 also carries Retry-After: 1.
func (s *Server) FailNext(n int, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failBody = n, status, body
}

// InFlight counts the requests being handled now; a hung one leaves only
// when its client gives up.
func (s *Server) InFlight() int64 { return s.inflight.Load() }

// Requests counts every request received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// RequestsTo counts requests whose path starts with pathPrefix.
func (s *Server) RequestsTo(pathPrefix string) int64 {
	return s.count(s.paths, func(p string) bool { return strings.HasPrefix(p, pathPrefix) })
}

// params are the {name} segments a route captured.
type params map[string]string

type route struct {
	method, pattern string
	h               func(w http.ResponseWriter, r *http.Request, p params)
}

func (rt route) match(path string) (params, bool) {
	ps := strings.Split(strings.Trim(rt.pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	var p params
	for i, seg := range ps {
		if strings.HasPrefix(seg, "{") {
			if p == nil {
				p = params{}
			}
			p[strings.Trim(seg, "{}")] = xs[i]
		} else if seg != xs[i] {
			return nil, false
		}
	}
	return p, true
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
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
	if r.Header.Get("Authorization") != "Bearer "+s.opts.Token {
		writeError(w, http.StatusUnauthorized, apiReason{Reason: "Invalid Token"})
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
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
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
		writeError(w, http.StatusMethodNotAllowed, apiReason{Reason: "Method Not Allowed"})
		return
	}
	writeError(w, http.StatusNotFound, apiReason{Reason: "Not found"})
}

// admit applies the fixed-window rate limit and sets its headers; false means
// it already answered 429.
func (s *Server) admit(w http.ResponseWriter) bool {
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
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(0, limit-count)))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(reset.UnixNano())/1e9)), 10))
	if count <= limit {
		return true
	}
	wait := int(math.Ceil(reset.Sub(now).Seconds()))
	h.Set("Retry-After", strconv.Itoa(max(1, wait)))
	writeError(w, http.StatusTooManyRequests, apiReason{Reason: "Too many requests"})
	return false
}

func (s *Server) takeFault() (int, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failN <= 0 {
		return 0, "", false
	}
	s.failN--
	return s.failStatus, s.failBody, true
}

// takeStall consumes one HangNext or DelayNext, hangs first.
func (s *Server) takeStall() (hang bool, delay time.Duration) {
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

type apiReason struct {
	Reason string `json:"reason"`
	Field  string `json:"field,omitempty"`
}

// writeJSON sets exactly "application/json": linodego compares the error
// reply's Content-Type with its Accept header byte for byte.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"reason":"internal error"}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, reasons ...apiReason) {
	writeJSON(w, status, struct {
		Errors []apiReason `json:"errors"`
	}{reasons})
}

func notFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, apiReason{Reason: "Not found"})
}

// instance looks up {id}; the caller holds s.mu.
func (s *Server) instance(p params) *Instance {
	id, err := strconv.Atoi(p["id"])
	if err != nil {
		return nil
	}
	return s.byID[id]
}

func (s *Server) listInstances(w http.ResponseWriter, r *http.Request, _ params) {
	page, size, ok := pageParams(w, r)
	if !ok {
		return
	}
	match, ok := filterParam(w, r, instanceField)
	if !ok {
		return
	}

	s.lock()
	var hits []*Instance
	for _, in := range s.fleet.Instances {
		if match(in) {
			hits = append(hits, in)
		}
	}
	page, pages, lo, hi := window(page, size, len(hits))
	data := make([]instanceJSON, 0, hi-lo)
	for _, in := range hits[lo:hi] {
		data = append(data, renderInstance(in))
	}
	s.mu.Unlock()

	writePage(w, data, page, pages, len(hits))
}

// writePage answers a list in Linode's page envelope.
func writePage[T any](w http.ResponseWriter, data []T, page, pages, results int) {
	writeJSON(w, http.StatusOK, struct {
		Data    []T `json:"data"`
		Page    int `json:"page"`
		Pages   int `json:"pages"`
		Results int `json:"results"`
	}{data, page, pages, results})
}

// pageParams reads page and page_size as the API does; false means it
// already answered 400.
func pageParams(w http.ResponseWriter, r *http.Request) (page, size int, ok bool) {
	q := r.URL.Query()
	page, size = 1, 100
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, apiReason{Reason: "page must be a positive integer", Field: "page"})
			return 0, 0, false
		}
		page = n
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 25 || n > 500 {
			writeError(w, http.StatusBadRequest, apiReason{Reason: "Must be a value between 25 and 500", Field: "page_size"})
			return 0, 0, false
		}
		size = n
	}
	return page, size, true
}

// window clamps page to the last one, as the API does for a page past the
// end, and returns the slice bounds of that page among n items.
func window(page, size, n int) (p, pages, lo, hi int) {
	pages = max(1, (n+size-1)/size)
	p = min(page, pages)
	lo = min((p-1)*size, n)
	return p, pages, lo, min(lo+size, n)
}

// filterParam compiles the X-Filter header; false means it already answered
// 400.
func filterParam[T any](w http.ResponseWriter, r *http.Request, f fields[T]) (predicate[T], bool) {
	xf := r.Header.Get("X-Filter")
	if strings.TrimSpace(xf) == "" {
		return func(T) bool { return true }, true
	}
	m, err := compileFilter(xf, f)
	if err != nil {
		writeError(w, http.StatusBadRequest, apiReason{Reason: err.Error(), Field: "X-Filter"})
		return nil, false
	}
	return m, true
}

func (s *Server) getInstance(w http.ResponseWriter, _ *http.Request, p params) {
	s.lock()
	in := s.instance(p)
	var v instanceJSON
	if in != nil {
		v = renderInstance(in)
	}
	s.mu.Unlock()
	if in == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listBackups(w http.ResponseWriter, _ *http.Request, p params) {
	s.lock()
	in := s.instance(p)
	if in == nil {
		s.mu.Unlock()
		notFound(w)
		return
	}
	v := backupsJSON{Automatic: make([]backupJSON, 0, len(in.Automatic))}
	for _, b := range in.Automatic {
		v.Automatic = append(v.Automatic, renderBackup(b))
	}
	if in.Current != nil {
		c := renderBackup(in.Current)
		v.Snapshot.Current = &c
	}
	if in.InProgress != nil {
		c := renderBackup(in.InProgress)
		v.Snapshot.InProgress = &c
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) getBackup(w http.ResponseWriter, _ *http.Request, p params) {
	bid, err := strconv.Atoi(p["backupId"])
	s.lock()
	in := s.instance(p)
	var found *backupJSON
	if in != nil && err == nil {
		for _, b := range in.allBackups() {
			if b.ID == bid {
				v := renderBackup(b)
				found = &v
				break
			}
		}
	}
	s.mu.Unlock()
	if found == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, found)
}
