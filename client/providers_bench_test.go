package client_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/civo"
	"github.com/snapdeck/snapdeck/client/linode"
	"github.com/snapdeck/snapdeck/client/linodedb"
	"github.com/snapdeck/snapdeck/client/northflank"
	"github.com/snapdeck/snapdeck/client/superbflex"
	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	simnorthflank "github.com/snapdeck/snapdeck/sim/northflank"
	simsuperbflex "github.com/snapdeck/snapdeck/sim/superbflex"
)

// counted is a simulator with a request counter.
type counted interface {
	http.Handler
	Requests() int64
}

// BenchmarkFirstListing measures what it costs each provider's adapter to
// list its demo account with the newest good backup of every resource (the
// list screen and the overview need both): requests sent and wall time at
// 100 ms per round trip. Linode instances are the baseline: the API gives
// last_successful in the list itself. northflank-refresh lists a second
// time on the same provider, as the overview's refresh does.
func BenchmarkFirstListing(b *testing.B) {
	const latency = 100 * time.Millisecond
	now := time.Now()
	for _, tc := range []struct {
		name string
		open func() (client.Provider, counted)
	}{
		{"linode-instances-baseline", func() (client.Provider, counted) {
			s := simlinode.New(simlinode.Demo(now), simlinode.Options{Options: sim.Options{Latency: latency}})
			p, _ := linode.New(linode.Config{Transport: client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(s)}, Token: simlinode.DemoToken})
			return p, s
		}},
		{"linode-databases", func() (client.Provider, counted) {
			s := simlinode.New(simlinode.Demo(now), simlinode.Options{Options: sim.Options{Latency: latency}})
			p, _ := linodedb.New(linodedb.Config{Transport: client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(s)}, Token: simlinode.DemoToken})
			return p, s
		}},
		{"civo", func() (client.Provider, counted) {
			s := simcivo.New(simcivo.Demo(now), simcivo.Options{Options: sim.Options{Latency: latency}})
			p, _ := civo.New(civo.Config{Transport: client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(s)}, Token: simcivo.DemoToken})
			return p, s
		}},
		{"northflank", func() (client.Provider, counted) {
			s := simnorthflank.New(simnorthflank.Demo(now), simnorthflank.Options{Options: sim.Options{Latency: latency}})
			p, _ := northflank.New(northflank.Config{Transport: client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(s)}, Token: simnorthflank.DemoToken})
			return p, s
		}},
		// The bound before round 2: 4 in flight, so the 24 per-addon reads
		// took six round trips.
		{"northflank-4-in-flight-baseline", func() (client.Provider, counted) {
			s := simnorthflank.New(simnorthflank.Demo(now), simnorthflank.Options{Options: sim.Options{Latency: latency}})
			p, _ := northflank.New(northflank.Config{Transport: client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(s)}, Token: simnorthflank.DemoToken, Parallel: 4})
			return p, s
		}},
		// A refresh: the same provider lists again, re-reading an addon's
		// own details only where they can have changed.
		{"northflank-refresh", func() (client.Provider, counted) {
			s := simnorthflank.New(simnorthflank.Demo(now), simnorthflank.Options{Options: sim.Options{Latency: latency}})
			p, _ := northflank.New(northflank.Config{Transport: client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(s)}, Token: simnorthflank.DemoToken})
			if _, err := p.ListResources(context.Background(), 1, client.Filter{}); err != nil {
				b.Fatal(err)
			}
			return p, s
		}},
		{"superbflex", func() (client.Provider, counted) {
			s := simsuperbflex.New(simsuperbflex.Demo(now), simsuperbflex.Options{Options: sim.Options{Latency: latency}})
			p, _ := superbflex.New(superbflex.Config{Transport: client.Transport{BaseURL: "http://sim", HTTPClient: sim.InProcess(s)}, User: simsuperbflex.DemoUser, Password: simsuperbflex.DemoPassword})
			return p, s
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				p, s := tc.open()
				before := s.Requests() // a refresh's first listing is not counted
				start := time.Now()
				page, err := p.ListResources(context.Background(), 1, client.Filter{})
				took := time.Since(start)
				if err != nil || len(page.Items) == 0 {
					b.Fatalf("%d resources: %v", len(page.Items), err)
				}
				known := 0
				for _, r := range page.Items {
					if !r.LastSuccessful.IsZero() {
						known++
					}
				}
				b.ReportMetric(float64(len(page.Items)), "resources")
				b.ReportMetric(float64(known), "with-last-good")
				b.ReportMetric(float64(s.Requests()-before), "requests")
				b.ReportMetric(float64(took)/float64(latency), "round-trips")
			}
		})
	}
}
