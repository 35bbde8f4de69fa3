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
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

// DemoToken is the bearer token the simulator accepts when Options.Token is "".
const DemoToken = "snapdeck-demo-token"

// Options tune the simulator.
type Options struct {
	sim.Options        // the chassis's: latency, rate limit, clock
	Token       string // bearer token required; "" means DemoToken
	// SnapshotTime is how long a snapshot takes: pending for the first 20%,
	// then running; default 6s.
	SnapshotTime time.Duration
	// RestoreTime is how long a restore takes; default 8s.
	RestoreTime time.Duration
}

// Server is an http.Handler serving a Fleet under /v4/.
type Server struct {
	*sim.Chassis // routing, auth, rate limit, latency, faults, counters
	opts         Options

	mu    sync.Mutex // guards everything below
	fleet *Fleet
	byID  map[int]*Instance

	events       []*event
	jobs         sim.Jobs // running snapshots and restores, advanced lazily
	nextEventID  int
	nextBackupID int

	db *dbState // Managed Databases (databases.go)
}

// New serves f. The Server owns f from now on.
func New(f *Fleet, o Options) *Server {
	if o.Token == "" {
		o.Token = DemoToken
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
	s := &Server{opts: o, fleet: f, byID: make(map[int]*Instance, len(f.Instances)), nextEventID: 870_000_000}
	s.Chassis = sim.NewChassis(dialect(o.Token), o.Options)
	for _, in := range f.Instances {
		s.byID[in.ID] = in
		for _, b := range in.allBackups() {
			s.nextBackupID = max(s.nextBackupID, b.ID+1)
		}
	}
	s.nextBackupID = max(s.nextBackupID, 390_000_000)
	s.seedEvents()
	for _, rt := range []struct {
		method, pattern string
		h               sim.HandlerFunc
	}{
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
	} {
		s.Handle(rt.method, rt.pattern, rt.h)
	}
	s.registerDatabases()
	return s
}

// lock takes s.mu and brings running jobs up to Options.Now, so every read
// sees the state the clock implies without background goroutines.
func (s *Server) lock() {
	s.mu.Lock()
	s.advance(s.Now())
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

type params = sim.Params

// dialect is how Linode answers auth failures, errors and rate limits.
func dialect(token string) sim.Dialect {
	return sim.Dialect{
		Authorized: func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+token },
		Unauthorized: func(w http.ResponseWriter) {
			writeError(w, http.StatusUnauthorized, apiReason{Reason: "Invalid Token"})
		},
		Error: func(w http.ResponseWriter, status int, reason string) {
			writeError(w, status, apiReason{Reason: reason})
		},
		RateHeaders: func(h http.Header, limit, remaining int, reset time.Time) {
			h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
			h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
			h.Set("X-RateLimit-Reset", strconv.FormatInt(int64(math.Ceil(float64(reset.UnixNano())/1e9)), 10))
		},
		Identity: []string{"id", "label", "status", "created", "pages", "page", "results", "data", "automatic", "snapshot"},
	}
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
