package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

// AuditLog is an append-only file of JSON lines, one per attempted
// mutation. It is safe for concurrent use.
type AuditLog struct {
	path string

	mu  sync.Mutex
	f   *os.File
	err error // the first failed write, kept for Err
}

// DefaultAuditPath is $XDG_STATE_HOME/snapdeck/audit.log, else
// ~/.local/state/snapdeck/audit.log; "" when there is no home either.
func DefaultAuditPath() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "snapdeck", "audit.log")
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "state", "snapdeck", "audit.log")
}

// OpenAuditLog opens path for appending, creating it (0600) and its parent
// directories (0700) as needed. It refuses a file that others may read or
// write, or that is not a regular file: the log names the accounts and
// resources an operator touched.
func OpenAuditLog(path string) (*AuditLog, error) {
	if path == "" {
		return nil, errors.New("audit log: no path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if err := checkAuditMode(path, fi); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	// Check what was opened too, in case the file changed since Lstat.
	fi, err := f.Stat()
	if err == nil {
		err = checkAuditMode(path, fi)
	}
	if err == nil {
		err = dropTornTail(f, fi.Size())
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &AuditLog{path: path, f: f}, nil
}

// dropTornTail cuts off a last line left unfinished by a process killed in
// the middle of a write, so that the next record starts on a line of its
// own and every line stays whole JSON. Only the record that never
// completed is lost.
func dropTornTail(f *os.File, size int64) error {
	if size == 0 {
		return nil
	}
	const chunk = 64 << 10
	buf := make([]byte, chunk)
	end := size
	for end > 0 {
		start := max(end-chunk, 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && n < int(end-start) {
			return fmt.Errorf("audit log: %w", err)
		}
		if end == size && buf[n-1] == '\n' {
			return nil // ends whole
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return truncate(f, start+int64(i)+1)
		}
		end = start
	}
	return truncate(f, 0)
}

func truncate(f *os.File, at int64) error {
	if err := f.Truncate(at); err != nil {
		return fmt.Errorf("audit log: repairing a torn last line: %w", err)
	}
	return nil
}

func checkAuditMode(path string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("audit log %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("audit log %s is open to group or others (mode %04o); run: chmod 600 %s", path, perm, path)
	}
	return nil
}

// Path is the file the log writes to.
func (l *AuditLog) Path() string { return l.path }

// Err is the first write that failed, if any; the UI should say so, since
// mutations go on without their record.
func (l *AuditLog) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Close closes the file; later writes fail and are reported by Err.
func (l *AuditLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// auditRecord is one line of the log. It never holds a token: adapters
// scrub theirs from error text, and nothing else here comes from secrets.
type auditRecord struct {
	Time      string         `json:"time"`
	Account   string         `json:"account"`
	Provider  string         `json:"provider"`
	Action    string         `json:"action"`
	Resource  string         `json:"resource"`
	Backup    string         `json:"backup,omitempty"`
	Target    string         `json:"target,omitempty"`
	Overwrite *bool          `json:"overwrite,omitempty"`
	Label     *string        `json:"label,omitempty"`
	Schedule  *auditSchedule `json:"schedule,omitempty"`
	// What a snapshot or backup request chose, where the provider offers it.
	Type         string             `json:"type,omitempty"`
	Compression  string             `json:"compression,omitempty"`
	Safe         bool               `json:"safe,omitempty"`
	Disk         string             `json:"disk,omitempty"`
	Destinations []auditDestination `json:"destinations,omitempty"`
	Note         *string            `json:"note,omitempty"`
	Outcome      string             `json:"outcome"` // ok, error or refused
	Error        string             `json:"error,omitempty"`
	// Uncertain marks an error after which the change may still have been
	// made: no reply, a 5xx, an unreadable reply.
	Uncertain bool `json:"uncertain,omitempty"`
	// Who says who acted when that is more than the account: over
	// `snapdeck serve`, the SSH user, key fingerprint and remote address.
	Who map[string]string `json:"who,omitempty"`
}

type auditDestination struct {
	ID            string `json:"id"`
	RetentionDays int    `json:"retention_days,omitempty"`
}

type auditSchedule struct {
	Day    string `json:"day"`
	Window string `json:"window"`
}

// write appends one record as one line in one write call, so concurrent
// writers never interleave within a line.
func (l *AuditLog) write(r auditRecord, err error) {
	r.Time = time.Now().UTC().Format(time.RFC3339Nano)
	r.Outcome = "ok"
	if err != nil {
		r.Outcome, r.Error = "error", err.Error()
		if KindOf(err) == ErrReadOnly {
			r.Outcome = "refused"
		}
		r.Uncertain = Uncertain(err)
	}
	b, merr := json.Marshal(r)
	if merr != nil {
		l.fail(merr)
		return
	}
	b = append(b, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		l.failLocked(os.ErrClosed)
		return
	}
	if _, werr := l.f.Write(b); werr != nil {
		l.failLocked(werr)
	}
}

func (l *AuditLog) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failLocked(err)
}

func (l *AuditLog) failLocked(err error) {
	if l.err == nil {
		l.err = fmt.Errorf("audit log %s: %w", l.path, err)
	}
}

// Audited wraps p so that every mutation is logged, once its outcome is
// known, to log under account (a name, never a token). Reads are not
// logged. The result implements Actions whether or not p does; without
// Actions each mutation fails with ErrUnsupported, logged as an error.
// A nil log returns p unchanged.
//
// Put it outermost, Audited(ReadOnly(p), …), so that attempts refused by
// --read-only are logged with the outcome "refused".
func Audited(p Provider, log *AuditLog, account string) Provider {
	if log == nil {
		return p
	}
	return audited{Provider: p, log: log, account: account}
}

// AuditedAs is Audited with every record also naming who acted (for
// example the SSH user, key fingerprint and remote address of a session).
// who is copied; a nil log returns p unchanged.
func AuditedAs(p Provider, log *AuditLog, account string, who map[string]string) Provider {
	if log == nil {
		return p
	}
	var w map[string]string
	if len(who) > 0 {
		w = make(map[string]string, len(who))
		for k, v := range who {
			w[k] = v
		}
	}
	return audited{Provider: p, log: log, account: account, who: w}
}

type audited struct {
	Provider
	log     *AuditLog
	account string
	who     map[string]string
}

var _ Actions = audited{}

func (a audited) IsReadOnly() bool { return IsReadOnly(a.Provider) }

func (a audited) actions() (Actions, error) {
	if x, ok := a.Provider.(Actions); ok {
		return x, nil
	}
	return nil, unsupported(a.Provider)
}

func (a audited) record(action, resource string) auditRecord {
	return auditRecord{Account: a.account, Provider: a.Provider.Name(), Action: action, Resource: resource, Who: a.who}
}

func (a audited) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	x, err := a.actions()
	if err != nil {
		return model.Resource{}, err
	}
	return x.GetResource(ctx, resourceID)
}

func (a audited) Events(ctx context.Context, resourceID string) ([]model.Event, error) {
	x, err := a.actions()
	if err != nil {
		return nil, err
	}
	return x.Events(ctx, resourceID)
}

func (a audited) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	r := a.record("snapshot", resourceID)
	r.Label = &req.Label
	r.Type, r.Compression, r.Safe, r.Disk = req.Type, req.Compression, req.Safe, req.DiskID
	for _, d := range req.Destinations {
		r.Destinations = append(r.Destinations, auditDestination{ID: d.ID, RetentionDays: d.RetentionDays})
	}
	var b model.Backup
	x, err := a.actions()
	if err == nil {
		b, err = x.TakeSnapshot(ctx, resourceID, req)
	}
	if err == nil {
		r.Backup = b.ID
	}
	a.log.write(r, err)
	return b, err
}

func (a audited) RestoreBackup(ctx context.Context, resourceID, backupID, targetID string, overwrite bool) error {
	r := a.record("restore", resourceID)
	r.Backup, r.Target, r.Overwrite = backupID, targetID, &overwrite
	x, err := a.actions()
	if err == nil {
		err = x.RestoreBackup(ctx, resourceID, backupID, targetID, overwrite)
	}
	a.log.write(r, err)
	return err
}

func (a audited) EnableBackups(ctx context.Context, resourceID string) error {
	x, err := a.actions()
	if err == nil {
		err = x.EnableBackups(ctx, resourceID)
	}
	a.log.write(a.record("enable_backups", resourceID), err)
	return err
}

func (a audited) CancelBackups(ctx context.Context, resourceID string) error {
	x, err := a.actions()
	if err == nil {
		err = x.CancelBackups(ctx, resourceID)
	}
	a.log.write(a.record("cancel_backups", resourceID), err)
	return err
}

func (a audited) SetSchedule(ctx context.Context, resourceID string, s model.Schedule) (model.Resource, error) {
	r := a.record("set_schedule", resourceID)
	r.Schedule = &auditSchedule{Day: s.Day, Window: s.Window}
	var res model.Resource
	x, err := a.actions()
	if err == nil {
		res, err = x.SetSchedule(ctx, resourceID, s)
	}
	a.log.write(r, err)
	return res, err
}

func (a audited) Restores(ctx context.Context, resourceID string) ([]model.Restore, error) {
	x, err := a.actions()
	if err != nil {
		return nil, err
	}
	return x.Restores(ctx, resourceID)
}

func (a audited) DeleteBackup(ctx context.Context, resourceID, backupID string) error {
	r := a.record("delete_backup", resourceID)
	r.Backup = backupID
	x, err := a.actions()
	if err == nil {
		err = x.DeleteBackup(ctx, resourceID, backupID)
	}
	a.log.write(r, err)
	return err
}

func (a audited) AbortBackup(ctx context.Context, resourceID, backupID string) error {
	r := a.record("abort_backup", resourceID)
	r.Backup = backupID
	x, err := a.actions()
	if err == nil {
		err = x.AbortBackup(ctx, resourceID, backupID)
	}
	a.log.write(r, err)
	return err
}

func (a audited) SetNote(ctx context.Context, resourceID, backupID, note string) error {
	r := a.record("set_note", resourceID)
	r.Backup, r.Note = backupID, &note
	x, err := a.actions()
	if err == nil {
		err = x.SetNote(ctx, resourceID, backupID, note)
	}
	a.log.write(r, err)
	return err
}

// Disks passes through, unlogged: it is a read.
func (a audited) Disks(ctx context.Context, resourceID string) ([]model.Disk, error) {
	return disks(ctx, a.Provider, resourceID)
}
