package northflank

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Fleet is the team the simulator serves: projects, their addons, and the
// addons' backups and restores.
type Fleet struct {
	Projects []*Project
	// Destinations are the team's custom backup destinations; a backup may
	// name only these. Nil accepts any ID.
	Destinations []string
}

// Project is one Northflank project.
type Project struct {
	ID          string
	Name        string
	Description string
	Region      string // deployment.region
	Created     time.Time
	Addons      []*Addon
}

// Addon is one database or other stateful addon.
type Addon struct {
	ID          string
	Name        string
	Description string
	Type        string // postgresql, mysql, mongodb, redis, rabbitmq, minio
	Version     string // spec.config.versionTag
	Status      string // running, paused, restore, …
	Tags        []string
	Created     time.Time
	Replicas    int
	StorageMB   int
	PlanID      string

	Backups  []*Backup  // any order; served newest first
	Restores []*Restore // the addon's restore history, any order
}

// Backup is one backup of an addon.
type Backup struct {
	ID     string
	UID    string
	Name   string
	Status string // scheduled, in-progress, completed, aborting, aborted, failed, not-supported
	// Source is config.source.type: snapshot for a disk snapshot,
	// liveInstance for a dump of the running database, fileUpload and
	// externalDump for imports.
	Source              string
	Created             time.Time
	Completed           time.Time // zero is left out
	SizeBytes           int64
	Compression         string // dumps only
	Destinations        []Destination
	CustomDestinationID string
	AddonVersion        string
	LastRestore         *Restore

	// Duration is how long a fixture backup that is still scheduled or in
	// progress runs from Created; 0 means Options.JobTime. FinalSize is the
	// size it ends with.
	Duration  time.Duration
	FinalSize int64
}

// Destination is an additional place a snapshot is copied to.
type Destination struct {
	ID        string
	Retention int // days; 0 is left out
}

// Restore is one restore of a backup onto its addon.
type Restore struct {
	ID        string
	BackupID  string
	Status    string
	Started   time.Time
	Completed time.Time
	// Duration is how long a fixture restore still running takes from
	// Started; 0 means Options.RestoreTime.
	Duration time.Duration
}

// Dump reports whether b is a native dump rather than a disk snapshot.
func (b *Backup) Dump() bool { return b.Source != "snapshot" }

// running reports whether b is still being taken.
func (b *Backup) running() bool { return b.Status == "scheduled" || b.Status == "in-progress" }

// busy reports whether b may still change: being taken or being aborted.
func (b *Backup) busy() bool { return b.running() || b.Status == "aborting" }

func (r *Restore) running() bool { return r.Status == "scheduled" || r.Status == "in-progress" }

// LastCompleted is the completion time of the addon's newest completed
// backup; zero when there is none.
func (a *Addon) LastCompleted() time.Time {
	var t time.Time
	for _, b := range a.Backups {
		if b.Status == "completed" && b.Completed.After(t) {
			t = b.Completed
		}
	}
	return t
}

func (a *Addon) backup(id string) *Backup {
	for _, b := range a.Backups {
		if b.ID == id {
			return b
		}
	}
	return nil
}

// clone copies a deeply, so a caller can read it without the server's lock.
func (a *Addon) clone() Addon {
	c := *a
	c.Tags = append([]string(nil), a.Tags...)
	restores := make(map[*Restore]*Restore, len(a.Restores))
	c.Restores = make([]*Restore, 0, len(a.Restores))
	for _, r := range a.Restores {
		x := *r
		restores[r] = &x
		c.Restores = append(c.Restores, &x)
	}
	c.Backups = make([]*Backup, 0, len(a.Backups))
	for _, b := range a.Backups {
		x := *b
		x.Destinations = append([]Destination(nil), b.Destinations...)
		if b.LastRestore != nil {
			if r, ok := restores[b.LastRestore]; ok {
				x.LastRestore = r
			} else {
				r := *b.LastRestore
				x.LastRestore = &r
			}
		}
		c.Backups = append(c.Backups, &x)
	}
	return c
}

// Demo is the team served by --demo: four projects, twelve addons, with a
// backup and a restore under way, failures, an addon never backed up, one
// whose newest good backup is days old, and one with enough hourly
// backups to need several pages.
func Demo(now time.Time) *Fleet {
	g := newGen(1, now)
	payments := g.project("payments-platform", "Payments Platform", "Card processing, ledger and payouts", "europe-west")
	store := g.project("web-storefront", "Web Storefront", "Public shop", "us-east")
	tools := g.project("internal-tools", "Internal Tools", "", "europe-west")
	etl := g.project("data-warehouse-etl", "Data Warehouse ETL", "Nightly loads and reporting", "us-central")

	// orders-db: healthy, daily snapshots, a manual dump, and a restore made
	// yesterday from the pre-migration dump.
	orders := g.addon(payments, "orders-db", "postgresql", "16.4", "running", []string{"prod", "db"})
	g.dailies(orders, 5, 3*time.Hour, "snapshot")
	pre := g.backup(orders, "pre-migration 2026-11", "liveInstance", "completed", 26*time.Hour, 7*time.Minute)
	pre.Compression = "zstd"
	r := g.restore(orders, pre, "completed", 25*time.Hour, 11*time.Minute)
	pre.LastRestore = r
	manual := g.backup(orders, "before-index-rebuild", "snapshot", "completed", 49*time.Hour, 2*time.Minute)
	manual.Destinations = []Destination{{ID: "offsite-s3", Retention: 30}}

	// ledger: a dump is being taken right now.
	ledger := g.addon(payments, "ledger", "postgresql", "15.8", "running", []string{"prod", "db", "pci"})
	g.dailies(ledger, 3, 9*time.Hour, "liveInstance")
	run := g.backup(ledger, "quarter-close dump", "liveInstance", "in-progress", 2*time.Minute, 0)
	run.Compression, run.Duration, run.FinalSize = "gz", 12*time.Minute, 3_870_000_000

	// session-cache: Redis takes snapshots but no dumps.
	cache := g.addon(payments, "session-cache", "redis", "7.2.5", "running", []string{"prod", "cache"})
	g.dailies(cache, 2, 5*time.Hour, "snapshot")
	g.backup(cache, "manual dump", "liveInstance", "not-supported", 30*time.Hour, 0)

	// catalog: the newest good backup is three days old; the last two failed.
	catalog := g.addon(store, "catalog-mongo", "mongodb", "7.0.12", "running", []string{"prod", "db"})
	for _, at := range []time.Duration{29 * time.Hour, 53 * time.Hour} {
		g.backup(catalog, "Scheduled daily backup "+g.ago(at).Format("2006-01-02"), "snapshot", "failed", at, 4*time.Minute)
	}
	g.dailies(catalog, 2, 77*time.Hour, "snapshot")

	wp := g.addon(store, "wp", "mysql", "8.0.39", "running", []string{"web"})
	g.dailies(wp, 4, 6*time.Hour, "liveInstance")

	// cart: never backed up.
	g.addon(store, "cart", "redis", "7.2.5", "running", []string{"prod", "cache"})

	// grafana: paused, backups a fortnight old.
	grafana := g.addon(tools, "grafana-postgres", "postgresql", "14.13", "paused", []string{"monitoring"})
	g.dailies(grafana, 2, 14*24*time.Hour, "snapshot")

	// rabbit: a user stopped a snapshot half-way.
	rabbit := g.addon(tools, "rabbitmq-events", "rabbitmq", "3.13.7", "running", nil)
	g.dailies(rabbit, 2, 11*time.Hour, "snapshot")
	g.backup(rabbit, "try-before-upgrade", "snapshot", "aborted", 4*time.Hour, 3*time.Minute)

	// artifacts: a restore is running; the addon shows "restore".
	minio := g.addon(tools, "artifacts", "minio", "2024.8.17", "restore", []string{"ci"})
	src := g.backup(minio, "known-good", "snapshot", "completed", 20*time.Hour, 6*time.Minute)
	g.dailies(minio, 2, 8*time.Hour, "snapshot")
	rr := g.restore(minio, src, "in-progress", 3*time.Minute, 0)
	rr.Duration = 15 * time.Minute
	src.LastRestore = rr

	// The warehouse has a week of hourly snapshots: two pages at 100.
	wh := g.addon(etl, "analytics-warehouse-primary-eu-replica", "postgresql", "16.4", "running", []string{"analytics", "db"})
	for i := 0; i < 168; i++ {
		at := time.Duration(i)*time.Hour + 40*time.Minute
		g.backup(wh, "Scheduled hourly backup "+g.ago(at).Format("2006-01-02 15:04"), "snapshot", "completed", at, g.minutes(1, 3))
	}

	// etl-state: a scheduled dump is queued.
	state := g.addon(etl, "etl-state", "mongodb", "6.0.16", "running", []string{"analytics"})
	g.dailies(state, 1, 20*time.Hour, "liveInstance")
	q := g.backup(state, "Scheduled hourly backup "+g.ago(0).Format("2006-01-02 15:04"), "liveInstance", "scheduled", 10*time.Second, 0)
	q.Compression, q.Duration, q.FinalSize = "gz", 4*time.Minute, 210_000_000

	crm := g.addon(etl, "crm", "mysql", "5.7.44", "upgrading", []string{"legacy"})
	g.dailies(crm, 1, 60*time.Hour, "liveInstance")

	return &Fleet{Projects: []*Project{payments, store, tools, etl}, Destinations: []string{"offsite-s3", "cold-archive-gcs"}}
}

// Seed builds a team of n addons spread over projects of up to 150 addons
// each, each addon with a few backups: enough to need several pages at any
// page size. It is deterministic for a seed.
func Seed(seed uint64, n int, now time.Time) *Fleet {
	g := newGen(seed, now)
	f := &Fleet{}
	var p *Project
	for i := 0; i < n; i++ {
		if i%150 == 0 {
			k := len(f.Projects) + 1
			p = g.project(fmt.Sprintf("project-%03d", k), fmt.Sprintf("Project %03d", k), "", regions[g.r.IntN(len(regions))])
			f.Projects = append(f.Projects, p)
		}
		t := types[g.r.IntN(len(types))]
		a := g.addon(p, fmt.Sprintf("%s-%04d", t.name, i), t.name, t.version, "running", []string{envs[g.r.IntN(len(envs))]})
		if g.r.IntN(5) > 0 {
			g.dailies(a, 1+g.r.IntN(3), time.Duration(1+g.r.IntN(90))*time.Hour, "snapshot")
		}
	}
	return f
}

var (
	regions = []string{"europe-west", "us-east", "us-central", "asia-southeast"}
	envs    = []string{"prod", "staging", "dev"}
	types   = []struct{ name, version string }{
		{"postgresql", "16.4"}, {"mysql", "8.0.39"}, {"mongodb", "7.0.12"}, {"redis", "7.2.5"},
	}
	plans = map[string]string{"postgresql": "nf-compute-50", "mysql": "nf-compute-20", "mongodb": "nf-compute-50",
		"redis": "nf-compute-10", "rabbitmq": "nf-compute-20", "minio": "nf-compute-20"}
)

// dumpable lists the addon types that can make native dumps; the others
// answer a dump request with a backup in status not-supported.
var dumpable = map[string]bool{"postgresql": true, "mysql": true, "mongodb": true}

type gen struct {
	r   *rand.Rand
	now time.Time
	ids *ids
}

func newGen(seed uint64, now time.Time) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x0f1a_5eed)), now: now.UTC().Truncate(time.Second), ids: newIDs(seed)}
}

func (g *gen) ago(d time.Duration) time.Time { return g.now.Add(-d) }

func (g *gen) minutes(lo, hi int) time.Duration {
	return time.Duration(lo+g.r.IntN(hi-lo+1)) * time.Minute
}

func (g *gen) project(id, name, desc, region string) *Project {
	return &Project{ID: id, Name: name, Description: desc, Region: region,
		Created: g.ago(time.Duration(200+g.r.IntN(500)) * 24 * time.Hour)}
}

func (g *gen) addon(p *Project, id, typ, version, status string, tags []string) *Addon {
	a := &Addon{
		ID: id, Name: id, Type: typ, Version: version, Status: status, Tags: tags,
		Created:   g.ago(time.Duration(20+g.r.IntN(180))*24*time.Hour + g.minutes(0, 1439)),
		Replicas:  1 + g.r.IntN(2),
		StorageMB: 4096 << g.r.IntN(4),
		PlanID:    plans[typ],
	}
	p.Addons = append(p.Addons, a)
	return a
}

// backup adds a backup started `started` ago that ran for dur (0: not
// finished).
func (g *gen) backup(a *Addon, name, source, status string, started, dur time.Duration) *Backup {
	b := &Backup{
		ID: slug(name), UID: g.ids.uid(), Name: name, Status: status, Source: source,
		Created: g.ago(started), AddonVersion: a.Version,
	}
	if a.backup(b.ID) != nil {
		b.ID = uniqueID(a, b.ID)
	}
	if source != "snapshot" && status != "not-supported" {
		b.Compression = "gz"
	}
	if dur > 0 {
		b.Completed = b.Created.Add(dur)
	}
	if status == "completed" {
		mb := int64(a.StorageMB) * int64(10+g.r.IntN(50)) / 100
		if source != "snapshot" {
			mb /= 4 // a compressed dump is smaller than the disk
		}
		b.SizeBytes = mb<<20 + int64(g.r.IntN(1<<20))
	}
	a.Backups = append(a.Backups, b)
	return b
}

// dailies adds k completed scheduled backups a day apart, the newest
// finished about newest ago.
func (g *gen) dailies(a *Addon, k int, newest time.Duration, source string) {
	for i := 0; i < k; i++ {
		dur := g.minutes(2, 9)
		start := newest + time.Duration(i)*24*time.Hour + dur
		g.backup(a, "Scheduled daily backup "+g.ago(start).Format("2006-01-02"), source, "completed", start, dur)
	}
}

func (g *gen) restore(a *Addon, b *Backup, status string, started, dur time.Duration) *Restore {
	r := &Restore{ID: g.ids.objectID(g.ago(started)), BackupID: b.ID, Status: status, Started: g.ago(started)}
	if dur > 0 {
		r.Completed = r.Started.Add(dur)
	}
	a.Restores = append(a.Restores, r)
	return r
}

// slug makes an ID from a name as Northflank does: lower case, runs of
// anything else turned into one '-'.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(c)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "backup"
	}
	return b.String()
}

func uniqueID(a *Addon, base string) string {
	for i := 2; ; i++ {
		id := fmt.Sprintf("%s-%d", base, i)
		if a.backup(id) == nil {
			return id
		}
	}
}

// ids makes deterministic UUIDs and ObjectId-like restore IDs.
type ids struct {
	r *rand.Rand
	n uint32
}

func newIDs(seed uint64) *ids { return &ids{r: rand.New(rand.NewPCG(seed^0xb4c7, seed))} }

func (x *ids) uid() string {
	a, b := x.r.Uint64(), x.r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, 0x8000|b>>48&0x3fff, b&0xffffffffffff)
}

func (x *ids) objectID(t time.Time) string {
	x.n++
	return fmt.Sprintf("%08x%08x%08x", uint32(t.Unix()), x.r.Uint32(), x.n)
}
