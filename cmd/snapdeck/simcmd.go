package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// simulated is what every provider's simulator offers `snapdeck sim`.
type simulated interface {
	http.Handler
	FailNext(n int, status int, body string)
	SetFaults(sim.Faults)
}

// rateFaults are the statuses --fail-rate can inject, as the simulator's
// faults (which answer after auth, as a real API would).
var rateFaults = map[int]simlinode.Fault{
	http.StatusInternalServerError: simlinode.Fault500,
	http.StatusBadGateway:          simlinode.Fault502,
	http.StatusServiceUnavailable:  simlinode.Fault503,
	http.StatusTooManyRequests:     simlinode.Fault429,
}

// defineSim: sim serves the simulated clouds over HTTP until Ctrl+C or SIGTERM.
func defineSim(c *cmdFlags) func(pos []string) int {
	serve := defineServeSim(c)
	return func(pos []string) int {
		ctx, stop := commandContext()
		defer stop()
		return serve(ctx)
	}
}

// completeSim completes --provider with the registry's words.
func completeSim(cc *cobra.Command) {
	_ = cc.RegisterFlagCompletionFunc("provider", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		out := make([]cobra.Completion, 0, len(providers))
		for _, p := range providers {
			out = append(out, cobra.CompletionWithDesc(p.Name, p.Title))
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
}

// defineServeSim defines sim's flags on c (it serves rather than connects:
// it needs none of the connection flags) and returns its run until ctx
// ends.
func defineServeSim(c *cmdFlags) func(ctx context.Context) int {
	e := c.e
	provider := c.String("provider", "linode", "which cloud: "+providerChoices())
	listen := c.String("listen", "127.0.0.1:8799", "address to serve on (host:port; port 0 picks a free one)")
	seed := c.Int64("seed", 1, "seed of the generated fixtures (seed 1 with --size 40 is the --demo account)")
	n := c.Int("size", 40, "number of Linodes (Civo: instances)")
	latency := c.Duration("latency", 0, "added to every request")
	rateLimit := c.Int("rate-limit", 0, "requests allowed per --rate-window, then 429 with Retry-After (0: unlimited)")
	rateWindow := c.Duration("rate-window", time.Minute, "the rate limit's window")
	snapTime := c.Duration("snapshot-time", 6*time.Second, "how long a snapshot takes")
	restoreTime := c.Duration("restore-time", 8*time.Second, "how long a restore takes")
	failNext := c.Int("fail-next", 0, "answer the next N authorised requests with --fail-status")
	failRate := c.Float64("fail-rate", 0, "chance (0–1) that an authorised request fails with --fail-status (429, 500, 502 or 503)")
	failStatus := c.Int("fail-status", http.StatusServiceUnavailable, "the status of injected failures")
	return func(ctx context.Context) int {
		switch {
		case *n < 0:
			return e.fail(usageError{"--size must not be negative"})
		case *failRate < 0 || *failRate > 1:
			return e.fail(usageError{"--fail-rate must be between 0 and 1"})
		case *failStatus < 400 || *failStatus > 599:
			return e.fail(usageError{"--fail-status must be a 4xx or 5xx status"})
		case *failRate > 0 && rateFaults[*failStatus] == simlinode.FaultNone:
			return e.fail(usageError{"--fail-rate injects only --fail-status 429, 500, 502 or 503"})
		}

		pv := providerNamed(*provider)
		if pv == nil {
			return e.fail(usageError{fmt.Sprintf("--provider %q is not one of %s", *provider, providerNames())})
		}
		if pv.sim.size != 0 && !c.Changed("size") {
			*n = pv.sim.size
		}
		srv, banner := pv.sim.serve(simSettings{
			now: e.now(), seed: *seed, size: *n, sized: c.Changed("size"),
			chassis:      sim.Options{Latency: *latency, RateLimit: *rateLimit, RateWindow: *rateWindow},
			snapshotTime: *snapTime, restoreTime: *restoreTime,
		})
		if *failNext > 0 {
			if f := rateFaults[*failStatus]; !pv.sim.rawFailNext && f != simlinode.FaultNone {
				// The chassis writes the fault in the provider's own error body.
				srv.SetFaults(sim.Faults{Next: sim.Burst(f, *failNext)})
			} else {
				body := fmt.Sprintf(`{"errors":[{"reason":"%s (simulated)"}]}`, http.StatusText(*failStatus))
				srv.FailNext(*failNext, *failStatus, body)
			}
		}
		if *failRate > 0 {
			srv.SetFaults(sim.Faults{Rate: *failRate, Mix: []sim.Fault{rateFaults[*failStatus]}, Seed: uint64(*seed)})
		}

		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return e.fail(err)
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		served := make(chan error, 1)
		go func() { served <- hs.Serve(ln) }()

		fmt.Fprint(e.stdout, banner("http://"+reachable(ln.Addr())))
		if *rateLimit > 0 || *failNext > 0 || *failRate > 0 || *latency > 0 {
			fmt.Fprintf(e.stdout, "  latency %s, rate limit %d per %s, fail next %d, fail rate %g, fail status %d\n",
				*latency, *rateLimit, *rateWindow, *failNext, *failRate, *failStatus)
		}

		select {
		case err := <-served:
			return e.fail(err)
		case <-ctx.Done():
		}
		// Requests hung on purpose (faults) end when their clients give up;
		// don't wait for them for long.
		sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return e.fail(err)
		}
		_ = hs.Close()
		fmt.Fprintln(e.stderr, "snapdeck sim: stopped")
		return exitOK
	}
}

// reachable is addr as a client can dial it: a wildcard host becomes the
// loopback address.
func reachable(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return net.JoinHostPort("127.0.0.1", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}
