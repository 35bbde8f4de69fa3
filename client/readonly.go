package client

// readOnlyReason is what a refused mutation says.
const readOnlyReason = "snapdeck runs read-only (--read-only)"

// ReadOnly wraps p so that every mutation is refused here, before any
// request is made, with an *Error of kind ErrReadOnly. Reads, GetResource
// and Events pass through (the latter two answer ErrUnsupported when p has
// no Actions). The result implements Actions either way.
//
// Wrap it in Audited, not the other way round, so refused attempts are
// logged too: Audited(ReadOnly(p), log, account).
func ReadOnly(p Provider) Provider { return decorated{p: p, layer: refuse{}} }

// IsReadOnly reports whether p, or a Provider it decorates, refuses
// mutations; the UI uses it to hide them.
func IsReadOnly(p Provider) bool {
	r, ok := p.(interface{ IsReadOnly() bool })
	return ok && r.IsReadOnly()
}

// refuse is ReadOnly's layer: every call that is not a read ends here.
type refuse struct{}

func (refuse) around(c *call, next func() error) error {
	if !c.read {
		return refusedReadOnly()
	}
	return next()
}

func refusedReadOnly() error {
	return &Error{Kind: ErrReadOnly, Reasons: []string{readOnlyReason}}
}
