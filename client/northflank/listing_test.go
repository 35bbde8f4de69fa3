package northflank

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simnf "github.com/snapdeck/snapdeck/sim/northflank"
)

// inProcess serves f in process (so the test may change f between
// listings) behind a gate, with the provider's clock and the simulator's
// the same.
func inProcess(t *testing.T, f *simnf.Fleet, c Config) (*simnf.Server, *sim.Gate, *Provider, *clock) {
	t.Helper()
	clk := &clock{t: now}
	s := simnf.New(f, simnf.Options{Options: sim.Options{Now: clk.Now}, Token: token})
	g := sim.NewGate(s)
	t.Cleanup(g.OpenAll)
	c.Transport = client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(g)}
	c.Token = token
	p, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	p.now = clk.Now
	return s, g, p, clk
}

type listing struct {
	page client.ResourcePage
	err  error
}

func listAsync(p *Provider) chan listing {
	done := make(chan listing, 1)
	go func() {
		rp, err := p.ListResources(context.Background(), 1, client.Filter{})
		done <- listing{rp, err}
	}()
	return done
}

func finished(t *testing.T, done chan listing) client.ResourcePage {
	t.Helper()
	select {
	case l := <-done:
		if l.err != nil || len(l.page.Items) != 12 {
			t.Fatalf("%d addons: %v", len(l.page.Items), l.err)
		}
		return l.page
	case <-time.After(10 * time.Second):
		t.Fatal("the listing did not finish after its last round trip: it needs more")
	}
	return client.ResourcePage{}
}

// TestFirstListingThreeRoundTrips: the demo account's 12 addons in 4
// projects are listed, with every addon's newest good backup, in three
// round trips (the projects; each project's addons; each addon's own read
// and its backups, all at once), for the same 29 requests as before.
func TestFirstListingThreeRoundTrips(t *testing.T) {
	s, g, p, _ := inProcess(t, simnf.Demo(now), Config{})
	done := listAsync(p)
	for i, n := range []int{1, 4, 24} {
		if got, ok := g.Wave(n, 10*time.Second); !ok {
			t.Fatalf("round trip %d: %d requests sent together, want %d", i+1, got, n)
		}
	}
	rp := finished(t, done)
	if n := s.Requests(); n != 29 {
		t.Fatalf("%d requests, want 29", n)
	}
	if r := find(rp.Items, ordersID); r.Plan != "postgresql 16.4" || r.LastSuccessful.IsZero() || r.Created.IsZero() || r.DiskMB == 0 {
		t.Fatalf("orders-db: %+v", r)
	}
}

// TestRefreshRereadsOnlyWhatCanChange: a second listing reads the
// projects, their addons and every addon's backups again, but an addon's
// own read (creation time, version, disk) only when its status has
// changed or is not steady, or the last read is factsMaxAge old; and what
// it shows is what a fresh listing would.
func TestRefreshRereadsOnlyWhatCanChange(t *testing.T) {
	f := simnf.Demo(now)
	s, g, p, clk := inProcess(t, f, Config{})
	g.OpenAll() // no gate: only the counts matter here
	list := func(want int64) []model.Resource {
		t.Helper()
		before := s.Requests()
		rp, err := p.ListResources(context.Background(), 1, client.Filter{})
		if err != nil || len(rp.Items) != 12 {
			t.Fatalf("%d addons: %v", len(rp.Items), err)
		}
		if n := s.Requests() - before; n != want {
			t.Fatalf("%d requests, want %d", n, want)
		}
		return rp.Items
	}
	first := list(29)
	// 1 + 4 + 12 backups, and the own reads of artifacts (restore) and crm
	// (upgrading): their versions may be changing.
	if again := list(19); !reflect.DeepEqual(again, first) {
		t.Fatalf("refresh differs:\n%+v\n%+v", again, first)
	}

	// The ledger is being upgraded: its status says so, and it is re-read.
	ledger := f.Projects[0].Addons[1]
	if ledger.ID != "ledger" {
		t.Fatalf("fleet order changed: %s", ledger.ID)
	}
	ledger.Status, ledger.Version = "upgrading", "16.6"
	if r := find(list(20), ledgerID); r.Plan != "postgresql 16.6" || r.Status != "upgrading" {
		t.Fatalf("ledger while upgrading: %q %q", r.Plan, r.Status)
	}
	ledger.Status, ledger.StorageMB = "running", 2*ledger.StorageMB
	if r := find(list(20), ledgerID); r.DiskMB != ledger.StorageMB || r.Status != "running" {
		t.Fatalf("ledger after the upgrade: %d MB, %q", r.DiskMB, r.Status)
	}

	// A resize begun and ended between two listings shows once the last
	// read is factsMaxAge old.
	orders := f.Projects[0].Addons[0]
	orders.StorageMB *= 2
	list(19) // nothing says it changed: not re-read yet
	clk.Add(factsMaxAge)
	if r := find(list(29), ordersID); r.DiskMB != orders.StorageMB {
		t.Fatalf("orders-db after %v: %d MB, want %d", factsMaxAge, r.DiskMB, orders.StorageMB)
	}
}
