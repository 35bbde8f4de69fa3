// Package rest is the JSON-over-HTTP caller of the adapters whose provider
// has no maintained Go SDK. It applies the rules every adapter must keep:
// a deadline per attempt, reads retried after 429 / 5xx / a lost
// connection while writes are sent exactly once, replies capped in size,
// every failure a *client.Error, and no secret in any error text.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/client"
)

// MaxBody is the largest reply read; no real reply comes near it.
const MaxBody = 8 << 20

// Config sets up a Client.
type Config struct {
	// Transport: BaseURL is scheme://host[/prefix] (required; request paths
	// are appended), a nil Pacer sends at once, the rest as documented there.
	client.Transport
	// Auth sets the credential on each request.
	Auth func(*http.Request)
	// Secrets are scrubbed from every error text.
	Secrets []string
	// Reasons reads the provider's error body; nil or an empty result
	// leaves the status to speak.
	Reasons func(status int, body []byte) []string
}

// Client sends requests to one account.
type Client struct {
	c    Config
	base *url.URL
	hc   *http.Client
}

// New checks c and returns a Client.
func New(c Config) (*Client, error) {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("API URL %q needs a scheme and a host, e.g. https://api.example.com", c.BaseURL)
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	switch {
	case c.Retries == 0:
		c.Retries = 3
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.RetryWait <= 0 {
		c.RetryWait = time.Second
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 30 * time.Second
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	if c.Pacer != nil {
		paced := *hc
		base := paced.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		paced.Transport = c.Pacer.Wrap(base)
		hc = &paced
	}
	return &Client{c: c, base: u, hc: hc}, nil
}

// form is a request body sent as application/x-www-form-urlencoded.
type form url.Values

// Form sends v as a form body instead of JSON.
func Form(v url.Values) any { return form(v) }

// Do sends one request and decodes a 2xx reply's JSON into out (when not
// nil). A GET is retried as Config says; any other method is sent once,
// because a write whose reply was lost may still have happened.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, in, out any) (int, http.Header, error) {
	var body []byte
	ctype := ""
	switch v := in.(type) {
	case nil:
	case form:
		body, ctype = []byte(url.Values(v).Encode()), "application/x-www-form-urlencoded"
	default:
		b, err := json.Marshal(in)
		if err != nil {
			return 0, nil, &client.Error{Kind: client.ErrOther, Err: err}
		}
		body, ctype = b, "application/json"
	}
	// path is escaped already (client.Path); JoinPath keeps the escapes but
	// folds a ".." into its parent, so a path holding one is refused.
	if client.PathHasDotSegment(path) {
		return 0, nil, client.UnusableID(path)
	}
	u := c.base.JoinPath(path)
	if query != nil {
		u.RawQuery = query.Encode()
	}
	attempts := 1
	if method == http.MethodGet {
		attempts += c.c.Retries
	}
	var lastErr error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			wait := c.c.RetryWait
			if e := (*client.Error)(nil); errors.As(lastErr, &e) && e.RetryAfter > wait {
				wait = e.RetryAfter
			}
			wait = min(wait, c.c.MaxRetryWait)
			if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
				return 0, nil, lastErr // waiting would only end in a timeout
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return 0, nil, client.ContextError(ctx)
			case <-t.C:
			}
		}
		status, h, err := c.once(ctx, method, u.String(), ctype, body, out)
		if err == nil || !retryable(err) {
			return status, h, err
		}
		lastErr = err
	}
	return 0, nil, lastErr
}

func retryable(err error) bool {
	switch client.KindOf(err) {
	case client.ErrRateLimited, client.ErrServer, client.ErrNetwork:
		return true
	}
	return false
}

// once makes one attempt under its own deadline.
func (c *Client) once(parent context.Context, method, u, ctype string, body []byte, out any) (int, http.Header, error) {
	ctx, cancel := context.WithTimeout(parent, c.c.Timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, &client.Error{Kind: client.ErrOther, Err: errors.New(c.scrub(err.Error()))}
	}
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.c.Auth != nil {
		c.c.Auth(req)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, c.transportError(parent, ctx, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		if e := c.transportError(parent, ctx, err); client.KindOf(e) == client.ErrTimeout || parent.Err() != nil {
			return resp.StatusCode, resp.Header, e
		}
		return resp.StatusCode, resp.Header, &client.Error{Kind: client.ErrMalformed, Status: resp.StatusCode, Err: errors.New("reply cut short: " + c.scrub(err.Error()))}
	}
	if len(data) > MaxBody {
		return resp.StatusCode, resp.Header, &client.Error{Kind: client.ErrMalformed, Status: resp.StatusCode, Err: fmt.Errorf("reply larger than %d MiB", MaxBody>>20)}
	}
	if resp.StatusCode >= 400 {
		return resp.StatusCode, resp.Header, c.statusError(resp, data)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if !IsJSON(resp.Header) {
			return resp.StatusCode, resp.Header, &client.Error{Kind: client.ErrMalformed, Status: resp.StatusCode,
				Err: errors.New("reply was not JSON (Content-Type " + strconv.Quote(resp.Header.Get("Content-Type")) + ")")}
		}
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, resp.Header, &client.Error{Kind: client.ErrMalformed, Status: resp.StatusCode, Err: errors.New(c.scrub(err.Error()))}
		}
	} else if out != nil {
		return resp.StatusCode, resp.Header, &client.Error{Kind: client.ErrMalformed, Status: resp.StatusCode, Err: errors.New("empty reply")}
	}
	return resp.StatusCode, resp.Header, nil
}

func (c *Client) transportError(parent, attempt context.Context, err error) error {
	if ce := (*client.Error)(nil); errors.As(err, &ce) {
		return ce // the pacer refused to send: it knows the wait
	}
	if parent.Err() != nil {
		return client.ContextError(parent)
	}
	if attempt.Err() != nil || IsTimeout(err) {
		return &client.Error{Kind: client.ErrTimeout, Err: errors.New("no reply within the time allowed")}
	}
	return &client.Error{Kind: client.ErrNetwork, Err: errors.New(c.scrub(err.Error()))}
}

func (c *Client) statusError(resp *http.Response, body []byte) error {
	status := resp.StatusCode
	e := &client.Error{Status: status, Err: errors.New(http.StatusText(status))}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = client.ErrAuth
	case status == http.StatusNotFound:
		e.Kind = client.ErrNotFound
	case status == http.StatusTooManyRequests:
		e.Kind = client.ErrRateLimited
		e.RetryAfter = RetryAfter(resp.Header)
	case status >= 500:
		e.Kind = client.ErrServer
	default:
		e.Kind = client.ErrInvalid
	}
	if c.c.Reasons != nil && IsJSON(resp.Header) {
		for _, r := range c.c.Reasons(status, body) {
			if r = strings.TrimSpace(c.scrub(r)); r != "" {
				e.Reasons = append(e.Reasons, r)
			}
		}
	}
	return e
}

// RetryAfter reads a Retry-After header in seconds or as a date, capped at
// client.MaxRetryAfter.
func RetryAfter(h http.Header) time.Duration {
	d, _ := client.RetryAfterHeader(h.Get("Retry-After"), time.Now())
	return d
}

// IsJSON reports whether a reply says it is JSON (or says nothing).
func IsJSON(h http.Header) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	return ct == "" || strings.Contains(ct, "json")
}

// IsTimeout reports whether err is a deadline or a network timeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *Client) scrub(s string) string {
	return client.Redact(s, "[secret]", c.c.Secrets...)
}
