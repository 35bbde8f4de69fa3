package ui

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/linode"
	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// staging is a second, small Linode account for Deck tests.
func staging(t *testing.T) Target {
	t.Helper()
	srv := simlinode.New(simlinode.Seed(2, 5, time.Now()), simlinode.Options{})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	p, err := linode.New(linode.Config{Transport: client.Transport{BaseURL: hs.URL, Timeout: 5 * time.Second}, Token: simlinode.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	return Target{Account: "staging", Provider: client.Sanitized(p)}
}

func TestDeckJumpsBetweenAccountsWithCompletion(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}, production: true})
	s := h.wait("Loaded 40 instances")
	if top := strings.SplitN(s, "\n", 2)[0]; !strings.Contains(top, "PRODUCTION") || !strings.Contains(top, "linode (test)") {
		t.Fatalf("top bar lacks the production account:\n%s", s)
	}
	if _, footer := lastLines(s); !strings.Contains(footer, ": jump") {
		t.Fatalf("footer lacks the jump key: %q", footer)
	}
	h.key(":")
	h.wait("staging/instances") // candidates listed under the prompt
	h.key("sta")
	h.key("tab")
	h.wait(":staging")
	h.key("enter")
	s = h.waitAll("linode (staging)", "Instances 5")
	if strings.Contains(strings.SplitN(s, "\n", 2)[0], "PRODUCTION") {
		t.Fatalf("staging drawn as production:\n%s", s)
	}
	// Back, by a unique substring.
	h.key(":")
	h.key("tes")
	h.key("enter")
	h.waitAll("linode (test)", "Instances 40")
}

func TestDeckJumpRefusesUnknownAndAmbiguous(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}})
	h.wait("Loaded 40 instances")
	h.key(":")
	h.key("nope")
	h.key("enter")
	h.wait("No account or view matches nope")
	h.key("esc")
	h.waitFor("the prompt to close", func(s string) bool {
		return !strings.Contains(s, "No account") && strings.Contains(s, "Instances 40")
	})
	// q inside the prompt is text, not quit.
	h.key(":")
	h.key("q")
	h.wait(":q")
	h.key("esc")
}

func TestDeckOverviewCountsEveryAccount(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}, production: true})
	h.wait("Loaded 40 instances")
	h.key(":")
	h.key("overview")
	h.key("enter")
	// staging was never opened: its rows were read in the background.
	s := h.waitFor("both accounts counted", func(s string) bool {
		return strings.Contains(s, "test/instances") && strings.Contains(s, "staging/instances") &&
			rowHas(s, "staging/instances", " 5 ") && rowHas(s, "test/instances", " 40 ")
	})
	for _, want := range []string{"RESOURCES", "VIOLATIONS", "JOBS", "[prod]", "Linode"} {
		if !strings.Contains(s, want) {
			t.Fatalf("overview lacks %q:\n%s", want, s)
		}
	}
	h.key("down")
	h.key("enter")
	h.waitAll("linode (staging)", "Instances 5")
}

// rowHas reports whether the line naming row contains sub.
func rowHas(s, row, sub string) bool {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, row) && strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

// TestDeckOverviewCountsJobsAndKeepsThemRunning: a snapshot started in one
// account shows in the overview's JOBS and is still watched to the end
// while another account is on screen.
func TestDeckOverviewCountsJobsAndKeepsThemRunning(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}, sim: simlinode.Options{SnapshotTime: 2 * time.Second}})
	h.select_("cache-01")
	h.key("s")
	h.wait("Label")
	h.key("enter")
	h.wait("● snapshot")
	h.key(":")
	h.key("overview")
	h.key("enter")
	h.waitFor("one job in the overview", func(s string) bool { return lastField(s, "test/instances") == "1" && strings.Contains(s, "JOBS") })
	h.key("down")
	h.key("enter")
	h.wait("linode (staging)")
	// The job's outcome reaches its account while staging is on screen.
	h.key(":")
	h.key("overview")
	h.key("enter")
	h.waitFor("the job to finish in the background", func(s string) bool { return lastField(s, "test/instances") == "0" })
	h.key(":")
	h.key("test")
	h.key("enter")
	h.waitAll("✓ Snapshot", "finished")
}

// lastField is the last word of the line naming row.
func lastField(s, row string) string {
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.Contains(l, row) {
			return f[len(f)-1]
		}
	}
	return ""
}

// TestDeckQuitFromHelp: q with the help open quits the whole program, not
// one account (which would be left with its requests cancelled).
func TestDeckQuitFromHelp(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}})
	h.wait("Loaded 40 instances")
	h.key("?")
	h.wait("Keys —")
	h.key("q")
	h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestProductionDialogsSayProduction: a dialog that changes something in a
// production account says so; the same dialog elsewhere does not.
func TestProductionDialogsSayProduction(t *testing.T) {
	for _, prod := range []bool{true, false} {
		h := start(t, setup{extra: []Target{staging(t)}, production: prod})
		h.select_("web-prod-01")
		h.key("X")
		s := h.wait("Cancel backups of web-prod-01")
		if got := strings.Contains(s, "PRODUCTION account test"); got != prod {
			t.Fatalf("production=%v, dialog says production: %v\n%s", prod, got, s)
		}
		h.key("esc")
	}
}

// TestDeckOverviewShowsUnavailableAccount: an account that could not be
// opened is a row of the overview saying why, not silently left out.
func TestDeckOverviewShowsUnavailableAccount(t *testing.T) {
	d := NewDeck(Options{Timeout: time.Second}, []Target{staging(t)})
	d.SetUnavailable([]Unavailable{{Account: "prod", Provider: "linode", Reason: "account \"prod\": PROD_TOKEN is not set\x1b[2J"}})
	d.Update(tea.WindowSizeMsg{Width: 110, Height: 24})
	s := d.renderOverview()
	if !rowHas(s, "prod ", "unavailable: ") || !strings.Contains(s, "PROD_TOKEN is not set") || !strings.Contains(s, "2 accounts") {
		t.Fatalf("overview lacks the unavailable account:\n%s", s)
	}
	if strings.Contains(s, "\x1b[2J") {
		t.Fatal("the reason was drawn raw")
	}
}

// TestDeckJumpToUnavailableSaysWhy: `:prod` for an account that could not
// be opened says why, and does not jump to a near match (prod-eu).
func TestDeckJumpToUnavailableSaysWhy(t *testing.T) {
	st := staging(t)
	st.Account = "prod-eu"
	d := NewDeck(Options{Timeout: time.Second}, []Target{st})
	d.SetUnavailable([]Unavailable{{Account: "prod", Provider: "linode", Reason: "PROD_TOKEN is not set"}})
	d.Update(tea.WindowSizeMsg{Width: 100, Height: 24})
	d.openPrompt()
	d.prompt.SetValue("prod")
	d.promptKey(tea.KeyPressMsg{Code: tea.KeyEnter})
	if d.prompt.Hint() != "prod is unavailable: PROD_TOKEN is not set" || d.overview || d.cur != 0 || !d.prompt.IsOpen() {
		t.Fatalf("hint %q, overview %v, cur %d", d.prompt.Hint(), d.overview, d.cur)
	}
}

// TestDeckJumpPrefersWhatStartsSo: `:test/inst` + enter opens
// test/instances, the view its suggestion row names first, although
// qa-test/instances contains it too (the rule of --account,
// model.MatchView); an empty enter closes the prompt.
func TestDeckJumpPrefersWhatStartsSo(t *testing.T) {
	st := staging(t)
	st.Account = "qa-test"
	h := start(t, setup{extra: []Target{st}})
	h.wait("Loaded 40 instances")
	h.key(":")
	h.key("qa")
	h.key("enter")
	h.waitAll("linode (qa-test)", "Instances 5")
	h.key(":")
	h.key("test/inst")
	h.waitFor("the suggestion row", func(s string) bool {
		hint, _ := lastLines(s)
		return strings.Contains(hint, "→ test/instances") && !strings.Contains(hint, "qa-test")
	})
	h.key("enter")
	h.waitAll("linode (test)", "Instances 40")
	h.key(":")
	h.wait("→ overview")
	h.key("enter")
	h.waitFor("the prompt to close", func(s string) bool {
		_, footer := lastLines(s)
		return !strings.Contains(s, "→ overview") && strings.Contains(footer, ": jump")
	})
}
