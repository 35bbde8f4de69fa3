package ui

import (
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
)

// listReads counts the instance list's page reads at the simulator.
func (h *harness) listReads() int64 {
	return h.srv.RequestsTo("/v4/linode/instances") - h.srv.RequestsTo("/v4/linode/instances/")
}

// On a provider whose reads are shared (the SSH server's), r still reads
// the list afresh, though a read younger than the cache's window exists.
func TestRefreshReadsPastSharedCache(t *testing.T) {
	rc := client.NewReadCache(time.Hour)
	h := start(t, setup{shared: rc})
	h.wait("Loaded 40 instances")
	before := h.listReads()
	if before == 0 {
		t.Fatal("no list read counted")
	}
	h.key("r")
	h.waitFor("a new list read after r", func(string) bool { return h.listReads() > before })
	h.wait("Loaded 40 instances")
	// The backups screen's r too.
	h.key("enter")
	h.wait("R restore")
	backups := func() int64 { return h.srv.RequestsTo("/v4/linode/instances/") }
	h.waitFor("backups read", func(string) bool { return backups() > 0 })
	time.Sleep(50 * time.Millisecond)
	n := backups()
	h.key("r")
	h.waitFor("a new backups read after r", func(string) bool { return backups() > n })
}
