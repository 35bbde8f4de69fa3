package northflank

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
)

// The API's JSON, as far as snapdeck reads it. Pointers mark what must be
// there, so that valid JSON lacking it is told apart from an empty value.

type pageJSON struct {
	Data       map[string]json.RawMessage `json:"data"`
	Pagination *struct {
		HasNextPage *bool  `json:"hasNextPage"`
		Cursor      string `json:"cursor"`
	} `json:"pagination"`
}

type projectJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type addonItemJSON struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Tags   []string `json:"tags"`
	Status string   `json:"status"`
	Spec   struct {
		Type string `json:"type"`
	} `json:"spec"`
}

type addonJSON struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Tags      []string `json:"tags"`
	Status    string   `json:"status"`
	CreatedAt string   `json:"createdAt"`
	Spec      struct {
		Type   string `json:"type"`
		Config struct {
			VersionTag string `json:"versionTag"`
			Deployment struct {
				StorageSize float64 `json:"storageSize"`
			} `json:"deployment"`
		} `json:"config"`
	} `json:"spec"`
}

type backupJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	UID         string `json:"uid"`
	Status      string `json:"status"`
	CreatedAt   string `json:"createdAt"`
	CompletedAt string `json:"completedAt"`
	Config      struct {
		Source struct {
			Type string `json:"type"`
		} `json:"source"`
		Size                   string `json:"size"`
		CompressionType        string `json:"compressionType"`
		AdditionalDestinations []struct {
			DestinationID string `json:"destinationId"`
			RetentionTime int    `json:"retentionTime"`
			Type          string `json:"type"`
		} `json:"additionalDestinations"`
		AddonVersion string `json:"addonVersion"`
	} `json:"config"`
	CustomDestinationID string `json:"customDestinationId"`
	LastRestore         *struct {
		RestoreTimestamp string `json:"restoreTimestamp"`
		Status           string `json:"status"`
		CompletedAt      string `json:"completedAt"`
	} `json:"lastRestore"`
}

type restoreJSON struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	RestoreTimestamp string `json:"restoreTimestamp"`
	CompletedAt      string `json:"completedAt"`
	BackupID         string `json:"backupId"`
}

// one is the envelope of a single object.
type one[T any] struct {
	Data *T `json:"data"`
}

type errorJSON struct {
	Error *struct {
		Status  int             `json:"status"`
		Message string          `json:"message"`
		Details json.RawMessage `json:"details"`
	} `json:"error"`
}

// reasons reads Northflank's error body: the per-field details when there
// are any, else the message.
func reasons(_ int, body []byte) []string {
	var e errorJSON
	if json.Unmarshal(body, &e) != nil || e.Error == nil {
		return nil
	}
	if out := detailReasons(e.Error.Details); len(out) > 0 {
		return out
	}
	if m := strings.TrimSpace(e.Error.Message); m != "" {
		return []string{m}
	}
	return nil
}

// detailReasons accepts the shapes a details object may take: field →
// messages, field → message, or a list of {path, message}.
func detailReasons(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var out []string
	var many map[string][]string
	var single map[string]string
	var list []struct {
		Path    any    `json:"path"`
		Message string `json:"message"`
	}
	switch {
	case json.Unmarshal(raw, &many) == nil:
		for _, k := range sortedKeys(many) {
			for _, m := range many[k] {
				out = append(out, "["+k+"] "+m)
			}
		}
	case json.Unmarshal(raw, &single) == nil:
		for _, k := range sortedKeys(single) {
			out = append(out, "["+k+"] "+single[k])
		}
	case json.Unmarshal(raw, &list) == nil:
		for _, x := range list {
			if x.Message == "" {
				continue
			}
			if x.Path != nil {
				out = append(out, fmt.Sprintf("[%v] %s", x.Path, x.Message))
			} else {
				out = append(out, x.Message)
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func malformed(what string) error {
	return &client.Error{Kind: client.ErrMalformed, Err: errors.New("the reply lacks " + what)}
}

func invalid(reasons ...string) error {
	return &client.Error{Kind: client.ErrInvalid, Reasons: reasons}
}

// parseTime reads the API's RFC 3339 timestamps; "" is the zero time.
func parseTime(v, what string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, &client.Error{Kind: client.ErrMalformed, Err: fmt.Errorf("%s %q is not a time", what, v)}
	}
	return t, nil
}

// scheduledName matches the names Northflank's backup schedules give their
// backups. The API has no field saying a backup came from a schedule, so
// the name is the only sign.
var scheduledName = regexp.MustCompile(`(?i)^scheduled (hourly|daily|weekly) backup\b`)

// backupType is what the UI calls the backup: a disk snapshot or a native
// dump (taken from the live database or imported).
func backupType(source string) string {
	switch source {
	case "":
		return ""
	case "snapshot":
		return "snapshot"
	}
	return "dump"
}

var sourceWords = map[string]string{
	"fileUpload": "file upload", "liveInstance": "live instance", "snapshot": "disk snapshot",
	"externalDump": "external dump", "sameAddon": "same addon",
}

// toBackup maps one backup of resourceID; its Slot is left for the caller.
func toBackup(resourceID string, b *backupJSON) (model.Backup, error) {
	if b.ID == "" {
		return model.Backup{}, malformed("a backup ID")
	}
	if b.Status == "" {
		return model.Backup{}, malformed("the status of backup " + b.ID)
	}
	created, err := parseTime(b.CreatedAt, "createdAt")
	if err != nil {
		return model.Backup{}, err
	}
	completed, err := parseTime(b.CompletedAt, "completedAt")
	if err != nil {
		return model.Backup{}, err
	}
	var size int64
	if s := strings.TrimSpace(b.Config.Size); s != "" {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return model.Backup{}, &client.Error{Kind: client.ErrMalformed, Err: fmt.Errorf("backup size %q is not a number of bytes", s)}
		}
		size = model.SizeFromFloat(f) // negative: unknown; absurd: saturated
	}
	out := model.Backup{
		ID: b.ID, ResourceID: resourceID, Kind: model.BackupSnapshot, Label: b.Name,
		Status: model.NorthflankStatus(b.Status), RawStatus: b.Status, Available: b.Status == "completed",
		Created: created, Finished: completed, SizeBytes: size, Type: backupType(b.Config.Source.Type),
	}
	if scheduledName.MatchString(b.Name) {
		out.Kind = model.BackupAutomatic
	}
	if lr := b.LastRestore; lr != nil {
		started, err := parseTime(lr.RestoreTimestamp, "restoreTimestamp")
		if err != nil {
			return model.Backup{}, err
		}
		done, err := parseTime(lr.CompletedAt, "completedAt")
		if err != nil {
			return model.Backup{}, err
		}
		out.LastRestore = &model.Restore{BackupID: b.ID, BackupName: b.Name, Status: model.NorthflankStatus(lr.Status),
			RawStatus: lr.Status, Started: started, Finished: done}
	}
	out.Fields = fields(b, &out)
	return out, nil
}

// fields are the detail view's facts, in the API's order.
func fields(b *backupJSON, m *model.Backup) []model.Field {
	var f []model.Field
	add := func(name, v string) {
		if v != "" {
			f = append(f, model.Field{Name: name, Value: v})
		}
	}
	// A time not reached yet is left out, like any other empty field.
	addTime := func(name string, t time.Time) {
		if !t.IsZero() {
			add(name, format.Timestamp(t))
		}
	}
	add("Type", m.Type)
	add("Compression", b.Config.CompressionType)
	if w, ok := sourceWords[b.Config.Source.Type]; ok {
		add("Source", w)
	} else {
		add("Source", b.Config.Source.Type)
	}
	if b.Config.Size != "" {
		add("Size", format.Size(m.SizeBytes))
	}
	add("Addon version", b.Config.AddonVersion)
	addTime("Created", m.Created)
	addTime("Completed", m.Finished)
	if r := m.LastRestore; r != nil {
		add("Last restore", r.RawStatus)
		addTime("Last restore started", r.Started)
		addTime("Last restore completed", r.Finished)
	}
	var dests []string
	for _, d := range b.Config.AdditionalDestinations {
		s := d.DestinationID
		if d.RetentionTime > 0 {
			s += fmt.Sprintf(" (kept %d days)", d.RetentionTime)
		}
		dests = append(dests, s)
	}
	add("Destinations", strings.Join(dests, ", "))
	add("Custom destination", b.CustomDestinationID)
	add("UID", b.UID)
	return f
}

// markSlots sorts backups newest first and marks the newest completed
// user-taken backup current and the newest running one in progress.
func markSlots(bs []model.Backup) {
	slices.SortStableFunc(bs, func(a, b model.Backup) int { return b.Created.Compare(a.Created) })
	current, running := false, false
	for i := range bs {
		b := &bs[i]
		switch {
		case !running && isRunning(b.RawStatus):
			b.Slot, running = model.SlotInProgress, true
		case !current && b.Kind == model.BackupSnapshot && b.RawStatus == "completed":
			b.Slot, current = model.SlotCurrent, true
		}
	}
}

// isRunning reports whether a backup in this status is being taken.
func isRunning(raw string) bool { return raw == "scheduled" || raw == "in-progress" }
