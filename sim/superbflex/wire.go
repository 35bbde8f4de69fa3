package superbflex

import (
	"time"
)

// onappTime is how OnApp writes a time: RFC 3339 with a numeric offset,
// "2015-08-13T02:00:49+00:00".
const onappTime = "2006-01-02T15:04:05-07:00"

func stamp(t time.Time) string { return t.UTC().Format(onappTime) }

func stampOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

func intOrNull(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func strOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// latest is the newest of ts that is not after now: an object's updated_at
// moves when a lazily reached change (built, unlocked) happens.
func latest(now time.Time, ts ...time.Time) time.Time {
	var t time.Time
	for _, x := range ts {
		if !x.After(now) && x.After(t) {
			t = x
		}
	}
	return t
}

type vmWrap struct {
	VM vmJSON `json:"virtual_machine"`
}

type ipWrap struct {
	IP ipJSON `json:"ip_address"`
}

type ipJSON struct {
	Address   string `json:"address"`
	Gateway   string `json:"gateway"`
	Netmask   string `json:"netmask"`
	NetworkID int    `json:"network_id"`
	Free      bool   `json:"free"`
}

type vmJSON struct {
	AdminNote                 *string  `json:"admin_note"`
	AllowedHotMigrate         bool     `json:"allowed_hot_migrate"`
	AllowedSwap               bool     `json:"allowed_swap"`
	Booted                    bool     `json:"booted"`
	Built                     bool     `json:"built"`
	CPUShares                 int      `json:"cpu_shares"`
	CPUs                      int      `json:"cpus"`
	CreatedAt                 string   `json:"created_at"`
	CustomerNetworkID         *int     `json:"customer_network_id"`
	DeletedAt                 *string  `json:"deleted_at"`
	EnableAutoscale           bool     `json:"enable_autoscale"`
	EnableMonitis             bool     `json:"enable_monitis"`
	FirewallNotrack           bool     `json:"firewall_notrack"`
	Hostname                  string   `json:"hostname"`
	HypervisorID              *int     `json:"hypervisor_id"`
	ID                        int      `json:"id"`
	Identifier                string   `json:"identifier"`
	InitialRootPasswordEnc    bool     `json:"initial_root_password_encrypted"`
	IsoID                     *int     `json:"iso_id"`
	Label                     string   `json:"label"`
	Locked                    bool     `json:"locked"`
	Memory                    int      `json:"memory"`
	MinDiskSize               int      `json:"min_disk_size"`
	Note                      *string  `json:"note"`
	OperatingSystem           string   `json:"operating_system"`
	OperatingSystemDistro     string   `json:"operating_system_distro"`
	PreferredHVs              []int    `json:"preferred_hvs"`
	RecoveryMode              bool     `json:"recovery_mode"`
	State                     string   `json:"state"`
	StrictVirtualMachineID    *int     `json:"strict_virtual_machine_id"`
	Suspended                 bool     `json:"suspended"`
	TemplateID                int      `json:"template_id"`
	TemplateLabel             string   `json:"template_label"`
	TimeZone                  *string  `json:"time_zone"`
	UpdatedAt                 string   `json:"updated_at"`
	UserID                    int      `json:"user_id"`
	XenID                     *int     `json:"xen_id"`
	IPAddresses               []ipWrap `json:"ip_addresses"`
	MonthlyBandwidthUsed      int      `json:"monthly_bandwidth_used"`
	TotalDiskSize             int      `json:"total_disk_size"`
	PricePerHour              float64  `json:"price_per_hour"`
	PricePerHourPoweredOff    float64  `json:"price_per_hour_powered_off"`
	SupportIncrementalBackups bool     `json:"support_incremental_backups"`
	CPUPriority               int      `json:"cpu_priority"`
}

func renderVM(vm *VM, now time.Time) vmJSON {
	state := "delivered"
	if !vm.Built {
		state = "new"
	}
	ips := make([]ipWrap, 0, len(vm.IPv4))
	for _, ip := range vm.IPv4 {
		ips = append(ips, ipWrap{ipJSON{Address: ip, Gateway: "185.52.0.1", Netmask: "255.255.255.0", NetworkID: 2}})
	}
	minDisk := 5
	if vm.OS == "windows" {
		minDisk = 30
	}
	var xen *int
	if vm.Built {
		x := vm.ID % 97
		xen = &x
	}
	price := 0.004*float64(vm.CPUs) + 0.003*float64(vm.MemoryMB)/1024 + 0.0001*float64(vm.TotalDiskGB())
	return vmJSON{
		AdminNote: nil, AllowedHotMigrate: true, AllowedSwap: vm.OS != "windows",
		Booted: vm.BootedAt(now), Built: vm.Built, CPUShares: vm.CPUShares, CPUs: vm.CPUs,
		CreatedAt: stamp(vm.Created), Hostname: vm.Hostname, HypervisorID: intOrNull(vm.HypervisorID),
		ID: vm.ID, Identifier: vm.Identifier, InitialRootPasswordEnc: false, Label: vm.Label,
		Locked: vm.LockedAt(now), Memory: vm.MemoryMB, MinDiskSize: minDisk, Note: strOrNull(vm.Note),
		OperatingSystem: vm.OS, OperatingSystemDistro: vm.Distro, PreferredHVs: []int{}, State: state,
		Suspended: vm.Suspended, TemplateID: vm.TemplateID, TemplateLabel: vm.TemplateLabel,
		UpdatedAt: stamp(latest(now, vm.Updated, vm.LockedUntil)), UserID: vm.UserID, XenID: xen,
		IPAddresses: ips, MonthlyBandwidthUsed: (vm.ID * 7919) % 50000, TotalDiskSize: vm.TotalDiskGB(),
		PricePerHour: price, PricePerHourPoweredOff: price / 4, SupportIncrementalBackups: vm.Incremental,
		CPUPriority: 100,
	}
}

type diskWrap struct {
	Disk diskJSON `json:"disk"`
}

type diskJSON struct {
	AddToFreeBSDFstab *bool   `json:"add_to_freebsd_fstab"`
	AddToLinuxFstab   *bool   `json:"add_to_linux_fstab"`
	Built             bool    `json:"built"`
	BurstBW           int     `json:"burst_bw"`
	BurstIOPS         int     `json:"burst_iops"`
	CreatedAt         string  `json:"created_at"`
	DataStoreID       int     `json:"data_store_id"`
	DiskSize          int     `json:"disk_size"`
	DiskVMNumber      int     `json:"disk_vm_number"`
	FileSystem        string  `json:"file_system"`
	ID                int     `json:"id"`
	Identifier        string  `json:"identifier"`
	IQN               *string `json:"iqn"`
	IsSwap            bool    `json:"is_swap"`
	Label             string  `json:"label"`
	Locked            bool    `json:"locked"`
	MaxBW             int     `json:"max_bw"`
	MaxIOPS           int     `json:"max_iops"`
	MinIOPS           int     `json:"min_iops"`
	MountPoint        *string `json:"mount_point"`
	Primary           bool    `json:"primary"`
	UpdatedAt         string  `json:"updated_at"`
	VirtualMachineID  int     `json:"virtual_machine_id"`
	VolumeID          *int    `json:"volume_id"`
	HasAutobackups    bool    `json:"has_autobackups"`
}

func renderDisk(vm *VM, d *Disk, now time.Time) diskJSON {
	return diskJSON{
		Built: vm.Built, CreatedAt: stamp(d.Created), DataStoreID: d.DataStoreID, DiskSize: d.SizeGB,
		DiskVMNumber: d.VMNumber, FileSystem: d.FileSystem, ID: d.ID, Identifier: d.Identifier, IsSwap: d.Swap,
		Label: d.Label, Locked: vm.LockedAt(now), MountPoint: strOrNull(d.MountPoint), Primary: d.Primary,
		UpdatedAt: stamp(latest(now, d.Updated, vm.LockedUntil)), VirtualMachineID: vm.ID, HasAutobackups: d.AutoBackups,
	}
}

type backupWrap struct {
	Backup backupJSON `json:"backup"`
}

// backupJSON is the backup object exactly as Superb's reference page shows
// it, in its order; image_type is described there too and sent as null.
type backupJSON struct {
	AllowResizeWithoutReboot bool    `json:"allow_resize_without_reboot"`
	AllowedHotMigrate        bool    `json:"allowed_hot_migrate"`
	AllowedSwap              bool    `json:"allowed_swap"`
	BackupServerID           *int    `json:"backup_server_id"`
	BackupSize               int     `json:"backup_size"`
	Built                    bool    `json:"built"`
	BuiltAt                  *string `json:"built_at"`
	CreatedAt                string  `json:"created_at"`
	DataStoreType            string  `json:"data_store_type"`
	ID                       int     `json:"id"`
	Identifier               string  `json:"identifier"`
	ImageType                *string `json:"image_type"`
	Initiated                string  `json:"initiated"`
	IQN                      *string `json:"iqn"`
	Locked                   bool    `json:"locked"`
	MarkedForDelete          bool    `json:"marked_for_delete"`
	MinDiskSize              int     `json:"min_disk_size"`
	MinMemorySize            int     `json:"min_memory_size"`
	Note                     *string `json:"note"`
	OperatingSystem          string  `json:"operating_system"`
	OperatingSystemDistro    string  `json:"operating_system_distro"`
	TargetID                 int     `json:"target_id"`
	TargetType               string  `json:"target_type"`
	TemplateID               int     `json:"template_id"`
	UpdatedAt                string  `json:"updated_at"`
	UserID                   int     `json:"user_id"`
	VolumeID                 *int    `json:"volume_id"`
	BackupType               string  `json:"backup_type"`
	DiskID                   *int    `json:"disk_id"`
}

func renderBackup(vm *VM, b *Backup, now time.Time) backupJSON {
	built := b.BuiltBy(now)
	v := backupJSON{
		AllowResizeWithoutReboot: b.AllowResize, AllowedHotMigrate: b.HotMigrate, AllowedSwap: b.AllowSwap,
		BackupServerID: intOrNull(b.BackupServerID), Built: built, CreatedAt: stamp(b.Created),
		DataStoreType: b.DataStoreType, ID: b.ID, Identifier: b.Identifier, Initiated: b.Initiated,
		Locked: b.LockedAt(now), MarkedForDelete: b.MarkedForDelete, MinDiskSize: b.MinDiskSizeGB,
		MinMemorySize: b.MinMemoryMB, Note: strOrNull(b.Note), OperatingSystem: b.OS, OperatingSystemDistro: b.Distro,
		TemplateID: b.TemplateID, UserID: b.UserID, BackupType: b.Type,
		UpdatedAt: stamp(latest(now, b.Updated, b.BuiltAt, b.LockedUntil)),
	}
	if built {
		v.BackupSize, v.BuiltAt = b.SizeKB, stampOrNull(b.BuiltAt)
	}
	if b.Type == "normal" {
		v.TargetID, v.TargetType, v.DiskID = b.DiskID, "Disk", intOrNull(b.DiskID)
	} else {
		v.TargetID, v.TargetType = vm.ID, "VirtualMachine"
	}
	return v
}
