package linode

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/linode/linodego"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// counting wraps a handler to count requests and 429 answers, and to note
// when the first rate-limit window ended.
type counting struct {
	h         http.Handler
	requests  atomic.Int64
	limited   atomic.Int64
	lateLimit atomic.Int64 // 429s after the first window
	start     time.Time
	window    time.Duration
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(s int) { r.status = s; r.ResponseWriter.WriteHeader(s) }

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.requests.Add(1)
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	c.h.ServeHTTP(rec, r)
	if rec.status == http.StatusTooManyRequests {
		c.limited.Add(1)
		if time.Since(c.start) > c.window {
			c.lateLimit.Add(1)
		}
	}
}

// BenchmarkFleetLoad loads a 10,000-Linode fleet through a simulator that
// answers each request after 200 ms: snapdeck's way (client.LoadPages, the
// loader of the TUI and the commands: page 1 at 500, then the other pages,
// client.MaxParallel at a time) against the baseline of linodego's
// sequential paging at the default page size.
func BenchmarkFleetLoad(b *testing.B) {
	const n, latency = 10_000, 200 * time.Millisecond
	fleet := simlinode.Seed(1, n, time.Now())
	b.Run("snapdeck-concurrent-500", func(b *testing.B) {
		for b.Loop() {
			c := &counting{h: simlinode.New(fleet, simlinode.Options{Options: sim.Options{Latency: latency}, Token: token})}
			srv := httptest.NewServer(c)
			p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL}, Token: token})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			var firstRows time.Duration
			var got atomic.Int64
			err = client.LoadPages(context.Background(), client.PagesOf(p, client.Filter{}), nil, func(page int, r client.ResourcePage) {
				if page == 1 {
					firstRows = time.Since(start)
				}
				got.Add(int64(len(r.Items)))
			})
			if err != nil {
				b.Fatal(err)
			}
			all := time.Since(start)
			srv.Close()
			if got.Load() != n {
				b.Fatalf("loaded %d of %d", got.Load(), n)
			}
			b.ReportMetric(float64(c.requests.Load()), "requests")
			b.ReportMetric(float64(firstRows.Milliseconds()), "ms-first-rows")
			b.ReportMetric(float64(all.Milliseconds()), "ms-whole-fleet")
			b.ReportMetric(float64(all)/float64(latency), "round-trips")
		}
	})
	b.Run("baseline-linodego-sequential-100", func(b *testing.B) {
		for b.Loop() {
			c := &counting{h: simlinode.New(fleet, simlinode.Options{Options: sim.Options{Latency: latency}, Token: token})}
			srv := httptest.NewServer(c)
			lc := linodego.NewClient(nil)
			lc.SetToken(token)
			lc.SetBaseURL(srv.URL)
			start := time.Now()
			list, err := lc.ListInstances(context.Background(), nil)
			all := time.Since(start)
			srv.Close()
			if err != nil || len(list) != n {
				b.Fatalf("loaded %d: %v", len(list), err)
			}
			b.ReportMetric(float64(c.requests.Load()), "requests")
			b.ReportMetric(float64(latency.Milliseconds()), "ms-first-rows") // one page, then nothing drawn until all are in
			b.ReportMetric(float64(all.Milliseconds()), "ms-whole-fleet")
			b.ReportMetric(float64(all)/float64(latency), "round-trips")
		}
	})
}

// BenchmarkScanRateLimited reads every Linode's backups, as the fleet scan
// does, through a simulator whose limit is Linode's scaled down in time
// (500 requests per 5 s window, 8 workers, 15 s of scanning): achieved
// rate ÷ allowed rate, and the 429s provoked. The baseline runs unpaced and
// learns the limit from 429s.
func BenchmarkScanRateLimited(b *testing.B) {
	const limit, window, workers = 500, 5 * time.Second, 8
	const run = 3 * window
	fleet := simlinode.Seed(1, 4*limit, time.Now())
	for _, tc := range []struct {
		name     string
		noPacing bool
	}{{"paced", false}, {"baseline-unpaced", true}} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				c := &counting{h: simlinode.New(fleet, simlinode.Options{Options: sim.Options{RateLimit: limit, RateWindow: window}, Token: token}), window: window}
				srv := httptest.NewServer(c)
				p, err := New(Config{Transport: client.Transport{BaseURL: srv.URL, Retries: 3}, Token: token, NoPacing: tc.noPacing})
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), run)
				var ok, failed, refused atomic.Int64
				ids := make(chan int)
				c.start = time.Now()
				var wg sync.WaitGroup
				for range workers {
					wg.Go(func() {
						for id := range ids {
							_, err := p.ListBackups(ctx, strconv.Itoa(id))
							var ce *client.Error
							switch {
							case err == nil:
								ok.Add(1)
							case errors.As(err, &ce) && ce.Kind == client.ErrRateLimited && ce.Status == 0:
								// The pacer's answer when the window outlasts the
								// run: nothing sent, the wait said at once.
								refused.Add(1)
							case ctx.Err() == nil:
								failed.Add(1)
							}
						}
					})
				}
			feed:
				for _, in := range fleet.Instances {
					select {
					case ids <- in.ID:
					case <-ctx.Done():
						break feed
					}
				}
				close(ids)
				wg.Wait()
				cancel()
				srv.Close()
				allowed := float64(limit) * float64(run) / float64(window)
				b.ReportMetric(float64(ok.Load())/allowed, "rate/allowed")
				b.ReportMetric(float64(c.limited.Load()), "429s")
				b.ReportMetric(float64(c.lateLimit.Load()), "429s-after-first-window")
				b.ReportMetric(float64(failed.Load()), "failed-reads")
				b.ReportMetric(float64(refused.Load()), "refused-past-deadline")
			}
		})
	}
}
