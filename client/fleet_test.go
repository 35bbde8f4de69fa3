package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/linode"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// pager is a listing of pages×size resources whose reads of pages after the
// first wait at a door the test opens page by page; it counts the reads in
// flight and the most there ever were.
type pager struct {
	pages, size int
	fail        map[int]error // a page answered with an error at once
	arrived     chan int      // each held read's page, as it arrives
	release     map[int]chan struct{}
	inflight    atomic.Int64
	most        atomic.Int64
	reads       atomic.Int64
}

func newPager(pages, size int) *pager {
	p := &pager{pages: pages, size: size, fail: map[int]error{}, arrived: make(chan int, pages), release: map[int]chan struct{}{}}
	for i := 2; i <= pages; i++ {
		p.release[i] = make(chan struct{})
	}
	return p
}

func (p *pager) items(page int) []model.Resource {
	out := make([]model.Resource, p.size)
	for i := range out {
		id := strconv.Itoa((page-1)*p.size + i + 1)
		out[i] = model.Resource{ID: id, Label: "r" + id}
	}
	return out
}

func (p *pager) read(ctx context.Context, page int) (client.ResourcePage, error) {
	p.reads.Add(1)
	res := client.ResourcePage{Items: p.items(page), Page: page, Pages: p.pages, Total: p.pages * p.size}
	if page == 1 {
		return res, nil
	}
	n := p.inflight.Add(1)
	defer p.inflight.Add(-1)
	for m := p.most.Load(); n > m && !p.most.CompareAndSwap(m, n); m = p.most.Load() {
	}
	if err := p.fail[page]; err != nil {
		return client.ResourcePage{}, err
	}
	p.arrived <- page
	select {
	case <-p.release[page]:
		return res, nil
	case <-ctx.Done():
		return client.ResourcePage{}, ctx.Err()
	}
}

// waitArrived waits for n held reads and returns their pages, sorted.
func (p *pager) waitArrived(t *testing.T, n int) []int {
	t.Helper()
	var got []int
	for len(got) < n {
		select {
		case page := <-p.arrived:
			got = append(got, page)
		case <-time.After(10 * time.Second): // only ends a test that would hang
			t.Fatalf("%d reads arrived, want %d", len(got), n)
		}
	}
	slices.Sort(got)
	return got
}

func ids(rs []model.Resource) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// TestLoadPagesOrder: page 1 is delivered first, the others as they are
// answered (here last page first), and LoadAll returns every resource once,
// in list order, whatever order the pages came in.
func TestLoadPagesOrder(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const pages, size = 6, 3
	p := newPager(pages, size)
	delivered := make(chan int)
	done := make(chan error)
	go func() {
		done <- client.LoadPages(context.Background(), p.read, nil, func(page int, res client.ResourcePage) {
			if len(res.Items) != size || res.Items[0].ID != strconv.Itoa((page-1)*size+1) {
				t.Errorf("page %d delivered with %v", page, ids(res.Items))
			}
			delivered <- page
		})
	}()
	order := []int{<-delivered}
	if got := p.waitArrived(t, pages-1); !slices.Equal(got, []int{2, 3, 4, 5, 6}) {
		t.Fatalf("pages asked at once after page 1: %v", got)
	}
	for page := pages; page >= 2; page-- {
		close(p.release[page])
		order = append(order, <-delivered)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []int{1, 6, 5, 4, 3, 2}) {
		t.Fatalf("delivered %v: want page 1 first, then each as it was answered", order)
	}

	// LoadAll puts them back in list order.
	q := newPager(pages, size)
	for page := pages; page >= 2; page-- {
		close(q.release[page])
	}
	rs, err := client.LoadAll(context.Background(), pagerProvider{q}, client.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]string, pages*size)
	for i := range want {
		want[i] = strconv.Itoa(i + 1)
	}
	if got := ids(rs); !slices.Equal(got, want) {
		t.Fatalf("LoadAll order:\n got %v\nwant %v", got, want)
	}
}

// TestLoadPagesBoundsInFlight: a listing of more pages than MaxParallel
// never has more than MaxParallel reads out, and has that many while
// there are pages left to ask for.
func TestLoadPagesBoundsInFlight(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const pages = 3*client.MaxParallel + 5
	p := newPager(pages, 2)
	done := make(chan error)
	n := 0
	go func() {
		done <- client.LoadPages(context.Background(), p.read, nil, func(int, client.ResourcePage) { n++ })
	}()
	held := p.waitArrived(t, client.MaxParallel)
	arrived := len(held)
	// Answer one read at a time: each answer lets exactly one more in.
	for len(held) > 0 {
		if arrived < pages-1 {
			if got := p.inflight.Load(); got != client.MaxParallel {
				t.Fatalf("%d reads in flight with %d pages left, want %d", got, pages-1-arrived, client.MaxParallel)
			}
		}
		close(p.release[held[0]])
		held = held[1:]
		if arrived < pages-1 {
			held = append(held, p.waitArrived(t, 1)...)
			arrived++
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if most := p.most.Load(); most != client.MaxParallel {
		t.Fatalf("at most %d reads in flight, want exactly %d", most, client.MaxParallel)
	}
	if n != pages || p.reads.Load() != pages {
		t.Fatalf("%d pages delivered, %d read; want %d", n, p.reads.Load(), pages)
	}
}

// TestLoadPagesFirstErrorEndsTheRest: a failed page cancels the reads still
// out, nothing is delivered after it, and its error is what is returned.
func TestLoadPagesFirstErrorEndsTheRest(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p := newPager(8, 2)
	boom := &client.Error{Kind: client.ErrServer, Status: 502}
	p.fail[5] = boom
	var got []int
	err := client.LoadPages(context.Background(), p.read, nil, func(page int, _ client.ResourcePage) { got = append(got, page) })
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want page 5's", err)
	}
	// Pages 2–4 and 6–8 were held until the failure cancelled them.
	if !slices.Equal(got, []int{1}) {
		t.Fatalf("delivered %v, want only page 1", got)
	}
	if p.inflight.Load() != 0 {
		t.Fatalf("%d reads still out after LoadPages returned", p.inflight.Load())
	}

	// Page 1's error is returned before anything is delivered.
	e1 := errors.New("page 1 failed")
	err = client.LoadPages(context.Background(), func(context.Context, int) (client.ResourcePage, error) {
		return client.ResourcePage{}, e1
	}, nil, func(int, client.ResourcePage) { t.Fatal("delivered a page of a failed listing") })
	if err != e1 {
		t.Fatalf("err %v, want %v", err, e1)
	}
}

// TestLoadPagesCancelled: ending the caller's context ends the listing.
func TestLoadPagesCancelled(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p := newPager(30, 2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- client.LoadPages(ctx, p.read, nil, func(int, client.ResourcePage) {})
	}()
	p.waitArrived(t, client.MaxParallel)
	close(p.release[2])
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want the cancellation", err)
	}
	if p.inflight.Load() != 0 {
		t.Fatalf("%d reads still out after LoadPages returned", p.inflight.Load())
	}
	// A context ended before the start: page 1's read says so.
	_, err = client.LoadAll(ctx, pagerProvider{newPager(3, 1)}, client.Filter{})
	if err == nil {
		t.Fatal("LoadAll on an ended context succeeded")
	}
}

// TestLoadPagesBoundsThePageCount: a page 1 claiming more pages than
// MaxResources fill is refused before any other page is asked for, and a
// page 1 already read is not read again.
func TestLoadPagesBoundsThePageCount(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	var reads atomic.Int64
	read := func(_ context.Context, page int) (client.ResourcePage, error) {
		reads.Add(1)
		return client.ResourcePage{Items: make([]model.Resource, 500), Pages: 1 << 30}, nil
	}
	err := client.LoadPages(context.Background(), read, nil, func(int, client.ResourcePage) { t.Fatal("delivered a page of an absurd listing") })
	if client.KindOf(err) != client.ErrMalformed || reads.Load() != 1 {
		t.Fatalf("err %v after %d reads: want ErrMalformed after page 1 only", err, reads.Load())
	}

	q := newPager(3, 2)
	close(q.release[2])
	close(q.release[3])
	first, _ := q.read(context.Background(), 1)
	var got []int
	if err := client.LoadPages(context.Background(), q.read, &first, func(page int, _ client.ResourcePage) { got = append(got, page) }); err != nil {
		t.Fatal(err)
	}
	if q.reads.Load() != 3 || len(got) != 3 || got[0] != 1 {
		t.Fatalf("%d reads (page 1 given, want 1+2), delivered %v", q.reads.Load(), got)
	}
}

// TestLoadPagesTwoRoundTripsOfLinodes: a 10,000-Linode fleet is read in
// two waves of requests through the real adapter: page 1, then the other 19.
func TestLoadPagesTwoRoundTripsOfLinodes(t *testing.T) {
	fleet := simlinode.Seed(1, 10_000, time.Now())
	g := sim.NewGate(simlinode.New(fleet, simlinode.Options{}))
	srv := httptest.NewServer(g)
	defer srv.Close()
	defer g.OpenAll()
	p, err := linode.New(linode.Config{Transport: client.Transport{BaseURL: srv.URL}, Token: simlinode.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	type out struct {
		rs  []model.Resource
		err error
	}
	done := make(chan out, 1)
	go func() {
		rs, err := client.LoadAll(context.Background(), p, client.Filter{})
		done <- out{rs, err}
	}()
	for i, n := range []int{1, 19} {
		if got, ok := g.Wave(n, 10*time.Second); !ok {
			t.Fatalf("wave %d: %d requests at once, want %d", i+1, got, n)
		}
	}
	r := <-done
	if r.err != nil || len(r.rs) != 10_000 {
		t.Fatalf("%d resources, %v", len(r.rs), r.err)
	}
	seen := map[string]bool{}
	for i, x := range r.rs {
		if want := strconv.Itoa(fleet.Instances[i].ID); x.ID != want || seen[x.ID] {
			t.Fatalf("resource %d is %s, want %s once", i, x.ID, want)
		}
		seen[x.ID] = true
	}
}

// pagerProvider serves a pager's pages as a Provider.
type pagerProvider struct{ p *pager }

func (pp pagerProvider) Name() string             { return "pager" }
func (pp pagerProvider) Info() model.ProviderInfo { return model.ProviderInfo{} }
func (pp pagerProvider) ListResources(ctx context.Context, page int, _ client.Filter) (client.ResourcePage, error) {
	if err := ctx.Err(); err != nil {
		return client.ResourcePage{}, err
	}
	return pp.p.read(ctx, page)
}
func (pp pagerProvider) ListBackups(context.Context, string) ([]model.Backup, error) {
	return nil, fmt.Errorf("not here")
}
func (pp pagerProvider) GetBackup(context.Context, string, string) (model.Backup, error) {
	return model.Backup{}, fmt.Errorf("not here")
}
