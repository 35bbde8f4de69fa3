package client

import (
	"context"

	"github.com/snapdeck/snapdeck/model"
)

// Observe reads what model.Judge needs to judge op on p: on a provider
// that reports progress through events, a snapshot's backups and events or
// a restore target's events; else the backups and the re-read resource.
// The TUI, the CLI's --wait and the SSH server all read through here, so
// they judge from the same facts. An error means this one look failed, not
// the operation: the caller looks again.
func Observe(ctx context.Context, p Provider, op model.Operation) (model.Observation, error) {
	act, _ := p.(Actions)
	obs := model.Observation{ByEvents: p.Info().Caps.Has(model.CapEvents) && act != nil}
	var err error
	if obs.ByEvents {
		if op.Kind == model.OpRestore {
			obs.Events, err = act.Events(ctx, op.TargetID)
			return obs, err
		}
		if obs.Backups, err = p.ListBackups(ctx, op.ResourceID); err != nil {
			return obs, err
		}
		obs.Events, err = act.Events(ctx, op.ResourceID)
		return obs, err
	}
	if obs.Backups, err = p.ListBackups(ctx, op.ResourceID); err != nil {
		return obs, err
	}
	if act != nil {
		// Without the resource the backups still tell a snapshot's story.
		if r, err := act.GetResource(ctx, op.Changed()); err == nil {
			obs.Resource = &r
		}
	}
	return obs, nil
}
