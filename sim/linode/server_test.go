package linode

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type page struct {
	Data    []instanceJSON `json:"data"`
	Page    int            `json:"page"`
	Pages   int            `json:"pages"`
	Results int            `json:"results"`
}

type errBody struct {
	Errors []apiReason `json:"errors"`
}

// do serves one request in process and decodes a JSON reply into out.
func do(t *testing.T, s http.Handler, method, target string, hdr map[string]string, out any) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	req.Header.Set("Authorization", "Bearer "+DemoToken)
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if out != nil {
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Fatalf("%s %s: Content-Type %q", method, target, ct)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, target, err, rec.Body)
		}
	}
	return rec
}

func TestPagination(t *testing.T) {
	s := New(Seed(7, 260, now), Options{})
	var p page
	do(t, s, "GET", "/v4/linode/instances", nil, &p)
	if p.Page != 1 || p.Pages != 3 || p.Results != 260 || len(p.Data) != 100 {
		t.Fatalf("default page: %d/%d results %d len %d", p.Page, p.Pages, p.Results, len(p.Data))
	}
	p = page{}
	do(t, s, "GET", "/v4/linode/instances?page=2&page_size=250", nil, &p)
	if p.Page != 2 || p.Pages != 2 || len(p.Data) != 10 {
		t.Fatalf("page 2 of 250: %d/%d len %d", p.Page, p.Pages, len(p.Data))
	}
	p = page{}
	do(t, s, "GET", "/v4/linode/instances?page=99&page_size=25", nil, &p)
	if p.Page != 11 || p.Pages != 11 || len(p.Data) != 10 {
		t.Fatalf("past the end: %d/%d len %d", p.Page, p.Pages, len(p.Data))
	}
	for _, size := range []string{"24", "501", "x", "0"} {
		var e errBody
		rec := do(t, s, "GET", "/v4/linode/instances?page_size="+size, nil, &e)
		if rec.Code != 400 || len(e.Errors) != 1 || e.Errors[0].Field != "page_size" {
			t.Fatalf("page_size=%s: %d %+v", size, rec.Code, e)
		}
	}
	for _, size := range []string{"25", "500"} {
		rec := do(t, s, "GET", "/v4/linode/instances?page_size="+size, nil, &page{})
		if rec.Code != 200 {
			t.Fatalf("page_size=%s: %d", size, rec.Code)
		}
	}
	// An empty result is still one page.
	p = page{}
	do(t, s, "GET", "/v4/linode/instances", map[string]string{"X-Filter": `{"label":"nope"}`}, &p)
	if p.Page != 1 || p.Pages != 1 || p.Results != 0 || p.Data == nil {
		t.Fatalf("empty: %+v", p)
	}
}

func TestFilters(t *testing.T) {
	s := New(Demo(now), Options{})
	labels := func(f string) []string {
		t.Helper()
		var p page
		rec := do(t, s, "GET", "/v4/linode/instances?page_size=500", map[string]string{"X-Filter": f}, &p)
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", f, rec.Code, rec.Body)
		}
		var out []string
		for _, in := range p.Data {
			out = append(out, in.Label)
		}
		return out
	}
	if got := labels(`{"label":"db-primary"}`); !reflect.DeepEqual(got, []string{"db-primary"}) {
		t.Errorf("label: %v", got)
	}
	for _, l := range labels(`{"region":"eu-central"}`) {
		var p page
		do(t, s, "GET", "/v4/linode/instances", map[string]string{"X-Filter": `{"label":"` + l + `"}`}, &p)
		if p.Data[0].Region != "eu-central" {
			t.Errorf("region filter let through %s", l)
		}
	}
	got := labels(`{"tags":"prod","region":"eu-west"}`)
	if len(got) == 0 || got[0] != "db-primary" {
		t.Errorf("tags+region: %v", got)
	}
	if got := labels(`{"+or":[{"label":"cache-01"},{"label":"legacy-mail"}]}`); !reflect.DeepEqual(got, []string{"legacy-mail", "cache-01"}) {
		t.Errorf("+or: %v", got)
	}
	if got := labels(`{"+and":[{"tags":"prod"},{"tags":"cache"},{"region":"eu-central"}]}`); len(got) == 0 || got[0] != "cache-01" {
		t.Errorf("+and: %v", got)
	}
	if got := labels(`{"label":{"+contains":"rather-long"}}`); len(got) != 1 || !strings.HasPrefix(got[0], "analytics") {
		t.Errorf("+contains: %v", got)
	}
	for _, bad := range []string{`{"label":`, `[1]`, `{"nope":1}`, `{"+or":{"a":1}}`, `{"label":{"+like":"x"}}`} {
		var e errBody
		rec := do(t, s, "GET", "/v4/linode/instances", map[string]string{"X-Filter": bad}, &e)
		if rec.Code != 400 || len(e.Errors) == 0 || e.Errors[0].Reason == "" {
			t.Errorf("%s: %d %+v", bad, rec.Code, e)
		}
	}
}

func TestAuthAndRoutes(t *testing.T) {
	f := Demo(now)
	s := New(f, Options{})
	for _, auth := range []string{"", "Bearer wrong", DemoToken} {
		var e errBody
		rec := do(t, s, "GET", "/v4/linode/instances", map[string]string{"Authorization": auth}, &e)
		if rec.Code != 401 || e.Errors[0].Reason != "Invalid Token" {
			t.Errorf("auth %q: %d %+v", auth, rec.Code, e)
		}
	}
	id := strconv.Itoa(f.Instances[0].ID)
	var in instanceJSON
	do(t, s, "GET", "/v4/linode/instances/"+id, nil, &in)
	if in.Label != "web-prod-01" {
		t.Fatalf("get: %+v", in)
	}
	for _, path := range []string{"/v4/linode/instances/1", "/v4/linode/instances/abc", "/v4/nope", "/v4/linode/instances/" + id + "/backups/1",
		"/v4/linode/instances/" + id + "/backups/" + strconv.Itoa(f.Instances[1].Automatic[0].ID)} {
		var e errBody
		rec := do(t, s, "GET", path, nil, &e)
		if rec.Code != 404 || e.Errors[0].Reason != "Not found" {
			t.Errorf("%s: %d %+v", path, rec.Code, e)
		}
	}
	var e errBody
	if rec := do(t, s, "DELETE", "/v4/linode/instances/"+id, nil, &e); rec.Code != 405 || len(e.Errors) != 1 {
		t.Errorf("DELETE: %d %+v", rec.Code, e)
	}
	var b backupJSON
	bid := f.Instances[0].Current.ID
	do(t, s, "GET", "/v4/linode/instances/"+id+"/backups/"+strconv.Itoa(bid), nil, &b)
	if b.ID != bid || b.Label == nil || *b.Label != "pre-deploy-2026-11" {
		t.Errorf("backup: %+v", b)
	}
	if s.RequestsTo("/v4/linode/instances/"+id) < 3 || s.Requests() < 10 {
		t.Errorf("counters: %d %d", s.RequestsTo("/v4/linode/instances/"+id), s.Requests())
	}
}

func TestBackupsWire(t *testing.T) {
	f := Demo(now)
	s := New(f, Options{})
	raw := map[string]any{}
	do(t, s, "GET", "/v4/linode/instances/"+strconv.Itoa(f.Instances[0].ID)+"/backups", nil, &raw)
	auto := raw["automatic"].([]any)
	if len(auto) != 3 {
		t.Fatalf("automatic: %d", len(auto))
	}
	a0 := auto[0].(map[string]any)
	if a0["label"] != nil || a0["type"] != "auto" || a0["finished"] == nil {
		t.Errorf("auto: %v", a0)
	}
	snap := raw["snapshot"].(map[string]any)
	if snap["in_progress"] != nil || snap["current"] == nil {
		t.Errorf("snapshot: %v", snap)
	}
	// db-primary: running snapshot, finished null.
	raw = map[string]any{}
	do(t, s, "GET", "/v4/linode/instances/"+strconv.Itoa(f.Instances[1].ID)+"/backups", nil, &raw)
	ip := raw["snapshot"].(map[string]any)["in_progress"].(map[string]any)
	if ip["status"] != "running" || ip["finished"] != nil || ip["label"] != "before-schema-migration" {
		t.Errorf("in progress: %v", ip)
	}
	// Instance wire: times without zone, last_successful null when none.
	var in map[string]any
	do(t, s, "GET", "/v4/linode/instances/"+strconv.Itoa(f.Instances[2].ID), nil, &in)
	if _, err := time.Parse(timeLayout, in["created"].(string)); err != nil {
		t.Error(err)
	}
	bk := in["backups"].(map[string]any)
	if bk["last_successful"] != nil || bk["enabled"] != false {
		t.Errorf("legacy-mail backups: %v", bk)
	}
}

func TestRateLimit(t *testing.T) {
	clock := now
	s := New(Demo(now), Options{Options: sim.Options{RateLimit: 2, RateWindow: 10 * time.Second, Now: func() time.Time { return clock }}})
	for i := 0; i < 2; i++ {
		rec := do(t, s, "GET", "/v4/linode/instances", nil, &page{})
		if rec.Code != 200 || rec.Header().Get("X-RateLimit-Limit") != "2" || rec.Header().Get("X-RateLimit-Remaining") != strconv.Itoa(1-i) {
			t.Fatalf("request %d: %d %v", i, rec.Code, rec.Header())
		}
		if rec.Header().Get("X-RateLimit-Reset") != strconv.FormatInt(now.Add(10*time.Second).Unix(), 10) {
			t.Fatalf("reset: %v", rec.Header())
		}
	}
	clock = now.Add(3500 * time.Millisecond)
	var e errBody
	rec := do(t, s, "GET", "/v4/linode/instances", nil, &e)
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "7" || e.Errors[0].Reason != "Too many requests" {
		t.Fatalf("429: %d %v %+v", rec.Code, rec.Header(), e)
	}
	clock = now.Add(10 * time.Second)
	if rec := do(t, s, "GET", "/v4/linode/instances", nil, &page{}); rec.Code != 200 {
		t.Fatalf("new window: %d", rec.Code)
	}
}

func TestFailNext(t *testing.T) {
	s := New(Demo(now), Options{})
	s.FailNext(2, 502, "<html>bad gateway</html>")
	for i := 0; i < 2; i++ {
		rec := do(t, s, "GET", "/v4/linode/instances", nil, nil)
		if rec.Code != 502 || rec.Body.String() != "<html>bad gateway</html>" {
			t.Fatalf("fault %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if rec := do(t, s, "GET", "/v4/linode/instances", nil, &page{}); rec.Code != 200 {
		t.Fatalf("after faults: %d", rec.Code)
	}
	// Faults come after auth.
	s.FailNext(1, 500, "{")
	if rec := do(t, s, "GET", "/v4/linode/instances", map[string]string{"Authorization": ""}, nil); rec.Code != 401 {
		t.Fatalf("unauthenticated: %d", rec.Code)
	}
	if s.Requests() != 4 {
		t.Fatalf("requests = %d", s.Requests())
	}
}

func TestSeedDeterministic(t *testing.T) {
	a, b := Seed(42, 200, now), Seed(42, 200, now)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different fleets")
	}
	c := Seed(43, 200, now)
	if reflect.DeepEqual(a.Instances[50], c.Instances[50]) {
		t.Fatal("different seeds gave the same instance")
	}
	ids, bids, labels := map[int]bool{}, map[int]bool{}, map[string]bool{}
	for _, in := range Seed(3, 2000, now).Instances {
		if ids[in.ID] || labels[in.Label] {
			t.Fatalf("duplicate id %d or label %s", in.ID, in.Label)
		}
		ids[in.ID], labels[in.Label] = true, true
		if len(in.Label) < 3 || len(in.Label) > 64 {
			t.Fatalf("label length: %q", in.Label)
		}
		for _, b := range in.allBackups() {
			if bids[b.ID] {
				t.Fatalf("duplicate backup id %d", b.ID)
			}
			bids[b.ID] = true
		}
	}
}

func TestFixtures(t *testing.T) {
	for _, seed := range []int64{1, 2, 99} {
		f := Seed(seed, 6, now)
		by := map[string]*Instance{}
		for _, in := range f.Instances {
			by[in.Label] = in
		}
		web := by["web-prod-01"]
		if web == nil || web.Region != "us-east" || !web.BackupsEnabled || len(web.Automatic) != 3 || web.Current == nil || web.InProgress != nil {
			t.Fatalf("web-prod-01: %+v", web)
		}
		if d := now.Sub(web.LastSuccessful()); d < 2*time.Hour || d > 4*time.Hour {
			t.Errorf("web-prod-01 last successful %s ago", d)
		}
		if c := web.Current; c.Label != "pre-deploy-2026-11" || c.Status != "successful" || len(c.Disks) != 2 ||
			c.Disks[0] != (Disk{"Debian 12 Disk", 25600, "ext4"}) || c.Disks[1] != (Disk{"512 MB Swap Image", 512, "swap"}) {
			t.Errorf("web-prod-01 snapshot: %+v", c)
		}
		db := by["db-primary"]
		if db.Region != "eu-west" || len(db.Automatic) != 2 || db.InProgress == nil || db.InProgress.Status != "running" ||
			!db.InProgress.Finished.IsZero() || db.InProgress.Label != "before-schema-migration" {
			t.Errorf("db-primary: %+v", db)
		}
		lm := by["legacy-mail"]
		if lm.Status != "offline" || lm.BackupsEnabled || len(lm.allBackups()) != 0 || !lm.LastSuccessful().IsZero() {
			t.Errorf("legacy-mail: %+v", lm)
		}
		api := by["api-staging-02"]
		if api.Region != "us-west" || api.Automatic[0].Status != "failed" || api.Automatic[0].Available || api.Automatic[0].Finished.IsZero() ||
			now.Sub(api.LastSuccessful()) <= 48*time.Hour {
			t.Errorf("api-staging-02: %+v", api)
		}
		c := by["cache-01"]
		if c.Region != "eu-central" || len(c.Automatic) != 2 || c.Current != nil || c.InProgress != nil {
			t.Errorf("cache-01: %+v", c)
		}
		an := f.Instances[5]
		if an.Label != "analytics-batch-worker-with-a-rather-long-label-eu-central-1" || an.Automatic[0].Status != "pending" ||
			an.Automatic[1].Status != "successful" || an.Current == nil || an.Current.Status != "needsPostProcessing" {
			t.Errorf("analytics: %+v", an)
		}
	}
	// The demo shows the rare states too.
	st := map[string]int{}
	enabled := 0
	f := Demo(now)
	for _, in := range f.Instances {
		st[in.Status]++
		if in.BackupsEnabled {
			enabled++
		}
		for _, b := range in.allBackups() {
			st["b:"+b.Status]++
		}
	}
	for _, k := range []string{"running", "offline", "provisioning", "rebooting", "b:userAborted", "b:paused", "b:successful"} {
		if st[k] == 0 {
			t.Errorf("demo lacks %s: %v", k, st)
		}
	}
	if enabled < 24 || enabled > 36 {
		t.Errorf("demo has %d/40 with backups", enabled)
	}
}

func TestSeedLarge(t *testing.T) {
	start := time.Now()
	f := Seed(1, 10000, now)
	if len(f.Instances) != 10000 {
		t.Fatalf("len = %d", len(f.Instances))
	}
	if d := time.Since(start); d > 2*time.Second { // generous under -race
		t.Errorf("Seed(10000) took %s", d)
	}
}

func TestLatencyCancel(t *testing.T) {
	s := New(Demo(now), Options{Options: sim.Options{Latency: 5 * time.Second}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c := &http.Client{Timeout: 50 * time.Millisecond}
	start := time.Now()
	req, _ := http.NewRequest("GET", srv.URL+"/v4/linode/instances", nil)
	req.Header.Set("Authorization", "Bearer "+DemoToken)
	if _, err := c.Do(req); err == nil {
		t.Fatal("expected a timeout")
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("latency was not cancellable")
	}
}
