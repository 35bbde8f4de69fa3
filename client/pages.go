package client

import (
	"errors"
	"fmt"
)

// MaxResources bounds how many resources one listing may claim: ten times
// the largest fleet snapdeck is measured with. A reply claiming more pages
// than this fills (300,000 pages of Linodes) is refused rather than read:
// the UI would start a fetch per page, the CLI send one request per page.
const MaxResources = 100_000

// MaxPagesOf is the most pages of pageSize a listing may have.
func MaxPagesOf(pageSize int) int {
	if pageSize < 1 {
		pageSize = 1
	}
	return (MaxResources + pageSize - 1) / pageSize
}

// CheckPages is where a page count from a provider enters: every adapter
// that reads one passes it here in its decode, so the TUI and the CLI get
// the same bound. pages must be at least 1, no more than results ÷
// pageSize (rounded up, at least 1) when the provider gives results
// (results < 0: it does not), and no more than MaxPagesOf(pageSize).
func CheckPages(pages, results, pageSize int) error {
	bad := func(why string) error {
		return &Error{Kind: ErrMalformed, Err: errors.New(why)}
	}
	switch {
	case pages < 1:
		return bad(fmt.Sprintf("the reply claims %d pages", pages))
	case results >= 0 && pages > max(1, ceilDiv(results, pageSize)):
		return bad(fmt.Sprintf("the reply claims %d pages for %d results of %d a page", pages, results, pageSize))
	case pages > MaxPagesOf(pageSize):
		return bad(fmt.Sprintf("the reply claims %d pages of %d; more than %d resources are not read", pages, pageSize, MaxResources))
	}
	return nil
}

func ceilDiv(n, d int) int {
	d = max(d, 1)
	q := n / d
	if n%d != 0 {
		q++
	}
	return q
}
