package linode

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const token = "s3cr3t-test-token"

func setup(t testing.TB, f *simlinode.Fleet, o simlinode.Options, c Config) (*simlinode.Server, *Provider) {
	t.Helper()
	if o.Token == "" {
		o.Token = token
	}
	s := simlinode.New(f, o)
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
	return s, p
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

func TestPagination(t *testing.T) {
	f := simlinode.Seed(5, 1203, now)
	s, p := setup(t, f, simlinode.Options{}, Config{})
	seen := map[string]bool{}
	for page := 1; page <= 3; page++ {
		rp, err := p.ListResources(context.Background(), page, client.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		want := 500
		if page == 3 {
			want = 203
		}
		if rp.Page != page || rp.Pages != 3 || rp.Total != 1203 || len(rp.Items) != want {
			t.Fatalf("page %d: %d/%d total %d len %d", page, rp.Page, rp.Pages, rp.Total, len(rp.Items))
		}
		for _, r := range rp.Items {
			if seen[r.ID] {
				t.Fatalf("duplicate %s", r.ID)
			}
			seen[r.ID] = true
		}
	}
	if len(seen) != 1203 {
		t.Fatalf("saw %d", len(seen))
	}
	// One request per page: linodego must not walk the other pages.
	if n := s.Requests(); n != 3 {
		t.Fatalf("requests = %d", n)
	}
	rp, err := p.ListResources(context.Background(), 7, client.Filter{})
	if err != nil || rp.Page != 3 || len(rp.Items) != 203 {
		t.Fatalf("past the end: %d %d %v", rp.Page, len(rp.Items), err)
	}

	r := f.Instances[0]
	rp, _ = p.ListResources(context.Background(), 1, client.Filter{})
	got := rp.Items[0]
	if got.ID != strconv.Itoa(r.ID) || got.Provider != "linode" || got.Kind != model.KindInstance || got.Label != "web-prod-01" ||
		got.Region != "us-east" || got.Status != "running" || got.Plan != "g6-standard-4" || got.DiskMB != 163840 ||
		!got.BackupsEnabled || !got.LastSuccessful.Equal(r.LastSuccessful()) || got.Schedule != (model.Schedule{Day: "Sunday", Window: "W4"}) ||
		!got.Created.Equal(r.Created) || len(got.Tags) != 2 {
		t.Fatalf("resource: %+v", got)
	}
	if got.BackupStale(now) {
		t.Error("web-prod-01 should not be stale")
	}
}

func TestFilters(t *testing.T) {
	_, p := setup(t, simlinode.Demo(now), simlinode.Options{}, Config{})
	ctx := context.Background()
	rp, err := p.ListResources(ctx, 1, client.Filter{Label: "cache-01"})
	if err != nil || len(rp.Items) != 1 || rp.Items[0].Label != "cache-01" || rp.Total != 1 {
		t.Fatalf("label: %+v %v", rp, err)
	}
	rp, _ = p.ListResources(ctx, 1, client.Filter{Region: "eu-central"})
	if len(rp.Items) < 2 {
		t.Fatalf("region: %d", len(rp.Items))
	}
	for _, r := range rp.Items {
		if r.Region != "eu-central" {
			t.Fatalf("region leak: %+v", r)
		}
	}
	rp, _ = p.ListResources(ctx, 1, client.Filter{Tag: "db", Region: "eu-west"})
	if len(rp.Items) == 0 || rp.Items[0].Label != "db-primary" {
		t.Fatalf("tag+region: %+v", rp.Items)
	}
	for _, r := range rp.Items {
		if !r.Matches("db") {
			t.Fatalf("tag leak: %+v", r)
		}
	}
	rp, err = p.ListResources(ctx, 1, client.Filter{Label: "no-such"})
	if err != nil || len(rp.Items) != 0 || rp.Pages != 1 {
		t.Fatalf("empty: %+v %v", rp, err)
	}
}

func TestAuth(t *testing.T) {
	_, p := setup(t, simlinode.Demo(now), simlinode.Options{Token: "the-right-one"}, Config{})
	_, err := p.ListResources(context.Background(), 1, client.Filter{})
	e := wantKind(t, err, client.ErrAuth)
	if e.Status != 401 || !strings.Contains(err.Error(), "Invalid Token") {
		t.Fatalf("auth error: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	f := simlinode.Demo(now)
	s, p := setup(t, f, simlinode.Options{}, Config{})
	ctx := context.Background()
	_, err := p.ListBackups(ctx, "999")
	if e := wantKind(t, err, client.ErrNotFound); !strings.Contains(err.Error(), "Not found") || e.Status != 404 {
		t.Fatalf("404: %v", err)
	}
	before := s.Requests()
	_, err = p.ListBackups(ctx, "web-prod-01")
	wantKind(t, err, client.ErrNotFound)
	if !strings.Contains(err.Error(), `no Linode with ID "web-prod-01"`) {
		t.Fatalf("message: %v", err)
	}
	_, err = p.GetBackup(ctx, strconv.Itoa(f.Instances[0].ID), "x")
	wantKind(t, err, client.ErrNotFound)
	if s.Requests() != before {
		t.Fatal("non-numeric IDs must not reach the API")
	}
	// A backup of another Linode is not this one's.
	_, err = p.GetBackup(ctx, strconv.Itoa(f.Instances[0].ID), strconv.Itoa(f.Instances[1].Automatic[0].ID))
	wantKind(t, err, client.ErrNotFound)
}

func TestRateLimitThenSuccess(t *testing.T) {
	s, p := setup(t, simlinode.Demo(now), simlinode.Options{}, Config{})
	s.FailNext(1, http.StatusTooManyRequests, `{"errors":[{"reason":"Too many requests"}]}`)
	start := time.Now()
	rp, err := p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil || len(rp.Items) != 40 {
		t.Fatalf("after 429: %v", err)
	}
	if n := s.Requests(); n != 2 {
		t.Fatalf("requests = %d, want 2", n)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Fatalf("Retry-After: 1 was not honoured (%s)", d)
	}
}

func TestRateLimitWindow(t *testing.T) {
	// The sim's own limiter: 1 per 200ms, Retry-After rounds up to 1s.
	for _, tc := range []struct {
		name     string
		noPacing bool
		want     int64 // requests the sim sees for two calls
	}{
		{"paced: waits for the window, no 429", false, 2},
		{"unpaced: a 429, then a retry", true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pc := client.NewPacer()
			s, p := setup(t, simlinode.Demo(now), simlinode.Options{Options: sim.Options{RateLimit: 1, RateWindow: 200 * time.Millisecond}}, Config{Transport: client.Transport{Pacer: pc}, NoPacing: tc.noPacing})
			ctx := context.Background()
			for range 2 {
				if _, err := p.ListResources(ctx, 1, client.Filter{}); err != nil {
					t.Fatal(err)
				}
			}
			if n := s.Requests(); n != tc.want {
				t.Fatalf("requests = %d, want %d", n, tc.want)
			}
			if !tc.noPacing && pc.Waits() == 0 {
				t.Fatal("the pacer never waited")
			}
		})
	}
}

func TestRateLimitedGivesUp(t *testing.T) {
	s, p := setup(t, simlinode.Demo(now), simlinode.Options{}, Config{Transport: client.Transport{Retries: 1}})
	s.FailNext(5, http.StatusTooManyRequests, `{"errors":[{"reason":"Too many requests"}]}`)
	_, err := p.ListResources(context.Background(), 1, client.Filter{})
	e := wantKind(t, err, client.ErrRateLimited)
	if e.RetryAfter != time.Second || !strings.Contains(err.Error(), "Too many requests") {
		t.Fatalf("rate limited: %+v %v", e, err)
	}
	if n := s.Requests(); n != 2 {
		t.Fatalf("requests = %d, want 2 (1 + 1 retry)", n)
	}
}

func TestRateLimitWindowPastDeadline(t *testing.T) {
	// After a 429 the window is closed for Retry-After; a call whose
	// deadline ends sooner is refused at once, without a request, and
	// says how long to wait instead of sitting out its deadline.
	s, p := setup(t, simlinode.Demo(now), simlinode.Options{}, Config{Transport: client.Transport{Retries: -1}})
	s.FailNext(1, http.StatusTooManyRequests, `{"errors":[{"reason":"Too many requests"}]}`)
	if _, err := p.ListResources(context.Background(), 1, client.Filter{}); err == nil {
		t.Fatal("the 429 went through")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := p.ListResources(ctx, 1, client.Filter{})
	e := wantKind(t, err, client.ErrRateLimited)
	if e.RetryAfter != time.Second || !strings.Contains(err.Error(), "try again in 1s") {
		t.Fatalf("refusal: %+v %v", e, err)
	}
	if ctx.Err() != nil {
		t.Fatal("waited out the deadline instead of refusing")
	}
	if n := s.Requests(); n != 1 {
		t.Fatalf("requests = %d, want 1 (the refused call sent nothing)", n)
	}
	// With time for the window to end, the call waits and goes through.
	if _, err := p.ListResources(context.Background(), 1, client.Filter{}); err != nil {
		t.Fatal(err)
	}
}

func TestMalformed(t *testing.T) {
	s, p := setup(t, simlinode.Demo(now), simlinode.Options{}, Config{})
	s.FailNext(1, 200, `{"data":[{"id":"oops"`)
	_, err := p.ListResources(context.Background(), 1, client.Filter{})
	wantKind(t, err, client.ErrMalformed)

	s.FailNext(1, 200, `<html>captive portal</html>`)
	_, err = p.ListBackups(context.Background(), "1")
	wantKind(t, err, client.ErrMalformed)

	// An error status whose body has no reasons must still be an error.
	s.FailNext(1, 400, `{"oops":true}`)
	_, err = p.ListResources(context.Background(), 1, client.Filter{})
	wantKind(t, err, client.ErrInvalid)
}

func TestServerErrors(t *testing.T) {
	s, p := setup(t, simlinode.Demo(now), simlinode.Options{}, Config{Transport: client.Transport{Retries: 2}})
	html := "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"
	s.FailNext(3, http.StatusBadGateway, html)
	_, err := p.ListResources(context.Background(), 1, client.Filter{})
	e := wantKind(t, err, client.ErrServer)
	if e.Status != 502 || strings.Contains(err.Error(), "<html>") {
		t.Fatalf("502: %v", err)
	}
	if n := s.Requests(); n != 3 {
		t.Fatalf("requests = %d, want 3", n)
	}

	// 5xx is retried, and a retry can succeed.
	s.FailNext(1, 500, `{"errors":[{"reason":"Please try again"}]}`)
	if _, err := p.ListResources(context.Background(), 1, client.Filter{}); err != nil {
		t.Fatal(err)
	}
	s.FailNext(3, 500, `{"errors":[{"reason":"Please try again"},{"reason":"bad","field":"page"}]}`)
	_, err = p.ListResources(context.Background(), 1, client.Filter{})
	e = wantKind(t, err, client.ErrServer)
	if len(e.Reasons) != 2 || e.Reasons[0] != "Please try again" || e.Reasons[1] != "[page] bad" {
		t.Fatalf("reasons: %q", e.Reasons)
	}
}

func TestTimeout(t *testing.T) {
	_, p := setup(t, simlinode.Demo(now), simlinode.Options{Options: sim.Options{Latency: 5 * time.Second}}, Config{Transport: client.Transport{Timeout: 100 * time.Millisecond}})
	start := time.Now()
	_, err := p.ListResources(context.Background(), 1, client.Filter{})
	wantKind(t, err, client.ErrTimeout)
	if time.Since(start) > 2*time.Second {
		t.Fatal("timeout was not prompt")
	}

	// A caller's deadline is a timeout too.
	_, p = setup(t, simlinode.Demo(now), simlinode.Options{Options: sim.Options{Latency: 5 * time.Second}}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = p.ListBackups(ctx, "1")
	wantKind(t, err, client.ErrTimeout)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("errors.Is deadline: %v", err)
	}
}

func TestNetwork(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	p, err := New(Config{Transport: client.Transport{BaseURL: url}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.ListResources(context.Background(), 1, client.Filter{})
	wantKind(t, err, client.ErrNetwork)
}

func TestListBackups(t *testing.T) {
	f := simlinode.Demo(now)
	_, p := setup(t, f, simlinode.Options{}, Config{})
	ctx := context.Background()
	web := f.Instances[0]
	bs, err := p.ListBackups(ctx, strconv.Itoa(web.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 4 {
		t.Fatalf("web-prod-01: %d backups", len(bs))
	}
	for i := 0; i < 3; i++ {
		b := bs[i]
		if b.Kind != model.BackupAutomatic || b.Slot != model.SlotNone || b.Label != "" || b.Status != model.StatusSuccessful ||
			b.RawStatus != "successful" || b.ResourceID != strconv.Itoa(web.ID) || b.Duration() <= 0 || len(b.Configs) == 0 {
			t.Fatalf("auto %d: %+v", i, b)
		}
		if i > 0 && !bs[i-1].Created.After(b.Created) {
			t.Fatal("automatic backups not newest first")
		}
	}
	if !bs[0].Finished.Equal(web.Automatic[0].Finished) {
		t.Fatalf("finished: %s vs %s", bs[0].Finished, web.Automatic[0].Finished)
	}
	cur := bs[3]
	if cur.Kind != model.BackupSnapshot || cur.Slot != model.SlotCurrent || cur.Label != "pre-deploy-2026-11" ||
		cur.TotalSizeMB() != 25600+512 || cur.Disks[1] != (model.Disk{Label: "512 MB Swap Image", Filesystem: "swap", SizeMB: 512}) {
		t.Fatalf("current: %+v", cur)
	}
	st := model.Summarise(bs)
	if st.Current == nil || st.InProgress != nil {
		t.Fatalf("summary: %+v", st)
	}

	db := f.Instances[1]
	bs, err = p.ListBackups(ctx, strconv.Itoa(db.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 3 || bs[2].Slot != model.SlotInProgress || bs[2].Status != model.StatusRunning || !bs[2].Finished.IsZero() ||
		bs[2].Label != "before-schema-migration" || !bs[2].Status.Active() {
		t.Fatalf("db-primary: %+v", bs)
	}

	bs, err = p.ListBackups(ctx, strconv.Itoa(f.Instances[2].ID))
	if err != nil || len(bs) != 0 {
		t.Fatalf("legacy-mail: %+v %v", bs, err)
	}
	bs, _ = p.ListBackups(ctx, strconv.Itoa(f.Instances[5].ID))
	if len(bs) != 3 || bs[0].Status != model.StatusPending || bs[2].RawStatus != "needsPostProcessing" || bs[2].Status != model.StatusRunning {
		t.Fatalf("analytics: %+v", bs)
	}
}

func TestGetBackup(t *testing.T) {
	f := simlinode.Demo(now)
	_, p := setup(t, f, simlinode.Options{}, Config{})
	web := f.Instances[0]
	b, err := p.GetBackup(context.Background(), strconv.Itoa(web.ID), strconv.Itoa(web.Current.ID))
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != strconv.Itoa(web.Current.ID) || b.Kind != model.BackupSnapshot || b.Slot != model.SlotNone || b.Label != "pre-deploy-2026-11" ||
		!b.Available || len(b.Disks) != 2 {
		t.Fatalf("snapshot: %+v", b)
	}
	b, err = p.GetBackup(context.Background(), strconv.Itoa(web.ID), strconv.Itoa(web.Automatic[1].ID))
	if err != nil || b.Kind != model.BackupAutomatic || b.Label != "" {
		t.Fatalf("automatic: %+v %v", b, err)
	}
}

func BenchmarkListResourcesPage(b *testing.B) {
	_, p := setup(b, simlinode.Seed(1, 10000, now), simlinode.Options{}, Config{})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rp, err := p.ListResources(ctx, 2, client.Filter{})
		if err != nil || len(rp.Items) != 500 {
			b.Fatal(rp.Page, err)
		}
	}
}

func TestInProcessDemo(t *testing.T) {
	h := simlinode.New(simlinode.Demo(now), simlinode.Options{Options: sim.Options{Latency: time.Millisecond}})
	p, err := New(Config{Transport: client.Transport{BaseURL: "http://demo.invalid", HTTPClient: sim.InProcess(h)}, Token: simlinode.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil || rp.Total != 40 || rp.Items[0].Label != "web-prod-01" {
		t.Fatalf("%+v %v", rp, err)
	}
}

func TestMain(m *testing.M) {
	// linodego logs retries through the standard logger; keep test output clean.
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}
