// Package linode simulates the parts of the Linode API v4 that snapdeck uses,
// speaking the real wire format so the real client (linodego) can be tested
// against it and the demo can run without an account.
package linode

import (
	"encoding/json"
	"math"
	"net/http"
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
}

// Server is an http.Handler serving a Fleet under /v4/.
type Server struct {
	opts   Options
	routes []route

	requests atomic.Int64

	mu          sync.Mutex // guards everything below
	fleet       *Fleet
	byID        map[int]*Instance
	paths       map[string]int64
	windowStart time.Time
	windowCount int
	failN       int
	failStatus  int
	failBody    string
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
	if f == nil {
		f = &Fleet{}
	}
	s := &Server{opts: o, fleet: f, byID: make(map[int]*Instance, len(f.Instances)), paths: map[string]int64{}}
	for _, in := range f.Instances {
		s.byID[in.ID] = in
	}
	// Write endpoints (snapshot, restore, enable, cancel, PUT instance,
	// account events) slot in here as more rows.
	s.routes = []route{
		{"GET", "/v4/linode/instances", s.listInstances},
		{"GET", "/v4/linode/instances/{id}", s.getInstance},
		{"GET", "/v4/linode/instances/{id}/backups", s.listBackups},
		{"GET", "/v4/linode/instances/{id}/backups/{backupId}", s.getBackup},
	}
	return s
}

// FailNext makes the next n requests (after auth) answer status with the raw
// body, which may be malformed JSON or HTML. A 429 also carries Retry-After: 1.
func (s *Server) FailNext(n int, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failStatus, s.failBody = n, status, body
}

// Requests counts every request received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// RequestsTo counts requests whose path starts with pathPrefix.
func (s *Server) RequestsTo(pathPrefix string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for p, c := range s.paths {
		if strings.HasPrefix(p, pathPrefix) {
			n += c
		}
	}
	return n
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

	allowed := []string{}
	for _, rt := range s.routes {
		p, ok := rt.match(r.URL.Path)
		if !ok {
			continue
		}
		if rt.method == r.Method {
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
	q := r.URL.Query()
	page, size := 1, 100
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, apiReason{Reason: "page must be a positive integer", Field: "page"})
			return
		}
		page = n
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 25 || n > 500 {
			writeError(w, http.StatusBadRequest, apiReason{Reason: "Must be a value between 25 and 500", Field: "page_size"})
			return
		}
		size = n
	}
	match := func(*Instance) bool { return true }
	if xf := r.Header.Get("X-Filter"); strings.TrimSpace(xf) != "" {
		m, err := compileFilter(xf)
		if err != nil {
			writeError(w, http.StatusBadRequest, apiReason{Reason: err.Error(), Field: "X-Filter"})
			return
		}
		match = m
	}

	s.mu.Lock()
	var hits []*Instance
	for _, in := range s.fleet.Instances {
		if match(in) {
			hits = append(hits, in)
		}
	}
	pages := max(1, (len(hits)+size-1)/size)
	// Per the API docs a page past the end yields the last page.
	page = min(page, pages)
	lo := min((page-1)*size, len(hits))
	hi := min(lo+size, len(hits))
	data := make([]instanceJSON, 0, hi-lo)
	for _, in := range hits[lo:hi] {
		data = append(data, renderInstance(in))
	}
	s.mu.Unlock()

	writeJSON(w, http.StatusOK, struct {
		Data    []instanceJSON `json:"data"`
		Page    int            `json:"page"`
		Pages   int            `json:"pages"`
		Results int            `json:"results"`
	}{data, page, pages, len(hits)})
}

func (s *Server) getInstance(w http.ResponseWriter, _ *http.Request, p params) {
	s.mu.Lock()
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
	s.mu.Lock()
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
	s.mu.Lock()
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
