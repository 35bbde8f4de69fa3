package linode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
)

// Refusal reasons, worded as the API words them. None contains "; ":
// linodego joins reasons with it and the client splits them again.
const (
	reasonLabelLength    = "Length must be 1-255 characters"
	reasonNotEnabled     = "Backups are not enabled for this Linode."
	reasonInProgress     = "A snapshot is already in progress for this Linode."
	reasonBusy           = "Linode busy."
	reasonOtherRegion    = "Linode must be in the same region as the source Linode."
	reasonNotAvailable   = "Only successful backups that are not undergoing maintenance can be restored."
	reasonLinodeRequired = "linode_id is required"
	reasonInvalidJSON    = "Invalid JSON"
	reasonLinodeLabel    = "Label must be 1-64 characters: letters, digits, '.', '_' and '-'."
	reasonLabelTaken     = "Label must be unique among your Linodes."
)

// advance steps every job to now; the caller holds s.mu.
func (s *Server) advance(now time.Time) { s.jobs.Advance(now) }

// snapJob is a snapshot taken through the API: pending for its first 20%,
// then running, then the current snapshot.
type snapJob struct {
	in    *Instance
	b     *Backup
	ev    *event
	start time.Time
	dur   time.Duration
}

func (j *snapJob) Step(now time.Time) bool {
	f := sim.Progress(now, j.start, j.dur)
	elapsed := time.Duration(f * float64(j.dur))
	j.ev.Duration, j.ev.Remaining = elapsed, j.dur-elapsed
	if f >= 1 {
		end := j.start.Add(j.dur)
		j.b.Status, j.b.Available, j.b.Finished, j.b.Updated = "successful", true, end, end
		// The new snapshot replaces the old one, which is gone for good.
		j.in.Current, j.in.InProgress = j.b, nil
		j.ev.Status, j.ev.Percent, j.ev.Duration, j.ev.Remaining = "finished", 100, j.dur, 0
		return true
	}
	if f >= 0.2 && j.b.Status == "pending" {
		j.b.Status, j.b.Updated = "running", j.start.Add(j.dur/5)
	}
	j.ev.Percent = min(99, int(f*100))
	return false
}

// restoreJob writes a backup's disks onto a target Linode, which shows
// "restoring" meanwhile.
type restoreJob struct {
	target    *Instance
	disks     []Disk
	configs   []string
	overwrite bool
	prev      string // the target's status before
	ev        *event
	start     time.Time
	dur       time.Duration
}

func (j *restoreJob) Step(now time.Time) bool {
	f := sim.Progress(now, j.start, j.dur)
	elapsed := time.Duration(f * float64(j.dur))
	j.ev.Duration, j.ev.Remaining = elapsed, j.dur-elapsed
	if f < 1 {
		j.ev.Percent = min(99, int(f*100))
		return false
	}
	t := j.target
	if j.overwrite {
		t.Disks, t.Configs = append([]Disk(nil), j.disks...), append([]string(nil), j.configs...)
	} else {
		t.Disks, t.Configs = append(t.Disks, j.disks...), append(t.Configs, j.configs...)
	}
	t.Status, t.Updated = j.prev, j.start.Add(j.dur)
	j.ev.Status, j.ev.Percent, j.ev.Duration, j.ev.Remaining = "finished", 100, j.dur, 0
	return true
}

// restoring reports whether in is the target of a restore under way; the
// caller holds s.mu.
func (s *Server) restoring(in *Instance) bool {
	for _, j := range s.jobs {
		if rj, ok := j.(*restoreJob); ok && rj.target == in {
			return true
		}
	}
	return false
}

type errorsJSON struct {
	Errors []apiReason `json:"errors"`
}

// reply is what a write handler decided under the lock; it is sent after.
type reply struct {
	status int
	body   any
}

func ok(body any) reply { return reply{http.StatusOK, body} }

func refuse(status int, reasons ...apiReason) reply {
	return reply{status, errorsJSON{reasons}}
}

func notFoundReply() reply { return refuse(http.StatusNotFound, apiReason{Reason: "Not found"}) }

// mutate decodes the body into v (when v is not nil), then runs f under the
// lock with the instance named by {id}, and sends its reply.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request, p params, v any, f func(in *Instance, now time.Time) reply) {
	if v != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil && len(bytes.TrimSpace(body)) > 0 {
			err = json.Unmarshal(body, v)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, apiReason{Reason: reasonInvalidJSON})
			return
		}
	}
	s.lock()
	var rp reply
	if in := s.instance(p); in == nil {
		rp = notFoundReply()
	} else {
		rp = f(in, s.Now())
	}
	s.mu.Unlock()
	writeJSON(w, rp.status, rp.body)
}

func (s *Server) takeSnapshot(w http.ResponseWriter, r *http.Request, p params) {
	var body struct {
		Label string `json:"label"`
	}
	s.mutate(w, r, p, &body, func(in *Instance, now time.Time) reply {
		if model.ValidateSnapshotLabel(body.Label) != nil {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonLabelLength, Field: "label"})
		}
		switch {
		case !in.BackupsEnabled:
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonNotEnabled})
		case in.InProgress != nil:
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonInProgress})
		case s.restoring(in):
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonBusy})
		}
		now = now.UTC()
		b := &Backup{
			ID: s.nextBackupID, Label: body.Label, Status: "pending", Type: "snapshot",
			Created: now, Updated: now,
			Configs: append([]string(nil), in.Configs...), Disks: append([]Disk(nil), in.Disks...),
		}
		s.nextBackupID++
		in.InProgress = b
		ev := s.addEvent("linode_snapshot", "started", now, in, nil)
		ev.Remaining = s.opts.SnapshotTime
		s.jobs = append(s.jobs, &snapJob{in: in, b: b, ev: ev, start: now, dur: s.opts.SnapshotTime})
		return ok(renderBackup(b))
	})
}

func (s *Server) restoreBackup(w http.ResponseWriter, r *http.Request, p params) {
	var body struct {
		LinodeID  *int `json:"linode_id"`
		Overwrite bool `json:"overwrite"`
	}
	s.mutate(w, r, p, &body, func(src *Instance, now time.Time) reply {
		bid, err := strconv.Atoi(p["backupId"])
		var b *Backup
		for _, x := range src.allBackups() {
			if err == nil && x.ID == bid {
				b = x
			}
		}
		if b == nil {
			return notFoundReply()
		}
		if body.LinodeID == nil {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonLinodeRequired, Field: "linode_id"})
		}
		t := s.byID[*body.LinodeID]
		switch {
		case t == nil:
			return refuse(http.StatusBadRequest, apiReason{Reason: fmt.Sprintf("Linode %d was not found.", *body.LinodeID), Field: "linode_id"})
		case t.Region != src.Region:
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonOtherRegion, Field: "linode_id"})
		case b.Status != "successful" || !b.Available:
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonNotAvailable})
		case t.InProgress != nil || s.restoring(t):
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonBusy})
		}
		need := 0
		for _, d := range b.Disks {
			need += d.SizeMB
		}
		if body.Overwrite && need > t.Specs.Disk {
			return refuse(http.StatusBadRequest, apiReason{Field: "linode_id",
				Reason: fmt.Sprintf("The backup needs %d MB but the target Linode's plan has %d MB.", need, t.Specs.Disk)})
		}
		if !body.Overwrite && need > t.FreeDiskMB() {
			return refuse(http.StatusBadRequest, apiReason{Field: "overwrite",
				Reason: fmt.Sprintf("Insufficient free space on the target Linode: the backup needs %d MB and %d MB are free. Restore with overwrite or free up space.", need, max(0, t.FreeDiskMB()))})
		}
		now = now.UTC()
		ev := s.addEvent("backups_restore", "started", now, src, t)
		ev.Remaining = s.opts.RestoreTime
		s.jobs = append(s.jobs, &restoreJob{
			target: t, disks: append([]Disk(nil), b.Disks...), configs: append([]string(nil), b.Configs...),
			overwrite: body.Overwrite, prev: t.Status, ev: ev, start: now, dur: s.opts.RestoreTime,
		})
		t.Status = "restoring"
		return ok(struct{}{})
	})
}

func (s *Server) enableBackups(w http.ResponseWriter, r *http.Request, p params) {
	s.mutate(w, r, p, nil, func(in *Instance, now time.Time) reply {
		// Enabling twice is not an error on the real API either.
		in.BackupsEnabled = true
		if in.ScheduleDay == "" {
			in.ScheduleDay = "Scheduling"
		}
		if in.ScheduleWindow == "" {
			in.ScheduleWindow = "W22"
		}
		s.addEvent("backups_enable", "finished", now.UTC(), in, nil)
		return ok(struct{}{})
	})
}

func (s *Server) cancelBackups(w http.ResponseWriter, r *http.Request, p params) {
	s.mutate(w, r, p, nil, func(in *Instance, now time.Time) reply {
		in.BackupsEnabled = false
		in.Automatic, in.Current, in.InProgress = nil, nil, nil
		// A snapshot under way dies with the service.
		kept := s.jobs[:0]
		for _, j := range s.jobs {
			if sj, ok := j.(*snapJob); ok && sj.in == in {
				sj.ev.Status, sj.ev.Remaining = "failed", 0
				continue
			}
			kept = append(kept, j)
		}
		clear(s.jobs[len(kept):])
		s.jobs = kept
		s.addEvent("backups_cancel", "finished", now.UTC(), in, nil)
		return ok(struct{}{})
	})
}

var linodeLabel = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,64}$`)

func (s *Server) updateInstance(w http.ResponseWriter, r *http.Request, p params) {
	var body struct {
		Label   *string `json:"label"`
		Backups *struct {
			Schedule *struct {
				Day    *string `json:"day"`
				Window *string `json:"window"`
			} `json:"schedule"`
		} `json:"backups"`
	}
	s.mutate(w, r, p, &body, func(in *Instance, now time.Time) reply {
		var bad []apiReason
		if l := body.Label; l != nil {
			if !linodeLabel.MatchString(*l) {
				bad = append(bad, apiReason{Reason: reasonLinodeLabel, Field: "label"})
			} else {
				for _, o := range s.fleet.Instances {
					if o != in && o.Label == *l {
						bad = append(bad, apiReason{Reason: reasonLabelTaken, Field: "label"})
					}
				}
			}
		}
		var day, window *string
		if body.Backups != nil && body.Backups.Schedule != nil {
			day, window = body.Backups.Schedule.Day, body.Backups.Schedule.Window
		}
		// Fields left out keep their value, so each is checked on its own.
		if day != nil {
			if err := model.ValidateSchedule(model.Schedule{Day: *day, Window: "W0"}); err != nil {
				bad = append(bad, apiReason{Reason: sentence(err), Field: "backups.schedule.day"})
			}
		}
		if window != nil {
			if err := model.ValidateSchedule(model.Schedule{Day: "Scheduling", Window: *window}); err != nil {
				bad = append(bad, apiReason{Reason: sentence(err), Field: "backups.schedule.window"})
			}
		}
		if len(bad) > 0 {
			return refuse(http.StatusBadRequest, bad...)
		}
		if body.Label != nil {
			in.Label = *body.Label
		}
		if day != nil {
			in.ScheduleDay = *day
		}
		if window != nil {
			in.ScheduleWindow = *window
		}
		in.Updated = now.UTC()
		return ok(renderInstance(in))
	})
}

// sentence capitalises a model error as the API capitalises its reasons.
func sentence(err error) string {
	m := err.Error()
	if m == "" {
		return m
	}
	return strings.ToUpper(m[:1]) + m[1:]
}
