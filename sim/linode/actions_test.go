package linode

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

// clock is a fake Options.Now that tests move by hand.
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

// send serves one request with a JSON body and decodes the reply into out.
func send(t *testing.T, s http.Handler, method, target, body string, out any) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+DemoToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, target, err, rec.Body)
		}
	}
	return rec
}

// refused checks a 400 with exactly one reason naming field.
func refused(t *testing.T, rec *httptest.ResponseRecorder, status int, field, reason string) {
	t.Helper()
	var e errBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("%v in %s", err, rec.Body)
	}
	if rec.Code != status || len(e.Errors) != 1 || e.Errors[0].Field != field || !strings.Contains(e.Errors[0].Reason, reason) {
		t.Fatalf("got %d %+v, want %d [%s] %q", rec.Code, e, status, field, reason)
	}
}

func inst(id int) string { return "/v4/linode/instances/" + strconv.Itoa(id) }

type eventsPage struct {
	Data    []eventJSON `json:"data"`
	Page    int         `json:"page"`
	Pages   int         `json:"pages"`
	Results int         `json:"results"`
}

func events(t *testing.T, s http.Handler, filter string) []eventJSON {
	t.Helper()
	var p eventsPage
	rec := do(t, s, "GET", "/v4/account/events", map[string]string{"X-Filter": filter}, &p)
	if rec.Code != 200 {
		t.Fatalf("events %s: %d %s", filter, rec.Code, rec.Body)
	}
	return p.Data
}

func TestSnapshotLifecycle(t *testing.T) {
	c := &clock{t: now}
	f := Demo(now)
	web := f.Instances[0]
	oldID := web.Current.ID
	s := New(f, Options{Options: sim.Options{Now: c.Now}, SnapshotTime: 10 * time.Second})

	var b backupJSON
	rec := send(t, s, "POST", inst(web.ID)+"/backups", `{"label":"before-upgrade"}`, &b)
	if rec.Code != 200 || b.Status != "pending" || b.Type != "snapshot" || b.Finished != nil || *b.Label != "before-upgrade" ||
		len(b.Disks) != 2 || b.Disks[0].Size != 25600 || len(b.Configs) != 1 || b.Available {
		t.Fatalf("create: %d %+v", rec.Code, b)
	}
	state := func() (Instance, eventJSON) {
		t.Helper()
		in, _ := s.Instance(web.ID)
		ev := events(t, s, `{"entity.id":`+strconv.Itoa(web.ID)+`,"action":"linode_snapshot"}`)
		if len(ev) != 1 {
			t.Fatalf("events: %+v", ev)
		}
		return in, ev[0]
	}

	c.Set(time.Second)
	in, ev := state()
	if in.InProgress == nil || in.InProgress.ID != b.ID || in.InProgress.Status != "pending" || in.Current.ID != oldID {
		t.Fatalf("at 10%%: %+v", in.InProgress)
	}
	if ev.Status != "started" || *ev.PercentComplete != 10 || ev.Entity.ID != web.ID || ev.Entity.Type != "linode" || ev.SecondaryEntity != nil ||
		ev.TimeRemaining == nil || *ev.TimeRemaining != "0:00:09" {
		t.Fatalf("event at 10%%: %+v", ev)
	}

	c.Set(5 * time.Second)
	in, ev = state()
	if in.InProgress.Status != "running" || *ev.PercentComplete != 50 || in.InProgress.Updated != now.Add(2*time.Second) {
		t.Fatalf("at 50%%: %+v %+v", in.InProgress, ev)
	}
	refused(t, send(t, s, "POST", inst(web.ID)+"/backups", `{"label":"again"}`, nil), 400, "", reasonInProgress)

	c.Set(time.Minute)
	in, ev = state()
	if in.InProgress != nil || in.Current == nil || in.Current.ID != b.ID || in.Current.Status != "successful" || !in.Current.Available ||
		!in.Current.Finished.Equal(now.Add(10*time.Second)) {
		t.Fatalf("done: %+v %+v", in.Current, in.InProgress)
	}
	if ev.Status != "finished" || *ev.PercentComplete != 100 || ev.TimeRemaining != nil || ev.Duration != 10 {
		t.Fatalf("event done: %+v", ev)
	}
	if !in.LastSuccessful().Equal(now.Add(10 * time.Second)) {
		t.Fatalf("last successful: %s", in.LastSuccessful())
	}
	// The old snapshot is gone for good.
	if rec := do(t, s, "GET", inst(web.ID)+"/backups/"+strconv.Itoa(oldID), nil, nil); rec.Code != 404 {
		t.Fatalf("old snapshot: %d", rec.Code)
	}
	var raw map[string]any
	do(t, s, "GET", inst(web.ID), nil, &raw)
	if raw["backups"].(map[string]any)["last_successful"] != fmtTime(now.Add(10*time.Second)) {
		t.Fatalf("wire last_successful: %v", raw["backups"])
	}
	var bk backupsJSON
	do(t, s, "GET", inst(web.ID)+"/backups", nil, &bk)
	if bk.Snapshot.InProgress != nil || bk.Snapshot.Current.ID != b.ID {
		t.Fatalf("wire backups: %+v", bk.Snapshot)
	}
	// Another snapshot can start now.
	if rec := send(t, s, "POST", inst(web.ID)+"/backups", `{"label":"next"}`, nil); rec.Code != 200 {
		t.Fatalf("next: %d %s", rec.Code, rec.Body)
	}
}

func TestSnapshotRefusals(t *testing.T) {
	f := Demo(now)
	s := New(f, Options{})
	web, db, legacy := f.Instances[0], f.Instances[1], f.Instances[2]
	for _, body := range []string{`{"label":""}`, `{}`, `{"label":null}`, `{"label":"` + strings.Repeat("x", 256) + `"}`} {
		refused(t, send(t, s, "POST", inst(web.ID)+"/backups", body, nil), 400, "label", reasonLabelLength)
	}
	refused(t, send(t, s, "POST", inst(web.ID)+"/backups", `{"label":`, nil), 400, "", reasonInvalidJSON)
	refused(t, send(t, s, "POST", inst(legacy.ID)+"/backups", `{"label":"x"}`, nil), 400, "", reasonNotEnabled)
	refused(t, send(t, s, "POST", inst(db.ID)+"/backups", `{"label":"x"}`, nil), 400, "", reasonInProgress)
	refused(t, send(t, s, "POST", inst(1)+"/backups", `{"label":"x"}`, nil), 404, "", "Not found")
	if in, _ := s.Instance(web.ID); in.InProgress != nil {
		t.Fatal("a refused snapshot changed state")
	}
	// 255 characters, counted as characters, not bytes.
	if rec := send(t, s, "POST", inst(web.ID)+"/backups", `{"label":"`+strings.Repeat("é", 255)+`"}`, nil); rec.Code != 200 {
		t.Fatalf("255: %d %s", rec.Code, rec.Body)
	}
	if s.Mutations() != 9 || s.MutationsTo("/backups") != 9 {
		t.Fatalf("mutations: %d %d", s.Mutations(), s.MutationsTo("/backups"))
	}
}

// restoreFleet is the demo plus two spare Linodes next to web-prod-01: one
// with room for its snapshot, one full.
func restoreFleet() (f *Fleet, web, roomy, full *Instance) {
	f = Demo(now)
	web = f.Instances[0]
	roomy = &Instance{ID: 7001, Label: "spare-roomy", Region: "us-east", Type: "g6-standard-2", Status: "offline",
		Specs: plans["g6-standard-2"], Disks: []Disk{{"Old Disk", 40000, "ext4"}}, Configs: []string{"Old Profile"}}
	full = &Instance{ID: 7002, Label: "spare-full", Region: "us-east", Type: "g6-standard-1", Status: "running",
		Specs: plans["g6-standard-1"], Disks: []Disk{{"Old Disk", 51200, "ext4"}}}
	f.Instances = append(f.Instances, roomy, full)
	return f, web, roomy, full
}

func TestRestore(t *testing.T) {
	c := &clock{t: now}
	f, web, roomy, full := restoreFleet()
	s := New(f, Options{Options: sim.Options{Now: c.Now}, RestoreTime: 8 * time.Second})
	snap := inst(web.ID) + "/backups/" + strconv.Itoa(web.Current.ID) + "/restore"

	var empty map[string]any
	if rec := send(t, s, "POST", snap, `{"linode_id":7001,"overwrite":false}`, &empty); rec.Code != 200 || len(empty) != 0 {
		t.Fatalf("restore: %d %s", rec.Code, rec.Body)
	}
	c.Set(2 * time.Second)
	in, _ := s.Instance(roomy.ID)
	ev := events(t, s, `{"action":"backups_restore"}`)
	if in.Status != "restoring" || len(in.Disks) != 1 || len(ev) != 1 || ev[0].Status != "started" || *ev[0].PercentComplete != 25 ||
		ev[0].Entity.ID != web.ID || ev[0].SecondaryEntity == nil || ev[0].SecondaryEntity.ID != roomy.ID || ev[0].SecondaryEntity.Label != "spare-roomy" {
		t.Fatalf("at 25%%: %s %+v", in.Status, ev)
	}
	// Busy while restoring, for a second restore and for a snapshot.
	refused(t, send(t, s, "POST", snap, `{"linode_id":7001,"overwrite":true}`, nil), 400, "", reasonBusy)

	c.Set(8 * time.Second)
	in, _ = s.Instance(roomy.ID)
	ev = events(t, s, `{"secondary_entity.id":7001}`)
	if in.Status != "offline" || len(in.Disks) != 3 || in.Disks[1].Label != "Debian 12 Disk" || in.UsedDiskMB() != 40000+26112 ||
		len(ev) != 1 || ev[0].Status != "finished" || *ev[0].PercentComplete != 100 {
		t.Fatalf("done: %+v %+v", in, ev)
	}

	// No room without overwrite; overwrite replaces the disks.
	refused(t, send(t, s, "POST", snap, `{"linode_id":7002}`, nil), 400, "overwrite", "Insufficient free space on the target Linode")
	if rec := send(t, s, "POST", snap, `{"linode_id":7002,"overwrite":true}`, nil); rec.Code != 200 {
		t.Fatalf("overwrite: %d %s", rec.Code, rec.Body)
	}
	if in, _ := s.Instance(full.ID); in.Status != "restoring" {
		t.Fatalf("overwrite target: %s", in.Status)
	}
	c.Set(20 * time.Second)
	in, _ = s.Instance(full.ID)
	if in.Status != "running" || len(in.Disks) != 2 || in.UsedDiskMB() != 26112 || in.Configs[0] != web.Current.Configs[0] {
		t.Fatalf("overwritten: %+v", in)
	}
	// The source is untouched.
	if in, _ := s.Instance(web.ID); in.Status != "running" || len(in.Disks) != 2 {
		t.Fatalf("source: %+v", in)
	}
}

func TestRestoreRefusals(t *testing.T) {
	f, web, _, _ := restoreFleet()
	s := New(f, Options{})
	db, api, analytics := f.Instances[1], f.Instances[3], f.Instances[5]
	snap := inst(web.ID) + "/backups/" + strconv.Itoa(web.Current.ID) + "/restore"

	refused(t, send(t, s, "POST", inst(web.ID)+"/backups/1/restore", `{"linode_id":7001}`, nil), 404, "", "Not found")
	refused(t, send(t, s, "POST", inst(web.ID)+"/backups/"+strconv.Itoa(db.Automatic[0].ID)+"/restore", `{"linode_id":7001}`, nil), 404, "", "Not found")
	refused(t, send(t, s, "POST", snap, `{"overwrite":true}`, nil), 400, "linode_id", reasonLinodeRequired)
	refused(t, send(t, s, "POST", snap, `{"linode_id":424242}`, nil), 400, "linode_id", "Linode 424242 was not found.")
	refused(t, send(t, s, "POST", snap, `{"linode_id":`+strconv.Itoa(db.ID)+`,"overwrite":true}`, nil), 400, "linode_id", reasonOtherRegion)
	// A failed backup, and a snapshot still being post-processed.
	refused(t, send(t, s, "POST", inst(api.ID)+"/backups/"+strconv.Itoa(api.Automatic[0].ID)+"/restore",
		`{"linode_id":`+strconv.Itoa(api.ID)+`,"overwrite":true}`, nil), 400, "", reasonNotAvailable)
	refused(t, send(t, s, "POST", inst(analytics.ID)+"/backups/"+strconv.Itoa(analytics.Current.ID)+"/restore",
		`{"linode_id":`+strconv.Itoa(analytics.ID)+`,"overwrite":true}`, nil), 400, "", reasonNotAvailable)
	// A target taking a snapshot is busy.
	refused(t, send(t, s, "POST", inst(db.ID)+"/backups/"+strconv.Itoa(db.Automatic[0].ID)+"/restore",
		`{"linode_id":`+strconv.Itoa(db.ID)+`,"overwrite":true}`, nil), 400, "", reasonBusy)
	// A backup larger than the target's plan does not fit even with overwrite.
	big := analytics.Automatic[1]
	refused(t, send(t, s, "POST", inst(analytics.ID)+"/backups/"+strconv.Itoa(big.ID)+"/restore",
		`{"linode_id":`+strconv.Itoa(f.Instances[4].ID)+`,"overwrite":true}`, nil), 400, "linode_id", "the target Linode's plan has 81920 MB")
	if len(events(t, s, `{"action":"backups_restore"}`)) != 0 {
		t.Fatal("a refused restore made an event")
	}
}

func TestEnableCancel(t *testing.T) {
	c := &clock{t: now}
	f := Demo(now)
	web, legacy := f.Instances[0], f.Instances[2]
	s := New(f, Options{Options: sim.Options{Now: c.Now}})

	for i := 0; i < 2; i++ {
		var empty map[string]any
		if rec := send(t, s, "POST", inst(legacy.ID)+"/backups/enable", "", &empty); rec.Code != 200 || len(empty) != 0 {
			t.Fatalf("enable %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	in, _ := s.Instance(legacy.ID)
	if !in.BackupsEnabled || in.ScheduleDay == "" || in.ScheduleWindow == "" {
		t.Fatalf("enabled: %+v", in)
	}
	if ev := events(t, s, `{"entity.id":`+strconv.Itoa(legacy.ID)+`}`); len(ev) != 2 || ev[0].Action != "backups_enable" || ev[0].Status != "finished" {
		t.Fatalf("enable events: %+v", ev)
	}
	// A snapshot can now be taken; cancelling kills it with the rest.
	if rec := send(t, s, "POST", inst(web.ID)+"/backups", `{"label":"doomed"}`, nil); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	c.Set(time.Second)
	if rec := send(t, s, "POST", inst(web.ID)+"/backups/cancel", "", nil); rec.Code != 200 {
		t.Fatal(rec.Body)
	}
	c.Set(time.Minute)
	in, _ = s.Instance(web.ID)
	if in.BackupsEnabled || len(in.Automatic) != 0 || in.Current != nil || in.InProgress != nil || !in.LastSuccessful().IsZero() {
		t.Fatalf("cancelled: %+v", in)
	}
	var raw map[string]any
	do(t, s, "GET", inst(web.ID), nil, &raw)
	if bk := raw["backups"].(map[string]any); bk["last_successful"] != nil || bk["enabled"] != false {
		t.Fatalf("wire: %v", bk)
	}
	var bk backupsJSON
	do(t, s, "GET", inst(web.ID)+"/backups", nil, &bk)
	if len(bk.Automatic) != 0 || bk.Snapshot.Current != nil || bk.Snapshot.InProgress != nil {
		t.Fatalf("backups after cancel: %+v", bk)
	}
	ev := events(t, s, `{"entity.id":`+strconv.Itoa(web.ID)+`}`)
	if len(ev) != 2 || ev[0].Action != "backups_cancel" || ev[1].Action != "linode_snapshot" || ev[1].Status != "failed" {
		t.Fatalf("cancel events: %+v", ev)
	}
	refused(t, send(t, s, "POST", inst(web.ID)+"/backups", `{"label":"x"}`, nil), 400, "", reasonNotEnabled)
	refused(t, send(t, s, "POST", inst(1)+"/backups/cancel", "", nil), 404, "", "Not found")
}

func TestUpdateInstance(t *testing.T) {
	f := Demo(now)
	web := f.Instances[0]
	s := New(f, Options{})
	var got instanceJSON
	rec := send(t, s, "PUT", inst(web.ID), `{"backups":{"schedule":{"day":"Monday","window":"W10"}}}`, &got)
	if rec.Code != 200 || got.ID != web.ID || *got.Backups.Schedule.Day != "Monday" || *got.Backups.Schedule.Window != "W10" || got.Label != "web-prod-01" {
		t.Fatalf("schedule: %d %+v", rec.Code, got)
	}
	// A field left out keeps its value.
	send(t, s, "PUT", inst(web.ID), `{"backups":{"schedule":{"window":"W0"}}}`, &got)
	if *got.Backups.Schedule.Day != "Monday" || *got.Backups.Schedule.Window != "W0" {
		t.Fatalf("partial: %+v", got.Backups)
	}
	refused(t, send(t, s, "PUT", inst(web.ID), `{"backups":{"schedule":{"day":"Funday","window":"W0"}}}`, nil), 400, "backups.schedule.day", "Day must be")
	refused(t, send(t, s, "PUT", inst(web.ID), `{"backups":{"schedule":{"day":"Monday","window":"W3"}}}`, nil), 400, "backups.schedule.window", "Window must be")
	var e errBody
	send(t, s, "PUT", inst(web.ID), `{"backups":{"schedule":{"day":"","window":"W24"}}}`, &e)
	if len(e.Errors) != 2 {
		t.Fatalf("both bad: %+v", e)
	}
	refused(t, send(t, s, "PUT", inst(web.ID), `{"label":"has space"}`, nil), 400, "label", reasonLinodeLabel)
	refused(t, send(t, s, "PUT", inst(web.ID), `{"label":"`+strings.Repeat("a", 65)+`"}`, nil), 400, "label", reasonLinodeLabel)
	refused(t, send(t, s, "PUT", inst(web.ID), `{"label":"db-primary"}`, nil), 400, "label", reasonLabelTaken)
	send(t, s, "PUT", inst(web.ID), `{"label":"web-prod-01.new"}`, &got)
	if got.Label != "web-prod-01.new" || *got.Backups.Schedule.Window != "W0" {
		t.Fatalf("label: %+v", got)
	}
	if in, _ := s.Instance(web.ID); in.ScheduleDay != "Monday" || in.Label != "web-prod-01.new" {
		t.Fatalf("state: %+v", in)
	}
}

func TestEventsListing(t *testing.T) {
	c := &clock{t: now}
	f := Demo(now)
	s := New(f, Options{Options: sim.Options{Now: c.Now}})
	// The fixtures' snapshots in progress already have events.
	seeded := len(events(t, s, `{}`))
	db := f.Instances[1]
	if ev := events(t, s, `{"entity.id":`+strconv.Itoa(db.ID)+`}`); len(ev) != 1 || ev[0].Action != "linode_snapshot" || ev[0].Status != "started" {
		t.Fatalf("seeded: %+v", ev)
	}
	// 30 more, one a second, over three Linodes.
	ids := []int{f.Instances[0].ID, f.Instances[2].ID, f.Instances[4].ID}
	for i := 0; i < 30; i++ {
		c.Set(time.Duration(i) * time.Second)
		send(t, s, "POST", inst(ids[i%3])+"/backups/enable", "", nil)
	}
	var p eventsPage
	do(t, s, "GET", "/v4/account/events?page_size=25", nil, &p)
	if p.Results != seeded+30 || p.Pages != 2 || len(p.Data) != 25 {
		t.Fatalf("page 1: %d/%d %d", p.Page, p.Pages, p.Results)
	}
	for i := 1; i < len(p.Data); i++ {
		if p.Data[i-1].Created < p.Data[i].Created || (p.Data[i-1].Created == p.Data[i].Created && p.Data[i-1].ID < p.Data[i].ID) {
			t.Fatalf("not newest first at %d: %+v", i, p.Data[i-1:i+1])
		}
	}
	if p.Data[0].Created != fmtTime(now.Add(29*time.Second)) || p.Data[0].Username == "" || p.Data[0].Entity.URL != inst(ids[2]) {
		t.Fatalf("newest: %+v", p.Data[0])
	}
	web := events(t, s, `{"entity.id":`+strconv.Itoa(ids[0])+`,"entity.type":"linode","+order_by":"created","+order":"desc"}`)
	if len(web) != 10 {
		t.Fatalf("entity.id: %d", len(web))
	}
	for _, e := range web {
		if e.Entity.ID != ids[0] {
			t.Fatalf("filter leak: %+v", e)
		}
	}
	if n := len(events(t, s, `{"action":"backups_enable","status":"finished"}`)); n != 30 {
		t.Fatalf("action+status: %d", n)
	}
	if n := len(events(t, s, `{"status":"started"}`)); n != seeded {
		t.Fatalf("status: %d", n)
	}
	if n := len(events(t, s, `{"entity.type":"domain"}`)); n != 0 {
		t.Fatalf("entity.type: %d", n)
	}
	var e errBody
	if rec := do(t, s, "GET", "/v4/account/events", map[string]string{"X-Filter": `{"nope":1}`}, &e); rec.Code != 400 {
		t.Fatalf("bad filter: %d", rec.Code)
	}
	if rec := do(t, s, "GET", "/v4/account/events?page_size=10", nil, &e); rec.Code != 400 {
		t.Fatalf("bad page size: %d", rec.Code)
	}
	// Read-only JSON shape, as linodego and the docs expect.
	var raw map[string]any
	do(t, s, "GET", "/v4/account/events?page_size=25", nil, &raw)
	ev0 := raw["data"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "action", "created", "entity", "secondary_entity", "percent_complete", "status", "message", "seen", "read", "username", "duration", "time_remaining"} {
		if _, ok := ev0[k]; !ok {
			t.Errorf("event lacks %q: %v", k, ev0)
		}
	}
}

func TestDelayHangMutations(t *testing.T) {
	f := Demo(now)
	web := f.Instances[0]
	s := New(f, Options{})
	srv := httptest.NewServer(s)
	defer srv.Close()
	post := func(timeout time.Duration, path, body string) (*http.Response, error) {
		req, _ := http.NewRequest("POST", srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+DemoToken)
		resp, err := (&http.Client{Timeout: timeout}).Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		return resp, err
	}

	// Hung: nothing happens, the client gives up.
	s.HangNext(1)
	start := time.Now()
	if _, err := post(100*time.Millisecond, inst(web.ID)+"/backups", `{"label":"hung"}`); err == nil {
		t.Fatal("a hung request answered")
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("hang outlived the client")
	}
	if in, _ := s.Instance(web.ID); in.InProgress != nil || s.Mutations() != 0 {
		t.Fatalf("hang changed state: %+v %d", in.InProgress, s.Mutations())
	}

	// Delayed past the client's patience: it happened anyway, once.
	s.DelayNext(1, 10*time.Second)
	if _, err := post(100*time.Millisecond, inst(web.ID)+"/backups", `{"label":"delayed"}`); err == nil {
		t.Fatal("a delayed request answered in time")
	}
	in, _ := s.Instance(web.ID)
	if in.InProgress == nil || in.InProgress.Label != "delayed" || s.Mutations() != 1 || s.MutationsTo("/backups") != 1 || s.MutationsTo("/restore") != 0 {
		t.Fatalf("delay: %+v %d", in.InProgress, s.Mutations())
	}

	// Delayed but awaited: the real answer arrives late.
	s.DelayNext(1, 50*time.Millisecond)
	start = time.Now()
	resp, err := post(5*time.Second, inst(web.ID)+"/backups", `{"label":"again"}`)
	if err != nil || resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("awaited delay: %v %v", resp, err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("reply was not delayed")
	}
	// Reads are not mutations; faults come before the handler.
	do(t, s, "GET", "/v4/linode/instances", nil, &page{})
	s.FailNext(1, 503, `{"errors":[{"reason":"down"}]}`)
	if resp, _ := post(time.Second, inst(web.ID)+"/backups/enable", ""); resp.StatusCode != 503 {
		t.Fatalf("fault: %d", resp.StatusCode)
	}
	if s.Mutations() != 2 || s.MutationsTo("/enable") != 0 {
		t.Fatalf("mutations = %d", s.Mutations())
	}
}
