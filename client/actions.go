package client

import (
	"context"
	"fmt"

	"github.com/snapdeck/snapdeck/model"
)

// This file is where an action is declared. Adding one is three edits here
// (a method on Actions, its Unsupported answer, its decorated method, which
// names it and what the audit log records of it) plus the adapters that
// support it. The decorators (ReadOnly, Audited, Sanitized) have no code
// per action: each is a layer that decorated runs around every call.

// Actions change backups. A Provider that can change anything implements it
// too; the UI finds out with a type assertion.
type Actions interface {
	// GetResource re-reads one resource.
	GetResource(ctx context.Context, resourceID string) (model.Resource, error)
	// TakeSnapshot starts a manual snapshot or backup; on Linode it
	// replaces the previous one.
	TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error)
	// RestoreBackup restores a backup of resourceID onto targetID; with
	// overwrite the target's disks and configs are erased first.
	RestoreBackup(ctx context.Context, resourceID, backupID, targetID string, overwrite bool) error
	// EnableBackups turns the (paid) backup service on.
	EnableBackups(ctx context.Context, resourceID string) error
	// CancelBackups turns it off, deleting every backup of the resource.
	CancelBackups(ctx context.Context, resourceID string) error
	// SetSchedule changes when automatic backups run.
	SetSchedule(ctx context.Context, resourceID string, s model.Schedule) (model.Resource, error)
	// Events lists the recent events about a resource, newest first.
	Events(ctx context.Context, resourceID string) ([]model.Event, error)
	// DeleteBackup deletes one backup or snapshot.
	DeleteBackup(ctx context.Context, resourceID, backupID string) error
	// AbortBackup stops a running backup.
	AbortBackup(ctx context.Context, resourceID, backupID string) error
	// SetNote replaces a backup's note.
	SetNote(ctx context.Context, resourceID, backupID, note string) error
	// Restores lists the restores of a resource's backups, newest first.
	Restores(ctx context.Context, resourceID string) ([]model.Restore, error)
}

// DiskLister is implemented by providers that can back up one disk of a
// resource (model.ProviderInfo.DiskTarget): it lists the disks to choose from.
type DiskLister interface {
	Disks(ctx context.Context, resourceID string) ([]model.Disk, error)
}

// DestinationLister is implemented by providers that offer extra backup
// destinations (model.ProviderInfo.Destinations): it lists the valid ones
// to choose from.
type DestinationLister interface {
	BackupDestinations(ctx context.Context) ([]model.BackupDestination, error)
}

// Unsupported answers every Actions method with ErrUnsupported. Adapters
// embed it and define what their provider can do; their Info().Caps says
// which those are, so the UI never offers the rest.
type Unsupported struct{ Provider string }

func (u Unsupported) no(what string) error {
	return &Error{Kind: ErrUnsupported, Reasons: []string{u.Provider + " cannot " + what}}
}

func (u Unsupported) GetResource(context.Context, string) (model.Resource, error) {
	return model.Resource{}, u.no("re-read one resource")
}
func (u Unsupported) TakeSnapshot(context.Context, string, model.SnapshotRequest) (model.Backup, error) {
	return model.Backup{}, u.no("take a snapshot")
}
func (u Unsupported) RestoreBackup(context.Context, string, string, string, bool) error {
	return u.no("restore a backup")
}
func (u Unsupported) EnableBackups(context.Context, string) error { return u.no("enable backups") }
func (u Unsupported) CancelBackups(context.Context, string) error { return u.no("cancel backups") }
func (u Unsupported) SetSchedule(context.Context, string, model.Schedule) (model.Resource, error) {
	return model.Resource{}, u.no("change a backup schedule")
}
func (u Unsupported) Events(context.Context, string) ([]model.Event, error) {
	return nil, u.no("list events")
}
func (u Unsupported) DeleteBackup(context.Context, string, string) error {
	return u.no("delete a backup")
}
func (u Unsupported) AbortBackup(context.Context, string, string) error {
	return u.no("abort a backup")
}
func (u Unsupported) SetNote(context.Context, string, string, string) error {
	return u.no("edit a backup's note")
}
func (u Unsupported) Restores(context.Context, string) ([]model.Restore, error) {
	return nil, u.no("list restores")
}

// A call is one action on its way to the provider, as it is declared: the
// audit record names it (Action) and what it acts on; read says it changes
// nothing, so it is never refused by --read-only nor logged. The zero value
// mutates: an action that forgets to say is refused and logged, not let
// through.
type call struct {
	read bool
	rec  auditRecord
	// has says the wrapped provider implements the action; when it does
	// not, the call ends in ErrUnsupported without being sent.
	has bool
	// clean makes the result inert in place (set by one and many).
	clean func()

	// ctx is the caller's context, under which the wrapped provider is
	// called.
	ctx context.Context
	// args is what, beyond rec's action, resource and backup, names what a
	// read reads (ListResources' page and filter).
	args string
	// fetch makes the same read on the wrapped provider under another
	// context, its result apart from the caller's; adopt makes a copy of
	// such a result the caller's. Set by one and many for reads, so that
	// Shared can make one read for many callers.
	fetch func(ctx context.Context) (any, error)
	adopt func(any)
}

// A layer is what one decorator does around every call: refuse it, log it,
// clean its result. next makes the call on the wrapped provider.
type layer interface {
	around(c *call, next func() error) error
}

// decorated is a Provider, with Actions and DiskLister, that runs every call
// through one layer before passing it to p. ReadOnly, Audited and Sanitized
// are decorated values with different layers.
type decorated struct {
	p     Provider
	layer layer
}

var (
	_ Actions           = decorated{}
	_ DiskLister        = decorated{}
	_ DestinationLister = decorated{}
)

func (d decorated) Name() string { return d.p.Name() }

func (d decorated) Info() model.ProviderInfo { return d.p.Info() }

func (d decorated) IsReadOnly() bool {
	_, refuses := d.layer.(refuse)
	return refuses || IsReadOnly(d.p)
}

// sanitizable is a model type that can make its own strings inert.
type sanitizable[T any] interface{ Sanitized() T }

// via finds what A the wrapped provider implements, and passes c through
// the layer to f on it; without A, c ends in ErrUnsupported.
func via[A any](d decorated, c *call, f func(A) error) error {
	a, ok := d.p.(A)
	c.has = ok
	return d.layer.around(c, func() error {
		if !ok {
			return missing[A](d.p)
		}
		return f(a)
	})
}

// missing is the error for a provider that does not implement A.
func missing[A any](p Provider) error {
	if _, ok := any((*A)(nil)).(*DiskLister); ok {
		return &Error{Kind: ErrUnsupported, Reasons: []string{p.Name() + " cannot back up one disk"}}
	}
	if _, ok := any((*A)(nil)).(*DestinationLister); ok {
		return &Error{Kind: ErrUnsupported, Reasons: []string{p.Name() + " cannot list backup destinations"}}
	}
	return unsupported(p)
}

func unsupported(p Provider) error {
	return &Error{Kind: ErrUnsupported, Reasons: []string{p.Name() + " cannot change backups"}}
}

// one is via for an action that returns one value; the value's type must
// know how to clean itself, so that no result can skip Sanitized.
func one[A any, T sanitizable[T]](d decorated, c *call, f func(context.Context, A) (T, error)) (T, error) {
	var v T
	c.clean = func() { v = v.Sanitized() }
	if c.read {
		c.fetch = fetcher(d, f)
		c.adopt = func(x any) {
			v, _ = x.(T)
			c.clean() // a copy of its own
		}
	}
	err := via(d, c, func(a A) (err error) {
		v, err = f(c.ctx, a)
		return err
	})
	return v, err
}

// fetcher is a read's fetch: f on the wrapped provider, under the context
// it is given.
func fetcher[A, R any](d decorated, f func(context.Context, A) (R, error)) func(context.Context) (any, error) {
	return func(ctx context.Context) (any, error) {
		a, ok := d.p.(A)
		if !ok {
			return nil, missing[A](d.p)
		}
		r, err := f(ctx, a)
		return r, err
	}
}

// many is via for an action that returns a list.
func many[A any, T sanitizable[T]](d decorated, c *call, f func(context.Context, A) ([]T, error)) ([]T, error) {
	var vs []T
	c.clean = func() {
		if vs == nil {
			return
		}
		out := make([]T, len(vs))
		for i, v := range vs {
			out[i] = v.Sanitized()
		}
		vs = out
	}
	if c.read {
		c.fetch = fetcher(d, f)
		c.adopt = func(x any) {
			vs, _ = x.([]T)
			c.clean() // a copy of its own
		}
	}
	err := via(d, c, func(a A) (err error) {
		vs, err = f(c.ctx, a)
		return err
	})
	return vs, err
}

// Sanitized returns the page with every resource's strings made inert.
func (rp ResourcePage) Sanitized() ResourcePage {
	if rp.Items != nil {
		items := make([]model.Resource, len(rp.Items))
		for i, r := range rp.Items {
			items[i] = r.Sanitized()
		}
		rp.Items = items
	}
	return rp
}

// The calls, each declared once: its audit name, whether it reads, and
// what its audit record names.

func (d decorated) ListResources(ctx context.Context, page int, f Filter) (ResourcePage, error) {
	pg, err := one(d, &call{ctx: ctx, read: true, args: fmt.Sprintf("%d\x00%q\x00%q\x00%q", page, f.Label, f.Region, f.Tag),
		rec: auditRecord{Action: "list_resources"}},
		func(ctx context.Context, p Provider) (ResourcePage, error) { return p.ListResources(ctx, page, f) })
	d.seen(pg.Items...)
	return pg, err
}

// seen gives the audit layer the labels of resources read, so that its
// records name them.
func (d decorated) seen(rs ...model.Resource) {
	if a, ok := d.layer.(audit); ok {
		a.log.remember(a.account, a.p.Name(), rs)
	}
}

func (d decorated) ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error) {
	return many(d, &call{ctx: ctx, read: true, rec: auditRecord{Action: "list_backups", Resource: resourceID}},
		func(ctx context.Context, p Provider) ([]model.Backup, error) { return p.ListBackups(ctx, resourceID) })
}

func (d decorated) GetBackup(ctx context.Context, resourceID, backupID string) (model.Backup, error) {
	return one(d, &call{ctx: ctx, read: true, rec: auditRecord{Action: "get_backup", Resource: resourceID, Backup: backupID}},
		func(ctx context.Context, p Provider) (model.Backup, error) {
			return p.GetBackup(ctx, resourceID, backupID)
		})
}

func (d decorated) Disks(ctx context.Context, resourceID string) ([]model.Disk, error) {
	return many(d, &call{ctx: ctx, read: true, rec: auditRecord{Action: "disks", Resource: resourceID}},
		func(ctx context.Context, l DiskLister) ([]model.Disk, error) { return l.Disks(ctx, resourceID) })
}

func (d decorated) BackupDestinations(ctx context.Context) ([]model.BackupDestination, error) {
	return many(d, &call{ctx: ctx, read: true, rec: auditRecord{Action: "backup_destinations"}},
		func(ctx context.Context, l DestinationLister) ([]model.BackupDestination, error) {
			return l.BackupDestinations(ctx)
		})
}

func (d decorated) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	r, err := one(d, &call{ctx: ctx, read: true, rec: auditRecord{Action: "get_resource", Resource: resourceID}},
		func(ctx context.Context, a Actions) (model.Resource, error) { return a.GetResource(ctx, resourceID) })
	if err == nil {
		d.seen(r)
	}
	return r, err
}

func (d decorated) Events(ctx context.Context, resourceID string) ([]model.Event, error) {
	return many(d, &call{ctx: ctx, read: true, rec: auditRecord{Action: "events", Resource: resourceID}},
		func(ctx context.Context, a Actions) ([]model.Event, error) { return a.Events(ctx, resourceID) })
}

func (d decorated) Restores(ctx context.Context, resourceID string) ([]model.Restore, error) {
	return many(d, &call{ctx: ctx, read: true, rec: auditRecord{Action: "restores", Resource: resourceID}},
		func(ctx context.Context, a Actions) ([]model.Restore, error) { return a.Restores(ctx, resourceID) })
}

func (d decorated) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	c := &call{ctx: ctx, rec: auditRecord{Action: "snapshot", Resource: resourceID, Label: &req.Label,
		Type: req.Type, Compression: req.Compression, Safe: req.Safe, Disk: req.DiskID}}
	for _, dst := range req.Destinations {
		c.rec.Destinations = append(c.rec.Destinations, auditDestination{ID: dst.ID, RetentionDays: dst.RetentionDays})
	}
	return one(d, c, func(ctx context.Context, a Actions) (model.Backup, error) {
		b, err := a.TakeSnapshot(ctx, resourceID, req)
		if err == nil {
			c.rec.Backup = b.ID // the outcome line names the new backup
		}
		return b, err
	})
}

func (d decorated) RestoreBackup(ctx context.Context, resourceID, backupID, targetID string, overwrite bool) error {
	return via(d, &call{ctx: ctx, rec: auditRecord{Action: "restore", Resource: resourceID, Backup: backupID, Target: targetID, Overwrite: &overwrite}},
		func(a Actions) error { return a.RestoreBackup(ctx, resourceID, backupID, targetID, overwrite) })
}

func (d decorated) EnableBackups(ctx context.Context, resourceID string) error {
	return via(d, &call{ctx: ctx, rec: auditRecord{Action: "enable_backups", Resource: resourceID}},
		func(a Actions) error { return a.EnableBackups(ctx, resourceID) })
}

func (d decorated) CancelBackups(ctx context.Context, resourceID string) error {
	return via(d, &call{ctx: ctx, rec: auditRecord{Action: "cancel_backups", Resource: resourceID}},
		func(a Actions) error { return a.CancelBackups(ctx, resourceID) })
}

func (d decorated) SetSchedule(ctx context.Context, resourceID string, s model.Schedule) (model.Resource, error) {
	return one(d, &call{ctx: ctx, rec: auditRecord{Action: "set_schedule", Resource: resourceID, Schedule: &auditSchedule{Day: s.Day, Window: s.Window}}},
		func(ctx context.Context, a Actions) (model.Resource, error) { return a.SetSchedule(ctx, resourceID, s) })
}

func (d decorated) DeleteBackup(ctx context.Context, resourceID, backupID string) error {
	return via(d, &call{ctx: ctx, rec: auditRecord{Action: "delete_backup", Resource: resourceID, Backup: backupID}},
		func(a Actions) error { return a.DeleteBackup(ctx, resourceID, backupID) })
}

func (d decorated) AbortBackup(ctx context.Context, resourceID, backupID string) error {
	return via(d, &call{ctx: ctx, rec: auditRecord{Action: "abort_backup", Resource: resourceID, Backup: backupID}},
		func(a Actions) error { return a.AbortBackup(ctx, resourceID, backupID) })
}

func (d decorated) SetNote(ctx context.Context, resourceID, backupID, note string) error {
	return via(d, &call{ctx: ctx, rec: auditRecord{Action: "set_note", Resource: resourceID, Backup: backupID, Note: &note}},
		func(a Actions) error { return a.SetNote(ctx, resourceID, backupID, note) })
}
