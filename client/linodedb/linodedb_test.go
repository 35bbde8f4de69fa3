package linodedb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const token = "s3cr3t-db-token"

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = now.Add(d)
}

type env struct {
	s   *simlinode.Server
	p   *Provider
	clk *fakeClock
	dbs map[string]simlinode.Database // by label, as seeded
	url string
}

// id is the resource ID of the cluster labelled l.
func (e *env) id(l string) string {
	db, found := e.dbs[l]
	if !found {
		panic("no cluster " + l)
	}
	return db.Engine + "/" + strconv.Itoa(db.ID)
}

func setup(t testing.TB, f *simlinode.Fleet, o simlinode.Options, c Config) *env {
	t.Helper()
	if f == nil {
		f = simlinode.Demo(now)
	}
	e := &env{clk: &fakeClock{t: now}, dbs: map[string]simlinode.Database{}}
	for _, db := range f.Databases {
		e.dbs[db.Label] = *db
	}
	if o.Token == "" {
		o.Token = token
	}
	if o.Now == nil {
		o.Now = e.clk.Now
	}
	e.s = simlinode.New(f, o)
	srv := httptest.NewServer(e.s)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	if c.Token == "" {
		c.Token = token
	}
	if c.BaseURL == "" {
		c.BaseURL = srv.URL
	}
	if c.RetryWait == 0 {
		c.RetryWait = 10 * time.Millisecond
	}
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	p.now = e.clk.Now
	e.p = p
	return e
}

func wantKind(t *testing.T, err error, k client.ErrorKind) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *client.Error", err, err)
	}
	if e.Kind != k {
		t.Fatalf("kind = %v, want %v (err: %v)", e.Kind, k, err)
	}
	if strings.Contains(err.Error(), token) {
		t.Fatalf("token leaked: %v", err)
	}
	return e
}

func TestInfo(t *testing.T) {
	p, err := New(Config{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	i := p.Info()
	if p.Name() != "linodedb" || i.Name != "linodedb" || i.Kind != model.KindDatabase || i.MaxManual != 3 || i.GroupTitle != "REGION" ||
		i.Caps != model.CapSnapshot|model.CapRestore|model.CapDeleteBackup || i.ValidateName("db-snapshot") == nil || i.ValidateName("ok_1") != nil {
		t.Fatalf("info: %+v", i)
	}
	if _, err := New(Config{Transport: client.Transport{BaseURL: "api.linode.com"}, Token: token}); err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("a base URL without a scheme: %v", err)
	}
	// Actions it lacks say so.
	wantKind(t, p.EnableBackups(context.Background(), "mysql/1"), client.ErrUnsupported)
}

func TestListResources(t *testing.T) {
	e := setup(t, nil, simlinode.Options{}, Config{})
	ctx := context.Background()
	rp, err := e.p.ListResources(ctx, 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if rp.Page != 1 || rp.Pages != 1 || rp.Total != simlinode.DemoDatabases || len(rp.Items) != simlinode.DemoDatabases {
		t.Fatalf("page: %d/%d total %d len %d", rp.Page, rp.Pages, rp.Total, len(rp.Items))
	}
	// One list page, then each cluster's backups.
	if n := e.s.Requests(); n != 1+simlinode.DemoDatabases {
		t.Fatalf("requests = %d", n)
	}
	by := map[string]model.Resource{}
	for _, r := range rp.Items {
		by[r.Label] = r
	}
	orders, seeded := by["orders-mysql"], e.dbs["orders-mysql"]
	if orders.ID != e.id("orders-mysql") || !strings.HasPrefix(orders.ID, "mysql/") || orders.Provider != "linodedb" ||
		orders.Kind != model.KindDatabase || orders.Region != "us-east" || orders.Status != "active" ||
		orders.Plan != "mysql 8.0.30 g6-dedicated-2" || !orders.BackupsEnabled || !orders.Created.Equal(seeded.Created) ||
		!orders.LastSuccessful.Equal(seeded.Backups[0].Created) || orders.BackupStale(now) {
		t.Fatalf("orders-mysql: %+v", orders)
	}
	if r := by["legacy-crm"]; !r.BackupStale(now) || r.LastSuccessful.IsZero() || r.Status != "suspended" {
		t.Fatalf("legacy-crm should be stale: %+v", r)
	}
	if r := by["ledger"]; !r.LastSuccessful.IsZero() {
		t.Fatalf("ledger has no backup: %+v", r)
	}
	if r := by["analytics-warehouse-pg-primary"]; r.Status != "restoring" || !strings.HasPrefix(r.ID, "postgresql/") {
		t.Fatalf("restoring: %+v", r)
	}

	for _, tc := range []struct {
		f    client.Filter
		want int
	}{
		{client.Filter{Label: "PG"}, 2},
		{client.Filter{Region: "EU-"}, 3},
		{client.Filter{Label: "billing", Region: "eu-west"}, 1},
		{client.Filter{Tag: "prod"}, 0},
		{client.Filter{Label: "nope"}, 0},
	} {
		rp, err := e.p.ListResources(ctx, 1, tc.f)
		if err != nil || len(rp.Items) != tc.want || rp.Total != tc.want || rp.Pages != 1 {
			t.Errorf("%+v: %d items (want %d), %v", tc.f, len(rp.Items), tc.want, err)
		}
	}
}

func TestListResourcesPaging(t *testing.T) {
	f := &simlinode.Fleet{Databases: simlinode.SeedDatabases(4, 520, now)}
	f.Databases[3].Status = "provisioning" // its backups cannot be read: skipped
	e := setup(t, f, simlinode.Options{}, Config{})
	rp, err := e.p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if rp.Total != 520 || len(rp.Items) != 520 {
		t.Fatalf("total %d len %d", rp.Total, len(rp.Items))
	}
	seen := map[string]bool{}
	for _, r := range rp.Items {
		if seen[r.ID] {
			t.Fatalf("duplicate %s", r.ID)
		}
		seen[r.ID] = true
	}
	if n := e.s.RequestsTo("/v4/databases/instances"); n != 2 {
		t.Fatalf("list pages read: %d", n)
	}
	if !rp.Items[3].LastSuccessful.IsZero() || rp.Items[3].Status != "provisioning" || rp.Items[4].LastSuccessful.IsZero() {
		t.Fatalf("provisioning: %+v / %+v", rp.Items[3], rp.Items[4])
	}
}

func TestListBackups(t *testing.T) {
	e := setup(t, nil, simlinode.Options{}, Config{})
	ctx := context.Background()
	bs, err := e.p.ListBackups(ctx, e.id("orders-mysql"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 8 {
		t.Fatalf("%d backups", len(bs))
	}
	var snap *model.Backup
	for i := range bs {
		b := &bs[i]
		if i > 0 && b.Created.After(bs[i-1].Created) {
			t.Fatalf("not newest first at %d", i)
		}
		if b.Status != model.StatusSuccessful || !b.Available || b.ResourceID != e.id("orders-mysql") || b.ID == "" {
			t.Fatalf("backup %d: %+v", i, b)
		}
		switch b.Type {
		case "snapshot":
			snap = b
		case "auto":
			if b.Kind != model.BackupAutomatic || b.Slot != model.SlotNone || !strings.HasPrefix(b.Label, "Scheduled - ") {
				t.Fatalf("auto: %+v", b)
			}
		}
	}
	if snap == nil || snap.Kind != model.BackupSnapshot || snap.Slot != model.SlotCurrent || snap.Label != "pre_release_2026_11" {
		t.Fatalf("snapshot: %+v", snap)
	}
	names := []string{}
	for _, f := range snap.Fields {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "Type,Created,Engine" || snap.Fields[2].Value != "MySQL 8.0.30" ||
		snap.Fields[1].Value != snap.Created.Format(time.RFC3339) {
		t.Fatalf("fields: %+v", snap.Fields)
	}
	if st := model.Summarise(bs); st.Current == nil || st.Current.ID != snap.ID || st.InProgress != nil {
		t.Fatalf("summary: %+v", st)
	}

	// Three snapshots: only the newest is current.
	bs, _ = e.p.ListBackups(ctx, e.id("billing-pg"))
	current, snaps := 0, 0
	for _, b := range bs {
		if b.Kind == model.BackupSnapshot {
			snaps++
			if b.Slot == model.SlotCurrent {
				current++
				if b.Label != "before_vacuum_full" {
					t.Errorf("current: %s", b.Label)
				}
			}
		}
	}
	if snaps != 3 || current != 1 {
		t.Fatalf("billing-pg: %d snapshots, %d current", snaps, current)
	}

	// A cluster backing up: the snapshot being taken heads the list.
	bs, _ = e.p.ListBackups(ctx, e.id("reporting-replica"))
	st := model.Summarise(bs)
	if st.InProgress == nil || bs[0].Slot != model.SlotInProgress || bs[0].ID != "" || bs[0].Status != model.StatusRunning ||
		bs[0].RawStatus != "backing_up" || st.Current == nil || st.Current.Label != "pre_index_rebuild" {
		t.Fatalf("reporting-replica: %+v", st)
	}
	if bs, err := e.p.ListBackups(ctx, e.id("ledger")); err != nil || len(bs) != 0 {
		t.Fatalf("ledger: %v %v", bs, err)
	}
}

func TestGetBackupAndResource(t *testing.T) {
	e := setup(t, nil, simlinode.Options{}, Config{})
	ctx := context.Background()
	seeded := e.dbs["billing-pg"]
	b, err := e.p.GetBackup(ctx, e.id("billing-pg"), strconv.Itoa(seeded.Backups[0].ID))
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != strconv.Itoa(seeded.Backups[0].ID) || !b.Created.Equal(seeded.Backups[0].Created) || b.Status != model.StatusSuccessful ||
		b.Fields[len(b.Fields)-1].Value != "PostgreSQL" {
		t.Fatalf("backup: %+v", b)
	}
	r, err := e.p.GetResource(ctx, e.id("billing-pg"))
	if err != nil || r.Label != "billing-pg" || r.DiskMB != seeded.TotalDiskGB*1024 || r.DiskMB == 0 || r.LastSuccessful.IsZero() {
		t.Fatalf("resource: %+v %v", r, err)
	}

	before := e.s.Requests()
	for _, id := range []string{"123", "mysql/x", "mongodb/1", "mysql/-1", ""} {
		_, err := e.p.GetResource(ctx, id)
		wantKind(t, err, client.ErrNotFound)
		_, err = e.p.ListBackups(ctx, id)
		wantKind(t, err, client.ErrNotFound)
	}
	_, err = e.p.GetBackup(ctx, e.id("billing-pg"), "x")
	wantKind(t, err, client.ErrNotFound)
	wantKind(t, e.p.DeleteBackup(ctx, e.id("billing-pg"), ""), client.ErrNotFound)
	if e.s.Requests() != before {
		t.Fatal("malformed IDs reached the API")
	}
	// Another cluster's backup, an unknown cluster, the wrong engine.
	_, err = e.p.GetBackup(ctx, e.id("orders-mysql"), strconv.Itoa(seeded.Backups[0].ID))
	if ce := wantKind(t, err, client.ErrNotFound); ce.Status != 404 || !strings.Contains(err.Error(), "Not found") {
		t.Fatalf("404: %v", err)
	}
	_, err = e.p.ListBackups(ctx, "mysql/1")
	wantKind(t, err, client.ErrNotFound)
	_, err = e.p.GetResource(ctx, "mysql/"+strconv.Itoa(seeded.ID))
	wantKind(t, err, client.ErrNotFound)
}

func TestTakeSnapshot(t *testing.T) {
	e := setup(t, nil, simlinode.Options{}, Config{})
	ctx := context.Background()
	id := e.id("orders-mysql")
	b, err := e.p.TakeSnapshot(ctx, id, model.SnapshotRequest{Label: "before_migration"})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "" || b.Label != "before_migration" || b.Slot != model.SlotInProgress || b.Status != model.StatusRunning ||
		b.Kind != model.BackupSnapshot || !b.Created.Equal(now) || b.ResourceID != id {
		t.Fatalf("returned: %+v", b)
	}
	if n := e.s.Mutations(); n != 1 {
		t.Fatalf("mutations = %d", n)
	}
	r, _ := e.p.GetResource(ctx, id)
	if r.Status != "backing_up" {
		t.Fatalf("status: %s", r.Status)
	}
	bs, _ := e.p.ListBackups(ctx, id)
	if bs[0].Label != "before_migration" || bs[0].Slot != model.SlotInProgress || len(bs) != 9 {
		t.Fatalf("while backing up: %+v", bs[0])
	}
	// A second one is refused here: the cluster is not active.
	_, err = e.p.TakeSnapshot(ctx, id, model.SnapshotRequest{Label: "again"})
	if wantKind(t, err, client.ErrInvalid); !strings.Contains(err.Error(), "backing_up") || e.s.Mutations() != 1 {
		t.Fatalf("second: %v", err)
	}

	e.clk.Set(7 * time.Second)
	bs, _ = e.p.ListBackups(ctx, id)
	st := model.Summarise(bs)
	if len(bs) != 9 || st.InProgress != nil || st.Current == nil || st.Current.Label != "before_migration" ||
		st.Current.Status != model.StatusSuccessful || st.Current.ID == "" {
		t.Fatalf("after: %+v", st)
	}
}

func TestTakeSnapshotRefusedBeforeSending(t *testing.T) {
	e := setup(t, nil, simlinode.Options{}, Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		cluster, label, want string
	}{
		{"orders-mysql", "db-snapshot", "[label] character 3"},
		{"orders-mysql", "", "[label] a label is required"},
		{"orders-mysql", strings.Repeat("a", 31), "[label] label is 31 characters"},
		{"orders-mysql", "pre_release_2026_11", "[label] \"pre_release_2026_11\" is taken"},
		{"billing-pg", "fourth", "billing-pg already keeps 3 snapshots, the most Linode allows: delete one first"},
		{"sessions", "ok", "sessions is degraded"},
		{"analytics-warehouse-pg-primary", "ok", "is restoring"},
	} {
		_, err := e.p.TakeSnapshot(ctx, e.id(tc.cluster), model.SnapshotRequest{Label: tc.label})
		wantKind(t, err, client.ErrInvalid)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v", tc.cluster, tc.label, err)
		}
	}
	if n := e.s.Mutations(); n != 0 {
		t.Fatalf("mutations = %d", n)
	}
}

// race is a transport that, just before the adapter's first write, has
// someone else start a snapshot on the same cluster.
type race struct {
	base   http.RoundTripper
	before func()
	once   sync.Once
}

func (r *race) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		r.once.Do(r.before)
	}
	return r.base.RoundTrip(req)
}

func TestTakeSnapshotAPIRefusal(t *testing.T) {
	rt := &race{base: http.DefaultTransport}
	e := setup(t, nil, simlinode.Options{}, Config{Transport: client.Transport{HTTPClient: &http.Client{Transport: rt}}})
	id := e.id("orders-mysql")
	rt.before = func() {
		other, err := New(Config{Transport: client.Transport{BaseURL: e.url}, Token: token})
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := other.TakeSnapshot(context.Background(), id, model.SnapshotRequest{Label: "someone_else"}); err != nil {
			t.Error(err)
		}
	}
	_, err := e.p.TakeSnapshot(context.Background(), id, model.SnapshotRequest{Label: "mine"})
	ce := wantKind(t, err, client.ErrInvalid)
	if ce.Status != 400 || len(ce.Reasons) != 1 || !strings.Contains(ce.Reasons[0], "must have an active status") ||
		!strings.Contains(err.Error(), "request refused (HTTP 400)") {
		t.Fatalf("refusal: %+v / %v", ce, err)
	}
	if n := e.s.Mutations(); n != 2 {
		t.Fatalf("mutations = %d", n)
	}
}

func TestRestore(t *testing.T) {
	e := setup(t, nil, simlinode.Options{}, Config{})
	ctx := context.Background()
	id, other := e.id("sessions"), e.id("orders-mysql")
	bid := strconv.Itoa(e.dbs["sessions"].Backups[0].ID)

	err := e.p.RestoreBackup(ctx, id, bid, other, true)
	if wantKind(t, err, client.ErrInvalid); !strings.Contains(err.Error(), "[target]") {
		t.Fatalf("other target: %v", err)
	}
	err = e.p.RestoreBackup(ctx, id, bid, id, false)
	if wantKind(t, err, client.ErrInvalid); !strings.Contains(err.Error(), "[overwrite]") {
		t.Fatalf("no overwrite: %v", err)
	}
	wantKind(t, e.p.RestoreBackup(ctx, id, "", id, true), client.ErrNotFound)
	if e.s.Requests() != 0 {
		t.Fatal("refused restores reached the API")
	}

	if err := e.p.RestoreBackup(ctx, id, bid, id, true); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.p.GetResource(ctx, id); r.Status != "restoring" {
		t.Fatalf("status: %s", r.Status)
	}
	// The API's own refusal: not while it restores.
	err = e.p.RestoreBackup(ctx, id, bid, id, true)
	if ce := wantKind(t, err, client.ErrInvalid); ce.Status != 400 || !strings.Contains(err.Error(), "active, degraded, or failed") {
		t.Fatalf("second restore: %v", err)
	}
	e.clk.Set(8 * time.Second)
	if r, _ := e.p.GetResource(ctx, id); r.Status != "active" {
		t.Fatalf("after: %s", r.Status)
	}
	err = e.p.RestoreBackup(ctx, id, "1", id, true)
	wantKind(t, err, client.ErrNotFound)
}

func TestDeleteBackup(t *testing.T) {
	e := setup(t, nil, simlinode.Options{}, Config{})
	ctx := context.Background()
	id := e.id("billing-pg")
	var snapID, autoID string
	for _, b := range e.dbs["billing-pg"].Backups {
		if b.Type == "snapshot" && snapID == "" {
			snapID = strconv.Itoa(b.ID)
		}
		if b.Type == "auto" && autoID == "" {
			autoID = strconv.Itoa(b.ID)
		}
	}
	err := e.p.DeleteBackup(ctx, id, autoID)
	if wantKind(t, err, client.ErrInvalid); !strings.Contains(err.Error(), "only snapshots can be deleted") || e.s.Mutations() != 0 {
		t.Fatalf("auto: %v (mutations %d)", err, e.s.Mutations())
	}
	if err := e.p.DeleteBackup(ctx, id, snapID); err != nil {
		t.Fatal(err)
	}
	if n := e.s.Mutations(); n != 1 {
		t.Fatalf("mutations = %d", n)
	}
	wantKind(t, e.p.DeleteBackup(ctx, id, snapID), client.ErrNotFound)
	bs, _ := e.p.ListBackups(ctx, id)
	snaps := 0
	for _, b := range bs {
		if b.Kind == model.BackupSnapshot {
			snaps++
		}
	}
	if snaps != 2 {
		t.Fatalf("snapshots left: %d", snaps)
	}
	// Room again for a third.
	if _, err := e.p.TakeSnapshot(ctx, id, model.SnapshotRequest{Label: "third"}); err != nil {
		t.Fatal(err)
	}
}

// calls are every endpoint the adapter uses, as one call each.
func calls(e *env) map[string]func(context.Context) error {
	orders := e.id("orders-mysql")
	var snap, auto string
	for _, b := range e.dbs["orders-mysql"].Backups {
		if b.Type == "snapshot" {
			snap = strconv.Itoa(b.ID)
		} else if auto == "" {
			auto = strconv.Itoa(b.ID)
		}
	}
	return map[string]func(context.Context) error{
		"ListResources": func(ctx context.Context) error { _, err := e.p.ListResources(ctx, 1, client.Filter{}); return err },
		"GetResource":   func(ctx context.Context) error { _, err := e.p.GetResource(ctx, orders); return err },
		"ListBackups":   func(ctx context.Context) error { _, err := e.p.ListBackups(ctx, orders); return err },
		"GetBackup":     func(ctx context.Context) error { _, err := e.p.GetBackup(ctx, orders, auto); return err },
		"TakeSnapshot": func(ctx context.Context) error {
			_, err := e.p.TakeSnapshot(ctx, orders, model.SnapshotRequest{Label: "x"})
			return err
		},
		"RestoreBackup": func(ctx context.Context) error { return e.p.RestoreBackup(ctx, orders, auto, orders, true) },
		"DeleteBackup":  func(ctx context.Context) error { return e.p.DeleteBackup(ctx, orders, snap) },
	}
}

func TestErrorsOnEveryEndpoint(t *testing.T) {
	ctx := context.Background()
	t.Run("401", func(t *testing.T) {
		e := setup(t, nil, simlinode.Options{Token: "the-right-one"}, Config{})
		for name, call := range calls(e) {
			err := call(ctx)
			if ce := wantKind(t, err, client.ErrAuth); ce.Status != 401 || !strings.Contains(err.Error(), "Invalid Token") {
				t.Errorf("%s: %v", name, err)
			}
		}
		if e.s.Mutations() != 0 {
			t.Error("a mutation passed auth")
		}
	})
	t.Run("404", func(t *testing.T) {
		e := setup(t, nil, simlinode.Options{}, Config{})
		delete(e.dbs, "orders-mysql")
		e.dbs["orders-mysql"] = simlinode.Database{ID: 1, Engine: "mysql", Backups: []*simlinode.DBBackup{{ID: 2, Type: "snapshot"}, {ID: 3, Type: "auto"}}}
		for name, call := range calls(e) {
			if name == "ListResources" {
				continue
			}
			err := call(ctx)
			if ce := wantKind(t, err, client.ErrNotFound); ce.Status != 404 {
				t.Errorf("%s: %v", name, err)
			}
		}
	})
	t.Run("429", func(t *testing.T) {
		// The simulator's own limit: one request a minute, then 429 with
		// Retry-After and the X-RateLimit headers; no retries here.
		e := setup(t, nil, simlinode.Options{Options: sim.Options{RateLimit: 1}}, Config{Transport: client.Transport{Retries: -1}, NoPacing: true})
		if _, err := e.p.GetResource(ctx, e.id("orders-mysql")); err == nil {
			t.Fatal("two requests within the limit of one")
		}
		for name, call := range calls(e) {
			err := call(ctx)
			if ce := wantKind(t, err, client.ErrRateLimited); ce.Status != 429 || ce.RetryAfter != time.Minute ||
				!strings.Contains(err.Error(), "Too many requests") {
				t.Errorf("%s: %+v %v", name, ce, err)
			}
		}
		if e.s.Mutations() != 0 {
			t.Error("a mutation passed the limit")
		}
		// Paced, the call after a 429 is refused here, without a request.
		paced := setup(t, nil, simlinode.Options{Options: sim.Options{RateLimit: 1}}, Config{Transport: client.Transport{Retries: -1}})
		_, _ = paced.p.GetResource(ctx, paced.id("orders-mysql"))
		before := paced.s.Requests()
		err := calls(paced)["ListBackups"](ctx)
		if ce := wantKind(t, err, client.ErrRateLimited); ce.Status != 0 || ce.RetryAfter <= 0 || paced.s.Requests() != before {
			t.Errorf("paced: %+v, %d requests sent", ce, paced.s.Requests()-before)
		}
		// The headers the client sees.
		req, _ := http.NewRequest("GET", e.url+"/v4/databases/instances", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" || resp.Header.Get("X-RateLimit-Limit") != "1" ||
			resp.Header.Get("X-RateLimit-Remaining") != "0" || resp.Header.Get("X-RateLimit-Reset") == "" {
			t.Errorf("429 headers: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		e := setup(t, nil, simlinode.Options{}, Config{})
		for name, call := range calls(e) {
			e.s.FailNext(1, 200, `{"data": [{"id": 1,`)
			wantKind(t, call(ctx), client.ErrMalformed)
			e.s.FailNext(1, 200, `<html>ok</html>`)
			if err := call(ctx); client.KindOf(err) != client.ErrMalformed {
				t.Errorf("%s, HTML: %v", name, err)
			}
		}
		// Valid JSON without what every reply has.
		e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultMissing}})
		_, err := e.p.ListResources(ctx, 1, client.Filter{})
		wantKind(t, err, client.ErrMalformed)
		e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultWrongTypes}})
		_, err = e.p.ListBackups(ctx, e.id("orders-mysql"))
		wantKind(t, err, client.ErrMalformed)
		if e.s.Mutations() != 0 {
			t.Errorf("mutations = %d", e.s.Mutations())
		}
	})
	t.Run("timeout", func(t *testing.T) {
		e := setup(t, nil, simlinode.Options{}, Config{Transport: client.Transport{Timeout: 100 * time.Millisecond, Retries: -1}})
		for name, call := range calls(e) {
			e.s.HangNext(1)
			start := time.Now()
			err := call(ctx)
			if wantKind(t, err, client.ErrTimeout); time.Since(start) > 2*time.Second {
				t.Errorf("%s took %s", name, time.Since(start))
			}
		}
	})
	t.Run("retried reads", func(t *testing.T) {
		e := setup(t, nil, simlinode.Options{}, Config{})
		e.s.FailNext(2, 503, `{"errors":[{"reason":"busy"}]}`)
		if _, err := e.p.ListBackups(ctx, e.id("orders-mysql")); err != nil {
			t.Fatal(err)
		}
		if n := e.s.Requests(); n != 4 {
			t.Fatalf("requests = %d, want 2 failures + 2 reads", n)
		}
	})
}

func TestMutationsSentOnce(t *testing.T) {
	ctx := context.Background()
	lost := sim.Faults{Next: []sim.Fault{sim.FaultLost500}, Match: func(r *http.Request) bool { return r.Method != http.MethodGet }}
	for _, name := range []string{"TakeSnapshot", "RestoreBackup", "DeleteBackup"} {
		t.Run(name, func(t *testing.T) {
			e := setup(t, nil, simlinode.Options{}, Config{})
			e.s.SetFaults(lost)
			err := calls(e)[name](ctx)
			wantKind(t, err, client.ErrServer)
			if !client.Uncertain(err) {
				t.Fatalf("not uncertain: %v", err)
			}
			if n := e.s.Mutations(); n != 1 {
				t.Fatalf("mutations = %d, want exactly 1", n)
			}
			// It happened all the same.
			r, err := e.p.GetResource(ctx, e.id("orders-mysql"))
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"TakeSnapshot": "backing_up", "RestoreBackup": "restoring", "DeleteBackup": "active"}[name]
			if r.Status != want {
				t.Fatalf("status %s, want %s", r.Status, want)
			}
		})
	}
	// A reply lost with the connection is not resent either.
	e := setup(t, nil, simlinode.Options{}, Config{})
	e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultLostReset}, Match: lost.Match})
	err := e.p.RestoreBackup(ctx, e.id("orders-mysql"), strconv.Itoa(e.dbs["orders-mysql"].Backups[0].ID), e.id("orders-mysql"), true)
	if !client.Uncertain(err) || e.s.Mutations() != 1 {
		t.Fatalf("reset: %v, mutations %d", err, e.s.Mutations())
	}
}

func TestInProcessDemo(t *testing.T) {
	s := simlinode.New(simlinode.Demo(now), simlinode.Options{Options: sim.Options{Now: func() time.Time { return now }}})
	p, err := New(Config{Transport: client.Transport{HTTPClient: sim.InProcess(s)}, Token: simlinode.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil || len(rp.Items) != simlinode.DemoDatabases {
		t.Fatalf("demo: %d %v", len(rp.Items), err)
	}
}

// lagging hides the cluster's backing_up status from reads, as a real API
// may for a moment after accepting a snapshot.
type lagging struct {
	rt   http.RoundTripper
	hide atomic.Bool
}

func (l *lagging) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.rt.RoundTrip(r)
	if err != nil || r.Method != http.MethodGet || !l.hide.Load() {
		return resp, err
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	body = bytes.ReplaceAll(body, []byte(`"status":"backing_up"`), []byte(`"status":"active"`))
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// TestSnapshotKeptInViewUntilListed: a snapshot just sent stays in the list
// (as requested) while the cluster does not show it yet, so whoever follows
// it does not take it for vanished; once listed it is the current one.
func TestSnapshotKeptInViewUntilListed(t *testing.T) {
	lag := &lagging{rt: http.DefaultTransport}
	e := setup(t, nil, simlinode.Options{}, Config{Transport: client.Transport{HTTPClient: &http.Client{Transport: lag}}})
	ctx := context.Background()
	id := e.id("orders-mysql")
	if _, err := e.p.TakeSnapshot(ctx, id, model.SnapshotRequest{Label: "lagged"}); err != nil {
		t.Fatal(err)
	}
	lag.hide.Store(true)
	bs, err := e.p.ListBackups(ctx, id)
	if err != nil || bs[0].Label != "lagged" || bs[0].Status != model.StatusPending || bs[0].RawStatus != "requested" {
		t.Fatalf("while the cluster lags: %+v %v", bs[0], err)
	}
	e.clk.Set(7 * time.Second)
	bs, _ = e.p.ListBackups(ctx, id)
	if st := model.Summarise(bs); st.InProgress != nil || st.Current == nil || st.Current.Label != "lagged" {
		t.Fatalf("once listed: %+v", st)
	}
	bs, _ = e.p.ListBackups(ctx, id)
	for _, b := range bs {
		if b.RawStatus == "requested" {
			t.Fatalf("still shown as requested after it was listed: %+v", b)
		}
	}
}
