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
)

// --- snapshot form ---------------------------------------------------------

// snapshotForm asks for a snapshot label, validated as typed. It first
// re-reads the backups, because whether a snapshot is in progress or would
// be replaced decides what may happen next.
type snapshotForm struct {
	sender
	res     model.Resource
	input   input
	loading bool
	loadErr error
	req     int
	state   model.SnapshotState
	confirm bool // second step: replacing the current snapshot
	hint    string
}

func newSnapshotForm(a *App, r model.Resource) *snapshotForm {
	ti := newInput()
	ti.Prompt = "Label › "
	ti.SetValue("snapdeck-" + a.opts.Now().UTC().Format("20060102-1504"))
	ti.CursorEnd()
	ti.Focus()
	return &snapshotForm{sender: newSender(), res: r, input: ti}
}

func (f *snapshotForm) title() string   { return "Take snapshot" }
func (f *snapshotForm) busy() bool      { return f.loading || f.sending }
func (f *snapshotForm) capturing() bool { return true }
func (f *snapshotForm) close()          { f.cancel() }

func (f *snapshotForm) load(a *App) tea.Cmd {
	f.loading = true
	f.req = a.reqID()
	req, id, p := f.req, f.res.ID, a.opts.Provider
	return a.call(f.ctx, func(ctx context.Context) tea.Msg {
		b, err := p.ListBackups(ctx, id)
		return backupsMsg{req: req, id: id, backups: b, err: err}
	})
}

func (f *snapshotForm) inProgress() bool { return f.state.InProgress != nil }

func (f *snapshotForm) update(a *App, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case backupsMsg:
		if m.req != f.req {
			return nil
		}
		f.loading = false
		f.loadErr = m.err
		if m.err == nil {
			f.state = model.Summarise(m.backups)
			a.updateBackups(f.res.ID, m.backups)
		}
		return nil
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		if m.res.err != nil {
			f.confirm = false
			cmd := a.actionFailed("Snapshot of "+f.res.Label, m.res.err, f.res.ID)
			if client.Uncertain(m.res.err) {
				// The snapshot may have started: re-read what the form
				// decides on, so that Enter cannot blindly send a second one.
				return tea.Batch(cmd, f.load(a))
			}
			return cmd
		}
		a.pop()
		a.announce("✓ Snapshot " + m.res.backup.Label + " of " + f.res.Label + " accepted; watching it")
		return tea.Batch(
			a.addJob(&job{kind: jobSnapshot, resourceID: f.res.ID, label: f.res.Label, name: m.res.backup.Label, backupID: m.res.backup.ID, status: m.res.backup.RawStatus}),
			a.reread(f.res.ID, ""),
		)
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		switch {
		case key.Matches(m, a.keys.Back):
			if f.confirm {
				f.confirm = false
				return nil
			}
			a.pop()
			a.announce("Cancelled: snapshot of " + f.res.Label)
			return nil
		case f.loading:
			return nil
		case f.loadErr != nil:
			if m.String() == "r" {
				return f.load(a)
			}
			return nil
		case f.inProgress():
			return nil
		case f.confirm:
			switch m.String() {
			case "y", "Y":
				return f.submit(a)
			case "enter":
				f.hint = "Enter does not confirm a replacement: press y, or esc."
			}
			return nil
		case m.String() == "enter":
			if model.ValidateSnapshotLabel(f.input.Value()) != nil {
				f.hint = "Fix the label first."
				return nil
			}
			if f.state.Current != nil {
				f.confirm = true
				return nil
			}
			return f.submit(a)
		}
		var cmd tea.Cmd
		f.input, cmd = f.input.Update(m)
		f.hint = ""
		return cmd
	}
	return nil
}

func (f *snapshotForm) submit(a *App) tea.Cmd {
	act, id, label := a.actions, f.res.ID, f.input.Value()
	return f.send(a, func(ctx context.Context) actionResult {
		b, err := act.TakeSnapshot(ctx, id, model.SnapshotRequest{Label: label})
		return actionResult{err: err, backup: b}
	})
}

func (f *snapshotForm) keys(a *App) helpKeys {
	k := a.keys
	switch {
	case f.sending:
		return helpKeys{short: []key.Binding{k.ForceQuit}}
	case f.confirm:
		y := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "replace snapshot"))
		return helpKeys{short: []key.Binding{y, k.Back}, full: [][]key.Binding{{y, k.Back}}}
	case f.inProgress() || f.loading:
		return helpKeys{short: []key.Binding{k.Back}, full: [][]key.Binding{{k.Back}}}
	}
	ok := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "take snapshot"))
	return helpKeys{short: []key.Binding{ok, k.Back}, full: [][]key.Binding{{ok, k.Back}}}
}

func (f *snapshotForm) view(a *App, w, h int) string {
	th := a.th
	now := a.opts.Now()
	out := []string{th.label.Render(fit("Take a snapshot of "+f.res.Label, w)), ""}
	switch {
	case f.loading:
		out = append(out, a.spin.View()+" Reading the current snapshot state…")
		return strings.Join(out, "\n")
	case f.loadErr != nil:
		out = append(out, th.errBox.Render(wrap("⚠ Could not read the backups: "+errText(f.loadErr), w)), th.dim.Render("Press r to retry, esc to go back."))
		return strings.Join(out, "\n")
	case f.inProgress():
		ip := f.state.InProgress
		out = append(out, th.errBox.Render("Refused: a snapshot is already in progress."),
			wrap(fmt.Sprintf("Snapshot %q is %s (started %s). Linode takes one snapshot at a time; wait for it to finish.",
				ip.Label, ip.RawStatus, format.Age(now, ip.Created)), w),
			"", th.dim.Render("Press esc to go back."))
		return strings.Join(out, "\n")
	}
	out = append(out, f.input.View())
	label := f.input.Value()
	n := len([]rune(label))
	if err := model.ValidateSnapshotLabel(label); err != nil {
		out = append(out, th.bad.Render("✗ "+err.Error()))
	} else {
		out = append(out, th.good.Render(fmt.Sprintf("✓ %d/%d characters", n, model.MaxSnapshotLabel)))
	}
	out = append(out, th.dim.Render("Rule: 1 to 255 characters."), "")
	if c := f.state.Current; c != nil {
		out = append(out, th.warn.Render(wrap(fmt.Sprintf("⚠ %s already has a snapshot: %q, taken %s. A Linode keeps one snapshot: taking a new one deletes that one.",
			f.res.Label, c.Label, format.Stamp(now, c.Created)), w)))
	} else {
		out = append(out, th.dim.Render("It has no snapshot yet; nothing will be replaced."))
	}
	if f.confirm {
		out = append(out, "", th.errBox.Render(wrap(fmt.Sprintf("Replace %q with %q? Press y to take the new snapshot and delete the old one, esc to go back.",
			f.state.Current.Label, label), w)))
	}
	out = append(out, f.outcome(a, w, f.hint)...)
	return strings.Join(out, "\n")
}

// --- restore form ----------------------------------------------------------

// restoreForm picks the target Linode and the overwrite choice, then asks
// for the confirmation that fits: y without overwrite, the typed label with.
type restoreForm struct {
	sender
	src       model.Resource
	b         model.Backup
	targets   []model.Resource
	tbl       table
	overwrite bool
	confirm   bool
	input     input
	hint      string
}

func newRestoreForm(a *App, src model.Resource, b model.Backup) *restoreForm {
	f := &restoreForm{sender: newSender(), src: src, b: b}
	// Only Linodes in the source's region are valid targets; the source first.
	f.targets = append(f.targets, src)
	for _, r := range a.stack[0].(*instancesScreen).all {
		if r.Region == src.Region && r.ID != src.ID {
			f.targets = append(f.targets, r)
		}
	}
	f.tbl = table{cols: []column{
		{title: "TARGET", min: 20, max: 48},
		{title: "STATUS", width: 12, priority: 3},
		{title: "PLAN", width: 15, priority: 1},
		{title: "DISK", width: 8, priority: 2},
	}}
	f.tbl.setRows(len(f.targets))
	ti := newInput()
	ti.Prompt = "› "
	f.input = ti
	return f
}

func (f *restoreForm) title() string   { return "Restore" }
func (f *restoreForm) busy() bool      { return f.sending }
func (f *restoreForm) capturing() bool { return f.confirm || f.sending }
func (f *restoreForm) close()          { f.cancel() }

func (f *restoreForm) target() model.Resource { return f.targets[f.tbl.cursor] }

func (f *restoreForm) update(a *App, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		t := f.target()
		if m.res.err != nil {
			if client.Uncertain(m.res.err) {
				a.pop() // as in confirmScreen: no second restore by a repeated key
			}
			return a.actionFailed("Restore onto "+t.Label, m.res.err, t.ID)
		}
		a.pop()
		a.announce("✓ Restore of backup " + f.b.ID + " onto " + t.Label + " accepted; watching it")
		return a.addJob(&job{kind: jobRestore, resourceID: f.src.ID, label: f.src.Label, name: backupName(f.b), targetID: t.ID, targetLabel: t.Label, status: "pending"})
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		if key.Matches(m, a.keys.Back) {
			if f.confirm {
				f.confirm = false
				f.hint = ""
				f.input.Blur()
				return nil
			}
			a.pop()
			a.announce("Cancelled: restore of backup " + f.b.ID)
			return nil
		}
		if f.confirm {
			return f.updateConfirm(a, m)
		}
		switch {
		case key.Matches(m, a.keys.Up):
			f.tbl.move(-1)
		case key.Matches(m, a.keys.Down):
			f.tbl.move(1)
		case m.String() == "o" || m.String() == "space":
			f.overwrite = !f.overwrite
		case m.String() == "enter":
			f.confirm = true
			f.input.SetValue("")
			if f.overwrite {
				f.input.Placeholder = f.target().Label
				return f.input.Focus()
			}
		}
	}
	return nil
}

func (f *restoreForm) updateConfirm(a *App, m tea.KeyPressMsg) tea.Cmd {
	t := f.target()
	if !f.overwrite {
		switch m.String() {
		case "y", "Y":
			return f.submit(a)
		case "enter":
			f.hint = "Enter does not confirm a restore: press y, or esc."
		}
		return nil
	}
	if m.String() == "enter" {
		if f.input.Value() != typedName(t) {
			f.hint = "That is not the target's label. Type " + typedName(t) + " exactly, or esc."
			return nil
		}
		return f.submit(a)
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(m)
	f.hint = ""
	return cmd
}

func (f *restoreForm) submit(a *App) tea.Cmd {
	act, src, bid, tid, ow := a.actions, f.src.ID, f.b.ID, f.target().ID, f.overwrite
	return f.send(a, func(ctx context.Context) actionResult {
		return actionResult{err: act.RestoreBackup(ctx, src, bid, tid, ow)}
	})
}

func (f *restoreForm) keys(a *App) helpKeys {
	k := a.keys
	switch {
	case f.sending:
		return helpKeys{short: []key.Binding{k.ForceQuit}}
	case f.confirm && f.overwrite:
		ok := key.NewBinding(key.WithKeys("enter"), key.WithHelp("type label + enter", "restore"))
		return helpKeys{short: []key.Binding{ok, k.Back}, full: [][]key.Binding{{ok, k.Back}}}
	case f.confirm:
		y := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "restore"))
		return helpKeys{short: []key.Binding{y, k.Back}, full: [][]key.Binding{{y, k.Back}}}
	}
	ow := key.NewBinding(key.WithKeys("o", "space"), key.WithHelp("o", "toggle overwrite"))
	next := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next"))
	return helpKeys{short: []key.Binding{k.Up, k.Down, ow, next, k.Back}, full: [][]key.Binding{{k.Up, k.Down}, {ow, next, k.Back}}}
}

func backupName(b model.Backup) string { return b.Name() }

func (f *restoreForm) view(a *App, w, h int) string {
	th := a.th
	now := a.opts.Now()
	size := f.b.TotalSizeMB()
	out := []string{
		th.label.Render(fit(fmt.Sprintf("Restore %s of %s", backupName(f.b), f.src.Label), w)),
		th.dim.Render(fit(fmt.Sprintf("taken %s · %d disks · %s · region %s", format.Stamp(now, f.b.Created), len(f.b.Disks), format.SizeMB(size), f.src.Region), w)),
		"",
	}
	if l := a.productionLine(w); l != "" {
		out = append(out, l, "")
	}
	t := f.target()
	if !f.confirm {
		out = append(out, "Target — only Linodes in "+f.src.Region+" can receive this backup:")
		f.tbl.setHeight(max(h-len(out)-7, 1))
		out = append(out, f.tbl.render(th, w, func(i int) map[string]cell {
			r := f.targets[i]
			name := r.Label
			if r.ID == f.src.ID {
				name += " (this Linode)"
			}
			return map[string]cell{"TARGET": {text: name}, "STATUS": {text: r.Status}, "PLAN": {text: r.Plan}, "DISK": {text: format.SizeMB(r.DiskMB)}}
		}))
		out = append(out, "")
	}
	box := "[ ]"
	if f.overwrite {
		box = "[x]"
	}
	out = append(out, fmt.Sprintf("%s Overwrite (o toggles)", box))
	if f.overwrite {
		out = append(out, th.bad.Render(wrap("Overwrite ERASES every disk and config of "+t.Label+", then restores the backup's disks and configs in their place. What is on "+t.Label+" now is lost.", w)))
	} else {
		out = append(out, wrap("Without overwrite the backup's disks ("+format.SizeMB(size)+") are added beside "+t.Label+"'s existing disks; nothing is erased.", w))
		if t.DiskMB > 0 && size > t.DiskMB {
			out = append(out, th.warn.Render(wrap(fmt.Sprintf("⚠ %s's plan has %s of disk in all, less than the backup's %s: it lacks the space. Choose overwrite or a larger Linode.", t.Label, format.SizeMB(t.DiskMB), format.SizeMB(size)), w)))
		} else {
			out = append(out, th.warn.Render(wrap(fmt.Sprintf("⚠ The restore is refused if %s has less than %s of unallocated disk (its plan has %s in all).", t.Label, format.SizeMB(size), format.SizeMB(t.DiskMB)), w)))
		}
	}
	if f.confirm {
		out = append(out, "")
		if f.overwrite {
			out = append(out, "Type "+th.label.Render(typedName(t))+" to confirm erasing it, then Enter. Esc goes back.", f.input.View())
		} else {
			out = append(out, "Press "+th.label.Render("y")+" to restore onto "+t.Label+", esc to go back.")
		}
	}
	out = append(out, f.outcome(a, w, f.hint)...)
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

func newScheduleForm(_ *App, r model.Resource) *scheduleForm {
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

func (f *scheduleForm) update(a *App, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		if m.res.err != nil {
			if client.Uncertain(m.res.err) {
				a.pop() // as in confirmScreen
			}
			return a.actionFailed("Schedule of "+f.res.Label, m.res.err, f.res.ID)
		}
		a.pop()
		a.updateResource(m.res.resource)
		a.announce("✓ Backups of " + f.res.Label + " now run " + scheduleText(m.res.resource.Schedule))
		return nil
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		n, nw := len(days), len(model.ScheduleWindows)
		switch m.String() {
		case "esc":
			a.pop()
			return nil
		case "left", "h":
			f.day = (f.day + n - 1) % n
		case "right", "l":
			f.day = (f.day + 1) % n
		case "up", "k":
			f.win = (f.win + nw - 1) % nw
		case "down", "j":
			f.win = (f.win + 1) % nw
		case "enter":
			s := f.chosen()
			if s == f.res.Schedule {
				a.pop()
				a.announce("Schedule unchanged")
				return nil
			}
			act, id := a.actions, f.res.ID
			return f.send(a, func(ctx context.Context) actionResult {
				r, err := act.SetSchedule(ctx, id, s)
				return actionResult{err: err, resource: r}
			})
		}
	}
	return nil
}

func (f *scheduleForm) keys(a *App) helpKeys {
	k := a.keys
	if f.sending {
		return helpKeys{short: []key.Binding{k.ForceQuit}}
	}
	day := key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "day"))
	win := key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "window"))
	save := key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save"))
	return helpKeys{short: []key.Binding{day, win, save, k.Back}, full: [][]key.Binding{{day, win}, {save, k.Back}}}
}

func (f *scheduleForm) view(a *App, w, h int) string {
	th := a.th
	s := f.chosen()
	out := []string{
		th.label.Render(fit("Backup schedule of "+f.res.Label, w)), "",
		"Now:   " + scheduleText(f.res.Schedule),
		"New:   " + th.label.Render(scheduleText(s)),
		"",
		fmt.Sprintf("Day     ‹ %s ›", th.label.Render(s.Day)),
		fmt.Sprintf("Window  ‹ %s › %s", th.label.Render(s.Window), th.dim.Render(scheduleText(model.Schedule{Window: s.Window}))),
		"",
		th.dim.Render(wrap("Linode takes the daily backup in the two-hour window (UTC) and keeps the weekly one from the chosen day. \"Scheduling\" lets Linode pick the day.", w)),
	}
	out = append(out, f.outcome(a, w, "")...)
	return strings.Join(out, "\n")
}
