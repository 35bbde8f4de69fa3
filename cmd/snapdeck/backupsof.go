package main

import (
	"context"
	"sync"

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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		out   = make(map[string][]model.Backup, len(fs))
		first error
		wg    sync.WaitGroup
		sem   = make(chan struct{}, client.MaxParallel)
	)
	for _, fr := range fs {
		if !fr.r.BackupsEnabled {
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			bs, err := fr.t.p.ListBackups(ctx, fr.r.ID)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if first == nil {
					first = asked(fr.t, "listing the backups of "+ref(fr.r), err)
					cancel()
				}
				return
			}
			out[backupsKey(fr)] = bs
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}
