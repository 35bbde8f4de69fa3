package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// open filters the list to one instance and opens its backups.
func (h *harness) open(label string) string {
	h.t.Helper()
	h.select_(label)
	h.key("enter")
	return h.wait("TYPE")
}

// select_ filters the list down to one instance, leaving the list focused.
func (h *harness) select_(label string) {
	h.t.Helper()
	h.waitLoaded()
	h.key("/")
	h.key(label)
	h.wait("Instances 1/40")
	h.key("enter")
}

// waitLoaded waits for the whole list. Tests with a short request timeout
// can see the first load time out on a busy machine (under -race); the
// user's answer to that is r, so press it, a few times at most.
func (h *harness) waitLoaded() {
	h.t.Helper()
	for try := 0; ; try++ {
		s := h.waitFor("the instance list", func(s string) bool {
			return strings.Contains(s, "Loaded 40 instances") || strings.Contains(s, "Could not load instances")
		})
		if strings.Contains(s, "Loaded 40 instances") {
			return
		}
		if try == 5 {
			h.t.Fatalf("the instance list never loaded:\n%s", s)
		}
		h.key("r")
		h.waitFor("the retry", func(s string) bool { return !strings.Contains(s, "Could not load instances") })
	}
}

func (h *harness) clearInput() {
	h.tm.Send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
}

func (h *harness) mutations() int64 { return h.srv.Mutations() }

// settle gives a key press time to reach the program and any request it
// makes time to reach the simulator, for the checks that nothing was sent.
func settle() { time.Sleep(150 * time.Millisecond) }

func TestSnapshotReplacingAskedThenWatchedToSuccess(t *testing.T) {
	h := start(t, setup{})
	h.select_("web-prod-01")
	h.key("s")
	h.waitAll("Take a snapshot of web-prod-01", "already has a snapshot", "pre-deploy-2026-11", "Rule: 1 to 255")
	h.clearInput()
	h.key("before-upgrade")
	h.wait("✓ 14/255 characters")
	h.key("enter")
	h.wait("Replace \"pre-deploy-2026-11\" with \"before-upgrade\"?")
	h.key("enter") // never confirms
	h.wait("Enter does not confirm")
	settle()
	if n := h.mutations(); n != 0 {
		t.Fatalf("%d mutations before confirming", n)
	}
	h.key("y")
	h.wait("✓ Snapshot before-upgrade of web-prod-01 finished")
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d mutations for one snapshot, want 1", n)
	}
	h.key("enter")
	s := h.wait("before-upgrade")
	if strings.Contains(s, "pre-deploy-2026-11") {
		t.Fatalf("the replaced snapshot is still listed:\n%s", s)
	}
}

func TestSnapshotLabelRuleEnforcedAsTyped(t *testing.T) {
	h := start(t, setup{})
	h.select_("cache-01")
	h.key("s")
	h.wait("no snapshot yet")
	h.clearInput()
	h.wait("a label is required")
	h.key("enter")
	h.wait("Fix the label first")
	h.key(strings.Repeat("x", 256))
	h.wait("label is 256 characters; at most 255 are allowed")
	h.key("enter")
	settle()
	if n := h.mutations(); n != 0 {
		t.Fatalf("an invalid label was sent (%d mutations)", n)
	}
	h.key("esc")
	h.wait("Cancelled: snapshot of cache-01")
}

func TestSnapshotRefusedWhileOneIsInProgress(t *testing.T) {
	h := start(t, setup{})
	h.select_("db-primary")
	h.key("s")
	h.waitAll("Refused: a snapshot is already in progress", "before-schema-migration")
	h.key("enter")
	h.key("y")
	settle()
	if n := h.mutations(); n != 0 {
		t.Fatalf("%d mutations while refused", n)
	}
}

func TestSnapshotWithBackupsOffOffersToEnable(t *testing.T) {
	h := start(t, setup{})
	h.select_("legacy-mail")
	h.key("s")
	h.waitAll("Backups are off for legacy-mail", "paid service")
	h.key("y")
	h.wait("✓ Backups enabled for legacy-mail — press s to take the snapshot")
	h.waitFor("legacy-mail shows backups on", func(s string) bool {
		for _, l := range strings.Split(s, "\n") {
			if strings.HasPrefix(cellsOf(l), "legacy-mail ") {
				return strings.Contains(l, " on ")
			}
		}
		return false
	})
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d mutations, want 1", n)
	}
}

func TestRepeatedKeysWhileSendingSubmitOnce(t *testing.T) {
	h := start(t, setup{})
	h.select_("cache-01")
	h.key("s")
	h.wait("no snapshot yet")
	h.srv.DelayNext(1, 400*time.Millisecond)
	h.key("enter")
	for i := 0; i < 5; i++ {
		h.key("enter")
		h.key("y")
	}
	h.wait("✓ Snapshot ")
	settle()
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d snapshot requests for one confirmed action, want 1", n)
	}
}

func TestRestoreWithOverwriteNeedsTypedLabel(t *testing.T) {
	h := start(t, setup{w: 110, h: 36})
	h.open("web-prod-01")
	h.key("R") // the newest automatic backup
	s := h.waitAll("Restore automatic backup", "only Linodes in us-east", "web-prod-01 (this Linode)")
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "db-primary") || strings.Contains(l, "cache-01") {
			t.Fatalf("a Linode in another region is offered as a target:\n%s", s)
		}
	}
	h.key("down")
	h.key("o")
	h.wait("ERASES every disk and config")
	h.key("enter")
	s = h.wait("to confirm,")
	target := between(s, "Type ", " to confirm,")
	if target == "" || target == "web-prod-01" {
		t.Fatalf("confirm does not name the chosen target:\n%s", s)
	}
	h.key("enter")
	h.wait("That is not the label")
	h.key(target + "x")
	h.key("enter")
	h.wait("That is not the label")
	settle()
	if n := h.mutations(); n != 0 {
		t.Fatalf("%d mutations with a wrong label", n)
	}
	h.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	h.key("enter")
	h.wait("onto " + target + " finished")
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d mutations for one restore, want 1", n)
	}
}

// between returns the text between two markers on the first line holding both.
func between(s, a, b string) string {
	for _, l := range strings.Split(s, "\n") {
		i, j := strings.Index(l, a), strings.Index(l, b)
		if i >= 0 && j > i {
			return strings.TrimSpace(l[i+len(a) : j])
		}
	}
	return ""
}

func TestRestoreWithoutOverwriteIsYesAndRefusalShown(t *testing.T) {
	h := start(t, setup{w: 110, h: 36})
	h.open("web-prod-01")
	h.key("R")
	h.wait("web-prod-01 (this Linode)")
	h.key("enter") // this Linode, no overwrite
	h.wait("Press y to restore onto web-prod-01")
	h.key("enter")
	h.wait("Enter does not confirm here")
	h.key("y")
	// The simulator refuses when the target lacks free space; the reason is shown.
	// The outcome is in the status line (the history legend above the
	// backups says "failed" too).
	outcome := func(s string) string { st, _ := lastLines(s); return st }
	s := h.waitFor("an outcome", func(s string) bool {
		o := outcome(s)
		return strings.Contains(o, "accepted; watching it") || strings.Contains(o, "finished") || strings.Contains(o, "failed")
	})
	if strings.Contains(outcome(s), "failed") && !strings.Contains(strings.ToLower(s), "space") {
		t.Fatalf("a refusal without the API's reason:\n%s", s)
	}
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d mutations, want 1", n)
	}
}

func TestCancelBackupsNeedsTypedLabel(t *testing.T) {
	h := start(t, setup{})
	h.open("cache-01")
	h.key("X")
	h.waitAll("Cancel backups of cache-01", "all 2 automatic backups", "forever")
	h.key("cache-0")
	h.key("enter")
	h.wait("That is not the label")
	h.key("q") // text, not quit
	h.key("enter")
	h.wait("That is not the label")
	h.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	h.tm.Send(tea.KeyPressMsg{Code: tea.KeyBackspace})
	h.key("01")
	h.key("enter")
	h.wait("✓ Backups cancelled for cache-01")
	h.wait("not enabled for this Linode")
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d mutations, want 1", n)
	}
}

func TestEnableBackupsConfirmed(t *testing.T) {
	h := start(t, setup{})
	h.select_("legacy-mail")
	h.key("e")
	h.wait("paid service")
	h.key("esc")
	h.wait("Cancelled: Enable backups for legacy-mail")
	settle()
	if n := h.mutations(); n != 0 {
		t.Fatalf("%d mutations after esc", n)
	}
	h.key("e")
	h.key("y")
	h.wait("✓ Backups enabled for legacy-mail")
}

func TestScheduleChanged(t *testing.T) {
	h := start(t, setup{})
	h.open("web-prod-01")
	h.key("S")
	h.wait("Backup schedule of web-prod-01")
	h.tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})
	h.tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	h.key("enter")
	s := h.wait("now run")
	if !strings.Contains(s, "UTC") {
		t.Fatalf("announcement lacks the window:\n%s", s)
	}
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d mutations, want 1", n)
	}
}

func TestReadOnlyHidesAndRefusesActions(t *testing.T) {
	h := start(t, setup{readOnly: true})
	s := h.wait("Loaded 40 instances")
	if strings.Contains(s, "s snapshot") || !strings.Contains(s, "[read-only]") {
		t.Fatalf("read-only screen offers actions or lacks the badge:\n%s", s)
	}
	h.key("s")
	h.wait("Read-only mode: actions are disabled")
	h.key("enter")
	h.wait("(automatic)")
	h.key("R")
	h.key("X")
	settle()
	if n := h.mutations(); n != 0 {
		t.Fatalf("%d mutations in read-only mode", n)
	}
}

func TestSnapshotTimeoutRereadsState(t *testing.T) {
	// The re-read's reads share one request timeout: 300ms was too short
	// for them under -race on a loaded machine (see onceTimeout). The
	// snapshot runs far longer than the client waits, so the re-read finds
	// it in progress however late it comes.
	opts := setup{timeout: onceTimeout}
	opts.sim.SnapshotTime = 20 * onceTimeout
	h := start(t, opts)
	h.select_("cache-01")
	h.key("s")
	h.wait("no snapshot yet")
	// The snapshot is taken, but the answer never arrives in time: it is
	// held ten times as long as the client waits.
	h.srv.DelayNext(1, 10*onceTimeout)
	h.key("enter")
	s := h.wait("timed out; re-read: snapshot in progress")
	if strings.Contains(s, "accepted") {
		t.Fatalf("claims success it never heard:\n%s", s)
	}
	if n := h.mutations(); n != 1 {
		t.Fatalf("%d mutations, want exactly 1", n)
	}
}
