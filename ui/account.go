package ui

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/text"
)

// account reads an account's data into its store: the resource listing,
// the backup reads behind the snapshot column, and the fleet-wide scan.
// The root owns it; screens ask it for reads and read the store.
type account struct {
	st        *store.Store
	p         client.Provider
	plural    string // "Instances", "Addons"…
	call      func(ctx context.Context, fn func(ctx context.Context) tea.Msg) tea.Cmd
	request   func(ctx context.Context, fn func(ctx context.Context) tea.Msg) tea.Msg // call's work, run now
	announce  func(string)
	preloaded *client.ResourcePage
	ctx       context.Context // the listing's, ended by a refresh
	cancel    context.CancelFunc
	feed      chan pageMsg // the listing's pages, as its loader reads them
	scan      *scan        // the fleet-wide backup scan, while it runs
	// violations counts the resources known to break the backup policy,
	// for the scan's report.
	violations func() int
}

// pageMsg answers one page of the resource listing of generation gen, or,
// with err, ends it: the loader's first error stopped the pages still out.
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

// busy reports whether the account waits on a read.
func (c *account) busy() bool { return c.st.Busy() || c.scan != nil }

// close ends the listing's requests and the scan's.
func (c *account) close() {
	if c.cancel != nil {
		c.cancel()
	}
	if c.scan != nil {
		c.scan.cancel()
	}
}

// load begins a new listing generation, read by client.LoadPages (page 1,
// then the rest at once) with each request under the App's bound and
// timeout; each page reaches onPage as it arrives. Its requests are
// under base (an explicit refresh marks it, see App.fresh).
func (c *account) load(base context.Context) tea.Cmd {
	c.close()
	ctx, cancel := context.WithCancel(base)
	c.ctx, c.cancel = ctx, cancel
	gen := c.st.Begin()
	first := c.preloaded
	c.preloaded = nil
	if first != nil {
		// Page 1 is drawn now; the loader reads the rest.
		c.onPage(pageMsg{gen: gen, page: 1, res: *first})
		if c.st.Pending() == 0 {
			return nil
		}
	}
	feed := make(chan pageMsg)
	c.feed = feed
	p, request := c.p, c.request
	read := func(ctx context.Context, page int) (res client.ResourcePage, err error) {
		request(ctx, func(ctx context.Context) tea.Msg {
			res, err = p.ListResources(ctx, page, client.Filter{})
			return nil
		})
		return res, err
	}
	run := func() {
		defer close(feed)
		send := func(m pageMsg) {
			select {
			case feed <- m:
			case <-ctx.Done(): // a refresh or quit: nobody reads this generation
			}
		}
		err := client.LoadPages(ctx, read, first, func(page int, res client.ResourcePage) {
			if page > 1 || first == nil {
				send(pageMsg{gen: gen, page: page, res: res})
			}
		})
		if err != nil {
			send(pageMsg{gen: gen, err: err})
		}
	}
	return func() tea.Msg {
		go run()
		return next(feed)
	}
}

// listen waits for the listing's next page.
func (c *account) listen() tea.Cmd {
	feed := c.feed
	return func() tea.Msg { return next(feed) }
}

// next is the next message of a listing's feed; nil once it is closed.
func next(feed chan pageMsg) tea.Msg {
	m, ok := <-feed
	if !ok {
		return nil
	}
	return m
}

// onPage stores a page and waits for the next while pages are still to
// come. fatal is a rejected token on the first listing: nothing a retry can
// fix.
func (c *account) onPage(m pageMsg) (cmd tea.Cmd, fatal error) {
	st := c.st
	if !st.Current(m.gen) {
		return nil, nil
	}
	if m.err != nil {
		st.Ended()
		if !st.Loaded() && client.KindOf(m.err) == client.ErrAuth {
			return nil, m.err
		}
		st.Failed(m.err)
		if st.Loaded() {
			c.announce("⚠ refresh failed: " + text.Err(m.err) + " — r to retry")
		}
		return nil, nil
	}
	st.Answered()
	if m.page == 1 {
		pages := max(m.res.Pages, 1)
		// Rows of the last generation stay on screen until their page is
		// read again, so a refresh never blanks the list.
		st.SetPageCount(pages, m.res.Total)
		st.Asked(pages - 1)
	}
	st.SetPage(m.page, m.res.Items)
	if st.Pending() > 0 {
		return c.listen(), nil
	}
	if st.Err() == nil {
		c.announce(fmt.Sprintf("Loaded %d %s", len(st.Resources()), strings.ToLower(c.plural)))
	}
	return nil, nil
}

// maxSummaries bounds the backup reads made for the snapshot column.
const maxSummaries = 4

// readSummaries reads the backups of rows (those on screen) whose snapshot
// state is unknown or from an older generation: cost follows what is
// visible, not the size of the fleet.
func (c *account) readSummaries(rows []model.Resource) tea.Cmd {
	st := c.st
	var cmds []tea.Cmd
	for _, r := range rows {
		if st.ReadsInFlight() >= maxSummaries {
			break
		}
		if !r.BackupsEnabled || st.Reading(r.ID) || st.Known(r.ID) {
			continue
		}
		st.StartReading(r.ID)
		gen, id, p := st.Gen(), r.ID, c.p
		cmds = append(cmds, c.call(c.ctx, func(ctx context.Context) tea.Msg {
			b, err := p.ListBackups(ctx, id)
			return summaryMsg{gen: gen, id: id, backups: b, err: err}
		}))
	}
	return tea.Batch(cmds...)
}

func (c *account) onSummary(m summaryMsg) {
	c.st.DoneReading(m.id)
	if c.st.Current(m.gen) {
		c.st.Remember(m.id, m.backups, m.err)
	}
}

// --- the fleet scan ----------------------------------------------------------

// scanWorkers is how many backup reads the fleet scan keeps in flight. The
// client's pacer, not this number, keeps the scan inside the rate limit.
const scanWorkers = 8

// scan is a fleet-wide read of every instance's backups, run on request:
// the snapshot column otherwise covers only the rows on screen.
type scan struct {
	queue    []string
	done     int
	total    int
	inflight int
	ctx      context.Context
	cancel   context.CancelFunc
}

// scanMsg answers one read of the scan.
type scanMsg struct {
	scan    *scan
	id      string
	backups []model.Backup
	err     error
}

// toggleScan starts the scan, the rows first (those on screen) then the
// rest in list order; or stops one that is running.
func (c *account) toggleScan(first []model.Resource) tea.Cmd {
	if c.scan != nil {
		c.stopScan()
		return nil
	}
	sc := &scan{}
	sc.ctx, sc.cancel = context.WithCancel(context.Background())
	seen := map[string]bool{}
	add := func(r model.Resource) {
		if r.BackupsEnabled && !seen[r.ID] && !c.st.Known(r.ID) {
			seen[r.ID] = true
			sc.queue = append(sc.queue, r.ID)
		}
	}
	for _, r := range first {
		add(r)
	}
	for _, r := range c.st.Resources() {
		add(r)
	}
	sc.total = len(sc.queue)
	if sc.total == 0 {
		c.announce("Backup scan: every instance's backups are already read — r refreshes")
		return nil
	}
	c.scan = sc
	var cmds []tea.Cmd
	for range scanWorkers {
		cmds = append(cmds, c.scanNext())
	}
	return tea.Batch(cmds...)
}

func (c *account) scanNext() tea.Cmd {
	sc := c.scan
	if sc == nil || len(sc.queue) == 0 {
		return nil
	}
	id := sc.queue[0]
	sc.queue = sc.queue[1:]
	sc.inflight++
	c.st.StartReading(id)
	p := c.p
	return c.call(sc.ctx, func(ctx context.Context) tea.Msg {
		b, err := p.ListBackups(ctx, id)
		return scanMsg{scan: sc, id: id, backups: b, err: err}
	})
}

func (c *account) onScan(m scanMsg) tea.Cmd {
	c.st.DoneReading(m.id)
	m.scan.inflight--
	if m.scan != c.scan {
		return nil // a stopped scan's late reply
	}
	sc := c.scan
	sc.done++
	c.st.Remember(m.id, m.backups, m.err)
	if sc.done == sc.total {
		c.scan = nil
		c.announce(c.scanReport())
		return nil
	}
	return c.scanNext()
}

// stopScan ends a scan; what it read stays on screen.
func (c *account) stopScan() {
	if c.scan == nil {
		return
	}
	c.scan.cancel()
	for _, id := range c.scan.queue {
		c.st.DoneReading(id)
	}
	c.announce(fmt.Sprintf("Backup scan stopped at %d/%d — b resumes", c.scan.done, c.scan.total))
	c.scan = nil
}

// scanProgress is the status-line text of a running scan.
func (c *account) scanProgress() string {
	if c.scan == nil {
		return ""
	}
	return fmt.Sprintf("Scanning backups %d/%d (b stops)", c.scan.done, c.scan.total)
}

// scanReport counts what the scan found that needs an operator's eye.
func (c *account) scanReport() string {
	running, bad, errs := 0, 0, 0
	for _, r := range c.st.Resources() {
		if c.st.Unreadable(r.ID) {
			errs++
		}
		st, ok := c.st.Snapshot(r.ID)
		if !ok {
			continue
		}
		if st.InProgress != nil {
			running++
		}
		if cur := st.Current; cur != nil && (cur.Status == model.StatusFailed || cur.Status == model.StatusAborted) {
			bad++
		}
	}
	policy := ""
	if c.violations != nil {
		switch n := c.violations(); n {
		case 0:
			policy = "none breaks the backup policy; "
		default:
			policy = fmt.Sprintf("%d break the backup policy (v lists them); ", n)
		}
	}
	return fmt.Sprintf("Backup scan done: %s%d snapshots in progress, %d failed or aborted, %d unreadable", policy, running, bad, errs)
}
