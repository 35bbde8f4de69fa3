package ui

import (
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"go.uber.org/goleak"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// Leaving a view or quitting cancels its requests: the simulator's hung
// handlers return as soon as the client hangs up, and nothing is left
// running once the program ends.

func waitInFlight(t *testing.T, s *simlinode.Server, want int64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second) // well under the 5s request timeout
	for s.InFlight() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests in flight, want %d", s.InFlight(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestLeavingAViewCancelsItsRequests(t *testing.T) {
	h := start(t, setup{}) // requests time out after 5s; cancelling must be faster
	h.wait("Loaded 40 instances")
	h.waitFor("summaries", summariesSettled)
	waitInFlight(t, h.srv, 0)

	h.srv.HangNext(1)
	h.key("enter") // the backup list hangs
	h.wait("Loading backups")
	waitInFlight(t, h.srv, 1)
	h.key("esc")
	waitInFlight(t, h.srv, 0)

	h.key("enter")
	h.wait("(automatic)")
	h.key("enter")
	h.wait("Disks (")
	h.srv.HangNext(1)
	h.key("r") // the detail refresh hangs
	waitInFlight(t, h.srv, 1)
	h.key("esc")
	waitInFlight(t, h.srv, 0)
	h.key("esc")

	h.srv.HangNext(1)
	h.key("s") // the snapshot form's read hangs
	h.wait("Reading the current snapshot state")
	waitInFlight(t, h.srv, 1)
	h.key("esc")
	waitInFlight(t, h.srv, 0)

	h.srv.HangNext(1)
	h.key("r") // the list's refresh hangs
	waitInFlight(t, h.srv, 1)
	h.key("q") // quitting ends it too
	waitInFlight(t, h.srv, 0)
}

func TestNoGoroutineOutlivesTheProgram(t *testing.T) {
	// Registered first, so it runs last: after the harness has stopped the
	// program and closed the simulator.
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		// teatest's own SIGINT watcher stays for the process's life.
		goleak.VerifyNone(t, ignore, goleak.IgnoreTopFunction("github.com/charmbracelet/x/exp/teatest/v2.NewTestModel.func2"))
	})
	h := start(t, setup{})
	h.wait("Loaded 40 instances")
	h.key("enter")
	h.wait("(automatic)")
	h.key("enter")
	h.wait("Disks (")
	h.key("esc")
	h.key("esc")
	h.key("b") // a fleet scan, stopped by leaving
	h.key("enter")
	h.srv.HangNext(2)
	h.key("r")
	h.key("esc")
	h.key("s")
	h.key("esc")
	h.key("q")
	h.final()
}

// walkKeys are every key the program knows, and some it does not; quitting
// keys are left out so the walk runs to its end.
var walkKeys = []tea.KeyPressMsg{
	{Code: tea.KeyUp}, {Code: tea.KeyDown}, {Code: tea.KeyPgUp}, {Code: tea.KeyPgDown},
	{Code: tea.KeyLeft}, {Code: tea.KeyRight}, {Code: tea.KeyEnter}, {Code: tea.KeyEnter}, {Code: tea.KeyEnter}, {Code: tea.KeyEnter},
	{Code: tea.KeyEscape}, {Code: tea.KeyEscape}, {Code: tea.KeyEscape}, {Code: tea.KeyBackspace}, {Code: tea.KeyTab}, {Code: tea.KeySpace, Text: " "},
	{Code: 'u', Mod: tea.ModCtrl},
	{Code: 'j', Text: "j"}, {Code: 'k', Text: "k"}, {Code: 'g', Text: "g"}, {Code: 'G', Text: "G"},
	{Code: '/', Text: "/"}, {Code: 'r', Text: "r"}, {Code: 'b', Text: "b"}, {Code: '?', Text: "?"},
	{Code: 's', Text: "s"}, {Code: 'e', Text: "e"}, {Code: 'X', Text: "X"}, {Code: 'S', Text: "S"}, {Code: 'R', Text: "R"},
	{Code: 'y', Text: "y"}, {Code: 'n', Text: "n"}, {Code: 'o', Text: "o"}, {Code: 'h', Text: "h"}, {Code: 'l', Text: "l"},
	{Code: 'c', Text: "c"}, {Code: '0', Text: "0"}, {Code: '-', Text: "-"}, {Code: 'é', Text: "é"},
}

// TestRandomWalkWithFaults presses 10,000 seeded random keys over the demo
// fleet while a third of all requests fail in every way the simulator
// knows, with resizes mixed in. Then the faults stop: nothing may stay busy,
// and the final view must draw.
func TestRandomWalkWithFaults(t *testing.T) {
	const seed, presses = 8, 10_000
	log.SetOutput(io.Discard) // linodego reports its retries there
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	h := start(t, setup{timeout: 300 * time.Millisecond, retryWait: 10 * time.Millisecond, w: 80, h: 24,
		before: func(s *simlinode.Server) {
			s.SetFaults(simlinode.Faults{Rate: 0.3, Seed: seed, HugeBytes: 1 << 20, DripEvery: 20 * time.Millisecond})
		}})
	rng := rand.New(rand.NewPCG(seed, seed))
	for i := 0; i < presses; i++ {
		if rng.IntN(500) == 0 {
			// The program only: the emulator is not read during the walk.
			h.tm.Send(tea.WindowSizeMsg{Width: 20 + rng.IntN(100), Height: 4 + rng.IntN(30)})
			continue
		}
		h.tm.Send(walkKeys[rng.IntN(len(walkKeys))])
		if i%8 == 0 {
			time.Sleep(time.Millisecond) // let replies interleave with keys
		}
		if i%100 == 0 {
			_, _ = io.Copy(io.Discard, h.tm.Output())
		}
	}
	h.srv.SetFaults(simlinode.Faults{})
	h.tm.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	// Back out to the list, then give every request time to end: a few
	// request timeouts (300ms) and retries.
	for i := 0; i < 6; i++ {
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	}
	time.Sleep(2 * time.Second)
	h.tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	a := h.tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*App)
	if a.anyBusy() {
		t.Fatalf("still busy once the faults stopped: %T", a.top())
	}
	v := a.View().Content
	lines := strings.Split(v, "\n")
	if len(lines) != 24 || !strings.Contains(lines[0], "snapdeck") || strings.Contains(lines[0], "loading") {
		t.Fatalf("final view:\n%s", v)
	}
	if !strings.Contains(lines[23], "quit") && !strings.Contains(lines[23], "esc") {
		t.Fatalf("footer lost:\n%s", v)
	}
	faults := 0
	for _, f := range simlinode.AllFaults() {
		faults += int(h.srv.FaultsServed(f))
	}
	t.Logf("%d requests, %d faulted, %d mutations", h.srv.Requests(), faults, h.srv.Mutations())
	// A sanity floor only: the walk is bounded by time (timeouts, Retry-After
	// pauses), not by keys, so most presses land while replies are out.
	if h.srv.Requests() < 60 || faults < 15 {
		t.Fatalf("the walk hardly reached the API: %d requests, %d faults", h.srv.Requests(), faults)
	}
}
