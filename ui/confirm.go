package ui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
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
func (s *sender) send(a *App, run func(ctx context.Context) actionResult) tea.Cmd {
	if s.sending {
		return nil
	}
	s.sending = true
	s.err = nil
	s.req = a.reqID()
	req := s.req
	return a.call(s.ctx, func(ctx context.Context) tea.Msg {
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
func (s *sender) outcome(a *App, w int, hint string) []string {
	var out []string
	if s.sending {
		out = append(out, "", a.spin.View()+" Sending… (keys are ignored until the API answers)")
	}
	if hint != "" {
		out = append(out, a.th.warn.Render(hint))
	}
	if s.err != nil {
		out = append(out, "", a.th.errBox.Render(wrap("✗ "+errText(s.err), w)))
	}
	return out
}

// confirmMode is how a dialog is confirmed. Enter alone never confirms.
type confirmMode int

const (
	confirmYes   confirmMode = iota // press y
	confirmTyped                    // type the resource's label, then Enter
)

// confirmScreen names an action's target and consequence and asks for an
// explicit confirmation before it runs the action.
type confirmScreen struct {
	sender
	heading string
	lines   []string
	warn    []string
	mode    confirmMode
	expect  string
	input   input
	verb    string   // what y does, for the footer: "enable backups"
	ids     []string // resources to re-read when the outcome is unknown
	run     func(ctx context.Context) actionResult
	done    func(a *App, r actionResult) tea.Cmd
	hint    string
}

// productionLine reminds, in a dialog that changes something, that the
// account is production; "" for any other account.
func (a *App) productionLine(w int) string {
	if !a.opts.Production {
		return ""
	}
	return productionStyle.Render(fit(" PRODUCTION account "+userText(a.opts.Account)+": this changes live data ", w))
}

// typedName is what a user types to confirm acting on r: its label as drawn,
// or its ID when the label is empty (Enter alone must never confirm).
func typedName(r model.Resource) string {
	if l := strings.TrimSpace(r.Label); l != "" {
		return l
	}
	return r.ID
}

func newConfirm(heading, verb string, mode confirmMode, expect string) *confirmScreen {
	ti := newInput()
	ti.Prompt = "› "
	ti.Placeholder = expect
	ti.SetWidth(max(len(expect)+2, 20))
	c := &confirmScreen{sender: newSender(), heading: heading, verb: verb, mode: mode, expect: expect, input: ti}
	if mode == confirmTyped {
		c.input.Focus()
	}
	return c
}

func (c *confirmScreen) title() string   { return c.heading }
func (c *confirmScreen) busy() bool      { return c.sending }
func (c *confirmScreen) capturing() bool { return c.mode == confirmTyped || c.sending }
func (c *confirmScreen) close()          { c.cancel() }

func (c *confirmScreen) update(a *App, msg tea.Msg) tea.Cmd {
	switch m := msg.(type) {
	case actionMsg:
		if !c.received(m) {
			return nil
		}
		if m.res.err != nil {
			if client.Uncertain(m.res.err) {
				// The change may have been made: close the dialog so that a
				// repeated key cannot send it again; the re-read tells.
				a.pop()
			}
			return a.actionFailed(c.heading, m.res.err, c.ids...)
		}
		a.pop()
		return c.done(a, m.res)
	case tea.KeyPressMsg:
		if c.sending {
			return nil // locked until the reply
		}
		if key.Matches(m, a.keys.Back) {
			a.pop()
			a.announce("Cancelled: " + c.heading)
			return nil
		}
		if c.mode == confirmYes {
			switch m.String() {
			case "y", "Y":
				return c.send(a, c.run)
			case "n", "N":
				a.pop()
				a.announce("Cancelled: " + c.heading)
			case "enter":
				c.hint = "Enter does not confirm here: press y to " + c.verb + ", or esc."
			}
			return nil
		}
		if m.String() == "enter" {
			if c.input.Value() != c.expect {
				c.hint = "That is not the label. Type " + c.expect + " exactly, or esc."
				return nil
			}
			return c.send(a, c.run)
		}
		var cmd tea.Cmd
		c.input, cmd = c.input.Update(m)
		c.hint = ""
		return cmd
	}
	return nil
}

func (c *confirmScreen) keys(a *App) helpKeys {
	k := a.keys
	if c.sending {
		return helpKeys{short: []key.Binding{k.ForceQuit}}
	}
	yes := key.NewBinding(key.WithKeys("y"), key.WithHelp("y", c.verb))
	if c.mode == confirmTyped {
		yes = key.NewBinding(key.WithKeys("enter"), key.WithHelp("type label + enter", c.verb))
	}
	return helpKeys{short: []key.Binding{yes, k.Back}, full: [][]key.Binding{{yes, k.Back}}}
}

func (c *confirmScreen) view(a *App, w, h int) string {
	th := a.th
	var out []string
	out = append(out, th.errBox.Render(fit("⚠ "+c.heading, w)), "")
	if l := a.productionLine(w); l != "" {
		out = append(out, l, "")
	}
	for _, l := range c.lines {
		out = append(out, wrap(l, w))
	}
	for _, l := range c.warn {
		out = append(out, th.warn.Render(wrap("⚠ "+l, w)))
	}
	out = append(out, "")
	switch {
	case c.sending: // the lock is drawn by outcome
	case c.mode == confirmTyped:
		out = append(out, "Type "+th.label.Render(c.expect)+" to confirm, then press Enter. Esc backs out.", c.input.View())
	default:
		out = append(out, "Press "+th.label.Render("y")+" to "+c.verb+", "+th.label.Render("esc")+" to back out.")
	}
	out = append(out, c.outcome(a, w, c.hint)...)
	return strings.Join(out, "\n")
}
