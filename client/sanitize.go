package client

import (
	"context"
	"errors"

	"github.com/snapdeck/snapdeck/model"
)

// Sanitized wraps p so that every string it returns is inert
// (model.Sanitize): every field of every resource, backup, disk, event and
// restore, and the text of every error, its Reasons included. It is where
// provider text enters snapdeck, so that neither the UI, the CLI nor the
// audit log has to remember to clean it. Put it innermost:
// Audited(ReadOnly(Sanitized(p)), …).
//
// The result implements Actions and DiskLister whatever p implements,
// answering ErrUnsupported where p cannot, as ReadOnly and Audited do.
func Sanitized(p Provider) Provider {
	if s, ok := p.(sanitized); ok {
		return s
	}
	return sanitized{p}
}

type sanitized struct{ p Provider }

var (
	_ Actions    = sanitized{}
	_ DiskLister = sanitized{}
)

func (s sanitized) Name() string { return s.p.Name() }

func (s sanitized) Info() model.ProviderInfo { return s.p.Info() }

func (s sanitized) IsReadOnly() bool { return IsReadOnly(s.p) }

func (s sanitized) ListResources(ctx context.Context, page int, f Filter) (ResourcePage, error) {
	rp, err := s.p.ListResources(ctx, page, f)
	if rp.Items != nil {
		items := make([]model.Resource, len(rp.Items))
		for i, r := range rp.Items {
			items[i] = r.Sanitized()
		}
		rp.Items = items
	}
	return rp, SanitizeError(err)
}

func (s sanitized) ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error) {
	bs, err := s.p.ListBackups(ctx, resourceID)
	return backups(bs), SanitizeError(err)
}

func backups(bs []model.Backup) []model.Backup {
	if bs == nil {
		return nil
	}
	out := make([]model.Backup, len(bs))
	for i, b := range bs {
		out[i] = b.Sanitized()
	}
	return out
}

func (s sanitized) GetBackup(ctx context.Context, resourceID, backupID string) (model.Backup, error) {
	b, err := s.p.GetBackup(ctx, resourceID, backupID)
	return b.Sanitized(), SanitizeError(err)
}

func (s sanitized) actions() (Actions, error) {
	if a, ok := s.p.(Actions); ok {
		return a, nil
	}
	return nil, unsupported(s.p)
}

func (s sanitized) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	a, err := s.actions()
	if err != nil {
		return model.Resource{}, err
	}
	r, err := a.GetResource(ctx, resourceID)
	return r.Sanitized(), SanitizeError(err)
}

func (s sanitized) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	a, err := s.actions()
	if err != nil {
		return model.Backup{}, err
	}
	b, err := a.TakeSnapshot(ctx, resourceID, req)
	return b.Sanitized(), SanitizeError(err)
}

func (s sanitized) RestoreBackup(ctx context.Context, resourceID, backupID, targetID string, overwrite bool) error {
	a, err := s.actions()
	if err != nil {
		return err
	}
	return SanitizeError(a.RestoreBackup(ctx, resourceID, backupID, targetID, overwrite))
}

func (s sanitized) EnableBackups(ctx context.Context, resourceID string) error {
	a, err := s.actions()
	if err != nil {
		return err
	}
	return SanitizeError(a.EnableBackups(ctx, resourceID))
}

func (s sanitized) CancelBackups(ctx context.Context, resourceID string) error {
	a, err := s.actions()
	if err != nil {
		return err
	}
	return SanitizeError(a.CancelBackups(ctx, resourceID))
}

func (s sanitized) SetSchedule(ctx context.Context, resourceID string, sc model.Schedule) (model.Resource, error) {
	a, err := s.actions()
	if err != nil {
		return model.Resource{}, err
	}
	r, err := a.SetSchedule(ctx, resourceID, sc)
	return r.Sanitized(), SanitizeError(err)
}

func (s sanitized) Events(ctx context.Context, resourceID string) ([]model.Event, error) {
	a, err := s.actions()
	if err != nil {
		return nil, err
	}
	es, err := a.Events(ctx, resourceID)
	if es != nil {
		out := make([]model.Event, len(es))
		for i, e := range es {
			out[i] = e.Sanitized()
		}
		es = out
	}
	return es, SanitizeError(err)
}

func (s sanitized) DeleteBackup(ctx context.Context, resourceID, backupID string) error {
	a, err := s.actions()
	if err != nil {
		return err
	}
	return SanitizeError(a.DeleteBackup(ctx, resourceID, backupID))
}

func (s sanitized) AbortBackup(ctx context.Context, resourceID, backupID string) error {
	a, err := s.actions()
	if err != nil {
		return err
	}
	return SanitizeError(a.AbortBackup(ctx, resourceID, backupID))
}

func (s sanitized) SetNote(ctx context.Context, resourceID, backupID, note string) error {
	a, err := s.actions()
	if err != nil {
		return err
	}
	return SanitizeError(a.SetNote(ctx, resourceID, backupID, note))
}

func (s sanitized) Restores(ctx context.Context, resourceID string) ([]model.Restore, error) {
	a, err := s.actions()
	if err != nil {
		return nil, err
	}
	rs, err := a.Restores(ctx, resourceID)
	if rs != nil {
		out := make([]model.Restore, len(rs))
		for i, r := range rs {
			out[i] = r.Sanitized()
		}
		rs = out
	}
	return rs, SanitizeError(err)
}

func (s sanitized) Disks(ctx context.Context, resourceID string) ([]model.Disk, error) {
	ds, err := disks(ctx, s.p, resourceID)
	if ds != nil {
		out := make([]model.Disk, len(ds))
		for i, d := range ds {
			out[i] = d.Sanitized()
		}
		ds = out
	}
	return ds, SanitizeError(err)
}

// SanitizeError returns err with inert text: an *Error anywhere in its chain
// is copied with its Reasons cleaned, and any other error whose text needs
// cleaning is wrapped in one that reports the cleaned text. errors.Is still
// finds what err wraps (context.Canceled), errors.As still finds the
// *Error, and KindOf and Uncertain answer as they did. An error whose text
// is already inert, with no *Error in its chain, is returned as it is.
func SanitizeError(err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		c := *e
		if e.Reasons != nil {
			c.Reasons = make([]string, len(e.Reasons))
			for i, r := range e.Reasons {
				c.Reasons[i] = model.Sanitize(r)
			}
		}
		c.Err = SanitizeError(e.Err)
		return &c
	}
	var inner *Error
	msg := err.Error()
	if model.Inert(msg) && !errors.As(err, &inner) {
		return err
	}
	ce := &cleanError{msg: model.Sanitize(msg), orig: err}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if w := u.Unwrap(); w != nil {
			ce.wrapped = []error{SanitizeError(w)}
		}
	case interface{ Unwrap() []error }:
		for _, w := range u.Unwrap() {
			ce.wrapped = append(ce.wrapped, SanitizeError(w))
		}
	}
	return ce
}

// cleanError is an error whose text was made inert. It unwraps to the
// cleaned versions of what the original wrapped, so that errors.As finds
// clean values, and answers errors.Is as the original does.
type cleanError struct {
	msg     string
	orig    error
	wrapped []error
}

func (e *cleanError) Error() string { return e.msg }

func (e *cleanError) Unwrap() []error { return e.wrapped }

func (e *cleanError) Is(target error) bool { return errors.Is(e.orig, target) }
