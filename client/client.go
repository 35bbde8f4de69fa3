// Package client defines how the UI reaches a cloud: the Provider interface,
// spoken in model types, and the errors every adapter returns. Adapters live
// in sub-packages, one per provider.
package client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// PageSize is the largest page the Linode API serves; fewer pages means fewer
// round trips and less pressure on the rate limit.
const PageSize = 500

// MaxParallel bounds the requests one account has in flight: enough to read
// the 19 pages after the first of a 10,000-Linode fleet in one wave, few
// enough to stay far inside the API's 800 requests a minute.
const MaxParallel = 20

// Filter narrows a resource listing on the server side. Empty fields match all.
type Filter struct {
	Label  string
	Region string
	Tag    string
}

// Matches applies f as a provider that cannot filter on the server does:
// each set field a case-insensitive substring of the label, the region (or
// project, hypervisor) or one of the tags.
func (f Filter) Matches(label, region string, tags []string) bool {
	has := func(s, q string) bool {
		return strings.Contains(strings.ToLower(s), strings.ToLower(strings.TrimSpace(q)))
	}
	if f.Label != "" && !has(label, f.Label) {
		return false
	}
	if f.Region != "" && !has(region, f.Region) {
		return false
	}
	if f.Tag == "" {
		return true
	}
	for _, t := range tags {
		if has(t, f.Tag) {
			return true
		}
	}
	return false
}

// ResourcePage is one page of a resource listing.
type ResourcePage struct {
	Items []model.Resource
	Page  int // 1-based
	Pages int
	Total int
}

// Provider is one account at one cloud, as the UI sees it.
type Provider interface {
	// Name identifies the provider ("linode").
	Name() string
	// Info describes its resources and what it can do to them.
	Info() model.ProviderInfo
	// ListResources reads one page (1-based) of the account's resources.
	ListResources(ctx context.Context, page int, f Filter) (ResourcePage, error)
	// ListBackups reads every backup and snapshot of one resource.
	ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error)
	// GetBackup reads one backup of one resource.
	GetBackup(ctx context.Context, resourceID, backupID string) (model.Backup, error)
}

// ErrorKind classifies a failure so the UI can say what to do about it.
type ErrorKind int

const (
	ErrOther       ErrorKind = iota
	ErrAuth                  // 401/403: token missing, wrong or lacking scope
	ErrNotFound              // 404
	ErrRateLimited           // 429 after the retries the client allows
	ErrTimeout               // no answer in time
	ErrServer                // 5xx
	ErrInvalid               // 4xx other than the above: the request was refused
	ErrMalformed             // the reply could not be decoded
	ErrNetwork               // the connection failed
	ErrReadOnly              // refused here: the account is read-only
	ErrUnsupported           // the provider cannot do this
)

// Error is what every adapter returns for a failed call.
type Error struct {
	Kind    ErrorKind
	Status  int      // HTTP status, 0 when there was no reply
	Reasons []string // the API's own reasons, field-prefixed where given
	// RetryAfter is how long the API asked us to wait, when it said.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	switch e.Kind {
	case ErrAuth:
		b.WriteString("not authorised")
	case ErrNotFound:
		b.WriteString("not found")
	case ErrRateLimited:
		b.WriteString("rate limited")
	case ErrTimeout:
		b.WriteString("timed out")
	case ErrServer:
		b.WriteString("server error")
	case ErrInvalid:
		b.WriteString("request refused")
	case ErrMalformed:
		b.WriteString("unreadable reply")
	case ErrNetwork:
		b.WriteString("connection failed")
	case ErrReadOnly:
		b.WriteString("refused: read-only mode")
	case ErrUnsupported:
		b.WriteString("not supported")
	default:
		b.WriteString("error")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if len(e.Reasons) > 0 {
		b.WriteString(": ")
		b.WriteString(strings.Join(e.Reasons, "; "))
	} else if e.Err != nil && e.Kind != ErrTimeout {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	if e.Kind == ErrRateLimited && e.RetryAfter > 0 {
		fmt.Fprintf(&b, " — try again in %s", e.RetryAfter.Round(time.Second))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Uncertain reports whether a mutation that failed with err may still have
// been made: there was no reply, a 5xx, or a reply that could not be read.
// Such an outcome must be found out by re-reading, never by resending.
func Uncertain(err error) bool {
	if err == nil {
		return false
	}
	switch KindOf(err) {
	case ErrTimeout, ErrNetwork, ErrServer, ErrMalformed:
		return true
	case ErrOther:
		return errors.Is(err, context.Canceled)
	}
	return false
}

// KindOf returns the ErrorKind of err, or ErrOther.
func KindOf(err error) ErrorKind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ErrOther
}
