package client

import (
	"context"

	"github.com/snapdeck/snapdeck/model"
)

// readOnlyReason is what a refused mutation says.
const readOnlyReason = "snapdeck runs read-only (--read-only)"

// ReadOnly wraps p so that every mutation is refused here, before any
// request is made, with an *Error of kind ErrReadOnly. Reads, GetResource
// and Events pass through (the latter two answer ErrUnsupported when p has
// no Actions). The result implements Actions either way.
//
// Wrap it in Audited, not the other way round, so refused attempts are
// logged too: Audited(ReadOnly(p), log, account).
func ReadOnly(p Provider) Provider { return readOnly{p} }

// IsReadOnly reports whether p, or a Provider it decorates, refuses
// mutations; the UI uses it to hide them.
func IsReadOnly(p Provider) bool {
	r, ok := p.(interface{ IsReadOnly() bool })
	return ok && r.IsReadOnly()
}

type readOnly struct{ Provider }

var _ Actions = readOnly{}

func (readOnly) IsReadOnly() bool { return true }

func refusedReadOnly() error {
	return &Error{Kind: ErrReadOnly, Reasons: []string{readOnlyReason}}
}

func unsupported(p Provider) error {
	return &Error{Kind: ErrUnsupported, Reasons: []string{p.Name() + " cannot change backups"}}
}

func (r readOnly) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	a, ok := r.Provider.(Actions)
	if !ok {
		return model.Resource{}, unsupported(r.Provider)
	}
	return a.GetResource(ctx, resourceID)
}

func (r readOnly) Events(ctx context.Context, resourceID string) ([]model.Event, error) {
	a, ok := r.Provider.(Actions)
	if !ok {
		return nil, unsupported(r.Provider)
	}
	return a.Events(ctx, resourceID)
}

func (readOnly) TakeSnapshot(context.Context, string, model.SnapshotRequest) (model.Backup, error) {
	return model.Backup{}, refusedReadOnly()
}

func (readOnly) RestoreBackup(context.Context, string, string, string, bool) error {
	return refusedReadOnly()
}

func (readOnly) EnableBackups(context.Context, string) error { return refusedReadOnly() }

func (readOnly) CancelBackups(context.Context, string) error { return refusedReadOnly() }

func (readOnly) SetSchedule(context.Context, string, model.Schedule) (model.Resource, error) {
	return model.Resource{}, refusedReadOnly()
}

func (r readOnly) Restores(ctx context.Context, resourceID string) ([]model.Restore, error) {
	a, ok := r.Provider.(Actions)
	if !ok {
		return nil, unsupported(r.Provider)
	}
	return a.Restores(ctx, resourceID)
}

func (readOnly) DeleteBackup(context.Context, string, string) error { return refusedReadOnly() }

func (readOnly) AbortBackup(context.Context, string, string) error { return refusedReadOnly() }

func (readOnly) SetNote(context.Context, string, string, string) error { return refusedReadOnly() }

// Disks passes through: listing disks changes nothing.
func (r readOnly) Disks(ctx context.Context, resourceID string) ([]model.Disk, error) {
	return disks(ctx, r.Provider, resourceID)
}

// disks lists p's disks when p (or what it decorates) can.
func disks(ctx context.Context, p Provider, resourceID string) ([]model.Disk, error) {
	d, ok := p.(DiskLister)
	if !ok {
		return nil, &Error{Kind: ErrUnsupported, Reasons: []string{p.Name() + " cannot back up one disk"}}
	}
	return d.Disks(ctx, resourceID)
}
