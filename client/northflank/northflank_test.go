package northflank

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simnf "github.com/snapdeck/snapdeck/sim/northflank"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const token = "nf-s3cr3t-test-token"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	s   *simnf.Server
	p   *Provider
	clk *clock
	url string
}

func setup(t testing.TB, f *simnf.Fleet, o simnf.Options, c Config) env {
	t.Helper()
	clk := &clock{t: now}
	if o.Token == "" {
		o.Token = token
	}
	if o.Now == nil {
		o.Now = clk.Now
	}
	if f == nil {
		f = simnf.Demo(now)
	}
	s := simnf.New(f, o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	if c.Token == "" {
		c.Token = token
	}
	c.BaseURL = srv.URL
	if c.RetryWait == 0 {
		c.RetryWait = 5 * time.Millisecond
	}
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return env{s, p, clk, srv.URL}
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

const (
	ordersID = "payments-platform/orders-db"
	ledgerID = "payments-platform/ledger"
)

func find(rs []model.Resource, id string) model.Resource {
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	return model.Resource{}
}

func TestInfo(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	i := e.p.Info()
	if e.p.Name() != "northflank" || i.Name != "northflank" || i.Title != "Northflank" || i.Kind != model.KindAddon ||
		i.GroupTitle != "PROJECT" || i.BackupNoun != "backup" || !i.Destinations || len(i.BackupTypes) != 2 || len(i.Compressions) != 2 {
		t.Fatalf("info: %+v", i)
	}
	want := model.CapSnapshot | model.CapRestore | model.CapDeleteBackup | model.CapAbortBackup | model.CapRestoreHistory
	if i.Caps != want {
		t.Fatalf("caps %b, want %b", i.Caps, want)
	}
	if i.ValidateName("x") == nil || i.ValidateName("nightly") != nil {
		t.Fatal("ValidateName")
	}
	// What the caps leave out answers ErrUnsupported.
	wantKind(t, e.p.EnableBackups(context.Background(), ordersID), client.ErrUnsupported)
	if _, err := New(Config{Transport: client.Transport{BaseURL: "api.northflank.com"}, Token: "x"}); err == nil {
		t.Fatal("a BaseURL without a scheme was accepted")
	}
	if p, err := New(Config{Token: "x"}); err != nil || p == nil {
		t.Fatalf("default BaseURL: %v", err)
	}
}

func TestListResources(t *testing.T) {
	f := simnf.Demo(now)
	e := setup(t, f, simnf.Options{}, Config{})
	rp, err := e.p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Items) != 12 || rp.Page != 1 || rp.Pages != 1 || rp.Total != 12 {
		t.Fatalf("page: %d items, %d/%d, total %d", len(rp.Items), rp.Page, rp.Pages, rp.Total)
	}
	a := f.Projects[0].Addons[0]
	r := find(rp.Items, ordersID)
	if r.Provider != "northflank" || r.Kind != model.KindAddon || r.Label != "orders-db" || r.Region != "Payments Platform" ||
		r.Status != "running" || r.Plan != "postgresql 16.4" || !r.Created.Equal(a.Created) || r.DiskMB != a.StorageMB ||
		!r.BackupsEnabled || len(r.Tags) != 2 || r.Tags[0] != "prod" {
		t.Fatalf("orders-db: %+v", r)
	}
	// The in-progress dump does not count; the newest completed one does.
	if !r.LastSuccessful.Equal(a.LastCompleted()) || r.BackupStale(now) || now.Sub(r.LastSuccessful) > 4*time.Hour {
		t.Fatalf("orders-db last successful: %v", r.LastSuccessful)
	}
	if c := find(rp.Items, "web-storefront/catalog-mongo"); !c.BackupStale(now) || c.LastSuccessful.IsZero() {
		t.Fatalf("catalog should be stale, not empty: %v", c.LastSuccessful)
	}
	if c := find(rp.Items, "web-storefront/cart"); !c.LastSuccessful.IsZero() {
		t.Fatalf("cart has no backups: %v", c.LastSuccessful)
	}
	if c := find(rp.Items, "internal-tools/artifacts"); c.Status != "restore" {
		t.Fatalf("artifacts: %q", c.Status)
	}
	if c := find(rp.Items, "payments-platform/session-cache"); c.Plan != "redis 7.2.5" {
		t.Fatalf("session-cache plan: %q", c.Plan)
	}
	// Pages past the first hold the same: the API pages by cursor.
	rp2, err := e.p.ListResources(context.Background(), 3, client.Filter{})
	if err != nil || rp2.Page != 1 || len(rp2.Items) != 12 {
		t.Fatalf("page 3: %+v %v", rp2.Page, err)
	}
}

func TestListResourcesFilters(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ctx := context.Background()
	read := map[string]bool{} // addons whose own read the provider has kept
	for _, tc := range []struct {
		f    client.Filter
		want []string
	}{
		{client.Filter{Label: "LEDGER"}, []string{"ledger"}},
		{client.Filter{Region: "storefront"}, []string{"catalog-mongo", "wp", "cart"}},
		{client.Filter{Tag: "pci"}, []string{"ledger"}},
		{client.Filter{Tag: "cache", Region: "payments"}, []string{"session-cache"}},
		{client.Filter{Label: "no-such"}, nil},
	} {
		before := e.s.Requests()
		rp, err := e.p.ListResources(ctx, 1, tc.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		want := int64(5) // the projects, and each of the 4 projects' addons
		for _, r := range rp.Items {
			got = append(got, r.Label)
			want++ // its newest backups
			if !read[r.ID] {
				want++ // its own read, once: the ledger comes twice
			}
			read[r.ID] = true
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") || rp.Total != len(tc.want) {
			t.Fatalf("%+v: %v", tc.f, got)
		}
		// Filtered-out addons cost no reads of their own.
		if n := e.s.Requests() - before; n != want {
			t.Fatalf("%+v: %d requests, want %d", tc.f, n, want)
		}
	}
}

func TestCursorPaging(t *testing.T) {
	// 260 addons: 150 in one project, 110 in the next, so both addon lists
	// span two pages of 100.
	e := setup(t, simnf.Seed(3, 260, now), simnf.Options{}, Config{Parallel: 8})
	rp, err := e.p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rp.Items {
		if seen[r.ID] {
			t.Fatalf("duplicate %s", r.ID)
		}
		seen[r.ID] = true
	}
	if len(seen) != 260 || rp.Total != 260 || e.s.RequestsTo("/v1/projects/project-001/addons") < 2 {
		t.Fatalf("%d addons, total %d", len(seen), rp.Total)
	}

	// The warehouse's 168 backups come in two pages.
	e = setup(t, nil, simnf.Options{}, Config{})
	before := e.s.Requests()
	bs, err := e.p.ListBackups(context.Background(), "data-warehouse-etl/analytics-warehouse-primary-eu-replica")
	if err != nil || len(bs) != 168 || e.s.Requests()-before != 2 {
		t.Fatalf("%d backups, %d requests, %v", len(bs), e.s.Requests()-before, err)
	}
	for i := 1; i < len(bs); i++ {
		if bs[i].Created.After(bs[i-1].Created) {
			t.Fatalf("not newest first at %d", i)
		}
		if bs[i].Kind != model.BackupAutomatic || bs[i].Slot != model.SlotNone {
			t.Fatalf("scheduled backup %d: %v %q", i, bs[i].Kind, bs[i].Slot)
		}
	}
}

func TestListBackups(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ctx := context.Background()
	bs, err := e.p.ListBackups(ctx, ordersID)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 7 {
		t.Fatalf("%d backups", len(bs))
	}
	st := model.Summarise(bs)
	if st.Current == nil || st.Current.ID != "pre-migration-2026-11" || st.InProgress != nil {
		t.Fatalf("summary: %+v", st)
	}
	var pre, snap model.Backup
	for _, b := range bs {
		switch b.ID {
		case "pre-migration-2026-11":
			pre = b
		case "before-index-rebuild":
			snap = b
		}
		if b.ResourceID != ordersID {
			t.Fatalf("resource ID %q", b.ResourceID)
		}
	}
	if pre.Kind != model.BackupSnapshot || pre.Type != "dump" || pre.Status != model.StatusSuccessful || pre.RawStatus != "completed" ||
		!pre.Available || pre.SizeBytes <= 0 || pre.Duration() != 7*time.Minute || pre.Label != "pre-migration 2026-11" {
		t.Fatalf("pre-migration: %+v", pre)
	}
	if pre.LastRestore == nil || pre.LastRestore.Status != model.StatusSuccessful || pre.LastRestore.Finished.IsZero() {
		t.Fatalf("last restore: %+v", pre.LastRestore)
	}
	fields := map[string]string{}
	var order []string
	for _, f := range pre.Fields {
		fields[f.Name] = f.Value
		order = append(order, f.Name)
	}
	if fields["Type"] != "dump" || fields["Compression"] != "zstd" || fields["Source"] != "live instance" ||
		!strings.HasSuffix(fields["Size"], "iB") || fields["Addon version"] != "16.4" || fields["Last restore"] != "completed" ||
		fields["Created"] != pre.Created.UTC().Format(time.RFC3339) || fields["UID"] == "" || order[0] != "Type" {
		t.Fatalf("fields: %v", pre.Fields)
	}
	if snap.Type != "snapshot" || snap.Slot != model.SlotNone {
		t.Fatalf("snapshot: %+v", snap)
	}
	for _, f := range snap.Fields {
		if f.Name == "Destinations" && f.Value != "offsite-s3 (kept 30 days)" {
			t.Fatalf("destinations: %q", f.Value)
		}
	}

	bs, err = e.p.ListBackups(ctx, ledgerID)
	if err != nil {
		t.Fatal(err)
	}
	st = model.Summarise(bs)
	if st.InProgress == nil || st.InProgress.ID != "quarter-close-dump" || st.InProgress.Status != model.StatusRunning || st.Current != nil {
		t.Fatalf("ledger: %+v", st)
	}
	bs, _ = e.p.ListBackups(ctx, "payments-platform/session-cache")
	if bs[len(bs)-1].RawStatus != "not-supported" || bs[len(bs)-1].Status != model.StatusFailed {
		t.Fatalf("not-supported: %+v", bs[len(bs)-1])
	}
	bs, err = e.p.ListBackups(ctx, "web-storefront/cart")
	if err != nil || len(bs) != 0 {
		t.Fatalf("cart: %v %v", bs, err)
	}
}

func TestGetBackup(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ctx := context.Background()
	list, _ := e.p.ListBackups(ctx, ordersID)
	for _, want := range list[:3] {
		got, err := e.p.GetBackup(ctx, ordersID, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.Slot != want.Slot || got.RawStatus != want.RawStatus || !got.Created.Equal(want.Created) ||
			got.SizeBytes != want.SizeBytes || len(got.Fields) != len(want.Fields) {
			t.Fatalf("get %s:\n%+v\nlist:\n%+v", want.ID, got, want)
		}
	}
	b, err := e.p.GetBackup(ctx, ledgerID, "quarter-close-dump")
	if err != nil || b.Slot != model.SlotInProgress || b.Status != model.StatusRunning || b.Available {
		t.Fatalf("running: %+v %v", b, err)
	}
	wantKind(t, func() error { _, err := e.p.GetBackup(ctx, ordersID, "nope"); return err }(), client.ErrNotFound)
}

func TestGetResourceAndRestores(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ctx := context.Background()
	r, err := e.p.GetResource(ctx, ordersID)
	if err != nil || r.ID != ordersID || r.Region != "Payments Platform" || r.Plan != "postgresql 16.4" || r.LastSuccessful.IsZero() {
		t.Fatalf("get: %+v %v", r, err)
	}
	rs, err := e.p.Restores(ctx, ordersID)
	if err != nil || len(rs) != 1 || rs[0].BackupID != "pre-migration-2026-11" || rs[0].BackupName != "pre-migration 2026-11" ||
		rs[0].Status != model.StatusSuccessful || rs[0].Finished.Sub(rs[0].Started) != 11*time.Minute {
		t.Fatalf("restores: %+v %v", rs, err)
	}
	rs, err = e.p.Restores(ctx, "internal-tools/artifacts")
	if err != nil || len(rs) != 1 || rs[0].RawStatus != "in-progress" || rs[0].Status != model.StatusRunning || !rs[0].Finished.IsZero() {
		t.Fatalf("running restore: %+v %v", rs, err)
	}
	rs, err = e.p.Restores(ctx, "web-storefront/cart")
	if err != nil || rs == nil || len(rs) != 0 {
		t.Fatalf("no restores: %v %v", rs, err)
	}
}

func TestBadIDs(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ctx := context.Background()
	for _, id := range []string{"", "orders-db", "/orders-db", "payments-platform/", "a/b/c"} {
		_, err := e.p.ListBackups(ctx, id)
		wantKind(t, err, client.ErrInvalid)
	}
	_, err := e.p.GetBackup(ctx, ordersID, "")
	wantKind(t, err, client.ErrInvalid)
	wantKind(t, e.p.DeleteBackup(ctx, ordersID, "a/b"), client.ErrInvalid)
	if e.s.Requests() != 0 {
		t.Fatalf("%d requests for bad IDs", e.s.Requests())
	}
}

func TestRetriesReads(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	e.s.FailNext(2, 503, `{"error":{"status":503,"message":"Service unavailable"}}`)
	if _, err := e.p.ListBackups(context.Background(), ordersID); err != nil {
		t.Fatal(err)
	}
	if n := e.s.Requests(); n != 3 {
		t.Fatalf("%d requests", n)
	}
}

func TestInProcess(t *testing.T) {
	s := simnf.New(simnf.Demo(now), simnf.Options{})
	p, err := New(Config{Transport: client.Transport{BaseURL: "http://northflank.sim", HTTPClient: sim.InProcess(s)}, Token: simnf.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil || len(rp.Items) != 12 {
		t.Fatalf("%d %v", len(rp.Items), err)
	}
}

func TestReasons(t *testing.T) {
	for _, tc := range []struct {
		body string
		want string
	}{
		{`{"error":{"status":409,"message":"Backup is busy"}}`, "Backup is busy"},
		{`{"error":{"status":400,"message":"Validation failed","details":{"b":["two"],"a":["one","uno"]}}}`, "[a] one|[a] uno|[b] two"},
		{`{"error":{"status":400,"message":"Validation failed","details":{"name":"too short"}}}`, "[name] too short"},
		{`{"error":{"status":400,"message":"Validation failed","details":[{"path":"name","message":"too short"},{"message":"bad"}]}}`, "[name] too short|bad"},
		{`{"error":{"status":400,"message":"Validation failed","details":{}}}`, "Validation failed"},
		{`{"message":"not ours"}`, ""},
		{`<html>`, ""},
	} {
		if got := strings.Join(reasons(400, []byte(tc.body)), "|"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestSizeField: the detail's Size is written as every size is
// (format.Size, binary units), and a size of 0 or below is unknown, not
// "0 B".
func TestSizeField(t *testing.T) {
	for size, want := range map[string]string{"0": "—", "-5": "—", "1023": "1023 B", "3870000000": "3.6 GiB", "5497558138880": "5 TiB"} {
		b := &backupJSON{ID: "b", Name: "n", Status: "completed"}
		b.Config.Size = size
		m, err := toBackup("r", b)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		for _, f := range m.Fields {
			if f.Name == "Size" {
				got = f.Value
			}
		}
		if got != want {
			t.Errorf("size %s: Size field %q, want %q", size, got, want)
		}
	}
}
