package client

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/snapdeck/snapdeck/model"
)

// ReadPage reads one page (1-based) of a resource listing.
type ReadPage func(ctx context.Context, page int) (ResourcePage, error)

// PagesOf reads the pages of p's listing of the resources matching f.
func PagesOf(p Provider, f Filter) ReadPage {
	return func(ctx context.Context, page int) (ResourcePage, error) {
		return p.ListResources(ctx, page, f)
	}
}

// LoadPages is the one resource listing of every surface (the TUI, the
// commands, serve): page 1, which says how many pages there are, then every
// other page at once, at most MaxParallel requests in flight, so that a
// 10,000-Linode fleet costs two round trips of waiting rather than twenty.
//
// first, when not nil, is page 1 already read: it is delivered, not read
// again. each gets every page as it arrives (page 1 first, the rest in the
// order they are answered), in the caller's goroutine, one at a time; page
// is the page's number. The page count is page 1's: a fleet that changes
// while it is read is read as page 1 saw it.
//
// The first failed read ends the listing: the reads still out are
// cancelled and its error is returned, and no page is delivered after it.
// When ctx ends first, ContextError(ctx) is returned. LoadPages returns only
// once every read it started has returned.
func LoadPages(ctx context.Context, read ReadPage, first *ResourcePage, each func(page int, res ResourcePage)) error {
	var p1 ResourcePage
	if first != nil {
		p1 = *first
	} else {
		var err error
		if p1, err = read(ctx, 1); err != nil {
			return err
		}
	}
	pages := max(p1.Pages, 1) // an empty listing may say 0
	// Adapters check the count in their decode (CheckPages); this bounds a
	// listing whatever the provider: at most MaxResources resources, as
	// many a page as page 1 holds.
	if limit := MaxPagesOf(len(p1.Items)); pages > limit {
		return &Error{Kind: ErrMalformed, Err: fmt.Errorf("the reply claims %d pages of %d; more than %d resources are not read", pages, len(p1.Items), MaxResources)}
	}
	each(1, p1)
	if pages == 1 {
		return nil
	}

	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type reply struct {
		page int
		res  ResourcePage
		err  error
	}
	replies := make(chan reply)
	var next atomic.Int64 // the next page to ask for
	next.Store(2)
	var wg sync.WaitGroup
	for range min(MaxParallel, pages-1) {
		wg.Go(func() {
			for lctx.Err() == nil {
				page := int(next.Add(1) - 1)
				if page > pages {
					return
				}
				res, err := read(lctx, page)
				select {
				case replies <- reply{page, res, err}:
				case <-lctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(replies)
	}()

	var failed error
	delivered := 1
	for r := range replies {
		switch {
		case failed != nil:
			// The rest of a failed listing is drained, not delivered.
		case r.err != nil:
			failed = r.err
			cancel()
		default:
			each(r.page, r.res)
			delivered++
		}
	}
	if failed != nil {
		return failed
	}
	if delivered < pages {
		return ContextError(ctx)
	}
	return nil
}

// LoadAll reads every resource of p matching f through LoadPages and
// returns them in list order: page 1's, then page 2's, and so on.
func LoadAll(ctx context.Context, p Provider, f Filter) ([]model.Resource, error) {
	var byPage [][]model.Resource
	err := LoadPages(ctx, PagesOf(p, f), nil, func(page int, res ResourcePage) {
		if page == 1 {
			byPage = make([][]model.Resource, max(res.Pages, 1))
		}
		byPage[page-1] = res.Items
	})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, items := range byPage {
		n += len(items)
	}
	out := make([]model.Resource, 0, n)
	for _, items := range byPage {
		out = append(out, items...)
	}
	return out, nil
}
