package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/store"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// env is what every screen gets instead of the App (soft-serve's Common):
// the shared pieces, set once when the App is made, the account's store to
// read, and root, the few things a screen may ask of the App.
type env struct {
	keys       keymap.KeyMap
	th         theme.Theme
	info       model.ProviderInfo
	actions    client.Actions // nil when the provider cannot act
	p          client.Provider
	now        func() time.Time
	readOnly   bool
	production bool
	account    string
	policy     model.Policy  // the backup policy the POLICY column judges by
	store      *store.Store  // read only: the root writes it
	jobLog     *store.JobLog // read only: the root writes it; a Deck shares one
	acct       *account      // asks for reads into the store
	root       root
	// statusStyles are the status column's styles, one per status, made
	// once: a table keeps drawn rows by their cells' styles.
	statusStyles map[model.Status]*lipgloss.Style
}

// statusStyle is the style of a status's cell.
func (e *env) statusStyle(s model.Status) *lipgloss.Style {
	if st, ok := e.statusStyles[s]; ok {
		return st
	}
	if e.statusStyles == nil {
		e.statusStyles = map[model.Status]*lipgloss.Style{}
	}
	st := e.th.Dim.Foreground(theme.StatusColor(s))
	e.statusStyles[s] = &st
	return &st
}

// root is what a screen may ask of the App.
type root interface {
	// push puts s on the stack (running cmd), pop takes the top off.
	push(s screen, cmd tea.Cmd) tea.Cmd
	pop()
	// announce says s in the status line.
	announce(s string)
	// call runs fn as a request: bounded, timed out, ended on quit.
	call(ctx context.Context, fn func(ctx context.Context) tea.Msg) tea.Cmd
	// reqID is a new request ID, to drop stale replies.
	reqID() int
	// bodyHeight is the lines a screen has to draw in.
	bodyHeight() int
	// spinView is the spinner's frame.
	spinView() string
	// loadList starts a new listing of the account.
	loadList() tea.Cmd
	// updateResource and updateBackups show fresh data everywhere.
	updateResource(r model.Resource)
	updateBackups(id string, backups []model.Backup)
	// addJob watches an accepted snapshot or restore to its end.
	addJob(j *store.Job) tea.Cmd
	// reread reads a resource and its backups again.
	reread(id, why string) tea.Cmd
	// actionFailed says an action failed, and re-reads when its outcome
	// is unknown.
	actionFailed(what string, err error, ids ...string) tea.Cmd
}

var _ root = (*App)(nil)
