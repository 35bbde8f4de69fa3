// Package civo simulates the parts of the Civo API v2 that snapdeck uses:
// instances and their snapshots.
//
// Wire facts followed, and where from:
//   - civo.com/api (API access): "Authorization: bearer <key>"; form-encoded
//     request bodies (we also take JSON, which civogo sends); JSON replies.
//   - civo.com/api/instances: GET /v2/instances?page=&per_page=&tags=&region=
//     answers {"page","per_page","pages","items"} (per_page is null when it
//     was not asked for, as the reference's example shows; default 20); the
//     instance object's fields; GET /v2/instances/:id.
//   - civo.com/api/snapshots (/work/shared/api/civo-snapshots.txt): GET
//     /v2/snapshots is a bare array; PUT /v2/snapshots/:name with instance_id
//     and safe overwrites a snapshot of that name and answers status "new",
//     completed_at null, size_gb 0; DELETE answers 202 {"name","result":
//     "success"}; the list example shows size_gb filled while "in-progress".
//     The newer page and civogo / terraform-provider-civo add id, hostname,
//     template_id, region and cron_timing, and clients wait for "complete".
//   - civogo issue #44: a bad key gets 401 {"result":"requires_authentication",
//     "status":401}. civogo's decodeError: other errors carry "code" and
//     "reason" (and sometimes "details"); a 500 carries "status":500. The
//     codes used here (database_instance_not_found, database_snapshot_not_found,
//     parameter_name_invalid, database_snapshot_create_instance_not_found,
//     database_snapshot_create_already_in_process,
//     database_snapshot_cannot_delete_in_use) are civogo's.
//
// Not documented, so chosen: the reasons' wording, 400 for refused writes,
// the name rule (model.ValidateCivoSnapshotName), one running snapshot per
// instance, and no rate-limit headers but Retry-After on a 429. Without a
// region parameter every region is listed; with one, only that region.
package civo

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
)

// DemoToken is the API key the simulator accepts when Options.Token is "".
const DemoToken = "snapdeck-civo-demo-key"

// Options tune the simulator.
type Options struct {
	sim.Options        // the chassis's: latency, rate limit, clock
	Token       string // API key required; "" means DemoToken
	// JobTime is how long a snapshot taken through the API takes:
	// "new" for its first fifth, then "in-progress"; default 6s.
	JobTime time.Duration
}

// Server is an http.Handler serving a Fleet under /v2/.
type Server struct {
	*sim.Chassis // routing, auth, rate limit, latency, faults, counters
	opts         Options

	mu     sync.Mutex // guards everything below
	fleet  *Fleet
	byID   map[string]*Instance
	byName map[string]*Snapshot
	nextID uint64
}

// New serves f. The Server owns f from now on.
func New(f *Fleet, o Options) *Server {
	if o.Token == "" {
		o.Token = DemoToken
	}
	if o.JobTime <= 0 {
		o.JobTime = 6 * time.Second
	}
	if f == nil {
		f = &Fleet{}
	}
	s := &Server{opts: o, fleet: f, byID: map[string]*Instance{}, byName: map[string]*Snapshot{}, nextID: 0x5eed}
	s.Chassis = sim.NewChassis(dialect(o.Token), o.Options)
	for _, in := range f.Instances {
		s.byID[in.ID] = in
	}
	for _, sn := range f.Snapshots {
		s.byName[sn.Name] = sn
		in := s.byID[sn.InstanceID]
		if sn.finalGB == 0 && in != nil {
			sn.finalGB = usedGB(in)
		}
		// A safe snapshot under way holds its instance down.
		if sn.Safe && sn.active() && in != nil && in.Status != "SHUTOFF" {
			sn.resume, in.Status = in.Status, "SHUTOFF"
		}
	}
	s.Handle("GET", "/v2/instances", s.listInstances)
	s.Handle("GET", "/v2/instances/{id}", s.getInstance)
	s.Handle("GET", "/v2/snapshots", s.listSnapshots)
	s.Handle("PUT", "/v2/snapshots/{name}", s.putSnapshot)
	s.Handle("DELETE", "/v2/snapshots/{name}", s.deleteSnapshot)
	return s
}

// Instance returns a copy of instance id as it stands now.
func (s *Server) Instance(id string) (Instance, bool) {
	s.lock()
	defer s.mu.Unlock()
	in := s.byID[id]
	if in == nil {
		return Instance{}, false
	}
	return in.clone(), true
}

// Snapshot returns a copy of the snapshot called name as it stands now.
func (s *Server) Snapshot(name string) (Snapshot, bool) {
	s.lock()
	defer s.mu.Unlock()
	sn := s.byName[name]
	if sn == nil {
		return Snapshot{}, false
	}
	return *sn, true
}

// lock takes s.mu and brings running snapshots up to Options.Now, so every
// read sees the state the clock implies without background goroutines.
func (s *Server) lock() {
	s.mu.Lock()
	now := s.Now()
	for _, sn := range s.fleet.Snapshots {
		if sn.Duration <= 0 || !sn.active() {
			continue
		}
		elapsed := now.Sub(sn.RequestedAt)
		switch {
		case elapsed >= sn.Duration:
			sn.Status, sn.SizeGB = "complete", sn.finalGB
			sn.CompletedAt = sn.RequestedAt.Add(sn.Duration)
			if in := s.byID[sn.InstanceID]; in != nil && sn.resume != "" && in.Status == "SHUTOFF" {
				in.Status = sn.resume
			}
			sn.resume = ""
		case elapsed >= sn.Duration/5:
			sn.Status, sn.SizeGB = "in-progress", sn.finalGB
		}
	}
}

type params = sim.Params

func dialect(token string) sim.Dialect {
	return sim.Dialect{
		Authorized: func(r *http.Request) bool {
			scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
			return ok && strings.EqualFold(scheme, "bearer") && key == token
		},
		Unauthorized: func(w http.ResponseWriter) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"result": "requires_authentication", "status": 401})
		},
		Error: func(w http.ResponseWriter, status int, reason string) {
			if status >= 500 {
				writeJSON(w, status, map[string]any{"status": status, "error": reason})
				return
			}
			code := map[int]string{400: "bad_request", 404: "not_found", 405: "method_not_allowed", 429: "too_many_requests"}[status]
			if code == "" {
				code = "error"
			}
			writeError(w, status, code, reason)
		},
		Identity: []string{"id", "name", "hostname", "instance_id", "page", "pages", "items", "status"},
	}
}

// Codes and reasons of the refusals.
const (
	codeInstanceNotFound = "database_instance_not_found"
	codeSnapshotNotFound = "database_snapshot_not_found"
	codeNameInvalid      = "parameter_name_invalid"
	codeInstanceMissing  = "parameter_instance_id_missing"
	codeCreateNoInstance = "database_snapshot_create_instance_not_found"
	codeInProcess        = "database_snapshot_create_already_in_process"
	codeDeleteInUse      = "database_snapshot_cannot_delete_in_use"
	codeInvalidBody      = "parameter_invalid_body"

	reasonInstanceNotFound = "Failed to find the instance within the internal database"
	reasonSnapshotNotFound = "Failed to find the snapshot within the internal database"
	reasonNameInvalid      = "The name must be 1-64 characters: letters, digits, '.', '_' and '-', starting with a letter or digit"
	reasonInstanceMissing  = "The instance_id parameter is required"
	reasonCreateNoInstance = "Failed to find the instance to snapshot"
	reasonInProcess        = "A snapshot of this instance is already in progress"
	reasonDeleteInUse      = "The snapshot is still being taken and cannot be deleted yet"
	reasonInvalidBody      = "The request body could not be read"
)

// timeFormat is how the API writes times: "2015-09-20T19:31:36+00:00".
const timeFormat = "2006-01-02T15:04:05-07:00"

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":500,"error":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, reason string) {
	writeJSON(w, status, struct {
		Code   string `json:"code"`
		Reason string `json:"reason"`
	}{code, reason})
}

// regionParam reads ?region=; "" means every region.
func regionParam(r *http.Request) string { return strings.TrimSpace(r.URL.Query().Get("region")) }

func inRegion(in *Instance, region string) bool {
	return region == "" || strings.EqualFold(in.Region, region)
}

// intParam reads a positive integer the lenient way Rails does: anything
// else is the default.
func intParam(q url.Values, name string, def int) (int, bool) {
	n, err := strconv.Atoi(q.Get(name))
	if err != nil || n < 1 {
		return def, false
	}
	return n, true
}

func (s *Server) listInstances(w http.ResponseWriter, r *http.Request, _ params) {
	q := r.URL.Query()
	page, _ := intParam(q, "page", 1)
	perPage, given := intParam(q, "per_page", 20)
	tags := strings.Fields(q.Get("tags"))
	region := regionParam(r)

	s.lock()
	var hits []*Instance
	for _, in := range s.fleet.Instances {
		if inRegion(in, region) && hasTags(in, tags) {
			hits = append(hits, in)
		}
	}
	pages := max(1, (len(hits)+perPage-1)/perPage)
	lo := min((page-1)*perPage, len(hits))
	hi := min(lo+perPage, len(hits))
	items := make([]instanceJSON, 0, hi-lo)
	for _, in := range hits[lo:hi] {
		items = append(items, renderInstance(in))
	}
	s.mu.Unlock()

	var pp *int
	if given {
		pp = &perPage
	}
	writeJSON(w, http.StatusOK, struct {
		Page    int            `json:"page"`
		PerPage *int           `json:"per_page"`
		Pages   int            `json:"pages"`
		Items   []instanceJSON `json:"items"`
	}{page, pp, pages, items})
}

func hasTags(in *Instance, tags []string) bool {
	for _, t := range tags {
		found := false
		for _, x := range in.Tags {
			found = found || x == t
		}
		if !found {
			return false
		}
	}
	return true
}

func (s *Server) getInstance(w http.ResponseWriter, r *http.Request, p params) {
	s.lock()
	in := s.byID[p["id"]]
	var v instanceJSON
	found := in != nil && inRegion(in, regionParam(r))
	if found {
		v = renderInstance(in)
	}
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, codeInstanceNotFound, reasonInstanceNotFound)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listSnapshots(w http.ResponseWriter, r *http.Request, _ params) {
	region := regionParam(r)
	s.lock()
	out := make([]snapshotJSON, 0, len(s.fleet.Snapshots))
	for _, sn := range s.fleet.Snapshots {
		if region == "" || strings.EqualFold(sn.Region, region) {
			out = append(out, renderSnapshot(sn))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// snapshotBody reads instance_id and safe from a form or JSON body (or the
// query string, which Rails merges in); ok is false for an unreadable body.
func snapshotBody(r *http.Request) (instanceID string, safe bool, ok bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return "", false, false
	}
	q := r.URL.Query()
	instanceID, safe = q.Get("instance_id"), truthy(q.Get("safe"))
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if len(bytes.TrimSpace(raw)) == 0 {
		return instanceID, safe, true
	}
	// civogo sends JSON; a body sent with no type is sniffed.
	if mt == "application/json" || mt == "" && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) {
		var v struct {
			InstanceID *string `json:"instance_id"`
			Safe       any     `json:"safe"`
		}
		if json.Unmarshal(raw, &v) != nil {
			return "", false, false
		}
		if v.InstanceID != nil {
			instanceID = *v.InstanceID
		}
		switch x := v.Safe.(type) {
		case bool:
			safe = x
		case string:
			safe = truthy(x)
		case float64:
			safe = x != 0
		}
		return instanceID, safe, true
	}
	form, err := url.ParseQuery(string(raw))
	if err != nil {
		return "", false, false
	}
	if form.Has("instance_id") {
		instanceID = form.Get("instance_id")
	}
	if form.Has("safe") {
		safe = truthy(form.Get("safe"))
	}
	return instanceID, safe, true
}

func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "t", "1", "yes", "y", "on":
		return true
	}
	return false
}

func (s *Server) putSnapshot(w http.ResponseWriter, r *http.Request, p params) {
	name := p["name"]
	instanceID, safe, ok := snapshotBody(r)
	switch {
	case !ok:
		writeError(w, http.StatusBadRequest, codeInvalidBody, reasonInvalidBody)
		return
	case model.ValidateCivoSnapshotName(name) != nil:
		writeError(w, http.StatusBadRequest, codeNameInvalid, reasonNameInvalid)
		return
	case strings.TrimSpace(instanceID) == "":
		writeError(w, http.StatusBadRequest, codeInstanceMissing, reasonInstanceMissing)
		return
	}

	s.lock()
	now := s.Now().UTC()
	in := s.byID[instanceID]
	if in == nil || !inRegion(in, regionParam(r)) {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeCreateNoInstance, reasonCreateNoInstance)
		return
	}
	for _, o := range s.fleet.Snapshots {
		if o.active() && (o.InstanceID == in.ID || o.Name == name) {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, codeInProcess, reasonInProcess)
			return
		}
	}
	sn := s.byName[name]
	if sn == nil {
		sn = &Snapshot{Name: name}
		s.fleet.Snapshots = append(s.fleet.Snapshots, sn)
		s.byName[name] = sn
	}
	// An old snapshot of that name is overwritten, whichever instance it was of.
	*sn = Snapshot{
		ID: s.newID(), Name: name, InstanceID: in.ID, Hostname: in.Hostname, TemplateID: in.SourceID,
		Region: in.Region, Safe: safe, Status: "new", RequestedAt: now, Duration: s.opts.JobTime,
		finalGB: usedGB(in),
	}
	if safe && in.Status != "SHUTOFF" {
		sn.resume, in.Status = in.Status, "SHUTOFF"
	}
	v := renderSnapshot(sn)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteSnapshot(w http.ResponseWriter, _ *http.Request, p params) {
	name := p["name"]
	s.lock()
	sn := s.byName[name]
	switch {
	case sn == nil:
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, codeSnapshotNotFound, reasonSnapshotNotFound)
		return
	case sn.active():
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, codeDeleteInUse, reasonDeleteInUse)
		return
	}
	delete(s.byName, name)
	kept := s.fleet.Snapshots[:0]
	for _, o := range s.fleet.Snapshots {
		if o != sn {
			kept = append(kept, o)
		}
	}
	clear(s.fleet.Snapshots[len(kept):])
	s.fleet.Snapshots = kept
	s.mu.Unlock()
	writeJSON(w, http.StatusAccepted, struct {
		Name   string `json:"name"`
		Result string `json:"result"`
	}{name, "success"})
}

// newID makes a UUID-shaped ID for a new snapshot; the caller holds s.mu.
func (s *Server) newID() string {
	s.nextID++
	x := s.nextID * 0x9e3779b97f4a7c15
	return strings.Join([]string{
		hex(x>>32, 8), hex(x>>16, 4), "4" + hex(x, 3), hex(0x8000|(x>>8)&0x3fff, 4), hex(x*31, 12),
	}, "-")
}

func hex(v uint64, n int) string {
	s := strconv.FormatUint(v, 16)
	if len(s) < n {
		s = strings.Repeat("0", n-len(s)) + s
	}
	return s[len(s)-n:]
}

// SnapshotsOf lists the names of instance id's snapshots, sorted; for tests.
func (s *Server) SnapshotsOf(id string) []string {
	s.lock()
	defer s.mu.Unlock()
	var out []string
	for _, sn := range s.fleet.Snapshots {
		if sn.InstanceID == id {
			out = append(out, sn.Name)
		}
	}
	sort.Strings(out)
	return out
}
