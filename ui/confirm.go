package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/ui/confirm"
	"github.com/snapdeck/snapdeck/ui/keymap"
	"github.com/snapdeck/snapdeck/ui/text"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// actionResult is what a mutation answered.
type actionResult struct {
	err      error
	backup   model.Backup
	resource model.Resource
}

// actionMsg carries an actionResult back to the dialog that sent it.
type actionMsg struct {
	req int
	res actionResult
}

// sender is the part every action dialog shares: one request at a time,
// keys ignored while it is out, the outcome matched by request ID.
type sender struct {
	sending bool
	req     int
	err     error
	ctx     context.Context
	cancel  context.CancelFunc
}

func newSender() sender {
	ctx, cancel := context.WithCancel(context.Background())
	return sender{ctx: ctx, cancel: cancel}
}

// send starts run unless a request is already out: a repeated key press
// can never submit twice.
func (s *sender) send(e *env, run func(ctx context.Context) actionResult) tea.Cmd {
	if s.sending {
		return nil
	}
	s.sending = true
	s.err = nil
	s.req = e.root.reqID()
	req := s.req
	return e.root.call(s.ctx, func(ctx context.Context) tea.Msg {
		return actionMsg{req: req, res: run(ctx)}
	})
}

// received reports whether m answers this sender's request, and clears the
// lock if so.
func (s *sender) received(m actionMsg) bool {
	if !s.sending || m.req != s.req {
		return false
	}
	s.sending = false
	s.err = m.res.err
	return true
}

// outcome is the tail every action dialog draws: the lock while the
// request is out, the hint for a key that did nothing, and the API's answer.
func (s *sender) outcome(e *env, w int, hint string) []string {
	var out []string
	if s.sending {
		out = append(out, "", e.root.spinView()+" Sending… (keys are ignored until the API answers)")
	}
	if hint != "" {
		out = append(out, e.th.Warn.Render(hint))
	}
	if s.err != nil {
		out = append(out, "", e.th.ErrBox.Render(text.Wrap("✗ "+text.Err(s.err), w)))
	}
	return out
}

// confirmScreen puts the confirm component on the stack: on Yes it sends
// the action (once, locked until the reply), on No it backs out.
type confirmScreen struct {
	sender
	confirm.Model
	ids  []string // resources to re-read when the outcome is unknown
	run  func(ctx context.Context) actionResult
	done func(e *env, r actionResult) tea.Cmd
	// uncertain, when set, runs after the dialog closed on an outcome that
	// is unknown: a form below it closes too, or re-reads what it decides on.
	uncertain func(e *env) tea.Cmd
	// what names the action in the status line when it fails; the heading
	// when empty.
	what string
}

// productionLine reminds, in a dialog that changes something, that the
// account is production; "" for any other account.
func (e *env) productionLine(w int) string {
	if !e.production {
		return ""
	}
	return theme.Production.Render(text.Fit(" PRODUCTION account "+text.User(e.account)+": this changes live data ", w))
}

func newConfirm(conf model.Confirmation) *confirmScreen {
	return &confirmScreen{sender: newSender(), Model: confirm.New(conf)}
}

func (c *confirmScreen) title() string   { return c.Heading }
func (c *confirmScreen) busy() bool      { return c.sending }
func (c *confirmScreen) capturing() bool { return c.Capturing() || c.sending }
func (c *confirmScreen) close()          { c.cancel() }

func (c *confirmScreen) update(e *env, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case actionMsg:
		if !c.received(m) {
			return nil
		}
		if m.res.err != nil {
			what := c.what
			if what == "" {
				what = c.Heading
			}
			cmd := e.root.actionFailed(what, m.res.err, c.ids...)
			if client.Uncertain(m.res.err) {
				// The change may have been made: close the dialog so that a
				// repeated key cannot send it again; the re-read tells.
				e.root.pop()
				if c.uncertain != nil {
					cmd = tea.Batch(cmd, c.uncertain(e))
				}
			}
			return cmd
		}
		e.root.pop()
		return c.done(e, m.res)
	case tea.KeyPressMsg:
		if c.sending {
			return nil // locked until the reply
		}
		switch answer, cmd := c.Update(m, e.keys); answer {
		case confirm.No:
			e.root.pop()
			e.root.announce("Cancelled: " + c.Heading)
			return nil
		case confirm.Yes:
			return c.send(e, c.run)
		default:
			return cmd
		}
	}
	return nil
}

func (c *confirmScreen) keys(e *env) keymap.Help {
	if c.sending {
		return keymap.Help{Short: []key.Binding{e.keys.ForceQuit}}
	}
	return c.Keys(e.keys)
}

func (c *confirmScreen) view(e *env, w, h int) string {
	out := c.View(e.th, w, e.productionLine(w), c.sending)
	out = append(out, c.outcome(e, w, c.Hint())...)
	return strings.Join(out, "\n")
}
