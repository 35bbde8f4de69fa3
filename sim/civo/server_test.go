package civo

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

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

func start(t *testing.T, o Options) (*Server, *clock) {
	t.Helper()
	c := &clock{t: t0}
	if o.Now == nil {
		o.Now = c.Now
	}
	return New(Demo(t0), o), c
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

func do(t *testing.T, h http.Handler, method, target, auth, ctype, body string) resp {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return resp{rec.Code, rec.Header(), b}
}

const auth = "bearer " + DemoToken

func get(t *testing.T, h http.Handler, target string) resp {
	t.Helper()
	return do(t, h, "GET", target, auth, "", "")
}

func TestAuth(t *testing.T) {
	s, _ := start(t, Options{})
	for _, a := range []string{"", "bearer wrong", "Basic " + DemoToken, DemoToken} {
		r := do(t, s, "GET", "/v2/instances", a, "", "")
		if r.status != 401 || string(r.body) != `{"result":"requires_authentication","status":401}` {
			t.Fatalf("%q: %d %s", a, r.status, r.body)
		}
	}
	for _, a := range []string{auth, "Bearer " + DemoToken} {
		if r := do(t, s, "GET", "/v2/instances", a, "", ""); r.status != 200 {
			t.Fatalf("%q: %d", a, r.status)
		}
	}
	if s.Requests() != 6 {
		t.Fatalf("requests = %d", s.Requests())
	}
}

func TestListInstancesEnvelope(t *testing.T) {
	s, _ := start(t, Options{})
	r := get(t, s, "/v2/instances")
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content type %q", ct)
	}
	var raw map[string]json.RawMessage
	r.json(t, &raw)
	if string(raw["page"]) != "1" || string(raw["per_page"]) != "null" || string(raw["pages"]) != "1" {
		t.Fatalf("envelope: %s", r.body)
	}
	var items []map[string]any
	if err := json.Unmarshal(raw["items"], &items); err != nil || len(items) != 12 {
		t.Fatalf("items: %d %v", len(items), err)
	}
	first := items[0]
	for _, k := range []string{"id", "name", "hostname", "account_id", "size", "region", "firewall_id", "source_type", "source_id",
		"network_id", "initial_user", "tags", "status", "public_ip", "private_ip", "ipv6", "notes", "reverse_dns",
		"cpu_cores", "ram_mb", "disk_gb", "created_at"} {
		if _, ok := first[k]; !ok {
			t.Errorf("instance lacks %q", k)
		}
	}
	if first["hostname"] != "api-gateway" || first["status"] != "ACTIVE" || first["size"] != "g3.medium" || first["region"] != "LON1" {
		t.Fatalf("first: %v", first)
	}
	if c := first["created_at"].(string); !strings.HasSuffix(c, "+00:00") {
		t.Fatalf("created_at %q", c)
	}

	// Paging: 12 instances, 5 a page.
	for page, want := range map[int]int{1: 5, 2: 5, 3: 2, 4: 0} {
		r := get(t, s, "/v2/instances?page="+strconv.Itoa(page)+"&per_page=5")
		var v struct {
			Page    int               `json:"page"`
			PerPage int               `json:"per_page"`
			Pages   int               `json:"pages"`
			Items   []json.RawMessage `json:"items"`
		}
		r.json(t, &v)
		if v.Page != page || v.PerPage != 5 || v.Pages != 3 || len(v.Items) != want {
			t.Fatalf("page %d: %+v", page, v)
		}
	}

	// Region and tags narrow the list.
	r = get(t, s, "/v2/instances?region=fra1")
	var v struct {
		Items []struct {
			Region string   `json:"region"`
			Tags   []string `json:"tags"`
		} `json:"items"`
	}
	r.json(t, &v)
	if len(v.Items) != 3 {
		t.Fatalf("FRA1: %d", len(v.Items))
	}
	for _, it := range v.Items {
		if it.Region != "FRA1" {
			t.Fatalf("region leak %+v", it)
		}
	}
	r = get(t, s, "/v2/instances?tags="+url.QueryEscape("prod web"))
	r.json(t, &v)
	if len(v.Items) != 1 {
		t.Fatalf("tags: %+v", v.Items)
	}
}

func TestGetInstance(t *testing.T) {
	s, _ := start(t, Options{})
	id := s.fleet.Instances[1].ID
	r := get(t, s, "/v2/instances/"+id)
	var in struct {
		ID, Hostname, Status string
	}
	r.json(t, &in)
	if r.status != 200 || in.ID != id || in.Hostname != "db-primary.lon1.internal" || in.Status != "SHUTOFF" {
		t.Fatalf("%d %+v", r.status, in)
	}
	for _, target := range []string{"/v2/instances/nope", "/v2/instances/" + id + "?region=NYC1"} {
		r = get(t, s, target)
		if r.status != 404 || string(r.body) != `{"code":"database_instance_not_found","reason":"Failed to find the instance within the internal database"}` {
			t.Fatalf("%s: %d %s", target, r.status, r.body)
		}
	}
	if r := get(t, s, "/v2/nowhere"); r.status != 404 || !strings.Contains(string(r.body), `"code":"not_found"`) {
		t.Fatalf("unknown route: %d %s", r.status, r.body)
	}
}

func TestListSnapshots(t *testing.T) {
	s, _ := start(t, Options{})
	r := get(t, s, "/v2/snapshots")
	var list []map[string]any
	r.json(t, &list)
	if len(list) != 14 {
		t.Fatalf("snapshots: %d", len(list))
	}
	byName := map[string]map[string]any{}
	for _, sn := range list {
		for _, k := range []string{"id", "name", "instance_id", "hostname", "template_id", "region", "safe", "cron_timing",
			"requested_at", "completed_at", "status", "size_gb"} {
			if _, ok := sn[k]; !ok {
				t.Fatalf("snapshot lacks %q: %v", k, sn)
			}
		}
		byName[sn["name"].(string)] = sn
	}
	run := byName["db-nightly-safe"]
	if run["status"] != "in-progress" || run["completed_at"] != nil || run["safe"] != true || run["size_gb"].(float64) <= 0 {
		t.Fatalf("running: %v", run)
	}
	if w := byName["api-gateway-weekly"]; w["cron_timing"] != "0 3 * * 0" || w["status"] != "complete" {
		t.Fatalf("weekly: %v", w)
	}
	if f := byName["ci-cache-warm"]; f["status"] != "failed" || f["completed_at"] != nil {
		t.Fatalf("failed: %v", f)
	}
	if n := byName["clickhouse-adhoc"]; n["status"] != "new" || n["size_gb"].(float64) != 0 {
		t.Fatalf("new: %v", n)
	}
	done := byName["api-gateway-pre-release"]
	if !strings.HasSuffix(done["requested_at"].(string), "+00:00") || done["completed_at"] == nil {
		t.Fatalf("done: %v", done)
	}
	r = get(t, s, "/v2/snapshots?region=PHX1")
	r.json(t, &list)
	if len(list) != 2 {
		t.Fatalf("PHX1: %v", list)
	}
}

func TestFixtureProgress(t *testing.T) {
	s, c := start(t, Options{})
	db := s.fleet.Instances[1].ID
	if in, _ := s.Instance(db); in.Status != "SHUTOFF" {
		t.Fatalf("safe snapshot running, instance %s", in.Status)
	}
	c.Add(6 * time.Minute) // 20s + 6m of a 30m job: past a fifth
	if sn, _ := s.Snapshot("clickhouse-adhoc"); sn.Status != "in-progress" || sn.SizeGB == 0 {
		t.Fatalf("adhoc: %+v", sn)
	}
	c.Add(40 * time.Minute)
	sn, _ := s.Snapshot("db-nightly-safe")
	if sn.Status != "complete" || !sn.CompletedAt.Equal(t0.Add(-3*time.Minute+40*time.Minute)) {
		t.Fatalf("nightly: %+v", sn)
	}
	if in, _ := s.Instance(db); in.Status != "ACTIVE" {
		t.Fatalf("instance after: %s", in.Status)
	}
}

type snap struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	InstanceID  string  `json:"instance_id"`
	Safe        bool    `json:"safe"`
	RequestedAt string  `json:"requested_at"`
	CompletedAt *string `json:"completed_at"`
	Status      string  `json:"status"`
	SizeGB      int     `json:"size_gb"`
}

func TestPutSnapshotProgress(t *testing.T) {
	s, c := start(t, Options{JobTime: 10 * time.Second})
	k3s := s.fleet.Instances[2]
	r := do(t, s, "PUT", "/v2/snapshots/k3s-before", auth, "application/x-www-form-urlencoded",
		"instance_id="+k3s.ID+"&safe=true")
	var v snap
	r.json(t, &v)
	if r.status != 200 || v.Name != "k3s-before" || v.InstanceID != k3s.ID || !v.Safe || v.Status != "new" ||
		v.CompletedAt != nil || v.SizeGB != 0 || v.RequestedAt != "2026-11-20T12:00:00+00:00" || v.ID == "" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if !strings.Contains(string(r.body), `"completed_at":null`) {
		t.Fatalf("completed_at must be null: %s", r.body)
	}
	if in, _ := s.Instance(k3s.ID); in.Status != "SHUTOFF" {
		t.Fatalf("safe: instance %s", in.Status)
	}
	states := []struct {
		after  time.Duration
		status string
	}{{time.Second, "new"}, {2 * time.Second, "in-progress"}, {6 * time.Second, "in-progress"}, {time.Second, "complete"}}
	for _, st := range states {
		c.Add(st.after)
		if sn, _ := s.Snapshot("k3s-before"); sn.Status != st.status {
			t.Fatalf("at +%s: %s", st.after, sn.Status)
		}
	}
	r = get(t, s, "/v2/snapshots")
	var list []snap
	r.json(t, &list)
	got := list[len(list)-1]
	if got.Status != "complete" || got.CompletedAt == nil || *got.CompletedAt != "2026-11-20T12:00:10+00:00" || got.SizeGB <= 0 {
		t.Fatalf("done: %+v", got)
	}
	if in, _ := s.Instance(k3s.ID); in.Status != "ACTIVE" {
		t.Fatalf("instance after: %s", in.Status)
	}

	// JSON bodies are taken too; an unsafe snapshot leaves the instance up.
	r = do(t, s, "PUT", "/v2/snapshots/k3s-json", auth, "application/json", `{"instance_id":"`+k3s.ID+`","safe":false}`)
	r.json(t, &v)
	if r.status != 200 || v.Safe || v.Status != "new" {
		t.Fatalf("json: %d %s", r.status, r.body)
	}
	if in, _ := s.Instance(k3s.ID); in.Status != "ACTIVE" {
		t.Fatalf("unsafe: instance %s", in.Status)
	}
	c.Add(time.Minute)
	r = do(t, s, "PUT", "/v2/snapshots/k3s-untyped", auth, "", `{"instance_id":"`+k3s.ID+`","safe":"1"}`)
	r.json(t, &v)
	if r.status != 200 || !v.Safe || v.InstanceID != k3s.ID {
		t.Fatalf("untyped json: %d %s", r.status, r.body)
	}
	if n := s.MutationsTo("/v2/snapshots/k3s-json"); n != 1 {
		t.Fatalf("mutations = %d", n)
	}
}

func TestPutOverwrites(t *testing.T) {
	s, _ := start(t, Options{})
	grafana := s.fleet.Instances[8]
	old, _ := s.Snapshot("mail-2026")
	r := do(t, s, "PUT", "/v2/snapshots/mail-2026", auth, "application/x-www-form-urlencoded", "instance_id="+grafana.ID)
	var v snap
	r.json(t, &v)
	if r.status != 200 || v.InstanceID != grafana.ID || v.Status != "new" || v.ID == old.ID || v.Safe {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var list []snap
	get(t, s, "/v2/snapshots").json(t, &list)
	n := 0
	for _, sn := range list {
		if sn.Name == "mail-2026" {
			n++
		}
	}
	if len(list) != 14 || n != 1 {
		t.Fatalf("overwrite kept %d of %d", n, len(list))
	}
	if got := s.SnapshotsOf(s.fleet.Instances[6].ID); len(got) != 0 {
		t.Fatalf("mail still has %v", got)
	}
}

func TestPutRefusals(t *testing.T) {
	s, _ := start(t, Options{})
	db, k3s := s.fleet.Instances[1].ID, s.fleet.Instances[2].ID
	form := "application/x-www-form-urlencoded"
	for _, tc := range []struct {
		name, path, ctype, body string
		status                  int
		code                    string
	}{
		{"no instance", "/v2/snapshots/x1", form, "safe=true", 400, codeInstanceMissing},
		{"empty body", "/v2/snapshots/x1", "", "", 400, codeInstanceMissing},
		{"unknown instance", "/v2/snapshots/x1", form, "instance_id=nope", 400, codeCreateNoInstance},
		{"other region", "/v2/snapshots/x1?region=NYC1", form, "instance_id=" + db, 400, codeCreateNoInstance},
		{"bad name", "/v2/snapshots/" + url.PathEscape("bad name"), form, "instance_id=" + k3s, 400, codeNameInvalid},
		{"dot name", "/v2/snapshots/.x", form, "instance_id=" + k3s, 400, codeNameInvalid},
		{"long name", "/v2/snapshots/" + strings.Repeat("n", 65), form, "instance_id=" + k3s, 400, codeNameInvalid},
		{"bad json", "/v2/snapshots/x1", "application/json", `{"instance_id":`, 400, codeInvalidBody},
		{"already running", "/v2/snapshots/x2", form, "instance_id=" + db, 400, codeInProcess},
		{"overwrite a running one", "/v2/snapshots/db-nightly-safe", form, "instance_id=" + k3s, 400, codeInProcess},
	} {
		r := do(t, s, "PUT", tc.path, auth, tc.ctype, tc.body)
		var e struct{ Code, Reason string }
		r.json(t, &e)
		if r.status != tc.status || e.Code != tc.code || e.Reason == "" {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	if got := s.SnapshotsOf(k3s); len(got) != 0 {
		t.Fatalf("refusals made snapshots: %v", got)
	}
	if r := do(t, s, "POST", "/v2/snapshots/x1", auth, form, "instance_id="+k3s); r.status != 405 || r.header.Get("Allow") != "PUT, DELETE" {
		t.Fatalf("POST: %d %v", r.status, r.header)
	}
}

func TestDeleteSnapshot(t *testing.T) {
	s, _ := start(t, Options{})
	r := do(t, s, "DELETE", "/v2/snapshots/mail-2026", auth, "", "")
	if r.status != 202 || string(r.body) != `{"name":"mail-2026","result":"success"}` {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if _, ok := s.Snapshot("mail-2026"); ok {
		t.Fatal("still there")
	}
	r = do(t, s, "DELETE", "/v2/snapshots/mail-2026", auth, "", "")
	if r.status != 404 || string(r.body) != `{"code":"database_snapshot_not_found","reason":"Failed to find the snapshot within the internal database"}` {
		t.Fatalf("again: %d %s", r.status, r.body)
	}
	r = do(t, s, "DELETE", "/v2/snapshots/db-nightly-safe", auth, "", "")
	if r.status != 400 || !strings.Contains(string(r.body), codeDeleteInUse) {
		t.Fatalf("running: %d %s", r.status, r.body)
	}
	var list []snap
	get(t, s, "/v2/snapshots").json(t, &list)
	if len(list) != 13 {
		t.Fatalf("left %d", len(list))
	}
}

func TestRateLimit(t *testing.T) {
	s, _ := start(t, Options{Options: sim.Options{RateLimit: 2, RateWindow: time.Minute}})
	for i := 0; i < 2; i++ {
		if r := get(t, s, "/v2/snapshots"); r.status != 200 {
			t.Fatalf("%d: %d", i, r.status)
		}
	}
	r := get(t, s, "/v2/snapshots")
	if r.status != 429 || r.header.Get("Retry-After") != "60" || !strings.Contains(string(r.body), `"code":"too_many_requests"`) {
		t.Fatalf("429: %d %v %s", r.status, r.header, r.body)
	}
}

func TestServerErrorBody(t *testing.T) {
	s, _ := start(t, Options{})
	s.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault500}})
	r := get(t, s, "/v2/snapshots")
	var v struct {
		Status int    `json:"status"`
		Error  string `json:"error"`
	}
	r.json(t, &v)
	if r.status != 500 || v.Status != 500 || v.Error == "" {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestDemoDeterministic(t *testing.T) {
	a, b := Demo(t0), Demo(t0)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Demo is not deterministic")
	}
	ids := map[string]bool{}
	hosts := map[int]bool{}
	for _, in := range a.Instances {
		if ids[in.ID] {
			t.Fatalf("duplicate id %s", in.ID)
		}
		ids[in.ID] = true
		hosts[len(in.Hostname)] = true
	}
	if len(a.Instances) != 12 || len(hosts) < 6 {
		t.Fatalf("instances %d, hostname lengths %d", len(a.Instances), len(hosts))
	}
	big := Seed(3, 250, t0)
	names := map[string]bool{}
	for _, sn := range big.Snapshots {
		if names[sn.Name] {
			t.Fatalf("duplicate snapshot name %s", sn.Name)
		}
		names[sn.Name] = true
	}
	if len(big.Instances) != 250 {
		t.Fatalf("seed: %d", len(big.Instances))
	}
}
