package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// quitAsk is the question q asks while jobs are being watched: they go on
// at the provider, but nobody will say how they end. y quits; any other
// key stays. ctrl+c quits without asking.
type quitAsk struct{ asking bool }

// watched names the jobs still being watched in apps, as the question
// lists them: "● test/instances: snapshot of web-prod-01".
func watched(apps []*App) []string {
	var out []string
	for _, a := range apps {
		for _, j := range a.store.ActiveJobs() {
			name := j.Describe()
			if a.opts.Jump {
				name = text.User(a.Name()) + ": " + name
			}
			out = append(out, "● "+name)
		}
	}
	return out
}

// start asks when apps watch jobs; quit reports there is nothing to ask.
func (q *quitAsk) start(apps []*App) (quit bool) {
	if len(watched(apps)) == 0 {
		return true
	}
	q.asking = true
	return false
}

// key answers the question: quit is y, any other key stays.
func (q *quitAsk) key(m tea.KeyPressMsg, keys keymap.KeyMap) (quit bool) {
	q.asking = false
	return key.Matches(m, keys.Yes)
}

// overlay draws the question over the last lines of body (h lines, w
// cells wide): what will not be watched, then the keys.
func (q *quitAsk) overlay(th theme.Theme, keys keymap.KeyMap, apps []*App, body string, w, h int) string {
	jobs := watched(apps)
	ask := []string{th.Warn.Render("Quit? These jobs go on at the provider, but snapdeck will no longer watch them or say how they end:")}
	if len(jobs) == 0 {
		ask = []string{th.Dim.Render("Quit? No job is being watched now.")}
	}
	room := max(h-3, 1) // keep the header and a line of the view
	if len(jobs)+2 > room {
		n := max(room-3, 0)
		jobs = append(jobs[:n:n], text.Fit(fmt.Sprintf("… and %d more", len(jobs)-n), w))
	}
	ask = append(ask, jobs...)
	yes := keymap.WithHelp(keys.Yes, "y", "quit")
	ask = append(ask, th.Dim.Render(yes.Help().Key+" "+yes.Help().Desc+" • any other key: stay"))
	lines := strings.Split(body, "\n")
	at := max(len(lines)-len(ask), min(1, len(lines)))
	for i, l := range ask {
		if at+i < len(lines) {
			lines[at+i] = text.Fit(l, w)
		}
	}
	return strings.Join(lines, "\n")
}
