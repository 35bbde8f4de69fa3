package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// The fault matrix as the user sees it: every simulated fault on every
// screen shows a clear message in place with a way to retry, keeps the
// footer, never panics, and once the fault clears the retry works.

const faultReqTimeout = 500 * time.Millisecond

// faultHarness starts a program whose requests give up quickly.
func faultHarness(t *testing.T, before func(*simlinode.Server)) *harness {
	return start(t, setup{timeout: faultReqTimeout, retryWait: 10 * time.Millisecond, before: before})
}

// on switches fault f on, for good, for the requests match accepts.
func on(s *simlinode.Server, f simlinode.Fault, match func(*http.Request) bool) {
	s.SetFaults(simlinode.Faults{Rate: 1, Mix: []simlinode.Fault{f}, Match: match, DripEvery: 100 * time.Millisecond})
}

func off(s *simlinode.Server) { s.SetFaults(simlinode.Faults{}) }

// lastLines returns the status line and the footer.
func lastLines(s string) (status, footer string) {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) < 2 {
		return "", ""
	}
	return ls[len(ls)-2], ls[len(ls)-1]
}

// checkUsable fails when raw reply bytes reached the screen or the footer
// is gone.
func checkUsable(t *testing.T, s, footerKey string) {
	t.Helper()
	for _, bad := range []string{"<html", "<title", "xxxxxxxxxx", `{"`, "padding", "\x1b"} {
		if strings.Contains(s, bad) {
			t.Fatalf("raw reply %q drawn:\n%s", bad, s)
		}
	}
	if _, footer := lastLines(s); !strings.Contains(footer, footerKey) {
		t.Fatalf("footer lacks %q:\n%s", footerKey, s)
	}
}

// retry presses r until want shows, as a user would: after a 429 the
// window may still be closed for a moment (the refusal says "try again in
// 1s"), or the wait for it may leave too little of the short test timeout.
func (h *harness) retry(want string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		h.key("r")
		for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			if strings.Contains(h.screen(), want) {
				return
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%q still not shown after 15s of retries:\n%s", want, h.screen())
		}
	}
}

func isPath(p string) func(*http.Request) bool {
	return func(r *http.Request) bool { return r.Method == http.MethodGet && r.URL.Path == p }
}

func forEachFault(t *testing.T, fn func(t *testing.T, f simlinode.Fault)) {
	for _, f := range simlinode.AllFaults() {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, f)
		})
	}
}

func TestFaultsOnInstanceList(t *testing.T) {
	forEachFault(t, func(t *testing.T, f simlinode.Fault) {
		h := faultHarness(t, func(s *simlinode.Server) { on(s, f, isPath("/v4/linode/instances")) })
		s := h.waitAll("Could not load instances", "r to retry")
		checkUsable(t, s, "q quit")
		off(h.srv)
		h.retry("Loaded 40 instances")
	})
}

func TestFaultsOnBackupList(t *testing.T) {
	forEachFault(t, func(t *testing.T, f simlinode.Fault) {
		h := faultHarness(t, nil)
		h.waitLoaded()
		h.waitFor("summaries", summariesSettled)
		on(h.srv, f, func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/backups")
		})
		h.key("enter")
		s := h.waitAll("Could not load backups of web-prod-01", "r to retry")
		checkUsable(t, s, "esc back")
		off(h.srv)
		h.retry("(automatic)")
	})
}

func TestFaultsOnBackupDetailRefresh(t *testing.T) {
	forEachFault(t, func(t *testing.T, f simlinode.Fault) {
		h := faultHarness(t, nil)
		h.waitLoaded()
		h.key("enter")
		h.wait("(automatic)")
		h.key("enter")
		h.waitAll("Backup ", "of web-prod-01", "Disks (")
		on(h.srv, f, func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/backups/")
		})
		h.key("r")
		s := h.waitAll("refresh failed", "r to retry", "Press r to retry")
		checkUsable(t, s, "esc back")
		if !strings.Contains(s, "Disks (") {
			t.Fatalf("the detail was lost to the error:\n%s", s)
		}
		off(h.srv)
		h.retry("refreshed")
	})
}

func TestFaultsOnSnapshotAction(t *testing.T) {
	forEachFault(t, func(t *testing.T, f simlinode.Fault) {
		h := faultHarness(t, nil)
		h.select_("cache-01")
		h.key("s")
		h.wait("no snapshot yet")
		on(h.srv, f, func(r *http.Request) bool { return r.Method == http.MethodPost })
		h.key("enter")
		var s string
		applied := f >= simlinode.FaultTruncated // the fault spoils the reply, not the request
		switch f {
		case simlinode.Fault429:
			s = h.waitAll("✗ Snapshot of cache-01 failed", "rate limited", "try again in 1s")
		case simlinode.Fault500, simlinode.Fault502, simlinode.Fault503, simlinode.FaultHTML:
			s = h.wait("Snapshot of cache-01: server error; re-read: no new snapshot")
		default:
			want := "no new snapshot"
			if applied {
				want = "snapshot " // in progress, or already taken
			}
			s = h.waitFor("the re-read", func(s string) bool {
				st, _ := lastLines(s)
				return strings.Contains(st, "Snapshot of cache-01: ") && strings.Contains(st, "; re-read: "+want)
			})
		}
		checkUsable(t, s, "esc")
		if st, _ := lastLines(s); strings.Contains(st, "accepted") || strings.Contains(st, "✓") {
			t.Fatalf("claims a success it never heard:\n%s", s)
		}
		wantMut := int64(0)
		if applied {
			wantMut = 1
		}
		if n := h.mutations(); n != wantMut {
			t.Fatalf("%d mutations, want %d", n, wantMut)
		}
		off(h.srv)
		if applied {
			// The form re-read the state: a second snapshot cannot be sent.
			h.waitFor("the form re-read", func(s string) bool {
				return strings.Contains(s, "Refused: a snapshot is already in progress") || strings.Contains(s, "already has a snapshot")
			})
			h.key("enter") // refused, or asks for y to replace it
			settle()
		} else {
			h.waitFor("the form ready again", func(s string) bool { return strings.Contains(s, "no snapshot yet") && !strings.Contains(s, "Sending") })
			if f == simlinode.Fault429 {
				// The client keeps to the Retry-After of 1s; a retry sooner
				// would wait past this test's short timeout.
				time.Sleep(1100 * time.Millisecond)
			}
			h.key("enter") // retry
			h.wait("✓ Snapshot ")
		}
		if n := h.mutations(); n != 1 {
			t.Fatalf("%d mutations in all, want 1", n)
		}
	})
}
