package superbflex

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
)

// onTime reads OnApp's times ("2015-08-13T02:00:49+00:00") and null.
type onTime struct{ time.Time }

func (t *onTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	x, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("time %q: %w", s, err)
	}
	t.Time = x
	return nil
}

type vmWrap struct {
	VM vmWire `json:"virtual_machine"`
}

type vmWire struct {
	ID                    int    `json:"id"`
	Label                 string `json:"label"`
	Hostname              string `json:"hostname"`
	HypervisorID          *int   `json:"hypervisor_id"`
	Memory                int    `json:"memory"` // MB
	CPUs                  int    `json:"cpus"`
	Booted                bool   `json:"booted"`
	Built                 bool   `json:"built"`
	Locked                bool   `json:"locked"`
	Suspended             bool   `json:"suspended"`
	OperatingSystem       string `json:"operating_system"`
	OperatingSystemDistro string `json:"operating_system_distro"`
	TotalDiskSize         int    `json:"total_disk_size"` // GB
	CreatedAt             onTime `json:"created_at"`
	UserID                int    `json:"user_id"`
	// SupportIncrementalBackups says the VM can take incremental backups
	// of the whole VM; without them only normal backups of one disk work
	// (the API answers 422 "Incremental backups are not enabled").
	// Absent means not said: the whole VM stays the default.
	SupportIncrementalBackups *bool `json:"support_incremental_backups"`
}

type diskWrap struct {
	Disk diskWire `json:"disk"`
}

type diskWire struct {
	ID               int    `json:"id"`
	Label            string `json:"label"`
	DiskSize         int    `json:"disk_size"` // GB
	Primary          bool   `json:"primary"`
	IsSwap           bool   `json:"is_swap"`
	VirtualMachineID int    `json:"virtual_machine_id"`
}

type backupWrap struct {
	Backup backupWire `json:"backup"`
}

// backupWire is the backup object of Superb's reference page.
type backupWire struct {
	AllowResizeWithoutReboot bool    `json:"allow_resize_without_reboot"`
	AllowedHotMigrate        bool    `json:"allowed_hot_migrate"`
	AllowedSwap              bool    `json:"allowed_swap"`
	BackupServerID           *int    `json:"backup_server_id"`
	BackupSize               int64   `json:"backup_size"` // kB
	Built                    bool    `json:"built"`
	BuiltAt                  onTime  `json:"built_at"`
	CreatedAt                onTime  `json:"created_at"`
	UpdatedAt                onTime  `json:"updated_at"`
	DataStoreType            *string `json:"data_store_type"`
	ID                       int     `json:"id"`
	Identifier               *string `json:"identifier"`
	ImageType                *string `json:"image_type"`
	Initiated                string  `json:"initiated"`
	IQN                      *string `json:"iqn"`
	Locked                   bool    `json:"locked"`
	MarkedForDelete          bool    `json:"marked_for_delete"`
	MinDiskSize              *int    `json:"min_disk_size"`   // GB
	MinMemorySize            *int    `json:"min_memory_size"` // MB
	Note                     *string `json:"note"`
	OperatingSystem          *string `json:"operating_system"`
	OperatingSystemDistro    *string `json:"operating_system_distro"`
	TargetID                 int     `json:"target_id"`
	TargetType               string  `json:"target_type"`
	TemplateID               *int    `json:"template_id"`
	UserID                   *int    `json:"user_id"`
	VolumeID                 *int    `json:"volume_id"`
	BackupType               string  `json:"backup_type"`
	DiskID                   *int    `json:"disk_id"`
}

// noteBody is a backup write's body: {"backup": {"note": …}}.
type noteBody struct {
	Backup struct {
		Note *string `json:"note,omitempty"`
	} `json:"backup"`
}

func newNoteBody(note string, always bool) noteBody {
	var b noteBody
	if note != "" || always {
		b.Backup.Note = &note
	}
	return b
}

// reasons reads OnApp's error bodies: {"errors": ["…"]}, Rails model
// errors {"errors": {"base": ["…"], "note": ["is too long …"]}}, and a bare
// {"error": "…"}. A field's messages are prefixed with the field.
func reasons(_ int, body []byte) []string {
	var v struct {
		Errors json.RawMessage `json:"errors"`
		Error  string          `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	var out []string
	var list []string
	var fields map[string]json.RawMessage
	switch {
	case json.Unmarshal(v.Errors, &list) == nil:
		out = list
	case json.Unmarshal(v.Errors, &fields) == nil:
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		// base first: it says what went wrong as a whole.
		slices.SortFunc(keys, func(a, b string) int {
			if (a == "base") != (b == "base") {
				if a == "base" {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			var msgs []string
			if json.Unmarshal(fields[k], &msgs) != nil {
				var one string
				if json.Unmarshal(fields[k], &one) != nil {
					continue
				}
				msgs = []string{one}
			}
			for _, m := range msgs {
				if k == "base" {
					out = append(out, m)
				} else {
					out = append(out, "["+k+"] "+m)
				}
			}
		}
	}
	if v.Error != "" {
		out = append(out, v.Error)
	}
	return out
}

func malformed(what string) error {
	return &client.Error{Kind: client.ErrMalformed, Reasons: []string{"the reply lacks " + what}}
}

// resource maps a VM onto model.Resource; its Region is the hypervisor it
// runs on, the closest thing to a place an OnApp user sees.
func resource(v *vmWire) model.Resource {
	region := ""
	if v.HypervisorID != nil {
		region = "HV " + strconv.Itoa(*v.HypervisorID)
	}
	return model.Resource{
		ID: strconv.Itoa(v.ID), Provider: Info.Name, Kind: model.KindVM, Label: v.Label, Region: region,
		Status: vmStatus(v), Plan: plan(v), Created: v.CreatedAt.Time, DiskMB: model.SizeMB(v.TotalDiskSize, 1024),
		// Every built VM can have backups: normal ones of its disks need
		// no service to be switched on.
		BackupsEnabled: v.Built,
		DisksOnly:      v.SupportIncrementalBackups != nil && !*v.SupportIncrementalBackups,
	}
}

// vmStatus names the VM's state from OnApp's flags, the most pressing
// first.
func vmStatus(v *vmWire) string {
	switch {
	case !v.Built:
		return "building"
	case v.Locked:
		return "locked"
	case v.Suspended:
		return "suspended"
	case v.Booted:
		return "running"
	}
	return "stopped"
}

func plan(v *vmWire) string {
	mem := strconv.Itoa(v.Memory) + " MB"
	if v.Memory >= 1024 && v.Memory%1024 == 0 {
		mem = strconv.Itoa(v.Memory/1024) + " GB"
	}
	return fmt.Sprintf("%d vCPU, %s", v.CPUs, mem)
}

// rawStatus is the word for a backup's built flag.
func rawStatus(b *backupWire) string {
	if b.Built {
		return model.SuperbFlexBuilt
	}
	return model.SuperbFlexNotBuilt
}

// backup maps a backup of VM resourceID onto model.Backup; the caller sets
// its Slot.
func backup(resourceID string, b *backupWire) model.Backup {
	raw := rawStatus(b)
	note := ""
	if b.Note != nil {
		note = *b.Note
	}
	label := note
	if label == "" {
		if b.BackupType == "incremental" {
			label = "VM backup " + strconv.Itoa(b.ID)
		} else {
			label = "disk " + strconv.Itoa(b.TargetID) + " backup " + strconv.Itoa(b.ID)
		}
	}
	return model.Backup{
		ID: strconv.Itoa(b.ID), ResourceID: resourceID, Kind: model.SuperbFlexBackupKind(b.Initiated),
		Label: label, Status: model.SuperbFlexStatus(raw), RawStatus: raw, Available: b.Built,
		Created: b.CreatedAt.Time, Updated: b.UpdatedAt.Time, Finished: b.BuiltAt.Time,
		SizeBytes: model.SizeBytes(b.BackupSize, 1024), Type: b.BackupType, Note: note, Locked: b.Locked,
		Fields: fields(b),
	}
}

// fields are the backup's other documented facts, in the reference page's
// spirit and order; names fit the detail view's 14 columns.
func fields(b *backupWire) []model.Field {
	initiated := b.Initiated
	if s, ok := map[string]string{"days": "daily", "weeks": "weekly", "months": "monthly", "years": "yearly"}[b.Initiated]; ok {
		initiated += " (" + s + " schedule)"
	}
	size := format.Unknown + " (not built yet)"
	if b.Built || b.BackupSize > 0 {
		size = format.Size(model.SizeBytes(b.BackupSize, 1024)) + " (" + strconv.FormatInt(b.BackupSize, 10) + " kB)"
	}
	target := b.TargetType + " " + strconv.Itoa(b.TargetID)
	if b.TargetType == "VirtualMachine" {
		target = "virtual machine " + strconv.Itoa(b.TargetID)
	} else if b.TargetType == "Disk" {
		target = "disk " + strconv.Itoa(b.TargetID)
	}
	os := str(b.OperatingSystem)
	if d := str(b.OperatingSystemDistro); d != "—" {
		os += " / " + d
	}
	return []model.Field{
		{Name: "Backup type", Value: b.BackupType},
		{Name: "Initiated", Value: initiated},
		{Name: "Built", Value: yesNo(b.Built)},
		{Name: "Built at", Value: format.Timestamp(b.BuiltAt.Time)},
		{Name: "Backup size", Value: size},
		{Name: "Target", Value: target},
		{Name: "Disk ID", Value: num(b.DiskID)},
		{Name: "Locked", Value: yesNo(b.Locked)},
		{Name: "For deletion", Value: yesNo(b.MarkedForDelete)},
		{Name: "Data store", Value: str(b.DataStoreType)},
		{Name: "Volume ID", Value: num(b.VolumeID)},
		{Name: "Backup server", Value: num(b.BackupServerID)},
		{Name: "Identifier", Value: str(b.Identifier)},
		{Name: "Image type", Value: str(b.ImageType)},
		{Name: "iSCSI IQN", Value: str(b.IQN)},
		{Name: "Min disk size", Value: sizeOf(b.MinDiskSize, 1<<30)},
		{Name: "Min memory", Value: sizeOf(b.MinMemorySize, 1<<20)},
		{Name: "OS / distro", Value: os},
		{Name: "Template ID", Value: num(b.TemplateID)},
		{Name: "User ID", Value: num(b.UserID)},
		{Name: "Resize live", Value: yesNo(b.AllowResizeWithoutReboot)},
		{Name: "Hot migrate", Value: yesNo(b.AllowedHotMigrate)},
		{Name: "Swap allowed", Value: yesNo(b.AllowedSwap)},
	}
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func str(s *string) string {
	if s == nil || *s == "" {
		return "—"
	}
	return *s
}

func num(n *int) string {
	if n == nil {
		return "—"
	}
	return strconv.Itoa(*n)
}

// sizeOf is a count of unit bytes (OnApp's GB and MB are GiB and MiB) as
// every size is written; format.Unknown when not given.
func sizeOf(n *int, unit int64) string {
	if n == nil {
		return format.Unknown
	}
	return format.Size(model.SizeBytes(int64(*n), unit))
}
