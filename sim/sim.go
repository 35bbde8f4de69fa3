// Package sim holds helpers shared by the simulated clouds in its
// sub-packages. Each sub-package is an http.Handler speaking one provider's
// real wire format, so the real client adapters can be tested against it.
package sim

import (
	"errors"
	"net/http"
	"net/http/httptest"
)

// InProcess returns an *http.Client that serves every request by calling h
// directly, without sockets, so --demo needs no network at all.
func InProcess(h http.Handler) *http.Client {
	return &http.Client{Transport: roundTripper{h}}
}

type roundTripper struct{ h http.Handler }

// errConnReset is what an aborted handler looks like to the client.
var errConnReset = errors.New("connection reset by peer (simulated)")

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The handler sees what a server would: a request URI and a readable body.
	in := req.Clone(ctx)
	if in.RequestURI == "" {
		in.RequestURI = req.URL.RequestURI()
	}
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	var aborted bool
	go func() {
		defer close(done)
		// A RoundTripper owns the request body and must close it.
		defer in.Body.Close()
		// A handler that aborts (as a simulated connection reset does) ends
		// the request with an error, as net/http's server would drop the
		// connection; any other panic is a bug and still crashes.
		defer func() {
			if v := recover(); v != nil {
				if v != http.ErrAbortHandler {
					panic(v)
				}
				aborted = true
			}
		}()
		rt.h.ServeHTTP(rec, in)
	}()
	select {
	case <-done:
		if aborted {
			return nil, errConnReset
		}
	case <-ctx.Done():
		// The handler may still be running; it writes into a recorder nobody
		// reads again, so abandoning it is safe.
		return nil, ctx.Err()
	}
	resp := rec.Result()
	resp.Request = req
	resp.Proto, resp.ProtoMajor, resp.ProtoMinor = "HTTP/1.1", 1, 1
	return resp, nil
}
