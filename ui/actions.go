package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/text"
)

// actionFailed announces a failed action. When the outcome is unknown (no
// reply, a lost connection, a 5xx or an unreadable reply: the change may
// have been made all the same), the state is re-read so the screen shows
// what actually happened rather than a guess; nothing is resent.
func (a *App) actionFailed(what string, err error, ids ...string) tea.Cmd {
	if client.Uncertain(err) {
		cause := uncertainCause(err)
		a.announce("⚠ " + what + ": " + cause + " (" + text.Err(err) + ") — re-reading to see what happened…")
		var cmds []tea.Cmd
		for _, id := range ids {
			cmds = append(cmds, a.rereadAfter(id, what, cause))
		}
		return tea.Batch(cmds...)
	}
	a.announce("✗ " + what + " failed: " + text.Err(err))
	return nil
}

// uncertainCause names why an action's outcome is unknown.
func uncertainCause(err error) string {
	switch client.KindOf(err) {
	case client.ErrTimeout:
		return "timed out"
	case client.ErrNetwork:
		return "connection lost"
	case client.ErrServer:
		return "server error"
	case client.ErrMalformed:
		return "unreadable reply"
	}
	return "no answer"
}

// rereadMsg answers a re-read of one resource and its backups.
type rereadMsg struct {
	id      string
	why     string // the action whose outcome was unknown, "" for a plain refresh
	cause   string // why it was unknown: "timed out", "server error"…
	since   time.Time
	res     model.Resource
	backups []model.Backup
	events  []model.Event
	err     error
}

func (a *App) reread(id, why string) tea.Cmd { return a.rereadAfter(id, why, "") }

func (a *App) rereadAfter(id, why, cause string) tea.Cmd {
	act := a.actions
	p := a.opts.Provider
	since := a.opts.Now().Add(-time.Minute)
	return a.call(context.Background(), func(ctx context.Context) tea.Msg {
		m := rereadMsg{id: id, why: why, cause: cause, since: since}
		if act != nil {
			m.res, m.err = act.GetResource(ctx, id)
		}
		if m.err == nil {
			m.backups, m.err = p.ListBackups(ctx, id)
		}
		if m.err == nil && act != nil && why != "" {
			// The events say whether a restore (which leaves no backup
			// behind) was started; without them the re-read still stands.
			m.events, _ = act.Events(ctx, id)
		}
		return m
	})
}

func (a *App) onReread(m rereadMsg) {
	if m.err != nil {
		if m.why != "" {
			a.announce("⚠ " + m.why + ": outcome unknown, and re-reading failed too (" + text.Err(m.err) + ") — press r to refresh")
		}
		return
	}
	if m.res.ID != "" {
		a.updateResource(m.res)
	}
	a.updateBackups(m.id, m.backups)
	if m.why != "" {
		st := model.Summarise(m.backups)
		state := "no new snapshot"
		switch c := st.Current; {
		case st.InProgress != nil:
			state = "snapshot in progress (" + st.InProgress.RawStatus + ")"
		case c != nil && !c.Created.Before(m.since):
			// It already finished: say so, or "no snapshot in progress"
			// would read as "it did not happen".
			state = fmt.Sprintf("snapshot %q taken (%s)", c.Label, c.RawStatus)
		}
		for _, e := range m.events { // newest first
			if e.Kind == model.EventRestore && !e.Created.Before(m.since) {
				state += ", a restore " + e.Status
				break
			}
		}
		cause := m.cause
		if cause == "" {
			cause = "timed out"
		}
		a.announce(fmt.Sprintf("%s: %s; re-read: %s, backups %s", m.why, cause, state, onOff(m.res.BackupsEnabled)))
	}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// resourceMsg, backupsReadMsg and lastGoodMsg are facts the root tells
// every screen on the stack (tell); each keeps what is about its own
// resource.
type (
	resourceMsg    struct{ r model.Resource }
	backupsReadMsg struct {
		id      string
		backups []model.Backup
	}
	lastGoodMsg struct {
		id string
		t  time.Time
	}
)

// tell hands a fact to every screen on the stack. Facts answer nothing: no
// screen returns a command for them.
func (a *App) tell(msg tea.Msg) {
	for _, s := range a.stack {
		_ = s.update(a.env, msg)
	}
}

// updateResource puts a re-read resource everywhere it is shown.
func (a *App) updateResource(r model.Resource) {
	a.store.Replace(r)
	a.tell(resourceMsg{r})
}

// updateBackups puts a fresh backup list everywhere it is shown.
func (a *App) updateBackups(id string, backups []model.Backup) {
	a.store.Remember(id, backups, nil)
	a.tell(backupsReadMsg{id, backups})
}

// --- jobs: snapshots and restores watched to the end -----------------------

type jobTickMsg struct{}

type jobPollMsg struct {
	id  int
	obs model.Observation
	err error
}

// addJob watches j, and says (once, here, for every kind of job) that it
// was accepted: the status line must not go on showing an older message
// beside the new job.
func (a *App) addJob(j *store.Job) tea.Cmd {
	a.store.AddJob(j, a.info.BackupNoun, a.info.Noun, a.opts.Now())
	a.logJob("✓ "+text.UpperFirst(j.Describe())+" accepted; watching it", false)
	return a.tickJobs()
}

// logJob announces line and keeps it in the job log.
func (a *App) logJob(line string, outcome bool) {
	a.announce(line)
	a.env.jobLog.Add(store.LogEntry{At: a.opts.Now(), View: a.Name(), Line: line, Outcome: outcome})
}

func (a *App) tickJobs() tea.Cmd {
	if a.ticking || len(a.store.ActiveJobs()) == 0 {
		return nil
	}
	a.ticking = true
	return tea.Tick(a.opts.PollEvery, func(time.Time) tea.Msg { return jobTickMsg{} })
}

func (a *App) onJobTick() tea.Cmd {
	a.ticking = false
	var cmds []tea.Cmd
	for _, j := range a.store.ActiveJobs() {
		if j.Polling {
			continue
		}
		j.Polling = true
		cmds = append(cmds, a.pollJob(j))
	}
	cmds = append(cmds, a.tickJobs())
	return tea.Batch(cmds...)
}

// pollJob reads what the judge needs, as the CLI's --wait reads it.
func (a *App) pollJob(j *store.Job) tea.Cmd {
	p, id, op := a.opts.Provider, j.ID, j.Op
	return a.call(context.Background(), func(ctx context.Context) tea.Msg {
		obs, err := client.Observe(ctx, p, op)
		return jobPollMsg{id: id, obs: obs, err: err}
	})
}

func (a *App) onJobPoll(m jobPollMsg) tea.Cmd {
	j := a.store.Job(m.id)
	if j == nil || j.Done {
		return nil
	}
	j.Polling = false
	if m.err != nil {
		// One failed poll is not the job's failure; the next tick tries again.
		a.announce("⚠ watching " + j.Describe() + ": " + text.Err(m.err) + " (retrying)")
		return nil
	}
	// What was read is shown wherever the resource is.
	if m.obs.Backups != nil && (j.Kind == store.JobSnapshot || !m.obs.ByEvents) {
		a.updateBackups(j.ResourceID, m.obs.Backups)
	}
	if m.obs.Resource != nil {
		a.updateResource(*m.obs.Resource)
	}
	v := model.Judge(j.Op, m.obs, a.opts.Now())
	j.Op = v.Op
	j.Status, j.Percent = v.Status, v.Percent
	if !v.Outcome.Over() {
		return nil
	}
	return a.finishJob(j, v)
}

// finishJob announces the verdict once and re-reads what the job changed.
func (a *App) finishJob(j *store.Job, v model.Verdict) tea.Cmd {
	j.Done = true
	client.JobOutcome(a.opts.Provider, v, nil) // the audit log's "job" line
	a.logJob(verdictLine(v), true)
	if !v.LastGood.IsZero() {
		a.noteLastGood(j.ResourceID, v.LastGood)
	}
	return a.reread(j.Changed(), "")
}

// verdictLine is how the status line says a job's end: the judge's words
// behind a symbol.
func verdictLine(v model.Verdict) string {
	switch v.Outcome {
	case model.OutcomeDone:
		return "✓ " + v.Text()
	case model.OutcomeAborted:
		return "⊘ " + v.Text()
	case model.OutcomeUnseen:
		return "⚠ " + v.Text() + " (r re-reads)"
	}
	return "✗ " + v.Text()
}

// noteLastGood moves a resource's last good backup on to t wherever it is
// shown, when t is newer.
func (a *App) noteLastGood(id string, t time.Time) {
	a.store.NoteLastGood(id, t)
	a.tell(lastGoodMsg{id, t})
}

// jobLine summarises the jobs in flight for the status line.
func (a *App) jobLine() string {
	var parts []string
	for _, j := range a.store.ActiveJobs() {
		st := j.Status
		if st == "" {
			st = "pending"
		}
		parts = append(parts, fmt.Sprintf("● %s: %s %d%%", j.Describe(), st, j.Percent))
	}
	return strings.Join(parts, " · ")
}
