package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/civo"
	"github.com/snapdeck/snapdeck/client/linodedb"
	"github.com/snapdeck/snapdeck/client/northflank"
	"github.com/snapdeck/snapdeck/client/superbflex"
	"github.com/snapdeck/snapdeck/sim"
	simcivo "github.com/snapdeck/snapdeck/sim/civo"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
	simnorthflank "github.com/snapdeck/snapdeck/sim/northflank"
	simsuperbflex "github.com/snapdeck/snapdeck/sim/superbflex"
)

// Journeys through the providers other than Linode instances, driven by
// keys and read off the screen, each against its simulator.

// provJobTime is how long a simulated backup or snapshot takes here: long
// enough to be seen running, short enough to finish.
const provJobTime = 400 * time.Millisecond

// simClock is a simulator's clock: the real time plus a skew the test moves
// on, so that a long job ends exactly when the test says.
type simClock struct{ skew atomic.Int64 }

func (c *simClock) now() time.Time          { return time.Now().Add(time.Duration(c.skew.Load())) }
func (c *simClock) advance(d time.Duration) { c.skew.Add(int64(d)) }

// counter is what every simulator counts of the requests it served.
type counter interface {
	Mutations() int64
	MutationsTo(pathSuffix string) int64
}

// provHarness is the harness on a provider other than Linode instances.
type provHarness struct {
	*harness
	sim    counter
	clock  *simClock
	plural string // the resource list's title: "Instances", "Addons", …
	total  int    // resources in the demo account
}

// startProvider runs the App on p, which talks to sim, as the user would
// on that account, wrapped as cmd/snapdeck's connect wraps it (sanitised,
// and read-only when readOnly).
func startProvider(t *testing.T, p client.Provider, sim counter, clock *simClock, total int, readOnly bool) *provHarness {
	t.Helper()
	p = client.Sanitized(p)
	if readOnly {
		p = client.ReadOnly(p)
	}
	app := New(Options{Provider: p, Account: "test", Now: time.Now, Timeout: 5 * time.Second, ReadOnly: readOnly,
		PollEvery: 50 * time.Millisecond})
	return &provHarness{harness: run(t, app, app, 110, 32), sim: sim, clock: clock, plural: p.Info().Plural, total: total}
}

// serve serves a simulator over HTTP for the length of the test.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return hs.URL
}

func civoDeck(t *testing.T, readOnly bool) (*provHarness, *simcivo.Server) {
	t.Helper()
	clock := &simClock{}
	srv := simcivo.New(simcivo.Demo(time.Now()), simcivo.Options{Options: sim.Options{Now: clock.now}, JobTime: provJobTime})
	// The account's pacer, as cmd/snapdeck's registry gives it.
	p, err := civo.New(civo.Config{Transport: client.Transport{BaseURL: serve(t, srv), Timeout: 5 * time.Second, Retries: 1,
		Pacer: client.NewRetryAfterPacer()}, Token: simcivo.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	return startProvider(t, p, srv, clock, 12, readOnly), srv
}

// northflankDeck's aborts and restores run until the test moves the clock
// on; backups take provJobTime.
func northflankDeck(t *testing.T, readOnly bool) (*provHarness, *simnorthflank.Server) {
	t.Helper()
	clock := &simClock{}
	srv := simnorthflank.New(simnorthflank.Demo(time.Now()), simnorthflank.Options{
		Options:     sim.Options{Now: clock.now},
		JobTime:     provJobTime,
		RestoreTime: time.Hour,
		AbortTime:   time.Hour,
	})
	p, err := northflank.New(northflank.Config{Transport: client.Transport{BaseURL: serve(t, srv), Timeout: 5 * time.Second, Retries: 1}, Token: simnorthflank.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	return startProvider(t, p, srv, clock, 12, readOnly), srv
}

// flexDeck's backups are built, and its restores hold their locks, for
// jobTime.
func flexDeck(t *testing.T, jobTime time.Duration, readOnly bool) (*provHarness, *simsuperbflex.Server) {
	t.Helper()
	clock := &simClock{}
	srv := simsuperbflex.New(simsuperbflex.Demo(time.Now()), simsuperbflex.Options{Options: sim.Options{Now: clock.now}, JobTime: jobTime})
	p, err := superbflex.New(superbflex.Config{
		// The account's pacer, as cmd/snapdeck's registry gives it.
		Transport: client.Transport{BaseURL: serve(t, srv), Timeout: 5 * time.Second, Retries: 1, Pacer: client.NewRetryAfterPacer()},
		User:      simsuperbflex.DemoUser,
		Password:  simsuperbflex.DemoPassword,
	})
	if err != nil {
		t.Fatal(err)
	}
	return startProvider(t, p, srv, clock, 12, readOnly), srv
}

// databasesDeck's restores run until the test moves the clock on; snapshots
// take provJobTime.
func databasesDeck(t *testing.T, readOnly bool) (*provHarness, *simlinode.Server) {
	t.Helper()
	clock := &simClock{}
	srv := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{Options: sim.Options{Now: clock.now}, SnapshotTime: provJobTime, RestoreTime: time.Hour})
	p, err := linodedb.New(linodedb.Config{Transport: client.Transport{BaseURL: serve(t, srv), Timeout: 5 * time.Second, Retries: 1}, Token: simlinode.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	return startProvider(t, p, srv, clock, simlinode.DemoDatabases, readOnly), srv
}

// pick filters the list down to the one resource whose label holds label,
// leaving the list focused on it.
func (h *provHarness) pick(label string) {
	h.t.Helper()
	all := fmt.Sprintf("› %s %d", h.plural, h.total)
	h.waitFor(all, func(s string) bool {
		c := strings.TrimRight(crumbs(s), " ")
		return strings.HasSuffix(c, all) || strings.Contains(c, all+" · row ") && !strings.Contains(c[strings.Index(c, all):], " › ")
	})
	h.key("/")
	h.key(label)
	h.wait(fmt.Sprintf("%s 1/%d", h.plural, h.total))
	h.key("enter")
}

// open picks a resource and opens its backups, waiting for want in them.
func (h *provHarness) open(label, want string) string {
	h.t.Helper()
	h.pick(label)
	h.key("enter")
	return h.waitAll("LABEL ", want)
}

// to puts the cursor of a backup list on the row holding label, counting
// the rows drawn under the column header from the top.
func (h *provHarness) to(label string) {
	h.t.Helper()
	s := h.wait(label)
	lines := strings.Split(s, "\n")
	hdr := -1
	for i, l := range lines {
		switch {
		case hdr < 0 && isHeader(l):
			hdr = i
		case hdr >= 0 && strings.Contains(l, label):
			h.key("g")
			for range i - hdr - 1 {
				h.key("down")
			}
			return
		}
	}
	h.t.Fatalf("no row holds %q:\n%s", label, s)
}

// nothingSent fails unless the simulator saw want mutations in all, once
// the keys pressed so far have had time to send anything.
func (h *provHarness) nothingSent(want int64, what string) {
	h.t.Helper()
	settle()
	if n := h.sim.Mutations(); n != want {
		h.t.Fatalf("%s: %d mutations reached the simulator, want %d; screen:\n%s", what, n, want, h.screen())
	}
}

// rows returns the table lines of a screen: under the column header, above
// the status line.
func rows(s string) []string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range ls {
		if isHeader(l) && len(ls) >= i+3 {
			return ls[i+1 : len(ls)-2]
		}
	}
	return nil
}

// row returns the table line holding label, or "".
func row(s, label string) string {
	for _, l := range rows(s) {
		if strings.Contains(l, label) {
			return l
		}
	}
	return ""
}

// field returns the value of a field of the backup detail, or "".
func field(s, name string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return strings.TrimSpace(strings.TrimPrefix(l, name))
		}
	}
	return ""
}

// waitText waits for every one of subs on the screen read as running text,
// so that a sentence wrapped over lines still matches.
func (h *provHarness) waitText(subs ...string) string {
	h.t.Helper()
	return h.waitFor(strings.Join(subs, " + "), func(s string) bool {
		flat := strings.Join(strings.Fields(s), " ")
		for _, sub := range subs {
			if !strings.Contains(flat, sub) {
				return false
			}
		}
		return true
	})
}

// right presses →.
func (h *provHarness) right() { h.tm.Send(tea.KeyPressMsg{Code: tea.KeyRight}) }

// crumbs is the top bar, less its busy spinner: where the user is.
func crumbs(s string) string {
	top, _, _ := strings.Cut(strings.SplitN(s, "\n", 2)[0], "  ")
	return top
}

// hiddenKeys fails if the footer, or the full help, offers any of keys.
func (h *provHarness) hiddenKeys(where string, keys ...string) {
	h.t.Helper()
	s := h.screen()
	_, footer := lastLines(s)
	for _, k := range keys {
		if strings.Contains(footer, k) {
			h.t.Errorf("%s: the footer offers %q: %q", where, k, footer)
		}
	}
	h.key("?")
	s = h.wait("Keys —")
	for _, k := range keys {
		if strings.Contains(s, k) {
			h.t.Errorf("%s: the help offers %q:\n%s", where, k, s)
		}
	}
	h.key("?")
	h.waitFor("help closed", func(s string) bool { return !strings.Contains(s, "Keys —") })
}

// pressDoesNothing presses each key and checks that no dialog opened (the
// top bar is unchanged) and nothing was sent.
func (h *provHarness) pressDoesNothing(where string, keys ...string) {
	h.t.Helper()
	before := crumbs(h.screen())
	sent := h.sim.Mutations()
	for _, k := range keys {
		h.key(k)
		h.key("?") // drawn once k has been handled
		h.wait("Keys —")
		h.key("?")
		s := h.waitFor("help closed", func(s string) bool { return !strings.Contains(s, "Keys —") })
		if c := crumbs(s); c != before {
			h.t.Fatalf("%s: %s opened something: %q, was %q", where, k, c, before)
		}
	}
	h.nothingSent(sent, where+": "+strings.Join(keys, ", "))
}

// --- Civo --------------------------------------------------------------------

func TestCivoSnapshotOfInstanceWithNone(t *testing.T) {
	h, _ := civoDeck(t, false)
	h.pick("grafana")
	h.key("s")
	s := h.waitAll("Take a snapshot of grafana (FRA1)", "0 manual snapshots")
	for _, want := range []string{"Name › snapdeck-", "Safe › no", "Safe shuts the instance down",
		"A snapshot with the same name as an existing one overwrites it."} {
		if !strings.Contains(s, want) {
			t.Errorf("snapshot form lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "will be overwritten") {
		t.Errorf("a new name is said to overwrite:\n%s", s)
	}
	h.key("enter")
	s = h.waitAll("✓ Snapshot snapdeck-", "of grafana finished")
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one snapshot", n)
	}
	if strings.Contains(crumbs(s), "Take") {
		t.Fatalf("the form is still open:\n%s", s)
	}
	h.key("enter")
	s = h.waitFor("the new snapshot listed", func(s string) bool { return strings.Contains(row(s, "snapdeck-"), "✓ complete") })
	if len(rows(s)) == 0 || !strings.Contains(rows(s)[0], "snapdeck-") {
		t.Fatalf("the new snapshot is not the newest row:\n%s", s)
	}
}

func TestCivoSafeSnapshotAsksAndSaysTheInstanceIsShutDown(t *testing.T) {
	h, srv := civoDeck(t, false)
	h.pick("k3s-worker-3")
	h.key("s")
	h.waitAll("Take a snapshot of k3s-worker-3", "0 manual snapshots", "Safe › no")
	h.clearInput()
	h.key("k3s-before-drain")
	h.wait("Name › k3s-before-drain")
	h.key("tab")
	h.key(" ")
	h.wait("Safe › yes")
	h.key("enter")
	s := h.waitAll("k3s-worker-3 will be shut down while the snapshot is taken, and started again after it.",
		"Press y to go ahead")
	if _, footer := lastLines(s); !strings.Contains(footer, "y go ahead") {
		t.Errorf("footer does not say y goes ahead: %q", footer)
	}
	h.key("enter") // never confirms
	h.wait("Enter does not confirm here")
	h.nothingSent(0, "before y")
	h.key("y")
	h.wait("✓ Snapshot k3s-before-drain of k3s-worker-3 finished")
	sn, ok := srv.Snapshot("k3s-before-drain")
	if !ok || !sn.Safe || sn.Status != "complete" {
		t.Fatalf("snapshot in the simulator: %+v (found %v), want a complete safe one", sn, ok)
	}
	if in, _ := srv.Instance(sn.InstanceID); in.Status != "ACTIVE" {
		t.Fatalf("instance left %s after its safe snapshot", in.Status)
	}
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one snapshot", n)
	}
}

func TestCivoSnapshotOverwritingItsOwnNeedsY(t *testing.T) {
	h, srv := civoDeck(t, false)
	old, _ := srv.Snapshot("api-gateway-pre-release")
	h.pick("api-gateway")
	h.key("s")
	h.waitAll("Take a snapshot of api-gateway", "1 manual snapshot ·")
	h.clearInput()
	h.key("api-gateway-pre-release")
	h.wait("Name › api-gateway-pre-release")
	h.key("enter")
	s := h.waitText(`api-gateway already has a snapshot named "api-gateway-pre-release"`, "it will be overwritten.", "Press y to go ahead")
	if strings.Contains(s, "will be shut down") {
		t.Errorf("an unsafe snapshot is said to shut the instance down:\n%s", s)
	}
	h.key("enter")
	h.wait("Enter does not confirm here")
	h.nothingSent(0, "before y")
	h.key("n") // back to the form, name kept
	h.waitFor("the question gone", func(s string) bool { return !strings.Contains(s, "will be overwritten") })
	h.nothingSent(0, "after n")
	h.key("enter")
	h.waitText("it will be overwritten.")
	h.key("y")
	h.wait("✓ Snapshot api-gateway-pre-release of api-gateway finished")
	sn, _ := srv.Snapshot("api-gateway-pre-release")
	if !sn.RequestedAt.After(old.RequestedAt) || sn.Status != "complete" {
		t.Fatalf("not overwritten: was requested %v, now %v (%s)", old.RequestedAt, sn.RequestedAt, sn.Status)
	}
	if got := srv.SnapshotsOf(sn.InstanceID); len(got) != 2 {
		t.Fatalf("snapshots after overwriting one: %v", got)
	}
}

func TestCivoInvalidNameShownAsTypedAndNotSent(t *testing.T) {
	h, _ := civoDeck(t, false)
	h.pick("grafana")
	h.key("s")
	h.waitAll("Take a snapshot of grafana", "0 manual snapshots")
	h.clearInput()
	h.key("before upgrade")
	h.waitAll("Name › before upgrade", `name may hold only letters, digits, '.', '_' and '-', not ' '`)
	h.key("enter")
	h.nothingSent(0, "a name with a space")
	if s := h.screen(); !strings.Contains(crumbs(s), "Take snapshot") {
		t.Fatalf("the form closed:\n%s", s)
	}
	h.clearInput()
	h.key(strings.Repeat("a", 65))
	h.wait("name is 65 characters; at most 64 are allowed")
	h.key("enter")
	h.nothingSent(0, "a 65-character name")
	h.key("esc")
	h.wait("Cancelled: no snapshot taken")
	h.nothingSent(0, "cancelled")
}

func TestCivoDeleteSnapshotAfterY(t *testing.T) {
	h, srv := civoDeck(t, false)
	h.open("api-gateway", "api-gateway-weekly")
	h.to("api-gateway-pre-release")
	h.key("D")
	s := h.waitAll("Delete snapshot api-gateway-pre-release", "of api-gateway", "cannot be undone")
	if _, footer := lastLines(s); !strings.Contains(footer, "y delete it") {
		t.Errorf("footer does not say y deletes: %q", footer)
	}
	h.key("enter")
	h.wait("Enter does not confirm here")
	h.nothingSent(0, "before y")
	h.key("y")
	s = h.waitFor("the snapshot gone from the list", func(s string) bool {
		return strings.Contains(s, "✓ Deleted snapshot api-gateway-pre-release of api-gateway") &&
			row(s, "api-gateway-weekly") != "" && row(s, "api-gateway-pre-release") == ""
	})
	if _, ok := srv.Snapshot("api-gateway-pre-release"); ok {
		t.Fatalf("the simulator still has the snapshot:\n%s", s)
	}
	if n := h.sim.MutationsTo("/v2/snapshots/api-gateway-pre-release"); n != 1 {
		t.Fatalf("%d deletes sent", n)
	}
}

func TestCivoDeleteRunningSnapshotRefused(t *testing.T) {
	h, _ := civoDeck(t, false)
	s := h.open("db-primary", "db-nightly-safe")
	if !strings.Contains(row(s, "db-nightly-safe"), "● in-progress") {
		t.Fatalf("the running snapshot is not shown running:\n%s", s)
	}
	h.to("db-nightly-safe")
	h.key("D")
	s = h.wait("Snapshot db-nightly-safe is still in-progress: it can be deleted once it has finished")
	if strings.Contains(crumbs(s), "Delete") || strings.Contains(s, "cannot be undone") {
		t.Fatalf("a delete that cannot succeed was offered:\n%s", s)
	}
	h.key("y") // nothing to confirm
	h.nothingSent(0, "D on a running snapshot")
}

func TestCivoOffersOnlySnapshotAndDelete(t *testing.T) {
	h, _ := civoDeck(t, false)
	h.wait("Loaded 12 instances")
	missing := []string{"A abort", "n note", "R restore", "e enable", "X cancel", "S schedule", "H restore"}
	h.hiddenKeys("instance list", missing...)
	h.pressDoesNothing("instance list", "e", "X", "S", "H")
	h.open("api-gateway", "api-gateway-weekly")
	s := h.screen()
	if _, footer := lastLines(s); !strings.Contains(footer, "D delete") || !strings.Contains(footer, "s snapshot") {
		t.Errorf("the backup list footer lacks the keys Civo has: %q", footer)
	}
	h.hiddenKeys("backup list", missing...)
	h.pressDoesNothing("backup list", "A", "n", "R", "e", "X", "S", "H")
	h.key("enter")
	h.wait("Backup api-gateway-pre-release of api-gateway")
	h.hiddenKeys("backup detail", missing...)
	h.pressDoesNothing("backup detail", "A", "n", "R")
}

// --- Northflank ---------------------------------------------------------------

func TestNorthflankDumpWithZstd(t *testing.T) {
	h, srv := northflankDeck(t, false)
	h.pick("wp")
	h.key("s")
	s := h.waitAll("Take a backup of wp", "manual backups", "Type › [snapshot]  dump")
	if strings.Contains(s, "Compression") {
		t.Fatalf("a snapshot offers compression:\n%s", s)
	}
	h.clearInput()
	h.key("before upgrade")
	h.wait("Name › before upgrade")
	h.key("tab")
	h.right()
	s = h.waitAll("Type ›  snapshot  [dump]", "Compression › [gz]  zstd", "logical export")
	if strings.Contains(s, "destination") {
		t.Fatalf("a dump offers extra destinations:\n%s", s)
	}
	h.key("tab")
	h.right()
	h.wait("Compression ›  gz  [zstd]")
	h.key("enter")
	h.wait("✓ Backup before upgrade of wp finished")
	a, _ := srv.Addon("web-storefront", "wp")
	var got *simnorthflank.Backup
	for _, b := range a.Backups {
		if b.Name == "before upgrade" {
			got = b
		}
	}
	if got == nil || got.Source != "liveInstance" || got.Compression != "zstd" || got.Status != "completed" {
		t.Fatalf("backup in the simulator: %+v", got)
	}
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one backup", n)
	}
}

func TestNorthflankDestinationRetention(t *testing.T) {
	h, srv := northflankDeck(t, false)
	h.pick("wp")
	h.key("s")
	h.waitAll("Take a backup of wp", "manual backups")
	h.clearInput()
	h.key("offsite copy")
	h.key("tab") // type: snapshot
	h.key("tab")
	// The destinations are the team's, listed to choose from: typing
	// types nothing, space (or →) chooses.
	h.wait("Also to destination › [none]  offsite-s3   cold-archive-gcs")
	h.key("x")
	h.key(" ")
	h.wait("Also to destination ›  none  [offsite-s3]  cold-archive-gcs")
	h.key("tab")
	h.key("121")
	// Flagged as typed, before Enter.
	h.waitAll("Kept for days (1–120) › 121", "retention must be a whole number of days from 1 to 120")
	h.key("enter")
	h.wait("retention must be a whole number of days from 1 to 120")
	h.nothingSent(0, "retention 121")
	h.clearInput()
	h.key("7")
	h.waitFor("retention 7", func(s string) bool {
		return strings.Contains(s, "Kept for days (1–120) › 7") && !strings.Contains(s, "from 1 to 120")
	})
	h.key("enter")
	h.wait("✓ Backup offsite copy of wp finished")
	a, _ := srv.Addon("web-storefront", "wp")
	var got *simnorthflank.Backup
	for _, b := range a.Backups {
		if b.Name == "offsite copy" {
			got = b
		}
	}
	if got == nil || got.Source != "snapshot" || len(got.Destinations) != 1 ||
		got.Destinations[0] != (simnorthflank.Destination{ID: "offsite-s3", Retention: 7}) {
		t.Fatalf("backup in the simulator: %+v", got)
	}
}

func TestNorthflankAbortRunningBackupAndDeleteRefused(t *testing.T) {
	h, srv := northflankDeck(t, false)
	s := h.open("ledger", "quarter-close dump")
	if !strings.Contains(row(s, "quarter-close dump"), "● in-progress") {
		t.Fatalf("the running dump is not shown running:\n%s", s)
	}
	h.to("quarter-close dump")
	h.key("D")
	s = h.wait("Backup quarter-close dump is still running: abort it first (A)")
	if strings.Contains(crumbs(s), "Delete") {
		t.Fatalf("delete offered for a running backup:\n%s", s)
	}
	h.nothingSent(0, "D on a running backup")

	h.key("A")
	s = h.waitAll("Abort backup quarter-close dump", "Stops backup quarter-close dump of ledger, which is in-progress.")
	if _, footer := lastLines(s); !strings.Contains(footer, "y abort it") {
		t.Errorf("footer does not say y aborts: %q", footer)
	}
	h.key("enter")
	h.wait("Enter does not confirm here")
	h.nothingSent(0, "before y")
	h.key("y")
	h.waitFor("the backup aborting", func(s string) bool {
		return strings.Contains(s, "✓ Abort requested for quarter-close dump of ledger") &&
			strings.Contains(row(s, "quarter-close dump"), "aborting")
	})
	if n := h.sim.MutationsTo("/abort"); n != 1 {
		t.Fatalf("%d aborts sent", n)
	}
	h.clock.advance(2 * time.Hour) // the abort ends
	h.key("r")
	h.waitFor("the backup aborted", func(s string) bool { return strings.Contains(row(s, "quarter-close dump"), "⊘ aborted") })
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one abort", n)
	}
	if b, _ := srv.Backup("payments-platform", "ledger", "quarter-close-dump"); b.Status != "aborted" {
		t.Fatalf("backup in the simulator: %+v", b)
	}
}

func TestNorthflankRestoreTypedThenHistory(t *testing.T) {
	h, _ := northflankDeck(t, false)
	h.open("orders-db", "before-index-rebuild")
	h.to("before-index-rebuild")
	h.key("R")
	s := h.waitAll("Restore before-index-rebuild over orders-db", "Type orders-db to confirm")
	if !strings.Contains(s, "replaced") {
		t.Errorf("restore confirmation does not say the data is replaced:\n%s", s)
	}
	h.key("enter") // alone
	h.wait("That is not the label")
	h.nothingSent(0, "Enter alone")
	h.key("orders-d")
	h.key("enter")
	h.wait("That is not the label")
	h.nothingSent(0, "a wrong label")
	h.key("b")
	h.key("enter")
	h.waitAll("● restore of before-index-rebuild onto orders-db: scheduled", "Payments Platform · restore ·")
	if n := h.sim.MutationsTo("/restore"); n != 1 {
		t.Fatalf("%d restores sent", n)
	}
	settle()
	if s := h.screen(); strings.Contains(s, "finished") {
		t.Fatalf("the restore finished while Northflank still restores:\n%s", s)
	}
	h.clock.advance(2 * time.Hour)
	h.wait("✓ Restore of before-index-rebuild onto orders-db finished")
	h.waitFor("the addon running again", func(s string) bool { return strings.Contains(s, "Payments Platform · running ·") })
	h.key("H")
	s = h.waitAll("Restores of orders-db", "before-index-rebuild", "pre-migration 2026-11")
	var line string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "before-index-rebuild") && !strings.Contains(l, "finished") {
			line = l
		}
	}
	if !strings.Contains(line, "✓ completed") {
		t.Fatalf("the restore is not listed completed: %q\n%s", line, s)
	}
}

// --- Superb Flex Cloud -------------------------------------------------------

func TestFlexDeleteLockedBackupRefused(t *testing.T) {
	h, _ := flexDeck(t, provJobTime, false)
	h.open("staging-api", "known-good")
	h.to("known-good")
	h.key("D")
	s := h.wait("Backup known-good before the v2 API migration is locked and cannot be deleted now")
	if strings.Contains(crumbs(s), "Delete") {
		t.Fatalf("delete offered for a locked backup:\n%s", s)
	}
	h.key("y")
	h.nothingSent(0, "D on a locked backup")
}

func TestFlexEditNote(t *testing.T) {
	h, srv := flexDeck(t, provJobTime, false)
	h.open("vpn", "WireGuard config")
	h.to("WireGuard config")
	h.key("n")
	h.waitAll("Note on WireGuard config after adding the Lisbon office of vpn", "Note › WireGuard config")
	h.clearInput()
	h.key("known good WireGuard, Lisbon + Porto")
	h.wait("Note › known good WireGuard, Lisbon + Porto")
	h.key("enter")
	s := h.waitFor("the new note in the list", func(s string) bool {
		return strings.Contains(s, "✓ Note saved on WireGuard config") && row(s, "known good WireGuard") != ""
	})
	if row(s, "WireGuard config") != "" {
		t.Fatalf("the old note is still listed:\n%s", s)
	}
	h.to("known good WireGuard")
	h.key("enter")
	s = h.waitFor("the note in the detail", func(s string) bool { return field(s, "Note") == "known good WireGuard, Lisbon + Porto" })
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one note:\n%s", n, s)
	}
	var noted bool
	vm, _ := srv.VM(vmID(t, srv, "vpn"))
	for _, b := range vm.Backups {
		noted = noted || b.Note == "known good WireGuard, Lisbon + Porto"
	}
	if !noted {
		t.Fatalf("the simulator did not keep the note")
	}
}

// vmID finds a demo VM by label.
func vmID(t *testing.T, srv *simsuperbflex.Server, label string) int {
	t.Helper()
	for id := 1; id < 2000; id++ {
		if vm, ok := srv.VM(id); ok && vm.Label == label {
			return id
		}
	}
	t.Fatalf("no VM %s", label)
	return 0
}

func TestFlexBackupOfOneDisk(t *testing.T) {
	h, srv := flexDeck(t, provJobTime, false)
	vm, _ := srv.VM(vmID(t, srv, "web-01"))
	disk := vm.Disks[0]
	h.pick("web-01")
	h.key("s")
	s := h.waitAll("Take a backup of web-01", "1 manual backup ·", fmt.Sprintf("disk %d Disk 1", disk.ID))
	if strings.Contains(s, "Disk 2") {
		t.Fatalf("the swap disk is offered:\n%s", s)
	}
	h.clearInput()
	h.key("before kernel 6.12")
	h.key("tab")
	// web-01 has no incremental backups: its primary disk is the default,
	// and choosing the whole VM is refused here with the reason.
	h.waitAll(fmt.Sprintf("What ›  whole VM (not enabled)  [disk %d Disk 1", disk.ID), "are not enabled for this VM")
	h.key(" ") // space chooses, as → does
	h.wait(fmt.Sprintf("What › [whole VM (not enabled)]  disk %d Disk 1", disk.ID))
	h.key("enter")
	h.wait("web-01 cannot take a backup of the whole VM: choose one of its disks under What")
	h.nothingSent(0, "enter on the whole VM of a VM without incremental backups")
	h.key(" ")
	h.key("enter")
	h.wait("✓ Backup before kernel 6.12 of web-01 finished")
	if n := h.sim.MutationsTo(fmt.Sprintf("/settings/disks/%d/backups.json", disk.ID)); n != 1 || h.sim.Mutations() != 1 {
		t.Fatalf("%d disk backups sent, %d mutations in all", n, h.sim.Mutations())
	}
	h.key("enter")
	s = h.waitFor("the backup listed built", func(s string) bool { return strings.Contains(row(s, "before kernel 6.12"), "✓ built") })
	if !strings.Contains(row(s, "before kernel 6.12"), "normal") {
		t.Fatalf("not a disk (normal) backup: %q", row(s, "before kernel 6.12"))
	}
}

// TestFlexBackupOfWholeVMByDefault: a VM with incremental backups (ci-runner-03) still
// defaults to a backup of the whole VM.
func TestFlexBackupOfWholeVMByDefault(t *testing.T) {
	h, srv := flexDeck(t, provJobTime, false)
	id := vmID(t, srv, "ci-runner-03")
	h.pick("ci-runner-03")
	h.key("s")
	h.waitAll("Take a backup of ci-runner-03", "What › [whole VM (incremental)]")
	h.key("enter")
	h.wait("of ci-runner-03 finished")
	if n := h.sim.MutationsTo(fmt.Sprintf("/virtual_machines/%d/backups.json", id)); n != 1 || h.sim.Mutations() != 1 {
		t.Fatalf("%d whole-VM backups sent, %d mutations in all", n, h.sim.Mutations())
	}
}

func TestFlexRestoreInPlaceTyped(t *testing.T) {
	h, _ := flexDeck(t, time.Hour, false)
	h.open("vpn", "WireGuard config")
	h.to("WireGuard config")
	h.key("R")
	s := h.waitAll("Restore WireGuard config after adding the Lisbon office over vpn", "Type vpn to confirm")
	if !strings.Contains(s, "replaced") {
		t.Errorf("restore confirmation does not say the data is replaced:\n%s", s)
	}
	h.key("enter")
	h.wait("That is not the label")
	h.nothingSent(0, "Enter alone")
	h.key("vpn")
	h.key("enter")
	h.waitAll("● restore of WireGuard config after adding the Lisbon office onto vpn: locked", "HV 7 · locked")
	if n := h.sim.MutationsTo("/restore.json"); n != 1 {
		t.Fatalf("%d restores sent", n)
	}
	settle()
	if s := h.screen(); strings.Contains(s, "finished") {
		t.Fatalf("the restore finished while the VM is locked:\n%s", s)
	}
	h.clock.advance(2 * time.Hour) // the locks lift
	h.wait("✓ Restore of WireGuard config after adding the Lisbon office onto vpn finished")
	h.waitFor("the VM running again", func(s string) bool { return strings.Contains(s, "HV 7 · running") })
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one restore", n)
	}
}

// --- Linode Managed Databases ----------------------------------------------

func TestDatabaseSnapshotCountedAndFinished(t *testing.T) {
	h, _ := databasesDeck(t, false)
	h.pick("orders-mysql")
	h.key("s")
	h.waitAll("Take a snapshot of orders-mysql (us-east)", "1 of at most 3 manual snapshots used", "Name › snapdeck_")
	h.clearInput()
	h.key("pre-release")
	h.wait("character 4 ('-') is not allowed")
	h.key("enter")
	h.nothingSent(0, "a label with a dash")
	h.clearInput()
	h.key("pre_release_2026_12")
	h.waitFor("a valid label", func(s string) bool {
		return strings.Contains(s, "Name › pre_release_2026_12") && !strings.Contains(s, "not allowed")
	})
	h.key("enter")
	h.wait("✓ Snapshot pre_release_2026_12 of orders-mysql finished")
	h.key("s")
	h.wait("2 of at most 3 manual snapshots used")
	h.key("esc")
	h.key("enter")
	h.waitFor("the new snapshot listed", func(s string) bool { return strings.Contains(row(s, "pre_release_2026_12"), "✓ successful") })
}

func TestDatabaseSnapshotLimitRefusedBeforeSending(t *testing.T) {
	h, _ := databasesDeck(t, false)
	h.pick("billing-pg")
	h.key("s")
	h.waitAll("3 of at most 3 manual snapshots used", "the limit is reached")
	h.key("enter")
	h.wait("billing-pg already has 3 of 3 manual snapshots: delete one first (D on it).")
	h.nothingSent(0, "a fourth snapshot")
}

func TestDatabaseDeleteAutomaticRefusedSnapshotAfterY(t *testing.T) {
	h, _ := databasesDeck(t, false)
	h.open("billing-pg", "q3_close")
	h.to("Scheduled - ")
	h.key("D")
	s := h.wait("Automatic backups cannot be deleted; Linode keeps them 7 days")
	if strings.Contains(crumbs(s), "Delete") {
		t.Fatalf("delete offered for an automatic backup:\n%s", s)
	}
	h.nothingSent(0, "D on an automatic backup")

	h.to("q3_close")
	h.key("D")
	h.waitAll("Delete snapshot q3_close", "of billing-pg", "cannot be undone")
	h.key("enter")
	h.wait("Enter does not confirm here")
	h.nothingSent(0, "before y")
	h.key("y")
	h.waitFor("q3_close gone", func(s string) bool {
		return strings.Contains(s, "✓ Deleted snapshot q3_close of billing-pg") && row(s, "q3_close") == "" && row(s, "before_vacuum_full") != ""
	})
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one delete", n)
	}
	h.key("s")
	h.wait("2 of at most 3 manual snapshots used")
}

func TestDatabaseRestoreTypedWaitsWhileRestoring(t *testing.T) {
	h, _ := databasesDeck(t, false)
	h.open("orders-mysql", "pre_release_2026_11")
	h.to("pre_release_2026_11")
	h.key("R")
	h.waitAll("Restore pre_release_2026_11 over orders-mysql", "Type orders-mysql to confirm")
	h.key("enter")
	h.wait("That is not the label")
	h.nothingSent(0, "Enter alone")
	h.key("orders-mysql")
	h.key("enter")
	h.waitAll("● restore of pre_release_2026_11 onto orders-mysql: restoring", "us-east · restoring")
	settle()
	if s := h.screen(); strings.Contains(s, "finished") {
		t.Fatalf("the restore finished while the database restores:\n%s", s)
	}
	h.clock.advance(2 * time.Hour)
	s := h.wait("✓ Restore of pre_release_2026_11 onto orders-mysql finished")
	if n := h.sim.Mutations(); n != 1 {
		t.Fatalf("%d mutations for one restore:\n%s", n, s)
	}
	h.waitFor("the database active again", func(s string) bool { return strings.Contains(s, "us-east · active") })
}

// --- read-only ---------------------------------------------------------------

func TestReadOnlyProvidersOfferAndSendNothing(t *testing.T) {
	actionKeys := []string{"s snapshot", "s backup", "D delete", "R restore", "A abort", "n note", "e enable", "X cancel", "S schedule"}
	for _, c := range []struct {
		name   string
		start  func(t *testing.T) *provHarness
		res    string // a resource with backups
		backup string // one of its backups, finished
	}{
		{"civo", func(t *testing.T) *provHarness { h, _ := civoDeck(t, true); return h }, "api-gateway", "api-gateway-weekly"},
		{"northflank", func(t *testing.T) *provHarness { h, _ := northflankDeck(t, true); return h }, "ledger", "quarter-close dump"},
		{"superbflex", func(t *testing.T) *provHarness { h, _ := flexDeck(t, provJobTime, true); return h }, "vpn", "WireGuard config"},
		{"linodedb", func(t *testing.T) *provHarness { h, _ := databasesDeck(t, true); return h }, "billing-pg", "q3_close"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := c.start(t)
			s := h.wait(fmt.Sprintf("Loaded %d", h.total))
			if !strings.Contains(crumbs(s), "[read-only]") {
				t.Errorf("top bar does not say read-only: %q", crumbs(s))
			}
			h.hiddenKeys("list", actionKeys...)
			h.pressDoesNothing("list", "s", "e", "X", "S")
			h.wait("Read-only mode: actions are disabled for this session")
			h.open(c.res, c.backup)
			h.hiddenKeys("backup list", actionKeys...)
			h.pressDoesNothing("backup list", "s", "D", "R", "A", "n", "e", "X", "S")
			h.to(c.backup)
			h.key("enter")
			h.waitAll("Backup ", "of "+c.res)
			h.hiddenKeys("backup detail", actionKeys...)
			h.pressDoesNothing("backup detail", "D", "R", "A", "n")
			h.nothingSent(0, "read-only")
		})
	}
}
