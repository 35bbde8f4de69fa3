package civo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const token = "s3cr3t-civo-key"

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	s     *simcivo.Server
	p     *Provider
	clock *clock
	f     *simcivo.Fleet
	url   string
}

// setup serves f (the demo when nil) on a real socket, on a fake clock.
func setup(t testing.TB, f *simcivo.Fleet, o simcivo.Options, c Config) env {
	t.Helper()
	if f == nil {
		f = simcivo.Demo(now)
	}
	ck := &clock{t: now}
	if o.Token == "" {
		o.Token = token
	}
	if o.Now == nil {
		o.Now = ck.Now
	}
	s := simcivo.New(f, o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	if c.Token == "" {
		c.Token = token
	}
	c.BaseURL = srv.URL
	if c.RetryWait == 0 {
		c.RetryWait = 10 * time.Millisecond
	}
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return env{s: s, p: p, clock: ck, f: f, url: srv.URL}
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

var ctx = context.Background()

func TestNew(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("no token accepted")
	}
	if _, err := New(Config{Transport: client.Transport{BaseURL: "api.civo.com"}, Token: "x"}); err == nil {
		t.Fatal("schemeless URL accepted")
	}
	p, err := New(Config{Token: "x"})
	if err != nil || p.Name() != "civo" || p.Info().Title != "Civo" {
		t.Fatal(p, err)
	}
	in := p.Info()
	if in.Caps != model.CapSnapshot|model.CapDeleteBackup || !in.SafeOption || in.GroupTitle != "REGION" ||
		in.BackupNoun != "snapshot" || in.ValidateName == nil || in.ValidateName("ok-name") != nil || in.ValidateName("no way") == nil {
		t.Fatalf("info: %+v", in)
	}
}

func TestListResources(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	rp, err := e.p.ListResources(ctx, 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if rp.Page != 1 || rp.Pages != 1 || rp.Total != 12 || len(rp.Items) != 12 {
		t.Fatalf("page: %d/%d total %d len %d", rp.Page, rp.Pages, rp.Total, len(rp.Items))
	}
	if n := e.s.Requests(); n != 2 {
		t.Fatalf("requests = %d, want 2 (instances, snapshots)", n)
	}
	api := rp.Items[0]
	src := e.f.Instances[0]
	if api.ID != src.ID || api.Provider != "civo" || api.Kind != model.KindInstance || api.Label != "api-gateway" ||
		api.Region != "LON1" || api.Status != "ACTIVE" || api.Plan != "g3.medium" || api.DiskMB != 50*1024 ||
		!api.BackupsEnabled || !api.Created.Equal(src.CreatedAt) || strings.Join(api.Tags, ",") != "prod,web" {
		t.Fatalf("api-gateway: %+v", api)
	}
	if want := now.Add(-5*time.Hour + 9*time.Minute); !api.LastSuccessful.Equal(want) {
		t.Fatalf("last successful %s, want %s", api.LastSuccessful, want)
	}
	byLabel := map[string]model.Resource{}
	for _, r := range rp.Items {
		byLabel[r.Label] = r
	}
	for label, stale := range map[string]bool{
		"api-gateway": false, "db-primary.lon1.internal": false, "redis-cache-01": false, "ci": false,
		"k3s-worker-3": true, "legacy-crm": true, "mail": true, "vpn": true,
	} {
		if got := byLabel[label].BackupStale(now); got != stale {
			t.Errorf("%s: stale = %v", label, got)
		}
	}
	if db := byLabel["db-primary.lon1.internal"]; db.Status != "SHUTOFF" || !db.LastSuccessful.Equal(now.Add(-30*time.Hour+22*time.Minute)) {
		t.Fatalf("db: %+v", db)
	}
}

func TestPagination(t *testing.T) {
	e := setup(t, simcivo.Seed(2, 250, now), simcivo.Options{}, Config{})
	seen := map[string]bool{}
	for page, want := range []int{0, 100, 100, 50} {
		if page == 0 {
			continue
		}
		rp, err := e.p.ListResources(ctx, page, client.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		total := 300
		if page == 3 {
			total = 250
		}
		if rp.Page != page || rp.Pages != 3 || len(rp.Items) != want || rp.Total != total {
			t.Fatalf("page %d: %d/%d len %d total %d", page, rp.Page, rp.Pages, len(rp.Items), rp.Total)
		}
		for _, r := range rp.Items {
			if seen[r.ID] {
				t.Fatalf("duplicate %s", r.ID)
			}
			seen[r.ID] = true
		}
	}
	if len(seen) != 250 {
		t.Fatalf("saw %d", len(seen))
	}
	if n := e.s.RequestsTo("/v2/instances"); n != 3 {
		t.Fatalf("instance requests = %d", n)
	}
	// Past the end: the last page.
	rp, err := e.p.ListResources(ctx, 9, client.Filter{})
	if err != nil || rp.Page != 3 || len(rp.Items) != 50 {
		t.Fatalf("past the end: %d %d %v", rp.Page, len(rp.Items), err)
	}
}

func TestFilters(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	rp, err := e.p.ListResources(ctx, 1, client.Filter{Label: "CACHE"})
	if err != nil || len(rp.Items) != 1 || rp.Items[0].Label != "redis-cache-01" || rp.Total != 1 || rp.Pages != 1 {
		t.Fatalf("label: %+v %v", rp, err)
	}
	if rp.Items[0].LastSuccessful.IsZero() {
		t.Fatal("filtered rows lost their last snapshot")
	}
	rp, _ = e.p.ListResources(ctx, 1, client.Filter{Region: "fra"})
	if len(rp.Items) != 3 {
		t.Fatalf("region: %d", len(rp.Items))
	}
	rp, _ = e.p.ListResources(ctx, 1, client.Filter{Tag: "prod", Region: "LON1"})
	if len(rp.Items) != 3 {
		t.Fatalf("tag+region: %+v", rp.Items)
	}
	rp, err = e.p.ListResources(ctx, 1, client.Filter{Label: "no-such"})
	if err != nil || len(rp.Items) != 0 || rp.Items == nil || rp.Pages != 1 || rp.Total != 0 {
		t.Fatalf("empty: %+v %v", rp, err)
	}

	// A filter reads every page.
	e = setup(t, simcivo.Seed(2, 250, now), simcivo.Options{}, Config{})
	rp, err = e.p.ListResources(ctx, 1, client.Filter{Tag: "staging"})
	if err != nil || rp.Pages != 1 || len(rp.Items) == 0 {
		t.Fatalf("seeded: %+v %v", rp, err)
	}
	if n := e.s.RequestsTo("/v2/instances"); n != 3 {
		t.Fatalf("instance requests = %d", n)
	}
}

func TestRegionConfig(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{Region: "NYC1"})
	rp, err := e.p.ListResources(ctx, 1, client.Filter{})
	if err != nil || rp.Total != 3 {
		t.Fatalf("%+v %v", rp, err)
	}
	for _, r := range rp.Items {
		if r.Region != "NYC1" {
			t.Fatalf("leak: %+v", r)
		}
	}
	// An instance of another region is not found there.
	_, err = e.p.GetResource(ctx, e.f.Instances[0].ID)
	wantKind(t, err, client.ErrNotFound)
	bs, err := e.p.ListBackups(ctx, e.f.Instances[0].ID)
	if err != nil || len(bs) != 0 {
		t.Fatalf("other region's snapshots: %+v %v", bs, err)
	}
}

func TestAuth(t *testing.T) {
	e := setup(t, nil, simcivo.Options{Token: "the-right-one"}, Config{})
	_, err := e.p.ListResources(ctx, 1, client.Filter{})
	x := wantKind(t, err, client.ErrAuth)
	if x.Status != 401 || !strings.Contains(err.Error(), "requires_authentication") {
		t.Fatalf("auth error: %v", err)
	}
	for _, call := range []func() error{
		func() error { _, err := e.p.ListBackups(ctx, "x"); return err },
		func() error { _, err := e.p.GetBackup(ctx, "x", "y"); return err },
		func() error { _, err := e.p.GetResource(ctx, "x"); return err },
	} {
		wantKind(t, call(), client.ErrAuth)
	}
}

func TestNotFound(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	_, err := e.p.GetResource(ctx, "8c2b5f0e-0000-4000-8000-000000000000")
	x := wantKind(t, err, client.ErrNotFound)
	if x.Status != 404 || !strings.Contains(err.Error(), "Failed to find the instance") {
		t.Fatalf("404: %v", err)
	}
	before := e.s.Requests()
	for _, id := range []string{"", "a/b", "../instances", "x?y", "has space"} {
		_, err = e.p.GetResource(ctx, id)
		wantKind(t, err, client.ErrNotFound)
		_, err = e.p.ListBackups(ctx, id)
		wantKind(t, err, client.ErrNotFound)
	}
	if e.s.Requests() != before {
		t.Fatal("impossible IDs reached the API")
	}
	// A snapshot of another instance is not this one's.
	_, err = e.p.GetBackup(ctx, e.f.Instances[2].ID, "mail-2026")
	wantKind(t, err, client.ErrNotFound)
	_, err = e.p.GetBackup(ctx, e.f.Instances[6].ID, "nope")
	if wantKind(t, err, client.ErrNotFound); !strings.Contains(err.Error(), `no snapshot named "nope"`) {
		t.Fatalf("message: %v", err)
	}
	// A 404 on the list itself.
	e.s.FailNext(1, 404, `{"code":"not_found","reason":"Not found"}`)
	_, err = e.p.ListBackups(ctx, e.f.Instances[6].ID)
	wantKind(t, err, client.ErrNotFound)
}

func TestListBackups(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	db := e.f.Instances[1].ID
	bs, err := e.p.ListBackups(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 2 {
		t.Fatalf("db: %d", len(bs))
	}
	run, old := bs[0], bs[1]
	if run.ID != "db-nightly-safe" || run.Label != "db-nightly-safe" || run.ResourceID != db || run.Kind != model.BackupSnapshot ||
		run.Slot != model.SlotInProgress || run.Status != model.StatusRunning || run.RawStatus != "in-progress" ||
		!run.Finished.IsZero() || run.Available || !run.Created.Equal(now.Add(-3*time.Minute)) || run.SizeBytes == 0 {
		t.Fatalf("running: %+v", run)
	}
	if old.Slot != model.SlotCurrent || old.Status != model.StatusSuccessful || !old.Available || old.Duration() != 22*time.Minute ||
		old.Type != "one-off" {
		t.Fatalf("old: %+v", old)
	}
	st := model.Summarise(bs)
	if st.Current == nil || st.Current.ID != "db-before-migration" || st.InProgress == nil || st.InProgress.ID != "db-nightly-safe" {
		t.Fatalf("summary: %+v", st)
	}

	bs, _ = e.p.ListBackups(ctx, e.f.Instances[0].ID)
	if len(bs) != 2 || bs[0].ID != "api-gateway-pre-release" || bs[0].Slot != model.SlotCurrent ||
		bs[1].Kind != model.BackupAutomatic || bs[1].Slot != model.SlotNone || bs[1].Type != "scheduled" {
		t.Fatalf("api-gateway: %+v", bs)
	}
	bs, _ = e.p.ListBackups(ctx, e.f.Instances[4].ID)
	if len(bs) != 2 || bs[0].Status != model.StatusFailed || bs[0].Slot != model.SlotNone || bs[1].Slot != model.SlotCurrent {
		t.Fatalf("ci: %+v", bs)
	}
	bs, _ = e.p.ListBackups(ctx, e.f.Instances[5].ID)
	if len(bs) != 2 || bs[0].Status != model.StatusPending || bs[0].RawStatus != "new" || bs[0].Slot != model.SlotInProgress || bs[0].SizeBytes != 0 {
		t.Fatalf("analytics: %+v", bs)
	}
	bs, err = e.p.ListBackups(ctx, e.f.Instances[2].ID)
	if err != nil || bs == nil || len(bs) != 0 {
		t.Fatalf("k3s: %+v %v", bs, err)
	}
	bs, _ = e.p.ListBackups(ctx, e.f.Instances[10].ID)
	if len(bs) != 2 || bs[0].ID != "jenkins-agent-plugins" || bs[0].Slot != model.SlotCurrent || bs[1].Slot != model.SlotNone {
		t.Fatalf("jenkins: %+v", bs)
	}
}

func TestGetBackupFields(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	db := e.f.Instances[1]
	b, err := e.p.GetBackup(ctx, db.ID, "db-before-migration")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	vals := map[string]string{}
	for _, f := range b.Fields {
		names = append(names, f.Name)
		vals[f.Name] = f.Value
	}
	want := "Instance ID,Hostname,Safe,Requested at,Completed at,Size,Cron timing,Region,Template ID,Snapshot ID"
	if strings.Join(names, ",") != want {
		t.Fatalf("fields: %v", names)
	}
	if vals["Instance ID"] != db.ID || !strings.HasPrefix(vals["Safe"], "yes") || vals["Requested at"] != "2026-11-19T06:00:00Z" ||
		vals["Completed at"] != "2026-11-19T06:22:00Z" || !strings.HasSuffix(vals["Size"], " GiB") || vals["Region"] != "LON1" ||
		vals["Cron timing"] != "none (one-off)" {
		t.Fatalf("values: %v", vals)
	}
	if b.SizeBytes <= 0 || b.Size() != b.SizeBytes || b.Slot != model.SlotCurrent {
		t.Fatalf("backup: %+v", b)
	}
	run, _ := e.p.GetBackup(ctx, db.ID, "db-nightly-safe")
	for _, f := range run.Fields {
		if f.Name == "Completed at" && f.Value != "—" {
			t.Fatalf("running completed at %q", f.Value)
		}
	}
}

func TestRateLimited(t *testing.T) {
	body := `{"code":"too_many_requests","reason":"Too many requests"}`
	e := setup(t, nil, simcivo.Options{}, Config{})
	e.s.FailNext(1, http.StatusTooManyRequests, body)
	start := time.Now()
	if _, err := e.p.ListBackups(ctx, e.f.Instances[0].ID); err != nil {
		t.Fatalf("after one 429: %v", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("Retry-After: 1 was not honoured (%s)", d)
	}
	if n := e.s.Requests(); n != 2 {
		t.Fatalf("requests = %d", n)
	}

	// The simulator's own window: a 429 with Retry-After, not retried here.
	e = setup(t, nil, simcivo.Options{Options: sim.Options{RateLimit: 1, RateWindow: time.Minute}}, Config{Transport: client.Transport{Retries: -1}})
	_, err := e.p.ListResources(ctx, 1, client.Filter{})
	x := wantKind(t, err, client.ErrRateLimited)
	if x.Status != 429 || x.RetryAfter != time.Minute || !strings.Contains(err.Error(), "Too many requests") {
		t.Fatalf("429: %+v %v", x, err)
	}
}

func TestMalformed(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	for _, tc := range []struct {
		name, body string
		call       func() error
	}{
		{"cut", `{"page":1,"items":[{"id":`, func() error { _, err := e.p.ListResources(ctx, 1, client.Filter{}); return err }},
		{"no items", `{"page":1,"per_page":100,"pages":1}`, func() error { _, err := e.p.ListResources(ctx, 1, client.Filter{}); return err }},
		{"no id", `{"page":1,"pages":1,"items":[{"hostname":"x"}]}`, func() error { _, err := e.p.ListResources(ctx, 1, client.Filter{}); return err }},
		{"object for array", `{"name":"x"}`, func() error { _, err := e.p.ListBackups(ctx, "x"); return err }},
		{"null list", `null`, func() error { _, err := e.p.ListBackups(ctx, "x"); return err }},
		{"nameless", `[{"instance_id":"x","status":"complete"}]`, func() error { _, err := e.p.ListBackups(ctx, "x"); return err }},
		{"bad safe", `[{"name":"n","instance_id":"x","safe":"maybe"}]`, func() error { _, err := e.p.ListBackups(ctx, "x"); return err }},
		{"html", `<html>captive portal</html>`, func() error { _, err := e.p.GetResource(ctx, "x"); return err }},
	} {
		e.s.FailNext(1, 200, tc.body)
		if err := tc.call(); client.KindOf(err) != client.ErrMalformed {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// An error status whose body has no reasons is still an error.
	e.s.FailNext(1, 400, `{"oops":true}`)
	_, err := e.p.ListResources(ctx, 1, client.Filter{})
	wantKind(t, err, client.ErrInvalid)
}

func TestServerErrors(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{Transport: client.Transport{Retries: 2}})
	html := "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
	e.s.FailNext(3, http.StatusBadGateway, html)
	_, err := e.p.ListResources(ctx, 1, client.Filter{})
	x := wantKind(t, err, client.ErrServer)
	if x.Status != 502 || strings.Contains(err.Error(), "<html>") {
		t.Fatalf("502: %v", err)
	}
	if n := e.s.Requests(); n != 3 {
		t.Fatalf("requests = %d, want 3", n)
	}
	e.s.FailNext(3, 500, `{"status":500,"error":"Internal Server Error"}`)
	_, err = e.p.ListBackups(ctx, "x")
	if x = wantKind(t, err, client.ErrServer); len(x.Reasons) != 1 || x.Reasons[0] != "Internal Server Error" {
		t.Fatalf("reasons: %q", x.Reasons)
	}
	// A retry can succeed.
	e.s.FailNext(1, 503, `{"status":503,"error":"Service Unavailable"}`)
	if _, err := e.p.ListBackups(ctx, "x"); err != nil {
		t.Fatal(err)
	}
}

func TestTimeout(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{Transport: client.Transport{Timeout: 100 * time.Millisecond}})
	e.s.HangNext(1)
	start := time.Now()
	_, err := e.p.ListResources(ctx, 1, client.Filter{})
	wantKind(t, err, client.ErrTimeout)
	if time.Since(start) > 2*time.Second {
		t.Fatal("timeout was not prompt")
	}
	// A caller's deadline is a timeout too.
	e = setup(t, nil, simcivo.Options{Options: sim.Options{Latency: 5 * time.Second}}, Config{})
	c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	_, err = e.p.GetBackup(c, "x", "y")
	wantKind(t, err, client.ErrTimeout)
}

func TestNetwork(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	p, err := New(Config{Transport: client.Transport{BaseURL: url, Retries: -1}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.ListResources(ctx, 1, client.Filter{})
	wantKind(t, err, client.ErrNetwork)
}

func TestTolerantDecoding(t *testing.T) {
	// civogo's shape: "state" instead of "status", safe as 0/1.
	e := setup(t, nil, simcivo.Options{}, Config{})
	e.s.FailNext(1, 200, `[{"name":"n1","instance_id":"x","state":"complete","safe":1,"requested_at":"2026-11-20T10:00:00+00:00",
		"completed_at":"2026-11-20T10:05:00+00:00","size_gb":3},{"name":"n0","instance_id":"x","state":"complete","safe":0,
		"requested_at":"2026-11-19T10:00:00Z","completed_at":null}]`)
	bs, err := e.p.ListBackups(ctx, "x")
	if err != nil || len(bs) != 2 {
		t.Fatalf("%+v %v", bs, err)
	}
	if bs[0].ID != "n1" || bs[0].Status != model.StatusSuccessful || bs[0].SizeBytes != 3<<30 || bs[0].Duration() != 5*time.Minute ||
		bs[0].Slot != model.SlotCurrent || !strings.HasPrefix(bs[0].Fields[1].Value, "yes") {
		t.Fatalf("n1: %+v", bs[0])
	}
	if bs[1].Status != model.StatusSuccessful || bs[1].Slot != model.SlotNone || !strings.HasPrefix(bs[1].Fields[1].Value, "no") {
		t.Fatalf("n0: %+v", bs[1])
	}
}

func TestInProcessDemo(t *testing.T) {
	h := simcivo.New(simcivo.Demo(now), simcivo.Options{Options: sim.Options{Latency: time.Millisecond}})
	p, err := New(Config{Transport: client.Transport{HTTPClient: sim.InProcess(h)}, Token: simcivo.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := p.ListResources(ctx, 1, client.Filter{})
	if err != nil || rp.Total != 12 || rp.Items[0].Label != "api-gateway" {
		t.Fatalf("%+v %v", rp, err)
	}
}
