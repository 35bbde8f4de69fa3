package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/sim"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// gatedListing serves fleet with a sim.Gate in front of the instance
// listing (every other path goes straight through).
func gatedListing(t *testing.T, fleet *simlinode.Fleet) (*sim.Gate, string) {
	t.Helper()
	srv := simlinode.New(fleet, simlinode.Options{})
	g := sim.NewGate(srv)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/v4/linode/instances" {
			g.ServeHTTP(w, r)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	t.Cleanup(g.OpenAll) // runs before Close: no request is left at the door
	return g, hs.URL
}

// TestResourcesJSONEveryPageOnceInOrder: on a fleet of three pages,
// `resources --json` asks for page 1, then pages 2 and 3 together, and
// prints every resource once, in the API's order; `check` counts them all.
func TestResourcesJSONEveryPageOnceInOrder(t *testing.T) {
	fleet := simlinode.Seed(3, 1234, fixedNow)
	g, url := gatedListing(t, fleet)
	tok := map[string]string{"LINODE_TOKEN": simlinode.DemoToken}
	done := make(chan result, 1)
	go func() { done <- runCmd(t, tok, "resources", "--json", "--api", url) }()
	for i, n := range []int{1, 2} {
		if got, ok := g.Wave(n, 10*time.Second); !ok {
			t.Fatalf("round trip %d: %d requests at once, want %d", i+1, got, n)
		}
	}
	rs := resourcesOf(t, <-done)
	if len(rs) != len(fleet.Instances) {
		t.Fatalf("%d resources, want %d", len(rs), len(fleet.Instances))
	}
	seen := map[string]bool{}
	for i, r := range rs {
		if want := strconv.Itoa(fleet.Instances[i].ID); r.ID != want || seen[r.ID] {
			t.Fatalf("resource %d is %s, want %s (each once, in the API's order)", i, r.ID, want)
		}
		seen[r.ID] = true
	}

	g.OpenAll()
	r := runCmd(t, tok, "check", "--json", "--api", url)
	var c checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil || c.Checked != len(fleet.Instances) {
		t.Fatalf("check: %d checked, want %d (%v)\n%.300s", c.Checked, len(fleet.Instances), err, r.stderr)
	}
}

// TestAllAccountsListedAtOnce: with --all-accounts the views are read
// together (the second account is asked before the first has answered),
// and printed in the accounts' order.
func TestAllAccountsListedAtOnce(t *testing.T) {
	ga, urlA := gatedListing(t, simlinode.Seed(1, 30, fixedNow))
	gb, urlB := gatedListing(t, simlinode.Seed(2, 20, fixedNow))
	cfg := writeConfig(t, `
[[account]]
name = "first"
provider = "linode"
api_url = "`+urlA+`"
token_env = "TOK"

[[account]]
name = "second"
provider = "linode"
api_url = "`+urlB+`"
token_env = "TOK"
`, 0o600)
	done := make(chan result, 1)
	go func() {
		done <- runCmd(t, map[string]string{"TOK": simlinode.DemoToken}, "resources", "--json", "--all-accounts", "--config", cfg)
	}()
	// The first account's listing is held at its door: the second's must
	// be asked all the same.
	if got, ok := gb.Wave(1, 10*time.Second); !ok {
		t.Fatalf("the second account was not asked while the first was unanswered (%d requests)", got)
	}
	ga.OpenAll()
	rs := resourcesOf(t, <-done)
	var accounts []string // each run of rows of one account
	for _, r := range rs {
		if len(accounts) == 0 || accounts[len(accounts)-1] != r.Account {
			accounts = append(accounts, r.Account)
		}
	}
	if len(accounts) != 2 || accounts[0] != "first" || accounts[1] != "second" {
		t.Fatalf("rows by account in order %v, want [first second]", accounts)
	}
}
