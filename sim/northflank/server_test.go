package northflank

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type harness struct {
	t   *testing.T
	s   *Server
	url string
	clk *clock
}

func newHarness(t *testing.T, f *Fleet, o Options) *harness {
	t.Helper()
	clk := &clock{t: t0}
	if o.Now == nil {
		o.Now = clk.Now
	}
	s := New(f, o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &harness{t: t, s: s, url: srv.URL, clk: clk}
}

// do sends a request with the demo token and decodes the reply into a map.
func (h *harness) do(method, path, body string) (int, http.Header, map[string]any) {
	h.t.Helper()
	return h.doAs(DemoToken, method, path, body)
}

func (h *harness) doAs(token, method, path, body string) (int, http.Header, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		h.t.Fatalf("%s %s: %d, body not JSON: %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header, m
}

// get walks a decoded reply: get(m, "data", "backups", 0, "id").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

func wantError(t *testing.T, code int, m map[string]any, status int, msgPart string) {
	t.Helper()
	if code != status {
		t.Fatalf("status %d, want %d: %v", code, status, m)
	}
	if get(m, "error", "status") != float64(status) {
		t.Fatalf("error.status: %v", m)
	}
	if msg, _ := get(m, "error", "message").(string); !strings.Contains(msg, msgPart) {
		t.Fatalf("error.message %q lacks %q", msg, msgPart)
	}
	if id, _ := get(m, "error", "id").(string); id == "" {
		t.Fatalf("error.id missing: %v", m)
	}
}

const orders = "/v1/projects/payments-platform/addons/orders-db"

func TestDemoShape(t *testing.T) {
	f := Demo(t0)
	if !reflect.DeepEqual(f, Demo(t0)) {
		t.Fatal("Demo is not deterministic")
	}
	n, running, none, stale := 0, 0, 0, 0
	labels := map[int]bool{}
	for _, p := range f.Projects {
		for _, a := range p.Addons {
			n++
			labels[len(a.Name)] = true
			last := a.LastCompleted()
			switch {
			case len(a.Backups) == 0:
				none++
			case last.IsZero() || t0.Sub(last) > 48*time.Hour:
				stale++
			}
			for _, b := range a.Backups {
				if b.running() {
					running++
				}
				if b.ID == "" || b.UID == "" || a.backup(b.ID) != b {
					t.Fatalf("%s: backup ID %q not unique or empty", a.ID, b.ID)
				}
			}
		}
	}
	if len(f.Projects) != 4 || n != 12 || running != 2 || none != 1 || stale < 2 || len(labels) < 5 {
		t.Fatalf("projects %d addons %d running %d none %d stale %d label lengths %d", len(f.Projects), n, running, none, stale, len(labels))
	}
}

func TestAuth(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	for _, tok := range []string{"", "wrong"} {
		code, _, m := h.doAs(tok, "GET", "/v1/projects", "")
		wantError(t, code, m, 401, "Unauthorized")
	}
	h2 := newHarness(t, Demo(t0), Options{Token: "custom"})
	if code, _, _ := h2.doAs("custom", "GET", "/v1/projects", ""); code != 200 {
		t.Fatalf("custom token: %d", code)
	}
	if code, _, _ := h2.do("GET", "/v1/projects", ""); code != 401 {
		t.Fatalf("demo token accepted when another was set: %d", code)
	}
}

func TestListsAndEnvelope(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	code, hdr, m := h.do("GET", "/v1/projects", "")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", code, hdr.Get("Content-Type"))
	}
	if get(m, "data", "projects", 0, "id") != "payments-platform" || get(m, "data", "projects", 0, "name") != "Payments Platform" ||
		get(m, "pagination", "hasNextPage") != false || get(m, "pagination", "count") != float64(4) {
		t.Fatalf("projects: %v", m)
	}
	if _, has := get(m, "pagination").(map[string]any)["cursor"]; has {
		t.Fatal("cursor sent on the last page")
	}

	_, _, m = h.do("GET", "/v1/projects/payments-platform", "")
	if get(m, "data", "deployment", "region") != "europe-west" || get(m, "data", "addons", 0, "spec", "type") != "postgresql" {
		t.Fatalf("project: %v", m)
	}

	_, _, m = h.do("GET", "/v1/projects/payments-platform/addons", "")
	if get(m, "data", "addons", 1, "id") != "ledger" || get(m, "data", "addons", 1, "status") != "running" ||
		get(m, "data", "addons", 1, "appId") != "/snapdeck-demo/payments-platform/ledger" || get(m, "data", "addons", 1, "tags", 2) != "pci" {
		t.Fatalf("addons: %v", m)
	}

	_, _, m = h.do("GET", "/v1/projects/payments-platform/addons/ledger", "")
	if get(m, "data", "spec", "config", "versionTag") != "15.8" || get(m, "data", "createdAt") == nil ||
		get(m, "data", "spec", "pendingActions", 0, "type") != "backup" || get(m, "data", "spec", "config", "deployment", "region") != "europe-west" {
		t.Fatalf("addon: %v", m)
	}

	_, _, m = h.do("GET", orders+"/backups", "")
	b := get(m, "data", "backups", 0)
	if get(b, "id") == nil || get(b, "uid") == nil || get(b, "status") != "completed" || get(b, "config", "source", "type") != "snapshot" ||
		get(b, "config", "addonVersion") != "16.4" {
		t.Fatalf("backup: %v", b)
	}
	if _, err := strconv.ParseInt(get(b, "config", "size").(string), 10, 64); err != nil {
		t.Fatalf("size is not a string of bytes: %v", get(b, "config", "size"))
	}
	if ts, _ := get(b, "createdAt").(string); !strings.HasSuffix(ts, "Z") || !strings.Contains(ts, ".") {
		t.Fatalf("createdAt %q", ts)
	}
	// Newest first.
	prev := "9999"
	for i := 0; get(m, "data", "backups", i) != nil; i++ {
		c := get(m, "data", "backups", i, "createdAt").(string)
		if c > prev {
			t.Fatalf("not newest first at %d", i)
		}
		prev = c
	}

	_, _, m = h.do("GET", orders+"/backups/pre-migration-2026-11", "")
	if get(m, "data", "config", "compressionType") != "zstd" || get(m, "data", "config", "source", "type") != "liveInstance" ||
		get(m, "data", "lastRestore", "status") != "completed" {
		t.Fatalf("get backup: %v", m)
	}

	_, _, m = h.do("GET", orders+"/restores", "")
	if get(m, "data", "restores", 0, "backupId") != "pre-migration-2026-11" || get(m, "data", "restores", 0, "status") != "completed" ||
		len(get(m, "data", "restores", 0, "id").(string)) != 24 {
		t.Fatalf("restores: %v", m)
	}
	_, _, m = h.do("GET", orders+"/backups/pre-migration-2026-11/restores", "")
	if get(m, "data", "restores", 0, "status") != "completed" || get(m, "pagination", "count") != float64(1) {
		t.Fatalf("backup restores: %v", m)
	}

	for _, path := range []string{"/v1/projects/nope", "/v1/projects/nope/addons", "/v1/projects/payments-platform/addons/nope",
		orders + "/backups/nope", orders + "/backups/nope/restores", "/v1/projects/payments-platform/addons/nope/restores"} {
		code, _, m := h.do("GET", path, "")
		wantError(t, code, m, 404, "not found")
	}
	code, hdr, m = h.do("PUT", orders, "")
	wantError(t, code, m, 405, "Method Not Allowed")
	if hdr.Get("Allow") != "GET" {
		t.Fatalf("Allow: %q", hdr.Get("Allow"))
	}
}

func TestPagination(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	const wh = "/v1/projects/data-warehouse-etl/addons/analytics-warehouse-primary-eu-replica/backups"
	seen := map[string]bool{}
	path := wh + "?per_page=100"
	pages := 0
	for {
		_, _, m := h.do("GET", path, "")
		pages++
		items := get(m, "data", "backups").([]any)
		if get(m, "pagination", "count") != float64(len(items)) {
			t.Fatalf("count %v for %d items", get(m, "pagination", "count"), len(items))
		}
		for _, it := range items {
			id := get(it, "id").(string)
			if seen[id] {
				t.Fatalf("duplicate %s", id)
			}
			seen[id] = true
		}
		if get(m, "pagination", "hasNextPage") != true {
			break
		}
		path = wh + "?per_page=100&cursor=" + get(m, "pagination", "cursor").(string)
	}
	if pages != 2 || len(seen) != 168 {
		t.Fatalf("pages %d, backups %d", pages, len(seen))
	}
	_, _, m := h.do("GET", wh, "")
	if len(get(m, "data", "backups").([]any)) != 50 {
		t.Fatal("default page size is not 50")
	}
	_, _, m = h.do("GET", wh+"?per_page=50&page=4", "")
	if len(get(m, "data", "backups").([]any)) != 18 || get(m, "pagination", "hasNextPage") != false {
		t.Fatalf("page 4: %v", get(m, "pagination"))
	}
	for _, q := range []string{"?per_page=101", "?per_page=0", "?per_page=x", "?cursor=bogus", "?page=0"} {
		code, _, m := h.do("GET", wh+q, "")
		wantError(t, code, m, 400, "")
	}
}

func TestRateLimitHeaders(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{Options: sim.Options{RateLimit: 2}})
	for i, want := range []string{"1", "0"} {
		code, hdr, _ := h.do("GET", "/v1/projects", "")
		if code != 200 || hdr.Get("x-ratelimit-limit") != "2" || hdr.Get("x-ratelimit-remaining") != want || hdr.Get("x-ratelimit-reset") != "3600" {
			t.Fatalf("request %d: %d %v", i, code, hdr)
		}
	}
	code, hdr, m := h.do("GET", "/v1/projects", "")
	wantError(t, code, m, 429, "Too many requests")
	if hdr.Get("Retry-After") != "3600" {
		t.Fatalf("Retry-After %q", hdr.Get("Retry-After"))
	}
	h.clk.Add(time.Hour)
	if code, _, _ := h.do("GET", "/v1/projects", ""); code != 200 {
		t.Fatalf("after the window: %d", code)
	}
}
