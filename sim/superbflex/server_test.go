package superbflex

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = now.Add(d)
}

type env struct {
	t   *testing.T
	s   *Server
	srv *httptest.Server
	c   *clock
}

func setup(t *testing.T, o Options) *env {
	t.Helper()
	c := &clock{t: now}
	if o.Now == nil {
		o.Now = c.Now
	}
	s := New(Demo(now), o)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &env{t: t, s: s, srv: srv, c: c}
}

// do sends a request with the demo credentials and returns the status,
// headers and body.
func (e *env) do(method, path, body string) (int, http.Header, []byte) {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.SetBasicAuth(DemoUser, DemoPassword)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// get decodes a 200 reply into v.
func (e *env) get(path string, v any) {
	e.t.Helper()
	status, h, b := e.do("GET", path, "")
	if status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, status, b)
	}
	if ct := h.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		e.t.Fatalf("GET %s: Content-Type %q", path, ct)
	}
	if err := json.Unmarshal(b, v); err != nil {
		e.t.Fatalf("GET %s: %v in %s", path, err, b)
	}
}

type obj = map[string]any

// backups lists a VM's backups as raw objects.
func (e *env) backups(vmID int) []obj {
	e.t.Helper()
	var list []map[string]obj
	e.get("/virtual_machines/"+strconv.Itoa(vmID)+"/backups/images.json", &list)
	out := make([]obj, 0, len(list))
	for _, w := range list {
		if len(w) != 1 || w["backup"] == nil {
			e.t.Fatalf("not a wrapped backup: %v", w)
		}
		out = append(out, w["backup"])
	}
	return out
}

func (e *env) backup(id int) obj {
	e.t.Helper()
	var w map[string]obj
	e.get("/backups/"+strconv.Itoa(id)+".json", &w)
	return w["backup"]
}

func (e *env) vm(id int) obj {
	e.t.Helper()
	var w map[string]obj
	e.get("/virtual_machines/"+strconv.Itoa(id)+".json", &w)
	return w["virtual_machine"]
}

func num(v any) int { f, _ := v.(float64); return int(f) }

func byLabel(t *testing.T, s *Server, label string) VM {
	t.Helper()
	for _, vm := range s.fleet.VMs {
		if vm.Label == label {
			v, _ := s.VM(vm.ID)
			return v
		}
	}
	t.Fatalf("no VM %q", label)
	return VM{}
}

// The backup object carries exactly the fields of Superb's reference page.
func TestBackupWireFormat(t *testing.T) {
	e := setup(t, Options{})
	web := byLabel(t, e.s, "web-01")
	list := e.backups(web.ID)
	if len(list) != 4 {
		t.Fatalf("web-01 has %d backups", len(list))
	}
	want := []string{"allow_resize_without_reboot", "allowed_hot_migrate", "allowed_swap", "backup_server_id",
		"backup_size", "built", "built_at", "created_at", "data_store_type", "id", "identifier", "image_type",
		"initiated", "iqn", "locked", "marked_for_delete", "min_disk_size", "min_memory_size", "note",
		"operating_system", "operating_system_distro", "target_id", "target_type", "template_id", "updated_at",
		"user_id", "volume_id", "backup_type", "disk_id"}
	slices.Sort(want)
	for _, b := range list {
		var keys []string
		for k := range b {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if !reflect.DeepEqual(keys, want) {
			t.Fatalf("keys %v\nwant %v", keys, want)
		}
	}
	b := list[len(list)-1] // the manual one, newest
	if b["initiated"] != "manual" || b["backup_type"] != "normal" || b["target_type"] != "Disk" || num(b["target_id"]) != web.Disks[0].ID ||
		num(b["disk_id"]) != web.Disks[0].ID || b["built"] != true || b["note"] != "before nginx 1.26 upgrade" || num(b["backup_size"]) < 6350*1024 {
		t.Fatalf("manual backup: %v", b)
	}
	for _, k := range []string{"created_at", "built_at", "updated_at"} {
		s, _ := b[k].(string)
		if _, err := time.Parse(time.RFC3339, s); err != nil || !strings.HasSuffix(s, "+00:00") {
			t.Fatalf("%s = %q: want OnApp's +00:00 form", k, s)
		}
	}
	if b["iqn"] != nil || b["volume_id"] != nil || b["image_type"] != nil {
		t.Fatalf("null fields: %v", b)
	}
	// Oldest first, as the API lists them.
	for i := 1; i < len(list); i++ {
		if list[i-1]["created_at"].(string) > list[i]["created_at"].(string) {
			t.Fatalf("not oldest first: %v", list)
		}
	}

	db := byLabel(t, e.s, "db-master")
	inc := e.backups(db.ID)
	last := inc[len(inc)-1]
	if last["backup_type"] != "incremental" || last["target_type"] != "VirtualMachine" || num(last["target_id"]) != db.ID ||
		last["disk_id"] != nil || last["built"] != false || last["built_at"] != nil || num(last["backup_size"]) != 0 {
		t.Fatalf("incremental in progress: %v", last)
	}
	if got := e.backup(num(last["id"])); !reflect.DeepEqual(got, last) {
		t.Fatalf("GET /backups/:id differs from the list:\n%v\n%v", got, last)
	}
}

func TestVMsAndDisks(t *testing.T) {
	e := setup(t, Options{})
	var list []map[string]obj
	e.get("/virtual_machines.json", &list)
	if len(list) < 8 || len(list) > 15 {
		t.Fatalf("%d VMs", len(list))
	}
	for _, w := range list {
		vm := w["virtual_machine"]
		for _, k := range []string{"id", "identifier", "label", "hostname", "hypervisor_id", "memory", "cpus", "booted", "built",
			"locked", "operating_system", "operating_system_distro", "total_disk_size", "created_at", "updated_at", "user_id",
			"support_incremental_backups", "ip_addresses", "template_label"} {
			if _, ok := vm[k]; !ok {
				t.Fatalf("VM lacks %s: %v", k, vm)
			}
		}
	}
	st := byLabel(t, e.s, "staging-api")
	if v := e.vm(st.ID); v["locked"] != true || v["booted"] != false {
		t.Fatalf("staging-api under restore: %v", v)
	}
	an := byLabel(t, e.s, "analytics-clickhouse-shard-2")
	var disks []map[string]obj
	e.get("/virtual_machines/"+strconv.Itoa(an.ID)+"/disks.json", &disks)
	if len(disks) != 3 || disks[0]["disk"]["primary"] != true || disks[1]["disk"]["is_swap"] != true ||
		disks[2]["disk"]["label"] != "clickhouse-data" || num(disks[2]["disk"]["disk_size"]) != 1000 ||
		num(disks[2]["disk"]["virtual_machine_id"]) != an.ID {
		t.Fatalf("disks: %v", disks)
	}
	if v := e.vm(an.ID); num(v["total_disk_size"]) != 1058 {
		t.Fatalf("total_disk_size: %v", v["total_disk_size"])
	}
	var all []map[string]obj
	e.get("/settings/disks.json", &all)
	n := 0
	for _, vm := range e.s.fleet.VMs {
		n += len(vm.Disks)
	}
	if len(all) != n {
		t.Fatalf("all disks: %d, want %d", len(all), n)
	}
	var mine []map[string]obj
	e.get("/users/"+strconv.Itoa(DemoUserID)+"/backups.json", &mine)
	n = 0
	for _, vm := range e.s.fleet.VMs {
		n += len(vm.Backups)
	}
	if len(mine) != n {
		t.Fatalf("user backups: %d, want %d", len(mine), n)
	}

	for _, path := range []string{"/virtual_machines/1.json", "/virtual_machines/x.json", "/virtual_machines/1/disks.json",
		"/virtual_machines/1/backups/images.json", "/backups/1.json", "/users/1/backups.json", "/nope.json"} {
		status, _, b := e.do("GET", path, "")
		if status != http.StatusNotFound || !strings.Contains(string(b), `"errors":[`) {
			t.Fatalf("GET %s: %d %s", path, status, b)
		}
	}
	// Rails serves JSON to an Accept: application/json request without
	// the suffix too.
	if v := e.vm(st.ID); num(v["id"]) != st.ID {
		t.Fatal(v)
	}
	status, _, _ := e.do("GET", "/virtual_machines/"+strconv.Itoa(st.ID), "")
	if status != http.StatusOK {
		t.Fatalf("without suffix: %d", status)
	}
}

func TestAuth(t *testing.T) {
	e := setup(t, Options{User: "4021", Password: "key-1"})
	for _, set := range []func(*http.Request){
		func(*http.Request) {},
		func(r *http.Request) { r.SetBasicAuth("4021", "wrong") },
		func(r *http.Request) { r.SetBasicAuth("4022", "key-1") },
		func(r *http.Request) { r.Header.Set("Authorization", "Bearer key-1") },
	} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/virtual_machines.json", nil)
		set(req)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Basic realm="Application"` ||
			string(b) != `{"errors":["Access denied"]}` {
			t.Fatalf("%d %q %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), b)
		}
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/virtual_machines.json", nil)
	req.SetBasicAuth("4021", "key-1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
}

func TestRateLimit(t *testing.T) {
	e := setup(t, Options{Options: sim.Options{RateLimit: 2, RateWindow: 30 * time.Second}})
	for i := 0; i < 2; i++ {
		if status, _, _ := e.do("GET", "/virtual_machines.json", ""); status != 200 {
			t.Fatal(status)
		}
	}
	status, h, b := e.do("GET", "/virtual_machines.json", "")
	if status != 429 || h.Get("Retry-After") != "30" || !strings.Contains(string(b), `"errors":[`) {
		t.Fatalf("%d %v %s", status, h, b)
	}
	e.c.Set(30 * time.Second)
	if status, _, _ := e.do("GET", "/virtual_machines.json", ""); status != 200 {
		t.Fatal(status)
	}
}

// A new backup is not built, then built once the job time has passed.
func TestTakeBackups(t *testing.T) {
	e := setup(t, Options{JobTime: 10 * time.Second})
	web := byLabel(t, e.s, "web-01")
	status, _, b := e.do("POST", "/settings/disks/"+strconv.Itoa(web.Disks[0].ID)+"/backups.json", `{"backup":{"note":"pre-deploy"}}`)
	if status != http.StatusCreated {
		t.Fatalf("%d %s", status, b)
	}
	var w map[string]obj
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	nb := w["backup"]
	if nb["built"] != false || nb["built_at"] != nil || num(nb["backup_size"]) != 0 || nb["initiated"] != "manual" ||
		nb["backup_type"] != "normal" || nb["note"] != "pre-deploy" || nb["created_at"] != "2026-11-20T12:00:00+00:00" {
		t.Fatalf("new: %v", nb)
	}
	id := num(nb["id"])
	e.c.Set(9 * time.Second)
	if b := e.backup(id); b["built"] != false {
		t.Fatalf("built early: %v", b)
	}
	e.c.Set(10 * time.Second)
	got := e.backup(id)
	if got["built"] != true || got["built_at"] != "2026-11-20T12:00:10+00:00" || num(got["backup_size"]) <= 0 ||
		got["updated_at"] != "2026-11-20T12:00:10+00:00" {
		t.Fatalf("built: %v", got)
	}

	// Incremental: the whole VM, where the VM supports it.
	db := byLabel(t, e.s, "db-master")
	status, _, b = e.do("POST", "/virtual_machines/"+strconv.Itoa(db.ID)+"/backups.json", "")
	if status != http.StatusCreated || !strings.Contains(string(b), `"backup_type":"incremental"`) ||
		!strings.Contains(string(b), `"target_type":"VirtualMachine"`) || !strings.Contains(string(b), `"note":null`) {
		t.Fatalf("incremental: %d %s", status, b)
	}

	refusals := []struct {
		path, body, want string
	}{
		{"/virtual_machines/" + strconv.Itoa(web.ID) + "/backups.json", "", reasonNoIncremental},
		{"/settings/disks/" + strconv.Itoa(web.Disks[1].ID) + "/backups.json", "", reasonSwap},
		{"/settings/disks/" + strconv.Itoa(byLabel(t, e.s, "staging-api").Disks[0].ID) + "/backups.json", "", reasonVMLocked},
		{"/settings/disks/" + strconv.Itoa(byLabel(t, e.s, "k8s-worker-7").Disks[0].ID) + "/backups.json", "", reasonVMNotBuilt},
	}
	for _, r := range refusals {
		status, _, b := e.do("POST", r.path, r.body)
		if status != http.StatusUnprocessableEntity || string(b) != `{"errors":{"base":["`+r.want+`"]}}` {
			t.Fatalf("POST %s: %d %s", r.path, status, b)
		}
	}
	status, _, b = e.do("POST", "/settings/disks/"+strconv.Itoa(web.Disks[0].ID)+"/backups.json", `{"backup":{"note":"`+strings.Repeat("n", 256)+`"}}`)
	if status != 422 || string(b) != `{"errors":{"note":["is too long (maximum is 255 characters)"]}}` {
		t.Fatalf("long note: %d %s", status, b)
	}
	status, _, b = e.do("POST", "/settings/disks/"+strconv.Itoa(web.Disks[0].ID)+"/backups.json", `{"backup":`)
	if status != 400 || !strings.Contains(string(b), reasonInvalidJSON) {
		t.Fatalf("bad JSON: %d %s", status, b)
	}
	if status, _, _ := e.do("POST", "/settings/disks/999999/backups.json", ""); status != 404 {
		t.Fatal(status)
	}
	if n := e.s.MutationsTo("/backups.json"); n != 9 {
		t.Fatalf("mutations counted: %d", n)
	}
}

// A restore locks the backup and the VM, and powers the VM off, for the job
// time; then both are free again.
func TestRestore(t *testing.T) {
	e := setup(t, Options{JobTime: 8 * time.Second})
	web := byLabel(t, e.s, "web-01")
	bid := web.Backups[len(web.Backups)-1].ID
	status, _, b := e.do("POST", "/backups/"+strconv.Itoa(bid)+"/restore.json", "")
	if status != http.StatusCreated || len(b) != 0 {
		t.Fatalf("%d %s", status, b)
	}
	e.c.Set(4 * time.Second)
	if b := e.backup(bid); b["locked"] != true {
		t.Fatalf("backup not locked: %v", b)
	}
	if v := e.vm(web.ID); v["locked"] != true || v["booted"] != false {
		t.Fatalf("VM during restore: %v", v)
	}
	// Locked: no second restore, no delete, no backup of the VM.
	for _, c := range []struct{ method, path, want string }{
		{"POST", "/backups/" + strconv.Itoa(bid) + "/restore.json", reasonLocked},
		{"DELETE", "/backups/" + strconv.Itoa(bid) + ".json", reasonDeleteLocked},
		{"POST", "/backups/" + strconv.Itoa(web.Backups[0].ID) + "/restore.json", reasonVMLocked},
		{"POST", "/settings/disks/" + strconv.Itoa(web.Disks[0].ID) + "/backups.json", reasonVMLocked},
	} {
		status, _, b := e.do(c.method, c.path, "")
		if status != 422 || string(b) != `{"errors":{"base":["`+c.want+`"]}}` {
			t.Fatalf("%s %s: %d %s", c.method, c.path, status, b)
		}
	}
	e.c.Set(8 * time.Second)
	if b := e.backup(bid); b["locked"] != false || b["updated_at"] != "2026-11-20T12:00:08+00:00" {
		t.Fatalf("backup after: %v", b)
	}
	if v := e.vm(web.ID); v["locked"] != false || v["booted"] != true {
		t.Fatalf("VM after: %v", v)
	}
	// Not built yet: refused.
	db := byLabel(t, e.s, "db-master")
	running := db.Backups[len(db.Backups)-1].ID
	status, _, b = e.do("POST", "/backups/"+strconv.Itoa(running)+"/restore.json", "")
	if status != 422 || !strings.Contains(string(b), reasonNotBuilt) {
		t.Fatalf("%d %s", status, b)
	}
}

func TestDeleteAndNote(t *testing.T) {
	e := setup(t, Options{})
	web := byLabel(t, e.s, "web-01")
	bid := web.Backups[0].ID
	status, _, b := e.do("PUT", "/backups/"+strconv.Itoa(bid)+".json", `{"backup":{"note":"keep: last before Debian 13"}}`)
	if status != http.StatusNoContent || len(b) != 0 {
		t.Fatalf("%d %s", status, b)
	}
	if got := e.backup(bid); got["note"] != "keep: last before Debian 13" {
		t.Fatal(got)
	}
	status, _, b = e.do("PUT", "/backups/"+strconv.Itoa(bid)+".json", `{"backup":{"note":"`+strings.Repeat("é", 256)+`"}}`)
	if status != 422 || !strings.Contains(string(b), `"note":["is too long`) {
		t.Fatalf("%d %s", status, b)
	}
	if status, _, _ := e.do("PUT", "/backups/1.json", `{"backup":{"note":"x"}}`); status != 404 {
		t.Fatal(status)
	}

	status, _, b = e.do("DELETE", "/backups/"+strconv.Itoa(bid)+".json", "")
	if status != http.StatusNoContent || len(b) != 0 {
		t.Fatalf("%d %s", status, b)
	}
	if status, _, _ := e.do("GET", "/backups/"+strconv.Itoa(bid)+".json", ""); status != 404 {
		t.Fatal(status)
	}
	if len(e.backups(web.ID)) != 3 {
		t.Fatal("not removed from the list")
	}
	db := byLabel(t, e.s, "db-master")
	running := db.Backups[len(db.Backups)-1].ID
	status, _, b = e.do("DELETE", "/backups/"+strconv.Itoa(running)+".json", "")
	if status != 422 || string(b) != `{"errors":{"base":["`+reasonDeleteNotBuilt+`"]}}` {
		t.Fatalf("%d %s", status, b)
	}
	if status, _, _ := e.do("PATCH", "/backups/"+strconv.Itoa(running)+".json", ""); status != 405 {
		t.Fatal(status)
	}
}

// The demo has the mix the brief asks for and is the same every time.
func TestDemo(t *testing.T) {
	a, _ := json.Marshal(Demo(now))
	b, _ := json.Marshal(Demo(now))
	if string(a) != string(b) {
		t.Fatal("Demo is not deterministic")
	}
	f := Demo(now)
	var running, locked, marked, none, stale, notes, incremental, normal int
	hvs, ids := map[int]bool{}, map[int]bool{}
	for _, vm := range f.VMs {
		hvs[vm.HypervisorID] = true
		if len(vm.Backups) == 0 {
			none++
		} else if last := vm.LastBuilt(now); !last.IsZero() && now.Sub(last) > 48*time.Hour {
			stale++
		}
		for _, b := range vm.Backups {
			if ids[b.ID] {
				t.Fatalf("backup ID %d twice", b.ID)
			}
			ids[b.ID] = true
			switch {
			case !b.BuiltBy(now):
				running++
			case b.LockedAt(now):
				locked++
			}
			if b.MarkedForDelete {
				marked++
			}
			if b.Note != "" {
				notes++
			}
			if b.Type == "incremental" {
				incremental++
			} else {
				normal++
			}
		}
	}
	if running != 1 || locked != 1 || marked != 1 || none < 1 || stale < 1 || notes < 3 || incremental < 3 || normal < 3 || len(hvs) != 3 {
		t.Fatalf("running %d locked %d marked %d none %d stale %d notes %d incremental %d normal %d hypervisors %d",
			running, locked, marked, none, stale, notes, incremental, normal, len(hvs))
	}
}
