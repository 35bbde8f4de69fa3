package ui

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model"
)

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

// toggleScan starts the scan, or stops one that is running.
func (s *instancesScreen) toggleScan(a *App) tea.Cmd {
	if s.scan != nil {
		s.stopScan(a)
		return nil
	}
	sc := &scan{}
	sc.ctx, sc.cancel = context.WithCancel(context.Background())
	// The rows on screen first, then the rest in list order.
	from, to := s.tbl.Visible()
	seen := map[string]bool{}
	add := func(r model.Resource) {
		if r.BackupsEnabled && !seen[r.ID] && s.snapGen[r.ID] != s.gen {
			seen[r.ID] = true
			sc.queue = append(sc.queue, r.ID)
		}
	}
	for i := from; i < to && i < len(s.shown); i++ {
		add(s.all[s.shown[i]])
	}
	for _, r := range s.all {
		add(r)
	}
	sc.total = len(sc.queue)
	if sc.total == 0 {
		a.announce("Backup scan: every instance's backups are already read — r refreshes")
		return nil
	}
	s.scan = sc
	var cmds []tea.Cmd
	for range scanWorkers {
		cmds = append(cmds, s.scanNext(a))
	}
	return tea.Batch(cmds...)
}

func (s *instancesScreen) scanNext(a *App) tea.Cmd {
	sc := s.scan
	if sc == nil || len(sc.queue) == 0 {
		return nil
	}
	id := sc.queue[0]
	sc.queue = sc.queue[1:]
	sc.inflight++
	s.inflight[id] = true
	p := a.opts.Provider
	return a.call(sc.ctx, func(ctx context.Context) tea.Msg {
		b, err := p.ListBackups(ctx, id)
		return scanMsg{scan: sc, id: id, backups: b, err: err}
	})
}

func (s *instancesScreen) onScan(a *App, m scanMsg) tea.Cmd {
	delete(s.inflight, m.id)
	m.scan.inflight--
	if m.scan != s.scan {
		return nil // a stopped scan's late reply
	}
	sc := s.scan
	sc.done++
	s.store(m.id, m.backups, m.err)
	if sc.done == sc.total {
		s.scan = nil
		a.announce(s.scanReport())
		return nil
	}
	return s.scanNext(a)
}

// stopScan ends a scan; what it read stays on screen.
func (s *instancesScreen) stopScan(a *App) {
	if s.scan == nil {
		return
	}
	s.scan.cancel()
	for _, id := range s.scan.queue {
		delete(s.inflight, id)
	}
	a.announce(fmt.Sprintf("Backup scan stopped at %d/%d — b resumes", s.scan.done, s.scan.total))
	s.scan = nil
}

// scanProgress is the status-line text of a running scan.
func (s *instancesScreen) scanProgress() string {
	if s.scan == nil {
		return ""
	}
	return fmt.Sprintf("Scanning backups %d/%d (b stops)", s.scan.done, s.scan.total)
}

// scanReport counts what the scan found that needs an operator's eye.
func (s *instancesScreen) scanReport() string {
	running, bad, errs := 0, 0, 0
	for _, r := range s.all {
		if s.snapErr[r.ID] {
			errs++
		}
		st, ok := s.snaps[r.ID]
		if !ok {
			continue
		}
		if st.InProgress != nil {
			running++
		}
		if c := st.Current; c != nil && (c.Status == model.StatusFailed || c.Status == model.StatusAborted) {
			bad++
		}
	}
	return fmt.Sprintf("Backup scan done: %d snapshots in progress, %d failed or aborted, %d unreadable", running, bad, errs)
}
