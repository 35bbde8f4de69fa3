package client

import (
	"context"
	"errors"
)

// Deadline is the cause a caller gives its context's deadline
// (context.WithTimeoutCause) to say what the limit was, e.g. "--timeout 5s
// for the whole command"; a call cut short by it says so.
type Deadline struct{ What string }

func (d *Deadline) Error() string { return d.What }

// ContextError is the error for a call whose context ended: ErrTimeout at
// a deadline, naming the Deadline when the caller gave one, else ErrOther.
func ContextError(ctx context.Context) error {
	err := ctx.Err()
	if !errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: ErrOther, Err: err}
	}
	e := &Error{Kind: ErrTimeout, Err: err}
	if d := (*Deadline)(nil); errors.As(context.Cause(ctx), &d) {
		e.Reasons = []string{d.What + " passed"}
	}
	return e
}
