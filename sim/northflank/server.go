// Package northflank simulates the parts of the Northflank API v1 that
// snapdeck uses: projects, their addons, and the addons' backups and
// restores.
//
// Wire format followed (Northflank's API reference, northflank.com/docs/v1/api,
// as mirrored in github.com/northflank/skills references/api and in
// /work/shared/api/northflank-addon-backups.txt):
//   - auth: "Authorization: Bearer <token>"; base https://api.northflank.com.
//   - lists: {"data": {"projects"|"addons"|"backups"|"restores": […]},
//     "pagination": {"hasNextPage", "cursor" (only when there is a next
//     page), "count"}}; query per_page (default 50, at most 100), page and
//     cursor (the opaque value from the previous reply).
//   - single objects and mutations: {"data": {…}}; abort and delete answer
//     {"data": {}}, restore {"data": {"restoreId"}}.
//   - errors: {"error": {"status", "message", "id", "details"}}; details
//     (field → messages, Joi-style wording) is our reading for validation
//     failures, which the reference does not spell out.
//   - rate limit: 1000 requests per hour by default, announced in
//     x-ratelimit-limit, x-ratelimit-remaining and x-ratelimit-reset
//     (seconds until the window resets).
//   - backup statuses scheduled, in-progress, completed, aborting, aborted,
//     failed, not-supported; addon statuses as get-addon lists them.
//   - backup bodies: the union of the fields the list and get pages document
//     (the list adds compressionType, additionalDestinations and
//     customDestinationId, the get adds lastRestore).
//
// What the reference does not say and is our choice: the refusals (409 for a
// state conflict, 400 for a bad body), one backup at a time per addon,
// restores only of completed backups, and a dump of an addon type without
// native dumps recorded as a backup in status not-supported.
package northflank

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

// DemoToken is the API token the simulator accepts when Options.Token is "".
const DemoToken = "snapdeck-demo-northflank-token"

// Options tune the simulator.
type Options struct {
	// the chassis's: latency, rate limit (the real API allows 1000 an
	// hour, so RateWindow defaults to 1 hour here), clock
	sim.Options
	Token string // bearer token required; "" means DemoToken
	// JobTime is how long a backup takes: scheduled for the first 20%,
	// then in-progress; default 6s.
	JobTime time.Duration
	// RestoreTime is how long a restore takes; default 8s.
	RestoreTime time.Duration
	// AbortTime is how long a backup stays aborting; default 2s.
	AbortTime time.Duration
}

// Server is an http.Handler serving a Fleet under /v1/.
type Server struct {
	*sim.Chassis // routing, auth, rate limit, latency, faults, counters
	opts         Options

	mu       sync.Mutex // guards everything below
	fleet    *Fleet
	projects map[string]*Project
	addons   map[string]*Addon // "projectId/addonId"
	dests    map[string]bool   // nil accepts any destination
	jobs     sim.Jobs          // running backups, aborts and restores
	ids      *ids
	errN     atomic.Uint64
}

// New serves f. The Server owns f from now on.
func New(f *Fleet, o Options) *Server {
	if o.Token == "" {
		o.Token = DemoToken
	}
	if o.RateWindow <= 0 {
		o.RateWindow = time.Hour
	}
	if o.JobTime <= 0 {
		o.JobTime = 6 * time.Second
	}
	if o.RestoreTime <= 0 {
		o.RestoreTime = 8 * time.Second
	}
	if o.AbortTime <= 0 {
		o.AbortTime = 2 * time.Second
	}
	if f == nil {
		f = &Fleet{}
	}
	s := &Server{opts: o, fleet: f, projects: map[string]*Project{}, addons: map[string]*Addon{}, ids: newIDs(7)}
	if f.Destinations != nil {
		s.dests = map[string]bool{}
		for _, d := range f.Destinations {
			s.dests[d] = true
		}
	}
	s.Chassis = sim.NewChassis(s.dialect(), o.Options)
	for _, p := range f.Projects {
		s.projects[p.ID] = p
		for _, a := range p.Addons {
			s.addons[p.ID+"/"+a.ID] = a
			s.resume(a)
		}
	}
	const addon = "/v1/projects/{projectId}/addons/{addonId}"
	for _, rt := range []struct {
		method, pattern string
		h               sim.HandlerFunc
	}{
		{"GET", "/v1/projects", s.listProjects},
		{"GET", "/v1/backup-destinations", s.listDestinations},
		{"GET", "/v1/projects/{projectId}", s.getProject},
		{"GET", "/v1/projects/{projectId}/addons", s.listAddons},
		{"GET", addon, s.getAddon},
		{"GET", addon + "/backups", s.listBackups},
		{"POST", addon + "/backups", s.createBackup},
		{"GET", addon + "/backups/{backupId}", s.getBackup},
		{"DELETE", addon + "/backups/{backupId}", s.deleteBackup},
		{"POST", addon + "/backups/{backupId}/abort", s.abortBackup},
		{"POST", addon + "/backups/{backupId}/restore", s.restoreBackup},
		{"GET", addon + "/backups/{backupId}/restores", s.listBackupRestores},
		{"GET", addon + "/restores", s.listRestores},
	} {
		s.Handle(rt.method, rt.pattern, rt.h)
	}
	return s
}

// lock takes s.mu and brings running jobs up to Options.Now, so every read
// sees the state the clock implies without background goroutines.
func (s *Server) lock() {
	s.mu.Lock()
	s.advance(s.Now())
}

// Addon returns a deep copy of an addon as it stands now.
func (s *Server) Addon(projectID, addonID string) (Addon, bool) {
	s.lock()
	defer s.mu.Unlock()
	a := s.addons[projectID+"/"+addonID]
	if a == nil {
		return Addon{}, false
	}
	return a.clone(), true
}

// Backup returns a copy of one backup as it stands now.
func (s *Server) Backup(projectID, addonID, backupID string) (Backup, bool) {
	a, ok := s.Addon(projectID, addonID)
	if !ok {
		return Backup{}, false
	}
	if b := a.backup(backupID); b != nil {
		return *b, true
	}
	return Backup{}, false
}

type params = sim.Params

func (s *Server) dialect() sim.Dialect {
	return sim.Dialect{
		Authorized: func(r *http.Request) bool {
			return r.Header.Get("Authorization") == "Bearer "+s.opts.Token
		},
		Unauthorized: func(w http.ResponseWriter) {
			s.writeError(w, http.StatusUnauthorized, "Unauthorized: the API token is missing, invalid or revoked", nil)
		},
		Error: func(w http.ResponseWriter, status int, reason string) {
			s.writeError(w, status, reason, nil)
		},
		RateHeaders: func(h http.Header, limit, remaining int, reset time.Time) {
			h.Set("x-ratelimit-limit", strconv.Itoa(limit))
			h.Set("x-ratelimit-remaining", strconv.Itoa(remaining))
			secs := int(math.Ceil(reset.Sub(s.Now()).Seconds()))
			h.Set("x-ratelimit-reset", strconv.Itoa(max(0, secs)))
		},
		Identity: []string{"id", "name", "status", "data", "pagination", "hasNextPage", "projects", "addons", "backups", "restores"},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"status":500,"message":"Internal server error"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers in Northflank's error envelope, with a fresh error ID.
func (s *Server) writeError(w http.ResponseWriter, status int, message string, details map[string][]string) {
	writeJSON(w, status, s.errorBody(status, message, details))
}

func (s *Server) errorBody(status int, message string, details map[string][]string) errorBody {
	n := s.errN.Add(1)
	return errorBody{errorJSON{Status: status, Message: message, ID: fmt.Sprintf("%08x-e44d-4c3a-9d1e-%012x", uint32(n*2654435761), n), Details: details}}
}

// dataJSON wraps v in {"data": v}.
type dataJSON[T any] struct {
	Data T `json:"data"`
}

// list answers one page of a list in Northflank's envelope under data.<key>.
func list[T any](w http.ResponseWriter, key string, items []T, pg page) {
	lo := min(pg.offset, len(items))
	hi := min(lo+pg.size, len(items))
	p := paginationJSON{HasNextPage: hi < len(items), Count: hi - lo}
	if p.HasNextPage {
		p.Cursor = encodeCursor(hi)
	}
	out := items[lo:hi]
	if out == nil {
		out = []T{}
	}
	writeJSON(w, http.StatusOK, struct {
		Data       map[string][]T `json:"data"`
		Pagination paginationJSON `json:"pagination"`
	}{map[string][]T{key: out}, p})
}

type page struct{ offset, size int }

// pageParams reads per_page, page and cursor; false means it already
// answered 400.
func (s *Server) pageParams(w http.ResponseWriter, r *http.Request) (page, bool) {
	q := r.URL.Query()
	pg := page{size: 50}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			s.writeError(w, http.StatusBadRequest, `"per_page" must be an integer from 1 to 100`, map[string][]string{"per_page": {`"per_page" must be less than or equal to 100`}})
			return page{}, false
		}
		pg.size = n
	}
	if v := q.Get("cursor"); v != "" {
		off, ok := decodeCursor(v)
		if !ok {
			s.writeError(w, http.StatusBadRequest, "Invalid pagination cursor", map[string][]string{"cursor": {`"cursor" is not a cursor this endpoint issued`}})
			return page{}, false
		}
		pg.offset = off
		return pg, true
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, http.StatusBadRequest, `"page" must be a positive integer`, map[string][]string{"page": {`"page" must be greater than or equal to 1`}})
			return page{}, false
		}
		pg.offset = (n - 1) * pg.size
	}
	return pg, true
}

// Cursors are opaque to clients; here they carry the offset of the next item.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("nf1:" + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, bool) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "nf1:") {
		return 0, false
	}
	n, err := strconv.Atoi(string(b[4:]))
	return n, err == nil && n >= 0
}

// lookup finds {projectId} and {addonId}; the caller holds s.mu. It returns
// the message of the 404 when one is missing.
func (s *Server) lookup(p params) (*Project, *Addon, string) {
	pr := s.projects[p["projectId"]]
	if pr == nil {
		return nil, nil, "Project not found"
	}
	if _, ok := p["addonId"]; !ok {
		return pr, nil, ""
	}
	a := s.addons[pr.ID+"/"+p["addonId"]]
	if a == nil {
		return pr, nil, "Addon not found"
	}
	return pr, a, ""
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, _ params) {
	pg, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	s.lock()
	items := make([]projectItemJSON, 0, len(s.fleet.Projects))
	for _, p := range s.fleet.Projects {
		items = append(items, projectItemJSON{ID: p.ID, Name: p.Name, Description: p.Description})
	}
	s.mu.Unlock()
	list(w, "projects", items, pg)
}

// listDestinations lists the team's custom backup destinations, the IDs a
// snapshot's additionalDestinations may name (none when the fleet accepts
// any).
func (s *Server) listDestinations(w http.ResponseWriter, r *http.Request, _ params) {
	pg, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	s.lock()
	items := make([]destinationItemJSON, 0, len(s.fleet.Destinations))
	for _, d := range s.fleet.Destinations {
		items = append(items, destinationItemJSON{ID: d, Name: d})
	}
	s.mu.Unlock()
	list(w, "backupDestinations", items, pg)
}

func (s *Server) getProject(w http.ResponseWriter, _ *http.Request, p params) {
	s.lock()
	pr, _, miss := s.lookup(p)
	var v projectJSON
	if pr != nil {
		v = renderProject(pr)
	}
	s.mu.Unlock()
	if miss != "" {
		s.writeError(w, http.StatusNotFound, miss, nil)
		return
	}
	writeJSON(w, http.StatusOK, dataJSON[projectJSON]{v})
}

func (s *Server) listAddons(w http.ResponseWriter, r *http.Request, p params) {
	pg, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	s.lock()
	pr, _, miss := s.lookup(p)
	var items []addonItemJSON
	if pr != nil {
		items = make([]addonItemJSON, 0, len(pr.Addons))
		for _, a := range pr.Addons {
			items = append(items, renderAddonItem(pr, a))
		}
	}
	s.mu.Unlock()
	if miss != "" {
		s.writeError(w, http.StatusNotFound, miss, nil)
		return
	}
	list(w, "addons", items, pg)
}

func (s *Server) getAddon(w http.ResponseWriter, _ *http.Request, p params) {
	s.lock()
	pr, a, miss := s.lookup(p)
	var v addonJSON
	if a != nil {
		v = renderAddon(pr, a)
	}
	s.mu.Unlock()
	if miss != "" {
		s.writeError(w, http.StatusNotFound, miss, nil)
		return
	}
	writeJSON(w, http.StatusOK, dataJSON[addonJSON]{v})
}

// newestFirst orders backups as the API lists them.
func newestFirst(bs []*Backup) []*Backup {
	out := append([]*Backup(nil), bs...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (s *Server) listBackups(w http.ResponseWriter, r *http.Request, p params) {
	pg, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	s.lock()
	_, a, miss := s.lookup(p)
	var items []backupJSON
	if a != nil {
		items = make([]backupJSON, 0, len(a.Backups))
		for _, b := range newestFirst(a.Backups) {
			items = append(items, renderBackup(b))
		}
	}
	s.mu.Unlock()
	if miss != "" {
		s.writeError(w, http.StatusNotFound, miss, nil)
		return
	}
	list(w, "backups", items, pg)
}

func (s *Server) getBackup(w http.ResponseWriter, _ *http.Request, p params) {
	s.lock()
	_, a, miss := s.lookup(p)
	var v backupJSON
	if a != nil {
		if b := a.backup(p["backupId"]); b != nil {
			v = renderBackup(b)
		} else {
			miss = "Backup not found"
		}
	}
	s.mu.Unlock()
	if miss != "" {
		s.writeError(w, http.StatusNotFound, miss, nil)
		return
	}
	writeJSON(w, http.StatusOK, dataJSON[backupJSON]{v})
}

// restoresOf lists restores newest first, optionally of one backup only.
func restoresOf(a *Addon, backupID string) []*Restore {
	var out []*Restore
	for _, r := range a.Restores {
		if backupID == "" || r.BackupID == backupID {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	return out
}

func (s *Server) listRestores(w http.ResponseWriter, r *http.Request, p params) {
	pg, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	s.lock()
	_, a, miss := s.lookup(p)
	var items []restoreJSON
	if a != nil {
		items = []restoreJSON{}
		for _, x := range restoresOf(a, "") {
			items = append(items, renderRestore(x, true))
		}
	}
	s.mu.Unlock()
	if miss != "" {
		s.writeError(w, http.StatusNotFound, miss, nil)
		return
	}
	list(w, "restores", items, pg)
}

func (s *Server) listBackupRestores(w http.ResponseWriter, r *http.Request, p params) {
	pg, ok := s.pageParams(w, r)
	if !ok {
		return
	}
	s.lock()
	_, a, miss := s.lookup(p)
	var items []restoreJSON
	if a != nil {
		if a.backup(p["backupId"]) == nil {
			miss = "Backup not found"
		} else {
			items = []restoreJSON{}
			for _, x := range restoresOf(a, p["backupId"]) {
				items = append(items, renderRestore(x, false))
			}
		}
	}
	s.mu.Unlock()
	if miss != "" {
		s.writeError(w, http.StatusNotFound, miss, nil)
		return
	}
	list(w, "restores", items, pg)
}
