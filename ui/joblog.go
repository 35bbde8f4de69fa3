package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/text"
)

// jobLogScreen is the short job log (J): the jobs of this account still
// watched, then every job accepted or ended, newest first, of every
// account a Deck holds.
type jobLogScreen struct{}

func (s *jobLogScreen) title() string   { return "Job log" }
func (s *jobLogScreen) busy() bool      { return false }
func (s *jobLogScreen) close()          {}
func (s *jobLogScreen) capturing() bool { return false }

func (s *jobLogScreen) update(e *env, msg tea.Msg) tea.Cmd {
	if m, ok := msg.(tea.KeyPressMsg); ok && key.Matches(m, e.keys.Back) {
		e.root.pop()
	}
	return nil
}

func (s *jobLogScreen) keys(e *env) keymap.Help {
	return keymap.Help{Short: []key.Binding{e.keys.Back}, Full: [][]key.Binding{{e.keys.Back}}}
}

func (s *jobLogScreen) view(e *env, w, h int) string {
	th := e.th
	var out []string
	running := e.store.ActiveJobs()
	out = append(out, th.Label.Render(fmt.Sprintf("Watching %d job(s) of %s", len(running), e.info.ViewName(e.account))))
	for _, j := range running {
		out = append(out, text.Fit(th.Warn.Render(fmt.Sprintf("  ● %s: %s %d%%", j.Describe(), orPending(j.Status), j.Percent)), w))
	}
	entries := e.jobLog.Entries()
	out = append(out, "", th.Label.Render(fmt.Sprintf("Log (last %d)", len(entries))))
	if len(entries) == 0 {
		out = append(out, th.Dim.Render("  No job started or ended yet in this session."))
	}
	for i := len(entries) - 1; i >= 0; i-- {
		en := entries[i]
		out = append(out, text.Fit(th.Dim.Render("  "+en.At.Format("15:04:05")+"  "+en.View+"  ")+en.Line, w))
	}
	return strings.Join(out, "\n")
}
