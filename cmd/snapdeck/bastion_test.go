package main

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// simAccount serves a simulated Linode account of n instances, each
// request taking latency, over HTTP,
// as `snapdeck serve --api` reaches it, and the getenv that holds its
// token.
func simAccount(t testing.TB, n int, latency time.Duration) (*simlinode.Server, []string, func(string) string) {
	t.Helper()
	acct := simlinode.New(simlinode.Seed(1, n, time.Now()), simlinode.Options{Options: sim.Options{Latency: latency}, Token: "bastion-held-token"})
	srv := httptest.NewServer(acct)
	t.Cleanup(srv.Close)
	return acct, []string{"--api", srv.URL}, func(k string) string {
		if k == "LINODE_TOKEN" {
			return "bastion-held-token"
		}
		return ""
	}
}

// listReads counts the reads of the instance list's pages.
func listReads(sim *simlinode.Server) int64 {
	return sim.RequestsTo("/v4/linode/instances") - sim.RequestsTo("/v4/linode/instances/")
}

// Ten people opening the same account's list over the bastion cost one
// read of each page, not ten; with the sharing off (as before) they cost
// ten.
func TestBastionSessionsShareReads(t *testing.T) {
	const sessions, instances, pages = 10, 1200, 3 // 500 a page
	for _, tc := range []struct {
		name    string
		private bool
		want    int64
	}{
		{"shared", false, pages},
		{"private", true, sessions * pages},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, conn, getenv := simAccount(t, instances, 0)
			// A window no slow machine outlasts: this counts sharing, not time.
			tb := startBastionConfig(t, serveConfig{maxSessions: sessions, private: tc.private, fresh: time.Hour}, conn, getenv)
			var sts []*sshTerm
			for range sessions {
				sts = append(sts, tb.open(t, tb.operator, 120, 40))
			}
			for _, st := range sts {
				st.waitText(fmt.Sprintf("Loaded %d instances", instances))
			}
			if got := listReads(sim); got != tc.want {
				t.Fatalf("%d sessions opening a %d-page list made %d page reads, want %d", sessions, pages, got, tc.want)
			}
		})
	}
}
