package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// backupMsg answers a re-read of one backup.
type backupMsg struct {
	req    int
	backup model.Backup
	err    error
}

// detailScreen shows every field of one backup.
type detailScreen struct {
	res     model.Resource
	b       model.Backup
	scroll  int
	req     int
	loading bool
	err     error
	ctx     context.Context
	cancel  context.CancelFunc
	lines   int // lines in the last render, to bound scrolling
	height  int
}

func newDetail(_ *env, r model.Resource, b model.Backup) *detailScreen {
	ctx, cancel := context.WithCancel(context.Background())
	return &detailScreen{res: r, b: b, ctx: ctx, cancel: cancel}
}

func (s *detailScreen) title() string {
	if s.b.Label != "" {
		return s.b.Label
	}
	return "backup " + s.b.ID
}
func (s *detailScreen) busy() bool      { return s.loading }
func (s *detailScreen) capturing() bool { return false }
func (s *detailScreen) close()          { s.cancel() }

func (s *detailScreen) reload(e *env) tea.Cmd {
	s.req = e.root.reqID()
	s.loading = true
	req, rid, bid, p := s.req, s.res.ID, s.b.ID, e.p
	return e.root.call(s.ctx, func(ctx context.Context) tea.Msg {
		b, err := p.GetBackup(ctx, rid, bid)
		return backupMsg{req: req, backup: b, err: err}
	})
}

func (s *detailScreen) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case resourceMsg:
		if m.r.ID == s.res.ID {
			s.res = m.r
		}
	case lastGoodMsg:
		if m.id == s.res.ID && m.t.After(s.res.LastSuccessful) {
			s.res.LastSuccessful = m.t
		}
	case backupMsg:
		if m.req != s.req {
			return nil
		}
		s.loading = false
		s.err = m.err
		if m.err != nil {
			e.root.announce("⚠ refresh failed: " + text.Err(m.err) + " — r to retry")
			return nil
		}
		slot := s.b.Slot // the single-backup endpoint does not say which slot
		s.b = m.backup
		if s.b.Slot == model.SlotNone {
			s.b.Slot = slot
		}
		e.root.announce("Backup " + s.b.ID + " refreshed")
	case tea.KeyPressMsg:
		k := e.keys
		switch {
		case key.Matches(m, k.Back):
			e.root.pop()
		case key.Matches(m, k.Up):
			s.scroll = max(s.scroll-1, 0)
		case key.Matches(m, k.Down):
			s.scroll = min(s.scroll+1, max(s.lines-s.height, 0))
		case key.Matches(m, k.Top):
			s.scroll = 0
		case key.Matches(m, k.Refresh):
			return s.reload(e)
		case key.Matches(m, k.Restore, k.Delete, k.Abort, k.Note):
			return e.backupAction(m, s.res, s.b, nil)
		}
	}
	return nil
}

func (s *detailScreen) keys(e *env) keymap.Help {
	k := e.keys
	h := keymap.Help{
		Short: []key.Binding{k.Back, k.Refresh, k.Up, k.Down, k.Help, k.Quit},
		Full:  [][]key.Binding{{k.Up, k.Down, k.Top}, {k.Back, k.Refresh}},
	}
	if acts := e.backupKeys(); len(acts) > 0 {
		h.Short = append(acts[:1:1], h.Short...)
		h.Full = append(h.Full, acts)
	}
	return h
}

func (s *detailScreen) view(e *env, w, h int) string {
	now := e.now()
	b := s.b
	th := e.th
	var out []string
	field := func(name, value string) {
		out = append(out, th.Label.Render(text.Fit(name, 15))+" "+value)
	}
	kind := string(b.Kind)
	// A provider with types of its own (Northflank's snapshot and dump)
	// names the type; who took it follows, so that one row never says
	// "snapshot" while another says "dump".
	providerType := false
	for _, f := range b.Fields {
		if strings.EqualFold(f.Name, "type") && f.Value != "" {
			who := "manual"
			if b.Kind == model.BackupAutomatic {
				who = "automatic"
			}
			kind, providerType = f.Value+" · "+who, true
			break
		}
	}
	if b.Slot != model.SlotNone {
		kind += " (" + string(b.Slot) + ")"
	}
	out = append(out, th.Title.Render(text.Fit(fmt.Sprintf("Backup %s of %s", b.ID, s.res.Label), w)), "")
	label := b.Label
	if label == "" {
		label = th.Dim.Render("— (automatic backups have no label)")
	}
	field("Label", label)
	field("ID", b.ID)
	field("Type", kind)
	field("Status", th.Dim.Foreground(theme.StatusColor(b.Status)).Render(theme.StatusText(b.Status, b.RawStatus))+
		th.Dim.Render("  API status: "+b.RawStatus))
	if e.info.BackupDisks {
		avail := th.Good.Render("yes — can be restored")
		if !b.Available {
			avail = th.Bad.Render("no — not available for restore")
		}
		field("Available", avail)
	}
	field("Created", format.Stamp(now, b.Created))
	field("Updated", format.Stamp(now, b.Updated))
	fin := format.Stamp(now, b.Finished)
	if b.Finished.IsZero() && b.Status.Active() {
		fin = "— (still in progress)"
	}
	field("Finished", fin)
	field("Duration", format.Duration(b.Duration()))
	field("Total size", backupSize(b))
	owner := e.resourceTitle()
	field(owner, fmt.Sprintf("%s (ID %s, %s)", s.res.Label, s.res.ID, s.res.Region))
	shown := map[string]bool{"label": true, "id": true, "status": true, "created": true, "updated": true, "finished": true,
		"duration": true, "total size": true, "note": true, strings.ToLower(owner): true}
	if b.Note != "" || e.info.Caps.Has(model.CapNote) {
		field("Note", b.Note)
	}
	if r := b.LastRestore; r != nil {
		field("Last restore", fmt.Sprintf("%s · started %s · finished %s", theme.StatusText(r.Status, r.RawStatus), format.Stamp(now, r.Started), format.Stamp(now, r.Finished)))
		shown["last restore"] = true
	}
	for _, f := range b.Fields {
		// The provider's own facts, less those already shown above.
		n := strings.ToLower(f.Name)
		if shown[n] || strings.HasPrefix(n, "last restore") && shown["last restore"] || n == "completed" || n == "completed at" {
			continue
		}
		if n == "type" {
			if providerType {
				continue // in the Type row
			}
			f.Name = "Backup type"
		}
		field(f.Name, f.Value)
	}
	if e.info.BackupDisks { // only backups that record them list configs and disks
		out = append(out, linodeDisks(th, b, w, field)...)
	}
	if s.err != nil {
		out = append(out, "", th.ErrBox.Render("⚠ "+text.Err(s.err)), th.Dim.Render("Press r to retry."))
	}
	s.lines, s.height = len(out), h
	s.scroll = min(s.scroll, max(len(out)-h, 0))
	return strings.Join(out[s.scroll:], "\n")
}

// linodeDisks lists a Linode backup's configs (through field) and returns
// the lines of its disk table.
func linodeDisks(th theme.Theme, b model.Backup, w int, field func(name, value string)) []string {
	if len(b.Configs) == 0 {
		field("Configs", th.Dim.Render("none"))
	}
	for i, c := range b.Configs {
		name := ""
		if i == 0 {
			name = "Configs"
		}
		field(name, c)
	}
	out := []string{"", th.Label.Render(fmt.Sprintf("Disks (%d)", len(b.Disks)))}
	if len(b.Disks) == 0 {
		return append(out, th.Dim.Render("  none recorded"))
	}
	lw := max(w-2-12-10-2, 10)
	out = append(out, th.Header.Render("  "+text.Fit("LABEL", lw)+" "+text.Fit("FILESYSTEM", 12)+" "+text.Fit("SIZE", 10)))
	for _, d := range b.Disks {
		out = append(out, "  "+text.Fit(d.Label, lw)+" "+text.Fit(d.Filesystem, 12)+" "+text.Fit(format.SizeMB(d.SizeMB), 10))
	}
	return out
}
