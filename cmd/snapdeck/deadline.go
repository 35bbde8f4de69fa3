package main

import (
	"context"
	"fmt"

	"github.com/snapdeck/snapdeck/client"
)

// withDeadline makes --timeout the whole command's deadline, for the
// commands whose --timeout means that: no retry, back-off or rate-limit wait
// runs past it (the Pacer and client/rest refuse a wait the deadline cannot
// cover, saying "rate limited — try again in Ns"), and a request cut short
// says which limit passed.
func (c *connFlags) withDeadline(ctx context.Context, cancel context.CancelFunc) (context.Context, context.CancelFunc) {
	if !c.deadline || c.timeout <= 0 {
		return ctx, cancel
	}
	dctx, dcancel := context.WithTimeoutCause(ctx, c.timeout, &client.Deadline{What: fmt.Sprintf("--timeout %s for the whole command", c.timeout)})
	return dctx, func() { dcancel(); cancel() }
}
