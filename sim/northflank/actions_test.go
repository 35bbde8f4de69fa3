package northflank

import (
	"strings"
	"testing"
	"time"
)

func TestBackupProgress(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{JobTime: 10 * time.Second})
	code, _, m := h.do("POST", orders+"/backups", `{"name":"Before upgrade 2026/11/20 12:00","backupType":"snapshot","additionalDestinations":[{"destinationId":"offsite-s3","retentionTime":7,"type":"custom"}]}`)
	if code != 200 || get(m, "data", "status") != "scheduled" || get(m, "data", "id") != "before-upgrade-2026-11-20-12-00" ||
		get(m, "data", "config", "additionalDestinations", 0, "retentionTime") != float64(7) || get(m, "data", "completedAt") != nil {
		t.Fatalf("create: %d %v", code, m)
	}
	if h.s.MutationsTo("/backups") != 1 {
		t.Fatal("mutation not counted")
	}
	path := orders + "/backups/before-upgrade-2026-11-20-12-00"
	step := func(d time.Duration, want string) map[string]any {
		t.Helper()
		h.clk.Add(d)
		_, _, m := h.do("GET", path, "")
		if get(m, "data", "status") != want {
			t.Fatalf("after %v: %v", d, get(m, "data", "status"))
		}
		return m
	}
	step(time.Second, "scheduled")
	step(2*time.Second, "in-progress")
	_, _, a := h.do("GET", orders, "")
	if get(a, "data", "spec", "pendingActions", 0, "type") != "backup" {
		t.Fatalf("pending: %v", get(a, "data", "spec"))
	}
	m = step(7*time.Second, "completed")
	if get(m, "data", "completedAt") != "2026-11-20T12:00:10.000Z" || get(m, "data", "config", "size") == "0" {
		t.Fatalf("completed: %v", m)
	}
	b, _ := h.s.Backup("payments-platform", "orders-db", "before-upgrade-2026-11-20-12-00")
	a2, _ := h.s.Addon("payments-platform", "orders-db")
	if b.Status != "completed" || !a2.LastCompleted().Equal(t0.Add(10*time.Second)) {
		t.Fatalf("accessors: %+v", b)
	}

	// A second backup with the same name gets its own ID; no name gets one
	// made from the date.
	_, _, m = h.do("POST", orders+"/backups", `{"name":"Before upgrade 2026/11/20 12:00"}`)
	if get(m, "data", "id") != "before-upgrade-2026-11-20-12-00-2" {
		t.Fatalf("second ID: %v", get(m, "data", "id"))
	}
	h.clk.Add(time.Minute)
	_, _, m = h.do("POST", orders+"/backups", `{"backupType":"dump","compressionType":"zstd"}`)
	if !strings.HasPrefix(get(m, "data", "name").(string), "Backup 2026-11-20") || get(m, "data", "config", "compressionType") != "zstd" ||
		get(m, "data", "config", "source", "type") != "liveInstance" {
		t.Fatalf("dump: %v", m)
	}
}

func TestOneBackupAtATime(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	code, _, m := h.do("POST", "/v1/projects/payments-platform/addons/ledger/backups", `{}`)
	wantError(t, code, m, 409, "already in progress")
	code, _, m = h.do("POST", "/v1/projects/internal-tools/addons/grafana-postgres/backups", `{}`)
	wantError(t, code, m, 409, "paused")
}

func TestFixtureJobsResume(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	ledger := "/v1/projects/payments-platform/addons/ledger/backups/quarter-close-dump"
	_, _, m := h.do("GET", ledger, "")
	if get(m, "data", "status") != "in-progress" {
		t.Fatalf("ledger: %v", m)
	}
	_, _, m = h.do("GET", "/v1/projects/internal-tools/addons/artifacts", "")
	if get(m, "data", "status") != "restore" {
		t.Fatalf("artifacts: %v", get(m, "data", "status"))
	}
	h.clk.Add(15 * time.Minute)
	_, _, m = h.do("GET", ledger, "")
	if get(m, "data", "status") != "completed" || get(m, "data", "config", "size") != "3870000000" {
		t.Fatalf("ledger later: %v", m)
	}
	_, _, m = h.do("GET", "/v1/projects/internal-tools/addons/artifacts", "")
	if get(m, "data", "status") != "running" {
		t.Fatalf("artifacts later: %v", get(m, "data", "status"))
	}
	_, _, m = h.do("GET", "/v1/projects/internal-tools/addons/artifacts/backups/known-good", "")
	if get(m, "data", "lastRestore", "status") != "completed" || get(m, "data", "lastRestore", "completedAt") == nil {
		t.Fatalf("known-good: %v", m)
	}
}

func TestAbort(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{AbortTime: 2 * time.Second})
	ledger := "/v1/projects/payments-platform/addons/ledger/backups/quarter-close-dump"
	code, _, m := h.do("POST", ledger+"/abort", "")
	if code != 200 || len(m) != 1 || len(get(m, "data").(map[string]any)) != 0 {
		t.Fatalf("abort: %d %v", code, m)
	}
	_, _, m = h.do("GET", ledger, "")
	if get(m, "data", "status") != "aborting" {
		t.Fatalf("aborting: %v", m)
	}
	code, _, m = h.do("POST", ledger+"/abort", "")
	wantError(t, code, m, 409, "not in progress")
	code, _, m = h.do("DELETE", ledger, "")
	wantError(t, code, m, 409, "aborting")
	h.clk.Add(20 * time.Minute) // long past the job's own end: it stays aborted
	_, _, m = h.do("GET", ledger, "")
	if get(m, "data", "status") != "aborted" || get(m, "data", "completedAt") != "2026-11-20T12:00:02.000Z" {
		t.Fatalf("aborted: %v", m)
	}
	code, _, m = h.do("POST", orders+"/backups/pre-migration-2026-11/abort", "")
	wantError(t, code, m, 409, "not in progress")
	code, _, m = h.do("POST", orders+"/backups/nope/abort", "")
	wantError(t, code, m, 404, "Backup not found")
}

func TestRestore(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{RestoreTime: 10 * time.Second})
	bk := orders + "/backups/before-index-rebuild"
	code, _, m := h.do("POST", bk+"/restore", "")
	id, _ := get(m, "data", "restoreId").(string)
	if code != 200 || len(id) != 24 {
		t.Fatalf("restore: %d %v", code, m)
	}
	_, _, a := h.do("GET", orders, "")
	if get(a, "data", "status") != "restore" || get(a, "data", "spec", "pendingActions", 0, "type") != "restore" {
		t.Fatalf("addon: %v", a)
	}
	_, _, m = h.do("GET", bk, "")
	if get(m, "data", "lastRestore", "status") != "scheduled" || get(m, "data", "lastRestore", "restoreTimestamp") != "2026-11-20T12:00:00.000Z" {
		t.Fatalf("lastRestore: %v", m)
	}
	code, _, m = h.do("POST", orders+"/backups/pre-migration-2026-11/restore", "")
	wantError(t, code, m, 409, "restore is already in progress")
	code, _, m = h.do("DELETE", bk, "")
	wantError(t, code, m, 409, "being restored")
	code, _, m = h.do("POST", orders+"/backups", `{"name":"during restore"}`)
	wantError(t, code, m, 409, "restore")

	h.clk.Add(2 * time.Second)
	_, _, m = h.do("GET", orders+"/restores", "")
	if get(m, "data", "restores", 0, "id") != id || get(m, "data", "restores", 0, "status") != "in-progress" || get(m, "data", "restores", 0, "backupId") != "before-index-rebuild" {
		t.Fatalf("history: %v", m)
	}
	h.clk.Add(8 * time.Second)
	_, _, m = h.do("GET", orders+"/restores", "")
	if get(m, "data", "restores", 0, "status") != "completed" || get(m, "data", "restores", 0, "completedAt") != "2026-11-20T12:00:10.000Z" ||
		get(m, "pagination", "count") != float64(2) {
		t.Fatalf("history done: %v", m)
	}
	_, _, a = h.do("GET", orders, "")
	if get(a, "data", "status") != "running" {
		t.Fatalf("addon after: %v", get(a, "data", "status"))
	}

	// Refusals: a running backup, a failed one, on a busy addon.
	code, _, m = h.do("POST", "/v1/projects/payments-platform/addons/ledger/backups/quarter-close-dump/restore", "")
	wantError(t, code, m, 409, "still in-progress")
	fail := "/v1/projects/web-storefront/addons/catalog-mongo/backups/"
	_, _, l := h.do("GET", "/v1/projects/web-storefront/addons/catalog-mongo/backups", "")
	code, _, m = h.do("POST", fail+get(l, "data", "backups", 0, "id").(string)+"/restore", "")
	wantError(t, code, m, 400, "Only completed backups")
	_, _, l = h.do("GET", "/v1/projects/payments-platform/addons/ledger/backups", "")
	code, _, m = h.do("POST", "/v1/projects/payments-platform/addons/ledger/backups/"+get(l, "data", "backups", 1, "id").(string)+"/restore", "")
	wantError(t, code, m, 409, "wait for it or abort it")
	code, _, m = h.do("POST", orders+"/backups/nope/restore", "")
	wantError(t, code, m, 404, "Backup not found")
}

func TestSnapshotRestoresVersion(t *testing.T) {
	f := Demo(t0)
	a := f.Projects[0].Addons[0]
	for _, b := range a.Backups {
		if b.ID == "before-index-rebuild" {
			b.AddonVersion = "16.2"
		}
	}
	h := newHarness(t, f, Options{})
	h.do("POST", orders+"/backups/before-index-rebuild/restore", "")
	h.clk.Add(time.Minute)
	_, _, m := h.do("GET", orders, "")
	if get(m, "data", "spec", "config", "versionTag") != "16.2" {
		t.Fatalf("version: %v", get(m, "data", "spec", "config", "versionTag"))
	}
}

func TestDelete(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	bk := orders + "/backups/before-index-rebuild"
	code, _, m := h.do("DELETE", bk, "")
	if code != 200 || len(get(m, "data").(map[string]any)) != 0 {
		t.Fatalf("delete: %d %v", code, m)
	}
	code, _, m = h.do("GET", bk, "")
	wantError(t, code, m, 404, "Backup not found")
	code, _, m = h.do("DELETE", bk, "")
	wantError(t, code, m, 404, "Backup not found")
	code, _, m = h.do("DELETE", "/v1/projects/payments-platform/addons/ledger/backups/quarter-close-dump", "")
	wantError(t, code, m, 409, "in-progress")
	// The restore history keeps entries of deleted backups.
	h.do("DELETE", orders+"/backups/pre-migration-2026-11", "")
	_, _, m = h.do("GET", orders+"/restores", "")
	if get(m, "data", "restores", 0, "backupId") != "pre-migration-2026-11" {
		t.Fatalf("history: %v", m)
	}
}

func TestDumpNotSupported(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	code, _, m := h.do("POST", "/v1/projects/web-storefront/addons/cart/backups", `{"name":"cart dump","backupType":"dump"}`)
	if code != 200 || get(m, "data", "status") != "not-supported" {
		t.Fatalf("dump of redis: %d %v", code, m)
	}
	h.clk.Add(time.Hour)
	_, _, m = h.do("GET", "/v1/projects/web-storefront/addons/cart/backups/cart-dump", "")
	if get(m, "data", "status") != "not-supported" {
		t.Fatalf("later: %v", m)
	}
	code, _, m = h.do("POST", "/v1/projects/web-storefront/addons/cart/backups", `{"name":"cart snap"}`)
	if code != 200 || get(m, "data", "status") != "scheduled" {
		t.Fatalf("snapshot of redis: %d %v", code, m)
	}
}

func TestCreateValidation(t *testing.T) {
	h := newHarness(t, Demo(t0), Options{})
	for _, tc := range []struct{ body, field, msg string }{
		{`{"name":"ab"}`, "name", "at least 3"},
		{`{"name":"` + strings.Repeat("a", 40) + `"}`, "name", "less than or equal to 39"},
		{`{"name":"bad__name"}`, "name", "fails to match the required pattern"},
		{`{"name":" lead"}`, "name", "fails to match"},
		{`{"backupType":"full"}`, "backupType", "must be one of [dump, snapshot]"},
		{`{"compressionType":"gz"}`, "compressionType", "only applicable for dump"},
		{`{"backupType":"dump","compressionType":"bz2"}`, "compressionType", "must be one of [gz, zstd]"},
		{`{"backupType":"dump","additionalDestinations":[{"destinationId":"offsite-s3","type":"custom"}]}`, "additionalDestinations", "only applicable for snapshot"},
		{`{"additionalDestinations":[{"destinationId":"offsite-s3","retentionTime":121,"type":"custom"}]}`, "additionalDestinations[0].retentionTime", "less than or equal to 120"},
		{`{"additionalDestinations":[{"destinationId":"offsite-s3","retentionTime":0,"type":"custom"}]}`, "additionalDestinations[0].retentionTime", "greater than or equal to 1"},
		{`{"additionalDestinations":[{"destinationId":"offsite-s3","retentionTime":1.5,"type":"custom"}]}`, "additionalDestinations[0].retentionTime", "integer"},
		{`{"additionalDestinations":[{"destinationId":"offsite-s3"}]}`, "additionalDestinations[0].type", "is required"},
		{`{"additionalDestinations":[{"destinationId":"offsite-s3","type":"s3"}]}`, "additionalDestinations[0].type", "must be [custom]"},
		{`{"additionalDestinations":[{"type":"custom"}]}`, "additionalDestinations[0].destinationId", "is required"},
		{`{"additionalDestinations":[{"destinationId":"no such","type":"custom"}]}`, "additionalDestinations[0].destinationId", "fails to match"},
		{`{"additionalDestinations":[{"destinationId":"unknown-dest","type":"custom"}]}`, "additionalDestinations[0].destinationId", "no backup destination"},
		{`{"surprise":1}`, "surprise", "is not allowed"},
		{`{"name":7}`, "name", "must be a string"},
		{`[1,2`, "body", "JSON object"},
	} {
		code, _, m := h.do("POST", orders+"/backups", tc.body)
		if code != 400 {
			t.Fatalf("%s: %d %v", tc.body, code, m)
		}
		msgs, _ := get(m, "error", "details", tc.field).([]any)
		if len(msgs) == 0 || !strings.Contains(msgs[0].(string), tc.msg) {
			t.Fatalf("%s: details %v", tc.body, get(m, "error", "details"))
		}
	}
	_, _, m := h.do("GET", orders+"/backups?per_page=100", "")
	if get(m, "pagination", "count") != float64(7) {
		t.Fatalf("a refused request made a backup: %v", get(m, "pagination", "count"))
	}
}
