package client

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
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

	// prefix and seq name each attempt, so that its "sent" line and its
	// outcome line can be paired; pending are the attempts sent whose
	// outcome is not written yet.
	prefix  string
	seq     uint64
	pending map[string]auditRecord

	// labels are the labels of the resources listed through an audited
	// provider, by labelKey, so that a record names the resource's label
	// next to its ID without every caller passing it.
	labels map[string]string
}

// maxLabels bounds the label cache; past it the cache starts again.
const maxLabels = 100_000

func labelKey(account, provider, id string) string {
	return account + "\x00" + provider + "\x00" + id
}

// remember keeps the labels of resources listed under account.
func (l *AuditLog) remember(account, provider string, rs []model.Resource) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.labels == nil || len(l.labels)+len(rs) > maxLabels {
		l.labels = make(map[string]string, len(rs))
	}
	for _, r := range rs {
		if r.ID != "" && r.Label != "" {
			l.labels[labelKey(account, provider, r.ID)] = r.Label
		}
	}
}

// label is the label last listed for the resource, or "".
func (l *AuditLog) label(account, provider, id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.labels[labelKey(account, provider, id)]
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
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	return &AuditLog{path: path, f: f, prefix: hex.EncodeToString(rnd[:]), pending: map[string]auditRecord{}}, nil
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

// Close closes the file; later writes fail and are reported by Err. An
// attempt still waiting for its reply (the program is ending: a signal, a
// quit) gets its outcome now: an error, uncertain, since the change may
// have been made.
func (l *AuditLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	for id, r := range l.pending {
		r.Time = time.Now().UTC().Format(time.RFC3339Nano)
		r.Outcome, r.Error, r.Uncertain = "error", "snapdeck ended before the reply arrived; the change may have been made", true
		l.appendLocked(r)
		delete(l.pending, id)
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// auditRecord is one line of the log. It never holds a token: adapters
// scrub theirs from error text, and nothing else here comes from secrets.
type auditRecord struct {
	Time     string `json:"time"`
	Account  string `json:"account"`
	Provider string `json:"provider"`
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// ResourceLabel is the resource's label as last listed, next to its ID.
	ResourceLabel string         `json:"resource_label,omitempty"`
	Backup        string         `json:"backup,omitempty"`
	Target        string         `json:"target,omitempty"`
	Overwrite     *bool          `json:"overwrite,omitempty"`
	Label         *string        `json:"label,omitempty"`
	Schedule      *auditSchedule `json:"schedule,omitempty"`
	// What a snapshot or backup request chose, where the provider offers it.
	Type         string             `json:"type,omitempty"`
	Compression  string             `json:"compression,omitempty"`
	Safe         bool               `json:"safe,omitempty"`
	Disk         string             `json:"disk,omitempty"`
	Destinations []auditDestination `json:"destinations,omitempty"`
	Note         *string            `json:"note,omitempty"`
	// Attempt pairs the "sent" line, written and synced before the request
	// leaves, with the outcome line written when the reply is known.
	Attempt string `json:"attempt,omitempty"`
	// Outcome is sent, then ok or error; refused (never sent). A "job"
	// record (Action "job") has the judge's outcome instead: done, failed,
	// aborted, gone, unseen, or unknown when the watch ended first.
	Outcome string `json:"outcome"`
	// Job is what a "job" record followed ("snapshot", "restore"), and
	// Verdict the judge's words on how it ended.
	Job     string `json:"job,omitempty"`
	Verdict string `json:"verdict,omitempty"`
	Error   string `json:"error,omitempty"`
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

// sent records that r is about to be sent, synced to disk before it
// returns: a process killed while the request is out still leaves the
// line. It returns the attempt's name for the outcome line.
func (l *AuditLog) sent(r auditRecord) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	r.Attempt = fmt.Sprintf("%s-%d", l.prefix, l.seq)
	r.Time = time.Now().UTC().Format(time.RFC3339Nano)
	r.Outcome = "sent"
	if l.appendLocked(r) {
		l.pending[r.Attempt] = r
	}
	return r.Attempt
}

// write appends r's outcome as one line in one write call, so concurrent
// writers never interleave within a line, and syncs it.
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
	l.mu.Lock()
	defer l.mu.Unlock()
	if r.Attempt != "" {
		if _, ok := l.pending[r.Attempt]; !ok && l.f == nil {
			return // Close wrote its outcome already
		}
		delete(l.pending, r.Attempt)
	}
	l.appendLocked(r)
}

// appendLocked writes r as one line and syncs it; false when that failed
// (kept for Err).
func (l *AuditLog) appendLocked(r auditRecord) bool {
	b, err := json.Marshal(r)
	if err != nil {
		l.failLocked(err)
		return false
	}
	b = append(b, '\n')
	if l.f == nil {
		l.failLocked(os.ErrClosed)
		return false
	}
	if _, err := l.f.Write(b); err != nil {
		l.failLocked(err)
		return false
	}
	if err := l.f.Sync(); err != nil {
		l.failLocked(err)
		return false
	}
	return true
}

func (l *AuditLog) failLocked(err error) {
	if l.err == nil {
		l.err = fmt.Errorf("audit log %s: %w", l.path, err)
	}
}

// Audited wraps p so that every mutation is logged to log under account (a
// name, never a token): a "sent" line, synced before the request leaves,
// then its outcome, both naming the same attempt. Reads are not
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
	return decorated{p: p, layer: audit{p: p, log: log, account: account}}
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
	return decorated{p: p, layer: audit{p: p, log: log, account: account, who: w}}
}

// audit is Audited's layer: a mutation is logged between its "sent" line,
// synced before the request leaves, and its outcome; reads pass unlogged.
// An attempt refused before sending (read-only, no such action) has the
// outcome line only.
type audit struct {
	p       Provider
	log     *AuditLog
	account string
	who     map[string]string
}

func (a audit) around(c *call, next func() error) error {
	if c.read {
		return next()
	}
	c.rec.Account, c.rec.Provider, c.rec.Who = a.account, a.p.Name(), a.who
	if c.rec.Resource != "" {
		c.rec.ResourceLabel = a.log.label(a.account, c.rec.Provider, c.rec.Resource)
	}
	if c.has && !IsReadOnly(a.p) {
		c.rec.Attempt = a.log.sent(c.rec)
	}
	err := next()
	a.log.write(c.rec, err)
	return err
}

// JobOutcome records how a job ended, once the judge has said (v) or the
// watch gave up (err): one line with the action "job", naming the
// resource, its label, the backup and the target, and the verdict. The
// TUI's job tracking and the CLI's --wait both call it when a job ends;
// p is the provider the job was sent through, and nothing is written when
// it is not audited.
func JobOutcome(p Provider, v model.Verdict, err error) {
	d, ok := p.(decorated)
	if !ok {
		return
	}
	a, ok := d.layer.(audit)
	if !ok {
		return
	}
	op := v.Op
	r := auditRecord{Account: a.account, Provider: a.p.Name(), Action: "job", Job: string(op.Kind),
		Resource: op.ResourceID, ResourceLabel: op.Label, Backup: op.BackupID, Target: op.TargetID, Who: a.who}
	if r.ResourceLabel == "" {
		r.ResourceLabel = a.log.label(a.account, r.Provider, r.Resource)
	}
	if err != nil || !v.Outcome.Over() {
		r.Outcome = "unknown"
		if err != nil {
			r.Error = err.Error()
		}
	} else {
		r.Outcome, r.Verdict, r.Error = string(v.Outcome), v.Text(), v.Reason
	}
	r.Time = time.Now().UTC().Format(time.RFC3339Nano)
	a.log.mu.Lock()
	defer a.log.mu.Unlock()
	a.log.appendLocked(r)
}
