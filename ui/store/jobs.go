package store

import (
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// JobKind says what a job watches.
type JobKind string

// The kinds of job.
const (
	JobSnapshot JobKind = "snapshot"
	JobRestore  JobKind = "restore"
)

// Job is an action that runs on after the API accepted it. The fields set
// where it is made become its model.Operation when it is added; from then
// on model.Judge says where it stands, as it does for the CLI's --wait.
type Job struct {
	ID          int
	Kind        JobKind
	ResourceID  string    // the snapshot's resource, or the restore's source
	Label       string    // resource label
	Name        string    // snapshot label, or the restored backup's name
	BackupID    string    // the backup taken or restored, when known
	Noun        string    // "snapshot", "backup"
	PrevRestore time.Time // the backup's last restore before this one
	TargetID    string    // restore target
	TargetLabel string
	Status      string // last known provider status word
	Percent     int
	Done        bool
	Polling     bool
	Op          model.Operation
}

// Describe names the job in the status line.
func (j *Job) Describe() string { return j.Op.Describe() }

// Changed is the resource a job changes: a snapshot's own, a restore's
// target.
func (j *Job) Changed() string { return j.Op.Changed() }

// AddJob numbers j and makes its Operation, started at now; noun is the
// backup noun when j has none, resourceNoun the provider's word for a
// resource.
func (s *Store) AddJob(j *Job, noun, resourceNoun string, now time.Time) {
	if j.Noun == "" {
		j.Noun = noun
	}
	s.nextJob++
	j.ID = s.nextJob
	kind := model.OpSnapshot
	if j.Kind == JobRestore {
		kind = model.OpRestore
	}
	j.Op = model.Operation{Kind: kind, ResourceID: j.ResourceID, Label: j.Label, Name: j.Name, BackupID: j.BackupID,
		Noun: j.Noun, ResourceNoun: resourceNoun, TargetID: j.TargetID, TargetLabel: j.TargetLabel,
		Started: now, PrevRestore: j.PrevRestore}
	s.jobs = append(s.jobs, j)
}

// ActiveJobs are the jobs not done, oldest first.
func (s *Store) ActiveJobs() []*Job {
	var out []*Job
	for _, j := range s.jobs {
		if !j.Done {
			out = append(out, j)
		}
	}
	return out
}

// JobFor is the active snapshot job on a resource, if any.
func (s *Store) JobFor(resourceID string) *Job {
	for _, j := range s.jobs {
		if !j.Done && j.Kind == JobSnapshot && j.ResourceID == resourceID {
			return j
		}
	}
	return nil
}

// Job is the job numbered id, nil if there is none.
func (s *Store) Job(id int) *Job {
	var found *Job
	for _, x := range s.jobs {
		if x.ID == id {
			found = x
		}
	}
	return found
}
