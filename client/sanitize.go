package client

import (
	"errors"

	"github.com/snapdeck/snapdeck/model"
)

// Sanitized wraps p so that every string it returns is inert
// (model.Sanitize): every field of every resource, backup, disk, event and
// restore, and the text of every error, its Reasons included. It is where
// provider text enters snapdeck, so that neither the UI, the CLI nor the
// audit log has to remember to clean it. Put it innermost:
// Audited(ReadOnly(Sanitized(p)), …).
//
// The result implements Actions and DiskLister whatever p implements,
// answering ErrUnsupported where p cannot, as ReadOnly and Audited do.
func Sanitized(p Provider) Provider {
	if d, ok := p.(decorated); ok {
		if _, ok := d.layer.(clean); ok {
			return p
		}
	}
	return decorated{p: p, layer: clean{}}
}

// clean is Sanitized's layer: every call's result and error come back inert.
type clean struct{}

func (clean) around(c *call, next func() error) error {
	err := next()
	if c.clean != nil {
		c.clean()
	}
	return SanitizeError(err)
}

// SanitizeError returns err with inert text: an *Error anywhere in its chain
// is copied with its Reasons cleaned, and any other error whose text needs
// cleaning is wrapped in one that reports the cleaned text. errors.Is still
// finds what err wraps (context.Canceled), errors.As still finds the
// *Error, and KindOf and Uncertain answer as they did. An error whose text
// is already inert, with no *Error in its chain, is returned as it is.
func SanitizeError(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		c := *e
		if e.Reasons != nil {
			c.Reasons = make([]string, len(e.Reasons))
			for i, r := range e.Reasons {
				c.Reasons[i] = model.Sanitize(r)
			}
		}
		c.Err = SanitizeError(e.Err)
		return &c
	}
	var inner *Error
	msg := err.Error()
	if model.Inert(msg) && !errors.As(err, &inner) {
		return err
	}
	ce := &cleanError{msg: model.Sanitize(msg), orig: err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if w := u.Unwrap(); w != nil {
			ce.wrapped = []error{SanitizeError(w)}
		}
	case interface{ Unwrap() []error }:
		for _, w := range u.Unwrap() {
			ce.wrapped = append(ce.wrapped, SanitizeError(w))
		}
	}
	return ce
}

// cleanError is an error whose text was made inert. It unwraps to the
// cleaned versions of what the original wrapped, so that errors.As finds
// clean values, and answers errors.Is as the original does.
type cleanError struct {
	msg     string
	orig    error
	wrapped []error
}

func (e *cleanError) Error() string { return e.msg }

func (e *cleanError) Unwrap() []error { return e.wrapped }

func (e *cleanError) Is(target error) bool { return errors.Is(e.orig, target) }
