package client

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/snapdeck/snapdeck/model"
)

// The escapes a provider could slip into any string it returns: an OSC 8
// hyperlink, a C1 CSI screen clear, a bidi override, a title set.
const hostileText = "\x1b]8;;http://x\x1b\\label\x1b]8;;\x1b\\-\u009b2J-\u202egnp.exe-\x1b]0;pwned\x07"

// fillHostile sets every string reachable from v (a pointer) to hostileText:
// struct fields, slices (given two elements), pointers, whatever is added to
// the model later. Func fields are left alone.
func fillHostile(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		fillHostile(v.Elem())
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillHostile(v.Field(i))
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fillHostile(s.Index(i))
		}
		v.Set(s)
	case reflect.String:
		v.SetString(hostileText)
	}
}

func hostileOf[T any]() T {
	var x T
	fillHostile(reflect.ValueOf(&x))
	return x
}

// strings reachable from v, with the path to each.
func allStrings(v reflect.Value, path string, f func(path, s string)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			allStrings(v.Elem(), path, f)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				allStrings(v.Field(i), path+"."+v.Type().Field(i).Name, f)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			allStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), f)
		}
	case reflect.String:
		f(path, v.String())
	}
}

// assertInert fails unless s could be drawn on a terminal as it is.
func assertInert(t *testing.T, where, s string) {
	t.Helper()
	for _, r := range s {
		if r == 0x1b || r == 0x9b || r == 0x9d || r == 0x202e || (unicode.IsControl(r) && r != ' ') {
			t.Errorf("%s: %q still holds %U", where, s, r)
			return
		}
	}
	if strings.HasSuffix(where, "ID") {
		// An ID is quoted, never cleaned into another ID (model.SanitizeID):
		// its escapes stay visible as text and the path builder refuses it.
		if s != "" && !strings.Contains(s, `\`) {
			t.Errorf("%s: %q was cleaned into a usable ID", where, s)
		}
	} else if strings.Contains(s, "http://x") || strings.Contains(s, "pwned") {
		t.Errorf("%s: %q kept the body of an escape sequence", where, s)
	}
	if !model.Inert(s) {
		t.Errorf("%s: %q is not inert", where, s)
	}
}

// hostileProvider returns hostileText in every string of every value, and
// an error whose reasons and cause carry it too. An action it does not
// define answers ErrUnsupported naming a hostile provider.
type hostileProvider struct{ Unsupported }

func hostileErr() error {
	return &Error{Kind: ErrInvalid, Status: 400, Reasons: []string{"label: " + hostileText},
		Err: fmt.Errorf("cause %s: %w", hostileText, context.Canceled)}
}

func (hostileProvider) Name() string             { return "hostile" }
func (hostileProvider) Info() model.ProviderInfo { return model.ProviderInfo{Name: "hostile"} }
func (hostileProvider) ListResources(context.Context, int, Filter) (ResourcePage, error) {
	return hostileOf[ResourcePage](), hostileErr()
}
func (hostileProvider) ListBackups(context.Context, string) ([]model.Backup, error) {
	return hostileOf[[]model.Backup](), hostileErr()
}
func (hostileProvider) GetBackup(context.Context, string, string) (model.Backup, error) {
	return hostileOf[model.Backup](), hostileErr()
}
func (hostileProvider) GetResource(context.Context, string) (model.Resource, error) {
	return hostileOf[model.Resource](), hostileErr()
}
func (hostileProvider) TakeSnapshot(context.Context, string, model.SnapshotRequest) (model.Backup, error) {
	return hostileOf[model.Backup](), hostileErr()
}
func (hostileProvider) RestoreBackup(context.Context, string, string, string, bool) error {
	return hostileErr()
}
func (hostileProvider) EnableBackups(context.Context, string) error { return hostileErr() }
func (hostileProvider) CancelBackups(context.Context, string) error { return hostileErr() }
func (hostileProvider) SetSchedule(context.Context, string, model.Schedule) (model.Resource, error) {
	return hostileOf[model.Resource](), hostileErr()
}
func (hostileProvider) Events(context.Context, string) ([]model.Event, error) {
	return hostileOf[[]model.Event](), hostileErr()
}
func (hostileProvider) DeleteBackup(context.Context, string, string) error { return hostileErr() }
func (hostileProvider) AbortBackup(context.Context, string, string) error  { return hostileErr() }
func (hostileProvider) SetNote(context.Context, string, string, string) error {
	return hostileErr()
}
func (hostileProvider) Restores(context.Context, string) ([]model.Restore, error) {
	return hostileOf[[]model.Restore](), hostileErr()
}
func (hostileProvider) Disks(context.Context, string) ([]model.Disk, error) {
	return hostileOf[[]model.Disk](), hostileErr()
}

// Every method of every interface the UI and the CLI use, called through
// Sanitized on a provider that puts escapes in every string it can: every
// string field of every result (found by reflection, so a field added to the
// model later is checked too) and every error's text come out inert, and the
// errors still classify as they did.
func TestSanitizedLeavesNoStringOfAnyResultHostile(t *testing.T) {
	p := Sanitized(hostileProvider{Unsupported{Provider: hostileText}})
	if _, ok := p.(Actions); !ok {
		t.Fatal("Sanitized hides Actions")
	}
	if _, ok := p.(DiskLister); !ok {
		t.Fatal("Sanitized hides DiskLister")
	}
	pv := reflect.ValueOf(p)
	calls := 0
	for _, iface := range []reflect.Type{
		reflect.TypeFor[Provider](), reflect.TypeFor[Actions](), reflect.TypeFor[DiskLister](),
	} {
		for i := 0; i < iface.NumMethod(); i++ {
			m := iface.Method(i)
			if m.Name == "Name" || m.Name == "Info" {
				continue // snapdeck's own constants, not provider text
			}
			fn := pv.MethodByName(m.Name)
			var args []reflect.Value
			for j := 0; j < fn.Type().NumIn(); j++ {
				at := fn.Type().In(j)
				if at == reflect.TypeFor[context.Context]() {
					args = append(args, reflect.ValueOf(context.Background()))
				} else {
					args = append(args, reflect.Zero(at))
				}
			}
			calls++
			for k, out := range fn.Call(args) {
				where := fmt.Sprintf("%s result %d", m.Name, k)
				if err, ok := out.Interface().(error); ok {
					if KindOf(err) == ErrUnsupported {
						// An action the fixture lacks: its error only.
						assertInert(t, where+" text", err.Error())
						continue
					}
					checkCleanError(t, where, err)
					continue
				}
				n := 0
				allStrings(out, where, func(path, s string) {
					n++
					assertInert(t, path, s)
				})
				if n == 0 && out.Kind() != reflect.Bool {
					t.Errorf("%s: no strings came back; the fixture did not fill it", where)
				}
			}
		}
	}
	if calls < 15 {
		t.Fatalf("only %d methods called", calls)
	}
}

func checkCleanError(t *testing.T, where string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: the error was lost", where)
	}
	assertInert(t, where+" text", err.Error())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: errors.As no longer finds the *Error", where)
	}
	for _, r := range e.Reasons {
		assertInert(t, where+" reason", r)
	}
	if KindOf(err) != ErrInvalid || e.Status != 400 {
		t.Errorf("%s: kind %v status %d, want ErrInvalid 400", where, KindOf(err), e.Status)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%s: errors.Is no longer finds context.Canceled", where)
	}
	if e.Err != nil {
		assertInert(t, where+" cause", e.Err.Error())
	}
}

// An error that is not an *Error (a library's, wrapped by fmt.Errorf) gets
// clean text too, and keeps what it wraps.
func TestSanitizeErrorOfForeignErrors(t *testing.T) {
	base := errors.New("dial " + hostileText)
	for _, err := range []error{
		base,
		fmt.Errorf("listing: %w", base),
		errors.Join(base, context.DeadlineExceeded),
		fmt.Errorf("account x: %w", hostileErr()),
	} {
		got := SanitizeError(err)
		assertInert(t, "foreign", got.Error())
		if !errors.Is(got, base) && !errors.Is(err, context.Canceled) {
			t.Errorf("%q: errors.Is lost the original", got)
		}
		var e *Error
		if errors.As(err, &e) {
			if !errors.As(got, &e) {
				t.Fatalf("%q: errors.As lost the *Error", got)
			}
			for _, r := range e.Reasons {
				assertInert(t, "wrapped reason", r)
			}
		}
	}
	plain := errors.New("connection refused")
	if SanitizeError(plain) != plain {
		t.Error("an inert error was replaced")
	}
	if SanitizeError(context.Canceled) != context.Canceled {
		t.Error("context.Canceled was replaced")
	}
}

// The decorators stack as they are wired, and hide nothing.
func TestSanitizedKeepsReadOnlyAndUnsupported(t *testing.T) {
	if !IsReadOnly(ReadOnly(Sanitized(reader{}))) || !IsReadOnly(Sanitized(ReadOnly(reader{}))) {
		t.Error("read-only lost through Sanitized")
	}
	if IsReadOnly(Sanitized(reader{})) {
		t.Error("Sanitized made a provider read-only")
	}
	p := Sanitized(reader{})
	if Sanitized(p) != p {
		t.Error("Sanitized wraps twice")
	}
	if err := p.(Actions).DeleteBackup(context.Background(), "1", "2"); KindOf(err) != ErrUnsupported {
		t.Errorf("a provider without Actions: %v, want ErrUnsupported", err)
	}
	if _, err := p.(DiskLister).Disks(context.Background(), "1"); KindOf(err) != ErrUnsupported {
		t.Errorf("a provider without disks: %v, want ErrUnsupported", err)
	}
}
