package ui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/text"
)

// The actions a screen starts on a resource or a backup: each checks what
// the provider can do and the session allows, then puts a form or the
// confirm component on the stack.

// canAct reports whether mutations are offered at all.
func (e *env) canAct() bool { return e.actions != nil && !e.readOnly }

// refuseReadOnly tells the user why an action key did nothing.
func (e *env) refuseReadOnly() tea.Cmd {
	if e.readOnly {
		e.root.announce("Read-only mode: actions are disabled for this session")
	} else {
		e.root.announce("This provider offers no actions")
	}
	return nil
}

// resourceAction dispatches the action keys that act on a whole resource.
func (e *env) resourceAction(m tea.KeyPressMsg, r model.Resource, known []model.Backup) tea.Cmd {
	switch {
	case key.Matches(m, e.keys.Snapshot):
		if !e.can(model.CapSnapshot) {
			return e.refuseCap(model.CapSnapshot)
		}
		return e.startSnapshot(r, known)
	case key.Matches(m, e.keys.Enable):
		if !e.can(model.CapEnableBackups) {
			return e.refuseCap(model.CapEnableBackups)
		}
		return e.startEnable(r)
	case key.Matches(m, e.keys.Cancel):
		if !e.can(model.CapCancelBackups) {
			return e.refuseCap(model.CapCancelBackups)
		}
		return e.startCancel(r, known)
	case key.Matches(m, e.keys.Schedule):
		if !e.can(model.CapSchedule) {
			return e.refuseCap(model.CapSchedule)
		}
		return e.startSchedule(r)
	case key.Matches(m, e.keys.History):
		return e.startHistory(r)
	}
	return nil
}

func (e *env) startEnable(r model.Resource) tea.Cmd {
	if !e.canAct() {
		return e.refuseReadOnly()
	}
	if r.BackupsEnabled {
		e.root.announce("Backups are already enabled for " + r.Label)
		return nil
	}
	return e.root.push(e.enableConfirm(r, model.ConfirmEnableBackups(e.info, r), "✓ Backups enabled for "+r.Label), nil)
}

// enableConfirm asks to turn the Backup service on, then shows the re-read
// resource everywhere and announces done.
func (e *env) enableConfirm(r model.Resource, conf model.Confirmation, done string) *confirmScreen {
	c := newConfirm(conf)
	c.ids = []string{r.ID}
	act, id := e.actions, r.ID
	c.run = func(ctx context.Context) actionResult {
		if err := act.EnableBackups(ctx, id); err != nil {
			return actionResult{err: err}
		}
		res, err := act.GetResource(ctx, id)
		if err != nil {
			res = r
			res.BackupsEnabled = true
		}
		return actionResult{resource: res}
	}
	c.done = func(e *env, res actionResult) tea.Cmd {
		e.root.updateResource(res.resource)
		e.root.announce(done)
		// Its backups were not read while they were off: read them now,
		// or its SNAPSHOT cell says "…" until the cursor moves.
		return e.acct.readSummaries([]model.Resource{res.resource})
	}
	return c
}

func (e *env) startCancel(r model.Resource, known []model.Backup) tea.Cmd {
	if !e.canAct() {
		return e.refuseReadOnly()
	}
	if !r.BackupsEnabled {
		e.root.announce("Backups are not enabled for " + r.Label + "; nothing to cancel")
		return nil
	}
	c := newConfirm(model.ConfirmCancelBackups(e.info, r, known))
	c.ids = []string{r.ID}
	act, id := e.actions, r.ID
	c.run = func(ctx context.Context) actionResult {
		if err := act.CancelBackups(ctx, id); err != nil {
			return actionResult{err: err}
		}
		res, err := act.GetResource(ctx, id)
		if err != nil {
			res = r
			res.BackupsEnabled = false
			res.LastSuccessful = time.Time{}
		}
		return actionResult{resource: res}
	}
	c.done = func(e *env, res actionResult) tea.Cmd {
		e.root.updateResource(res.resource)
		e.root.updateBackups(id, []model.Backup{})
		e.root.announce("✓ Backups cancelled for " + r.Label + "; its backups were deleted")
		return nil
	}
	return e.root.push(c, nil)
}

func (e *env) startSnapshot(r model.Resource, known []model.Backup) tea.Cmd {
	if !e.canAct() {
		return e.refuseReadOnly()
	}
	if !e.info.ReplacesSnapshot {
		// The one-snapshot form is for a provider that keeps one and
		// replaces it; every other takes its choices in backupForm.
		f := newBackupForm(e, r)
		return e.root.push(f, f.load(e))
	}
	if !r.BackupsEnabled && e.info.Caps.Has(model.CapEnableBackups) {
		conf := model.ConfirmEnableForSnapshot(e.info, r)
		conf.Lines = append(conf.Lines, "Enable it now? Then press s again to take the "+e.info.BackupNoun+".")
		return e.root.push(e.enableConfirm(r, conf, "✓ Backups enabled for "+r.Label+" — press s to take the "+e.info.BackupNoun), nil)
	}
	s := newSnapshotForm(e, r)
	return e.root.push(s, s.load(e))
}

func (e *env) startRestore(src model.Resource, b model.Backup) tea.Cmd {
	if !e.can(model.CapRestore) {
		return e.refuseCap(model.CapRestore)
	}
	if !e.info.Caps.Has(model.CapRestoreOther) {
		return e.restoreInPlace(src, b)
	}
	if why := model.RefuseRestore(e.info, b); why != "" {
		e.root.announce(why)
		return nil
	}
	r := newRestoreForm(e, src, b)
	return e.root.push(r, nil)
}

func (e *env) startSchedule(r model.Resource) tea.Cmd {
	if !e.canAct() {
		return e.refuseReadOnly()
	}
	if !r.BackupsEnabled {
		e.root.announce("Backups are not enabled for " + r.Label + ": enable them (e) before scheduling")
		return nil
	}
	return e.root.push(newScheduleForm(e, r), nil)
}

// can reports whether the provider can do c and actions are on at all; a
// key whose capability is missing is neither shown nor honoured.
func (e *env) can(c model.Caps) bool { return e.canAct() && e.info.Caps.Has(c) }

// refuseCap tells the user why an action key did nothing.
func (e *env) refuseCap(c model.Caps) tea.Cmd {
	if !e.canAct() {
		return e.refuseReadOnly()
	}
	if !e.info.Caps.Has(c) {
		e.root.announce(e.info.Title + " does not offer that here")
	}
	return nil
}

// backupAction dispatches the keys that act on one backup.
func (e *env) backupAction(m tea.KeyPressMsg, r model.Resource, b model.Backup, known []model.Backup) tea.Cmd {
	k := e.keys
	switch {
	case key.Matches(m, k.Restore):
		return e.startRestore(r, b)
	case key.Matches(m, k.Delete):
		return e.startDelete(r, b)
	case key.Matches(m, k.Abort):
		return e.startAbort(r, b)
	case key.Matches(m, k.Note):
		return e.startNote(r, b)
	}
	return nil
}

// backupKeys lists the per-backup action keys this provider has.
func (e *env) backupKeys() []key.Binding {
	var out []key.Binding
	for _, x := range []struct {
		c model.Caps
		b key.Binding
	}{{model.CapRestore, e.keys.Restore}, {model.CapDeleteBackup, e.keys.Delete}, {model.CapAbortBackup, e.keys.Abort}, {model.CapNote, e.keys.Note}} {
		if e.can(x.c) {
			out = append(out, x.b)
		}
	}
	return out
}

// resourceKeys lists the per-resource action keys this provider has.
func (e *env) resourceKeys() []key.Binding {
	var out []key.Binding
	for _, x := range []struct {
		c model.Caps
		b key.Binding
	}{{model.CapSnapshot, e.keys.Snapshot}, {model.CapEnableBackups, e.keys.Enable}, {model.CapCancelBackups, e.keys.Cancel},
		{model.CapSchedule, e.keys.Schedule}} {
		if e.can(x.c) {
			out = append(out, x.b)
		}
	}
	if e.info.Caps.Has(model.CapRestoreHistory) && e.actions != nil {
		out = append(out, e.keys.History)
	}
	return out
}

// restoreInPlace asks for the resource's label to be typed, then restores b
// over it: every provider but Linode instances restores in place only.
func (e *env) restoreInPlace(r model.Resource, b model.Backup) tea.Cmd {
	if why := model.RefuseRestore(e.info, b); why != "" {
		e.root.announce(why)
		return nil
	}
	c := newConfirm(model.ConfirmRestore(e.info, backupName(b), r, r, true, format.Stamp(e.now(), b.Created)))
	c.ids = []string{r.ID}
	act, id, bid := e.actions, r.ID, b.ID
	c.run = func(ctx context.Context) actionResult {
		return actionResult{err: act.RestoreBackup(ctx, id, bid, id, true)}
	}
	c.done = func(e *env, _ actionResult) tea.Cmd {
		j := &store.Job{Kind: store.JobRestore, ResourceID: id, Label: r.Label, Name: backupName(b), BackupID: bid,
			TargetID: id, TargetLabel: r.Label, Status: "pending"}
		if b.LastRestore != nil {
			j.PrevRestore = b.LastRestore.Started
		}
		return e.root.addJob(j)
	}
	return e.root.push(c, nil)
}

func (e *env) startDelete(r model.Resource, b model.Backup) tea.Cmd {
	if !e.can(model.CapDeleteBackup) {
		return e.refuseCap(model.CapDeleteBackup)
	}
	noun := e.info.BackupNoun
	if why := model.RefuseDelete(e.info, b); why != "" {
		if strings.HasSuffix(why, "abort it first") {
			why += " (" + e.keys.Abort.Help().Key + ")"
		}
		e.root.announce(why)
		return nil
	}
	c := newConfirm(model.ConfirmDeleteBackup(e.info, r, backupName(b), format.Size(b.Size()), format.Stamp(e.now(), b.Created)))
	c.ids = []string{r.ID}
	act, id, bid := e.actions, r.ID, b.ID
	c.run = func(ctx context.Context) actionResult { return actionResult{err: act.DeleteBackup(ctx, id, bid)} }
	c.done = func(e *env, _ actionResult) tea.Cmd {
		e.root.announce("✓ Deleted " + noun + " " + backupName(b) + " of " + r.Label)
		return e.root.reread(id, "")
	}
	return e.root.push(c, nil)
}

func (e *env) startAbort(r model.Resource, b model.Backup) tea.Cmd {
	if !e.can(model.CapAbortBackup) {
		return e.refuseCap(model.CapAbortBackup)
	}
	if why := model.RefuseAbort(e.info, b); why != "" {
		e.root.announce(why)
		return nil
	}
	c := newConfirm(model.ConfirmAbortBackup(e.info, r, backupName(b), b.RawStatus))
	c.ids = []string{r.ID}
	act, id, bid := e.actions, r.ID, b.ID
	c.run = func(ctx context.Context) actionResult { return actionResult{err: act.AbortBackup(ctx, id, bid)} }
	c.done = func(e *env, _ actionResult) tea.Cmd {
		e.root.announce("✓ Abort requested for " + backupName(b) + " of " + r.Label)
		return e.root.reread(id, "")
	}
	return e.root.push(c, nil)
}

// resourceTitle names one resource where it heads a field or ends a
// sentence: the provider's own word ("Linode"), else its noun capitalised.
func (e *env) resourceTitle() string {
	if e.info.ResourceTitle != "" {
		return e.info.ResourceTitle
	}
	return text.UpperFirst(e.info.Noun)
}

// errorView is how every screen shows a failed request in place.
func (e *env) errorView(what string, err error, w int) string {
	msg := text.Err(err)
	return e.th.ErrBox.Render(text.Fit("⚠ Could not load "+what, w)) + "\n" +
		text.Wrap(msg, w) + "\n\n" + e.th.Dim.Render("Press r to retry, esc to go back.")
}
