package main

import "context"

// serveSim runs `snapdeck sim args` until ctx ends.
func serveSim(ctx context.Context, e env, args []string) int {
	c := newCmd(e, "sim", noConn)
	run := defineServeSim(c)
	if _, code, ok := c.parse(args, 0, ""); !ok {
		return code
	}
	return run(ctx)
}

// runServe runs `snapdeck serve args`.
func runServe(e env, args []string) int {
	return e.run(append([]string{"serve"}, args...))
}
