package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/input"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// can reports whether the provider can do c and actions are on at all; a
// key whose capability is missing is neither shown nor honoured.
func (a *App) can(c model.Caps) bool { return a.canAct() && a.info.Caps.Has(c) }

// refuseCap tells the user why an action key did nothing.
func (a *App) refuseCap(c model.Caps) tea.Cmd {
	if !a.canAct() {
		return a.refuseReadOnly()
	}
	if !a.info.Caps.Has(c) {
		a.announce(a.info.Title + " does not offer that here")
	}
	return nil
}

// backupAction dispatches the keys that act on one backup.
func (a *App) backupAction(m tea.KeyPressMsg, r model.Resource, b model.Backup, known []model.Backup) tea.Cmd {
	k := a.keys
	switch {
	case key.Matches(m, k.Restore):
		return a.startRestore(r, b)
	case key.Matches(m, k.Delete):
		return a.startDelete(r, b)
	case key.Matches(m, k.Abort):
		return a.startAbort(r, b)
	case key.Matches(m, k.Note):
		return a.startNote(r, b)
	}
	return nil
}

// backupKeys lists the per-backup action keys this provider has.
func (a *App) backupKeys() []key.Binding {
	var out []key.Binding
	for _, x := range []struct {
		c model.Caps
		b key.Binding
	}{{model.CapRestore, a.keys.Restore}, {model.CapDeleteBackup, a.keys.Delete}, {model.CapAbortBackup, a.keys.Abort}, {model.CapNote, a.keys.Note}} {
		if a.can(x.c) {
			out = append(out, x.b)
		}
	}
	return out
}

// resourceKeys lists the per-resource action keys this provider has.
func (a *App) resourceKeys() []key.Binding {
	var out []key.Binding
	for _, x := range []struct {
		c model.Caps
		b key.Binding
	}{{model.CapSnapshot, a.keys.Snapshot}, {model.CapEnableBackups, a.keys.Enable}, {model.CapCancelBackups, a.keys.Cancel},
		{model.CapSchedule, a.keys.Schedule}} {
		if a.can(x.c) {
			out = append(out, x.b)
		}
	}
	if a.info.Caps.Has(model.CapRestoreHistory) && a.actions != nil {
		out = append(out, a.keys.History)
	}
	return out
}

// --- restore in place -------------------------------------------------------

// restoreInPlace asks for the resource's label to be typed, then restores b
// over it: every provider but Linode instances restores in place only.
func (a *App) restoreInPlace(r model.Resource, b model.Backup) tea.Cmd {
	if why := model.RefuseRestore(a.info, b); why != "" {
		a.announce(why)
		return nil
	}
	c := newConfirm(model.ConfirmRestore(a.info, backupName(b), r, r, true, format.Stamp(a.opts.Now(), b.Created)))
	c.ids = []string{r.ID}
	act, id, bid := a.actions, r.ID, b.ID
	c.run = func(ctx context.Context) actionResult {
		return actionResult{err: act.RestoreBackup(ctx, id, bid, id, true)}
	}
	c.done = func(a *App, _ actionResult) tea.Cmd {
		j := &store.Job{Kind: store.JobRestore, ResourceID: id, Label: r.Label, Name: backupName(b), BackupID: bid,
			TargetID: id, TargetLabel: r.Label, Status: "pending"}
		if b.LastRestore != nil {
			j.PrevRestore = b.LastRestore.Started
		}
		return a.addJob(j)
	}
	return a.push(c, nil)
}

// --- delete / abort ----------------------------------------------------------

func (a *App) startDelete(r model.Resource, b model.Backup) tea.Cmd {
	if !a.can(model.CapDeleteBackup) {
		return a.refuseCap(model.CapDeleteBackup)
	}
	noun := a.info.BackupNoun
	if why := model.RefuseDelete(a.info, b); why != "" {
		if strings.HasSuffix(why, "abort it first") {
			why += " (" + a.keys.Abort.Help().Key + ")"
		}
		a.announce(why)
		return nil
	}
	c := newConfirm(model.ConfirmDeleteBackup(a.info, r, backupName(b), format.Size(b.Size()), format.Stamp(a.opts.Now(), b.Created)))
	c.ids = []string{r.ID}
	act, id, bid := a.actions, r.ID, b.ID
	c.run = func(ctx context.Context) actionResult { return actionResult{err: act.DeleteBackup(ctx, id, bid)} }
	c.done = func(a *App, _ actionResult) tea.Cmd {
		a.announce("✓ Deleted " + noun + " " + backupName(b) + " of " + r.Label)
		return a.reread(id, "")
	}
	return a.push(c, nil)
}

func (a *App) startAbort(r model.Resource, b model.Backup) tea.Cmd {
	if !a.can(model.CapAbortBackup) {
		return a.refuseCap(model.CapAbortBackup)
	}
	if why := model.RefuseAbort(a.info, b); why != "" {
		a.announce(why)
		return nil
	}
	c := newConfirm(model.ConfirmAbortBackup(a.info, r, backupName(b), b.RawStatus))
	c.ids = []string{r.ID}
	act, id, bid := a.actions, r.ID, b.ID
	c.run = func(ctx context.Context) actionResult { return actionResult{err: act.AbortBackup(ctx, id, bid)} }
	c.done = func(a *App, _ actionResult) tea.Cmd {
		a.announce("✓ Abort requested for " + backupName(b) + " of " + r.Label)
		return a.reread(id, "")
	}
	return a.push(c, nil)
}

// --- note --------------------------------------------------------------------

// noteForm edits a backup's note.
type noteForm struct {
	sender
	res   model.Resource
	b     model.Backup
	input input.Model
}

func (a *App) startNote(r model.Resource, b model.Backup) tea.Cmd {
	if !a.can(model.CapNote) {
		return a.refuseCap(model.CapNote)
	}
	ti := input.New()
	ti.Prompt = "Note › "
	ti.CharLimit = 255
	ti.SetValue(b.Note)
	ti.CursorEnd()
	ti.Focus()
	return a.push(&noteForm{sender: newSender(), res: r, b: b, input: ti}, nil)
}

func (f *noteForm) title() string   { return "Note" }
func (f *noteForm) busy() bool      { return f.sending }
func (f *noteForm) capturing() bool { return true }
func (f *noteForm) close()          { f.cancel() }

func (f *noteForm) update(a *App, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		if m.res.err != nil {
			return a.actionFailed("Note of "+backupName(f.b), m.res.err, f.res.ID)
		}
		a.pop()
		a.announce("✓ Note saved on " + backupName(f.b))
		return a.reread(f.res.ID, "")
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		switch {
		case key.Matches(m, a.keys.Back):
			a.pop()
			a.announce("Cancelled: note unchanged")
			return nil
		case key.Matches(m, a.keys.Submit):
			note := strings.TrimSpace(f.input.Value())
			act, id, bid := a.actions, f.res.ID, f.b.ID
			return f.send(a, func(ctx context.Context) actionResult { return actionResult{err: act.SetNote(ctx, id, bid, note)} })
		}
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(m)
		return cmd
	}
	return nil
}

func (f *noteForm) keys(a *App) keymap.Help {
	save := keymap.WithHelp(a.keys.Submit, "enter", "save note")
	return keymap.Help{Short: []key.Binding{save, a.keys.Back}, Full: [][]key.Binding{{save, a.keys.Back}}}
}

func (f *noteForm) view(a *App, w, h int) string {
	out := []string{a.th.Title.Render(text.Fit("Note on "+backupName(f.b)+" of "+f.res.Label, w)), "",
		"The note is free text kept with the backup (up to 255 characters).", "", f.input.View()}
	out = append(out, f.outcome(a, w, "")...)
	return strings.Join(out, "\n")
}

// --- restore history -------------------------------------------------------

type restoresMsg struct {
	req      int
	restores []model.Restore
	err      error
}

// historyScreen lists the restores of a resource's backups.
type historyScreen struct {
	res      model.Resource
	req      int
	loading  bool
	err      error
	restores []model.Restore
	ctx      context.Context
	cancel   context.CancelFunc
}

func (a *App) startHistory(r model.Resource) tea.Cmd {
	if a.actions == nil || !a.info.Caps.Has(model.CapRestoreHistory) {
		return a.refuseCap(model.CapRestoreHistory)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &historyScreen{res: r, ctx: ctx, cancel: cancel}
	return a.push(s, s.load(a))
}

func (s *historyScreen) load(a *App) tea.Cmd {
	s.loading = true
	s.req = a.reqID()
	req, act, id := s.req, a.actions, s.res.ID
	return a.call(s.ctx, func(ctx context.Context) tea.Msg {
		rs, err := act.Restores(ctx, id)
		return restoresMsg{req: req, restores: rs, err: err}
	})
}

func (s *historyScreen) title() string   { return "Restores" }
func (s *historyScreen) busy() bool      { return s.loading }
func (s *historyScreen) capturing() bool { return false }
func (s *historyScreen) close()          { s.cancel() }

func (s *historyScreen) update(a *App, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case restoresMsg:
		if m.req != s.req {
			return nil
		}
		s.loading, s.err = false, m.err
		if m.err == nil {
			s.restores = m.restores
		}
	case tea.KeyPressMsg:
		switch {
		case key.Matches(m, a.keys.Back):
			a.pop()
		case key.Matches(m, a.keys.Refresh):
			return s.load(a)
		}
	}
	return nil
}

func (s *historyScreen) keys(a *App) keymap.Help {
	k := a.keys
	return keymap.Help{Short: []key.Binding{k.Back, k.Refresh, k.Help, k.Quit}, Full: [][]key.Binding{{k.Back, k.Refresh}}}
}

func (s *historyScreen) view(a *App, w, h int) string {
	now := a.opts.Now()
	out := []string{a.th.Title.Render(text.Fit("Restores of "+s.res.Label, w)), ""}
	switch {
	case s.err != nil:
		return strings.Join(out, "\n") + a.errorView("restores of "+s.res.Label, s.err, w)
	case s.loading && s.restores == nil:
		out = append(out, a.spin.View()+" Loading restores…")
	case len(s.restores) == 0:
		out = append(out, a.th.Dim.Render("No restores recorded for this "+a.info.Noun+"."))
	default:
		nw := max(w-14-16-16-4, 12)
		out = append(out, a.th.Header.Render(text.Fit("BACKUP", nw)+" "+text.Fit("STATUS", 14)+" "+text.Fit("STARTED", 16)+" "+text.Fit("FINISHED", 16)))
		for _, r := range s.restores {
			st := a.th.Dim.Foreground(theme.StatusColor(r.Status))
			name := r.BackupName
			if name == "" {
				name = r.BackupID
			}
			out = append(out, text.Fit(name, nw)+" "+st.Render(text.Fit(theme.StatusText(r.Status, r.RawStatus), 14))+" "+
				text.Fit(format.Age(now, r.Started), 16)+" "+text.Fit(format.Short(r.Finished), 16))
		}
	}
	return strings.Join(out, "\n")
}
