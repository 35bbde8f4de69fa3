package client

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/snapdeck/snapdeck/model"
)

// account is a provider whose reads can be held in flight, counting the
// reads that reach it; its resources carry the number of writes made so
// far in their label.
type account struct {
	reader
	Unsupported
	lists   atomic.Int64
	backups atomic.Int64
	writes  atomic.Int64
	// hold, when not nil, holds every read until it is closed.
	hold chan struct{}
	// cancelled counts reads whose context ended while held.
	cancelled atomic.Int64
	fail      atomic.Bool
}

func (a *account) wait(ctx context.Context) error {
	if a.hold == nil {
		return nil
	}
	select {
	case <-a.hold:
		return nil
	case <-ctx.Done():
		a.cancelled.Add(1)
		return ContextError(ctx)
	}
}

func (a *account) ListResources(ctx context.Context, page int, f Filter) (ResourcePage, error) {
	a.lists.Add(1)
	if err := a.wait(ctx); err != nil {
		return ResourcePage{}, err
	}
	if a.fail.Load() {
		return ResourcePage{}, &Error{Kind: ErrServer, Reasons: []string{"down"}}
	}
	label := fmt.Sprintf("web-%d-w%d%s", page, a.writes.Load(), f.Label)
	return ResourcePage{Items: []model.Resource{{ID: fmt.Sprint(page), Label: label}}, Page: page, Pages: 3, Total: 3}, nil
}

func (a *account) ListBackups(ctx context.Context, id string) ([]model.Backup, error) {
	a.backups.Add(1)
	if err := a.wait(ctx); err != nil {
		return nil, err
	}
	return []model.Backup{{ID: "b1", ResourceID: id, Label: fmt.Sprintf("w%d", a.writes.Load())}}, nil
}

func (a *account) TakeSnapshot(_ context.Context, id string, req model.SnapshotRequest) (model.Backup, error) {
	a.writes.Add(1)
	return model.Backup{ID: "b-" + req.Label, ResourceID: id}, nil
}

// sessions are n readers of one account, each as a bastion session wraps
// it: its own audit identity over the shared reads.
func sessions(t *testing.T, a *account, rc *ReadCache, n int) ([]Provider, *AuditLog) {
	t.Helper()
	log, err := OpenAuditLog(filepath.Join(t.TempDir(), "audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	shared := Shared(Sanitized(a), rc)
	ps := make([]Provider, n)
	for i := range ps {
		ps[i] = AuditedAs(shared, log, "acct", map[string]string{"ssh_user": fmt.Sprint("user", i)})
	}
	return ps, log
}

// reached waits until n reads have reached the provider.
func reached(t *testing.T, n func() int64, want int64) {
	t.Helper()
	for end := time.Now().Add(10 * time.Second); n() < want; {
		if time.Now().After(end) {
			t.Fatalf("%d reads reached the provider, want %d", n(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestSharedTenReadersOneRead(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := &account{hold: make(chan struct{})}
	ps, _ := sessions(t, a, NewReadCache(time.Minute), 10)
	var wg sync.WaitGroup
	pages := make([][]ResourcePage, len(ps))
	for i, p := range ps {
		pages[i] = make([]ResourcePage, 3)
		for page := 1; page <= 3; page++ {
			wg.Go(func() {
				pg, err := p.ListResources(context.Background(), page, Filter{})
				if err != nil {
					t.Error(err)
				}
				pages[i][page-1] = pg
			})
		}
	}
	reached(t, a.lists.Load, 3)
	time.Sleep(20 * time.Millisecond) // the others join meanwhile
	close(a.hold)
	wg.Wait()
	if n := a.lists.Load(); n != 3 {
		t.Fatalf("ten readers of 3 pages sent %d reads, want 3 (one per page)", n)
	}
	for i := range pages {
		for page, pg := range pages[i] {
			if len(pg.Items) != 1 || pg.Items[0].Label != fmt.Sprintf("web-%d-w0", page+1) {
				t.Fatalf("reader %d page %d: %+v", i, page+1, pg)
			}
		}
	}
	// Each reader has a copy of its own: changing one changes no other.
	pages[0][0].Items[0].Label = "changed"
	if pages[1][0].Items[0].Label != "web-1-w0" {
		t.Fatal("readers share the result's items")
	}
	// A later reader within the freshness window reuses the read too.
	if _, err := ps[3].ListResources(context.Background(), 2, Filter{}); err != nil || a.lists.Load() != 3 {
		t.Fatalf("a fresh read was sent again: %d reads, %v", a.lists.Load(), err)
	}
	// Another filter is another read.
	pg, _ := ps[3].ListResources(context.Background(), 2, Filter{Label: "db"})
	if a.lists.Load() != 4 || pg.Items[0].Label != "web-2-w0db" {
		t.Fatalf("another filter answered by the unfiltered read: %+v (%d reads)", pg, a.lists.Load())
	}
}

func TestSharedWriteSeenByNextRead(t *testing.T) {
	a := &account{}
	ps, log := sessions(t, a, NewReadCache(time.Minute), 2)
	ctx := context.Background()
	if b, _ := ps[1].ListBackups(ctx, "1"); len(b) != 1 || b[0].Label != "w0" {
		t.Fatalf("first read: %+v", b)
	}
	if _, err := ps[0].(Actions).TakeSnapshot(ctx, "1", model.SnapshotRequest{Label: "x"}); err != nil {
		t.Fatal(err)
	}
	b, _ := ps[1].ListBackups(ctx, "1")
	if len(b) != 1 || b[0].Label != "w1" || a.backups.Load() != 2 {
		t.Fatalf("after another session's snapshot, the next read gave %+v (%d reads): stale", b, a.backups.Load())
	}
	// The audit log names the session that acted, and only it.
	recs := readLines(t, log.Path())
	if len(recs) == 0 {
		t.Fatal("nothing audited")
	}
	for _, r := range recs {
		if who, _ := r["who"].(map[string]any); who["ssh_user"] != "user0" {
			t.Fatalf("audit record names %v, want user0: %v", r["who"], r)
		}
	}
}

func TestSharedWriteDuringReadIsNotJoined(t *testing.T) {
	a := &account{hold: make(chan struct{})}
	ps, _ := sessions(t, a, NewReadCache(time.Minute), 2)
	ctx := context.Background()
	done := make(chan []model.Backup)
	go func() { b, _ := ps[0].ListBackups(ctx, "1"); done <- b }()
	reached(t, a.backups.Load, 1)
	if _, err := ps[1].(Actions).TakeSnapshot(ctx, "1", model.SnapshotRequest{Label: "x"}); err != nil {
		t.Fatal(err)
	}
	// A read begun after the write does not wait for the one begun before.
	go func() { b, _ := ps[1].ListBackups(ctx, "1"); done <- b }()
	reached(t, a.backups.Load, 2)
	close(a.hold)
	<-done
	<-done
}

func TestSharedCancelledWaiterLeavesOthers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := &account{hold: make(chan struct{})}
	ps, _ := sessions(t, a, NewReadCache(time.Minute), 2)
	first, cancel := context.WithCancel(context.Background())
	type answer struct {
		pg  ResourcePage
		err error
	}
	firstDone, secondDone := make(chan answer), make(chan answer)
	go func() { pg, err := ps[0].ListResources(first, 1, Filter{}); firstDone <- answer{pg, err} }()
	reached(t, a.lists.Load, 1)
	go func() {
		pg, err := ps[1].ListResources(context.Background(), 1, Filter{})
		secondDone <- answer{pg, err}
	}()
	time.Sleep(20 * time.Millisecond)
	cancel() // the session that sent the read leaves
	if got := <-firstDone; !errors.Is(got.err, context.Canceled) {
		t.Fatalf("the cancelled reader got %v, want its cancellation", got.err)
	}
	close(a.hold)
	got := <-secondDone
	if got.err != nil || len(got.pg.Items) != 1 {
		t.Fatalf("the other reader got %+v, %v: one session's cancel failed another's read", got.pg, got.err)
	}
	if a.lists.Load() != 1 || a.cancelled.Load() != 0 {
		t.Fatalf("%d reads sent, %d cancelled; want 1 read, none cancelled", a.lists.Load(), a.cancelled.Load())
	}
}

func TestSharedLastWaiterCallsReadOff(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := &account{hold: make(chan struct{})}
	defer close(a.hold)
	ps, _ := sessions(t, a, NewReadCache(time.Minute), 2)
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = ps[0].ListResources(ctx1, 1, Filter{}) })
	reached(t, a.lists.Load, 1)
	wg.Go(func() { _, _ = ps[1].ListResources(ctx2, 1, Filter{}) })
	time.Sleep(20 * time.Millisecond)
	cancel1()
	cancel2()
	wg.Wait()
	reached(t, a.cancelled.Load, 1) // nobody waits: the request ends
	// The next reader sends anew rather than join the abandoned read.
	a2 := make(chan error)
	go func() { _, err := ps[0].ListResources(context.Background(), 1, Filter{}); a2 <- err }()
	reached(t, a.lists.Load, 2)
	a.hold <- struct{}{}
	if err := <-a2; err != nil {
		t.Fatal(err)
	}
}

func TestSharedRead(t *testing.T) {
	ctx := context.Background()
	t.Run("errors are not kept", func(t *testing.T) {
		a := &account{}
		ps, _ := sessions(t, a, NewReadCache(time.Minute), 1)
		a.fail.Store(true)
		if _, err := ps[0].ListResources(ctx, 1, Filter{}); KindOf(err) != ErrServer {
			t.Fatalf("got %v", err)
		}
		a.fail.Store(false)
		if _, err := ps[0].ListResources(ctx, 1, Filter{}); err != nil || a.lists.Load() != 2 {
			t.Fatalf("a failed read was reused: %v, %d reads", err, a.lists.Load())
		}
	})
	t.Run("past its freshness a read is sent again", func(t *testing.T) {
		a := &account{}
		rc := NewReadCache(2 * time.Second)
		now := time.Now()
		rc.now = func() time.Time { return now }
		ps, _ := sessions(t, a, rc, 1)
		_, _ = ps[0].ListResources(ctx, 1, Filter{})
		now = now.Add(1900 * time.Millisecond)
		_, _ = ps[0].ListResources(ctx, 1, Filter{})
		if a.lists.Load() != 1 {
			t.Fatalf("%d reads within the window, want 1", a.lists.Load())
		}
		now = now.Add(200 * time.Millisecond)
		_, _ = ps[0].ListResources(ctx, 1, Filter{})
		if a.lists.Load() != 2 {
			t.Fatalf("%d reads past the window, want 2", a.lists.Load())
		}
		if sent, saved := rc.Stats(); sent != 2 || saved != 1 {
			t.Fatalf("Stats: %d sent, %d saved", sent, saved)
		}
	})
	t.Run("an explicit refresh reads after the key press", func(t *testing.T) {
		a := &account{}
		ps, _ := sessions(t, a, NewReadCache(time.Minute), 2)
		_, _ = ps[0].ListResources(ctx, 1, Filter{})
		_, _ = ps[1].ListResources(ReadAfter(ctx, time.Now()), 1, Filter{})
		if a.lists.Load() != 2 {
			t.Fatalf("a refresh was answered by an older read (%d reads)", a.lists.Load())
		}
	})
	t.Run("read-only sessions still share", func(t *testing.T) {
		a := &account{}
		rc := NewReadCache(time.Minute)
		shared := Shared(Sanitized(a), rc)
		v := ReadOnly(shared)
		_, _ = shared.ListResources(ctx, 1, Filter{})
		_, _ = v.ListResources(ctx, 1, Filter{})
		if _, err := v.(Actions).TakeSnapshot(ctx, "1", model.SnapshotRequest{}); KindOf(err) != ErrReadOnly {
			t.Fatalf("viewer's snapshot: %v", err)
		}
		if a.lists.Load() != 1 || a.writes.Load() != 0 {
			t.Fatalf("%d reads, %d writes", a.lists.Load(), a.writes.Load())
		}
	})
}
