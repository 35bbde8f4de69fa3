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
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// --- note --------------------------------------------------------------------

// noteForm edits a backup's note.
type noteForm struct {
	sender
	res   model.Resource
	b     model.Backup
	input input.Model
}

func (e *env) startNote(r model.Resource, b model.Backup) tea.Cmd {
	if !e.can(model.CapNote) {
		return e.refuseCap(model.CapNote)
	}
	ti := input.New()
	ti.Prompt = "Note › "
	ti.CharLimit = 255
	ti.SetValue(b.Note)
	ti.CursorEnd()
	ti.Focus()
	return e.root.push(&noteForm{sender: newSender(), res: r, b: b, input: ti}, nil)
}

func (f *noteForm) title() string   { return "Note" }
func (f *noteForm) busy() bool      { return f.sending }
func (f *noteForm) capturing() bool { return true }
func (f *noteForm) close()          { f.cancel() }

func (f *noteForm) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		if m.res.err != nil {
			return e.root.actionFailed("Note of "+backupName(f.b), m.res.err, f.res.ID)
		}
		e.root.pop()
		e.root.announce("✓ Note saved on " + backupName(f.b))
		return e.root.reread(f.res.ID, "")
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		switch {
		case key.Matches(m, e.keys.Back):
			e.root.pop()
			e.root.announce("Cancelled: note unchanged")
			return nil
		case key.Matches(m, e.keys.Submit):
			note := strings.TrimSpace(f.input.Value())
			act, id, bid := e.actions, f.res.ID, f.b.ID
			return f.send(e, func(ctx context.Context) actionResult { return actionResult{err: act.SetNote(ctx, id, bid, note)} })
		}
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(m)
		return cmd
	}
	return nil
}

func (f *noteForm) keys(e *env) keymap.Help {
	save := keymap.WithHelp(e.keys.Submit, "enter", "save note")
	return keymap.Help{Short: []key.Binding{save, e.keys.Back}, Full: [][]key.Binding{{save, e.keys.Back}}}
}

func (f *noteForm) view(e *env, w, h int) string {
	out := []string{e.th.Title.Render(text.Fit("Note on "+backupName(f.b)+" of "+f.res.Label, w)), "",
		"The note is free text kept with the backup (up to 255 characters).", "", f.input.View()}
	out = append(out, f.outcome(e, w, "")...)
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

func (e *env) startHistory(r model.Resource) tea.Cmd {
	if e.actions == nil || !e.info.Caps.Has(model.CapRestoreHistory) {
		return e.refuseCap(model.CapRestoreHistory)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &historyScreen{res: r, ctx: ctx, cancel: cancel}
	return e.root.push(s, s.load(e))
}

func (s *historyScreen) load(e *env) tea.Cmd {
	s.loading = true
	s.req = e.root.reqID()
	req, act, id := s.req, e.actions, s.res.ID
	return e.root.call(s.ctx, func(ctx context.Context) tea.Msg {
		rs, err := act.Restores(ctx, id)
		return restoresMsg{req: req, restores: rs, err: err}
	})
}

func (s *historyScreen) title() string   { return "Restores" }
func (s *historyScreen) busy() bool      { return s.loading }
func (s *historyScreen) capturing() bool { return false }
func (s *historyScreen) close()          { s.cancel() }

func (s *historyScreen) update(e *env, msg tea.Msg) tea.Cmd {
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
		case key.Matches(m, e.keys.Back):
			e.root.pop()
		case key.Matches(m, e.keys.Refresh):
			return s.load(e)
		}
	}
	return nil
}

func (s *historyScreen) keys(e *env) keymap.Help {
	k := e.keys
	return keymap.Help{Short: []key.Binding{k.Back, k.Refresh, k.Help, k.Quit}, Full: [][]key.Binding{{k.Back, k.Refresh}}}
}

func (s *historyScreen) view(e *env, w, h int) string {
	now := e.now()
	out := []string{e.th.Title.Render(text.Fit("Restores of "+s.res.Label, w)), ""}
	switch {
	case s.err != nil:
		return strings.Join(out, "\n") + e.errorView("restores of "+s.res.Label, s.err, w)
	case s.loading && s.restores == nil:
		out = append(out, e.root.spinView()+" Loading restores…")
	case len(s.restores) == 0:
		out = append(out, e.th.Dim.Render("No restores recorded for this "+e.info.Noun+"."))
	default:
		nw := max(w-14-16-16-4, 12)
		out = append(out, e.th.Header.Render(text.Fit("BACKUP", nw)+" "+text.Fit("STATUS", 14)+" "+text.Fit("STARTED", 16)+" "+text.Fit("FINISHED", 16)))
		for _, r := range s.restores {
			st := e.th.Dim.Foreground(theme.StatusColor(r.Status))
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
