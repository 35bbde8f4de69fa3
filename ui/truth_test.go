package ui

import (
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/linodedb"
	"github.com/snapdeck/snapdeck/sim"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestEnableBackupsFillsTheSnapshotCell: after e, the row's SNAPSHOT cell
// says what the instance's backups are, without moving the cursor or r.
// It used to stay "…".
func TestEnableBackupsFillsTheSnapshotCell(t *testing.T) {
	h := start(t, setup{})
	h.select_("legacy-mail")
	h.key("e")
	h.wait("paid service")
	h.key("y")
	h.wait("✓ Backups enabled for legacy-mail")
	h.waitFor("the snapshot cell of legacy-mail to be read", func(s string) bool {
		return rowHas(s, "legacy-mail", "none") && !rowHas(s, "legacy-mail", "…")
	})
}

// TestDeckAnnouncesJobsOfOtherAccountsAndKeepsALog: a snapshot that ends
// while another account is on screen is announced there, one that ends
// while the overview is open is announced in the overview, and J lists
// both, whichever account took them.
func TestDeckAnnouncesJobsOfOtherAccountsAndKeepsALog(t *testing.T) {
	h := start(t, setup{extra: []Target{staging(t)}, sim: simlinode.Options{SnapshotTime: time.Second}})
	h.select_("cache-01")
	h.key("s")
	h.wait("Label")
	h.key("enter")
	h.wait("● snapshot")
	h.key(":")
	h.key("staging")
	h.key("enter")
	h.wait("linode (staging)")
	s := h.wait("test/instances: ✓ Snapshot")
	if st, _ := lastLines(s); !strings.Contains(st, "finished") {
		t.Fatalf("staging's status line does not say the job finished: %q", st)
	}

	// The overview is open when the second one ends.
	h.key(":")
	h.key("test")
	h.key("enter")
	h.wait("linode (test)")
	h.key("esc") // the filter kept from before
	h.wait("Instances 40")
	h.key("/")
	h.key("web-prod-01")
	h.wait("Instances 1/40")
	h.key("enter")
	h.key("s")
	h.wait("Label")
	h.key("enter")
	h.wait("Replace the snapshot of web-prod-01")
	h.key("y")
	h.wait("● snapshot")
	h.key(":")
	h.key("overview")
	h.key("enter")
	h.wait("JOBS")
	h.waitFor("the outcome in the overview", func(s string) bool {
		st, _ := lastLines(s)
		return strings.Contains(st, "test/instances: ✓ Snapshot") && strings.Contains(st, "web-prod-01 finished")
	})

	h.key("J")
	s = h.waitAll("Job log", "of web-prod-01 finished", "of cache-01 finished", "of cache-01 accepted")
	if strings.Index(s, "web-prod-01 finished") > strings.Index(s, "cache-01 finished") {
		t.Fatalf("the log is not newest first:\n%s", s)
	}
	h.key("esc")
	h.waitFor("the log to close", func(s string) bool { return !strings.Contains(s, "Job log") })
}

// TestJobLogKeyInHelp: J is in the help of every view.
func TestJobLogKeyInHelp(t *testing.T) {
	h := start(t, setup{})
	h.waitLoaded()
	h.key("?")
	h.wait("job log")
	h.key("esc")
	h.key("J")
	h.waitAll("Job log", "No job started or ended yet")
}

// TestStatusLineDropsOldTextWhenAJobStarts: a restore in place started
// after a refusal says it was accepted; the refusal is not left beside the
// new job ("● restore …: pending 0% · Automatic backups cannot be delete…").
func TestStatusLineDropsOldTextWhenAJobStarts(t *testing.T) {
	h, _ := databasesDeck(t, false)
	h.open("orders-mysql", "pre_release_2026_11")
	h.to("Scheduled - ")
	h.key("D")
	h.wait("Automatic backups cannot be deleted")
	h.to("pre_release_2026_11")
	h.key("R")
	h.wait("Type orders-mysql to confirm")
	h.key("orders-mysql")
	h.key("enter")
	s := h.wait("● restore of pre_release_2026_11 onto orders-mysql")
	st, _ := lastLines(s)
	if strings.Contains(st, "cannot be delete") || !strings.Contains(st, "· ✓ Restore of pre_release_2026_11") {
		t.Fatalf("status line after the restore started: %q", st)
	}
}

// TestNorthflankDetailNamesOneType: a Northflank dump's detail says "dump"
// in its Type row, and no row calls it a snapshot ("Type snapshot
// (current)" beside "Backup type dump").
func TestNorthflankDetailNamesOneType(t *testing.T) {
	h, _ := northflankDeck(t, false)
	h.pick("wp")
	h.key("s")
	h.wait("Type › [snapshot]  dump")
	h.clearInput()
	h.key("nightly dump")
	h.wait("Name › nightly dump")
	h.key("tab")
	h.right()
	h.wait("Type ›  snapshot  [dump]")
	h.key("enter")
	h.wait("✓ Backup nightly dump of wp finished")
	h.key("enter")
	h.waitFor("the dump's row", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(strings.TrimSpace(cellsOf(l)), "nightly dump ") {
				return true
			}
		}
		return false
	})
	h.to("nightly dump")
	h.key("enter")
	s := h.wait("Finished")
	var types []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(strings.ToLower(l), "type ") {
			types = append(types, strings.TrimSpace(l))
		}
	}
	if len(types) != 1 || !strings.Contains(types[0], "dump · manual") || strings.Contains(types[0], "snapshot") {
		t.Fatalf("type rows: %q\n%s", types, s)
	}
}

// TestBackupFormNewestIsAManualOne: the count of manual backups is
// followed by the age of the newest manual one, not of a newer automatic
// one (artifacts: known-good 20h ago, a scheduled daily 8h ago).
func TestBackupFormNewestIsAManualOne(t *testing.T) {
	h, _ := northflankDeck(t, false)
	h.pick("artifacts")
	h.key("s")
	s := h.wait("1 manual backup")
	if !strings.Contains(s, "1 manual backup · newest 20h ago") {
		t.Fatalf("the form does not name known-good as the newest manual backup:\n%s", s)
	}
}

// TestScheduleFormWindowRowSaysOnlyTheWindow: with a day chosen, the
// window row does not say "day chosen by Linode" beside "New: Monday …".
func TestScheduleFormWindowRowSaysOnlyTheWindow(t *testing.T) {
	h := start(t, setup{})
	h.open("web-prod-01")
	h.key("S")
	h.wait("Backup schedule of web-prod-01")
	for range days {
		s := h.screen()
		if strings.Contains(s, "New:   Monday") {
			break
		}
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})
		h.waitFor("the day to change", func(n string) bool { return n != s })
	}
	s := h.wait("New:   Monday")
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "Window") && (strings.Contains(l, "day chosen") || !strings.Contains(l, "UTC")) {
			t.Fatalf("window row: %q\n%s", l, s)
		}
	}
}

// TestRestorePromptShowsTheWholeLabelGrey: the empty typed field shows the
// label to type whole, in plain grey; its first letter is not drawn in
// reverse video under the cursor, where it looked typed.
func TestRestorePromptShowsTheWholeLabelGrey(t *testing.T) {
	clock := &simClock{}
	srv := simlinode.New(simlinode.Demo(time.Now()), simlinode.Options{Options: sim.Options{Now: clock.now}, RestoreTime: time.Hour})
	p, err := linodedb.New(linodedb.Config{Transport: client.Transport{BaseURL: serve(t, srv), Timeout: 5 * time.Second, Retries: 1}, Token: simlinode.DemoToken})
	if err != nil {
		t.Fatal(err)
	}
	app := New(Options{Provider: client.Sanitized(p), Account: "test", Now: time.Now, Timeout: 5 * time.Second})
	h := &provHarness{harness: runColoured(t, app), sim: srv, clock: clock, plural: p.Info().Plural, total: simlinode.DemoDatabases}
	h.open("orders-mysql", "pre_release_2026_11")
	h.to("pre_release_2026_11")
	h.key("R")
	s := h.wait("Type orders-mysql to confirm")
	y, x := -1, -1
	for i, l := range strings.Split(s, "\n") {
		if at := strings.Index(l, "orders-mysql"); at >= 0 && strings.HasPrefix(strings.TrimSpace(l), "›") {
			y, x = i, len([]rune(l[:at]))
		}
	}
	if y < 0 {
		t.Fatalf("no field shows the label:\n%s", s)
	}
	h.mu.Lock()
	first := h.emu.CellAt(x, y)
	label := h.emu.CellAt(x+1, y)
	h.mu.Unlock()
	if first == nil || label == nil || first.Content != "o" || first.Style != label.Style || label.Style.Fg == nil {
		t.Fatalf("the label's first letter is drawn as %+v, the rest as %+v: want both grey", first, label)
	}
	h.key("orders")
	h.wait("› orders")
	if st := h.screen(); strings.Contains(st, "› ordersorders-mysql") {
		t.Fatalf("the label is still drawn after typing:\n%s", st)
	}
}

// runColoured is run in a terminal that shows colour and reverse video, so
// that the emulator's cells hold the styles a user sees.
func runColoured(t *testing.T, app *App) *harness {
	t.Helper()
	h := &harness{t: t, app: app, emu: vt.NewEmulator(110, 32)}
	go func() { _, _ = io.Copy(io.Discard, h.emu) }()
	t.Cleanup(func() {
		if pw, ok := h.emu.InputPipe().(*io.PipeWriter); ok {
			_ = pw.CloseWithError(io.EOF)
		}
	})
	h.tm = teatest.NewTestModel(t, app, teatest.WithInitialTermSize(110, 32),
		teatest.WithProgramOptions(tea.WithEnvironment([]string{"TERM=xterm-256color", "CLICOLOR_FORCE=1"})))
	t.Cleanup(func() {
		_ = h.tm.Quit()
		h.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	})
	return h
}
