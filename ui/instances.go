package ui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/input"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/table"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// instancesScreen is the fleet: every resource of the account.
// It reads the rows from the account's store, and keeps only what is its
// own: the filter and the table's cursor.
type instancesScreen struct {
	st     *store.Store
	seen   int            // the store's Version the rows below were built from
	plural string         // "Instances", "Addons"…
	hay    []string       // each row's SearchText, computed once per load
	index  map[string]int // each row's index by ID, built when first needed after a load
	shown  []int          // indexes into the rows that pass the filter, found so far
	tbl    table.Table

	scanned   int // rows of all the filter has looked at
	filterGen int // bumped by every new query, to drop stale filter steps

	filter input.Model
	query  string
	typing bool
	// only, when set, keeps the rows it passes: `v`, the policy
	// violations (env.mayViolate).
	only func(model.Resource) bool
}

func newInstances(e *env) *instancesScreen {
	ti := input.New()
	ti.Prompt = "/"
	ti.Placeholder = "label, region or tag"
	cols := []table.Column{
		{Title: "LABEL", Min: 16, Max: 64},
		{Title: e.info.GroupTitle, Width: 12, Priority: 6},
		{Title: "STATUS", Width: 12, Priority: 5},
		{Title: "PLAN", Width: 15, Priority: 1},
		{Title: "BACKUPS", Width: 7, Priority: 4},
		{Title: "LAST GOOD", Width: 9, Priority: 7},
		// Narrow, POLICY gives way before SNAPSHOT: LAST GOOD's ⚠ already
		// follows the rule's max_age, and v still lists the violations.
		{Title: "POLICY", Width: 8, Priority: 2},
		{Title: "TAGS", Width: 12, Priority: 0},
		// Fewer days rather than none while 7 fit; dropped first after TAGS.
		{Title: "HISTORY", Width: 7, Priority: 0, KeepEnd: true},
		{Title: "SNAPSHOT", Width: 11, Priority: 3},
	}
	if !e.info.Caps.Has(model.CapEnableBackups) {
		// Backups are always on where there is no service to turn on.
		cols = slices.DeleteFunc(cols, func(c table.Column) bool { return c.Title == "BACKUPS" })
	}
	return &instancesScreen{st: e.store, plural: e.info.Plural, tbl: table.New(cols...), filter: ti}
}

// rows are the account's resources, in list order.
func (s *instancesScreen) rows() []model.Resource { return s.st.Resources() }

func (s *instancesScreen) title() string {
	t := s.count()
	if p := s.tbl.Position(); p != "" {
		t += " · " + p
	}
	return t
}

// count is the plural and how many rows there are (and pass the filter).
func (s *instancesScreen) count() string {
	n := len(s.rows())
	if s.query != "" || s.only != nil {
		more := ""
		if !s.filtered() {
			more = "+"
		}
		what := s.plural
		if s.only != nil {
			what += " violating"
		}
		return fmt.Sprintf("%s %d%s/%d", what, len(s.shown), more, n)
	}
	if s.st.Total() > n {
		return fmt.Sprintf("%s %d of %d", s.plural, n, s.st.Total())
	}
	return fmt.Sprintf("%s %d", s.plural, n)
}

// The list has nothing in flight of its own: the account's reads are the
// root's (App.anyBusy), and end with it.
func (s *instancesScreen) busy() bool      { return false }
func (s *instancesScreen) capturing() bool { return s.typing }
func (s *instancesScreen) close()          {}

// onListed rebuilds the rows when the store's listing changed, and reads
// the backups of the rows now on screen.
func (s *instancesScreen) onListed(e *env) tea.Cmd {
	if s.st.Version() == s.seen {
		return nil
	}
	s.rebuild()
	return s.wantSummaries(e)
}

// rebuild takes the store's rows and reapplies the filter, keeping the
// cursor on the same resource when it is still there.
func (s *instancesScreen) rebuild() {
	keep := ""
	if r, ok := s.current(); ok {
		keep = r.ID
	}
	s.seen = s.st.Version()
	s.index = nil
	all := s.rows()
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
	s.ensure(len(s.rows()), len(s.rows()))
	for i, idx := range s.shown {
		if s.rows()[idx].ID == keep {
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
func (s *instancesScreen) filtered() bool { return s.scanned >= len(s.rows()) }

// ensure scans on until want rows pass the filter, looking at no more than
// budget rows: a keystroke filters only what the screen needs, and filter
// steps finish the rest in the background.
func (s *instancesScreen) ensure(want, budget int) {
	q := model.NormalizeQuery(s.query)
	end := min(len(s.rows()), s.scanned+budget)
	for s.scanned < end && len(s.shown) < want {
		if s.passes(s.scanned, q) {
			s.shown = append(s.shown, s.scanned)
		}
		s.scanned++
	}
	s.tbl.SetRows(len(s.shown))
}

// passes reports whether row i passes the filter: the query q (normalized)
// and `v`.
func (s *instancesScreen) passes(i int, q string) bool {
	return (q == "" || strings.Contains(s.hay[i], q)) && (s.only == nil || s.only(s.rows()[i]))
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
func (s *instancesScreen) onQuery(e *env) tea.Cmd {
	s.resetFilter()
	s.tbl.MoveTo(0)
	s.ensure(s.tableHeight(e.root.bodyHeight()), filterChunk)
	return s.filterStep()
}

// refilter looks again at the one row with id, whose verdict or text may
// have changed (its backups read by the list or the scan, the resource
// re-read): it joins or leaves the rows shown, the cursor staying on its
// resource. A row the filter has not reached yet waits for it. It costs a
// lookup and a move of the shown indexes, not a pass over the fleet.
func (s *instancesScreen) refilter(id string) {
	if s.st.Version() != s.seen {
		return // the rows changed: the rebuild to come filters them all
	}
	if s.index == nil {
		s.index = make(map[string]int, len(s.rows()))
		for i, r := range s.rows() {
			s.index[r.ID] = i
		}
	}
	i, ok := s.index[id]
	if !ok || i >= len(s.rows()) || i >= len(s.hay) {
		return
	}
	s.hay[i] = s.rows()[i].SearchText()
	if s.query == "" && s.only == nil || i >= s.scanned {
		return
	}
	at, shown := slices.BinarySearch(s.shown, i)
	switch pass := s.passes(i, model.NormalizeQuery(s.query)); {
	case pass && !shown:
		s.shown = slices.Insert(s.shown, at, i)
		s.tbl.Inserted(at)
	case !pass && shown:
		s.shown = slices.Delete(s.shown, at, at+1)
		s.tbl.Removed(at)
	}
}

func (s *instancesScreen) current() (model.Resource, bool) {
	if s.tbl.Cursor() < 0 || s.tbl.Cursor() >= len(s.shown) {
		return model.Resource{}, false
	}
	return s.rows()[s.shown[s.tbl.Cursor()]], true
}

// wantSummaries reads the backups of the rows on screen whose snapshot state
// is unknown or from an older generation: cost follows what is visible, not
// the size of the fleet.
func (s *instancesScreen) wantSummaries(e *env) tea.Cmd {
	s.tbl.SetHeight(s.tableHeight(e.root.bodyHeight()))
	s.ensure(s.tbl.Offset()+s.tbl.Height(), filterChunk)
	return e.acct.readSummaries(s.onScreen())
}

// onScreen are the rows on screen.
func (s *instancesScreen) onScreen() []model.Resource {
	from, to := s.tbl.Visible()
	all := s.rows()
	var out []model.Resource
	for i := from; i < to && i < len(s.shown); i++ {
		out = append(out, all[s.shown[i]])
	}
	return out
}

func (s *instancesScreen) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case listedMsg:
		return s.onListed(e)
	case summaryMsg: // stored by the root; more rows may want reading
		s.refilter(m.id) // its verdict may have changed: a row now known to pass leaves `v`
		return s.wantSummaries(e)
	case scanMsg: // stored by the root
		s.refilter(m.id)
		return nil
	case backupsReadMsg:
		s.refilter(m.id)
		return nil
	case lastGoodMsg:
		s.refilter(m.id)
		return nil
	case resourceMsg:
		s.refilter(m.r.ID)
		return nil
	case tea.WindowSizeMsg, resumeMsg: // more rows may be on screen now
		if s.st.Loaded() {
			return s.wantSummaries(e)
		}
		return nil
	case filterStepMsg:
		if m.gen != s.filterGen {
			return nil
		}
		s.ensure(len(s.rows()), filterChunk)
		return s.filterStep()
	case tea.KeyPressMsg:
		if s.typing {
			return s.updateFilter(e, m)
		}
		return s.updateKeys(e, m)
	}
	return nil
}

func (s *instancesScreen) updateFilter(e *env, m tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(m, e.keys.ClearFilter):
		s.typing = false
		s.filter.Blur()
		s.filter.SetValue("")
		s.query = ""
		s.applyFilter(s.keepID())
		return s.wantSummaries(e)
	case key.Matches(m, e.keys.Apply):
		s.typing = false
		s.filter.Blur()
		return nil
	case key.Matches(m, e.keys.ArrowUp, e.keys.ArrowDown):
		// Arrows move the selection while the filter stays open.
		return s.updateKeys(e, m)
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(m)
	var step tea.Cmd
	if v := s.filter.Value(); v != s.query {
		s.query = v
		step = s.onQuery(e)
	}
	return tea.Batch(cmd, step, s.wantSummaries(e))
}

func (s *instancesScreen) keepID() string {
	if r, ok := s.current(); ok {
		return r.ID
	}
	return ""
}

func (s *instancesScreen) updateKeys(e *env, m tea.KeyPressMsg) tea.Cmd {
	k := e.keys
	switch {
	case key.Matches(m, k.Up):
		s.tbl.Move(-1)
	case key.Matches(m, k.Down):
		s.ensure(s.tbl.Cursor()+2, len(s.rows()))
		s.tbl.Move(1)
	case key.Matches(m, k.PageUp):
		s.tbl.Move(-s.tbl.Height())
	case key.Matches(m, k.PageDown):
		s.ensure(s.tbl.Cursor()+s.tbl.Height()+1, len(s.rows()))
		s.tbl.Move(s.tbl.Height())
	case key.Matches(m, k.Top):
		s.tbl.MoveTo(0)
	case key.Matches(m, k.Bottom):
		s.ensure(len(s.rows()), len(s.rows()))
		s.tbl.MoveTo(len(s.shown) - 1)
	case key.Matches(m, k.Filter):
		s.typing = true
		return s.filter.Focus()
	case key.Matches(m, k.ClearFilter): // the `/` filter first, then `v`
		switch {
		case s.query != "":
			s.filter.SetValue("")
			s.query = ""
			s.applyFilter(s.keepID())
		case s.only != nil:
			s.only = nil
			s.applyFilter(s.keepID())
		}
	case key.Matches(m, k.Violations):
		if s.only == nil {
			s.only = e.mayViolate
		} else {
			s.only = nil
		}
		s.applyFilter(s.keepID())
	case key.Matches(m, k.Refresh):
		e.acct.stopScan()
		return e.root.loadList()
	case key.Matches(m, k.Scan):
		return e.acct.toggleScan(s.onScreen())
	case key.Matches(m, k.Open):
		r, ok := s.current()
		if !ok {
			return nil
		}
		b := newBackups(e, r)
		return e.root.push(b, b.load(e))
	case key.Matches(m, k.Snapshot, k.Enable, k.Cancel, k.Schedule, k.History):
		r, ok := s.current()
		if !ok {
			return nil
		}
		return e.resourceAction(m, r, nil)
	}
	return s.wantSummaries(e)
}

func (s *instancesScreen) keys(e *env) keymap.Help {
	k := e.keys
	if s.typing {
		return keymap.Help{
			Short: []key.Binding{k.Apply, k.ClearFilter, k.ArrowUp, k.ArrowDown, k.ForceQuit},
			Full:  [][]key.Binding{{k.Apply, k.ClearFilter, k.ArrowUp, k.ArrowDown}},
		}
	}
	nav := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
	viol := k.Violations
	if s.only != nil { // v says what it does now: show every row again
		viol = keymap.WithHelp(viol, "v", "all rows")
	}
	act := []key.Binding{k.Open, k.Filter, viol, k.Refresh, k.Scan}
	short := []key.Binding{k.Open, k.Filter, viol, k.Refresh}
	switch {
	case s.query != "":
		short = append(short, k.ClearFilter)
		act = append(act, k.ClearFilter)
	case s.only != nil: // in the help only: the footer has v for it
		act = append(act, keymap.WithHelp(k.ClearFilter, "esc", "all rows"))
	}
	short = append(short, k.Help, k.Quit)
	full := [][]key.Binding{nav, act}
	if acts := e.resourceKeys(); len(acts) > 0 {
		short = append([]key.Binding{k.Open, acts[0]}, short[1:]...)
		full = append(full, acts)
	}
	return keymap.Help{Short: short, Full: full}
}

// notes are the help's legends of the POLICY and HISTORY columns, built
// when the help opens (keys is called every frame for the footer).
func (s *instancesScreen) notes(e *env) []keymap.Note {
	return []keymap.Note{e.policyLegend(),
		{Title: "HISTORY", Items: append(theme.HistoryItems(), "(a cell per UTC day, today right)")}}
}

// tableHeight is the rows of table body in a body of h lines: less the
// column header and, when a filter is set, its line.
func (s *instancesScreen) tableHeight(h int) int {
	if s.typing || s.query != "" {
		h--
	}
	return h - 1
}

func (s *instancesScreen) view(e *env, w, h int) string {
	var b strings.Builder
	if s.typing || s.query != "" {
		s.filter.SetWidth(w - 2)
		b.WriteString(e.th.Filter.Render(text.Fit(s.filter.View(), w)))
		b.WriteByte('\n')
	}
	switch {
	case !s.st.Loaded() && s.st.Err() != nil:
		b.WriteString(e.errorView(strings.ToLower(s.plural), s.st.Err(), w))
		return b.String()
	case !s.st.Loaded():
		b.WriteString(e.root.spinView() + " Loading instances…")
		return b.String()
	case len(s.rows()) == 0:
		b.WriteString(e.th.Dim.Render("No " + strings.ToLower(s.plural) + " in this account."))
		return b.String()
	case len(s.shown) == 0 && !s.filtered():
		b.WriteString(e.root.spinView() + fmt.Sprintf(" Filtering… %d of %d rows looked at", s.scanned, len(s.rows())))
		return b.String()
	case len(s.shown) == 0 && s.only != nil && s.query == "":
		b.WriteString(e.th.Good.Render("✓ No policy violations — v shows every row."))
		return b.String()
	case len(s.shown) == 0:
		b.WriteString(e.th.Dim.Render(fmt.Sprintf("No instance matches %q — esc clears the filter.", text.User(s.query))))
		return b.String()
	}
	s.tbl.SetHeight(s.tableHeight(h))
	now := e.now()
	b.WriteString(s.tbl.Render(e.th, w, func(i int) map[string]table.Cell {
		return s.row(e, now, s.rows()[s.shown[i]])
	}))
	return b.String()
}

func (s *instancesScreen) row(e *env, now time.Time, r model.Resource) map[string]table.Cell {
	th := &e.th
	backups := table.Cell{Text: "off", Style: &th.Dim}
	if r.BackupsEnabled {
		backups = table.Cell{Text: "on"}
	}
	verdict := e.verdict(r, now)
	stale := ageViolation(verdict)
	last := table.Cell{Text: theme.AgeText(format.Age(now, r.LastSuccessful), stale)}
	switch {
	case stale:
		last.Style = &th.Bad
	case r.LastSuccessful.IsZero(): // never, and the rule allows it (exempt, or backups not required): no ✓
		last = table.Cell{Text: "  " + format.Age(now, r.LastSuccessful), Style: &th.Dim}
	}
	status := table.Cell{Text: r.Status}
	if r.Status != "running" {
		status.Style = &th.Warn
	}
	return map[string]table.Cell{
		"LABEL":           {Text: r.Label},
		e.info.GroupTitle: {Text: r.Region},
		"STATUS":          status,
		"PLAN":            {Text: r.Plan},
		"BACKUPS":         backups,
		"LAST GOOD":       last,
		"SNAPSHOT":        s.snapCell(e, now, r),
		"TAGS":            {Text: strings.Join(r.Tags, ","), Style: &th.Dim},
		"HISTORY":         s.historyCell(e, r),
		"POLICY":          e.policyCell(verdict),
	}
}

// historyCell is the resource's last model.HistoryDays days, newest on the
// right, from the backups read for the snapshot column or the scan: no
// read of its own. Unknown days show as such until then.
func (s *instancesScreen) historyCell(e *env, r model.Resource) table.Cell {
	th := &e.th
	if !r.BackupsEnabled && !s.st.HistoryKnown(r.ID) {
		return table.Cell{Text: "—", Style: &th.Dim}
	}
	h := s.st.History(r.ID, model.HistoryDays)
	good, failed := model.HistoryScore(h)
	style := &th.Dim
	switch {
	case failed > 0:
		style = &th.Bad
	case good > 0:
		style = &th.Good
	}
	return table.Cell{Text: theme.HistoryText(h), Style: style}
}

func (s *instancesScreen) snapCell(e *env, now time.Time, r model.Resource) table.Cell {
	th := &e.th
	if !r.BackupsEnabled {
		return table.Cell{Text: "—", Style: &th.Dim}
	}
	if s.st.Unreadable(r.ID) {
		return table.Cell{Text: "? error", Style: &th.Bad}
	}
	if j := e.store.JobFor(r.ID); j != nil {
		return table.Cell{Text: fmt.Sprintf("● %s %d%%", orPending(j.Status), j.Percent), Style: &th.Warn}
	}
	st, ok := s.st.Snapshot(r.ID)
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
