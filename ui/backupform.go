package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/input"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// backupForm takes a snapshot or backup on a provider other than Linode
// instances, offering the choices that provider has (ProviderInfo): a
// name validated as typed, a type, compression, Civo's safe mode, an extra
// destination, or one disk. It reads the backups first: a limit on manual
// snapshots, a name about to be overwritten, a backup already running.
type backupForm struct {
	sender
	res      model.Resource
	info     model.ProviderInfo
	name     input.Model
	dest     input.Model
	days     input.Model
	focus    int // index into fields()
	typ      int // index into info.BackupTypes
	comp     int
	safe     bool
	disk     int // 0 = the whole resource, else disks[disk-1]
	disks    []model.Disk
	loading  bool
	loadErr  error
	req      int
	known    []model.Backup
	hint     string
	diskErr  error
	diskLoad bool
	// dests are the provider's backup destinations to choose from once
	// listed (destListed); dest is then the chosen one, 0 for none.
	// Without a list the destination is typed.
	dests      []model.BackupDestination
	destPick   int
	destListed bool
	destLoad   bool
	destErr    error
}

type destsMsg struct {
	req   int
	dests []model.BackupDestination
	err   error
}

type disksMsg struct {
	req   int
	disks []model.Disk
	err   error
}

func newBackupForm(e *env, r model.Resource) *backupForm {
	in := func(prompt, val string, limit int) input.Model {
		ti := input.New()
		ti.Prompt = prompt
		ti.CharLimit = limit
		ti.SetValue(val)
		ti.CursorEnd()
		return ti
	}
	label := e.info.NameField
	if label == "" {
		label = "Name"
	}
	f := &backupForm{sender: newSender(), res: r, info: e.info,
		name: in(label+" › ", defaultName(e.info, e.now()), 255),
		dest: in("Also to destination › ", "", 100),
		days: in("Kept for days (1–120) › ", "", 3)}
	f.name.Focus()
	return f
}

// plural says n things: "1 manual backup", "2 manual backups".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// defaultName proposes a name the provider accepts: its rules differ on
// separators (Linode Managed Databases allow only underscores).
func defaultName(info model.ProviderInfo, now time.Time) string {
	for _, layout := range []string{"snapdeck-20060102-1504", "snapdeck_20060102_1504", "snapdeck 2006-01-02 15:04"} {
		n := now.UTC().Format(layout)
		if info.ValidateName == nil || info.ValidateName(n) == nil {
			return n
		}
	}
	return ""
}

// field names, in tab order, for what this provider offers.
func (f *backupForm) fields() []string {
	out := []string{"name"}
	if len(f.info.BackupTypes) > 0 {
		out = append(out, "type")
	}
	if f.isDump() && len(f.info.Compressions) > 0 {
		out = append(out, "compression")
	}
	if f.info.SafeOption {
		out = append(out, "safe")
	}
	if f.info.Destinations && !f.isDump() {
		out = append(out, "destination", "days")
	}
	if f.info.DiskTarget {
		out = append(out, "disk")
	}
	return out
}

func (f *backupForm) isDump() bool {
	return len(f.info.BackupTypes) > 0 && f.info.BackupTypes[f.typ] == "dump"
}

func (f *backupForm) title() string   { return "Take " + f.info.BackupNoun }
func (f *backupForm) busy() bool      { return f.loading || f.sending || f.diskLoad }
func (f *backupForm) capturing() bool { return true }
func (f *backupForm) close()          { f.cancel() }

func (f *backupForm) load(e *env) tea.Cmd {
	f.loading = true
	f.req = e.root.reqID()
	req, id, p := f.req, f.res.ID, e.p
	cmds := []tea.Cmd{e.root.call(f.ctx, func(ctx context.Context) tea.Msg {
		b, err := p.ListBackups(ctx, id)
		return backupsMsg{req: req, id: id, backups: b, err: err}
	})}
	if dl, ok := p.(client.DiskLister); ok && f.info.DiskTarget {
		f.diskLoad = true
		cmds = append(cmds, e.root.call(f.ctx, func(ctx context.Context) tea.Msg {
			d, err := dl.Disks(ctx, id)
			return disksMsg{req: req, disks: d, err: err}
		}))
	}
	if dl, ok := p.(client.DestinationLister); ok && f.info.Destinations {
		f.destLoad = true
		cmds = append(cmds, e.root.call(f.ctx, func(ctx context.Context) tea.Msg {
			d, err := dl.BackupDestinations(ctx)
			return destsMsg{req: req, dests: d, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

// destID is the destination chosen or typed, "" for none.
func (f *backupForm) destID() string {
	if f.destListed {
		if f.destPick > 0 && f.destPick <= len(f.dests) {
			return f.dests[f.destPick-1].ID
		}
		return ""
	}
	return strings.TrimSpace(f.dest.Value())
}

func (f *backupForm) manual() int {
	n := 0
	for _, b := range f.known {
		if b.Kind == model.BackupSnapshot {
			n++
		}
	}
	return n
}

// newestManual is the newest user-taken backup known, nil if none.
func (f *backupForm) newestManual() *model.Backup {
	var out *model.Backup
	for i := range f.known {
		if b := &f.known[i]; b.Kind == model.BackupSnapshot && (out == nil || b.Created.After(out.Created)) {
			out = b
		}
	}
	return out
}

func (f *backupForm) running() *model.Backup {
	for i := range f.known {
		if f.known[i].Status.Active() {
			return &f.known[i]
		}
	}
	return nil
}

func (f *backupForm) full() bool { return f.info.MaxManual > 0 && f.manual() >= f.info.MaxManual }

func (f *backupForm) validateName() error {
	v := f.name.Value()
	if f.info.ValidateName != nil {
		return f.info.ValidateName(v)
	}
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("a name is required")
	}
	return nil
}

// request builds what will be sent, or says why it cannot be.
func (f *backupForm) request() (model.SnapshotRequest, error) {
	req := model.SnapshotRequest{Label: f.name.Value(), Safe: f.safe}
	if err := f.validateName(); err != nil {
		return req, err
	}
	if len(f.info.BackupTypes) > 0 {
		req.Type = f.info.BackupTypes[f.typ]
	}
	if f.isDump() && len(f.info.Compressions) > 0 {
		req.Compression = f.info.Compressions[f.comp]
	}
	if f.info.Destinations && !f.isDump() && f.destID() != "" {
		d := model.Destination{ID: f.destID()}
		if err := f.retentionErr(); err != nil {
			return req, err
		}
		d.RetentionDays, _ = strconv.Atoi(strings.TrimSpace(f.days.Value()))
		req.Destinations = []model.Destination{d}
	}
	if f.disk > 0 && f.disk <= len(f.disks) {
		req.DiskID = f.disks[f.disk-1].ID
	} else if f.info.DiskTarget && f.res.DisksOnly {
		return req, fmt.Errorf("%s cannot take a backup of the whole %s: choose one of its disks under What", f.res.Label, f.info.Noun)
	}
	return req, nil
}

// retentionErr checks the destination's retention as it is typed; empty
// leaves the provider's default.
func (f *backupForm) retentionErr() error {
	v := strings.TrimSpace(f.days.Value())
	if v == "" {
		return nil
	}
	if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 120 {
		return fmt.Errorf("retention must be a whole number of days from 1 to 120")
	}
	return nil
}

func (f *backupForm) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case backupsMsg:
		if m.req != f.req {
			return nil
		}
		f.loading, f.loadErr = false, m.err
		if m.err == nil {
			f.known = m.backups
			e.root.updateBackups(f.res.ID, m.backups)
		}
		return nil
	case disksMsg:
		if m.req != f.req {
			return nil
		}
		f.diskLoad, f.diskErr, f.disks = false, m.err, m.disks
		if f.res.DisksOnly && f.disk == 0 && len(f.disks) > 0 {
			f.disk = 1 // what it supports: its primary disk, listed first
		}
		return nil
	case destsMsg:
		if m.req != f.req {
			return nil
		}
		f.destLoad, f.destErr = false, m.err
		if m.err == nil && len(m.dests) > 0 {
			f.dests, f.destListed = m.dests, true
			typed := strings.TrimSpace(f.dest.Value())
			for i, d := range f.dests {
				if d.ID == typed {
					f.destPick = i + 1
				}
			}
			f.dest.Blur()
		}
		return nil
	case actionMsg:
		if !f.received(m) {
			return nil
		}
		if m.res.err != nil {
			cmd := e.root.actionFailed(text.UpperFirst(f.info.BackupNoun)+" of "+f.res.Label, m.res.err, f.res.ID)
			if client.Uncertain(m.res.err) {
				e.root.pop() // it may have started: never offer to send it again
			}
			return cmd
		}
		e.root.pop()
		return f.started(e, m.res)
	case tea.KeyPressMsg:
		if f.sending {
			return nil
		}
		return f.key(e, m)
	}
	return nil
}

// started announces the backup started and watches it.
func (f *backupForm) started(e *env, res actionResult) tea.Cmd {
	b := res.backup
	name := b.Label
	if name == "" {
		name = f.name.Value()
	}
	return tea.Batch(e.root.reread(f.res.ID, ""),
		e.root.addJob(&store.Job{Kind: store.JobSnapshot, ResourceID: f.res.ID, Label: f.res.Label, Name: name, BackupID: b.ID, Status: b.RawStatus}))
}

func (f *backupForm) key(e *env, m tea.KeyPressMsg) tea.Cmd {
	fields := f.fields()
	f.focus = min(f.focus, len(fields)-1)
	cur := fields[f.focus]
	k := e.keys
	switch {
	case key.Matches(m, k.Back):
		e.root.pop()
		e.root.announce("Cancelled: no " + f.info.BackupNoun + " taken")
		return nil
	case key.Matches(m, k.NextField):
		f.setFocus((f.focus + 1) % len(fields))
		return nil
	case key.Matches(m, k.PrevField):
		f.setFocus((f.focus + len(fields) - 1) % len(fields))
		return nil
	case key.Matches(m, k.Submit):
		return f.enter(e)
	case key.Matches(m, k.Choose): // a space key reads "space", not " "
		step := 1
		if key.Matches(m, k.Left) {
			step = -1
		}
		switch cur {
		case "type":
			f.typ = (f.typ + step + len(f.info.BackupTypes)) % len(f.info.BackupTypes)
			return nil
		case "compression":
			f.comp = (f.comp + step + len(f.info.Compressions)) % len(f.info.Compressions)
			return nil
		case "safe":
			f.safe = !f.safe
			return nil
		case "disk":
			f.disk = (f.disk + step + len(f.disks) + 1) % (len(f.disks) + 1)
			return nil
		case "destination":
			if f.destListed {
				f.destPick = (f.destPick + step + len(f.dests) + 1) % (len(f.dests) + 1)
				return nil
			}
		}
	}
	var cmd tea.Cmd
	switch cur {
	case "name":
		f.name, cmd = f.name.Update(m)
	case "destination":
		if f.destListed {
			return nil // chosen from the list, not typed
		}
		f.dest, cmd = f.dest.Update(m)
	case "days":
		f.days, cmd = f.days.Update(m)
	}
	f.hint = ""
	return cmd
}

func (f *backupForm) setFocus(i int) {
	f.focus = i
	f.name.Blur()
	f.dest.Blur()
	f.days.Blur()
	switch f.fields()[i] {
	case "name":
		f.name.Focus()
	case "destination":
		if !f.destListed {
			f.dest.Focus()
		}
	case "days":
		f.days.Focus()
	}
}

func (f *backupForm) enter(e *env) tea.Cmd {
	switch {
	case f.loading:
		f.hint = "Still reading the current " + f.info.BackupNoun + "s…"
		return nil
	case f.loadErr != nil:
		f.hint = "Could not read the current " + f.info.BackupNoun + "s; esc and try again."
		return nil
	case f.full():
		f.hint = fmt.Sprintf("%s already has %d of %d manual %ss: delete one first (D on it).", f.res.Label, f.manual(), f.info.MaxManual, f.info.BackupNoun)
		return nil
	}
	if r := f.running(); r != nil {
		f.hint = fmt.Sprintf("%s %s is still %s: wait for it to finish.", text.UpperFirst(f.info.BackupNoun), r.Label, r.RawStatus)
		return nil
	}
	if _, err := f.request(); err != nil {
		f.hint = err.Error()
		return nil
	}
	req, err := f.request()
	if err != nil {
		f.hint = err.Error()
		return nil
	}
	taken := ""
	for _, b := range f.known {
		if b.Label == req.Label {
			taken = format.Stamp(e.now(), b.Created)
			break
		}
	}
	act, id := e.actions, f.res.ID
	run := func(ctx context.Context) actionResult {
		b, err := act.TakeSnapshot(ctx, id, req)
		return actionResult{backup: b, err: err}
	}
	conf, ask := model.ConfirmTakeSnapshot(f.info, f.res, req.Label, taken, f.safe)
	if !ask {
		return f.send(e, run)
	}
	// Overwriting one of that name, or shutting the resource down: asked in
	// the confirm component, where n or esc comes back to the form.
	c := newConfirm(conf)
	c.ids, c.what = []string{f.res.ID}, text.UpperFirst(f.info.BackupNoun)+" of "+f.res.Label
	c.run = run
	c.done = func(e *env, res actionResult) tea.Cmd {
		e.root.pop() // the form
		return f.started(e, res)
	}
	c.uncertain = func(e *env) tea.Cmd { e.root.pop(); return nil } // never offer to send it again
	return e.root.push(c, nil)
}

func (f *backupForm) keys(e *env) keymap.Help {
	k := e.keys
	if f.sending {
		return keymap.Help{Short: []key.Binding{k.ForceQuit}}
	}
	take := keymap.WithHelp(k.Submit, "enter", "take "+f.info.BackupNoun)
	short := []key.Binding{take}
	if len(f.fields()) > 1 {
		short = append(short, k.NextField, k.Choose)
	}
	short = append(short, k.Back)
	return keymap.Help{Short: short, Full: [][]key.Binding{short}}
}

func (f *backupForm) view(e *env, w, h int) string {
	th := e.th
	out := []string{th.Title.Render(text.Fit(fmt.Sprintf("Take a %s of %s (%s)", f.info.BackupNoun, f.res.Label, f.res.Region), w)), ""}
	out = append(out, f.stateLines(e, w)...)
	out = append(out, "")
	for _, field := range f.fields() {
		out = append(out, f.fieldLines(e, field, w)...)
	}
	if f.info.OverwritesByName {
		out = append(out, "", th.Dim.Render(text.Wrap("A "+f.info.BackupNoun+" with the same name as an existing one overwrites it.", w)))
	}
	out = append(out, f.outcome(e, w, f.hint)...)
	return strings.Join(out, "\n")
}

// stateLines say what was read of the backups already there: how many
// manual ones of the limit, the newest, one still running.
func (f *backupForm) stateLines(e *env, w int) []string {
	th := e.th
	switch {
	case f.loading:
		return []string{e.root.spinView() + " Reading the current " + f.info.BackupNoun + "s…"}
	case f.loadErr != nil:
		return []string{th.ErrBox.Render(text.Wrap("⚠ "+text.Err(f.loadErr), w))}
	}
	var out []string
	n := f.manual()
	line := plural(n, "manual "+f.info.BackupNoun)
	if f.info.MaxManual > 0 {
		line = fmt.Sprintf("%d of at most %d manual %ss used", n, f.info.MaxManual, f.info.BackupNoun)
	}
	if b := f.newestManual(); b != nil {
		// The newest of those counted: an automatic one is not among them.
		line += " · newest " + format.Age(e.now(), b.Created)
	}
	if f.full() {
		out = append(out, th.Bad.Render(text.Wrap(line+": the limit is reached — delete one (D) before taking another.", w)))
	} else {
		out = append(out, th.Dim.Render(text.Fit(line, w)))
	}
	if r := f.running(); r != nil {
		out = append(out, th.Warn.Render(text.Wrap(fmt.Sprintf("%s %s is still %s.", text.UpperFirst(f.info.BackupNoun), r.Label, r.RawStatus), w)))
	}
	return out
}

// choice draws options with the chosen one in brackets.
func choice(th theme.Theme, opts []string, i int) string {
	parts := make([]string, len(opts))
	for j, o := range opts {
		if j == i {
			parts[j] = th.Label.Render("[" + o + "]")
		} else {
			parts[j] = th.Dim.Render(" " + o + " ")
		}
	}
	return strings.Join(parts, " ")
}

// fieldLines draws one field, marked when it has the focus, and its advice.
func (f *backupForm) fieldLines(e *env, field string, w int) []string {
	th := e.th
	mark := "  "
	if fs := f.fields(); fs[min(f.focus, len(fs)-1)] == field {
		mark = th.Label.Render("› ")
	}
	advice := func(st lipgloss.Style, s string) string { return "  " + st.Render(text.Wrap(s, w-2)) }
	switch field {
	case "name":
		out := []string{mark + f.name.View()}
		if err := f.validateName(); err != nil {
			out = append(out, advice(th.Bad, err.Error()))
		}
		return out
	case "type":
		if f.isDump() {
			return []string{mark + "Type › " + choice(th, f.info.BackupTypes, f.typ), advice(th.Dim, "A dump is a logical export of the data (portable, slower).")}
		}
		return []string{mark + "Type › " + choice(th, f.info.BackupTypes, f.typ), advice(th.Dim, "A snapshot is a copy of the volume (fast; restores the addon version too).")}
	case "compression":
		return []string{mark + "Compression › " + choice(th, f.info.Compressions, f.comp)}
	case "safe":
		v := "no"
		if f.safe {
			v = "yes"
		}
		return []string{mark + "Safe › " + th.Label.Render(v),
			advice(th.Dim, "Safe shuts the instance down while the snapshot is taken, so files (database tables) are consistent; "+
				"without it there is no interruption but a small risk of corruption.")}
	case "destination":
		if f.destListed {
			opts := []string{"none"}
			for _, d := range f.dests {
				o := d.ID
				if d.Name != "" && d.Name != d.ID {
					o += " " + d.Name
				}
				opts = append(opts, o)
			}
			return []string{mark + "Also to destination › " + choice(th, opts, f.destPick)}
		}
		line := mark + f.dest.View() + th.Dim.Render("  (optional)")
		if f.destLoad {
			line += " " + e.root.spinView()
		}
		out := []string{line}
		switch {
		case f.destErr != nil:
			out = append(out, advice(th.Warn, "Could not list the backup destinations; type the destination's ID: "+text.Err(f.destErr)))
		case !f.destLoad && f.info.Destinations:
			if _, ok := e.p.(client.DestinationLister); ok {
				out = append(out, advice(th.Dim, "No backup destinations are set up for this team."))
			}
		}
		return out
	case "days":
		out := []string{mark + f.days.View()}
		if err := f.retentionErr(); err != nil {
			out = append(out, advice(th.Bad, err.Error()))
		}
		return out
	case "disk":
		whole := "whole " + f.info.Noun + " (incremental)"
		if f.res.DisksOnly {
			whole = "whole " + f.info.Noun + " (not enabled)"
		}
		opts := []string{whole}
		for _, d := range f.disks {
			opts = append(opts, fmt.Sprintf("disk %s %s (%s)", d.ID, d.Label, format.SizeMB(d.SizeMB)))
		}
		line := mark + "What › " + choice(th, opts, f.disk)
		if f.diskLoad {
			line += " " + e.root.spinView()
		}
		out := []string{line}
		if f.diskErr != nil {
			out = append(out, advice(th.Warn, "Could not list the disks: "+text.Err(f.diskErr)))
		}
		if f.res.DisksOnly {
			out = append(out, advice(th.Dim, "Incremental backups of the whole "+f.info.Noun+" are not enabled for this "+f.info.Noun+
				" (the API would refuse with 422): back up one disk at a time."))
		}
		return out
	}
	return nil
}
