package civo

import "time"

// instanceJSON is an instance as GET /v2/instances lists it, in the
// reference's field order (region and created_at are civogo's).
type instanceJSON struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Hostname        string   `json:"hostname"`
	AccountID       string   `json:"account_id"`
	Size            string   `json:"size"`
	Region          string   `json:"region"`
	FirewallID      string   `json:"firewall_id"`
	SourceType      string   `json:"source_type"`
	SourceID        string   `json:"source_id"`
	NetworkID       string   `json:"network_id"`
	InitialUser     string   `json:"initial_user"`
	InitialPassword *string  `json:"initial_password"` // only ever in the create reply
	SSHKey          *string  `json:"ssh_key"`
	SSHKeyID        *string  `json:"ssh_key_id"`
	Tags            []string `json:"tags"`
	UserScript      *string  `json:"user_script"`
	Status          string   `json:"status"`
	StatsToken      string   `json:"civostatsd_token"`
	PublicIP        *string  `json:"public_ip"`
	PrivateIP       *string  `json:"private_ip"`
	IPv6            *string  `json:"ipv6"`
	NamespaceID     *string  `json:"namespace_id"`
	Notes           string   `json:"notes"`
	ReverseDNS      string   `json:"reverse_dns"`
	CPUCores        int      `json:"cpu_cores"`
	RAMMB           int      `json:"ram_mb"`
	DiskGB          int      `json:"disk_gb"`
	CreatedAt       string   `json:"created_at"`
}

// snapshotJSON is a snapshot as the snapshots endpoints send it.
type snapshotJSON struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	InstanceID  string  `json:"instance_id"`
	Hostname    string  `json:"hostname"`
	TemplateID  string  `json:"template_id"`
	Region      string  `json:"region"`
	Safe        bool    `json:"safe"`
	CronTiming  *string `json:"cron_timing"`
	RequestedAt *string `json:"requested_at"`
	CompletedAt *string `json:"completed_at"`
	Status      string  `json:"status"`
	SizeGB      int     `json:"size_gb"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return orNull(t.UTC().Format(timeFormat))
}

func renderInstance(in *Instance) instanceJSON {
	tags := append([]string{}, in.Tags...)
	return instanceJSON{
		ID: in.ID, Name: in.Name, Hostname: in.Hostname, AccountID: in.AccountID, Size: in.Size, Region: in.Region,
		FirewallID: in.FirewallID, SourceType: in.SourceType, SourceID: in.SourceID, NetworkID: in.NetworkID,
		InitialUser: in.InitialUser, Tags: tags, Status: in.Status, StatsToken: in.StatsToken,
		PublicIP: orNull(in.PublicIP), PrivateIP: orNull(in.PrivateIP), Notes: in.Notes, ReverseDNS: in.ReverseDNS,
		CPUCores: in.CPUCores, RAMMB: in.RAMMB, DiskGB: in.DiskGB, CreatedAt: in.CreatedAt.UTC().Format(timeFormat),
	}
}

func renderSnapshot(s *Snapshot) snapshotJSON {
	return snapshotJSON{
		ID: s.ID, Name: s.Name, InstanceID: s.InstanceID, Hostname: s.Hostname, TemplateID: s.TemplateID,
		Region: s.Region, Safe: s.Safe, CronTiming: orNull(s.CronTiming), RequestedAt: timeOrNull(s.RequestedAt),
		CompletedAt: timeOrNull(s.CompletedAt), Status: s.Status, SizeGB: s.SizeGB,
	}
}
