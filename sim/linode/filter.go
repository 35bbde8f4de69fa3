package linode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

type predicate[T any] func(T) bool

// fields resolves a filterable field name to a reader of its values as
// strings (tags may have several).
type fields[T any] func(name string) (func(T) []string, bool)

// reasonError carries the API's own wording, capitalised as the API does.
type reasonError string

func (e reasonError) Error() string { return string(e) }

// compileFilter turns an X-Filter header into a predicate up front, so a bad
// filter is refused even when nothing would be compared against it.
func compileFilter[T any](header string, field fields[T]) (predicate[T], error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(header)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("X-Filter is not valid JSON")
	}
	if dec.More() {
		return nil, fmt.Errorf("X-Filter is not valid JSON")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("X-Filter must be a JSON object")
	}
	return compileObject(obj, field)
}

// compileObject ANDs every key of one filter object.
func compileObject[T any](obj map[string]any, field fields[T]) (predicate[T], error) {
	var preds []predicate[T]
	for k, v := range obj {
		switch k {
		case "+or", "+and":
			arr, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s must be a list of filter objects", k)
			}
			var subs []predicate[T]
			for _, x := range arr {
				o, ok := x.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("%s must be a list of filter objects", k)
				}
				p, err := compileObject(o, field)
				if err != nil {
					return nil, err
				}
				subs = append(subs, p)
			}
			preds = append(preds, combine(subs, k == "+or"))
		case "+order_by", "+order":
			// Ordering is accepted and ignored: each listing has one order
			// (instances by ID, events newest first).
		default:
			if strings.HasPrefix(k, "+") {
				return nil, fmt.Errorf("unknown filter operator %q", k)
			}
			p, err := compileField(k, v, field)
			if err != nil {
				return nil, err
			}
			preds = append(preds, p)
		}
	}
	return combine(preds, false), nil
}

func combine[T any](ps []predicate[T], or bool) predicate[T] {
	return func(in T) bool {
		if len(ps) == 0 {
			return true
		}
		for _, p := range ps {
			if p(in) == or {
				return or
			}
		}
		return !or
	}
}

// instanceField reads a filterable field of an Instance.
func instanceField(name string) (func(*Instance) []string, bool) {
	one := func(f func(*Instance) string) func(*Instance) []string {
		return func(in *Instance) []string { return []string{f(in)} }
	}
	switch name {
	case "label":
		return one(func(in *Instance) string { return in.Label }), true
	case "region":
		return one(func(in *Instance) string { return in.Region }), true
	case "type":
		return one(func(in *Instance) string { return in.Type }), true
	case "status":
		return one(func(in *Instance) string { return in.Status }), true
	case "image":
		return one(func(in *Instance) string { return in.Image }), true
	case "group":
		return one(func(in *Instance) string { return in.Group }), true
	case "id":
		return one(func(in *Instance) string { return strconv.Itoa(in.ID) }), true
	case "tags":
		return func(in *Instance) []string { return in.Tags }, true
	}
	return nil, false
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func compileField[T any](name string, v any, field fields[T]) (predicate[T], error) {
	get, ok := field(name)
	if !ok {
		return nil, reasonError("Cannot filter on " + name)
	}
	anyOf := func(test func(string) bool) predicate[T] {
		return func(in T) bool {
			for _, s := range get(in) {
				if test(s) {
					return true
				}
			}
			return false
		}
	}
	if want, ok := scalar(v); ok {
		return anyOf(func(s string) bool { return s == want }), nil
	}
	ops, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("invalid filter value for %s", name)
	}
	var preds []predicate[T]
	for op, ov := range ops {
		want, ok := scalar(ov)
		if !ok {
			return nil, fmt.Errorf("invalid value for %s %s", name, op)
		}
		var p predicate[T]
		switch op {
		case "+contains":
			p = anyOf(func(s string) bool { return strings.Contains(s, want) })
		case "+eq":
			p = anyOf(func(s string) bool { return s == want })
		case "+neq":
			p = func(in T) bool { return !anyOf(func(s string) bool { return s == want })(in) }
		case "+gt", "+gte", "+lt", "+lte":
			p = anyOf(compare(op, want))
		default:
			return nil, fmt.Errorf("unknown filter operator %q", op)
		}
		preds = append(preds, p)
	}
	return combine(preds, false), nil
}

// compare orders numerically when both sides are numbers, else as strings.
func compare(op, want string) func(string) bool {
	return func(s string) bool {
		var c int
		a, errA := strconv.ParseFloat(s, 64)
		b, errB := strconv.ParseFloat(want, 64)
		switch {
		case errA == nil && errB == nil:
			c = cmpFloat(a, b)
		default:
			c = strings.Compare(s, want)
		}
		switch op {
		case "+gt":
			return c > 0
		case "+gte":
			return c >= 0
		case "+lt":
			return c < 0
		}
		return c <= 0
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
