package ui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/table"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// backupsMsg answers a backup listing.
type backupsMsg struct {
	req     int
	id      string
	backups []model.Backup
	err     error
}

// backupsScreen lists one resource's backups and snapshots.
type backupsScreen struct {
	res     model.Resource
	backups []model.Backup
	tbl     table.Table
	req     int
	loading bool
	loaded  bool
	err     error
	ctx     context.Context
	cancel  context.CancelFunc
}

func newBackups(e *env, r model.Resource) *backupsScreen {
	ctx, cancel := context.WithCancel(context.Background())
	cols := []table.Column{
		{Title: "LABEL", Min: 24},
		{Title: "TYPE", Width: 9, Priority: 8},
		{Title: "STATUS", Width: 21, Priority: 9},
		{Title: "CREATED", Width: 11, Priority: 7},
		{Title: "FINISHED", Width: 11, Priority: 2},
		{Title: "DURATION", Width: 8, Priority: 5},
		{Title: "DISKS", Width: 5, Priority: 1},
		{Title: "SIZE", Width: 8, Priority: 6},
	}
	if !e.info.BackupDisks {
		// Only backups that record disks list them; the others have a
		// type of their own (dump, incremental) next to who took them.
		cols[1].Width = 18
		cols = append(cols[:6], cols[7])
	}
	return &backupsScreen{res: r, ctx: ctx, cancel: cancel, tbl: table.New(cols...)}
}

func (s *backupsScreen) title() string {
	if p := s.tbl.Position(); p != "" {
		return s.res.Label + " · " + p
	}
	return s.res.Label
}
func (s *backupsScreen) busy() bool      { return s.loading }
func (s *backupsScreen) capturing() bool { return false }
func (s *backupsScreen) close()          { s.cancel() }

func (s *backupsScreen) load(e *env) tea.Cmd {
	s.req = e.root.reqID()
	s.loading = true
	req, id, p := s.req, s.res.ID, e.p
	return e.root.call(s.ctx, func(ctx context.Context) tea.Msg {
		b, err := p.ListBackups(ctx, id)
		return backupsMsg{req: req, id: id, backups: b, err: err}
	})
}

func (s *backupsScreen) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case resourceMsg:
		if m.r.ID == s.res.ID {
			s.res = m.r
		}
	case backupsReadMsg:
		if m.id == s.res.ID {
			s.setBackups(m.backups)
		}
	case lastGoodMsg:
		if m.id == s.res.ID && m.t.After(s.res.LastSuccessful) {
			s.res.LastSuccessful = m.t
		}
	case backupsMsg:
		if m.req != s.req {
			return nil
		}
		s.loading = false
		if m.err != nil {
			s.err = m.err
			if s.loaded {
				e.root.announce("⚠ refresh failed: " + text.Err(m.err) + " — r to retry")
			}
			return nil
		}
		s.err = nil
		e.root.updateBackups(s.res.ID, m.backups)
		return nil
	case tea.KeyPressMsg:
		k := e.keys
		switch {
		case key.Matches(m, k.Back):
			e.root.pop()
		case key.Matches(m, k.Up):
			s.tbl.Move(-1)
		case key.Matches(m, k.Down):
			s.tbl.Move(1)
		case key.Matches(m, k.Top):
			s.tbl.MoveTo(0)
		case key.Matches(m, k.Bottom):
			s.tbl.MoveTo(len(s.backups) - 1)
		case key.Matches(m, k.Refresh):
			return s.load(e)
		case key.Matches(m, k.Open):
			if b, ok := s.current(); ok {
				d := newDetail(e, s.res, b)
				return e.root.push(d, nil)
			}
		case key.Matches(m, k.Restore, k.Delete, k.Abort, k.Note):
			if b, ok := s.current(); ok {
				return e.backupAction(m, s.res, b, s.backups)
			}
		case key.Matches(m, k.Snapshot, k.Enable, k.Cancel, k.Schedule, k.History):
			var known []model.Backup
			if s.loaded {
				known = s.backups
			}
			return e.resourceAction(m, s.res, known)
		}
	}
	return nil
}

// setBackups shows a fresh list, keeping the cursor on the same backup.
func (s *backupsScreen) setBackups(backups []model.Backup) {
	s.loaded = true
	keep := ""
	if b, ok := s.current(); ok {
		keep = b.ID
	}
	s.backups = backups
	s.tbl.SetRows(len(s.backups))
	for i, b := range s.backups {
		if b.ID == keep {
			s.tbl.MoveTo(i)
		}
	}
}

func (s *backupsScreen) current() (model.Backup, bool) {
	if s.tbl.Cursor() < 0 || s.tbl.Cursor() >= len(s.backups) {
		return model.Backup{}, false
	}
	return s.backups[s.tbl.Cursor()], true
}

func (s *backupsScreen) keys(e *env) keymap.Help {
	k := e.keys
	short := []key.Binding{k.Open, k.Back, k.Refresh, k.Up, k.Down, k.Help, k.Quit}
	if len(s.backups) == 0 {
		short = []key.Binding{k.Back, k.Refresh, k.Help, k.Quit}
	}
	full := [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Open, k.Back, k.Refresh}}
	if acts := e.resourceKeys(); len(acts) > 0 || len(e.backupKeys()) > 0 {
		if len(s.backups) > 0 {
			acts = append(e.backupKeys(), acts...)
		}
		short = append(acts[:min(len(acts), 2):min(len(acts), 2)], short...)
		full = append(full, acts)
	}
	return keymap.Help{Short: short, Full: full}
}

func (s *backupsScreen) view(e *env, w, h int) string {
	now := e.now()
	var b strings.Builder
	b.WriteString(s.summary(e, now, w))
	b.WriteByte('\n')
	h--
	var snap model.SnapshotState
	if s.loaded {
		snap = model.Summarise(s.backups)
	}
	b.WriteString(e.policyLine(s.res, snap, w))
	b.WriteByte('\n')
	h--
	switch {
	case s.err != nil && !s.loaded:
		b.WriteString(e.errorView("backups of "+s.res.Label, s.err, w))
		return b.String()
	case !s.loaded:
		b.WriteString(e.root.spinView() + " Loading backups…")
		return b.String()
	}
	b.WriteString(historyView(e, model.History(s.backups, now, model.HistoryDays), w))
	b.WriteByte('\n')
	h -= 2
	switch {
	case len(s.backups) == 0 && !s.res.BackupsEnabled:
		this := e.info.ResourceTitle
		if this == "" {
			this = e.info.Noun
		}
		b.WriteString(e.th.Dim.Render(text.UpperFirst(e.info.ServiceName()) + " is not enabled for this " + this + ", so it has no backups."))
		return b.String()
	case len(s.backups) == 0 && e.info.Caps.Has(model.CapSchedule):
		b.WriteString(e.th.Dim.Render("No backups yet: the first automatic backup runs in the scheduled window."))
		return b.String()
	case len(s.backups) == 0:
		msg := "No " + e.info.BackupNoun + "s yet."
		if e.can(model.CapSnapshot) {
			msg += " Press s to take one."
		}
		b.WriteString(e.th.Dim.Render(msg))
		return b.String()
	}
	s.tbl.SetHeight(h - 1)
	b.WriteString(s.tbl.Render(e.th, w, func(i int) map[string]table.Cell {
		return backupRow(e, s.backups[i])
	}))
	return b.String()
}

// historyView is a backup history as two lines: the strip, one cell per
// UTC day with today last, and its legend. A narrow screen shows fewer
// days and drops the dates, never wrapping.
func historyView(e *env, h []model.Day, w int) string {
	const lead = "history "
	days := max(min(len(h), w-len(lead)), 0)
	h = h[len(h)-days:]
	line := e.th.Dim.Render(lead) + theme.HistoryStrip(h)
	if days > 0 {
		span := fmt.Sprintf("  %d days to %s UTC", days, h[days-1].Date.Format("Jan 2"))
		if len(lead)+days+len(span) <= w {
			line += e.th.Dim.Render(span)
		}
	}
	return text.Fit(line, w) + "\n" + text.Fit(theme.HistoryLegend(), w)
}

// summary is the one-line description of the resource above its backups.
func (s *backupsScreen) summary(e *env, now time.Time, w int) string {
	r := s.res
	svc := "backups off"
	sched := svc
	if r.BackupsEnabled {
		svc = "backups on"
		sched = svc
		if r.Schedule.Day != "" || r.Schedule.Window != "" {
			sched += " · " + scheduleText(e.info, r.Schedule)
		}
	}
	last := "last good " + format.Age(now, r.LastSuccessful)
	// A narrow screen leaves out the plan, then the schedule, then the
	// status and region: the last good backup stays whole.
	return e.th.Dim.Render(text.FirstFit(w,
		dots(r.Region, r.Status, r.Plan, sched, last),
		dots(r.Region, r.Status, sched, last),
		dots(r.Region, r.Status, svc, last),
		dots(r.Region, svc, last),
		dots(svc, last),
		last))
}

// dots joins the parts that are not empty with " · ".
func dots(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " · ")
}

func backupRow(e *env, b model.Backup) map[string]table.Cell {
	th := &e.th
	label := table.Cell{Text: b.Label}
	if b.Label == "" {
		label = table.Cell{Text: "(automatic)", Style: &th.Dim}
	}
	status := theme.StatusText(b.Status, b.RawStatus)
	if j := e.store.JobFor(b.ResourceID); j != nil && b.Slot == model.SlotInProgress {
		status += fmt.Sprintf(" %d%%", j.Percent)
	}
	return map[string]table.Cell{
		"LABEL":    label,
		"TYPE":     {Text: backupType(b)},
		"STATUS":   {Text: status, Style: e.statusStyle(b.Status)},
		"CREATED":  {Text: format.Short(b.Created)},
		"FINISHED": {Text: format.Short(b.Finished)},
		"DURATION": {Text: format.Duration(b.Duration())},
		"DISKS":    {Text: strconv.Itoa(len(b.Disks))},
		"SIZE":     {Text: backupSize(b)},
	}
}

// backupType is the provider's own kind of backup when it has one, marked
// when it was taken automatically: "dump", "incremental · auto".
func backupType(b model.Backup) string {
	t := b.Type
	if t == "" {
		return string(b.Kind)
	}
	lt := strings.ToLower(t)
	if b.Kind == model.BackupAutomatic && !strings.Contains(lt, "auto") && !strings.Contains(lt, "sched") {
		t += " · auto"
	}
	return t
}

// backupSize shows a provider's total when it gives one, else the disks',
// as the CLI does (model.Backup.Size).
func backupSize(b model.Backup) string { return format.Size(b.Size()) }

// scheduleText renders a backup schedule: a day and a two-hour UTC window,
// the provider's own words for a day it picks.
func scheduleText(info model.ProviderInfo, s model.Schedule) string {
	day := s.Day
	if day == "" || day == "Scheduling" {
		day = cmp.Or(info.Wording.ScheduleAnyDay, "day chosen by the provider")
	}
	return day + " " + windowText(s.Window)
}

// windowText is a schedule's two-hour UTC window alone: "00:00–02:00 UTC".
func windowText(w string) string {
	if n, err := strconv.Atoi(strings.TrimPrefix(w, "W")); err == nil && strings.HasPrefix(w, "W") {
		return fmt.Sprintf("%02d:00–%02d:00 UTC", n, (n+2)%24)
	}
	return "any time"
}
