package linode

import "time"

// timeLayout is the API's timestamp format: UTC with no zone, which is what
// linodego parses.
const timeLayout = "2006-01-02T15:04:05"

type instanceJSON struct {
	ID              int         `json:"id"`
	Label           string      `json:"label"`
	Region          string      `json:"region"`
	Type            string      `json:"type"`
	Status          string      `json:"status"`
	Image           string      `json:"image"`
	Group           string      `json:"group"`
	Tags            []string    `json:"tags"`
	IPv4            []string    `json:"ipv4"`
	IPv6            string      `json:"ipv6"`
	Created         string      `json:"created"`
	Updated         string      `json:"updated"`
	Specs           specsJSON   `json:"specs"`
	Hypervisor      string      `json:"hypervisor"`
	Backups         backupsInfo `json:"backups"`
	WatchdogEnabled bool        `json:"watchdog_enabled"`
}

type specsJSON struct {
	Disk     int `json:"disk"`
	Memory   int `json:"memory"`
	VCPUs    int `json:"vcpus"`
	Transfer int `json:"transfer"`
	GPUs     int `json:"gpus"`
}

type backupsInfo struct {
	Enabled   bool `json:"enabled"`
	Available bool `json:"available"`
	Schedule  struct {
		Day    *string `json:"day"`
		Window *string `json:"window"`
	} `json:"schedule"`
	LastSuccessful *string `json:"last_successful"`
}

type backupJSON struct {
	ID        int        `json:"id"`
	Label     *string    `json:"label"`
	Status    string     `json:"status"`
	Type      string     `json:"type"`
	Available bool       `json:"available"`
	Created   string     `json:"created"`
	Updated   string     `json:"updated"`
	Finished  *string    `json:"finished"`
	Configs   []string   `json:"configs"`
	Disks     []diskJSON `json:"disks"`
}

type diskJSON struct {
	Label      string `json:"label"`
	Size       int    `json:"size"`
	Filesystem string `json:"filesystem"`
}

type backupsJSON struct {
	Automatic []backupJSON `json:"automatic"`
	Snapshot  struct {
		Current    *backupJSON `json:"current"`
		InProgress *backupJSON `json:"in_progress"`
	} `json:"snapshot"`
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// nullable sends "" and zero times as JSON null, as the API does.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return nullable(fmtTime(t))
}

func renderInstance(in *Instance) instanceJSON {
	v := instanceJSON{
		ID: in.ID, Label: in.Label, Region: in.Region, Type: in.Type, Status: in.Status,
		Image: in.Image, Group: in.Group, Tags: in.Tags, IPv4: in.IPv4, IPv6: in.IPv6,
		Created: fmtTime(in.Created), Updated: fmtTime(in.Updated),
		Specs:           specsJSON{in.Specs.Disk, in.Specs.Memory, in.Specs.VCPUs, in.Specs.Transfer, in.Specs.GPUs},
		Hypervisor:      in.Hypervisor,
		WatchdogEnabled: in.Watchdog,
	}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if v.IPv4 == nil {
		v.IPv4 = []string{}
	}
	last := in.LastSuccessful()
	v.Backups.Enabled = in.BackupsEnabled
	v.Backups.Available = in.BackupsEnabled && !last.IsZero()
	v.Backups.Schedule.Day = nullable(in.ScheduleDay)
	v.Backups.Schedule.Window = nullable(in.ScheduleWindow)
	v.Backups.LastSuccessful = nullTime(last)
	return v
}

func renderBackup(b *Backup) backupJSON {
	v := backupJSON{
		ID: b.ID, Label: nullable(b.Label), Status: b.Status, Type: b.Type, Available: b.Available,
		Created: fmtTime(b.Created), Updated: fmtTime(b.Updated), Finished: nullTime(b.Finished),
		Configs: b.Configs, Disks: make([]diskJSON, 0, len(b.Disks)),
	}
	if v.Configs == nil {
		v.Configs = []string{}
	}
	for _, d := range b.Disks {
		v.Disks = append(v.Disks, diskJSON{d.Label, d.SizeMB, d.Filesystem})
	}
	return v
}
