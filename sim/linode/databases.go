package linode

// Linode Managed Databases (MySQL, PostgreSQL) and their backups, served by
// the same Server, token and chassis as the instances.
//
// Followed: the Linode API v4 OpenAPI spec (linode/linode-api-docs
// openapi.yaml, v4.189.0) for paths, objects and rules —
//   - GET /v4/databases/instances: the general object (allow_list,
//     cluster_size, created, encrypted, engine, hosts{primary,secondary}, id,
//     instance_uri, label, region, status, type, updated, updates, version)
//     in the page envelope; GET /v4/databases/{engine}/instances[/{id}]: the
//     engine's object (adds port, replication_type, ssl_connection,
//     total_disk_size_gb, used_disk_size_gb; PostgreSQL also
//     replication_commit_type; no instance_uri);
//   - backups {id, label, type "auto"|"snapshot", created}, listed paged
//     (page_size 25–500); POST …/backups {label, target} answers {};
//     POST …/backups/{id}/restore and DELETE …/backups/{id} answer {};
//   - automatic backups daily at 0:00 UTC, each kept 7 days; at most 3
//     snapshots; a snapshot label is 1–30 ASCII letters, digits and
//     underscores, unique among the cluster's backups; a snapshot needs an
//     "active" cluster, a restore an active, degraded or failed one; backups
//     cannot be read while the cluster is provisioning.
// From Linode's own review of those pages (linode-api-docs PRs #618, #643):
// a snapshot is not listed until it is complete — the cluster's status is
// "backing_up" meanwhile — and deleting a backup needs an active, failed or
// degraded cluster. The reasons' wording is ours; the spec does not give it.
// Refusing to delete an automatic backup is our assumption too.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// Database is one simulated Managed Database cluster.
type Database struct {
	ID          int
	Label       string
	Engine      string // model.LinodeDBMySQL or model.LinodeDBPostgreSQL
	Version     string
	Region      string
	Type        string
	Status      string
	ClusterSize int
	Encrypted   bool
	SSL         bool
	AllowList   []string
	// ReplicationType is none, asynch or semi_synch; ReplicationCommitType
	// is PostgreSQL's (local, on, off, …) and "" for MySQL.
	ReplicationType       string
	ReplicationCommitType string
	TotalDiskGB           int
	UsedDiskGB            int
	Created, Updated      time.Time
	Maintenance           Maintenance

	Backups []*DBBackup // newest first
	// Job is the snapshot or restore under way, ended lazily at Job.Until.
	Job *DBJob
	// AutoThrough is the last midnight (UTC) whose automatic backup was
	// taken or skipped; zero means the last one before the server starts.
	AutoThrough time.Time
}

// Maintenance is a cluster's patch window ("updates" on the wire).
type Maintenance struct {
	DayOfWeek   int // 1 = Monday
	Duration    int // hours, 1–3
	Frequency   string
	HourOfDay   int
	WeekOfMonth int // 0 is null
}

// DBBackup is one backup of a cluster.
type DBBackup struct {
	ID      int
	Label   string
	Type    string // "auto" or "snapshot"
	Created time.Time
}

// DBJob is a snapshot being taken ("backing_up") or a restore
// ("restoring"); the cluster is active again at Until.
type DBJob struct {
	Kind    string // "snapshot" or "restore"
	Label   string // the snapshot's
	Target  string // the snapshot's: primary or secondary
	Started time.Time
	Until   time.Time
}

const (
	reasonDBProvisioning  = "The Database must not be provisioning to perform this operation."
	reasonDBLabel         = "Label must be 1-30 characters: ASCII letters, numbers and underscores."
	reasonDBLabelTaken    = "Label must be unique among the backups of this Database."
	reasonDBTarget        = "Target must be primary or secondary."
	reasonDBSnapLimit     = "Up to 3 snapshot backups can be stored at a time. Delete one before creating another."
	reasonDBDeleteAuto    = "Only snapshot backups can be deleted."
	reasonDBRestoreStatus = "The Database must have an active, degraded, or failed status to perform this operation."
)

func reasonDBNotActive(status string) string {
	return "The Database must have an active status to create a snapshot backup; it is " + status + "."
}

// retainAuto is how long an automatic backup is kept.
const retainAuto = 7 * 24 * time.Hour

// dbState is the Server's database side; guarded by Server.mu.
type dbState struct {
	byID         map[int]*Database
	nextBackupID int
}

func newDBState(f *Fleet, now time.Time) *dbState {
	st := &dbState{byID: make(map[int]*Database, len(f.Databases)), nextBackupID: 5_400_000}
	for _, db := range f.Databases {
		st.byID[db.ID] = db
		for _, b := range db.Backups {
			st.nextBackupID = max(st.nextBackupID, b.ID+1)
		}
		if db.AutoThrough.IsZero() {
			db.AutoThrough = lastAutoDay(db, now)
		}
		sortDBBackups(db.Backups)
	}
	return st
}

// registerDatabases adds the Managed Database routes; New calls it.
func (s *Server) registerDatabases() {
	s.db = newDBState(s.fleet, s.Now())
	for _, rt := range []struct {
		method, pattern string
		h               func(http.ResponseWriter, *http.Request, params)
	}{
		{"GET", "/v4/databases/instances", s.listDatabases},
		{"GET", "/v4/databases/{engine}/instances", s.listDatabases},
		{"GET", "/v4/databases/{engine}/instances/{id}", s.getDatabase},
		{"GET", "/v4/databases/{engine}/instances/{id}/backups", s.listDBBackups},
		{"POST", "/v4/databases/{engine}/instances/{id}/backups", s.createDBSnapshot},
		{"GET", "/v4/databases/{engine}/instances/{id}/backups/{backupId}", s.getDBBackup},
		{"DELETE", "/v4/databases/{engine}/instances/{id}/backups/{backupId}", s.deleteDBBackup},
		{"POST", "/v4/databases/{engine}/instances/{id}/backups/{backupId}/restore", s.restoreDBBackup},
	} {
		s.Handle(rt.method, rt.pattern, rt.h)
	}
}

// autoOffset is how long after midnight a cluster's automatic backup is
// stamped: a few minutes, fixed per cluster.
func autoOffset(db *Database) time.Duration { return time.Duration(db.ID%17) * time.Minute }

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// lastAutoDay is the newest midnight whose automatic backup is due by now.
func lastAutoDay(db *Database, now time.Time) time.Time {
	m := midnight(now)
	if now.Before(m.Add(autoOffset(db))) {
		m = m.AddDate(0, 0, -1)
	}
	return m
}

// takesAutoBackups reports whether a cluster in this status gets its daily
// backup.
func takesAutoBackups(status string) bool {
	switch status {
	case "provisioning", "suspending", "suspended", "deleting", "deleted":
		return false
	}
	return true
}

func sortDBBackups(bs []*DBBackup) {
	sort.SliceStable(bs, func(i, j int) bool {
		if !bs[i].Created.Equal(bs[j].Created) {
			return bs[i].Created.After(bs[j].Created)
		}
		return bs[i].ID > bs[j].ID
	})
}

// dbLock takes s.mu and brings every cluster up to now: jobs that ended,
// automatic backups due, and those past their 7 days gone.
func (s *Server) dbLock() time.Time {
	s.lock()
	now := s.Now().UTC()
	for _, db := range s.fleet.Databases {
		s.db.tick(db, now)
	}
	return now
}

func (st *dbState) tick(db *Database, now time.Time) {
	changed := false
	if j := db.Job; j != nil && !now.Before(j.Until) {
		if j.Kind == "snapshot" {
			db.Backups = append(db.Backups, &DBBackup{ID: st.nextBackupID, Label: j.Label, Type: "snapshot", Created: j.Started})
			st.nextBackupID++
		}
		db.Status, db.Updated, db.Job = "active", j.Until, nil
		changed = true
	}
	off := autoOffset(db)
	for next := db.AutoThrough.AddDate(0, 0, 1); !now.Before(next.Add(off)); next = next.AddDate(0, 0, 1) {
		if at := next.Add(off); takesAutoBackups(db.Status) && at.After(db.Created) && now.Sub(at) < retainAuto {
			db.Backups = append(db.Backups, &DBBackup{ID: st.nextBackupID, Label: autoLabel(at, st.nextBackupID), Type: "auto", Created: at})
			st.nextBackupID++
			changed = true
		}
		db.AutoThrough = next
	}
	kept := db.Backups[:0]
	for _, b := range db.Backups {
		if b.Type == "auto" && now.Sub(b.Created) >= retainAuto {
			changed = true
			continue
		}
		kept = append(kept, b)
	}
	clear(db.Backups[len(kept):])
	db.Backups = kept
	if changed {
		sortDBBackups(db.Backups)
	}
}

// autoLabel names an automatic backup as the API does, e.g.
// "Scheduled - 02/04/22 11:11 UTC-XcCRmI".
func autoLabel(at time.Time, id int) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	x := uint64(id)*0x9E3779B97F4A7C15 + 0x5eed
	suffix := make([]byte, 6)
	for i := range suffix {
		suffix[i] = letters[x%uint64(len(letters))]
		x = x/uint64(len(letters)) ^ (x << 13)
	}
	return "Scheduled - " + at.UTC().Format("01/02/06 15:04") + " UTC-" + string(suffix)
}

// Database returns a deep copy of cluster id as it stands now.
func (s *Server) Database(id int) (Database, bool) {
	s.dbLock()
	defer s.mu.Unlock()
	db := s.db.byID[id]
	if db == nil {
		return Database{}, false
	}
	return db.clone(), true
}

func (db *Database) clone() Database {
	c := *db
	c.AllowList = append([]string(nil), db.AllowList...)
	c.Backups = make([]*DBBackup, 0, len(db.Backups))
	for _, b := range db.Backups {
		x := *b
		c.Backups = append(c.Backups, &x)
	}
	if db.Job != nil {
		j := *db.Job
		c.Job = &j
	}
	return c
}

// --- wire --------------------------------------------------------------------

type dbHostsJSON struct {
	Primary   *string `json:"primary"`
	Secondary *string `json:"secondary"`
}

type dbUpdatesJSON struct {
	DayOfWeek   int    `json:"day_of_week"`
	Duration    int    `json:"duration"`
	Frequency   string `json:"frequency"`
	HourOfDay   int    `json:"hour_of_day"`
	WeekOfMonth *int   `json:"week_of_month"`
}

// databaseJSON is the general object of GET /databases/instances.
type databaseJSON struct {
	AllowList   []string      `json:"allow_list"`
	ClusterSize int           `json:"cluster_size"`
	Created     string        `json:"created"`
	Encrypted   bool          `json:"encrypted"`
	Engine      string        `json:"engine"`
	Hosts       dbHostsJSON   `json:"hosts"`
	ID          int           `json:"id"`
	InstanceURI string        `json:"instance_uri"`
	Label       string        `json:"label"`
	Region      string        `json:"region"`
	Status      string        `json:"status"`
	Type        string        `json:"type"`
	Updated     string        `json:"updated"`
	Updates     dbUpdatesJSON `json:"updates"`
	Version     string        `json:"version"`
}

// engineDBJSON is the MySQL or PostgreSQL object of
// GET /databases/{engine}/instances/{id}.
type engineDBJSON struct {
	AllowList             []string      `json:"allow_list"`
	ClusterSize           int           `json:"cluster_size"`
	Created               string        `json:"created"`
	Encrypted             bool          `json:"encrypted"`
	Engine                string        `json:"engine"`
	Hosts                 dbHostsJSON   `json:"hosts"`
	ID                    int           `json:"id"`
	Label                 string        `json:"label"`
	Port                  int           `json:"port"`
	Region                string        `json:"region"`
	ReplicationCommitType *string       `json:"replication_commit_type,omitempty"`
	ReplicationType       string        `json:"replication_type"`
	SSLConnection         bool          `json:"ssl_connection"`
	Status                string        `json:"status"`
	TotalDiskSizeGB       int           `json:"total_disk_size_gb"`
	Type                  string        `json:"type"`
	Updated               string        `json:"updated"`
	Updates               dbUpdatesJSON `json:"updates"`
	UsedDiskSizeGB        int           `json:"used_disk_size_gb"`
	Version               string        `json:"version"`
}

type dbBackupJSON struct {
	Created string `json:"created"`
	ID      int    `json:"id"`
	Label   string `json:"label"`
	Type    string `json:"type"`
}

func dbHosts(db *Database) dbHostsJSON {
	if db.Status == "provisioning" {
		return dbHostsJSON{} // assigned once provisioned
	}
	short := map[string]string{model.LinodeDBMySQL: "mysql", model.LinodeDBPostgreSQL: "pgsql"}[db.Engine]
	base := fmt.Sprintf("lin-%d-%d-%s-primary", db.ID, 1000+db.ID%9000, short)
	return dbHostsJSON{Primary: nullable(base + ".servers.linodedb.net"), Secondary: nullable(base + "-private.servers.linodedb.net")}
}

func dbUpdates(m Maintenance) dbUpdatesJSON {
	v := dbUpdatesJSON{DayOfWeek: m.DayOfWeek, Duration: m.Duration, Frequency: m.Frequency, HourOfDay: m.HourOfDay}
	if m.WeekOfMonth > 0 {
		w := m.WeekOfMonth
		v.WeekOfMonth = &w
	}
	return v
}

func allowList(db *Database) []string {
	if db.AllowList == nil {
		return []string{}
	}
	return db.AllowList
}

func renderDatabase(db *Database) databaseJSON {
	return databaseJSON{
		AllowList: allowList(db), ClusterSize: db.ClusterSize, Created: fmtTime(db.Created), Encrypted: db.Encrypted,
		Engine: db.Engine, Hosts: dbHosts(db), ID: db.ID, InstanceURI: dbPath(db), Label: db.Label,
		Region: db.Region, Status: db.Status, Type: db.Type, Updated: fmtTime(db.Updated), Updates: dbUpdates(db.Maintenance),
		Version: db.Version,
	}
}

func renderEngineDB(db *Database) engineDBJSON {
	v := engineDBJSON{
		AllowList: allowList(db), ClusterSize: db.ClusterSize, Created: fmtTime(db.Created), Encrypted: db.Encrypted,
		Engine: db.Engine, Hosts: dbHosts(db), ID: db.ID, Label: db.Label, Port: 3306, Region: db.Region,
		ReplicationType: db.ReplicationType, SSLConnection: db.SSL, Status: db.Status, TotalDiskSizeGB: db.TotalDiskGB,
		Type: db.Type, Updated: fmtTime(db.Updated), Updates: dbUpdates(db.Maintenance), UsedDiskSizeGB: db.UsedDiskGB,
		Version: db.Version,
	}
	if db.Engine == model.LinodeDBPostgreSQL {
		v.Port = 5432
		c := db.ReplicationCommitType
		v.ReplicationCommitType = &c
	}
	return v
}

func renderDBBackup(b *DBBackup) dbBackupJSON {
	return dbBackupJSON{Created: fmtTime(b.Created), ID: b.ID, Label: b.Label, Type: b.Type}
}

func dbPath(db *Database) string {
	return "/v4/databases/" + db.Engine + "/instances/" + strconv.Itoa(db.ID)
}

// databaseField reads a filterable field of a cluster.
func databaseField(name string) (func(*Database) []string, bool) {
	one := func(f func(*Database) string) func(*Database) []string {
		return func(db *Database) []string { return []string{f(db)} }
	}
	switch name {
	case "label":
		return one(func(db *Database) string { return db.Label }), true
	case "region":
		return one(func(db *Database) string { return db.Region }), true
	case "engine":
		return one(func(db *Database) string { return db.Engine }), true
	case "status":
		return one(func(db *Database) string { return db.Status }), true
	case "type":
		return one(func(db *Database) string { return db.Type }), true
	case "version":
		return one(func(db *Database) string { return db.Version }), true
	case "id":
		return one(func(db *Database) string { return strconv.Itoa(db.ID) }), true
	}
	return nil, false
}

func dbBackupField(name string) (func(*DBBackup) []string, bool) {
	switch name {
	case "type":
		return func(b *DBBackup) []string { return []string{b.Type} }, true
	case "created":
		return func(b *DBBackup) []string { return []string{fmtTime(b.Created)} }, true
	}
	return nil, false
}

// --- handlers ----------------------------------------------------------------

func knownEngine(e string) bool { return e == model.LinodeDBMySQL || e == model.LinodeDBPostgreSQL }

// database looks up {engine}/{id}; the caller holds s.mu.
func (s *Server) database(p params) *Database {
	id, err := strconv.Atoi(p["id"])
	if err != nil {
		return nil
	}
	db := s.db.byID[id]
	if db == nil || db.Engine != p["engine"] {
		return nil
	}
	return db
}

func (s *Server) listDatabases(w http.ResponseWriter, r *http.Request, p params) {
	engine, perEngine := p["engine"]
	if perEngine && !knownEngine(engine) {
		notFound(w)
		return
	}
	page, size, good := pageParams(w, r)
	if !good {
		return
	}
	match, good := filterParam(w, r, databaseField)
	if !good {
		return
	}
	s.dbLock()
	var hits []*Database
	for _, db := range s.fleet.Databases {
		if (!perEngine || db.Engine == engine) && match(db) {
			hits = append(hits, db)
		}
	}
	page, pages, lo, hi := window(page, size, len(hits))
	if perEngine {
		data := make([]engineDBJSON, 0, hi-lo)
		for _, db := range hits[lo:hi] {
			data = append(data, renderEngineDB(db))
		}
		s.mu.Unlock()
		writePage(w, data, page, pages, len(hits))
		return
	}
	data := make([]databaseJSON, 0, hi-lo)
	for _, db := range hits[lo:hi] {
		data = append(data, renderDatabase(db))
	}
	s.mu.Unlock()
	writePage(w, data, page, pages, len(hits))
}

func (s *Server) getDatabase(w http.ResponseWriter, _ *http.Request, p params) {
	s.dbLock()
	db := s.database(p)
	var v engineDBJSON
	if db != nil {
		v = renderEngineDB(db)
	}
	s.mu.Unlock()
	if db == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listDBBackups(w http.ResponseWriter, r *http.Request, p params) {
	page, size, good := pageParams(w, r)
	if !good {
		return
	}
	match, good := filterParam(w, r, dbBackupField)
	if !good {
		return
	}
	s.dbLock()
	db := s.database(p)
	var rp reply
	switch {
	case db == nil:
		rp = notFoundReply()
	case db.Status == "provisioning":
		rp = refuse(http.StatusBadRequest, apiReason{Reason: reasonDBProvisioning})
	}
	if rp.status != 0 {
		s.mu.Unlock()
		writeJSON(w, rp.status, rp.body)
		return
	}
	var hits []*DBBackup
	for _, b := range db.Backups {
		if match(b) {
			hits = append(hits, b)
		}
	}
	page, pages, lo, hi := window(page, size, len(hits))
	data := make([]dbBackupJSON, 0, hi-lo)
	for _, b := range hits[lo:hi] {
		data = append(data, renderDBBackup(b))
	}
	s.mu.Unlock()
	writePage(w, data, page, pages, len(hits))
}

// dbBackup finds {backupId} of db; nil when it is not one of db's.
func dbBackup(db *Database, p params) *DBBackup {
	id, err := strconv.Atoi(p["backupId"])
	if err != nil {
		return nil
	}
	for _, b := range db.Backups {
		if b.ID == id {
			return b
		}
	}
	return nil
}

func (s *Server) getDBBackup(w http.ResponseWriter, _ *http.Request, p params) {
	s.dbLock()
	var rp reply
	switch db := s.database(p); {
	case db == nil:
		rp = notFoundReply()
	case db.Status == "provisioning":
		rp = refuse(http.StatusBadRequest, apiReason{Reason: reasonDBProvisioning})
	default:
		if b := dbBackup(db, p); b != nil {
			rp = ok(renderDBBackup(b))
		} else {
			rp = notFoundReply()
		}
	}
	s.mu.Unlock()
	writeJSON(w, rp.status, rp.body)
}

// dbMutate decodes the body into v (when v is not nil and there is a body),
// then runs f under the lock with the cluster named by {engine}/{id}.
func (s *Server) dbMutate(w http.ResponseWriter, r *http.Request, p params, v any, f func(db *Database, now time.Time) reply) {
	if v != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil && len(bytes.TrimSpace(body)) > 0 {
			err = json.Unmarshal(body, v)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, apiReason{Reason: reasonInvalidJSON})
			return
		}
	}
	now := s.dbLock()
	var rp reply
	if db := s.database(p); db == nil {
		rp = notFoundReply()
	} else {
		rp = f(db, now)
	}
	s.mu.Unlock()
	writeJSON(w, rp.status, rp.body)
}

func (s *Server) createDBSnapshot(w http.ResponseWriter, r *http.Request, p params) {
	var body struct {
		Label  *string `json:"label"`
		Target *string `json:"target"`
	}
	s.dbMutate(w, r, p, &body, func(db *Database, now time.Time) reply {
		if body.Label == nil || model.ValidateLinodeDBSnapshotLabel(*body.Label) != nil {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBLabel, Field: "label"})
		}
		target := "primary"
		if body.Target != nil {
			target = *body.Target
		}
		if target != "primary" && target != "secondary" {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBTarget, Field: "target"})
		}
		if !model.LinodeDBCanSnapshot(db.Status) {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBNotActive(db.Status)})
		}
		snaps := 0
		for _, b := range db.Backups {
			if b.Label == *body.Label {
				return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBLabelTaken, Field: "label"})
			}
			if b.Type == "snapshot" {
				snaps++
			}
		}
		if snaps >= model.LinodeDBMaxSnapshots {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBSnapLimit})
		}
		db.Job = &DBJob{Kind: "snapshot", Label: *body.Label, Target: target, Started: now, Until: now.Add(s.opts.SnapshotTime)}
		db.Status, db.Updated = "backing_up", now
		return ok(struct{}{})
	})
}

func (s *Server) restoreDBBackup(w http.ResponseWriter, r *http.Request, p params) {
	s.dbMutate(w, r, p, nil, func(db *Database, now time.Time) reply {
		if db.Status == "provisioning" {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBProvisioning})
		}
		if dbBackup(db, p) == nil {
			return notFoundReply()
		}
		if !model.LinodeDBCanRestore(db.Status) {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBRestoreStatus})
		}
		db.Job = &DBJob{Kind: "restore", Started: now, Until: now.Add(s.opts.RestoreTime)}
		db.Status, db.Updated = "restoring", now
		return ok(struct{}{})
	})
}

func (s *Server) deleteDBBackup(w http.ResponseWriter, r *http.Request, p params) {
	s.dbMutate(w, r, p, nil, func(db *Database, now time.Time) reply {
		if db.Status == "provisioning" {
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBProvisioning})
		}
		b := dbBackup(db, p)
		switch {
		case b == nil:
			return notFoundReply()
		case !model.LinodeDBCanRestore(db.Status):
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBRestoreStatus})
		case b.Type != "snapshot":
			return refuse(http.StatusBadRequest, apiReason{Reason: reasonDBDeleteAuto})
		}
		kept := db.Backups[:0]
		for _, x := range db.Backups {
			if x != b {
				kept = append(kept, x)
			}
		}
		clear(db.Backups[len(kept):])
		db.Backups = kept
		db.Updated = now
		return ok(struct{}{})
	})
}

// --- fixtures ----------------------------------------------------------------

// DemoDatabases is how many fixed clusters SeedDatabases starts with.
const DemoDatabases = 7

// SeedDatabases builds n deterministic clusters; times are relative to now.
// The first DemoDatabases are fixed fixtures the demo and tests rely on:
//
//	orders-mysql                    active, 7 automatic backups, 1 snapshot
//	billing-pg                      active, 3 snapshots: the limit
//	analytics-warehouse-pg-primary  restoring for another 90s
//	sessions                        degraded, no snapshot
//	reporting-replica               backing_up: a snapshot done in 45s
//	legacy-crm                      suspended 5 days ago: stale
//	ledger                          created today: no backup yet
func SeedDatabases(seed int64, n int, now time.Time) []*Database {
	now = now.UTC().Truncate(time.Second)
	g := &dbGen{r: rand.New(rand.NewPCG(uint64(seed)^0xdb, uint64(seed)^0xdbdb_5eed)), now: now, id: 131_000, backupID: 5_200_000}
	out := make([]*Database, 0, n)
	for i := 0; i < n; i++ {
		var db *Database
		if i < len(dbFixtures) {
			db = dbFixtures[i](g)
		} else {
			db = g.random(i)
		}
		g.finish(db)
		out = append(out, db)
	}
	return out
}

type dbGen struct {
	r        *rand.Rand
	now      time.Time
	id       int
	backupID int
	snaps    []*DBBackup // this cluster's snapshots, before finish
}

var dbFixtures = []func(*dbGen) *Database{
	func(g *dbGen) *Database {
		db := g.cluster("orders-mysql", model.LinodeDBMySQL, "8.0.30", "us-east", "g6-dedicated-2", 3)
		g.snapshot("pre_release_2026_11", 30*time.Hour)
		return db
	},
	func(g *dbGen) *Database {
		db := g.cluster("billing-pg", model.LinodeDBPostgreSQL, "14.6", "eu-west", "g6-dedicated-4", 3)
		g.snapshot("before_vacuum_full", 2*24*time.Hour+3*time.Hour)
		g.snapshot("q3_close", 41*24*time.Hour)
		g.snapshot("pre_pg14_upgrade", 97*24*time.Hour)
		return db
	},
	func(g *dbGen) *Database {
		db := g.cluster("analytics-warehouse-pg-primary", model.LinodeDBPostgreSQL, "13.9", "ap-south", "g6-dedicated-8", 3)
		g.snapshot("before_backfill", 26*time.Hour)
		db.Status = "restoring"
		db.Job = &DBJob{Kind: "restore", Started: g.now.Add(-2 * time.Minute), Until: g.now.Add(90 * time.Second)}
		db.Updated = db.Job.Started
		return db
	},
	func(g *dbGen) *Database {
		db := g.cluster("sessions", model.LinodeDBMySQL, "5.7.39", "us-west", "g6-nanode-1", 1)
		db.Status = "degraded"
		return db
	},
	func(g *dbGen) *Database {
		db := g.cluster("reporting-replica", model.LinodeDBPostgreSQL, "14.6", "us-central", "g6-standard-2", 1)
		g.snapshot("pre_index_rebuild", 12*24*time.Hour)
		db.Status = "backing_up"
		db.Job = &DBJob{Kind: "snapshot", Label: "nightly_export_check", Target: "primary", Started: g.now.Add(-40 * time.Second), Until: g.now.Add(45 * time.Second)}
		db.Updated = db.Job.Started
		return db
	},
	func(g *dbGen) *Database {
		db := g.cluster("legacy-crm", model.LinodeDBMySQL, "5.7.30", "eu-central", "g6-standard-1", 1)
		db.Status = "suspended"
		db.Updated = g.now.Add(-(5*24*time.Hour + 3*time.Hour))
		return db
	},
	func(g *dbGen) *Database {
		db := g.cluster("ledger", model.LinodeDBPostgreSQL, "15.2", "eu-west", "g6-standard-1", 1)
		// Created since the last midnight's backup was due, so none yet.
		m := lastAutoDay(db, g.now).Add(autoOffset(db))
		db.Created = m.Add(g.now.Sub(m) / 3).Truncate(time.Second)
		db.Updated = db.Created.Add(g.now.Sub(db.Created) / 2).Truncate(time.Second)
		return db
	},
}

var (
	dbRegions = []string{"us-east", "us-west", "us-central", "eu-west", "eu-central", "ap-south", "ap-northeast"}
	dbTypes   = []string{"g6-nanode-1", "g6-standard-1", "g6-standard-2", "g6-dedicated-2", "g6-dedicated-4"}
	dbDisks   = map[string]int{"g6-nanode-1": 25, "g6-standard-1": 50, "g6-standard-2": 80, "g6-dedicated-2": 80, "g6-dedicated-4": 160, "g6-dedicated-8": 320}
	dbNames   = []string{"orders", "users", "inventory", "events", "metrics", "search", "auth", "payments", "catalog", "audit"}
)

// cluster fills in what every cluster has; g.snaps starts empty for it.
func (g *dbGen) cluster(label, engine, version, region, typ string, size int) *Database {
	g.id += 1 + g.r.IntN(60)
	g.snaps = nil
	created := g.now.Add(-time.Duration(60+g.r.IntN(600)) * 24 * time.Hour).Add(-time.Duration(g.r.IntN(1440)) * time.Minute)
	db := &Database{
		ID: g.id, Label: label, Engine: engine, Version: version, Region: region, Type: typ, Status: "active",
		ClusterSize: size, Encrypted: g.r.IntN(2) == 0, SSL: true,
		AllowList:   []string{fmt.Sprintf("203.0.113.%d/32", 1+g.r.IntN(254)), "192.0.2.0/24"},
		TotalDiskGB: dbDisks[typ] * 3 / 4, Created: created,
		Updated:     g.now.Add(-time.Duration(1+g.r.IntN(30*24)) * time.Hour),
		Maintenance: Maintenance{DayOfWeek: 1 + g.r.IntN(7), Duration: 1 + g.r.IntN(3), Frequency: "weekly", HourOfDay: g.r.IntN(24)},
	}
	db.UsedDiskGB = 1 + g.r.IntN(max(1, db.TotalDiskGB/2))
	db.ReplicationType = "none"
	if size == 3 {
		db.ReplicationType = map[string]string{model.LinodeDBMySQL: "semi_synch", model.LinodeDBPostgreSQL: "asynch"}[engine]
	}
	if engine == model.LinodeDBPostgreSQL {
		db.ReplicationCommitType = "local"
	}
	return db
}

func (g *dbGen) snapshot(label string, ago time.Duration) {
	g.snaps = append(g.snaps, &DBBackup{Label: label, Type: "snapshot", Created: g.now.Add(-ago - time.Duration(g.r.IntN(60))*time.Second)})
}

// finish adds the automatic backups the cluster's history implies, then
// numbers every backup oldest first, as the API would have.
func (g *dbGen) finish(db *Database) {
	bs := g.snaps
	g.snaps = nil
	until := g.now
	if !takesAutoBackups(db.Status) {
		until = db.Updated // no backups since it stopped
	}
	db.AutoThrough = lastAutoDay(db, g.now)
	for k := 0; k < 8; k++ {
		at := db.AutoThrough.AddDate(0, 0, -k).Add(autoOffset(db))
		if at.After(until) || !at.After(db.Created) || g.now.Sub(at) >= retainAuto {
			continue
		}
		bs = append(bs, &DBBackup{Type: "auto", Created: at})
	}
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].Created.Before(bs[j].Created) })
	for _, b := range bs {
		g.backupID += 1 + g.r.IntN(400)
		b.ID = g.backupID
		if b.Type == "auto" {
			b.Label = autoLabel(b.Created, b.ID)
		}
	}
	sortDBBackups(bs)
	db.Backups = bs
}

// random makes cluster i (i >= DemoDatabases): active, with its automatic
// backups and now and then a snapshot.
func (g *dbGen) random(i int) *Database {
	engine, version := model.LinodeDBMySQL, "8.0.30"
	if g.r.IntN(2) == 0 {
		engine, version = model.LinodeDBPostgreSQL, []string{"13.9", "14.6", "15.2"}[g.r.IntN(3)]
	}
	label := fmt.Sprintf("%s-%s-%d", dbNames[g.r.IntN(len(dbNames))], map[string]string{model.LinodeDBMySQL: "my", model.LinodeDBPostgreSQL: "pg"}[engine], i)
	size := 1
	if g.r.IntN(3) == 0 {
		size = 3
	}
	db := g.cluster(label, engine, version, dbRegions[g.r.IntN(len(dbRegions))], dbTypes[g.r.IntN(len(dbTypes))], size)
	for k := g.r.IntN(4); k > 0; k-- {
		g.snapshot(fmt.Sprintf("snap_%d_%d", i, k), time.Duration(1+g.r.IntN(90*24))*time.Hour)
	}
	return db
}
