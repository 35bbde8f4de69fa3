package main

import (
	"strings"
	"testing"
)

// consequence is what a refusal without --yes says after its heading:
// "snapdeck: not cancelling without --yes: Cancel backups of x: <this>".
func consequence(t *testing.T, r result, heading string) string {
	t.Helper()
	wantCode(t, r, 2)
	i := strings.Index(r.stderr, heading+": ")
	if i < 0 {
		t.Fatalf("refusal does not name the action %q: %q", heading, r.stderr)
	}
	return strings.TrimSpace(r.stderr[i+len(heading)+2:])
}

// flat is s with every run of white space one space: text the screen
// wrapped reads as it was written.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// sentences splits a consequence into its sentences.
func sentences(s string) []string {
	var out []string
	for _, p := range strings.SplitAfter(s, ". ") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TestRefusalSaysWhatTheConfirmViewSays: a command refused for want of
// --yes says the same heading and consequence as the TUI's confirm view
// for the same action, sentence by sentence (the TUI's view adds what only
// it knows: when the backup was taken, how many backups there are).
func TestRefusalSaysWhatTheConfirmViewSays(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tm := startTerm(t, 200, 36, nil, "--demo", "--demo-latency", "20ms")
	tm.waitText("Loaded 40 instances")
	tm.send("/")
	tm.sendText("cache-01")
	tm.waitText("Instances 1/40")
	tm.send(keyEnter) // keep the filter

	// Cancel backups: typed label.
	tm.send("X")
	screen := tm.waitText("Type cache-01 to confirm")
	cli := consequence(t, demo(t, "cancel-backups", "cache-01"), "Cancel backups of cache-01")
	if !strings.Contains(cli, "forever") {
		t.Fatalf("the refusal does not say the backups are deleted forever: %q", cli)
	}
	for _, s := range sentences(cli) {
		if !strings.Contains(flat(screen), s) {
			t.Errorf("the confirm view lacks the refusal's %q:\n%s", s, screen)
		}
	}
	tm.escTo("Cancelled: Cancel backups of cache-01")

	// Restore with overwrite onto another Linode: typed label, and the
	// provider's "ERASES every disk" in both.
	tm.send(keyEnter) // open cache-01
	tm.waitText("automatic")
	tm.send("g")
	tm.send("R")
	tm.waitText("cache-01 (this Linode)")
	tm.send(keyDown)
	tm.send("o")
	tm.send(keyEnter)
	screen = tm.waitText("to confirm,")
	heading, target := "", ""
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, "⚠ Restore "); i >= 0 {
			heading = strings.TrimSpace(l[i+len("⚠ "):])
		}
		if i, j := strings.Index(l, "Type "), strings.Index(l, " to confirm,"); i >= 0 && j > i {
			target = strings.TrimSpace(l[i+5 : j])
		}
	}
	if target == "" || target == "cache-01" || !strings.HasSuffix(heading, " over "+target) {
		t.Fatalf("no other target named (heading %q, target %q):\n%s", heading, target, screen)
	}
	cli = consequence(t, demo(t, "restore", "cache-01", "1", "--to", target, "--overwrite"), "over "+target)
	if !strings.Contains(cli, "ERASES every disk and config of "+target) {
		t.Fatalf("the refusal does not say the target is erased: %q", cli)
	}
	for _, s := range sentences(cli) {
		if strings.HasPrefix(s, "Restores ") {
			continue // names the backup as each knows it (the TUI: when it was taken)
		}
		if !strings.Contains(flat(screen), s) {
			t.Errorf("the confirm view lacks the refusal's %q:\n%s", s, screen)
		}
	}
	tm.send(keyEnter) // Enter alone does not confirm
	tm.waitText("That is not the label")
	tm.escTo("Overwrite (o toggles)")
	tm.escTo("Cancelled: restore of backup")
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
