package main

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// backupsKey is the key of fr's backups in what backupsOf returns: its
// view and resource ID (IDs are unique only within a view).
func backupsKey(fr found) string { return viewName(fr.t) + "\x00" + fr.r.ID }

// backupsOf reads the backups of every resource of fs whose backup service
// is on (one that is off has none to read), keyed by backupsKey. The reads
// run concurrently, at most client.MaxParallel at a time; each provider's
// transport paces them inside its rate limit. The first error ends the
// others and is returned, naming what was asked.
func backupsOf(ctx context.Context, fs []found) (map[string][]model.Backup, error) {
	var mu sync.Mutex
	out := make(map[string][]model.Backup, len(fs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(client.MaxParallel)
	for _, fr := range fs {
		if !fr.r.BackupsEnabled {
			continue
		}
		if gctx.Err() != nil {
			break // a read failed: ask for no more
		}
		g.Go(func() error {
			bs, err := fr.t.p.ListBackups(gctx, fr.r.ID)
			if err != nil {
				return asked(fr.t, "listing the backups of "+ref(fr.r), err)
			}
			mu.Lock()
			out[backupsKey(fr)] = bs
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
