package main

import (
	"context"
	"sync"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// backupKey is how backupsOf keys a resource: its view and its ID, since
// two views (an account's instances and its databases) may share an ID.
func backupKey(fr found) string { return viewName(fr.t) + "\x00" + fr.r.ID }

// backupsOf reads the backups of every resource in fs, keyed by
// backupKey: concurrently, at most client.MaxParallel at once, each
// request paced by its provider's Pacer (the transport's). The first
// failure ends the read and is returned, naming the resource and view.
func backupsOf(ctx context.Context, fs []found) (map[string][]model.Backup, error) {
	out := make(map[string][]model.Backup, len(fs))
	if len(fs) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	sem := make(chan struct{}, client.MaxParallel)
	for _, fr := range fs {
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
				if firstErr == nil {
					firstErr = asked(fr.t, "listing the backups of "+ref(fr.r), err)
					cancel()
				}
				return
			}
			out[backupKey(fr)] = bs
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	return out, nil
}
