package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	xterm "github.com/charmbracelet/x/term"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
)

// waitJob follows op every poll until model.Judge says it is over, reading
// through client.Observe as the TUI does, so that `snapshot --wait`,
// `restore --wait` and the TUI judge one job alike. A look that fails for
// a passing reason (a 5xx, a timeout, a lost connection) is tried again at
// the next tick; ctx bounds the whole wait.
func waitJob(ctx context.Context, e env, p client.Provider, op model.Operation, poll time.Duration) (v model.Verdict, err error) {
	// However the wait ends, the audit log gets the job's outcome.
	defer func() { client.JobOutcome(p, v, err) }()
	pr := e.progress()
	defer pr.clear()
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return model.Verdict{Op: op}, ctx.Err()
		case <-t.C:
		}
		obs, err := client.Observe(ctx, p, op)
		if err != nil {
			switch client.KindOf(err) {
			case client.ErrServer, client.ErrRateLimited, client.ErrTimeout, client.ErrNetwork, client.ErrMalformed:
				continue // transient: ask again at the next tick
			}
			if ctx.Err() != nil {
				continue // reported at the top
			}
			return model.Verdict{Op: op}, err
		}
		v = model.Judge(op, obs, e.now())
		op = v.Op
		if v.Outcome.Over() {
			return v, nil
		}
		pr.show(v, e.now().Sub(op.Started))
	}
}

// waitExit reports how a wait ended, one line on stderr, and gives its
// exit code: 0 done, 1 failed (or aborted, or gone), 2 could not tell (never
// seen under way, gave up at --timeout, interrupted, or the API could not
// be asked).
func (e env) waitExit(v model.Verdict, err error, timeout time.Duration) int {
	if err != nil {
		what := v.Op.Describe()
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			return e.fail(fmt.Errorf("gave up waiting for %s after %s; it may still finish", what, timeout))
		case errors.Is(err, context.Canceled):
			return e.fail(fmt.Errorf("interrupted while waiting for %s; it may still finish", what))
		}
		return e.fail(err)
	}
	fmt.Fprintln(e.stderr, "snapdeck: "+oneLine(v.Text()))
	switch v.Outcome {
	case model.OutcomeDone:
		return exitOK
	case model.OutcomeUnseen:
		return exitError
	}
	return exitFound
}

// progress is the job's state on one line of a terminal, rewritten at each
// look; where stderr is not a terminal (a script, cron) it writes nothing,
// and stderr keeps its one final line.
type progress struct {
	w     io.Writer
	on    bool
	drawn bool
}

func (e env) progress() *progress {
	f, ok := e.stderr.(*os.File)
	return &progress{w: e.stderr, on: e.interactive || (ok && xterm.IsTerminal(f.Fd()))}
}

func (p *progress) show(v model.Verdict, since time.Duration) {
	if !p.on {
		return
	}
	line := "● " + oneLine(v.Text())
	if v.Percent > 0 {
		line += fmt.Sprintf(" %d%%", v.Percent)
	}
	// \r and erase-line rewrite the same line; the text is inert (Sanitized).
	fmt.Fprintf(p.w, "\r\x1b[K%s · %s", line, format.Duration(since.Truncate(time.Second)))
	p.drawn = true
}

// clear removes the progress line before the final one is written.
func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}
