package main

import (
	"strings"
	"testing"
)

// jump switches account view with the `:` prompt, the way a user does.
func (tm *term) jump(to, want string) string {
	tm.t.Helper()
	tm.send(":")
	tm.waitText("overview") // the prompt lists what it can jump to
	tm.sendText(to)
	tm.send(keyEnter)
	return tm.waitText(want)
}

// pick filters the list down to one row and keeps the filter.
func (tm *term) pick(label, want string) {
	tm.t.Helper()
	tm.send("/")
	tm.sendText(label)
	tm.waitText(want)
	tm.send(keyEnter)
}

// TestAccountsJourneyInPTY switches account with `:` in a real terminal
// and takes a backup on Civo and on Northflank, each watched to the end.
func TestAccountsJourneyInPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tm := startTerm(t, 120, 32, []string{"LINODE_TOKEN="}, "--demo", "--demo-latency", "10ms", "--demo-job-time", "1s", "--poll", "200ms")
	tm.waitText("Loaded 40 instances")

	s := tm.jump("civo", "Loaded 12 instances")
	if top := strings.SplitN(s, "\n", 2)[0]; !strings.Contains(top, "civo (civo-demo)") {
		t.Fatalf("top bar does not name the Civo account:\n%s", s)
	}
	tm.pick("grafana", "Instances 1/12")
	tm.send("s")
	s = tm.waitText("Take a snapshot of grafana")
	for _, want := range []string{"Safe", "shuts the instance down", "overwrites it"} {
		if !strings.Contains(s, want) {
			t.Errorf("Civo snapshot form lacks %q:\n%s", want, s)
		}
	}
	tm.send(keyEnter)
	tm.waitText("✓ Snapshot snapdeck-")
	tm.waitText("of grafana finished")

	s = tm.jump("northflank", "Loaded 12 addons")
	if !strings.Contains(s, "PROJECT") || !strings.Contains(strings.SplitN(s, "\n", 2)[0], "northflank (northflank-demo)") {
		t.Fatalf("Northflank list lacks its project column or top bar:\n%s", s)
	}
	tm.pick("wp", "Addons 1/12")
	tm.send("s")
	s = tm.waitText("Take a backup of wp")
	if !strings.Contains(s, "[snapshot]") || !strings.Contains(s, "dump") {
		t.Fatalf("Northflank form lacks the type choice:\n%s", s)
	}
	// A name the API would refuse is caught as it is typed, and Enter
	// sends nothing.
	tm.send("\x15") // ctrl+u clears the field
	tm.sendText("no")
	tm.waitText("name is 2 characters; at least 3 are needed")
	tm.send(keyEnter)
	tm.waitText("Take a backup of wp")
	tm.send("\x15")
	tm.sendText("before-upgrade")
	tm.waitFor("the name accepted", func(s string) bool { return !strings.Contains(s, "at least 3") })
	tm.send(keyEnter)
	tm.waitText("✓ Backup before-upgrade of wp finished")
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

// TestFlexRestoreAndDatabaseSnapshotInPTY restores a Superb Flex Cloud
// backup and takes a Linode Managed Database snapshot in --demo, and shows
// the 3-snapshot limit before the user tries.
func TestFlexRestoreAndDatabaseSnapshotInPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	tm := startTerm(t, 120, 32, []string{"LINODE_TOKEN="}, "--demo", "--demo-latency", "10ms", "--demo-job-time", "1s", "--poll", "200ms")
	tm.waitText("Loaded 40 instances")

	tm.jump("flex", "Loaded 12 virtual machines")
	tm.pick("vpn", "Virtual machines 1/12")
	tm.send(keyEnter)
	tm.waitText("WireGuard config")
	tm.send("R")
	s := tm.waitText("Type vpn to confirm")
	if !strings.Contains(s, "replaced") {
		t.Fatalf("restore confirmation does not say the data is replaced:\n%s", s)
	}
	tm.send(keyEnter) // Enter alone does nothing
	tm.waitText("That is not the label")
	tm.sendText("vpn")
	tm.send(keyEnter)
	tm.waitText("restore of")
	tm.waitText("onto vpn finished")
	tm.escTo("HYPERVISOR") // the list's own column

	tm.jump("demo/databases", "Loaded 7 databases")
	tm.pick("billing", "Databases 1/7")
	tm.send("s")
	tm.waitText("3 of at most 3 manual snapshots used")
	tm.send(keyEnter)
	tm.waitText("delete one first")
	tm.escTo("Cancelled: no snapshot taken")
	tm.escTo("Databases 7") // the filter cleared
	tm.pick("orders-mysql", "Databases 1/7")
	tm.send("s")
	tm.waitText("1 of at most 3 manual snapshots used")
	tm.send(keyEnter)
	tm.waitText("of orders-mysql finished")
	tm.send("q")
	if code := tm.wait(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
