package ui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// Mutations happen exactly once: a confirmed action whose reply is lost or
// spoiled after the API made the change is applied once, never resent, and
// the user is told what the re-read found. (The snapshot has the same
// matrix in TestFaultsOnSnapshotAction.)

// onceAction walks to the last key of one confirmed action.
type onceAction struct {
	name string
	// prepare walks to the confirm step; confirm is the key that sends.
	prepare func(h *harness)
	confirm string
	// told is what the re-read announcement must say.
	told string
	// emptyReply: the API answers {}, which faults that rewrite or trickle
	// the body leave intact.
	emptyReply bool
}

var onceActions = []onceAction{
	{"restore", func(h *harness) {
		h.open("web-prod-01")
		h.key("R")
		h.wait("web-prod-01 (this Linode)")
		h.key("down")
		h.key("o")
		h.key("enter")
		s := h.wait("to confirm,")
		h.key(between(s, "Type ", " to confirm,"))
	}, "enter", "a restore ", true},
	{"cancel", func(h *harness) {
		h.open("cache-01")
		h.key("X")
		h.wait("Cancel backups of cache-01")
		h.key("cache-01")
	}, "enter", "backups off", true},
	{"enable", func(h *harness) {
		h.select_("legacy-mail")
		h.key("e")
		h.wait("paid service")
	}, "y", "backups on", true},
	{"schedule", func(h *harness) {
		h.open("web-prod-01")
		h.key("S")
		h.wait("Backup schedule of web-prod-01")
		h.tm.Send(tea.KeyPressMsg{Code: tea.KeyRight})
	}, "enter", "backups on", false},
}

// lostReply are the faults after which the change was made but its reply
// never arrived intact; "delay" is DelayNext, a reply held past the timeout.
var lostReply = []string{"delay", "truncated", "wrong-types", "missing-fields", "10MB", "drip", "lost-500", "lost-reset"}

func faultByName(name string) simlinode.Fault {
	for _, f := range simlinode.AllFaults() {
		if f.String() == name {
			return f
		}
	}
	return simlinode.FaultNone
}

// onceTimeout bounds each request of these tests, the re-read after a lost
// reply included (three reads in one call). It is generous: under -race on a
// loaded machine 400ms was too short for the re-read, which then reported
// "re-reading failed too" (or, its events read timing out, no restore).
// The faults that lose a reply by time are made to outlast it by far, not
// by a margin: delay holds the reply ten times as long (the client gives up
// at onceTimeout, so that costs nothing), drip sends a byte per tick.
const onceTimeout = 3 * time.Second

func TestActionsAppliedOnceWhenReplyLost(t *testing.T) {
	for _, act := range onceActions {
		for _, fault := range lostReply {
			t.Run(act.name+"/"+fault, func(t *testing.T) {
				t.Parallel()
				h := start(t, setup{timeout: onceTimeout, retryWait: 10 * time.Millisecond})
				act.prepare(h)
				settle()
				if n := h.mutations(); n != 0 {
					t.Fatalf("%d mutations before confirming", n)
				}
				if fault == "delay" {
					h.srv.DelayNext(1, 10*onceTimeout)
				} else {
					// One byte per 100ms: a real reply (hundreds of bytes)
					// trickles for far longer than onceTimeout; {} arrives.
					h.srv.SetFaults(simlinode.Faults{Rate: 1, Mix: []simlinode.Fault{faultByName(fault)},
						Match:     func(r *http.Request) bool { return r.Method != http.MethodGet },
						DripEvery: 100 * time.Millisecond, DripBytes: 1})
				}
				h.key(act.confirm)
				for i := 0; i < 3; i++ { // impatient repeats are ignored
					h.key(act.confirm)
				}
				intact := act.emptyReply && (fault == "wrong-types" || fault == "missing-fields" || fault == "drip")
				if intact {
					// Nothing to spoil in {}: the reply arrives and is believed.
					h.waitFor("success", func(s string) bool {
						st, _ := lastLines(s)
						return strings.Contains(st, "✓")
					})
					settle()
					if n := h.mutations(); n != 1 {
						t.Fatalf("%d mutations, want 1", n)
					}
					return
				}
				s := h.waitFor("the re-read", func(s string) bool {
					st, _ := lastLines(s)
					return strings.Contains(st, "re-read: ")
				})
				st, _ := lastLines(s)
				if !strings.Contains(st, act.told) {
					t.Fatalf("re-read does not say %q:\n%s", act.told, s)
				}
				if strings.Contains(st, "✓") || strings.Contains(st, "accepted") {
					t.Fatalf("claims a success it never heard:\n%s", s)
				}
				checkUsable(t, s, "esc")
				off(h.srv)
				h.key("esc")
				settle()
				if n := h.mutations(); n != 1 {
					t.Fatalf("%d mutations for one confirmed %s, want exactly 1", n, act.name)
				}
			})
		}
	}
}

func TestBackedOutActionsSendNothing(t *testing.T) {
	for _, act := range onceActions {
		t.Run(act.name, func(t *testing.T) {
			t.Parallel()
			h := start(t, setup{})
			act.prepare(h)
			// esc, one level at a time, back to the filtered list: a fixed
			// count would also clear the filter for a dialog opened there.
			list := func(s string) bool {
				top := strings.SplitN(s, "\n", 2)[0] // the breadcrumb ends at the screen on top
				return strings.Contains(top, "Instances 1/40") && !strings.Contains(top, "Instances 1/40 ›")
			}
			for range 3 {
				s := h.screen()
				if list(s) {
					break
				}
				// The breadcrumb, not any change: the echo of a label
				// typed just before would pass for the esc taking effect.
				top := strings.SplitN(s, "\n", 2)[0]
				h.key("esc")
				h.waitFor("esc to take effect", func(x string) bool { return strings.SplitN(x, "\n", 2)[0] != top })
			}
			h.waitFor("the instance list", list)
			settle()
			if n := h.mutations(); n != 0 {
				t.Fatalf("%d mutations after backing out", n)
			}
		})
	}
	t.Run("snapshot-replace", func(t *testing.T) {
		t.Parallel()
		h := start(t, setup{})
		h.select_("web-prod-01")
		h.key("s")
		h.wait("already has a snapshot")
		h.key("enter")
		h.wait("Replace ")
		h.key("esc")
		h.key("esc")
		h.wait("Cancelled: snapshot of web-prod-01")
		settle()
		if n := h.mutations(); n != 0 {
			t.Fatalf("%d mutations after backing out", n)
		}
	})
}
