package civo

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
)

// methodIs matches the faults to one method, so the reads around a write
// are left alone.
func methodIs(m string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == m }
}

func TestGetResource(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	r, err := e.p.GetResource(ctx, e.f.Instances[11].ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Label != "redis-cache-01" || r.Region != "NYC1" || r.Status != "ACTIVE" || !r.LastSuccessful.Equal(now.Add(-2*time.Hour+4*time.Minute)) {
		t.Fatalf("%+v", r)
	}
	e.s.FailNext(1, 200, `{"hostname":"no id"}`)
	_, err = e.p.GetResource(ctx, e.f.Instances[11].ID)
	wantKind(t, err, client.ErrMalformed)
}

func TestTakeSnapshot(t *testing.T) {
	e := setup(t, nil, simcivo.Options{JobTime: 10 * time.Second}, Config{})
	k3s := e.f.Instances[2].ID
	b, err := e.p.TakeSnapshot(ctx, k3s, model.SnapshotRequest{Label: "k3s-pre-upgrade", Safe: true})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "k3s-pre-upgrade" || b.Label != "k3s-pre-upgrade" || b.ResourceID != k3s || b.Kind != model.BackupSnapshot ||
		b.Status != model.StatusPending || b.RawStatus != "new" || b.Slot != model.SlotInProgress || !b.Created.Equal(now) ||
		!b.Finished.IsZero() || b.SizeBytes != 0 {
		t.Fatalf("taken: %+v", b)
	}
	if n := e.s.MutationsTo("/v2/snapshots/k3s-pre-upgrade"); n != 1 {
		t.Fatalf("mutations = %d", n)
	}
	r, _ := e.p.GetResource(ctx, k3s)
	if r.Status != "SHUTOFF" || !r.LastSuccessful.IsZero() {
		t.Fatalf("during a safe snapshot: %+v", r)
	}
	e.clock.Add(3 * time.Second)
	bs, _ := e.p.ListBackups(ctx, k3s)
	if len(bs) != 1 || bs[0].Status != model.StatusRunning || bs[0].RawStatus != "in-progress" || bs[0].Slot != model.SlotInProgress {
		t.Fatalf("running: %+v", bs)
	}
	e.clock.Add(7 * time.Second)
	bs, _ = e.p.ListBackups(ctx, k3s)
	if len(bs) != 1 || bs[0].Status != model.StatusSuccessful || bs[0].Slot != model.SlotCurrent || bs[0].Duration() != 10*time.Second ||
		bs[0].SizeBytes == 0 {
		t.Fatalf("done: %+v", bs)
	}
	r, _ = e.p.GetResource(ctx, k3s)
	if r.Status != "ACTIVE" || !r.LastSuccessful.Equal(now.Add(10*time.Second)) {
		t.Fatalf("after: %+v", r)
	}

	// Its own snapshot of that name is overwritten (the UI confirms first).
	b, err = e.p.TakeSnapshot(ctx, k3s, model.SnapshotRequest{Label: "k3s-pre-upgrade"})
	if err != nil || b.Status != model.StatusPending {
		t.Fatalf("overwrite: %+v %v", b, err)
	}
	if got := e.s.SnapshotsOf(k3s); len(got) != 1 {
		t.Fatalf("snapshots: %v", got)
	}
	if r, _ := e.p.GetResource(ctx, k3s); r.Status != "ACTIVE" {
		t.Fatalf("an unsafe snapshot stopped the instance: %s", r.Status)
	}
}

func TestTakeSnapshotValidation(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	k3s := e.f.Instances[2].ID
	for _, name := range []string{"", "has space", "../../v2/instances", "-dash", strings.Repeat("x", 65), "a/b", "percent%2F"} {
		_, err := e.p.TakeSnapshot(ctx, k3s, model.SnapshotRequest{Label: name})
		if x := wantKind(t, err, client.ErrInvalid); len(x.Reasons) != 1 || !strings.HasPrefix(x.Reasons[0], "[name] ") {
			t.Fatalf("%q: %v", name, err)
		}
	}
	_, err := e.p.TakeSnapshot(ctx, "a/b", model.SnapshotRequest{Label: "fine"})
	wantKind(t, err, client.ErrNotFound)
	if n := e.s.Requests(); n != 0 {
		t.Fatalf("requests = %d: refused input reached the API", n)
	}

	// Another instance's snapshot name: refused after reading the list,
	// before anything is written.
	_, err = e.p.TakeSnapshot(ctx, k3s, model.SnapshotRequest{Label: "mail-2026"})
	if x := wantKind(t, err, client.ErrInvalid); !strings.Contains(err.Error(), "is a snapshot of mail") || x.Status != 0 {
		t.Fatalf("collision: %v", err)
	}
	if n := e.s.Mutations(); n != 0 {
		t.Fatalf("mutations = %d", n)
	}
	if _, ok := e.s.Snapshot("mail-2026"); !ok {
		t.Fatal("mail's snapshot is gone")
	}
}

func TestTakeSnapshotRefused(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	db := e.f.Instances[1].ID
	_, err := e.p.TakeSnapshot(ctx, db, model.SnapshotRequest{Label: "second"})
	x := wantKind(t, err, client.ErrInvalid)
	if x.Status != 400 || !strings.Contains(err.Error(), "already in progress") {
		t.Fatalf("busy: %v", err)
	}
	_, err = e.p.TakeSnapshot(ctx, "8c2b5f0e-0000-4000-8000-000000000000", model.SnapshotRequest{Label: "ghost"})
	if x = wantKind(t, err, client.ErrInvalid); len(x.Reasons) != 1 || x.Reasons[0] != "[instance_id] Failed to find the instance to snapshot" {
		t.Fatalf("unknown instance: %q", x.Reasons)
	}
	if n := e.s.Mutations(); n != 2 {
		t.Fatalf("mutations = %d, want 2", n)
	}
}

func TestTakeSnapshotAuth(t *testing.T) {
	e := setup(t, nil, simcivo.Options{Token: "other"}, Config{})
	_, err := e.p.TakeSnapshot(ctx, e.f.Instances[2].ID, model.SnapshotRequest{Label: "x1"})
	wantKind(t, err, client.ErrAuth)
	if e.s.Mutations() != 0 {
		t.Fatal("sent a write without a valid key")
	}
}

// TestWritesSentOnce: whatever befalls a write's reply, it is sent once and
// its error says whether it may have happened.
func TestWritesSentOnce(t *testing.T) {
	for _, tc := range []struct {
		fault     sim.Fault
		kind      client.ErrorKind
		happened  bool // the change was made
		uncertain bool
	}{
		{sim.FaultLost500, client.ErrServer, true, true},
		{sim.FaultLostReset, client.ErrNetwork, true, true},
		{sim.FaultTruncated, client.ErrMalformed, true, true},
		{sim.FaultWrongTypes, client.ErrMalformed, true, true},
		{sim.Fault500, client.ErrServer, false, true},
		{sim.Fault503, client.ErrServer, false, true},
		{sim.FaultReset, client.ErrNetwork, false, true},
		{sim.Fault429, client.ErrRateLimited, false, false},
		{sim.FaultHang, client.ErrTimeout, false, true},
	} {
		t.Run("take/"+tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil, simcivo.Options{}, Config{Transport: client.Transport{Timeout: 300 * time.Millisecond}})
			e.s.SetFaults(sim.Faults{Next: []sim.Fault{tc.fault}, Match: methodIs("PUT")})
			k3s := e.f.Instances[2].ID
			_, err := e.p.TakeSnapshot(ctx, k3s, model.SnapshotRequest{Label: "once"})
			wantKind(t, err, tc.kind)
			if client.Uncertain(err) != tc.uncertain {
				t.Fatalf("uncertain = %v", client.Uncertain(err))
			}
			if n := e.s.RequestsTo("/v2/snapshots/once"); n != 1 {
				t.Fatalf("PUT sent %d times", n)
			}
			if _, ok := e.s.Snapshot("once"); ok != tc.happened {
				t.Fatalf("snapshot exists = %v", ok)
			}
		})
		t.Run("delete/"+tc.fault.String(), func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil, simcivo.Options{}, Config{Transport: client.Transport{Timeout: 300 * time.Millisecond}})
			e.s.SetFaults(sim.Faults{Next: []sim.Fault{tc.fault}, Match: methodIs("DELETE")})
			err := e.p.DeleteBackup(ctx, e.f.Instances[6].ID, "mail-2026")
			if tc.fault == sim.FaultWrongTypes {
				// {"name":…,"result":"success"} becomes numbers.
				wantKind(t, err, client.ErrMalformed)
			} else {
				wantKind(t, err, tc.kind)
			}
			if n := e.s.RequestsTo("/v2/snapshots/mail-2026"); n != 1 {
				t.Fatalf("DELETE sent %d times", n)
			}
			if _, ok := e.s.Snapshot("mail-2026"); ok == tc.happened {
				t.Fatalf("snapshot still there = %v", ok)
			}
		})
	}
}

func TestDeleteBackup(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	mail := e.f.Instances[6].ID
	if err := e.p.DeleteBackup(ctx, mail, "mail-2026"); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.s.Snapshot("mail-2026"); ok {
		t.Fatal("not deleted")
	}
	if n := e.s.MutationsTo("/v2/snapshots/mail-2026"); n != 1 {
		t.Fatalf("mutations = %d", n)
	}
	bs, _ := e.p.ListBackups(ctx, mail)
	if len(bs) != 0 {
		t.Fatalf("left: %+v", bs)
	}

	// Gone now, another instance's, or an impossible name: nothing is sent.
	before := e.s.Mutations()
	for _, tc := range []struct{ id, name string }{
		{mail, "mail-2026"}, {mail, "redis-cache-01-safe"}, {mail, ""}, {"a/b", "x"},
	} {
		err := e.p.DeleteBackup(ctx, tc.id, tc.name)
		wantKind(t, err, client.ErrNotFound)
	}
	if e.s.Mutations() != before {
		t.Fatal("a refused delete was sent")
	}

	// A running snapshot cannot be deleted: the API says so.
	err := e.p.DeleteBackup(ctx, e.f.Instances[1].ID, "db-nightly-safe")
	if x := wantKind(t, err, client.ErrInvalid); x.Status != 400 || !strings.Contains(err.Error(), "still being taken") {
		t.Fatalf("running: %v", err)
	}
}

// vanisher deletes a snapshot behind the adapter's back just before its
// DELETE goes out, as another user might.
type vanisher struct {
	base    http.RoundTripper
	fired   atomic.Bool
	deletes atomic.Int32
}

func (v *vanisher) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodDelete {
		v.deletes.Add(1)
		if v.fired.CompareAndSwap(false, true) {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodDelete, r.URL.String(), nil)
			req.Header = r.Header.Clone()
			if resp, err := v.base.RoundTrip(req); err == nil {
				resp.Body.Close()
			}
		}
	}
	return v.base.RoundTrip(r)
}

func TestDeleteVanished(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	v := &vanisher{base: http.DefaultTransport}
	p, err := New(Config{Transport: client.Transport{BaseURL: e.url, HTTPClient: &http.Client{Transport: v}}, Token: token})
	if err != nil {
		t.Fatal(err)
	}
	err = p.DeleteBackup(ctx, e.f.Instances[6].ID, "mail-2026")
	if x := wantKind(t, err, client.ErrNotFound); x.Status != 404 || !strings.Contains(err.Error(), "Failed to find the snapshot") {
		t.Fatalf("vanished: %v", err)
	}
	if v.deletes.Load() != 1 {
		t.Fatalf("adapter sent %d deletes", v.deletes.Load())
	}
}

func TestDeleteNotSuccess(t *testing.T) {
	e := setup(t, nil, simcivo.Options{}, Config{})
	e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultMissing}, Match: methodIs("DELETE")})
	// FaultMissing drops the name but keeps result: still a success.
	if err := e.p.DeleteBackup(ctx, e.f.Instances[6].ID, "mail-2026"); err != nil {
		t.Fatal(err)
	}
	// A 2xx that does not say success is an uncertain outcome.
	e.s.SetFaults(sim.Faults{})
	tr := &rewriter{base: http.DefaultTransport, body: `{"name":"legacy-crm-final","result":"failed"}`}
	p, _ := New(Config{Transport: client.Transport{BaseURL: e.url, HTTPClient: &http.Client{Transport: tr}}, Token: token})
	err := p.DeleteBackup(ctx, e.f.Instances[3].ID, "legacy-crm-final")
	if wantKind(t, err, client.ErrServer); !client.Uncertain(err) || !strings.Contains(err.Error(), `"failed"`) {
		t.Fatalf("not success: %v", err)
	}
}

// rewriter replaces the body of DELETE replies.
type rewriter struct {
	base http.RoundTripper
	body string
}

func (rw *rewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rw.base.RoundTrip(r)
	if err != nil || r.Method != http.MethodDelete {
		return resp, err
	}
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(rw.body))
	resp.ContentLength = int64(len(rw.body))
	return resp, nil
}
