package superbflex

import (
	"context"
	"errors"
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
	simsf "github.com/snapdeck/snapdeck/sim/superbflex"
)

var now = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

const (
	user     = "40217"
	password = "s3cr3t-api-key-for-tests"
)

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
	s     *simsf.Server
	p     *Provider
	clock *fakeClock
	f     *simsf.Fleet
	// writes counts the requests other than GET that were sent, whether or
	// not they reached a handler.
	writes *atomic.Int64
}

// setup serves the demo fleet on a real socket, with a fake clock, and
// connects a Provider to it. wrap, when not nil, stands in front of the
// simulator.
func setup(t testing.TB, o simsf.Options, c Config, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	clk := &fakeClock{t: now}
	if o.Now == nil {
		o.Now = clk.Now
	}
	if o.User == "" {
		o.User, o.Password = user, password
	}
	f := simsf.Demo(now)
	s := simsf.New(f, o)
	var h http.Handler = s
	if wrap != nil {
		h = wrap(s)
	}
	writes := &atomic.Int64{}
	inner := h
	h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			writes.Add(1)
		}
		inner.ServeHTTP(w, r)
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if c.User == "" {
		c.User, c.Password = user, password
	}
	c.BaseURL = srv.URL
	if c.RetryWait == 0 {
		c.RetryWait = 5 * time.Millisecond
	}
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return &env{s: s, p: p, clock: clk, f: f, writes: writes}
}

func (e *env) vm(t testing.TB, label string) *simsf.VM {
	t.Helper()
	for _, vm := range e.f.VMs {
		if vm.Label == label {
			return vm
		}
	}
	t.Fatalf("no VM %q", label)
	return nil
}

func sid(n int) string { return strconv.Itoa(n) }

// wantKind checks err's kind and that no credential leaked into it.
func wantKind(t testing.TB, err error, k client.ErrorKind) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *client.Error", err, err)
	}
	if e.Kind != k {
		t.Fatalf("kind = %v, want %v (err: %v)", e.Kind, k, err)
	}
	for _, secret := range []string{password, user} {
		if strings.Contains(err.Error(), secret) {
			t.Fatalf("credential leaked: %v", err)
		}
	}
	return e
}

func TestNew(t *testing.T) {
	for _, c := range []Config{
		{User: "u", Password: "p"},
		{User: "u", Password: "p", Transport: client.Transport{BaseURL: "  "}},
		{User: "u", Transport: client.Transport{BaseURL: "https://mycp.superb.net/flexapi"}},
		{Password: "p", Transport: client.Transport{BaseURL: "https://mycp.superb.net/flexapi"}},
		{User: "u", Password: "p", Transport: client.Transport{BaseURL: "mycp.superb.net"}},
	} {
		if _, err := New(c); err == nil {
			t.Fatalf("New(%+v) = nil error", c)
		} else if strings.Contains(err.Error(), "p\"") {
			t.Fatal(err)
		}
	}
	_, err := New(Config{User: "u", Password: "p"})
	if !strings.Contains(err.Error(), "API URL is required") {
		t.Fatalf("unclear: %v", err)
	}
	p, err := New(Config{Transport: client.Transport{BaseURL: "https://mycp.superb.net/flexapi"}, User: "u", Password: "p"})
	if err != nil || p.Name() != "superbflex" || p.Info().Title != "Superb Flex Cloud" || !p.Info().DiskTarget ||
		p.Info().Caps != model.CapSnapshot|model.CapRestore|model.CapDeleteBackup|model.CapNote || p.Info().Kind != model.KindVM {
		t.Fatalf("%+v %v", p.Info(), err)
	}
}

func TestListResources(t *testing.T) {
	e := setup(t, simsf.Options{}, Config{}, nil)
	ctx := context.Background()
	rp, err := e.p.ListResources(ctx, 1, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if rp.Page != 1 || rp.Pages != 1 || rp.Total != 12 || len(rp.Items) != 12 {
		t.Fatalf("page: %d/%d total %d len %d", rp.Page, rp.Pages, rp.Total, len(rp.Items))
	}
	// The list, the disks and the user's backups: three reads in all.
	if n := e.s.Requests(); n != 3 {
		t.Fatalf("%d requests", n)
	}
	by := map[string]model.Resource{}
	for _, r := range rp.Items {
		by[r.Label] = r
	}
	web := by["web-01"]
	wv := e.vm(t, "web-01")
	newest := wv.Backups[len(wv.Backups)-1]
	if web.ID != sid(wv.ID) || web.Provider != "superbflex" || web.Kind != model.KindVM || web.Region != "HV 3" ||
		web.Status != "running" || web.Plan != "2 vCPU, 4 GB" || web.DiskMB != 42*1024 || !web.BackupsEnabled ||
		!web.LastSuccessful.Equal(newest.BuiltAt) || !web.Created.Equal(wv.Created) || web.BackupStale(now) {
		t.Fatalf("web-01: %+v (newest built %s)", web, newest.BuiltAt)
	}
	for label, want := range map[string]string{"legacy-billing-export-worker-eu-west": "stopped", "staging-api": "locked",
		"k8s-worker-7": "building", "dns-secondary": "suspended", "db-master": "running"} {
		if by[label].Status != want {
			t.Fatalf("%s: status %q, want %q", label, by[label].Status, want)
		}
	}
	if r := by["mail"]; !r.LastSuccessful.IsZero() || !r.BackupStale(now) {
		t.Fatalf("mail has no backups: %+v", r)
	}
	if r := by["legacy-billing-export-worker-eu-west"]; r.LastSuccessful.IsZero() || !r.BackupStale(now) {
		t.Fatalf("legacy is stale: %+v", r)
	}
	// An incremental backup names the VM, not a disk.
	if r := by["ci-runner-03"]; r.LastSuccessful.IsZero() || r.BackupStale(now) {
		t.Fatalf("ci-runner-03: %+v", r)
	}
	// A backup still being built does not count.
	db := e.vm(t, "db-master")
	if r := by["db-master"]; !r.LastSuccessful.Equal(db.Backups[len(db.Backups)-2].BuiltAt) {
		t.Fatalf("db-master: %s", r.LastSuccessful)
	}
	if r := by["k8s-worker-7"]; r.BackupsEnabled || r.Plan != "4 vCPU, 8 GB" {
		t.Fatalf("unbuilt VM: %+v", r)
	}

	for _, c := range []struct {
		f    client.Filter
		want int
	}{
		{client.Filter{Label: "DB-"}, 1},
		{client.Filter{Label: "web"}, 1},
		{client.Filter{Region: "hv 12"}, 4},
		{client.Filter{Region: "HV 3", Label: "ci"}, 1},
		{client.Filter{Tag: "prod"}, 0},
		{client.Filter{Label: "nothing-like-it"}, 0},
	} {
		rp, err := e.p.ListResources(ctx, 1, c.f)
		if err != nil || len(rp.Items) != c.want || rp.Total != c.want || rp.Pages != 1 {
			t.Fatalf("%+v: %d items, total %d, %v", c.f, len(rp.Items), rp.Total, err)
		}
	}
	// There is one page whatever is asked.
	if rp, err := e.p.ListResources(ctx, 3, client.Filter{}); err != nil || rp.Page != 1 || len(rp.Items) != 12 {
		t.Fatalf("page 3: %+v %v", rp, err)
	}
}

// An account that may not list disks or a user's backups still lists its
// VMs, without backup dates.
func TestListResourcesWithoutJoin(t *testing.T) {
	for _, path := range []string{"/settings/disks.json", "/users/"} {
		e := setup(t, simsf.Options{}, Config{}, func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, path) {
					w.Header().Set("Content-Type", "application/json; charset=utf-8")
					w.WriteHeader(http.StatusForbidden)
					_, _ = w.Write([]byte(`{"errors":["You do not have permissions for this action"]}`))
					return
				}
				h.ServeHTTP(w, r)
			})
		})
		rp, err := e.p.ListResources(context.Background(), 1, client.Filter{})
		if err != nil || len(rp.Items) != 12 {
			t.Fatalf("%s: %v", path, err)
		}
		for _, r := range rp.Items {
			if !r.LastSuccessful.IsZero() {
				t.Fatalf("%s: %s has a date", path, r.Label)
			}
		}
	}
	// Any other failure of the join fails the listing.
	e := setup(t, simsf.Options{}, Config{Transport: client.Transport{Retries: -1}}, nil)
	e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault503}, Match: func(r *http.Request) bool { return r.URL.Path == "/settings/disks.json" }})
	_, err := e.p.ListResources(context.Background(), 1, client.Filter{})
	wantKind(t, err, client.ErrServer)
}

func TestGetResourceAndDisks(t *testing.T) {
	e := setup(t, simsf.Options{}, Config{}, nil)
	ctx := context.Background()
	an := e.vm(t, "analytics-clickhouse-shard-2")
	r, err := e.p.GetResource(ctx, sid(an.ID))
	if err != nil || r.Label != an.Label || r.Region != "HV 12" || r.Plan != "16 vCPU, 64 GB" || r.DiskMB != 1058*1024 {
		t.Fatalf("%+v %v", r, err)
	}
	disks, err := e.p.Disks(ctx, sid(an.ID))
	if err != nil || len(disks) != 2 {
		t.Fatalf("%+v %v", disks, err)
	}
	if d := disks[0]; d.ID != sid(an.Disks[0].ID) || d.Label != "Disk 1" || d.SizeMB != 50*1024 || d.Filesystem != "primary" {
		t.Fatalf("primary: %+v", d)
	}
	if d := disks[1]; d.ID != sid(an.Disks[2].ID) || d.Label != "clickhouse-data" || d.SizeMB != 1000*1024 || d.Filesystem != "" {
		t.Fatalf("data: %+v", d)
	}
	before := e.s.Requests()
	for _, bad := range []string{"", "web-01", "-3", "0"} {
		_, err := e.p.GetResource(ctx, bad)
		wantKind(t, err, client.ErrNotFound)
		_, err = e.p.Disks(ctx, bad)
		wantKind(t, err, client.ErrNotFound)
		_, err = e.p.ListBackups(ctx, bad)
		wantKind(t, err, client.ErrNotFound)
	}
	if e.s.Requests() != before {
		t.Fatal("an impossible ID reached the API")
	}
	_, err = e.p.GetResource(ctx, "9999")
	if e := wantKind(t, err, client.ErrNotFound); e.Status != 404 || len(e.Reasons) != 1 || e.Reasons[0] != "Resource not found" {
		t.Fatalf("%+v", e)
	}
	_, err = e.p.Disks(ctx, "9999")
	wantKind(t, err, client.ErrNotFound)
}

func TestListBackups(t *testing.T) {
	e := setup(t, simsf.Options{}, Config{}, nil)
	ctx := context.Background()
	wv := e.vm(t, "web-01")
	bs, err := e.p.ListBackups(ctx, sid(wv.ID))
	if err != nil || len(bs) != 4 {
		t.Fatalf("%d %v", len(bs), err)
	}
	for i := 1; i < len(bs); i++ {
		if bs[i].Created.After(bs[i-1].Created) {
			t.Fatal("not newest first")
		}
	}
	m := bs[0]
	src := wv.Backups[len(wv.Backups)-1]
	if m.ID != sid(src.ID) || m.ResourceID != sid(wv.ID) || m.Kind != model.BackupSnapshot || m.Slot != model.SlotCurrent ||
		m.Label != "before nginx 1.26 upgrade" || m.Note != m.Label || m.Status != model.StatusSuccessful || m.RawStatus != "built" ||
		!m.Available || m.Type != "normal" || m.Locked || m.SizeBytes != int64(src.SizeKB)*1024 ||
		!m.Created.Equal(src.Created) || !m.Finished.Equal(src.BuiltAt) || m.Duration() != 9*time.Minute {
		t.Fatalf("manual: %+v", m)
	}
	st := model.Summarise(bs)
	if st.Current == nil || st.Current.ID != m.ID || st.InProgress != nil {
		t.Fatalf("summary: %+v", st)
	}
	a := bs[1]
	if a.Kind != model.BackupAutomatic || a.Slot != model.SlotNone || a.Note != "" || a.Label != "disk "+sid(wv.Disks[0].ID)+" backup "+a.ID {
		t.Fatalf("automatic: %+v", a)
	}
	fields := map[string]string{}
	for _, f := range m.Fields {
		if len(f.Name) > 14 {
			t.Fatalf("field name %q is wider than the detail view's column", f.Name)
		}
		if _, dup := fields[f.Name]; dup {
			t.Fatalf("field %q twice", f.Name)
		}
		fields[f.Name] = f.Value
	}
	for name, want := range map[string]string{
		"Backup type": "normal", "Initiated": "manual", "Built": "yes", "Built at": src.BuiltAt.Format(time.RFC3339),
		"Target": "disk " + sid(wv.Disks[0].ID), "Disk ID": sid(wv.Disks[0].ID), "Locked": "no", "For deletion": "no",
		"Data store": "lvm", "Image type": "—", "iSCSI IQN": "—", "Volume ID": "—", "Min disk size": "40 GiB",
		"Min memory": "512 MiB", "OS / distro": "linux / debian", "Template ID": "1204", "User ID": "337",
		"Resize live": "yes", "Hot migrate": "yes", "Swap allowed": "yes", "Identifier": wv.Disks[0].Identifier,
		"Backup server": "2",
	} {
		if fields[name] != want {
			t.Fatalf("field %s = %q, want %q", name, fields[name], want)
		}
	}
	if fields["Backup size"] != "6.2 GiB ("+strconv.Itoa(src.SizeKB)+" kB)" {
		t.Fatalf("size: %q", fields["Backup size"])
	}

	// Incremental backups, one still being built.
	db := e.vm(t, "db-master")
	bs, err = e.p.ListBackups(ctx, sid(db.ID))
	if err != nil || len(bs) != 6 {
		t.Fatalf("%d %v", len(bs), err)
	}
	r := bs[0]
	if r.Slot != model.SlotInProgress || r.Status != model.StatusRunning || r.RawStatus != "not built" || r.Available ||
		!r.Finished.IsZero() || r.SizeBytes != 0 || r.Type != "incremental" || r.Kind != model.BackupSnapshot {
		t.Fatalf("running: %+v", r)
	}
	if st := model.Summarise(bs); st.InProgress == nil || st.Current != nil {
		t.Fatalf("summary: %+v", st)
	}
	if l := bs[1].Label; l != "VM backup "+bs[1].ID {
		t.Fatalf("label: %q", l)
	}
	for _, f := range r.Fields {
		switch f.Name {
		case "Target":
			if f.Value != "virtual machine "+sid(db.ID) {
				t.Fatal(f)
			}
		case "Backup size", "Built at":
			if !strings.HasPrefix(f.Value, "—") {
				t.Fatal(f)
			}
		case "Initiated":
			if f.Value != "manual" {
				t.Fatal(f)
			}
		}
	}
	if f := fieldOf(bs[1], "Initiated"); f != "days (daily schedule)" {
		t.Fatalf("initiated: %q", f)
	}
	// Marked for deletion, and locked by a restore.
	cache := e.vm(t, "cache-02")
	bs, _ = e.p.ListBackups(ctx, sid(cache.ID))
	if last := bs[len(bs)-1]; fieldOf(last, "For deletion") != "yes" || fieldOf(last, "Initiated") != "months (monthly schedule)" {
		t.Fatalf("marked: %+v", last.Fields)
	}
	stg := e.vm(t, "staging-api")
	bs, _ = e.p.ListBackups(ctx, sid(stg.ID))
	var locked []model.Backup
	for _, b := range bs {
		if b.Locked {
			locked = append(locked, b)
		}
	}
	if len(locked) != 1 || fieldOf(locked[0], "Locked") != "yes" || locked[0].Slot != model.SlotCurrent ||
		locked[0].Note != "known-good before the v2 API migration" {
		t.Fatalf("locked: %+v", locked)
	}
	// None at all.
	if bs, err := e.p.ListBackups(ctx, sid(e.vm(t, "mail").ID)); err != nil || len(bs) != 0 || bs == nil {
		t.Fatalf("mail: %v %v", bs, err)
	}
	_, err = e.p.ListBackups(ctx, "9999")
	wantKind(t, err, client.ErrNotFound)
}

func fieldOf(b model.Backup, name string) string {
	for _, f := range b.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestGetBackup(t *testing.T) {
	e := setup(t, simsf.Options{}, Config{}, nil)
	ctx := context.Background()
	wv, db := e.vm(t, "web-01"), e.vm(t, "db-master")
	id := sid(wv.Backups[len(wv.Backups)-1].ID)
	b, err := e.p.GetBackup(ctx, sid(wv.ID), id)
	if err != nil || b.ID != id || b.Slot != model.SlotCurrent || b.Label != "before nginx 1.26 upgrade" {
		t.Fatalf("%+v %v", b, err)
	}
	// Another VM's backup is not this one's.
	_, err = e.p.GetBackup(ctx, sid(db.ID), id)
	wantKind(t, err, client.ErrNotFound)
	before := e.s.Requests()
	_, err = e.p.GetBackup(ctx, sid(wv.ID), "latest")
	wantKind(t, err, client.ErrNotFound)
	if e.s.Requests() != before {
		t.Fatal("an impossible ID reached the API")
	}
}

// The demo runs without sockets.
func TestInProcess(t *testing.T) {
	s := simsf.New(simsf.Demo(time.Now()), simsf.Options{})
	p, err := New(Config{Transport: client.Transport{BaseURL: "http://superbflex.demo", HTTPClient: sim.InProcess(s)}, User: simsf.DemoUser, Password: simsf.DemoPassword})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := p.ListResources(context.Background(), 1, client.Filter{})
	if err != nil || len(rp.Items) != 12 {
		t.Fatalf("%d %v", len(rp.Items), err)
	}
}
