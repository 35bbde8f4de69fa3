package linode

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

// demoDBs serves the demo fleet on a hand-moved clock.
func demoDBs(t *testing.T) (*Server, *clock, map[string]*Database) {
	t.Helper()
	c := &clock{t: now}
	f := Demo(now)
	byLabel := map[string]*Database{}
	for _, db := range f.Databases {
		byLabel[db.Label] = db
	}
	return New(f, Options{Options: sim.Options{Now: c.Now}}), c, byLabel
}

func dbURL(db *Database) string {
	return "/v4/databases/" + db.Engine + "/instances/" + strconv.Itoa(db.ID)
}

type rawPage struct {
	Data    []map[string]any `json:"data"`
	Page    int              `json:"page"`
	Pages   int              `json:"pages"`
	Results int              `json:"results"`
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func dbBackups(t *testing.T, s http.Handler, db *Database) []dbBackupJSON {
	t.Helper()
	var p struct {
		Data    []dbBackupJSON `json:"data"`
		Pages   int            `json:"pages"`
		Results int            `json:"results"`
	}
	rec := do(t, s, "GET", dbURL(db)+"/backups?page_size=500", nil, &p)
	if rec.Code != 200 || p.Pages != 1 || p.Results != len(p.Data) {
		t.Fatalf("backups of %s: %d %s", db.Label, rec.Code, rec.Body)
	}
	return p.Data
}

func dbStatus(t *testing.T, s http.Handler, db *Database) string {
	t.Helper()
	var v engineDBJSON
	if rec := do(t, s, "GET", dbURL(db), nil, &v); rec.Code != 200 {
		t.Fatalf("get %s: %d %s", db.Label, rec.Code, rec.Body)
	}
	return v.Status
}

func TestDatabasesWire(t *testing.T) {
	s, _, dbs := demoDBs(t)
	var p rawPage
	do(t, s, "GET", "/v4/databases/instances", nil, &p)
	if p.Page != 1 || p.Pages != 1 || p.Results != DemoDatabases || len(p.Data) != DemoDatabases {
		t.Fatalf("envelope: %d/%d %d %d", p.Page, p.Pages, p.Results, len(p.Data))
	}
	general := []string{"allow_list", "cluster_size", "created", "encrypted", "engine", "hosts", "id", "instance_uri",
		"label", "region", "status", "type", "updated", "updates", "version"}
	d0 := p.Data[0]
	if got := keys(d0); !reflect.DeepEqual(got, general) {
		t.Fatalf("general object keys: %v", got)
	}
	orders := dbs["orders-mysql"]
	if d0["label"] != "orders-mysql" || d0["engine"] != "mysql" || d0["instance_uri"] != dbURL(orders) || d0["status"] != "active" ||
		d0["cluster_size"] != 3.0 || d0["version"] != "8.0.30" {
		t.Fatalf("orders-mysql: %v", d0)
	}
	if c := d0["created"].(string); !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$`).MatchString(c) {
		t.Fatalf("created %q: want the API's zone-less time", c)
	}
	hosts := d0["hosts"].(map[string]any)
	if !strings.HasSuffix(hosts["primary"].(string), ".servers.linodedb.net") || hosts["secondary"] == nil {
		t.Fatalf("hosts: %v", hosts)
	}
	updates := d0["updates"].(map[string]any)
	if got := keys(updates); !reflect.DeepEqual(got, []string{"day_of_week", "duration", "frequency", "hour_of_day", "week_of_month"}) ||
		updates["week_of_month"] != nil {
		t.Fatalf("updates: %v", updates)
	}

	// The engine objects: port and replication, no instance_uri; only
	// PostgreSQL has a commit type.
	engine := []string{"allow_list", "cluster_size", "created", "encrypted", "engine", "hosts", "id", "label", "port", "region",
		"replication_type", "ssl_connection", "status", "total_disk_size_gb", "type", "updated", "updates", "used_disk_size_gb", "version"}
	var my map[string]any
	do(t, s, "GET", dbURL(orders), nil, &my)
	if got := keys(my); !reflect.DeepEqual(got, engine) || my["port"] != 3306.0 || my["replication_type"] != "semi_synch" {
		t.Fatalf("mysql object: %v", my)
	}
	var pg map[string]any
	do(t, s, "GET", dbURL(dbs["billing-pg"]), nil, &pg)
	if pg["port"] != 5432.0 || pg["replication_commit_type"] != "local" || len(pg) != len(engine)+1 {
		t.Fatalf("postgresql object: %v", pg)
	}

	// Per-engine lists hold only that engine.
	var mp rawPage
	do(t, s, "GET", "/v4/databases/mysql/instances", nil, &mp)
	if mp.Results != 3 {
		t.Fatalf("mysql list: %d", mp.Results)
	}
	for _, d := range mp.Data {
		if d["engine"] != "mysql" || d["port"] != 3306.0 {
			t.Fatalf("mysql list: %v", d)
		}
	}

	for _, path := range []string{
		"/v4/databases/postgresql/instances/" + strconv.Itoa(orders.ID), // the wrong engine
		"/v4/databases/mongodb/instances/" + strconv.Itoa(orders.ID),
		"/v4/databases/mongodb/instances",
		"/v4/databases/mysql/instances/1",
		"/v4/databases/mysql/instances/x",
		dbURL(orders) + "/backups/1",
		dbURL(orders) + "/backups/" + strconv.Itoa(dbs["billing-pg"].Backups[0].ID), // another cluster's
	} {
		var e errBody
		if rec := do(t, s, "GET", path, nil, &e); rec.Code != 404 || e.Errors[0].Reason != "Not found" {
			t.Errorf("%s: %d %+v", path, rec.Code, e)
		}
	}
	var e errBody
	if rec := do(t, s, "PUT", dbURL(orders)+"/backups", nil, &e); rec.Code != 405 {
		t.Errorf("PUT: %d", rec.Code)
	}
	var a errBody
	if rec := do(t, s, "GET", "/v4/databases/instances", map[string]string{"Authorization": "Bearer nope"}, &a); rec.Code != 401 || a.Errors[0].Reason != "Invalid Token" {
		t.Errorf("auth: %d %+v", rec.Code, a)
	}
}

func TestDatabasesPagingAndFilters(t *testing.T) {
	f := &Fleet{Databases: SeedDatabases(3, 130, now)}
	s := New(f, Options{Options: sim.Options{Now: func() time.Time { return now }}})
	var p rawPage
	do(t, s, "GET", "/v4/databases/instances?page=2&page_size=50", nil, &p)
	if p.Page != 2 || p.Pages != 3 || p.Results != 130 || len(p.Data) != 50 {
		t.Fatalf("page 2: %d/%d %d %d", p.Page, p.Pages, p.Results, len(p.Data))
	}
	for _, size := range []string{"24", "501"} {
		var e errBody
		if rec := do(t, s, "GET", "/v4/databases/instances?page_size="+size, nil, &e); rec.Code != 400 || e.Errors[0].Field != "page_size" {
			t.Errorf("page_size=%s: %d %+v", size, rec.Code, e)
		}
	}
	p = rawPage{}
	do(t, s, "GET", "/v4/databases/instances?page_size=500", map[string]string{"X-Filter": `{"engine":"postgresql","status":"active"}`}, &p)
	if p.Results == 0 || p.Results >= 128 {
		t.Fatalf("filter: %d", p.Results)
	}
	for _, d := range p.Data {
		if d["engine"] != "postgresql" || d["status"] != "active" {
			t.Fatalf("filter let through %v", d)
		}
	}
	var e errBody
	if rec := do(t, s, "GET", "/v4/databases/instances", map[string]string{"X-Filter": `{"tags":"x"}`}, &e); rec.Code != 400 {
		t.Errorf("tags are not filterable on databases: %d", rec.Code)
	}
	// Backups: auto ones only, and a page_size out of range.
	db := f.Databases[0]
	var bp struct {
		Data []dbBackupJSON `json:"data"`
	}
	do(t, s, "GET", dbURL(db)+"/backups", map[string]string{"X-Filter": `{"type":"auto"}`}, &bp)
	if len(bp.Data) != 7 {
		t.Fatalf("auto backups: %d", len(bp.Data))
	}
	if rec := do(t, s, "GET", dbURL(db)+"/backups?page_size=5", nil, &e); rec.Code != 400 {
		t.Errorf("backups page_size=5: %d", rec.Code)
	}
}

func TestDemoDatabases(t *testing.T) {
	s, _, dbs := demoDBs(t)
	want := map[string]struct {
		status      string
		autos, snap int
	}{
		"orders-mysql":                   {"active", 7, 1},
		"billing-pg":                     {"active", 7, 3},
		"analytics-warehouse-pg-primary": {"restoring", 7, 1},
		"sessions":                       {"degraded", 7, 0},
		"reporting-replica":              {"backing_up", 7, 1},
		"legacy-crm":                     {"suspended", 2, 0},
		"ledger":                         {"active", 0, 0},
	}
	if len(dbs) != len(want) {
		t.Fatalf("%d clusters", len(dbs))
	}
	autoLabel := regexp.MustCompile(`^Scheduled - \d\d/\d\d/\d\d 00:\d\d UTC-[A-Za-z]{6}$`)
	for label, w := range want {
		db := dbs[label]
		if got := dbStatus(t, s, db); got != w.status {
			t.Errorf("%s: status %s, want %s", label, got, w.status)
		}
		bs := dbBackups(t, s, db)
		autos, snaps := 0, 0
		for i, b := range bs {
			if i > 0 && b.Created > bs[i-1].Created {
				t.Errorf("%s: not newest first: %v", label, bs)
			}
			switch b.Type {
			case "auto":
				autos++
				if !autoLabel.MatchString(b.Label) {
					t.Errorf("%s: auto label %q", label, b.Label)
				}
			case "snapshot":
				snaps++
			}
		}
		if autos != w.autos || snaps != w.snap {
			t.Errorf("%s: %d auto, %d snapshots; want %d, %d", label, autos, snaps, w.autos, w.snap)
		}
	}
	// legacy-crm's newest backup is older than two days: stale.
	bs := dbBackups(t, s, dbs["legacy-crm"])
	if c, _ := time.Parse(timeLayout, bs[0].Created); now.Sub(c) < 5*24*time.Hour {
		t.Errorf("legacy-crm newest backup %s", bs[0].Created)
	}
	if !reflect.DeepEqual(SeedDatabases(1, 20, now), SeedDatabases(1, 20, now)) {
		t.Error("SeedDatabases is not deterministic")
	}
	// The instances are as they were: databases are seeded after them.
	if f := Seed(1, 40, now); f.Instances[0].Label != "web-prod-01" || len(f.Databases) != DemoDatabases {
		t.Errorf("Seed: %s, %d databases", f.Instances[0].Label, len(f.Databases))
	}
}

func TestDBAutomaticBackupsDaily(t *testing.T) {
	s, c, dbs := demoDBs(t)
	orders, crm, ledger := dbs["orders-mysql"], dbs["legacy-crm"], dbs["ledger"]
	before := dbBackups(t, s, orders)
	c.Set(24 * time.Hour)
	after := dbBackups(t, s, orders)
	if len(after) != len(before) {
		t.Fatalf("a day later: %d backups, was %d (one new, one past its 7 days)", len(after), len(before))
	}
	if after[0].Type != "auto" || after[0].ID <= before[0].ID || after[0].Created <= before[0].Created {
		t.Fatalf("newest a day later: %+v (was %+v)", after[0], before[0])
	}
	if first := dbBackups(t, s, ledger); len(first) != 1 || first[0].Type != "auto" {
		t.Fatalf("ledger's first backup: %+v", first)
	}
	// A suspended cluster takes none, and its old ones expire.
	c.Set(3 * 24 * time.Hour)
	if bs := dbBackups(t, s, crm); len(bs) != 0 {
		t.Fatalf("legacy-crm: %+v", bs)
	}
	if got, _ := s.Database(orders.ID); len(got.Backups) != 8 {
		t.Fatalf("orders-mysql via Database(): %d", len(got.Backups))
	}
}

func TestDBSnapshotLifecycle(t *testing.T) {
	s, c, dbs := demoDBs(t)
	orders := dbs["orders-mysql"]
	before := dbBackups(t, s, orders)

	c.Set(time.Second)
	rec := send(t, s, "POST", dbURL(orders)+"/backups", `{"label":"before_migration","target":"primary"}`, nil)
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "{}" {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	// Not listed until complete; the cluster says backing_up.
	if st := dbStatus(t, s, orders); st != "backing_up" {
		t.Fatalf("status %s", st)
	}
	if bs := dbBackups(t, s, orders); len(bs) != len(before) {
		t.Fatalf("listed while being taken: %+v", bs)
	}
	refused(t, send(t, s, "POST", dbURL(orders)+"/backups", `{"label":"again"}`, nil), 400, "", "must have an active status")

	c.Set(time.Second + 6*time.Second)
	if st := dbStatus(t, s, orders); st != "active" {
		t.Fatalf("status after: %s", st)
	}
	bs := dbBackups(t, s, orders)
	if len(bs) != len(before)+1 {
		t.Fatalf("after: %+v", bs)
	}
	var snap dbBackupJSON
	for _, b := range bs {
		if b.Label == "before_migration" {
			snap = b
		}
	}
	if snap.Type != "snapshot" || snap.Created != fmtTime(now.Add(time.Second)) {
		t.Fatalf("snapshot: %+v", snap)
	}
	var one dbBackupJSON
	do(t, s, "GET", dbURL(orders)+"/backups/"+strconv.Itoa(snap.ID), nil, &one)
	if one != snap {
		t.Fatalf("get: %+v", one)
	}

	url := dbURL(orders) + "/backups"
	refused(t, send(t, s, "POST", url, `{"label":"before_migration"}`, nil), 400, "label", "unique")
	refused(t, send(t, s, "POST", url, `{"label":"db-snapshot"}`, nil), 400, "label", "1-30 characters")
	refused(t, send(t, s, "POST", url, `{"label":"`+strings.Repeat("x", 31)+`"}`, nil), 400, "label", "1-30 characters")
	refused(t, send(t, s, "POST", url, `{}`, nil), 400, "label", "1-30 characters")
	refused(t, send(t, s, "POST", url, `{"label":"ok","target":"replica"}`, nil), 400, "target", "primary or secondary")
	refused(t, send(t, s, "POST", url, `{"label":`, nil), 400, "", "Invalid JSON")
	refused(t, send(t, s, "POST", dbURL(dbs["billing-pg"])+"/backups", `{"label":"fourth"}`, nil), 400, "", "Up to 3 snapshot")
	refused(t, send(t, s, "POST", dbURL(dbs["sessions"])+"/backups", `{"label":"x"}`, nil), 400, "", "it is degraded")

	// The fixture under way completes on its own.
	c.Set(46 * time.Second)
	rep := dbs["reporting-replica"]
	if st := dbStatus(t, s, rep); st != "active" {
		t.Fatalf("reporting-replica: %s", st)
	}
	if bs := dbBackups(t, s, rep); bs[0].Label != "nightly_export_check" || bs[0].Created != fmtTime(now.Add(-40*time.Second)) {
		t.Fatalf("reporting-replica newest: %+v", bs[0])
	}
}

func TestDBRestoreAndDelete(t *testing.T) {
	s, c, dbs := demoDBs(t)
	sessions, billing := dbs["sessions"], dbs["billing-pg"]
	auto := sessions.Backups[0]

	// A degraded cluster may be restored; it restores for RestoreTime.
	url := dbURL(sessions) + "/backups/" + strconv.Itoa(auto.ID) + "/restore"
	if rec := send(t, s, "POST", url, "", nil); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "{}" {
		t.Fatalf("restore: %d %s", rec.Code, rec.Body)
	}
	if st := dbStatus(t, s, sessions); st != "restoring" {
		t.Fatalf("status: %s", st)
	}
	refused(t, send(t, s, "POST", url, "", nil), 400, "", "active, degraded, or failed")
	c.Set(8 * time.Second)
	if st := dbStatus(t, s, sessions); st != "active" {
		t.Fatalf("after restore: %s", st)
	}
	refused(t, send(t, s, "POST", dbURL(sessions)+"/backups/1/restore", "", nil), 404, "", "Not found")
	refused(t, send(t, s, "POST", dbURL(dbs["reporting-replica"])+"/backups/"+strconv.Itoa(dbs["reporting-replica"].Backups[0].ID)+"/restore", "", nil),
		400, "", "active, degraded, or failed")

	// Deleting: snapshots only, and it frees a slot.
	refused(t, send(t, s, "DELETE", dbURL(sessions)+"/backups/"+strconv.Itoa(auto.ID), "", nil), 400, "", "Only snapshot")
	var victim *DBBackup
	for _, b := range billing.Backups {
		if b.Type == "snapshot" {
			victim = b
			break
		}
	}
	del := dbURL(billing) + "/backups/" + strconv.Itoa(victim.ID)
	if rec := send(t, s, "DELETE", del, "", nil); rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "{}" {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	refused(t, send(t, s, "DELETE", del, "", nil), 404, "", "Not found")
	if rec := send(t, s, "POST", dbURL(billing)+"/backups", `{"label":"third_again"}`, nil); rec.Code != 200 {
		t.Fatalf("a snapshot after the delete: %d %s", rec.Code, rec.Body)
	}
	// Not while it backs up.
	var other *DBBackup
	for _, b := range billing.Backups {
		if b.Type == "snapshot" {
			other = b
			break
		}
	}
	refused(t, send(t, s, "DELETE", dbURL(billing)+"/backups/"+strconv.Itoa(other.ID), "", nil), 400, "", "active, degraded, or failed")
	if n := s.MutationsTo("/backups/" + strconv.Itoa(victim.ID)); n != 2 {
		t.Errorf("mutations to the deleted backup: %d", n)
	}
}

func TestDBProvisioning(t *testing.T) {
	db := SeedDatabases(9, 1, now)[0]
	db.Status = "provisioning"
	s := New(&Fleet{Databases: []*Database{db}}, Options{Options: sim.Options{Now: func() time.Time { return now }}})
	var v engineDBJSON
	do(t, s, "GET", dbURL(db), nil, &v)
	if v.Hosts.Primary != nil || v.Status != "provisioning" {
		t.Fatalf("provisioning: %+v", v)
	}
	for _, rq := range []struct{ method, path string }{
		{"GET", dbURL(db) + "/backups"},
		{"GET", dbURL(db) + "/backups/" + strconv.Itoa(db.Backups[0].ID)},
		{"DELETE", dbURL(db) + "/backups/" + strconv.Itoa(db.Backups[0].ID)},
		{"POST", dbURL(db) + "/backups/" + strconv.Itoa(db.Backups[0].ID) + "/restore"},
	} {
		refused(t, send(t, s, rq.method, rq.path, "", nil), 400, "", "must not be provisioning")
	}
	raw, _ := json.Marshal(v)
	if strings.Contains(string(raw), "replication_commit_type") != (db.Engine == "postgresql") {
		t.Errorf("commit type on %s: %s", db.Engine, raw)
	}
}
