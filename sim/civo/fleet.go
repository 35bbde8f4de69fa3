package civo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// Fleet is the account state the simulator serves: instances and the
// account's snapshots.
type Fleet struct {
	Instances []*Instance
	Snapshots []*Snapshot // in the order the API lists them
}

// Instance is one simulated Civo instance.
type Instance struct {
	ID          string
	Name        string // Civo's own short name, e.g. "test-b775c2ea"
	Hostname    string
	AccountID   string
	Size        string
	Region      string
	Status      string // ACTIVE, SHUTOFF, BUILDING, …
	FirewallID  string
	SourceType  string
	SourceID    string
	NetworkID   string
	InitialUser string
	Tags        []string
	StatsToken  string
	PublicIP    string // "" is sent as null
	PrivateIP   string
	Notes       string
	ReverseDNS  string
	CPUCores    int
	RAMMB       int
	DiskGB      int
	CreatedAt   time.Time
}

// Snapshot is one snapshot of an instance. Names are unique per account.
type Snapshot struct {
	ID         string
	Name       string
	InstanceID string
	Hostname   string
	TemplateID string
	Region     string
	Safe       bool
	Status     string // new, in-progress, complete, failed
	SizeGB     int
	CronTiming string // "" is sent as null: a one-off snapshot
	// RequestedAt is when it was asked for; CompletedAt is zero (null on
	// the wire) until it is complete.
	RequestedAt time.Time
	CompletedAt time.Time
	// Duration, when set on a snapshot that is not finished, makes it run:
	// "new" for its first fifth, then "in-progress", then "complete" at
	// RequestedAt+Duration.
	Duration time.Duration

	finalGB int    // size_gb once it runs
	resume  string // the instance's status before a safe snapshot shut it down
}

func (s *Snapshot) active() bool { return s.Status == "new" || s.Status == "in-progress" }

func (in *Instance) clone() Instance {
	c := *in
	c.Tags = append([]string(nil), in.Tags...)
	return c
}

// sizes are Civo's g3 instance sizes: CPU cores, RAM in MB, disk in GB.
var sizes = map[string][3]int{
	"g3.xsmall":  {1, 1024, 25},
	"g3.small":   {1, 2048, 25},
	"g3.medium":  {2, 4096, 50},
	"g3.large":   {4, 8192, 100},
	"g3.xlarge":  {6, 16384, 150},
	"g3.2xlarge": {8, 32768, 200},
}

var (
	sizeNames = []string{"g3.xsmall", "g3.small", "g3.medium", "g3.large", "g3.xlarge", "g3.2xlarge"}
	regions   = []string{"LON1", "NYC1", "FRA1", "PHX1"}
	images    = []string{"ubuntu-jammy", "debian-12", "rocky-9-2", "ubuntu-noble"}
	roles     = []string{"web", "api", "worker", "db", "cache", "queue", "search", "monitoring", "bastion", "k3s-node"}
	envs      = []string{"prod", "staging", "dev"}
)

// Demo is the account served by --demo: twelve instances in four regions
// with every snapshot state the UI shows.
func Demo(now time.Time) *Fleet { return Seed(1, 12, now) }

// Seed builds a deterministic account of n instances; times are relative to
// now so ages read the same whenever it runs. The first twelve are the demo
// fixtures, which tests rely on.
func Seed(seed int64, n int, now time.Time) *Fleet {
	g := &gen{
		r:   rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0xc1f0_5eed)),
		now: now.UTC().Truncate(time.Second),
		f:   &Fleet{},
	}
	g.account = g.uuid()
	g.network = map[string]string{}
	for _, r := range regions {
		g.network[r] = g.uuid()
	}
	fixtures := []func(){
		func() { // two finished snapshots, one of them weekly
			in := g.instance("api-gateway", "LON1", "g3.medium", "ACTIVE", "prod", "web")
			g.snapshot(in, "api-gateway-pre-release", "complete", 5*time.Hour, 9*time.Minute, false)
			weekly := g.snapshot(in, "api-gateway-weekly", "complete", 50*time.Hour, 11*time.Minute, false)
			weekly.CronTiming = "0 3 * * 0"
		},
		func() { // a safe snapshot running now: the instance is shut off
			in := g.instance("db-primary.lon1.internal", "LON1", "g3.large", "ACTIVE", "prod", "db")
			g.snapshot(in, "db-before-migration", "complete", 30*time.Hour, 22*time.Minute, true)
			run := g.snapshot(in, "db-nightly-safe", "in-progress", 3*time.Minute, 0, true)
			run.Duration = 40 * time.Minute
		},
		func() { g.instance("k3s-worker-3", "NYC1", "g3.small", "ACTIVE", "k8s") }, // none
		func() { // stale: the only snapshot is nine days old
			in := g.instance("legacy-crm", "FRA1", "g3.xsmall", "SHUTOFF", "legacy")
			g.snapshot(in, "legacy-crm-final", "complete", 9*24*time.Hour, 14*time.Minute, true)
		},
		func() { // the newest failed
			in := g.instance("ci", "PHX1", "g3.medium", "ACTIVE", "ci")
			g.snapshot(in, "ci-cache-warm", "failed", 6*time.Hour, 0, false)
			g.snapshot(in, "ci-toolchain", "complete", 20*time.Hour, 7*time.Minute, false)
		},
		func() { // one just requested
			in := g.instance("analytics-clickhouse-replica-eu-central-fra1", "FRA1", "g3.xlarge", "ACTIVE", "prod", "analytics")
			g.snapshot(in, "clickhouse-pre-upgrade", "complete", 11*time.Hour, 31*time.Minute, false)
			fresh := g.snapshot(in, "clickhouse-adhoc", "new", 20*time.Second, 0, false)
			fresh.Duration = 30 * time.Minute
		},
		func() { // stale: three days old
			in := g.instance("mail", "LON1", "g3.xsmall", "ACTIVE", "prod", "mail")
			g.snapshot(in, "mail-2026", "complete", 3*24*time.Hour, 6*time.Minute, false)
		},
		func() {
			in := g.instance("staging-web-1", "NYC1", "g3.small", "ACTIVE", "staging", "web")
			g.snapshot(in, "staging-web-1-snap", "complete", 26*time.Hour, 5*time.Minute, false)
		},
		func() { g.instance("grafana", "FRA1", "g3.small", "ACTIVE", "monitoring") },
		func() { g.instance("vpn", "PHX1", "g3.xsmall", "BUILDING") },
		func() {
			in := g.instance("jenkins-agent-windows-2022", "LON1", "g3.large", "ACTIVE", "ci")
			g.snapshot(in, "jenkins-agent-base", "complete", 40*time.Hour, 18*time.Minute, false)
			g.snapshot(in, "jenkins-agent-plugins", "complete", time.Hour, 12*time.Minute, false)
		},
		func() {
			in := g.instance("redis-cache-01", "NYC1", "g3.medium", "ACTIVE", "prod", "cache")
			g.snapshot(in, "redis-cache-01-safe", "complete", 2*time.Hour, 4*time.Minute, true)
		},
	}
	for i := 0; i < n; i++ {
		if i < len(fixtures) {
			fixtures[i]()
		} else {
			g.random(i)
		}
	}
	return g.f
}

type gen struct {
	r       *rand.Rand
	now     time.Time
	f       *Fleet
	account string
	network map[string]string
}

func (g *gen) uuid() string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", g.r.Uint32(), g.r.IntN(1<<16), g.r.IntN(1<<12),
		0x8000|g.r.IntN(1<<14), g.r.Uint64()&(1<<48-1))
}

func (g *gen) instance(hostname, region, size, status string, tags ...string) *Instance {
	spec := sizes[size]
	id := g.uuid()
	in := &Instance{
		ID:          id,
		Name:        hostname + "-" + id[:8],
		Hostname:    hostname,
		AccountID:   g.account,
		Size:        size,
		Region:      region,
		Status:      status,
		FirewallID:  g.uuid(),
		SourceType:  "diskimage",
		SourceID:    images[g.r.IntN(len(images))],
		NetworkID:   g.network[region],
		InitialUser: "civo",
		Tags:        append([]string{}, tags...),
		StatsToken:  g.uuid(),
		PrivateIP:   "192.168.1." + strconv.Itoa(2+g.r.IntN(250)),
		CPUCores:    spec[0],
		RAMMB:       spec[1],
		DiskGB:      spec[2],
		CreatedAt:   g.now.Add(-time.Duration(20+g.r.IntN(700))*24*time.Hour - time.Duration(g.r.IntN(1440))*time.Minute),
	}
	if status != "BUILDING" {
		in.PublicIP = fmt.Sprintf("74.220.%d.%d", 16+g.r.IntN(16), 1+g.r.IntN(254))
	}
	g.f.Instances = append(g.f.Instances, in)
	return in
}

// snapshot adds one requested `ago` that ran for took (finished ones).
func (g *gen) snapshot(in *Instance, name, status string, ago, took time.Duration, safe bool) *Snapshot {
	s := &Snapshot{
		ID: g.uuid(), Name: name, InstanceID: in.ID, Hostname: in.Hostname, TemplateID: in.SourceID,
		Region: in.Region, Safe: safe, Status: status, RequestedAt: g.now.Add(-ago),
		finalGB: usedGB(in),
	}
	switch status {
	case "complete":
		s.CompletedAt = s.RequestedAt.Add(took)
		s.SizeGB = s.finalGB
	case "in-progress":
		s.SizeGB = s.finalGB
	}
	g.f.Snapshots = append(g.f.Snapshots, s)
	return s
}

// usedGB is what a snapshot of in takes up: a share of its disk.
func usedGB(in *Instance) int { return max(1, in.DiskGB*2/5+len(in.Hostname)%7) }

func (g *gen) random(i int) {
	env := envs[g.r.IntN(len(envs))]
	role := roles[g.r.IntN(len(roles))]
	host := fmt.Sprintf("%s-%s-%d", role, env, i)
	status := "ACTIVE"
	if g.r.IntN(10) == 0 {
		status = "SHUTOFF"
	}
	in := g.instance(host, regions[g.r.IntN(len(regions))], sizeNames[g.r.IntN(len(sizeNames))], status, env, role)
	for k := g.r.IntN(3); k > 0; k-- {
		ago := time.Duration(1+g.r.IntN(24*14)) * time.Hour
		g.snapshot(in, fmt.Sprintf("%s-%d", host, k), "complete", ago, time.Duration(3+g.r.IntN(30))*time.Minute, g.r.IntN(3) == 0)
	}
}
