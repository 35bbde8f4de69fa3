package northflank

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

// advance steps every job to now; the caller holds s.mu.
func (s *Server) advance(now time.Time) { s.jobs.Advance(now) }

// resume picks up a fixture's backups, aborts and restores still running.
func (s *Server) resume(a *Addon) {
	now := s.Now()
	for _, b := range a.Backups {
		switch {
		case b.running():
			dur := b.Duration
			if dur <= 0 {
				dur = s.opts.JobTime
			}
			final := b.FinalSize
			if final <= 0 {
				final = s.sizeFor(a, b)
			}
			s.jobs = append(s.jobs, &backupJob{b: b, start: b.Created, dur: dur, final: final})
		case b.Status == "aborting":
			s.jobs = append(s.jobs, &abortJob{b: b, start: now, dur: s.opts.AbortTime})
		}
	}
	for _, r := range a.Restores {
		if !r.running() {
			continue
		}
		dur := r.Duration
		if dur <= 0 {
			dur = s.opts.RestoreTime
		}
		prev := a.Status
		if prev == "restore" {
			prev = "running"
		}
		a.Status = "restore"
		s.jobs = append(s.jobs, &restoreJob{a: a, r: r, b: a.backup(r.BackupID), prev: prev, start: r.Started, dur: dur})
	}
}

// sizeFor is what a new backup of a will weigh: part of its disk, less for
// a compressed dump.
func (s *Server) sizeFor(a *Addon, b *Backup) int64 {
	mb := int64(a.StorageMB) * int64(20+len(a.Backups)%40) / 100
	if b.Dump() {
		mb /= 4
	}
	return mb<<20 + int64(len(b.UID))*4099
}

// backupJob takes a backup: scheduled for its first 20%, then in-progress,
// then completed. An abort ends it early.
type backupJob struct {
	b     *Backup
	start time.Time
	dur   time.Duration
	final int64
}

func (j *backupJob) Step(now time.Time) bool {
	if !j.b.running() {
		return true // aborted
	}
	f := sim.Progress(now, j.start, j.dur)
	if f >= 1 {
		j.b.Status, j.b.Completed, j.b.SizeBytes = "completed", j.start.Add(j.dur), j.final
		return true
	}
	if f >= 0.2 && j.b.Status == "scheduled" {
		j.b.Status = "in-progress"
	}
	return false
}

// abortJob stops a backup: aborting, then aborted.
type abortJob struct {
	b     *Backup
	start time.Time
	dur   time.Duration
}

func (j *abortJob) Step(now time.Time) bool {
	if sim.Progress(now, j.start, j.dur) < 1 {
		return false
	}
	j.b.Status, j.b.Completed = "aborted", j.start.Add(j.dur)
	return true
}

// restoreJob writes a backup back over its addon, which shows status
// "restore" meanwhile. A snapshot brings back the version it was taken at.
type restoreJob struct {
	a     *Addon
	r     *Restore
	b     *Backup // nil when it was deleted since
	prev  string
	start time.Time
	dur   time.Duration
}

func (j *restoreJob) Step(now time.Time) bool {
	f := sim.Progress(now, j.start, j.dur)
	if f < 1 {
		if f >= 0.1 && j.r.Status == "scheduled" {
			j.r.Status = "in-progress"
		}
		return false
	}
	j.r.Status, j.r.Completed = "completed", j.start.Add(j.dur)
	j.a.Status = j.prev
	if j.b != nil && !j.b.Dump() && j.b.AddonVersion != "" {
		j.a.Version = j.b.AddonVersion
	}
	return true
}

// reply is what a write handler decided under the lock; it is sent after.
type reply struct {
	status  int
	body    any
	msg     string // an error when not ""
	details map[string][]string
}

func ok(v any) reply { return reply{status: http.StatusOK, body: dataJSON[any]{v}} }

func refuse(status int, msg string) reply { return reply{status: status, msg: msg} }

func invalid(details map[string][]string) reply {
	msgs := make([]string, 0, len(details))
	for _, k := range sortedKeys(details) {
		msgs = append(msgs, details[k]...)
	}
	return reply{status: http.StatusBadRequest, msg: "Validation failed: " + strings.Join(msgs, ", "), details: details}
}

func sortedKeys(m map[string][]string) []string { return slices.Sorted(maps.Keys(m)) }

func (s *Server) send(w http.ResponseWriter, rp reply) {
	if rp.msg != "" {
		s.writeError(w, rp.status, rp.msg, rp.details)
		return
	}
	writeJSON(w, rp.status, rp.body)
}

// mutate runs f under the lock with the addon named by the path, then
// sends its reply.
func (s *Server) mutate(w http.ResponseWriter, p params, f func(a *Addon, now time.Time) reply) {
	s.lock()
	var rp reply
	if _, a, miss := s.lookup(p); miss != "" {
		rp = refuse(http.StatusNotFound, miss)
	} else {
		rp = f(a, s.Now().UTC())
	}
	s.mu.Unlock()
	s.send(w, rp)
}

// The documented rules for POST …/backups.
var (
	namePattern = regexp.MustCompile(`^[a-zA-Z0-9]+((-|\s|\/|:)[a-zA-Z0-9]+)*$`)
	destPattern = regexp.MustCompile(`^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$`)
)

const (
	namePatternText = `/^[a-zA-Z0-9]+((-|\s|\/|:)[a-zA-Z0-9]+)*$/`
	destPatternText = `/^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$/`
)

type destBody struct {
	DestinationID *string  `json:"destinationId"`
	RetentionTime *float64 `json:"retentionTime"`
	Type          *string  `json:"type"`
}

type createBody struct {
	Name                   *string    `json:"name"`
	BackupType             *string    `json:"backupType"`
	CompressionType        *string    `json:"compressionType"`
	CustomDestinationID    *string    `json:"customDestinationId"`
	AdditionalDestinations []destBody `json:"additionalDestinations"`
}

// decodeStrict reads a JSON object into v, refusing unknown keys as the
// API's schema validation does. An empty body is an empty object.
func decodeStrict(r *http.Request, v any) map[string][]string {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return map[string][]string{"body": {"the request body could not be read"}}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			f = strings.Trim(f, `"`)
			return map[string][]string{f: {strconv.Quote(f) + " is not allowed"}}
		}
		if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) {
			return map[string][]string{te.Field: {strconv.Quote(te.Field) + " must be " + kindName(te.Type.Kind())}}
		}
		return map[string][]string{"body": {"the request body must be a JSON object"}}
	}
	return nil
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "a number"
}

func checkString(d map[string][]string, field, v string, lo, hi int, re *regexp.Regexp, reText string) {
	q := strconv.Quote(field)
	switch {
	case len(v) < lo:
		d[field] = append(d[field], fmt.Sprintf("%s length must be at least %d characters long", q, lo))
	case len(v) > hi:
		d[field] = append(d[field], fmt.Sprintf("%s length must be less than or equal to %d characters long", q, hi))
	case !re.MatchString(v):
		d[field] = append(d[field], fmt.Sprintf("%s with value %s fails to match the required pattern: %s", q, strconv.Quote(v), reText))
	}
}

// validate applies the documented schema; the result maps field paths to
// messages.
func (b *createBody) validate() map[string][]string {
	d := map[string][]string{}
	if b.Name != nil {
		checkString(d, "name", *b.Name, 3, 39, namePattern, namePatternText)
	}
	dump := false
	if b.BackupType != nil {
		switch *b.BackupType {
		case "dump":
			dump = true
		case "snapshot":
		default:
			d["backupType"] = append(d["backupType"], `"backupType" must be one of [dump, snapshot]`)
		}
	}
	if b.CompressionType != nil {
		switch {
		case *b.CompressionType != "gz" && *b.CompressionType != "zstd":
			d["compressionType"] = append(d["compressionType"], `"compressionType" must be one of [gz, zstd]`)
		case !dump:
			d["compressionType"] = append(d["compressionType"], `"compressionType" is only applicable for dump backups`)
		}
	}
	if b.CustomDestinationID != nil {
		checkString(d, "customDestinationId", *b.CustomDestinationID, 3, 100, destPattern, destPatternText)
		if !dump {
			d["customDestinationId"] = append(d["customDestinationId"], `"customDestinationId" is only applicable for dump backups`)
		}
	}
	if len(b.AdditionalDestinations) > 0 && dump {
		d["additionalDestinations"] = append(d["additionalDestinations"], `"additionalDestinations" is only applicable for snapshot backups`)
	}
	for i, x := range b.AdditionalDestinations {
		at := func(f string) string { return "additionalDestinations[" + strconv.Itoa(i) + "]." + f }
		if x.DestinationID == nil {
			d[at("destinationId")] = append(d[at("destinationId")], strconv.Quote(at("destinationId"))+" is required")
		} else {
			checkString(d, at("destinationId"), *x.DestinationID, 3, 100, destPattern, destPatternText)
		}
		if t := x.RetentionTime; t != nil {
			q := strconv.Quote(at("retentionTime"))
			switch {
			case *t != float64(int(*t)):
				d[at("retentionTime")] = append(d[at("retentionTime")], q+" must be an integer")
			case *t < 1:
				d[at("retentionTime")] = append(d[at("retentionTime")], q+" must be greater than or equal to 1")
			case *t > 120:
				d[at("retentionTime")] = append(d[at("retentionTime")], q+" must be less than or equal to 120")
			}
		}
		switch {
		case x.Type == nil:
			d[at("type")] = append(d[at("type")], strconv.Quote(at("type"))+" is required")
		case *x.Type != "custom":
			d[at("type")] = append(d[at("type")], strconv.Quote(at("type"))+" must be [custom]")
		}
	}
	if len(d) == 0 {
		return nil
	}
	return d
}

func (s *Server) createBackup(w http.ResponseWriter, r *http.Request, p params) {
	var body createBody
	if d := decodeStrict(r, &body); d != nil {
		s.send(w, invalid(d))
		return
	}
	if d := body.validate(); d != nil {
		s.send(w, invalid(d))
		return
	}
	s.mutate(w, p, func(a *Addon, now time.Time) reply {
		if a.Status != "running" {
			return refuse(http.StatusConflict, fmt.Sprintf("Addon %s cannot be backed up while its status is %s", a.ID, a.Status))
		}
		for _, b := range a.Backups {
			if b.busy() {
				return refuse(http.StatusConflict, fmt.Sprintf("Backup %s is already in progress for addon %s", b.ID, a.ID))
			}
		}
		var dests []Destination
		for i, x := range body.AdditionalDestinations {
			if s.dests != nil && !s.dests[*x.DestinationID] {
				f := "additionalDestinations[" + strconv.Itoa(i) + "].destinationId"
				return reply{status: http.StatusBadRequest, msg: "Backup destination " + *x.DestinationID + " does not exist",
					details: map[string][]string{f: {"no backup destination with ID " + strconv.Quote(*x.DestinationID)}}}
			}
			d := Destination{ID: *x.DestinationID}
			if x.RetentionTime != nil {
				d.Retention = int(*x.RetentionTime)
			}
			dests = append(dests, d)
		}
		dump := body.BackupType != nil && *body.BackupType == "dump"
		b := &Backup{UID: s.ids.uid(), Status: "scheduled", Source: "snapshot", Created: now, AddonVersion: a.Version, Destinations: dests}
		if body.Name != nil {
			b.Name = *body.Name
		} else {
			b.Name = "Backup " + now.Format("2006-01-02 15:04:05")
		}
		if dump {
			b.Source, b.Compression = "liveInstance", "gz"
			if body.CompressionType != nil {
				b.Compression = *body.CompressionType
			}
			if body.CustomDestinationID != nil {
				if s.dests != nil && !s.dests[*body.CustomDestinationID] {
					return reply{status: http.StatusBadRequest, msg: "Backup destination " + *body.CustomDestinationID + " does not exist",
						details: map[string][]string{"customDestinationId": {"no backup destination with ID " + strconv.Quote(*body.CustomDestinationID)}}}
				}
				b.CustomDestinationID = *body.CustomDestinationID
			}
		}
		b.ID = slug(b.Name)
		if a.backup(b.ID) != nil {
			b.ID = uniqueID(a, b.ID)
		}
		a.Backups = append(a.Backups, b)
		if dump && !dumpable[a.Type] {
			b.Status, b.Compression = "not-supported", ""
			return ok(renderBackup(b))
		}
		s.jobs = append(s.jobs, &backupJob{b: b, start: now, dur: s.opts.JobTime, final: s.sizeFor(a, b)})
		return ok(renderBackup(b))
	})
}

// drain reads and drops a body the endpoint does not take.
func drain(r *http.Request) { _, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20)) }

func (s *Server) abortBackup(w http.ResponseWriter, r *http.Request, p params) {
	drain(r)
	s.mutate(w, p, func(a *Addon, now time.Time) reply {
		b := a.backup(p["backupId"])
		switch {
		case b == nil:
			return refuse(http.StatusNotFound, "Backup not found")
		case !b.running():
			return refuse(http.StatusConflict, fmt.Sprintf("Backup %s is not in progress (status %s) and cannot be aborted", b.ID, b.Status))
		}
		b.Status = "aborting"
		s.jobs = append(s.jobs, &abortJob{b: b, start: now, dur: s.opts.AbortTime})
		return ok(struct{}{})
	})
}

func (s *Server) deleteBackup(w http.ResponseWriter, r *http.Request, p params) {
	drain(r)
	s.mutate(w, p, func(a *Addon, _ time.Time) reply {
		b := a.backup(p["backupId"])
		if b == nil {
			return refuse(http.StatusNotFound, "Backup not found")
		}
		if b.busy() {
			return refuse(http.StatusConflict, fmt.Sprintf("Backup %s is %s; abort it or wait for it to end before deleting it", b.ID, b.Status))
		}
		for _, x := range a.Restores {
			if x.running() && x.BackupID == b.ID {
				return refuse(http.StatusConflict, fmt.Sprintf("Backup %s is being restored and cannot be deleted", b.ID))
			}
		}
		kept := a.Backups[:0]
		for _, x := range a.Backups {
			if x != b {
				kept = append(kept, x)
			}
		}
		clear(a.Backups[len(kept):])
		a.Backups = kept
		return ok(struct{}{})
	})
}

func (s *Server) restoreBackup(w http.ResponseWriter, r *http.Request, p params) {
	drain(r)
	s.mutate(w, p, func(a *Addon, now time.Time) reply {
		b := a.backup(p["backupId"])
		if b == nil {
			return refuse(http.StatusNotFound, "Backup not found")
		}
		if b.busy() {
			return refuse(http.StatusConflict, fmt.Sprintf("Backup %s is still %s and cannot be restored", b.ID, b.Status))
		}
		if b.Status != "completed" {
			return refuse(http.StatusBadRequest, fmt.Sprintf("Only completed backups can be restored; backup %s is %s", b.ID, b.Status))
		}
		for _, x := range a.Restores {
			if x.running() {
				return refuse(http.StatusConflict, fmt.Sprintf("A restore is already in progress for addon %s", a.ID))
			}
		}
		for _, x := range a.Backups {
			if x.busy() {
				return refuse(http.StatusConflict, fmt.Sprintf("Backup %s is in progress for addon %s; wait for it or abort it", x.ID, a.ID))
			}
		}
		if a.Status != "running" {
			return refuse(http.StatusConflict, fmt.Sprintf("Addon %s cannot be restored while its status is %s", a.ID, a.Status))
		}
		rs := &Restore{ID: s.ids.objectID(now), BackupID: b.ID, Status: "scheduled", Started: now}
		a.Restores = append(a.Restores, rs)
		b.LastRestore = rs
		prev := a.Status
		a.Status = "restore"
		s.jobs = append(s.jobs, &restoreJob{a: a, r: rs, b: b, prev: prev, start: now, dur: s.opts.RestoreTime})
		return ok(struct {
			RestoreID string `json:"restoreId"`
		}{rs.ID})
	})
}
