package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/input"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/table"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// pageMsg answers one page of the resource listing of generation gen.
type pageMsg struct {
	gen  int
	page int
	res  client.ResourcePage
	err  error
}

// summaryMsg answers a resource's backup list read for its snapshot column.
type summaryMsg struct {
	gen     int
	id      string
	backups []model.Backup
	err     error
}

// instancesScreen is the fleet: every resource of the account.
type instancesScreen struct {
	plural string             // "Instances", "Addons"…
	pages  [][]model.Resource // by page number - 1; nil while not yet read
	all    []model.Resource   // pages concatenated in order
	hay    []string           // each row's SearchText, computed once per load
	shown  []int              // indexes into all that pass the filter, found so far
	tbl    table.Table

	scanned   int // rows of all the filter has looked at
	filterGen int // bumped by every new query, to drop stale filter steps

	gen      int // listing generation; a refresh starts a new one
	pending  int // pages of this generation still in flight
	total    int
	loaded   bool // page 1 of some generation arrived
	err      error
	ctx      context.Context
	cancel   context.CancelFunc
	filter   input.Model
	query    string
	typing   bool
	snaps    map[string]model.SnapshotState
	snapGen  map[string]int // the listing generation each summary belongs to
	snapErr  map[string]bool
	inflight map[string]bool
	scan     *scan // the fleet-wide backup scan, while it runs
}

func newInstances(a *App) *instancesScreen {
	ti := input.New()
	ti.Prompt = "/"
	ti.Placeholder = "label, region or tag"
	cols := []table.Column{
		{Title: "LABEL", Min: 16, Max: 64},
		{Title: a.info.GroupTitle, Width: 12, Priority: 6},
		{Title: "STATUS", Width: 12, Priority: 5},
		{Title: "PLAN", Width: 15, Priority: 1},
		{Title: "BACKUPS", Width: 7, Priority: 4},
		{Title: "LAST GOOD", Width: 9, Priority: 7},
		{Title: "SNAPSHOT", Width: 11, Priority: 3},
	}
	if !a.info.Caps.Has(model.CapEnableBackups) {
		// Backups are always on where there is no service to turn on.
		cols = slices.DeleteFunc(cols, func(c table.Column) bool { return c.Title == "BACKUPS" })
	}
	s := &instancesScreen{
		plural:   a.info.Plural,
		tbl:      table.New(cols...),
		filter:   ti,
		snaps:    map[string]model.SnapshotState{},
		snapGen:  map[string]int{},
		snapErr:  map[string]bool{},
		inflight: map[string]bool{},
	}
	return s
}

func (s *instancesScreen) title() string {
	n := len(s.all)
	if s.query != "" {
		more := ""
		if !s.filtered() {
			more = "+"
		}
		return fmt.Sprintf("%s %d%s/%d", s.plural, len(s.shown), more, n)
	}
	if s.total > n {
		return fmt.Sprintf("%s %d of %d", s.plural, n, s.total)
	}
	return fmt.Sprintf("%s %d", s.plural, n)
}

func (s *instancesScreen) busy() bool {
	return s.pending > 0 || len(s.inflight) > 0 || s.scan != nil
}
func (s *instancesScreen) capturing() bool { return s.typing }
func (s *instancesScreen) close() {
	if s.cancel != nil {
		s.cancel()
	}
	if s.scan != nil {
		s.scan.cancel()
	}
}

// start begins a new listing generation: page 1, then the rest at once.
func (s *instancesScreen) start(a *App) tea.Cmd {
	s.close()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.gen++
	s.err = nil
	s.pending = 1
	if p := a.opts.Preloaded; p != nil {
		a.opts.Preloaded = nil
		return s.onPage(a, pageMsg{gen: s.gen, page: 1, res: *p})
	}
	return s.fetchPage(a, 1)
}

func (s *instancesScreen) fetchPage(a *App, page int) tea.Cmd {
	gen, p := s.gen, a.opts.Provider
	return a.call(s.ctx, func(ctx context.Context) tea.Msg {
		res, err := p.ListResources(ctx, page, client.Filter{})
		return pageMsg{gen: gen, page: page, res: res, err: err}
	})
}

func (s *instancesScreen) onPage(a *App, m pageMsg) tea.Cmd {
	if m.gen != s.gen {
		return nil
	}
	if s.pending > 0 {
		s.pending--
	}
	if m.err != nil {
		if !s.loaded && client.KindOf(m.err) == client.ErrAuth {
			a.fatal = m.err
			return a.quit()
		}
		if s.err == nil {
			s.err = m.err
		}
		if s.loaded {
			a.announce("⚠ refresh failed: " + text.Err(m.err) + " — r to retry")
		}
		return nil
	}
	var cmds []tea.Cmd
	if m.page == 1 {
		pages := max(m.res.Pages, 1)
		// Keep rows of the last generation on screen until their page is
		// read again, so a refresh never blanks the list.
		if len(s.pages) > pages {
			s.pages = s.pages[:pages]
		}
		for len(s.pages) < pages {
			s.pages = append(s.pages, nil)
		}
		s.total = m.res.Total
		for p := 2; p <= pages; p++ {
			s.pending++
			cmds = append(cmds, s.fetchPage(a, p))
		}
		s.loaded = true
	}
	if m.page-1 < len(s.pages) {
		s.pages[m.page-1] = m.res.Items
	}
	s.rebuild()
	if s.pending == 0 && s.err == nil {
		a.announce(fmt.Sprintf("Loaded %d %s", len(s.all), strings.ToLower(s.plural)))
	}
	cmds = append(cmds, s.wantSummaries(a))
	return tea.Batch(cmds...)
}

// rebuild concatenates the pages and reapplies the filter, keeping the
// cursor on the same resource when it is still there.
func (s *instancesScreen) rebuild() {
	keep := ""
	if r, ok := s.current(); ok {
		keep = r.ID
	}
	n := 0
	for _, p := range s.pages {
		n += len(p)
	}
	all := make([]model.Resource, 0, n)
	for _, p := range s.pages {
		all = append(all, p...)
	}
	s.all = all
	s.hay = make([]string, len(all))
	for i := range all {
		s.hay[i] = all[i].SearchText()
	}
	s.applyFilter(keep)
}

// applyFilter re-runs the filter over every row, keeping the cursor on the
// resource keep when it still passes. Used when rows change, not per key.
func (s *instancesScreen) applyFilter(keep string) {
	s.resetFilter()
	s.ensure(len(s.all), len(s.all))
	for i, idx := range s.shown {
		if s.all[idx].ID == keep {
			s.tbl.MoveTo(i)
		}
	}
}

func (s *instancesScreen) resetFilter() {
	s.filterGen++
	s.shown = s.shown[:0]
	s.scanned = 0
	s.tbl.SetRows(0)
}

// filtered reports whether every row has been looked at.
func (s *instancesScreen) filtered() bool { return s.scanned >= len(s.all) }

// ensure scans on until want rows pass the filter, looking at no more than
// budget rows: a keystroke filters only what the screen needs, and filter
// steps finish the rest in the background.
func (s *instancesScreen) ensure(want, budget int) {
	q := model.NormalizeQuery(s.query)
	end := min(len(s.all), s.scanned+budget)
	for s.scanned < end && len(s.shown) < want {
		if q == "" || strings.Contains(s.hay[s.scanned], q) {
			s.shown = append(s.shown, s.scanned)
		}
		s.scanned++
	}
	s.tbl.SetRows(len(s.shown))
}

// filterStepMsg asks for the next slice of a filter still being applied.
type filterStepMsg struct{ gen int }

// filterChunk is how many rows one step looks at: well under a millisecond.
const filterChunk = 16384

func (s *instancesScreen) filterStep() tea.Cmd {
	if s.filtered() {
		return nil
	}
	gen := s.filterGen
	return func() tea.Msg { return filterStepMsg{gen: gen} }
}

// onQuery applies a changed query lazily, starting from the top.
func (s *instancesScreen) onQuery(a *App) tea.Cmd {
	s.resetFilter()
	s.tbl.MoveTo(0)
	s.ensure(s.tableHeight(a.bodyHeight()), filterChunk)
	return s.filterStep()
}

func (s *instancesScreen) current() (model.Resource, bool) {
	if s.tbl.Cursor() < 0 || s.tbl.Cursor() >= len(s.shown) {
		return model.Resource{}, false
	}
	return s.all[s.shown[s.tbl.Cursor()]], true
}

// maxSummaries bounds the backup reads made for the snapshot column.
const maxSummaries = 4

// wantSummaries reads the backups of the rows on screen whose snapshot state
// is unknown or from an older generation: cost follows what is visible, not
// the size of the fleet.
func (s *instancesScreen) wantSummaries(a *App) tea.Cmd {
	s.tbl.SetHeight(s.tableHeight(a.bodyHeight()))
	s.ensure(s.tbl.Offset()+s.tbl.Height(), filterChunk)
	var cmds []tea.Cmd
	from, to := s.tbl.Visible()
	for i := from; i < to && len(s.inflight) < maxSummaries; i++ {
		r := s.all[s.shown[i]]
		if !r.BackupsEnabled || s.inflight[r.ID] || s.snapGen[r.ID] == s.gen {
			continue
		}
		s.inflight[r.ID] = true
		gen, id, p := s.gen, r.ID, a.opts.Provider
		cmds = append(cmds, a.call(s.ctx, func(ctx context.Context) tea.Msg {
			b, err := p.ListBackups(ctx, id)
			return summaryMsg{gen: gen, id: id, backups: b, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

func (s *instancesScreen) onSummary(a *App, m summaryMsg) tea.Cmd {
	if m.gen != s.gen {
		delete(s.inflight, m.id)
		return s.wantSummaries(a)
	}
	delete(s.inflight, m.id)
	s.store(m.id, m.backups, m.err)
	return s.wantSummaries(a)
}

// replace swaps in a re-read resource wherever it is loaded.
func (s *instancesScreen) replace(r model.Resource) {
	for _, p := range s.pages {
		for i := range p {
			if p[i].ID == r.ID {
				p[i] = r
			}
		}
	}
	for i := range s.all {
		if s.all[i].ID == r.ID {
			s.all[i] = r
		}
	}
}

// remember stores a fresh backup list read elsewhere (the backups screen).
func (s *instancesScreen) remember(id string, backups []model.Backup) {
	s.store(id, backups, nil)
}

// store keeps the outcome of reading a resource's backups for the snapshot
// column, as of the current listing generation. A failed read keeps the
// last good summary and marks the row.
func (s *instancesScreen) store(id string, backups []model.Backup, err error) {
	s.snapGen[id] = s.gen
	if err != nil {
		s.snapErr[id] = true
		return
	}
	delete(s.snapErr, id)
	s.snaps[id] = model.Summarise(backups)
}

func (s *instancesScreen) update(a *App, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case pageMsg:
		return s.onPage(a, m)
	case summaryMsg:
		return s.onSummary(a, m)
	case scanMsg:
		return s.onScan(a, m)
	case filterStepMsg:
		if m.gen != s.filterGen {
			return nil
		}
		s.ensure(len(s.all), filterChunk)
		return s.filterStep()
	case tea.KeyPressMsg:
		if s.typing {
			return s.updateFilter(a, m)
		}
		return s.updateKeys(a, m)
	}
	return nil
}

func (s *instancesScreen) updateFilter(a *App, m tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(m, a.keys.ClearFilter):
		s.typing = false
		s.filter.Blur()
		s.filter.SetValue("")
		s.query = ""
		s.applyFilter(s.keepID())
		return s.wantSummaries(a)
	case key.Matches(m, a.keys.Apply):
		s.typing = false
		s.filter.Blur()
		return nil
	case key.Matches(m, a.keys.Up, a.keys.Down) && m.Text == "":
		// Arrows move the selection while the filter stays open.
		return s.updateKeys(a, m)
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(m)
	var step tea.Cmd
	if v := s.filter.Value(); v != s.query {
		s.query = v
		step = s.onQuery(a)
	}
	return tea.Batch(cmd, step, s.wantSummaries(a))
}

func (s *instancesScreen) keepID() string {
	if r, ok := s.current(); ok {
		return r.ID
	}
	return ""
}

func (s *instancesScreen) updateKeys(a *App, m tea.KeyPressMsg) tea.Cmd {
	k := a.keys
	switch {
	case key.Matches(m, k.Up):
		s.tbl.Move(-1)
	case key.Matches(m, k.Down):
		s.ensure(s.tbl.Cursor()+2, len(s.all))
		s.tbl.Move(1)
	case key.Matches(m, k.PageUp):
		s.tbl.Move(-s.tbl.Height())
	case key.Matches(m, k.PageDown):
		s.ensure(s.tbl.Cursor()+s.tbl.Height()+1, len(s.all))
		s.tbl.Move(s.tbl.Height())
	case key.Matches(m, k.Top):
		s.tbl.MoveTo(0)
	case key.Matches(m, k.Bottom):
		s.ensure(len(s.all), len(s.all))
		s.tbl.MoveTo(len(s.shown) - 1)
	case key.Matches(m, k.Filter):
		s.typing = true
		return s.filter.Focus()
	case key.Matches(m, k.ClearFilter):
		if s.query != "" {
			s.filter.SetValue("")
			s.query = ""
			s.applyFilter(s.keepID())
		}
	case key.Matches(m, k.Refresh):
		s.stopScan(a)
		return s.start(a)
	case key.Matches(m, k.Scan):
		return s.toggleScan(a)
	case key.Matches(m, k.Open):
		r, ok := s.current()
		if !ok {
			return nil
		}
		b := newBackups(a, r)
		return a.push(b, b.load(a))
	case key.Matches(m, k.Snapshot, k.Enable, k.Cancel, k.Schedule, k.History):
		r, ok := s.current()
		if !ok {
			return nil
		}
		return a.resourceAction(m, r, nil)
	}
	return s.wantSummaries(a)
}

func (s *instancesScreen) keys(a *App) keymap.Help {
	k := a.keys
	if s.typing {
		return keymap.Help{
			Short: []key.Binding{k.Apply, k.ClearFilter, k.Up, k.Down, k.ForceQuit},
			Full:  [][]key.Binding{{k.Apply, k.ClearFilter, k.Up, k.Down}},
		}
	}
	nav := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
	act := []key.Binding{k.Open, k.Filter, k.Refresh, k.Scan}
	short := []key.Binding{k.Open, k.Filter, k.Refresh}
	if s.query != "" {
		short = append(short, k.ClearFilter)
		act = append(act, k.ClearFilter)
	}
	short = append(short, k.Help, k.Quit)
	full := [][]key.Binding{nav, act}
	if acts := a.resourceKeys(); len(acts) > 0 {
		short = append([]key.Binding{k.Open, acts[0]}, short[1:]...)
		full = append(full, acts)
	}
	return keymap.Help{Short: short, Full: full}
}

// tableHeight is the rows of table body in a body of h lines: less the
// column header and, when a filter is set, its line.
func (s *instancesScreen) tableHeight(h int) int {
	if s.typing || s.query != "" {
		h--
	}
	return h - 1
}

func (s *instancesScreen) view(a *App, w, h int) string {
	var b strings.Builder
	if s.typing || s.query != "" {
		s.filter.SetWidth(w - 2)
		b.WriteString(a.th.Filter.Render(text.Fit(s.filter.View(), w)))
		b.WriteByte('\n')
	}
	switch {
	case !s.loaded && s.err != nil:
		b.WriteString(a.errorView(strings.ToLower(s.plural), s.err, w))
		return b.String()
	case !s.loaded:
		b.WriteString(a.spin.View() + " Loading instances…")
		return b.String()
	case len(s.all) == 0:
		b.WriteString(a.th.Dim.Render("No " + strings.ToLower(s.plural) + " in this account."))
		return b.String()
	case len(s.shown) == 0 && !s.filtered():
		b.WriteString(a.spin.View() + fmt.Sprintf(" Filtering… %d of %d rows looked at", s.scanned, len(s.all)))
		return b.String()
	case len(s.shown) == 0:
		b.WriteString(a.th.Dim.Render(fmt.Sprintf("No instance matches %q — esc clears the filter.", text.User(s.query))))
		return b.String()
	}
	s.tbl.SetHeight(s.tableHeight(h))
	now := a.opts.Now()
	b.WriteString(s.tbl.Render(a.th, w, func(i int) map[string]table.Cell {
		return s.row(a, now, s.all[s.shown[i]])
	}))
	return b.String()
}

func (s *instancesScreen) row(a *App, now time.Time, r model.Resource) map[string]table.Cell {
	th := &a.th
	backups := table.Cell{Text: "off", Style: &th.Dim}
	if r.BackupsEnabled {
		backups = table.Cell{Text: "on"}
	}
	last := table.Cell{Text: format.Age(now, r.LastSuccessful)}
	if r.BackupStale(now) {
		last.Style = &th.Bad
	}
	status := table.Cell{Text: r.Status}
	if r.Status != "running" {
		status.Style = &th.Warn
	}
	return map[string]table.Cell{
		"LABEL":           {Text: r.Label},
		a.info.GroupTitle: {Text: r.Region},
		"STATUS":          status,
		"PLAN":            {Text: r.Plan},
		"BACKUPS":         backups,
		"LAST GOOD":       last,
		"SNAPSHOT":        s.snapCell(a, now, r),
	}
}

func (s *instancesScreen) snapCell(a *App, now time.Time, r model.Resource) table.Cell {
	th := &a.th
	if !r.BackupsEnabled {
		return table.Cell{Text: "—", Style: &th.Dim}
	}
	if s.snapErr[r.ID] {
		return table.Cell{Text: "? error", Style: &th.Bad}
	}
	if j := a.jobFor(r.ID); j != nil {
		return table.Cell{Text: fmt.Sprintf("● %s %d%%", orPending(j.status), j.percent), Style: &th.Warn}
	}
	st, ok := s.snaps[r.ID]
	switch {
	case !ok:
		return table.Cell{Text: "…", Style: &th.Dim}
	case st.InProgress != nil:
		return table.Cell{Text: theme.StatusText(st.InProgress.Status, st.InProgress.RawStatus), Style: &th.Warn}
	case st.Current != nil:
		c := st.Current
		if c.Status != model.StatusSuccessful {
			return table.Cell{Text: theme.StatusText(c.Status, c.RawStatus), Style: &th.Warn}
		}
		return table.Cell{Text: "✓ " + format.Age(now, c.Created), Style: &th.Good}
	}
	return table.Cell{Text: "none", Style: &th.Dim}
}

func orPending(s string) string {
	if s == "" {
		return "pending"
	}
	return s
}
