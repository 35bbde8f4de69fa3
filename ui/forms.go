package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/input"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/table"
	"github.com/snapdeck/snapdeck/ui/text"
)

// --- snapshot form ---------------------------------------------------------

// snapshotForm asks for a snapshot label, validated as typed. It first
// re-reads the backups, because whether a snapshot is in progress or would
// be replaced decides what may happen next.
type snapshotForm struct {
	sender
	res     model.Resource
	input   input.Model
	loading bool
	loadErr error
	req     int
	state   model.SnapshotState
	hint    string
}

func newSnapshotForm(e *env, r model.Resource) *snapshotForm {
	ti := input.New()
	ti.Prompt = "Label › "
	ti.SetValue("snapdeck-" + e.now().UTC().Format("20060102-1504"))
	ti.CursorEnd()
	ti.Focus()
	return &snapshotForm{sender: newSender(), res: r, input: ti}
}

func (f *snapshotForm) title() string   { return "Take snapshot" }
func (f *snapshotForm) busy() bool      { return f.loading || f.sending }
func (f *snapshotForm) capturing() bool { return true }
func (f *snapshotForm) close()          { f.cancel() }

func (f *snapshotForm) load(e *env) tea.Cmd {
	f.loading = true
	f.req = e.root.reqID()
	req, id, p := f.req, f.res.ID, e.p
	return e.root.call(f.ctx, func(ctx context.Context) tea.Msg {
		b, err := p.ListBackups(ctx, id)
		return backupsMsg{req: req, id: id, backups: b, err: err}
	})
}

func (f *snapshotForm) inProgress() bool { return f.state.InProgress != nil }

func (f *snapshotForm) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case backupsMsg:
		if m.req != f.req {
			return nil
		}
		f.loading = false
		f.loadErr = m.err
		if m.err == nil {
			f.state = model.Summarise(m.backups)
			e.root.updateBackups(f.res.ID, m.backups)
		}
		return nil
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		if m.res.err != nil {
			cmd := e.root.actionFailed("Snapshot of "+f.res.Label, m.res.err, f.res.ID)
			if client.Uncertain(m.res.err) {
				// The snapshot may have started: re-read what the form
				// decides on, so that Enter cannot blindly send a second one.
				return tea.Batch(cmd, f.load(e))
			}
			return cmd
		}
		e.root.pop()
		return f.taken(e, m.res)
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		k := e.keys
		switch {
		case key.Matches(m, k.Back):
			e.root.pop()
			e.root.announce("Cancelled: snapshot of " + f.res.Label)
			return nil
		case f.loading:
			return nil
		case f.loadErr != nil:
			if key.Matches(m, k.Refresh) {
				return f.load(e)
			}
			return nil
		case f.inProgress():
			return nil
		case key.Matches(m, k.Submit):
			if model.ValidateSnapshotLabel(f.input.Value()) != nil {
				f.hint = "Fix the label first."
				return nil
			}
			if c := f.state.Current; c != nil {
				return f.confirmReplace(e, *c)
			}
			return f.send(e, f.request(e))
		}
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(m)
		f.hint = ""
		return cmd
	}
	return nil
}

// taken announces the snapshot accepted and watches it.
func (f *snapshotForm) taken(e *env, res actionResult) tea.Cmd {
	return tea.Batch(
		e.root.addJob(&store.Job{Kind: store.JobSnapshot, ResourceID: f.res.ID, Label: f.res.Label, Name: res.backup.Label, BackupID: res.backup.ID, Status: res.backup.RawStatus}),
		e.root.reread(f.res.ID, ""),
	)
}

// confirmReplace asks, in the confirm component, before the new snapshot
// replaces the current one; esc there comes back to the form.
func (f *snapshotForm) confirmReplace(e *env, cur model.Backup) tea.Cmd {
	c := newConfirm(model.ConfirmReplaceSnapshot(e.info, f.res, cur, f.input.Value(), format.Stamp(e.now(), cur.Created)))
	c.ids, c.what = []string{f.res.ID}, "Snapshot of "+f.res.Label
	c.run = f.request(e)
	c.done = func(e *env, res actionResult) tea.Cmd {
		e.root.pop() // the form
		return f.taken(e, res)
	}
	c.uncertain = f.load
	return e.root.push(c, nil)
}

func (f *snapshotForm) request(e *env) func(ctx context.Context) actionResult {
	act, id, label := e.actions, f.res.ID, f.input.Value()
	return func(ctx context.Context) actionResult {
		b, err := act.TakeSnapshot(ctx, id, model.SnapshotRequest{Label: label})
		return actionResult{err: err, backup: b}
	}
}

func (f *snapshotForm) keys(e *env) keymap.Help {
	k := e.keys
	switch {
	case f.sending:
		return keymap.Help{Short: []key.Binding{k.ForceQuit}}
	case f.inProgress() || f.loading:
		return keymap.Help{Short: []key.Binding{k.Back}, Full: [][]key.Binding{{k.Back}}}
	}
	ok := keymap.WithHelp(k.Submit, "enter", "take snapshot")
	return keymap.Help{Short: []key.Binding{ok, k.Back}, Full: [][]key.Binding{{ok, k.Back}}}
}

func (f *snapshotForm) view(e *env, w, h int) string {
	th := e.th
	now := e.now()
	out := []string{th.Label.Render(text.Fit("Take a snapshot of "+f.res.Label, w)), ""}
	switch {
	case f.loading:
		out = append(out, e.root.spinView()+" Reading the current snapshot state…")
		return strings.Join(out, "\n")
	case f.loadErr != nil:
		out = append(out, th.ErrBox.Render(text.Wrap("⚠ Could not read the backups: "+text.Err(f.loadErr), w)), th.Dim.Render("Press r to retry, esc to go back."))
		return strings.Join(out, "\n")
	case f.inProgress():
		ip := f.state.InProgress
		out = append(out, th.ErrBox.Render("Refused: a snapshot is already in progress."),
			text.Wrap(fmt.Sprintf("Snapshot %q is %s (started %s). %s takes one snapshot at a time; wait for it to finish.",
				ip.Label, ip.RawStatus, format.Age(now, ip.Created), e.info.Title), w),
			"", th.Dim.Render("Press esc to go back."))
		return strings.Join(out, "\n")
	}
	out = append(out, f.input.View())
	label := f.input.Value()
	n := len([]rune(label))
	if err := model.ValidateSnapshotLabel(label); err != nil {
		out = append(out, th.Bad.Render("✗ "+err.Error()))
	} else {
		out = append(out, th.Good.Render(fmt.Sprintf("✓ %d/%d characters", n, model.MaxSnapshotLabel)))
	}
	out = append(out, th.Dim.Render("Rule: 1 to 255 characters."), "")
	if c := f.state.Current; c != nil {
		out = append(out, th.Warn.Render(text.Wrap(fmt.Sprintf("⚠ %s already has a snapshot: %q, taken %s. %s",
			f.res.Label, c.Label, format.Stamp(now, c.Created), e.info.Wording.Replaces), w)))
	} else {
		out = append(out, th.Dim.Render("It has no snapshot yet; nothing will be replaced."))
	}
	out = append(out, f.outcome(e, w, f.hint)...)
	return strings.Join(out, "\n")
}

// --- restore form ----------------------------------------------------------

// restoreForm picks the target and the overwrite choice, then asks in the
// confirm component for the confirmation that fits: y without overwrite,
// the typed label with.
type restoreForm struct {
	src       model.Resource
	b         model.Backup
	targets   []model.Resource
	tbl       table.Table
	overwrite bool
}

func newRestoreForm(e *env, src model.Resource, b model.Backup) *restoreForm {
	f := &restoreForm{src: src, b: b}
	// Only Linodes in the source's region are valid targets; the source first.
	f.targets = append(f.targets, src)
	for _, r := range e.store.Resources() {
		if r.Region == src.Region && r.ID != src.ID {
			f.targets = append(f.targets, r)
		}
	}
	f.tbl = table.New([]table.Column{
		{Title: "TARGET", Min: 20, Max: 48},
		{Title: "STATUS", Width: 12, Priority: 3},
		{Title: "PLAN", Width: 15, Priority: 1},
		{Title: "DISK", Width: 8, Priority: 2},
	}...)
	f.tbl.SetRows(len(f.targets))
	return f
}

func (f *restoreForm) title() string   { return "Restore" }
func (f *restoreForm) busy() bool      { return false }
func (f *restoreForm) capturing() bool { return false }
func (f *restoreForm) close()          {}

func (f *restoreForm) target() model.Resource { return f.targets[f.tbl.Cursor()] }

func (f *restoreForm) update(e *env, msg tea.Msg) tea.Cmd {
	m, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := e.keys
	switch {
	case key.Matches(m, k.Back):
		e.root.pop()
		e.root.announce("Cancelled: restore of backup " + f.b.ID)
	case key.Matches(m, k.Up):
		f.tbl.Move(-1)
	case key.Matches(m, k.Down):
		f.tbl.Move(1)
	case key.Matches(m, k.Overwrite):
		f.overwrite = !f.overwrite
	case key.Matches(m, k.Submit):
		return f.confirm(e)
	}
	return nil
}

// confirm asks, in the confirm component, before restoring onto the chosen
// target; esc there comes back to the form.
func (f *restoreForm) confirm(e *env) tea.Cmd {
	t := f.target()
	c := newConfirm(model.ConfirmRestore(e.info, backupName(f.b), f.src, t, f.overwrite, format.Stamp(e.now(), f.b.Created)))
	if !f.overwrite {
		c.Warn = append(c.Warn, f.spaceWarning(t, e.resourceTitle()))
	}
	c.ids, c.what = []string{t.ID}, "Restore onto "+t.Label
	act, src, bid, tid, ow := e.actions, f.src.ID, f.b.ID, t.ID, f.overwrite
	c.run = func(ctx context.Context) actionResult {
		return actionResult{err: act.RestoreBackup(ctx, src, bid, tid, ow)}
	}
	c.done = func(e *env, _ actionResult) tea.Cmd {
		e.root.pop() // the form
		return e.root.addJob(&store.Job{Kind: store.JobRestore, ResourceID: f.src.ID, Label: f.src.Label, Name: backupName(f.b), TargetID: t.ID, TargetLabel: t.Label, Status: "pending"})
	}
	// As with any confirm: no second restore by a repeated key.
	c.uncertain = func(e *env) tea.Cmd { e.root.pop(); return nil }
	return e.root.push(c, nil)
}

// spaceWarning says whether t has the room for the backup's disks beside
// its own.
func (f *restoreForm) spaceWarning(t model.Resource, title string) string {
	size := f.b.TotalSizeMB()
	if t.DiskMB > 0 && size > t.DiskMB {
		return fmt.Sprintf("%s's plan has %s of disk in all, less than the backup's %s: it lacks the space. Choose overwrite or a larger %s.",
			t.Label, format.SizeMB(t.DiskMB), format.SizeMB(size), title)
	}
	return fmt.Sprintf("The restore is refused if %s has less than %s of unallocated disk (its plan has %s in all).", t.Label, format.SizeMB(size), format.SizeMB(t.DiskMB))
}

func (f *restoreForm) keys(e *env) keymap.Help {
	k := e.keys
	next := keymap.WithHelp(k.Submit, "enter", "next")
	return keymap.Help{Short: []key.Binding{k.Up, k.Down, k.Overwrite, next, k.Back}, Full: [][]key.Binding{{k.Up, k.Down}, {k.Overwrite, next, k.Back}}}
}

func backupName(b model.Backup) string { return b.Name() }

func (f *restoreForm) view(e *env, w, h int) string {
	th := e.th
	now := e.now()
	size := f.b.TotalSizeMB()
	title := e.resourceTitle()
	out := []string{
		th.Label.Render(text.Fit(fmt.Sprintf("Restore %s of %s", backupName(f.b), f.src.Label), w)),
		th.Dim.Render(text.Fit(fmt.Sprintf("taken %s · %d disks · %s · region %s", format.Stamp(now, f.b.Created), len(f.b.Disks), format.SizeMB(size), f.src.Region), w)),
		"",
	}
	if l := e.productionLine(w); l != "" {
		out = append(out, l, "")
	}
	t := f.target()
	out = append(out, "Target — only "+title+"s in "+f.src.Region+" can receive this backup:")
	f.tbl.SetHeight(max(h-len(out)-7, 1))
	out = append(out, f.tbl.Render(th, w, func(i int) map[string]table.Cell {
		r := f.targets[i]
		name := r.Label
		if r.ID == f.src.ID {
			name += " (this " + title + ")"
		}
		return map[string]table.Cell{"TARGET": {Text: name}, "STATUS": {Text: r.Status}, "PLAN": {Text: r.Plan}, "DISK": {Text: format.SizeMB(r.DiskMB)}}
	}))
	out = append(out, "")
	box := "[ ]"
	if f.overwrite {
		box = "[x]"
	}
	out = append(out, fmt.Sprintf("%s Overwrite (o toggles)", box))
	if f.overwrite {
		out = append(out, th.Bad.Render(text.Wrap(model.RestoreOverwrite(e.info, t), w)))
	} else {
		out = append(out, text.Wrap(model.RestoreBeside(e.info, t), w), th.Warn.Render(text.Wrap("⚠ "+f.spaceWarning(t, title), w)))
	}
	return strings.Join(out, "\n")
}

// --- schedule form ---------------------------------------------------------

// scheduleForm changes the day and two-hour window of automatic backups.
type scheduleForm struct {
	sender
	res      model.Resource
	day, win int
}

// days are the schedule's choices; "Scheduling" lets Linode pick.
var days = append([]string{"Scheduling"}, model.Weekdays...)

func newScheduleForm(_ *env, r model.Resource) *scheduleForm {
	f := &scheduleForm{sender: newSender(), res: r}
	for i, d := range days {
		if d == r.Schedule.Day {
			f.day = i
		}
	}
	for i, w := range model.ScheduleWindows {
		if w == r.Schedule.Window {
			f.win = i
		}
	}
	return f
}

func (f *scheduleForm) title() string   { return "Backup schedule" }
func (f *scheduleForm) busy() bool      { return f.sending }
func (f *scheduleForm) capturing() bool { return f.sending }
func (f *scheduleForm) close()          { f.cancel() }

func (f *scheduleForm) chosen() model.Schedule {
	return model.Schedule{Day: days[f.day], Window: model.ScheduleWindows[f.win]}
}

func (f *scheduleForm) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		if m.res.err != nil {
			if client.Uncertain(m.res.err) {
				e.root.pop() // as in confirmScreen
			}
			return e.root.actionFailed("Schedule of "+f.res.Label, m.res.err, f.res.ID)
		}
		e.root.pop()
		e.root.updateResource(m.res.resource)
		e.root.announce("✓ Backups of " + f.res.Label + " now run " + scheduleText(e.info, m.res.resource.Schedule))
		return nil
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		n, nw := len(days), len(model.ScheduleWindows)
		k := e.keys
		switch {
		case key.Matches(m, k.Back):
			e.root.pop()
			return nil
		case key.Matches(m, k.Left):
			f.day = (f.day + n - 1) % n
		case key.Matches(m, k.Right):
			f.day = (f.day + 1) % n
		case key.Matches(m, k.Up):
			f.win = (f.win + nw - 1) % nw
		case key.Matches(m, k.Down):
			f.win = (f.win + 1) % nw
		case key.Matches(m, k.Submit):
			s := f.chosen()
			if s == f.res.Schedule {
				e.root.pop()
				e.root.announce("Schedule unchanged")
				return nil
			}
			act, id := e.actions, f.res.ID
			return f.send(e, func(ctx context.Context) actionResult {
				r, err := act.SetSchedule(ctx, id, s)
				return actionResult{err: err, resource: r}
			})
		}
	}
	return nil
}

func (f *scheduleForm) keys(e *env) keymap.Help {
	k := e.keys
	if f.sending {
		return keymap.Help{Short: []key.Binding{k.ForceQuit}}
	}
	day := keymap.WithHelp(k.Left, "←/→", "day")
	win := keymap.WithHelp(k.Up, "↑/↓", "window")
	save := keymap.WithHelp(k.Submit, "enter", "save")
	return keymap.Help{Short: []key.Binding{day, win, save, k.Back}, Full: [][]key.Binding{{day, win}, {save, k.Back}}}
}

func (f *scheduleForm) view(e *env, w, h int) string {
	th := e.th
	s := f.chosen()
	out := []string{
		th.Label.Render(text.Fit("Backup schedule of "+f.res.Label, w)), "",
		"Now:   " + scheduleText(e.info, f.res.Schedule),
		"New:   " + th.Label.Render(scheduleText(e.info, s)),
		"",
		fmt.Sprintf("Day     ‹ %s ›", th.Label.Render(s.Day)),
		fmt.Sprintf("Window  ‹ %s › %s", th.Label.Render(s.Window), th.Dim.Render(windowText(s.Window))),
		"",
		th.Dim.Render(text.Wrap(e.info.Wording.Schedule, w)),
	}
	out = append(out, f.outcome(e, w, "")...)
	return strings.Join(out, "\n")
}
