package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

// Fault is one way a cloud API (or what stands in front of it) misbehaves.
type Fault int

// Faults that answer before the handler runs: a mutation is not applied.
const (
	FaultNone       Fault = iota
	Fault500              // 500 with the provider's error body
	Fault502              // 502 with a JSON body
	Fault503              // 503 with a JSON body
	Fault429              // 429 with Retry-After (Faults.RetryAfter)
	FaultReset            // the connection is closed with no reply
	FaultHang             // no reply until the client gives up
	FaultHTML             // 502 from a load balancer: text/html
	FaultTruncated        // 200, application/json, the body cut mid-way
	FaultWrongTypes       // 200, valid JSON, strings and numbers swapped
	FaultMissing          // 200, valid JSON, ids, labels and paging left out
	FaultHuge             // 200, a valid JSON body of Faults.HugeBytes (10 MB)
	FaultDrip             // 200, the real body trickled a few bytes at a time
	FaultLost500          // the handler runs (state changes), then a 500 replaces its reply
	FaultLostReset        // the handler runs, then the connection is closed
	numFaults
)

var faultNames = [...]string{"none", "500", "502", "503", "429", "reset", "hang", "html", "truncated",
	"wrong-types", "missing-fields", "10MB", "drip", "lost-500", "lost-reset"}

func (f Fault) String() string {
	if f >= 0 && f < numFaults {
		return faultNames[f]
	}
	return "fault(" + strconv.Itoa(int(f)) + ")"
}

// AllFaults lists every fault, FaultNone excluded.
func AllFaults() []Fault {
	out := make([]Fault, 0, numFaults-1)
	for f := Fault500; f < numFaults; f++ {
		out = append(out, f)
	}
	return out
}

// AfterHandler reports whether the fault lets the handler run first, so a
// mutation is applied and only its reply is spoiled.
func (f Fault) AfterHandler() bool {
	switch f {
	case FaultTruncated, FaultWrongTypes, FaultMissing, FaultHuge, FaultDrip, FaultLost500, FaultLostReset:
		return true
	}
	return false
}

// Faults switch the simulator's fault injection. The zero value injects
// nothing. They apply after auth and the rate limit, and after FailNext.
type Faults struct {
	// Next are the faults of the next matching requests, one each, in order.
	Next []Fault
	// Rate is the chance (0–1) that a matching request beyond Next gets a
	// fault drawn from Mix (default: AllFaults).
	Rate float64
	Mix  []Fault
	// Seed seeds the draws, so a run is repeatable.
	Seed uint64
	// Match limits faults to the requests it accepts; nil accepts all.
	Match func(*http.Request) bool
	// RetryAfter is what a 429 asks for; default 1s (whole seconds).
	RetryAfter time.Duration
	// HugeBytes is the size of FaultHuge's body; default 10 MB.
	HugeBytes int
	// DripEvery is the pause between FaultDrip's chunks of DripBytes
	// (default 50ms, 16 bytes).
	DripEvery time.Duration
	DripBytes int
}

// Burst is n of the same fault, for Faults.Next.
func Burst(f Fault, n int) []Fault {
	out := make([]Fault, n)
	for i := range out {
		out[i] = f
	}
	return out
}

// faultState is the live copy of Faults; guarded by Chassis.mu.
type faultState struct {
	cfg    Faults
	next   []Fault
	rng    *rand.Rand
	served [numFaults]int64
}

// SetFaults replaces the fault configuration; Faults{} turns faults off.
// Requests already being faulted (a hang, a drip) carry on until their
// client gives up.
func (s *Chassis) SetFaults(f Faults) {
	if f.RetryAfter <= 0 {
		f.RetryAfter = time.Second
	}
	if f.HugeBytes <= 0 {
		f.HugeBytes = 10 << 20
	}
	if f.DripEvery <= 0 {
		f.DripEvery = 50 * time.Millisecond
	}
	if f.DripBytes <= 0 {
		f.DripBytes = 16
	}
	if len(f.Mix) == 0 {
		f.Mix = AllFaults()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = faultState{cfg: f, next: append([]Fault(nil), f.Next...), rng: rand.New(rand.NewPCG(f.Seed, f.Seed^0x5eed)),
		served: s.faults.served}
}

// FaultsServed counts the requests that got fault f, over the server's life.
func (s *Chassis) FaultsServed(f Fault) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f < 0 || f >= numFaults {
		return 0
	}
	return s.faults.served[f]
}

// pickFault decides the fault of one request.
func (s *Chassis) pickFault(r *http.Request) (Fault, Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := &s.faults
	if fs.rng == nil || (len(fs.next) == 0 && fs.cfg.Rate <= 0) {
		return FaultNone, Faults{}
	}
	if fs.cfg.Match != nil && !fs.cfg.Match(r) {
		return FaultNone, Faults{}
	}
	f := FaultNone
	switch {
	case len(fs.next) > 0:
		f, fs.next = fs.next[0], fs.next[1:]
	case fs.rng.Float64() < fs.cfg.Rate:
		f = fs.cfg.Mix[fs.rng.IntN(len(fs.cfg.Mix))]
	}
	if f > FaultNone && f < numFaults {
		fs.served[f]++
	}
	return f, fs.cfg
}

// serveFault answers r with fault f; false means f is FaultNone and the
// request should be served normally.
func (s *Chassis) serveFault(w http.ResponseWriter, r *http.Request, f Fault, cfg Faults) bool {
	if f == FaultNone {
		return false
	}
	if !f.AfterHandler() {
		// A hung or refused request still has its body read, so that
		// net/http notices the client hanging up (see ServeHTTP).
		drainBody(r)
	}
	switch f {
	case Fault500, Fault502, Fault503:
		status := map[Fault]int{Fault500: 500, Fault502: 502, Fault503: 503}[f]
		s.d.Error(w, status, http.StatusText(status)+" (simulated)")
	case Fault429:
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(cfg.RetryAfter/time.Second))))
		s.d.Error(w, http.StatusTooManyRequests, "Too many requests")
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
	case FaultReset:
		resetConn(w)
	case FaultHang:
		<-r.Context().Done()
	default:
		// The handler runs for real: its state change happens.
		rec := httptest.NewRecorder()
		s.dispatch(rec, r)
		drainBody(r)
		s.spoil(w, r, f, cfg, rec)
	}
	return true
}

// spoil sends a spoiled version of a reply the handler really made.
func (s *Chassis) spoil(w http.ResponseWriter, r *http.Request, f Fault, cfg Faults, rec *httptest.ResponseRecorder) {
	body := rec.Body.Bytes()
	status := rec.Code
	w.Header().Set("Content-Type", "application/json")
	switch f {
	case FaultLost500:
		s.d.Error(w, http.StatusInternalServerError, "Internal Server Error (simulated, after the change was made)")
		return
	case FaultLostReset:
		resetConn(w)
		return
	case FaultTruncated:
		w.WriteHeader(status)
		_, _ = w.Write(body[:len(body)/2])
		return
	case FaultWrongTypes:
		body = rewrite(body, swapTypes)
	case FaultMissing:
		body = rewrite(body, s.dropFields)
	case FaultHuge:
		pad := max(cfg.HugeBytes-len(body), 0)
		var b bytes.Buffer
		b.Grow(len(body) + pad + 16)
		b.WriteString(`{"padding":"`)
		b.Write(bytes.Repeat([]byte("x"), pad))
		b.WriteString(`"`)
		if rest := bytes.TrimPrefix(bytes.TrimSpace(body), []byte("{")); len(rest) > 1 {
			b.WriteString(",")
			b.Write(rest)
		} else {
			b.WriteString("}")
		}
		body = b.Bytes()
	case FaultDrip:
		w.WriteHeader(status)
		fl, _ := w.(http.Flusher)
		t := time.NewTicker(cfg.DripEvery)
		defer t.Stop()
		for len(body) > 0 {
			n := min(cfg.DripBytes, len(body))
			if _, err := w.Write(body[:n]); err != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
			body = body[n:]
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
		}
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// resetConn closes the connection with no reply. Over a socket it sends a
// TCP reset; without one (sim.InProcess) it aborts the handler, which the
// in-process transport turns into an error.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	c, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST, not FIN
	}
	_ = c.Close()
}

func drainBody(r *http.Request) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
}

// rewrite applies fn to every JSON object in body; a body that is not JSON
// is returned as it is.
func rewrite(body []byte, fn func(map[string]any)) []byte {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return body
	}
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for _, c := range x {
				walk(c)
			}
			fn(x)
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

// swapTypes turns strings into numbers, numbers into strings, and booleans
// into strings.
func swapTypes(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case string:
			m[k] = 12345
		case float64:
			m[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			m[k] = strconv.FormatBool(v)
		}
	}
}

// dropFields removes what identifies an item and what pages a list.
func (s *Chassis) dropFields(m map[string]any) {
	for _, k := range s.d.Identity {
		delete(m, k)
	}
}
