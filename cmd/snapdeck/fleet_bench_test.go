package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// sequentialPages is the pager listChosen used before client.LoadAll: one
// page after another. It is kept here only as the benchmarks' baseline.
func sequentialPages(ctx context.Context, p client.Provider, f client.Filter) ([]model.Resource, error) {
	var out []model.Resource
	for page := 1; ; page++ {
		pg, err := p.ListResources(ctx, page, f)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if page >= pg.Pages {
			return out, nil
		}
	}
}

// timeCommand runs `snapdeck cmd --json` in-process against a Linode
// simulator serving fleet, each request answered after latency, and
// returns how long the command took and how many requests it sent.
func timeCommand(b *testing.B, fleet *simlinode.Fleet, latency time.Duration, cmd string) (time.Duration, int64) {
	b.Helper()
	srv := simlinode.New(fleet, simlinode.Options{Options: sim.Options{Latency: latency}})
	hs := httptest.NewServer(srv)
	defer hs.Close()
	var out, errb bytes.Buffer
	e := env{stdout: &out, stderr: &errb, now: func() time.Time { return fixedNow },
		getenv: func(k string) string { return map[string]string{"LINODE_TOKEN": simlinode.DemoToken}[k] }}
	start := time.Now()
	code := e.run([]string{cmd, "--json", "--api", hs.URL})
	took := time.Since(start)
	if code != exitOK && !(cmd == "check" && code == exitFound) || out.Len() == 0 {
		b.Fatalf("%s: exit %d: %s", cmd, code, errb.String())
	}
	return took, srv.Requests()
}

// BenchmarkCLIFleetWait runs `resources --json` and `check --json` on a
// 10,000-Linode fleet through the whole command path, with no latency and
// at 100 ms a request, side by side: the difference, in units of 100 ms, is
// the round trips the command spent waiting on the API. The baseline is the
// sequential pager the commands used before, in the same run. Each figure
// is the fastest of tries runs, the two latencies taken in turn, so that a
// busy machine's pauses do not pass for waiting.
func BenchmarkCLIFleetWait(b *testing.B) {
	const n, latency, tries = 10_000, 100 * time.Millisecond, 3
	fleet := simlinode.Seed(1, n, fixedNow)
	for _, cmd := range []string{"resources", "check"} {
		for _, l := range []struct {
			name string
			list func(context.Context, client.Provider, client.Filter) ([]model.Resource, error)
		}{{"loader", client.LoadAll}, {"baseline-sequential", sequentialPages}} {
			b.Run(fmt.Sprintf("%s/%s", cmd, l.name), func(b *testing.B) {
				saved := listView
				listView = l.list
				defer func() { listView = saved }()
				for b.Loop() {
					var t0, t100 time.Duration
					var requests int64
					for i := range tries {
						d0, _ := timeCommand(b, fleet, 0, cmd)
						d100, r := timeCommand(b, fleet, latency, cmd)
						if i == 0 || d0 < t0 {
							t0 = d0
						}
						if i == 0 || d100 < t100 {
							t100 = d100
						}
						requests = r
					}
					b.ReportMetric(float64(t0.Milliseconds()), "ms-at-0ms")
					b.ReportMetric(float64(t100.Milliseconds()), "ms-at-100ms")
					b.ReportMetric(float64(t100-t0)/float64(latency), "wait-round-trips")
					b.ReportMetric(float64(requests), "requests")
				}
			})
		}
	}
}
