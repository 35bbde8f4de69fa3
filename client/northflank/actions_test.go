package northflank

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simnf "github.com/snapdeck/snapdeck/sim/northflank"
)

func TestTakeSnapshot(t *testing.T) {
	e := setup(t, nil, simnf.Options{JobTime: 10 * time.Second}, Config{})
	ctx := context.Background()
	b, err := e.p.TakeSnapshot(ctx, ordersID, model.SnapshotRequest{Label: "before upgrade",
		Destinations: []model.Destination{{ID: "offsite-s3", RetentionDays: 14}}})
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "before-upgrade" || b.Kind != model.BackupSnapshot || b.Slot != model.SlotInProgress || b.RawStatus != "scheduled" ||
		b.Status != model.StatusPending || b.Type != "snapshot" || b.ResourceID != ordersID {
		t.Fatalf("new backup: %+v", b)
	}
	sb, _ := e.s.Backup("payments-platform", "orders-db", "before-upgrade")
	if len(sb.Destinations) != 1 || sb.Destinations[0] != (simnf.Destination{ID: "offsite-s3", Retention: 14}) {
		t.Fatalf("destinations sent: %+v", sb.Destinations)
	}
	e.clk.Add(5 * time.Second)
	if g, _ := e.p.GetBackup(ctx, ordersID, b.ID); g.RawStatus != "in-progress" || g.Slot != model.SlotInProgress {
		t.Fatalf("midway: %+v", g)
	}
	e.clk.Add(5 * time.Second)
	g, err := e.p.GetBackup(ctx, ordersID, b.ID)
	if err != nil || g.RawStatus != "completed" || g.Slot != model.SlotCurrent || g.SizeBytes == 0 || g.Duration() != 10*time.Second {
		t.Fatalf("done: %+v %v", g, err)
	}
	bs, _ := e.p.ListBackups(ctx, ordersID)
	if st := model.Summarise(bs); st.Current == nil || st.Current.ID != b.ID {
		t.Fatalf("current after: %+v", st.Current)
	}

	// A dump with zstd; a name the schedules would use still makes it the
	// user's own.
	b, err = e.p.TakeSnapshot(ctx, ordersID, model.SnapshotRequest{Label: "Scheduled daily backup by hand", Type: "dump", Compression: "zstd"})
	if err != nil || b.Type != "dump" || b.Kind != model.BackupSnapshot {
		t.Fatalf("dump: %+v %v", b, err)
	}
	sb, _ = e.s.Backup("payments-platform", "orders-db", b.ID)
	if sb.Compression != "zstd" || sb.Source != "liveInstance" {
		t.Fatalf("dump sent: %+v", sb)
	}
	// No name: Northflank names it.
	e.clk.Add(time.Minute)
	b, err = e.p.TakeSnapshot(ctx, "web-storefront/wp", model.SnapshotRequest{})
	if err != nil || !strings.HasPrefix(b.Label, "Backup ") {
		t.Fatalf("unnamed: %+v %v", b, err)
	}
}

func TestTakeSnapshotRefusedBeforeSending(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ctx := context.Background()
	for _, tc := range []struct {
		id     string
		req    model.SnapshotRequest
		reason string
	}{
		{ordersID, model.SnapshotRequest{Label: "ab"}, "[name]"},
		{ordersID, model.SnapshotRequest{Label: "bad__name"}, "[name]"},
		{ordersID, model.SnapshotRequest{Label: strings.Repeat("x", 40)}, "[name]"},
		{ordersID, model.SnapshotRequest{Label: "nightly", Compression: "gz"}, "[compressionType]"},
		{ordersID, model.SnapshotRequest{Label: "nightly", Type: "snapshot", Compression: "zstd"}, "[compressionType]"},
		{ordersID, model.SnapshotRequest{Label: "nightly", Type: "dump", Compression: "lz4"}, "[compressionType]"},
		{ordersID, model.SnapshotRequest{Label: "nightly", Type: "incremental"}, "[backupType]"},
		{ordersID, model.SnapshotRequest{Label: "nightly", Type: "dump", Destinations: []model.Destination{{ID: "offsite-s3"}}}, "[additionalDestinations]"},
		{ordersID, model.SnapshotRequest{Label: "nightly", Destinations: []model.Destination{{ID: "offsite-s3", RetentionDays: 121}}}, "[additionalDestinations.0]"},
		{ordersID, model.SnapshotRequest{Label: "nightly", Destinations: []model.Destination{{ID: "x"}}}, "[additionalDestinations.0]"},
		{"orders-db", model.SnapshotRequest{Label: "nightly"}, "[resource]"},
	} {
		_, err := e.p.TakeSnapshot(ctx, tc.id, tc.req)
		ce := wantKind(t, err, client.ErrInvalid)
		if len(ce.Reasons) == 0 || !strings.HasPrefix(ce.Reasons[0], tc.reason+" ") {
			t.Fatalf("%+v: %v", tc.req, ce.Reasons)
		}
	}
	if n := e.s.Requests(); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
}

func TestTakeSnapshotRefusedByAPI(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ctx := context.Background()
	_, err := e.p.TakeSnapshot(ctx, ledgerID, model.SnapshotRequest{Label: "another"})
	ce := wantKind(t, err, client.ErrInvalid)
	if ce.Status != 409 || len(ce.Reasons) != 1 || !strings.Contains(ce.Reasons[0], "already in progress") {
		t.Fatalf("conflict: %+v", ce)
	}
	// The API's field details come back field-prefixed.
	_, err = e.p.TakeSnapshot(ctx, ordersID, model.SnapshotRequest{Label: "nightly", Destinations: []model.Destination{{ID: "unknown-dest"}}})
	ce = wantKind(t, err, client.ErrInvalid)
	if ce.Status != 400 || len(ce.Reasons) != 1 || !strings.HasPrefix(ce.Reasons[0], "[additionalDestinations[0].destinationId] ") {
		t.Fatalf("details: %+v", ce.Reasons)
	}
	// Redis makes no dumps: the API records the attempt as not-supported.
	b, err := e.p.TakeSnapshot(ctx, "web-storefront/cart", model.SnapshotRequest{Label: "cart dump", Type: "dump"})
	if err != nil || b.RawStatus != "not-supported" || b.Status != model.StatusFailed || b.Slot != model.SlotNone {
		t.Fatalf("not-supported: %+v %v", b, err)
	}
}

func TestRestoreBackup(t *testing.T) {
	e := setup(t, nil, simnf.Options{RestoreTime: 10 * time.Second}, Config{})
	ctx := context.Background()
	if err := e.p.RestoreBackup(ctx, ordersID, "before-index-rebuild", ordersID, true); err != nil {
		t.Fatal(err)
	}
	if e.s.MutationsTo("/before-index-rebuild/restore") != 1 {
		t.Fatal("restore not sent once")
	}
	r, _ := e.p.GetResource(ctx, ordersID)
	if r.Status != "restore" {
		t.Fatalf("addon status %q", r.Status)
	}
	b, _ := e.p.GetBackup(ctx, ordersID, "before-index-rebuild")
	if b.LastRestore == nil || b.LastRestore.RawStatus != "scheduled" || b.LastRestore.Status != model.StatusPending {
		t.Fatalf("last restore: %+v", b.LastRestore)
	}
	err := e.p.RestoreBackup(ctx, ordersID, "pre-migration-2026-11", ordersID, true)
	ce := wantKind(t, err, client.ErrInvalid)
	if ce.Status != 409 || !strings.Contains(ce.Error(), "restore is already in progress") {
		t.Fatalf("second restore: %v", err)
	}
	e.clk.Add(10 * time.Second)
	rs, err := e.p.Restores(ctx, ordersID)
	if err != nil || len(rs) != 2 || rs[0].BackupName != "before-index-rebuild" || rs[0].Status != model.StatusSuccessful {
		t.Fatalf("history: %+v %v", rs, err)
	}

	// Refused here: another target, no overwrite, no backup ID.
	before := e.s.Mutations()
	for _, tc := range []struct {
		target    string
		overwrite bool
		backup    string
		reason    string
	}{
		{"payments-platform/ledger", true, "before-index-rebuild", "[target]"},
		{"", true, "before-index-rebuild", "[target]"},
		{ordersID, false, "before-index-rebuild", "[overwrite]"},
		{ordersID, true, "", "[backup]"},
	} {
		err := e.p.RestoreBackup(ctx, ordersID, tc.backup, tc.target, tc.overwrite)
		ce := wantKind(t, err, client.ErrInvalid)
		if !strings.HasPrefix(ce.Reasons[0], tc.reason+" ") {
			t.Fatalf("%+v: %v", tc, ce.Reasons)
		}
	}
	if e.s.Mutations() != before {
		t.Fatal("a refused restore was sent")
	}
	err = e.p.RestoreBackup(ctx, ledgerID, "quarter-close-dump", ledgerID, true)
	ce = wantKind(t, err, client.ErrInvalid)
	if ce.Status != 409 {
		t.Fatalf("running backup: %+v", ce)
	}
}

func TestAbortAndDelete(t *testing.T) {
	e := setup(t, nil, simnf.Options{AbortTime: time.Second}, Config{})
	ctx := context.Background()
	if err := e.p.AbortBackup(ctx, ledgerID, "quarter-close-dump"); err != nil {
		t.Fatal(err)
	}
	b, _ := e.p.GetBackup(ctx, ledgerID, "quarter-close-dump")
	if b.RawStatus != "aborting" || b.Status != model.StatusRunning || b.Slot != model.SlotNone {
		t.Fatalf("aborting: %+v", b)
	}
	ce := wantKind(t, e.p.AbortBackup(ctx, ledgerID, "quarter-close-dump"), client.ErrInvalid)
	if ce.Status != 409 || !strings.Contains(ce.Reasons[0], "not in progress") {
		t.Fatalf("abort twice: %+v", ce)
	}
	ce = wantKind(t, e.p.DeleteBackup(ctx, ledgerID, "quarter-close-dump"), client.ErrInvalid)
	if ce.Status != 409 {
		t.Fatalf("delete while aborting: %+v", ce)
	}
	e.clk.Add(time.Second)
	b, _ = e.p.GetBackup(ctx, ledgerID, "quarter-close-dump")
	if b.Status != model.StatusAborted {
		t.Fatalf("aborted: %+v", b)
	}
	if err := e.p.DeleteBackup(ctx, ledgerID, "quarter-close-dump"); err != nil {
		t.Fatal(err)
	}
	_, err := e.p.GetBackup(ctx, ledgerID, "quarter-close-dump")
	wantKind(t, err, client.ErrNotFound)
	wantKind(t, e.p.DeleteBackup(ctx, ledgerID, "quarter-close-dump"), client.ErrNotFound)
	wantKind(t, e.p.AbortBackup(ctx, ledgerID, "quarter-close-dump"), client.ErrNotFound)
}

// call is one adapter method, set up to succeed against a fresh Demo.
type call struct {
	name     string
	mutation string // the path suffix a mutation is sent to; "" for reads
	do       func(ctx context.Context, p *Provider) error
	on404    func(ctx context.Context, p *Provider) error
}

var calls = []call{
	{"ListResources", "", func(ctx context.Context, p *Provider) error {
		_, err := p.ListResources(ctx, 1, client.Filter{})
		return err
	}, nil},
	{"GetResource", "", func(ctx context.Context, p *Provider) error {
		_, err := p.GetResource(ctx, ordersID)
		return err
	}, func(ctx context.Context, p *Provider) error {
		_, err := p.GetResource(ctx, "payments-platform/nope")
		return err
	}},
	{"ListBackups", "", func(ctx context.Context, p *Provider) error {
		_, err := p.ListBackups(ctx, ordersID)
		return err
	}, func(ctx context.Context, p *Provider) error {
		_, err := p.ListBackups(ctx, "nope/orders-db")
		return err
	}},
	{"GetBackup", "", func(ctx context.Context, p *Provider) error {
		_, err := p.GetBackup(ctx, ordersID, "pre-migration-2026-11")
		return err
	}, func(ctx context.Context, p *Provider) error {
		_, err := p.GetBackup(ctx, ordersID, "nope")
		return err
	}},
	{"Restores", "", func(ctx context.Context, p *Provider) error {
		_, err := p.Restores(ctx, ordersID)
		return err
	}, func(ctx context.Context, p *Provider) error {
		_, err := p.Restores(ctx, "payments-platform/nope")
		return err
	}},
	{"TakeSnapshot", "/orders-db/backups", func(ctx context.Context, p *Provider) error {
		_, err := p.TakeSnapshot(ctx, ordersID, model.SnapshotRequest{Label: "fault test"})
		return err
	}, func(ctx context.Context, p *Provider) error {
		_, err := p.TakeSnapshot(ctx, "payments-platform/nope", model.SnapshotRequest{Label: "fault test"})
		return err
	}},
	{"RestoreBackup", "/before-index-rebuild/restore", func(ctx context.Context, p *Provider) error {
		return p.RestoreBackup(ctx, ordersID, "before-index-rebuild", ordersID, true)
	}, func(ctx context.Context, p *Provider) error {
		return p.RestoreBackup(ctx, ordersID, "nope", ordersID, true)
	}},
	{"AbortBackup", "/quarter-close-dump/abort", func(ctx context.Context, p *Provider) error {
		return p.AbortBackup(ctx, ledgerID, "quarter-close-dump")
	}, func(ctx context.Context, p *Provider) error {
		return p.AbortBackup(ctx, ledgerID, "nope")
	}},
	{"DeleteBackup", "/before-index-rebuild", func(ctx context.Context, p *Provider) error {
		return p.DeleteBackup(ctx, ordersID, "before-index-rebuild")
	}, func(ctx context.Context, p *Provider) error {
		return p.DeleteBackup(ctx, ordersID, "nope")
	}},
}

func TestEveryEndpoint(t *testing.T) {
	ctx := context.Background()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			e := setup(t, nil, simnf.Options{}, Config{})
			if err := c.do(ctx, e.p); err != nil {
				t.Fatalf("success: %v", err)
			}
			if c.mutation != "" && e.s.MutationsTo(c.mutation) != 1 {
				t.Fatalf("mutations to %s: %d", c.mutation, e.s.MutationsTo(c.mutation))
			}

			t.Run("401", func(t *testing.T) {
				e := setup(t, nil, simnf.Options{}, Config{Token: "wrong-token"})
				ce := wantKind(t, c.do(ctx, e.p), client.ErrAuth)
				if ce.Status != 401 || len(ce.Reasons) == 0 || !strings.Contains(ce.Reasons[0], "token") {
					t.Fatalf("%+v", ce)
				}
				if strings.Contains(ce.Error(), "wrong-token") {
					t.Fatal("token leaked")
				}
			})
			if c.on404 != nil {
				t.Run("404", func(t *testing.T) {
					e := setup(t, nil, simnf.Options{}, Config{})
					ce := wantKind(t, c.on404(ctx, e.p), client.ErrNotFound)
					if len(ce.Reasons) == 0 || !strings.Contains(ce.Reasons[0], "not found") {
						t.Fatalf("%+v", ce)
					}
				})
			}
			t.Run("429", func(t *testing.T) {
				e := setup(t, nil, simnf.Options{}, Config{Transport: client.Transport{Retries: -1}})
				e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.Fault429}, RetryAfter: 7 * time.Second})
				ce := wantKind(t, c.do(ctx, e.p), client.ErrRateLimited)
				if ce.RetryAfter != 7*time.Second || ce.Status != 429 {
					t.Fatalf("%+v", ce)
				}
				if c.mutation != "" && e.s.Mutations() != 0 {
					t.Fatal("a rate-limited mutation was made")
				}
			})
			t.Run("429 window", func(t *testing.T) {
				// The API's own limit: one request an hour here.
				e := setup(t, nil, simnf.Options{Options: sim.Options{RateLimit: 1}}, Config{Transport: client.Transport{Retries: -1}, NoPacing: true})
				_, err := e.p.ListResources(ctx, 1, client.Filter{Label: "orders"})
				ce := wantKind(t, err, client.ErrRateLimited)
				// The API asks for an hour; no server holds an account
				// longer than client.MaxRetryAfter before "r" may ask again.
				if ce.RetryAfter != client.MaxRetryAfter {
					t.Fatalf("Retry-After: %v", ce.RetryAfter)
				}
				wantKind(t, c.do(ctx, e.p), client.ErrRateLimited)
				if c.mutation != "" && e.s.Mutations() != 0 {
					t.Fatal("a rate-limited mutation was made")
				}
			})
			t.Run("malformed", func(t *testing.T) {
				e := setup(t, nil, simnf.Options{}, Config{Transport: client.Transport{Retries: -1}})
				e.s.FailNext(1, 200, `{"data": {"backups": [`)
				wantKind(t, c.do(ctx, e.p), client.ErrMalformed)
				e.s.FailNext(1, 200, `{"data": {}, "pagination": {"hasNextPage": false, "count": 0}}`)
				if err := c.do(ctx, e.p); c.mutation == "" {
					wantKind(t, err, client.ErrMalformed)
				}
			})
			t.Run("timeout", func(t *testing.T) {
				e := setup(t, nil, simnf.Options{}, Config{Transport: client.Transport{Retries: -1, Timeout: 50 * time.Millisecond}})
				e.s.HangNext(1)
				wantKind(t, c.do(ctx, e.p), client.ErrTimeout)
			})
			if c.mutation != "" {
				t.Run("lost reply", func(t *testing.T) {
					e := setup(t, nil, simnf.Options{}, Config{})
					e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultLost500}})
					err := c.do(ctx, e.p)
					wantKind(t, err, client.ErrServer)
					if !client.Uncertain(err) {
						t.Fatal("a lost reply must leave the outcome uncertain")
					}
					if n := e.s.MutationsTo(c.mutation); n != 1 {
						t.Fatalf("sent %d times", n)
					}
				})
			}
		})
	}
}

func TestLostReplyChangedState(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultLostReset}})
	_, err := e.p.TakeSnapshot(context.Background(), ordersID, model.SnapshotRequest{Label: "lost one"})
	if !client.Uncertain(err) {
		t.Fatalf("err %v", err)
	}
	if _, ok := e.s.Backup("payments-platform", "orders-db", "lost-one"); !ok || e.s.MutationsTo("/backups") != 1 {
		t.Fatal("the backup should exist, made once")
	}
}

func TestFaultsNeverPassForData(t *testing.T) {
	// Every fault that spoils a reply must surface as an error, never as an
	// empty or partial listing.
	for _, f := range []sim.Fault{sim.FaultTruncated, sim.FaultWrongTypes, sim.FaultMissing, sim.FaultHTML, sim.FaultHuge} {
		t.Run(f.String(), func(t *testing.T) {
			e := setup(t, nil, simnf.Options{}, Config{Transport: client.Transport{Retries: -1}})
			e.s.SetFaults(sim.Faults{Next: []sim.Fault{f}, HugeBytes: 9 << 20})
			if _, err := e.p.ListBackups(context.Background(), ordersID); err == nil {
				t.Fatal("no error")
			}
			e.s.SetFaults(sim.Faults{Next: []sim.Fault{sim.FaultNone, sim.FaultNone, sim.FaultNone, sim.FaultNone, sim.FaultNone, f}, HugeBytes: 9 << 20})
			if _, err := e.p.ListResources(context.Background(), 1, client.Filter{}); err == nil {
				t.Fatal("no error from a listing")
			}
		})
	}
}

// TestBackupDestinations lists the team's backup destinations, the IDs
// the form offers for "also to destination".
func TestBackupDestinations(t *testing.T) {
	e := setup(t, nil, simnf.Options{}, Config{})
	ds, err := client.Sanitized(e.p).(client.DestinationLister).BackupDestinations(context.Background())
	if err != nil || len(ds) != 2 || ds[0].ID != "offsite-s3" || ds[1].ID != "cold-archive-gcs" {
		t.Fatalf("destinations: %+v %v", ds, err)
	}
}
