package ui

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/northflank"
	"github.com/snapdeck/snapdeck/model"
)

// siteHostile is what a provider could put in a name, a status or an ID:
// an OSC 8 hyperlink, a C1 CSI screen clear, a bidi override. Once made
// inert it reads "label--gnp.exe".
const siteHostile = "\x1b]8;;http://x\x1b\\label\x1b]8;;\x1b\\-\u009b2J-\u202egnp.exe"

const siteShown = "label--gnp.exe"

// hostileAddons is a Northflank-like provider whose every name, status
// and ID carries siteHostile; the UI sees it only through client.Sanitized,
// as cmd/snapdeck wires every provider.
type hostileAddons struct {
	mu      sync.Mutex
	backups []model.Backup
}

func newHostileAddons(now time.Time) *hostileAddons {
	return &hostileAddons{backups: []model.Backup{
		{ID: "run-" + siteHostile, ResourceID: "a1", Kind: model.BackupSnapshot, Label: "busy-" + siteHostile,
			Status: model.StatusRunning, RawStatus: "in-progress-" + siteHostile, Created: now.Add(-time.Minute)},
		{ID: "ok-" + siteHostile, ResourceID: "a1", Kind: model.BackupSnapshot, Label: "good-" + siteHostile,
			Status: model.StatusSuccessful, RawStatus: "completed", Available: true, Created: now.Add(-time.Hour),
			Finished: now.Add(-50 * time.Minute), Fields: []model.Field{{Name: "f-" + siteHostile, Value: "v-" + siteHostile}}},
	}}
}

func (*hostileAddons) Name() string             { return "northflank" }
func (*hostileAddons) Info() model.ProviderInfo { return northflank.Info }
func (*hostileAddons) resource() model.Resource {
	return model.Resource{ID: "a1", Provider: "northflank", Kind: model.KindAddon, Label: "db-" + siteHostile,
		Region: "proj-" + siteHostile, Status: "running", Plan: "plan-" + siteHostile, Tags: []string{"t-" + siteHostile},
		BackupsEnabled: true}
}
func (h *hostileAddons) ListResources(context.Context, int, client.Filter) (client.ResourcePage, error) {
	return client.ResourcePage{Items: []model.Resource{h.resource()}, Page: 1, Pages: 1, Total: 1}, nil
}
func (h *hostileAddons) ListBackups(context.Context, string) ([]model.Backup, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]model.Backup(nil), h.backups...), nil
}
func (h *hostileAddons) GetBackup(_ context.Context, _, id string) (model.Backup, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, b := range h.backups {
		if model.Sanitize(b.ID) == id || b.ID == id {
			return b, nil
		}
	}
	return model.Backup{}, &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no backup " + siteHostile}}
}

// finish ends the running backup.
func (h *hostileAddons) finish() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.backups {
		if h.backups[i].Status == model.StatusRunning {
			h.backups[i].Status, h.backups[i].RawStatus = model.StatusSuccessful, "completed"
		}
	}
}

type hostileAddonActions struct {
	*hostileAddons
	client.Unsupported // a new action compiles here, answered unsupported
}

func (h hostileAddonActions) GetResource(context.Context, string) (model.Resource, error) {
	return h.resource(), nil
}
func (h hostileAddonActions) TakeSnapshot(_ context.Context, _ string, req model.SnapshotRequest) (model.Backup, error) {
	b := model.Backup{ID: "new-" + siteHostile, ResourceID: "a1", Kind: model.BackupSnapshot, Label: req.Label,
		Status: model.StatusRunning, RawStatus: "job-" + siteHostile, Created: time.Now()}
	h.mu.Lock()
	h.backups = append([]model.Backup{b}, h.backups...)
	h.mu.Unlock()
	return b, nil
}
func (hostileAddonActions) RestoreBackup(context.Context, string, string, string, bool) error {
	return &client.Error{Kind: client.ErrInvalid, Status: 409, Reasons: []string{"refused: " + siteHostile}}
}
func (hostileAddonActions) EnableBackups(context.Context, string) error { return nil }
func (hostileAddonActions) CancelBackups(context.Context, string) error { return nil }
func (h hostileAddonActions) SetSchedule(context.Context, string, model.Schedule) (model.Resource, error) {
	return h.resource(), nil
}
func (hostileAddonActions) Events(context.Context, string) ([]model.Event, error) { return nil, nil }
func (hostileAddonActions) DeleteBackup(context.Context, string, string) error {
	return &client.Error{Kind: client.ErrInvalid, Status: 409, Reasons: []string{"locked by " + siteHostile}}
}
func (hostileAddonActions) AbortBackup(context.Context, string, string) error { return nil }
func (hostileAddonActions) SetNote(context.Context, string, string, string) error {
	return nil
}
func (hostileAddonActions) Restores(context.Context, string) ([]model.Restore, error) {
	return nil, nil
}

// assertNoEscapesIn fails when raw, what the program wrote to the terminal,
// holds an escape the provider sent: the hyperlink's target, a C1 control
// or the bidi override. (The renderer's own escapes are 7-bit and carry no
// "http://x".)
func assertNoEscapesIn(t *testing.T, raw string) {
	t.Helper()
	// A hostile ID is drawn quoted (model.SanitizeID): its hyperlink target
	// shows as inert text behind a visible `\x1b]8;;`, never as a link.
	raw = strings.ReplaceAll(raw, `\x1b]8;;http://x`, "")
	for _, bad := range []string{"http://x", "\x1b]8;", "\u202e", "\u009b", "\u009d", "\x9b2J"} {
		if strings.Contains(raw, bad) {
			t.Fatalf("the terminal received %q", bad)
		}
	}
	for _, r := range raw {
		if r >= 0x80 && r <= 0x9f {
			t.Fatalf("the terminal received C1 control %U", r)
		}
	}
}

// TestHostileProviderTextAtEverySite drives the UI over a provider whose
// names, statuses and IDs hold an OSC 8 hyperlink, a C1 CSI and U+202E,
// to each place that once drew them raw: the "cannot be restored: it is %s"
// and "is still %s" refusals, the delete heading and its breadcrumb, the
// detail's raw ID, and the job cell of the instance list. The provider is
// wrapped only in client.Sanitized, and no drawing site cleans provider
// text itself: the boundary alone keeps the terminal clean.
func TestHostileProviderTextAtEverySite(t *testing.T) {
	stub := newHostileAddons(time.Now())
	p := client.Sanitized(hostileAddonActions{hostileAddons: stub})
	app := New(Options{Provider: p, Account: "test", Now: time.Now, Timeout: 5 * time.Second, PollEvery: 50 * time.Millisecond})
	h := run(t, app, app, 120, 32)
	h.wait("db-" + siteShown)

	h.key("enter") // the addon's backups
	h.waitAll("busy-"+siteShown, "good-"+siteShown)

	// The running backup (first): restore and delete are refused, naming
	// it and saying its status.
	h.key("R")
	h.wait("cannot be restored: it is in-progress-" + siteShown)
	h.key("D")
	h.wait("Backup busy-" + siteShown + " is still running")
	// A new backup is refused while it runs ("already in progress").
	h.key("s")
	h.wait("Take")
	h.key("enter")
	h.wait("Backup busy-" + siteShown + " is still in-progress-" + siteShown + ": wait for it to finish")
	h.key("esc")

	// The finished one: its delete heading, in the view and the breadcrumb.
	h.key("down")
	h.key("D")
	s := h.wait("⚠ Delete backup good-" + siteShown)
	if !strings.Contains(s, "› Delete backup good-"+siteShown) {
		t.Errorf("the breadcrumb does not name the backup:\n%s", s)
	}
	h.key("esc")

	// Its detail: the raw ID (quoted, never cleaned into another ID:
	// model.SanitizeID), the provider's own fields.
	h.key("enter")
	h.waitAll("ID              "+strconv.QuoteToASCII("ok-" + siteHostile)[:24], "f-label", "v-"+siteShown)
	h.key("esc")
	h.key("esc")
	h.wait("db-" + siteShown)

	// Once the running one finished, a new backup whose status is hostile:
	// the job cell of the list.
	stub.finish()
	h.key("s")
	h.wait("Take")
	h.key("enter")
	h.waitAll("● job-labe", ": job-"+siteShown+" 0%")

	h.mu.Lock()
	raw := string(h.raw)
	h.mu.Unlock()
	assertNoEscapesIn(t, raw)
}
