package client

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// reads are the calls that change nothing: never refused by --read-only,
// never logged. Every other method of Actions mutates. A new read is added
// here on purpose; a new mutation needs nothing here.
var reads = map[string]bool{
	"ListResources": true, "ListBackups": true, "GetBackup": true, "Disks": true,
	"GetResource": true, "Events": true, "Restores": true,
}

// callEach calls every method of Provider, Actions and DiskLister but Name
// and Info on v, with made-up arguments, and hands f each one's results.
func callEach(t *testing.T, v any, f func(method string, err error, results []reflect.Value)) int {
	t.Helper()
	return callEachOf(t, v, f, reflect.TypeFor[Provider](), reflect.TypeFor[Actions](), reflect.TypeFor[DiskLister]())
}

// callEachOf is callEach over the methods of the interfaces given.
func callEachOf(t *testing.T, v any, f func(method string, err error, results []reflect.Value), ifaces ...reflect.Type) int {
	t.Helper()
	pv := reflect.ValueOf(v)
	n := 0
	for _, iface := range ifaces {
		for i := 0; i < iface.NumMethod(); i++ {
			name := iface.Method(i).Name
			if name == "Name" || name == "Info" {
				continue
			}
			fn := pv.MethodByName(name)
			if !fn.IsValid() {
				t.Fatalf("%T has no %s", v, name)
			}
			var args []reflect.Value
			for j := 0; j < fn.Type().NumIn(); j++ {
				at := fn.Type().In(j)
				switch {
				case at == reflect.TypeFor[context.Context]():
					args = append(args, reflect.ValueOf(context.Background()))
				case at.Kind() == reflect.String:
					args = append(args, reflect.ValueOf(fmt.Sprintf("%s-%d", name, j)).Convert(at))
				default:
					args = append(args, reflect.Zero(at))
				}
			}
			outs := fn.Call(args)
			err, _ := outs[len(outs)-1].Interface().(error)
			f(name, err, outs[:len(outs)-1])
			n++
		}
	}
	return n
}

// recorder is a layer that keeps every call it sees.
type recorder struct{ calls *[]*call }

func (r recorder) around(c *call, next func() error) error {
	*r.calls = append(*r.calls, c)
	return next()
}

// nothing is a provider whose every action answers ErrUnsupported with the
// error Unsupported gives for that method, which names it.
type nothing struct {
	reader
	Unsupported
}

// TestEveryCallIsDeclared: each method of the interfaces the UI and the CLI
// use passes through a decorator's layer exactly once, declared with an
// audit name of its own, reaches the same method underneath, and, when it
// returns a value, cleans it. A decorator cannot forget an action: it has
// no code per action, and an action without a decorated method does not
// compile (decorated must implement Actions).
func TestEveryCallIsDeclared(t *testing.T) {
	var calls []*call
	inner := nothing{Unsupported: Unsupported{Provider: "under"}}
	d := decorated{p: inner, layer: recorder{&calls}}
	names := map[string]string{}
	direct := map[string]string{} // what Unsupported says for each action
	n := callEach(t, d, func(m string, err error, results []reflect.Value) {
		if len(calls) != 1 {
			t.Fatalf("%s passed through the layer %d times", m, len(calls))
		}
		c := calls[0]
		calls = nil
		if c.rec.Action == "" {
			t.Errorf("%s has no audit name", m)
		} else if prev, dup := names[c.rec.Action]; dup {
			t.Errorf("%s and %s share the audit name %q", m, prev, c.rec.Action)
		}
		names[c.rec.Action] = m
		if c.read != reads[m] {
			t.Errorf("%s declared read=%v; reads are %v", m, c.read, reads)
		}
		if len(results) > 0 && c.clean == nil {
			t.Errorf("%s returns a value but does not clean it", m)
		}
		if err != nil {
			direct[m] = err.Error()
		}
	})
	if n < 15 {
		t.Fatalf("only %d methods called", n)
	}
	// Each action reached its own method underneath: the error is the one
	// Unsupported gives for that very method, which no other gives.
	said := map[string]string{}
	callEachOf(t, inner, func(m string, err error, _ []reflect.Value) {
		if KindOf(err) != ErrUnsupported {
			t.Fatalf("Unsupported.%s: %v, want ErrUnsupported", m, err)
		}
		if prev, dup := said[err.Error()]; dup {
			t.Errorf("Unsupported.%s and .%s both say %q", m, prev, err)
		}
		said[err.Error()] = m
		if direct[m] != err.Error() {
			t.Errorf("%s through the layer: %q, underneath: %q", m, direct[m], err)
		}
	}, reflect.TypeFor[Actions]())
}

// TestEveryMutationIsRefusedAndLogged: through Audited(ReadOnly(p)) every
// mutation of Actions is refused with one "refused" line, every read passes
// unlogged; through Audited(p) every mutation has its "sent" line and its
// outcome, paired, and every read none.
func TestEveryMutationIsRefusedAndLogged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	inner := nothing{Unsupported: Unsupported{Provider: "under"}}

	mutations := 0
	callEach(t, Audited(ReadOnly(inner), log, "ro"), func(m string, err error, _ []reflect.Value) {
		if reads[m] {
			if KindOf(err) == ErrReadOnly {
				t.Errorf("read %s refused", m)
			}
			return
		}
		mutations++
		if KindOf(err) != ErrReadOnly {
			t.Errorf("%s under --read-only: %v", m, err)
		}
	})
	lines := readLines(t, path)
	if len(lines) != mutations {
		t.Fatalf("%d lines for %d refused mutations", len(lines), mutations)
	}
	for _, l := range lines {
		if l["outcome"] != "refused" || l["account"] != "ro" || l["attempt"] != nil {
			t.Errorf("refusal: %v", l)
		}
	}

	callEach(t, Audited(inner, log, "rw"), func(m string, err error, _ []reflect.Value) {
		if !reads[m] && KindOf(err) != ErrUnsupported {
			t.Errorf("%s: %v", m, err)
		}
	})
	all := readLines(t, path)[mutations:]
	out := outcomes(t, all)
	if len(out) != mutations || len(all) != 2*mutations {
		t.Fatalf("%d outcome lines of %d for %d mutations", len(out), len(all), mutations)
	}
	for _, l := range out {
		if l["outcome"] != "error" || l["account"] != "rw" || l["attempt"] == nil {
			t.Errorf("outcome: %v", l)
		}
	}
}

// TestEveryErrorIsSanitized: through Sanitized, the error of every call is
// inert and still an *Error of its kind, whatever the provider's name holds.
func TestEveryErrorIsSanitized(t *testing.T) {
	p := Sanitized(nothing{Unsupported: Unsupported{Provider: hostileText}})
	callEach(t, p, func(m string, err error, _ []reflect.Value) {
		if m == "ListResources" || m == "ListBackups" || m == "GetBackup" {
			return // reader's, which answers without error
		}
		if KindOf(err) != ErrUnsupported {
			t.Fatalf("%s: %v", m, err)
		}
		assertInert(t, m+" error", err.Error())
	})
}
