package linode

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Fleet is the account state the simulator serves: Linodes and their backups,
// and Managed Databases and theirs.
type Fleet struct {
	Instances []*Instance
	Databases []*Database
}

// Instance is one simulated Linode.
type Instance struct {
	ID         int
	Label      string
	Region     string
	Type       string
	Status     string
	Image      string
	Group      string
	Tags       []string
	IPv4       []string
	IPv6       string
	Created    time.Time
	Updated    time.Time
	Specs      Specs
	Hypervisor string
	Watchdog   bool

	// Disks and Configs are what a snapshot taken now would capture.
	Disks   []Disk
	Configs []string

	BackupsEnabled bool
	ScheduleDay    string
	ScheduleWindow string

	Automatic  []*Backup // newest first
	Current    *Backup   // the current snapshot, nil when none
	InProgress *Backup   // the snapshot being taken, nil when none
}

// Specs are a plan's resources, as the API reports them.
type Specs struct {
	Disk, Memory, VCPUs, Transfer, GPUs int
}

// Backup is one automatic backup or snapshot.
type Backup struct {
	ID        int
	Label     string // "" is sent as null
	Status    string
	Type      string // "auto" or "snapshot"
	Available bool
	Created   time.Time
	Updated   time.Time
	Finished  time.Time // zero is sent as null
	Configs   []string
	Disks     []Disk
}

// Disk is one disk captured in a backup.
type Disk struct {
	Label      string
	SizeMB     int
	Filesystem string
}

// LastSuccessful is the finish time of the newest successful backup or
// snapshot; zero when there is none.
func (in *Instance) LastSuccessful() time.Time {
	var t time.Time
	for _, b := range in.allBackups() {
		if b.Status == "successful" && b.Finished.After(t) {
			t = b.Finished
		}
	}
	return t
}

func (in *Instance) allBackups() []*Backup {
	all := make([]*Backup, 0, len(in.Automatic)+2)
	all = append(all, in.Automatic...)
	if in.Current != nil {
		all = append(all, in.Current)
	}
	if in.InProgress != nil {
		all = append(all, in.InProgress)
	}
	return all
}

// UsedDiskMB is the space the instance's disks take up.
func (in *Instance) UsedDiskMB() int {
	n := 0
	for _, d := range in.Disks {
		n += d.SizeMB
	}
	return n
}

// FreeDiskMB is the plan's disk space not yet given to a disk; a restore
// without overwrite needs this much room for the backup's disks.
func (in *Instance) FreeDiskMB() int { return in.Specs.Disk - in.UsedDiskMB() }

// clone copies in deeply, so a caller can read it without the server's lock.
func (in *Instance) clone() Instance {
	c := *in
	c.Tags = append([]string(nil), in.Tags...)
	c.IPv4 = append([]string(nil), in.IPv4...)
	c.Disks = append([]Disk(nil), in.Disks...)
	c.Configs = append([]string(nil), in.Configs...)
	c.Automatic = make([]*Backup, 0, len(in.Automatic))
	for _, b := range in.Automatic {
		c.Automatic = append(c.Automatic, b.clone())
	}
	c.Current, c.InProgress = in.Current.clone(), in.InProgress.clone()
	return c
}

func (b *Backup) clone() *Backup {
	if b == nil {
		return nil
	}
	c := *b
	c.Configs = append([]string(nil), b.Configs...)
	c.Disks = append([]Disk(nil), b.Disks...)
	return &c
}

// HasTag reports whether the instance carries tag t.
func (in *Instance) HasTag(t string) bool {
	for _, x := range in.Tags {
		if x == t {
			return true
		}
	}
	return false
}

var (
	regions = []string{"us-east", "us-west", "us-central", "eu-west", "eu-central", "ap-south", "ap-northeast"}
	plans   = map[string]Specs{
		"g6-nanode-1":    {Disk: 25600, Memory: 1024, VCPUs: 1, Transfer: 1000},
		"g6-standard-1":  {Disk: 51200, Memory: 2048, VCPUs: 1, Transfer: 2000},
		"g6-standard-2":  {Disk: 81920, Memory: 4096, VCPUs: 2, Transfer: 4000},
		"g6-standard-4":  {Disk: 163840, Memory: 8192, VCPUs: 4, Transfer: 5000},
		"g6-standard-8":  {Disk: 327680, Memory: 16384, VCPUs: 6, Transfer: 6000},
		"g6-dedicated-4": {Disk: 163840, Memory: 8192, VCPUs: 4, Transfer: 5000},
	}
	planNames = []string{"g6-nanode-1", "g6-standard-1", "g6-standard-2", "g6-standard-4", "g6-standard-8", "g6-dedicated-4"}
	images    = []struct{ image, disk string }{
		{"linode/debian12", "Debian 12 Disk"},
		{"linode/ubuntu24.04", "Ubuntu 24.04 LTS Disk"},
		{"linode/ubuntu22.04", "Ubuntu 22.04 LTS Disk"},
		{"linode/almalinux9", "AlmaLinux 9 Disk"},
		{"linode/rocky9", "Rocky Linux 9 Disk"},
	}
	tagSet    = []string{"prod", "staging", "dev", "web", "db", "cache", "batch"}
	days      = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	roles     = []string{"web", "api", "db", "cache", "worker", "queue", "search", "ci-runner", "bastion", "monitoring", "grafana", "redis", "pg-replica", "minio", "ingest", "mail", "k8s-node"}
	shorts    = []string{"vpn", "dns", "nat", "ftp", "log", "git"}
	envs      = []string{"prod", "staging", "dev"}
	longParts = []string{"customer-portal", "payments-reconciliation", "image-thumbnailer", "legacy-billing-export", "search-indexer", "marketing-site", "observability-stack"}
)

// Demo is the fleet served by --demo.
func Demo(now time.Time) *Fleet { return Seed(1, 40, now) }

// Seed builds a deterministic fleet of n Linodes; timestamps are relative to
// now so ages ("3h ago") look the same whenever the demo runs. The first six
// are fixed fixtures that tests and the demo rely on.
func Seed(seed int64, n int, now time.Time) *Fleet {
	now = now.UTC().Truncate(time.Second)
	g := &gen{
		r:        rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x5eed_dec4)),
		now:      now,
		id:       41_000_000,
		backupID: 310_000_000,
		labels:   make(map[string]bool, n),
	}
	f := &Fleet{Instances: make([]*Instance, 0, n)}
	fixtures := []func(*gen) *Instance{webProd, dbPrimary, legacyMail, apiStaging, cache01, analytics}
	for i := 0; i < n; i++ {
		var in *Instance
		if i < len(fixtures) {
			in = fixtures[i](g)
		} else {
			in = g.random(i)
		}
		g.fillDisks(in)
		f.Instances = append(f.Instances, in)
	}
	f.Databases = SeedDatabases(seed, DemoDatabases, now)
	return f
}

type gen struct {
	r        *rand.Rand
	now      time.Time
	id       int
	backupID int
	labels   map[string]bool
}

func (g *gen) ago(d time.Duration) time.Time { return g.now.Add(-d) }

func (g *gen) minutes(lo, hi int) time.Duration {
	return time.Duration(lo+g.r.IntN(hi-lo+1)) * time.Minute
}

// instance fills in the fields every Linode has.
func (g *gen) instance(label, region, plan, status string, tags []string, imageIdx int) *Instance {
	g.id += 1 + g.r.IntN(40)
	g.labels[label] = true
	created := g.ago(time.Duration(30+g.r.IntN(900)) * 24 * time.Hour).Add(-g.minutes(0, 1439))
	a, b := 1+g.r.IntN(254), 1+g.r.IntN(254)
	return &Instance{
		ID:         g.id,
		Label:      label,
		Region:     region,
		Type:       plan,
		Status:     status,
		Image:      images[imageIdx].image,
		Tags:       tags,
		IPv4:       []string{"172.105." + strconv.Itoa(a) + "." + strconv.Itoa(b)},
		IPv6:       fmt.Sprintf("2600:3c03::f03c:93ff:fe%02x:%02x%02x/128", a, b, g.r.IntN(256)),
		Created:    created,
		Updated:    g.ago(g.minutes(60, 60*24*20)),
		Specs:      plans[plan],
		Hypervisor: "kvm",
		Watchdog:   true,
	}
}

func (g *gen) enableBackups(in *Instance) {
	in.BackupsEnabled = true
	if g.r.IntN(10) == 0 {
		in.ScheduleDay = "Scheduling"
	} else {
		in.ScheduleDay = days[g.r.IntN(len(days))]
	}
	in.ScheduleWindow = "W" + strconv.Itoa(2*g.r.IntN(12))
}

// fillDisks gives in the disks of its newest backup (or an OS disk and swap
// filling the plan), unless a fixture chose them.
func (g *gen) fillDisks(in *Instance) {
	if in.Configs == nil {
		in.Configs = g.configs(in)
	}
	if in.Disks != nil {
		return
	}
	var newest *Backup
	for _, b := range in.allBackups() {
		if newest == nil || b.Created.After(newest.Created) {
			newest = b
		}
	}
	if newest != nil {
		in.Disks = append([]Disk(nil), newest.Disks...)
		return
	}
	in.Disks = g.disks(in, 2)
}

// disks are what a backup of in captures: the OS disk, swap, sometimes data.
func (g *gen) disks(in *Instance, count int) []Disk {
	img := 0
	for i, x := range images {
		if x.image == in.Image {
			img = i
		}
	}
	total := in.Specs.Disk
	if count <= 1 {
		return []Disk{{Label: images[img].disk, SizeMB: total, Filesystem: "ext4"}}
	}
	d := []Disk{{Label: images[img].disk, SizeMB: total - 512, Filesystem: "ext4"}, {Label: "512 MB Swap Image", SizeMB: 512, Filesystem: "swap"}}
	if count >= 3 {
		data := (total - 512) / 2
		d[0].SizeMB -= data
		d = append(d, Disk{Label: "data", SizeMB: data, Filesystem: "ext4"})
	}
	return d
}

func (g *gen) configs(in *Instance) []string {
	for _, x := range images {
		if x.image == in.Image {
			return []string{"My " + x.disk + " Profile"}
		}
	}
	return []string{"My Linode Profile"}
}

// backup makes one backup that started `started` ago and ran for dur; a zero
// dur means it has not finished.
func (g *gen) backup(in *Instance, typ, label, status string, started, dur time.Duration, disks int) *Backup {
	g.backupID += 1 + g.r.IntN(900)
	b := &Backup{
		ID:      g.backupID,
		Label:   label,
		Status:  status,
		Type:    typ,
		Created: g.ago(started),
		Configs: g.configs(in),
		Disks:   g.disks(in, disks),
	}
	b.Updated = b.Created
	if dur > 0 {
		b.Finished = b.Created.Add(dur)
		b.Updated = b.Finished
	}
	b.Available = status == "successful"
	return b
}

// dailies makes k successful automatic backups, the newest started newest ago.
func (g *gen) dailies(in *Instance, k int, newest time.Duration, disks int) []*Backup {
	out := make([]*Backup, 0, k)
	for i := 0; i < k; i++ {
		out = append(out, g.backup(in, "auto", "", "successful", newest+time.Duration(i)*24*time.Hour, g.minutes(10, 40), disks))
	}
	return out
}

func webProd(g *gen) *Instance {
	in := g.instance("web-prod-01", "us-east", "g6-standard-4", "running", []string{"prod", "web"}, 0)
	g.enableBackups(in)
	in.ScheduleDay, in.ScheduleWindow = "Sunday", "W4"
	// Newest finishes 3h ago: started 3h25m ago, ran 25m.
	in.Automatic = append(in.Automatic, g.backup(in, "auto", "", "successful", 3*time.Hour+25*time.Minute, 25*time.Minute, 2))
	in.Automatic = append(in.Automatic, g.dailies(in, 2, 27*time.Hour+25*time.Minute, 2)...)
	in.Current = g.backup(in, "snapshot", "pre-deploy-2026-11", "successful", 30*time.Hour, 14*time.Minute, 2)
	// Small disks on a big plan leave room to restore next to them, which
	// the demo's restore journey relies on.
	in.Disks = []Disk{{Label: "Debian 12 Disk", SizeMB: 25600, Filesystem: "ext4"}, {Label: "512 MB Swap Image", SizeMB: 512, Filesystem: "swap"}}
	for _, b := range in.allBackups() {
		b.Disks = append([]Disk(nil), in.Disks...)
	}
	return in
}

func dbPrimary(g *gen) *Instance {
	in := g.instance("db-primary", "eu-west", "g6-dedicated-4", "running", []string{"prod", "db"}, 0)
	g.enableBackups(in)
	in.Automatic = g.dailies(in, 2, 5*time.Hour, 3)
	in.InProgress = g.backup(in, "snapshot", "before-schema-migration", "running", 6*time.Minute, 0, 3)
	return in
}

func legacyMail(g *gen) *Instance {
	return g.instance("legacy-mail", "us-central", "g6-standard-1", "offline", []string{"dev"}, 4)
}

func apiStaging(g *gen) *Instance {
	in := g.instance("api-staging-02", "us-west", "g6-standard-2", "running", []string{"staging", "web"}, 1)
	g.enableBackups(in)
	failed := g.backup(in, "auto", "", "failed", 20*time.Hour, 18*time.Minute, 2)
	good := g.backup(in, "auto", "", "successful", 4*24*time.Hour+30*time.Minute, 30*time.Minute, 2)
	in.Automatic = []*Backup{failed, good}
	// A snapshot being taken: with the failed backup and the days skipped
	// before it, the backup history shows every state. Made without the
	// generator's random numbers, so the rest of the fleet stays as it was.
	in.InProgress = &Backup{ID: 390_000_001, Label: "pre-release", Status: "running", Type: "snapshot",
		Created: g.ago(10 * time.Minute), Configs: g.configs(in), Disks: g.disks(in, 2)}
	in.InProgress.Updated = in.InProgress.Created
	return in
}

func cache01(g *gen) *Instance {
	in := g.instance("cache-01", "eu-central", "g6-standard-2", "running", []string{"prod", "cache"}, 1)
	g.enableBackups(in)
	in.Automatic = g.dailies(in, 2, 9*time.Hour, 2)
	return in
}

func analytics(g *gen) *Instance {
	in := g.instance("analytics-batch-worker-with-a-rather-long-label-eu-central-1", "eu-central", "g6-standard-8", "running", []string{"batch"}, 2)
	g.enableBackups(in)
	pending := g.backup(in, "auto", "", "pending", 4*time.Minute, 0, 3)
	good := g.backup(in, "auto", "", "successful", 28*time.Hour, 39*time.Minute, 3)
	in.Automatic = []*Backup{pending, good}
	in.Current = g.backup(in, "snapshot", "nightly-etl-checkpoint", "needsPostProcessing", 50*time.Minute, 0, 3)
	return in
}

// random makes instance i (i >= 6). A few positions are pinned to rare
// states so that even the 40-Linode demo shows them.
func (g *gen) random(i int) *Instance {
	env := envs[g.r.IntN(len(envs))]
	tags := []string{env}
	var label string
	switch {
	case i%9 == 0:
		label = shorts[g.r.IntN(len(shorts))]
	case i%11 == 0:
		label = longParts[g.r.IntN(len(longParts))] + "-" + env + "-" + regions[g.r.IntN(len(regions))] + "-" + strconv.Itoa(1+g.r.IntN(9))
	default:
		role := roles[g.r.IntN(len(roles))]
		label = role + "-" + env + "-" + fmt.Sprintf("%02d", 1+g.r.IntN(20))
		switch {
		case strings.HasPrefix(role, "web") || role == "api":
			tags = append(tags, "web")
		case role == "db" || role == "pg-replica":
			tags = append(tags, "db")
		case role == "cache" || role == "redis":
			tags = append(tags, "cache")
		case role == "worker" || role == "ingest" || role == "queue":
			tags = append(tags, "batch")
		}
	}
	if len(label) > 60 {
		label = label[:60]
	}
	// Linode labels are unique per account.
	if g.labels[label] {
		label = label + "-" + strconv.Itoa(i)
	}
	if g.r.IntN(8) == 0 {
		tags = append(tags, tagSet[3+g.r.IntN(4)])
	}

	status := "running"
	switch {
	case i == 7:
		status = "provisioning"
	case i == 13:
		status = "rebooting"
	case g.r.IntN(8) == 0:
		status = "offline"
	}
	plan := planNames[g.r.IntN(len(planNames))]
	in := g.instance(label, regions[g.r.IntN(len(regions))], plan, status, tags, g.r.IntN(len(images)))
	if i == 7 {
		return in // still provisioning: nothing to back up yet
	}
	pinned := i == 9 || i == 10
	if !pinned && g.r.IntN(4) == 0 {
		return in // about a quarter have backups disabled
	}
	g.enableBackups(in)
	disks := 1 + g.r.IntN(3)
	newest := time.Duration(1+g.r.IntN(22))*time.Hour + g.minutes(0, 59)
	in.Automatic = g.dailies(in, 1+g.r.IntN(3), newest, disks)
	switch {
	case i == 9:
		in.Current = g.backup(in, "snapshot", "manual-"+strconv.Itoa(i), "userAborted", 3*time.Hour, 2*time.Minute, disks)
	case i == 10:
		in.InProgress = g.backup(in, "snapshot", "pre-upgrade", "paused", 40*time.Minute, 0, disks)
	default:
		switch k := g.r.IntN(10); {
		case k < 3:
			in.Current = g.backup(in, "snapshot", "snap-"+in.Label, "successful", time.Duration(2+g.r.IntN(200))*time.Hour, g.minutes(5, 30), disks)
		case k == 3:
			st := "pending"
			if g.r.IntN(2) == 0 {
				st = "running"
			}
			in.InProgress = g.backup(in, "snapshot", "pre-change", st, g.minutes(1, 20), 0, disks)
		}
	}
	return in
}
