package civo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
)

// pageJSON is GET /v2/instances's envelope. Pointers tell a missing field
// from a zero one; per_page is null when it was not asked for.
type pageJSON struct {
	Page    *int            `json:"page"`
	PerPage *int            `json:"per_page"`
	Pages   *int            `json:"pages"`
	Items   *[]instanceJSON `json:"items"`
}

type instanceJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Hostname  string   `json:"hostname"`
	Size      string   `json:"size"`
	Region    string   `json:"region"`
	Status    string   `json:"status"`
	Tags      []string `json:"tags"`
	DiskGB    int      `json:"disk_gb"`
	CreatedAt *string  `json:"created_at"`
}

func (in *instanceJSON) resource() model.Resource {
	label := in.Hostname
	if label == "" {
		label = in.Name
	}
	return model.Resource{
		ID:       in.ID,
		Provider: "civo",
		Kind:     model.KindInstance,
		Label:    label,
		Region:   in.Region,
		Status:   in.Status,
		Plan:     in.Size,
		Tags:     in.Tags,
		Created:  parseTime(in.CreatedAt),
		DiskMB:   model.SizeMB(in.DiskGB, 1024),
		// Any instance can be snapshotted; there is no service to turn on.
		BackupsEnabled: true,
	}
}

// snapshotJSON is one snapshot as the snapshots endpoints send it. The
// reference writes its status as "status"; civogo reads "state", so both
// are read. safe is a boolean in the reference and 0/1 in civogo.
type snapshotJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	InstanceID  string   `json:"instance_id"`
	Hostname    string   `json:"hostname"`
	TemplateID  string   `json:"template_id"`
	Region      string   `json:"region"`
	Safe        flexBool `json:"safe"`
	CronTiming  *string  `json:"cron_timing"`
	RequestedAt *string  `json:"requested_at"`
	CompletedAt *string  `json:"completed_at"`
	Status      string   `json:"status"`
	State       string   `json:"state"`
	SizeGB      int64    `json:"size_gb"`
}

func (s *snapshotJSON) status() string {
	if s.Status != "" {
		return s.Status
	}
	return s.State
}

func (s *snapshotJSON) finished() time.Time { return parseTime(s.CompletedAt) }

func (s *snapshotJSON) scheduled() bool {
	return s.CronTiming != nil && strings.TrimSpace(*s.CronTiming) != ""
}

// backup maps s to a model.Backup; Slot is left for backupsOf.
func (s *snapshotJSON) backup() model.Backup {
	raw := s.status()
	st := model.CivoStatus(raw)
	b := model.Backup{
		ID:         s.Name,
		ResourceID: s.InstanceID,
		Kind:       model.BackupSnapshot,
		Label:      s.Name,
		Status:     st,
		RawStatus:  raw,
		Available:  st == model.StatusSuccessful,
		Created:    parseTime(s.RequestedAt),
		Finished:   s.finished(),
		Type:       "one-off",
	}
	b.SizeBytes = model.SizeBytes(s.SizeGB, 1<<30)
	if s.scheduled() {
		b.Kind, b.Type = model.BackupAutomatic, "scheduled"
	}
	b.Updated = b.Finished
	if b.Updated.IsZero() {
		b.Updated = b.Created
	}
	f := []model.Field{
		{Name: "Instance ID", Value: s.InstanceID},
	}
	if s.Hostname != "" {
		f = append(f, model.Field{Name: "Hostname", Value: s.Hostname})
	}
	safe := "no: taken while the instance ran"
	if s.Safe {
		safe = "yes: the instance was shut down while it was taken"
	}
	f = append(f,
		model.Field{Name: "Safe", Value: safe},
		model.Field{Name: "Requested at", Value: format.Timestamp(b.Created)},
		model.Field{Name: "Completed at", Value: format.Timestamp(b.Finished)},
		model.Field{Name: "Size", Value: format.Size(b.SizeBytes)},
	)
	sched := "none (one-off)"
	if s.scheduled() {
		sched = strings.TrimSpace(*s.CronTiming)
	}
	f = append(f, model.Field{Name: "Cron timing", Value: sched})
	if s.Region != "" {
		f = append(f, model.Field{Name: "Region", Value: s.Region})
	}
	if s.TemplateID != "" {
		f = append(f, model.Field{Name: "Template ID", Value: s.TemplateID})
	}
	if s.ID != "" {
		f = append(f, model.Field{Name: "Snapshot ID", Value: s.ID})
	}
	b.Fields = f
	return b
}

// parseTime reads Civo's times ("2015-09-20T19:31:36+00:00"); a null or
// unreadable one is the zero time rather than a failed list.
func parseTime(s *string) time.Time {
	if s == nil || *s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05 MST", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, *s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// flexBool reads true/false, 0/1 and their strings; null is false.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	d := bytes.TrimSpace(data)
	switch string(d) {
	case "null", "false", "0", `"false"`, `"0"`, `""`:
		*b = false
		return nil
	case "true", "1", `"true"`, `"1"`:
		*b = true
		return nil
	}
	var n float64
	if json.Unmarshal(d, &n) == nil {
		*b = n != 0
		return nil
	}
	return errors.New("safe: not a boolean: " + fmt.Sprintf("%.20s", d))
}
