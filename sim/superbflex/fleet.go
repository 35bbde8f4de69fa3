package superbflex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Fleet is the account state the simulator serves: one user's virtual
// machines, their disks and their backups.
type Fleet struct {
	VMs []*VM
}

// VM is one simulated virtual server.
type VM struct {
	ID            int
	Identifier    string
	Label         string
	Hostname      string
	HypervisorID  int // 0 is sent as null
	MemoryMB      int
	CPUs          int
	CPUShares     int
	Booted        bool // its power state outside restores
	Built         bool
	Suspended     bool
	OS            string // "linux", "windows", "freebsd"
	Distro        string
	TemplateID    int
	TemplateLabel string
	Created       time.Time
	Updated       time.Time
	UserID        int
	IPv4          []string
	// Incremental says the VM can take incremental backups (it has a
	// backup server zone); normal disk backups need nothing.
	Incremental bool
	Note        string
	// LockedUntil is the end of the restore that locks the VM; the VM is
	// locked, and powered off, while the clock is before it.
	LockedUntil time.Time

	Disks   []*Disk
	Backups []*Backup // oldest first, as the API lists them
}

// Disk is one disk of a VM.
type Disk struct {
	ID          int
	Identifier  string
	Label       string
	SizeGB      int
	Primary     bool
	Swap        bool
	FileSystem  string
	MountPoint  string
	DataStoreID int
	VMNumber    int // disk_vm_number
	AutoBackups bool
	Created     time.Time
	Updated     time.Time
}

// Backup is one normal (disk) or incremental (VM) backup.
type Backup struct {
	ID        int
	Type      string // "normal" or "incremental"
	DiskID    int    // the disk of a normal backup; 0 for incremental
	Initiated string // "manual", "days", "weeks", "months", "years"
	Note      string // "" is sent as null
	Created   time.Time
	Updated   time.Time
	// BuiltAt is when the backup is, or will be, built: it reads as built
	// once the clock reaches it. Zero means never.
	BuiltAt time.Time
	// SizeKB is the size it has once built; 0 is sent until then.
	SizeKB int
	// LockedUntil is the end of the restore that locks it.
	LockedUntil     time.Time
	MarkedForDelete bool
	BackupServerID  int // 0 is sent as null
	DataStoreType   string
	Identifier      string
	MinDiskSizeGB   int
	MinMemoryMB     int
	OS, Distro      string
	TemplateID      int
	UserID          int
	AllowResize     bool // allow_resize_without_reboot
	HotMigrate      bool
	AllowSwap       bool
}

// BuiltBy reports whether the backup is built at now.
func (b *Backup) BuiltBy(now time.Time) bool { return !b.BuiltAt.IsZero() && !now.Before(b.BuiltAt) }

// LockedAt reports whether the backup is locked at now.
func (b *Backup) LockedAt(now time.Time) bool { return now.Before(b.LockedUntil) }

// LockedAt reports whether the VM is locked at now.
func (vm *VM) LockedAt(now time.Time) bool { return now.Before(vm.LockedUntil) }

// BootedAt reports the VM's power state at now: a restore shuts it down.
func (vm *VM) BootedAt(now time.Time) bool { return vm.Booted && !vm.LockedAt(now) }

// TotalDiskGB adds up the VM's disks.
func (vm *VM) TotalDiskGB() int {
	n := 0
	for _, d := range vm.Disks {
		n += d.SizeGB
	}
	return n
}

// Disk returns the VM's disk id, or nil.
func (vm *VM) Disk(id int) *Disk {
	for _, d := range vm.Disks {
		if d.ID == id {
			return d
		}
	}
	return nil
}

// LastBuilt is the built_at of the VM's newest built backup at now; zero
// when there is none.
func (vm *VM) LastBuilt(now time.Time) time.Time {
	var t time.Time
	for _, b := range vm.Backups {
		if b.BuiltBy(now) && b.BuiltAt.After(t) {
			t = b.BuiltAt
		}
	}
	return t
}

func (vm *VM) clone() VM {
	c := *vm
	c.IPv4 = append([]string(nil), vm.IPv4...)
	c.Disks = make([]*Disk, 0, len(vm.Disks))
	for _, d := range vm.Disks {
		x := *d
		c.Disks = append(c.Disks, &x)
	}
	c.Backups = make([]*Backup, 0, len(vm.Backups))
	for _, b := range vm.Backups {
		x := *b
		c.Backups = append(c.Backups, &x)
	}
	return c
}

// DemoUserID is the OnApp user that owns the demo's VMs.
const DemoUserID = 337

// Demo is the account served by --demo: twelve VMs on three hypervisors,
// with timestamps relative to now so ages read the same whenever it runs.
// It includes a backup being built, a restore under way (a locked VM and a
// locked backup), an auto-backup marked for deletion, a VM with no backups,
// a VM whose newest backup is days old, notes, and a VM not yet built.
func Demo(now time.Time) *Fleet {
	g := &gen{
		r:      rand.New(rand.NewPCG(7, 0x5eed_f1e8)),
		now:    now.UTC().Truncate(time.Second),
		vmID:   480,
		diskID: 1180,
		bakID:  6100,
	}
	f := &Fleet{VMs: []*VM{
		g.web01(), g.dbMaster(), g.mail(), g.legacyBilling(), g.stagingAPI(), g.cache02(),
		g.ciRunner(), g.vpn(), g.analytics(), g.dnsSecondary(), g.winRDP(), g.newBuild(),
	}}
	// IDs follow creation across the account, as a database sequence does.
	var all []*Backup
	for _, vm := range f.VMs {
		slices.SortStableFunc(vm.Backups, func(a, b *Backup) int { return a.Created.Compare(b.Created) })
		all = append(all, vm.Backups...)
	}
	slices.SortStableFunc(all, func(a, b *Backup) int { return a.Created.Compare(b.Created) })
	id := 6100
	for _, b := range all {
		id += 1 + g.r.IntN(40)
		b.ID = id
	}
	return f
}

type gen struct {
	r                   *rand.Rand
	now                 time.Time
	vmID, diskID, bakID int
}

func (g *gen) ago(d time.Duration) time.Time { return g.now.Add(-d) }

const alnum = "abcdefghijklmnopqrstuvwxyz0123456789"

// identifier is an OnApp object identifier: 14 lower-case letters and digits.
func (g *gen) identifier() string {
	b := make([]byte, 14)
	for i := range b {
		b[i] = alnum[g.r.IntN(len(alnum))]
	}
	return string(b)
}

type distro struct {
	os, distro, template string
	templateID, minMem   int
}

var (
	debian12 = distro{"linux", "debian", "Debian 12.0 x64", 1204, 512}
	ubuntu24 = distro{"linux", "ubuntu", "Ubuntu 24.04 x64", 1311, 1024}
	rocky9   = distro{"linux", "rhel", "Rocky Linux 9.4 x64", 1267, 1024}
	alma8    = distro{"linux", "rhel", "AlmaLinux 8.10 x64", 1150, 1024}
	freebsd  = distro{"freebsd", "freebsd", "FreeBSD 14.1 x64", 1290, 512}
	win2022  = distro{"windows", "2022", "Windows Server 2022 Standard x64", 1302, 2048}
)

// vm makes a built, running VM with a primary disk of primaryGB and, when
// swapGB > 0, a swap disk.
func (g *gen) vm(label, hostname string, hv int, d distro, cpus, memMB, primaryGB, swapGB int, age time.Duration) *VM {
	g.vmID += 1 + g.r.IntN(30)
	created := g.ago(age).Add(-time.Duration(g.r.IntN(1440)) * time.Minute)
	vm := &VM{
		ID: g.vmID, Identifier: g.identifier(), Label: label, Hostname: hostname, HypervisorID: hv,
		MemoryMB: memMB, CPUs: cpus, CPUShares: 100, Booted: true, Built: true,
		OS: d.os, Distro: d.distro, TemplateID: d.templateID, TemplateLabel: d.template,
		Created: created, Updated: g.ago(time.Duration(2+g.r.IntN(300)) * time.Hour),
		UserID: DemoUserID, IPv4: []string{fmt.Sprintf("185.52.%d.%d", 100+g.r.IntN(30), 2+g.r.IntN(250))},
	}
	fs := "ext4"
	switch d.os {
	case "windows":
		fs = "ntfs"
	case "freebsd":
		fs = "ufs"
	}
	g.disk(vm, "Disk 1", primaryGB, fs, "/")
	vm.Disks[0].Primary = true
	if swapGB > 0 {
		g.disk(vm, "Disk 2", swapGB, "swap", "")
		vm.Disks[1].Swap = true
	}
	return vm
}

func (g *gen) disk(vm *VM, label string, gb int, fs, mount string) *Disk {
	g.diskID += 1 + g.r.IntN(9)
	d := &Disk{ID: g.diskID, Identifier: g.identifier(), Label: label, SizeGB: gb, FileSystem: fs, MountPoint: mount,
		DataStoreID: 3 + vm.HypervisorID%4, VMNumber: len(vm.Disks) + 1, Created: vm.Created, Updated: vm.Created}
	vm.Disks = append(vm.Disks, d)
	return d
}

// backup adds a backup started `started` ago that took dur to build; a zero
// dur means it is still being built and finishes `left` from now. disk is
// nil for an incremental backup of the whole VM.
func (g *gen) backup(vm *VM, disk *Disk, initiated, note string, started, dur, left time.Duration, sizeMB int) *Backup {
	g.bakID += 1 + g.r.IntN(40)
	b := &Backup{
		ID: g.bakID, Type: "incremental", Initiated: initiated, Note: note,
		Created: g.ago(started), SizeKB: sizeMB*1024 + g.r.IntN(1024),
		BackupServerID: 1 + vm.HypervisorID%2, DataStoreType: "lvm", Identifier: g.identifier(),
		MinDiskSizeGB: vm.TotalDiskGB(), MinMemoryMB: 512, OS: vm.OS, Distro: vm.Distro,
		TemplateID: vm.TemplateID, UserID: vm.UserID, AllowResize: vm.OS == "linux", HotMigrate: true, AllowSwap: vm.OS != "windows",
	}
	if disk != nil {
		b.Type, b.DiskID, b.MinDiskSizeGB = "normal", disk.ID, disk.SizeGB
		b.Identifier = disk.Identifier
	}
	if dur > 0 {
		b.BuiltAt = b.Created.Add(dur)
	} else {
		b.BuiltAt = g.now.Add(left)
	}
	b.Updated = b.Created
	vm.Backups = append(vm.Backups, b)
	return b
}

// schedule adds k built automatic backups, every `every`, the newest
// started newest ago; they are listed oldest first.
func (g *gen) schedule(vm *VM, disk *Disk, initiated string, k int, newest, every time.Duration, sizeMB int) {
	for i := k - 1; i >= 0; i-- {
		dur := time.Duration(2+g.r.IntN(20)) * time.Minute
		g.backup(vm, disk, initiated, "", newest+time.Duration(i)*every, dur, 0, sizeMB+g.r.IntN(sizeMB/10+1))
	}
}

const day = 24 * time.Hour

func (g *gen) web01() *VM {
	vm := g.vm("web-01", "web-01.shop.example.net", 3, debian12, 2, 4096, 40, 2, 410*day)
	g.schedule(vm, vm.Disks[0], "days", 3, 7*time.Hour, day, 6100)
	g.backup(vm, vm.Disks[0], "manual", "before nginx 1.26 upgrade", 5*time.Hour, 9*time.Minute, 0, 6350)
	return vm
}

func (g *gen) dbMaster() *VM {
	vm := g.vm("db-master", "db-master.shop.example.net", 3, rocky9, 8, 32768, 200, 4, 380*day)
	vm.Incremental = true
	g.disk(vm, "pgdata", 500, "xfs", "/var/lib/pgsql")
	g.schedule(vm, nil, "weeks", 2, 3*day+4*time.Hour, 7*day, 88000)
	g.schedule(vm, nil, "days", 3, 4*time.Hour, day, 21000)
	g.backup(vm, nil, "manual", "before PostgreSQL 17 upgrade", 6*time.Minute, 0, 14*time.Minute, 24500)
	return vm
}

func (g *gen) mail() *VM {
	vm := g.vm("mail", "mx1.example.net", 7, debian12, 1, 2048, 20, 1, 900*day)
	vm.Note = "Postfix + Dovecot; mailboxes are synced off-site nightly"
	return vm
}

func (g *gen) legacyBilling() *VM {
	vm := g.vm("legacy-billing-export-worker-eu-west", "billing-export.internal.example.net", 7, alma8, 2, 4096, 60, 2, 1300*day)
	vm.Booted = false
	g.schedule(vm, vm.Disks[0], "weeks", 2, 6*day+2*time.Hour, 7*day, 9800)
	return vm
}

func (g *gen) stagingAPI() *VM {
	vm := g.vm("staging-api", "api.staging.example.net", 12, ubuntu24, 4, 8192, 80, 2, 120*day)
	g.schedule(vm, vm.Disks[0], "days", 2, 9*time.Hour, day, 12000)
	b := g.backup(vm, vm.Disks[0], "manual", "known-good before the v2 API migration", 2*day, 11*time.Minute, 0, 11800)
	// A restore of that backup started four minutes ago and runs on.
	started := g.ago(4 * time.Minute)
	vm.LockedUntil, b.LockedUntil = g.now.Add(18*time.Minute), g.now.Add(18*time.Minute)
	vm.Updated, b.Updated = started, started
	return vm
}

func (g *gen) cache02() *VM {
	vm := g.vm("cache-02", "cache-02.shop.example.net", 12, debian12, 2, 8192, 20, 0, 200*day)
	old := g.backup(vm, vm.Disks[0], "months", "", 62*day, 4*time.Minute, 0, 1900)
	old.MarkedForDelete = true
	g.schedule(vm, vm.Disks[0], "days", 2, 11*time.Hour, day, 2100)
	return vm
}

func (g *gen) ciRunner() *VM {
	vm := g.vm("ci-runner-03", "ci-runner-03.build.example.net", 3, ubuntu24, 8, 16384, 160, 4, 60*day)
	vm.Incremental = true
	g.backup(vm, nil, "manual", "clean image with Go 1.26 + Node 22 toolchains", 12*day, 26*time.Minute, 0, 31000)
	g.backup(vm, nil, "manual", "after runner re-registration", 20*time.Hour, 7*time.Minute, 0, 2600)
	return vm
}

func (g *gen) vpn() *VM {
	vm := g.vm("vpn", "vpn.example.net", 7, debian12, 1, 1024, 10, 0, 700*day)
	g.backup(vm, vm.Disks[0], "manual", "WireGuard config after adding the Lisbon office", 30*time.Hour, 3*time.Minute, 0, 1400)
	return vm
}

func (g *gen) analytics() *VM {
	vm := g.vm("analytics-clickhouse-shard-2", "ch-shard-2.analytics.example.net", 12, ubuntu24, 16, 65536, 50, 8, 150*day)
	data := g.disk(vm, "clickhouse-data", 1000, "ext4", "/var/lib/clickhouse")
	data.AutoBackups = true
	g.schedule(vm, data, "days", 3, 15*time.Hour, day, 410000)
	return vm
}

func (g *gen) dnsSecondary() *VM {
	vm := g.vm("dns-secondary", "ns2.example.net", 3, freebsd, 1, 1024, 10, 1, 1100*day)
	vm.Suspended, vm.Booted = true, false
	g.backup(vm, vm.Disks[0], "months", "", 40*day, 3*time.Minute, 0, 900)
	return vm
}

func (g *gen) winRDP() *VM {
	vm := g.vm("win-rdp-01", "WIN-RDP-01", 7, win2022, 4, 8192, 80, 0, 90*day)
	vm.Incremental = true
	g.schedule(vm, nil, "days", 2, 20*time.Hour, day, 14000)
	return vm
}

func (g *gen) newBuild() *VM {
	vm := g.vm("k8s-worker-7", "k8s-worker-7.cluster.example.net", 12, ubuntu24, 4, 8192, 60, 0, 0)
	vm.Created, vm.Updated = g.ago(3*time.Minute), g.ago(3*time.Minute)
	vm.Built, vm.Booted = false, false
	for _, d := range vm.Disks {
		d.Created, d.Updated = vm.Created, vm.Created
	}
	return vm
}
