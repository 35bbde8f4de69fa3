package linode

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/linode/linodego"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/rest"
)

// convert turns whatever linodego returned into a *client.Error. tr holds
// what the transport saw on the last attempt, because linodego flattens Go
// errors into strings and even lets some error statuses through as success.
func (p *Provider) convert(ctx context.Context, tr *trace, err error) error {
	status, header, terr := tr.last()
	if err == nil {
		if status >= 400 {
			// e.g. a 500 whose body has no "errors": linodego returns a zero
			// result and no error.
			return p.statusError(status, header, "")
		}
		if status != 0 && !rest.IsJSON(header) {
			return &client.Error{Kind: client.ErrMalformed, Status: status, Err: errors.New("reply was not JSON (Content-Type " + strconv.Quote(header.Get("Content-Type")) + ")")}
		}
		return nil
	}

	if ce := (*client.Error)(nil); errors.As(terr, &ce) {
		return ce // refused before sending: the pacer knows the wait
	}
	if ctx.Err() != nil {
		if status == http.StatusTooManyRequests && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			// linodego was waiting out a 429 when the deadline came: say
			// so, and how long the API asked for, not just "timed out".
			return p.statusError(status, header, "")
		}
		return client.ContextError(ctx)
	}
	if terr != nil {
		if errors.Is(terr, errTooLarge) {
			return &client.Error{Kind: client.ErrMalformed, Status: status, Err: errTooLarge}
		}
		if rest.IsTimeout(terr) {
			return &client.Error{Kind: client.ErrTimeout, Err: terr}
		}
		return &client.Error{Kind: client.ErrNetwork, Err: errors.New(p.scrub(terr.Error()))}
	}

	// linodego returns both *Error and Error values.
	var le linodego.Error
	if pe := (*linodego.Error)(nil); errors.As(err, &pe) && pe != nil {
		le = *pe
	} else if !errors.As(err, &le) {
		return &client.Error{Kind: client.ErrOther, Status: status, Err: errors.New(p.scrub(err.Error()))}
	}

	if le.Code >= 200 && le.Code < 300 {
		// linodego calls a 2xx an error when its Content-Type is not JSON;
		// its message would repeat the whole body.
		return &client.Error{Kind: client.ErrMalformed, Status: le.Code, Err: errors.New("reply was not JSON")}
	}
	if le.Code >= 100 {
		if le.Response != nil {
			header = le.Response.Header
		}
		return p.statusError(le.Code, header, le.Message)
	}
	// A Go-side error (linodego codes 0-3): classify by what came back.
	msg := p.scrub(le.Message)
	switch {
	case status >= 200 && status < 300:
		return &client.Error{Kind: client.ErrMalformed, Status: status, Err: errors.New(msg)}
	case status >= 400:
		return p.statusError(status, header, "")
	case strings.Contains(msg, "Client.Timeout") || strings.Contains(msg, "deadline exceeded"):
		return &client.Error{Kind: client.ErrTimeout, Err: errors.New(msg)}
	case strings.Contains(msg, "unmarshal") || strings.Contains(msg, "invalid character"):
		return &client.Error{Kind: client.ErrMalformed, Err: errors.New(msg)}
	}
	return &client.Error{Kind: client.ErrNetwork, Err: errors.New(msg)}
}

// statusError classifies an HTTP error status. msg is linodego's message:
// the API's reasons joined by "; ", each "[field] reason" when it names a
// field, or a note about an unexpected Content-Type that we do not repeat.
func (p *Provider) statusError(status int, header http.Header, msg string) error {
	e := &client.Error{Status: status}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = client.ErrAuth
	case status == http.StatusNotFound:
		e.Kind = client.ErrNotFound
	case status == http.StatusTooManyRequests:
		e.Kind = client.ErrRateLimited
		e.RetryAfter = rest.RetryAfter(header)
	case status >= 500:
		e.Kind = client.ErrServer
	default:
		e.Kind = client.ErrInvalid
	}
	msg = p.scrub(msg)
	if msg != "" && !strings.HasPrefix(msg, "Unexpected Content-Type") && msg != http.StatusText(status) {
		for _, r := range strings.Split(msg, "; ") {
			if r = strings.TrimSpace(r); r != "" {
				e.Reasons = append(e.Reasons, r)
			}
		}
	}
	// The body (maybe a load balancer's HTML page) says nothing more useful
	// than the status; Error() shows this only when there are no reasons.
	e.Err = errors.New(http.StatusText(status))
	return e
}

// scrub keeps the token out of any text that may reach the screen.
func (p *Provider) scrub(s string) string {
	return client.Redact(s, "[token]", p.token)
}
