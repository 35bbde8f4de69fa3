// Package linode adapts the Linode API v4, through linodego, to
// client.Provider.
package linode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/linode/linodego"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// Config says how to reach one Linode account.
type Config struct {
	// Transport: BaseURL is "scheme://host[/path]" and linodego appends
	// "/v4" itself; "" keeps linodego's default, which honours the
	// LINODE_URL env var. HTTPClient is copied, never modified. Retries
	// counts retries of 429 and 5xx replies; linodego also raises a shorter
	// Retry-After to RetryWait. A nil Pacer means a new one unless NoPacing:
	// share one between Providers of the same account.
	client.Transport
	Token string
	// NoPacing turns pacing off (benchmarks use it as the baseline).
	NoPacing bool
}

// Provider is one Linode account. It is safe for concurrent use.
type Provider struct {
	client.Unsupported // deleting, aborting, notes and restore history: Linode has none for instances

	c     linodego.Client // reads, retried
	w     linodego.Client // mutations, never retried
	token string
}

var (
	_ client.Provider = (*Provider)(nil)
	_ client.Actions  = (*Provider)(nil)
)

// New builds a Provider.
//
// linodego logs every retry with the standard library's log.Printf, which
// would corrupt a full-screen TUI; the caller (cmd) must redirect the global
// log output. resty's own logger (stderr) is silenced here.
func New(c Config) (*Provider, error) {
	if c.Retries == 0 {
		c.Retries = 3
	} else if c.Retries < 0 {
		c.Retries = 0
	}
	if c.MaxRetryWait <= 0 {
		c.MaxRetryWait = 30 * time.Second
	}
	if c.RetryWait <= 0 {
		c.RetryWait = time.Second
	}
	var hc http.Client
	if c.HTTPClient != nil {
		hc = *c.HTTPClient
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	// linodego flattens transport errors into strings and lets some error
	// statuses through as success; the tracer keeps what really happened.
	// It also applies the per-attempt timeout, so that a timeout is told
	// apart from other cancellations (http.Client.Timeout is not).
	hc.Transport = tracer{base: base, timeout: c.Timeout}
	if !c.NoPacing {
		// Outside the tracer, so waiting for the window is not counted
		// against the attempt's timeout.
		if c.Pacer == nil {
			c.Pacer = client.NewPacer()
		}
		hc.Transport = refusals{c.Pacer.Wrap(hc.Transport)}
	}

	if c.BaseURL != "" && !strings.Contains(c.BaseURL, "://") {
		return nil, errors.New("linode: BaseURL needs a scheme, e.g. https://api.linode.com")
	}
	newClient := func(hc *http.Client) linodego.Client {
		lc := linodego.NewClient(hc)
		lc.SetToken(c.Token)
		if c.BaseURL != "" {
			lc.SetBaseURL(c.BaseURL)
		}
		lc.UseCache(false) // a refresh must show fresh state
		lc.SetLogger(quietLogger{})
		return lc
	}
	// A mutation whose reply was lost (timeout, 5xx, 429 after the fact)
	// may have happened; sending it again could take a second snapshot or
	// restore twice. So writes get their own client with no retries at all:
	// the user decides, having re-read the state. It shares the transport.
	wc := hc
	w := newClient(&wc)
	w.SetRetryCount(0)

	lc := newClient(&hc)
	// linodego's default of 1000 retries would hang the UI for hours.
	lc.SetRetryCount(c.Retries)
	lc.SetRetryWaitTime(c.RetryWait)
	lc.SetRetryMaxWaitTime(c.MaxRetryWait)
	// linodego only retries 429, 503, 408 and "busy"; other 5xx are as
	// transient for a read-only GET.
	lc.AddRetryCondition(func(r *linodego.Response, _ error) bool {
		return r != nil && r.StatusCode() >= 500 && r.StatusCode() != http.StatusNotImplemented
	})
	return &Provider{Unsupported: client.Unsupported{Provider: "Linode"}, c: lc, w: w, token: c.Token}, nil
}

// Name implements client.Provider.
func (p *Provider) Name() string { return "linode" }

// Info implements client.Provider.
func (p *Provider) Info() model.ProviderInfo { return Info }

// Info describes Linode instances and what snapdeck can do to their backups.
var Info = model.ProviderInfo{
	Name: "linode", Title: "Linode", Kind: model.KindInstance,
	Noun: "instance", Plural: "Instances", GroupTitle: "REGION", BackupNoun: "snapshot",
	Caps: model.CapSnapshot | model.CapRestore | model.CapRestoreOther | model.CapEnableBackups |
		model.CapCancelBackups | model.CapSchedule | model.CapEvents,
	ReplacesSnapshot: true,
	ValidateName:     model.ValidateSnapshotLabel,
	BackupDisks:      true,
	ResourceTitle:    "Linode",
	Wording: model.Wording{
		Service: "the Linode Backup service",
		Billing: "It is a paid service: Linode bills it monthly per Linode, priced by plan, on top of the Linode itself.",
		Enabled: "Automatic daily and weekly backups then run in the scheduled window, and you can take a manual snapshot.",
		RestoreOverwrite: "Overwrite ERASES every disk and config of {target}, then restores the backup's disks and configs in their place. " +
			"What is on {target} now is lost.",
		RestoreBeside: "Without overwrite the backup's disks are added beside {target}'s existing disks; nothing is erased.",
		Replaces:      "A Linode keeps one snapshot: taking a new one deletes the current one.",
		Schedule: "Linode takes the daily backup in the two-hour window (UTC) and keeps the weekly one from the chosen day. " +
			"\"Scheduling\" lets Linode pick the day.",
		ScheduleAnyDay: "day chosen by Linode",
	},
}

// ListResources implements client.Provider: one page of Linode instances.
func (p *Provider) ListResources(ctx context.Context, page int, f client.Filter) (client.ResourcePage, error) {
	page = max(page, 1)
	filter, err := xFilter(f)
	if err != nil {
		return client.ResourcePage{}, &client.Error{Kind: client.ErrInvalid, Err: err}
	}
	// A Page > 0 makes linodego fetch just that page; it writes Pages and
	// Results back into this PageOptions.
	opts := &linodego.ListOptions{PageOptions: &linodego.PageOptions{Page: page}, PageSize: client.PageSize, Filter: filter}
	ctx, tr := withTrace(ctx)
	list, err := p.c.ListInstances(ctx, opts)
	if err = p.convert(ctx, tr, err); err != nil {
		return client.ResourcePage{}, err
	}
	// Valid JSON can still lack what every real reply has; an empty page
	// would then pass for an empty account.
	if err := client.CheckPages(opts.Pages, opts.Results, client.PageSize); err != nil {
		return client.ResourcePage{}, err
	}
	for i := range list {
		if list[i].ID <= 0 {
			return client.ResourcePage{}, malformed("an instance ID")
		}
	}
	out := client.ResourcePage{Items: make([]model.Resource, 0, len(list)), Page: opts.Page, Pages: opts.Pages, Total: opts.Results}
	// linodego reports the page asked for, but the API serves the last page
	// for one past the end.
	if out.Pages > 0 && out.Page > out.Pages {
		out.Page = out.Pages
	}
	for i := range list {
		out.Items = append(out.Items, resource(&list[i]))
	}
	return out, nil
}

// ListBackups implements client.Provider: automatic backups newest first,
// then the current snapshot, then the one in progress.
func (p *Provider) ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error) {
	id, err := linodeID(resourceID)
	if err != nil {
		return nil, err
	}
	ctx, tr := withTrace(ctx)
	resp, err := p.c.GetInstanceBackups(ctx, id)
	if err = p.convert(ctx, tr, err); err != nil {
		return nil, err
	}
	if resp == nil || resp.Automatic == nil || resp.Snapshot == nil {
		return nil, malformed("the automatic backups or the snapshot")
	}
	for _, s := range append(append([]*linodego.InstanceSnapshot{}, resp.Automatic...), resp.Snapshot.Current, resp.Snapshot.InProgress) {
		if s != nil && s.ID <= 0 {
			return nil, malformed("a backup ID")
		}
	}
	var out []model.Backup
	for _, s := range resp.Automatic {
		if s != nil {
			out = append(out, backup(resourceID, s, model.BackupAutomatic, model.SlotNone))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	if resp.Snapshot != nil {
		if s := resp.Snapshot.Current; s != nil {
			out = append(out, backup(resourceID, s, model.BackupSnapshot, model.SlotCurrent))
		}
		if s := resp.Snapshot.InProgress; s != nil {
			out = append(out, backup(resourceID, s, model.BackupSnapshot, model.SlotInProgress))
		}
	}
	return out, nil
}

// GetBackup implements client.Provider. This endpoint cannot tell which slot
// a snapshot sits in, so Slot stays SlotNone.
func (p *Provider) GetBackup(ctx context.Context, resourceID, backupID string) (model.Backup, error) {
	id, err := linodeID(resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	bid, err := backupNum(backupID)
	if err != nil {
		return model.Backup{}, err
	}
	ctx, tr := withTrace(ctx)
	s, err := p.c.GetInstanceSnapshot(ctx, id, bid)
	if err = p.convert(ctx, tr, err); err != nil {
		return model.Backup{}, err
	}
	if s == nil || s.ID <= 0 {
		return model.Backup{}, malformed("the backup ID")
	}
	kind := model.BackupAutomatic
	if s.Type == "snapshot" {
		kind = model.BackupSnapshot
	}
	return backup(resourceID, s, kind, model.SlotNone), nil
}

// malformed is the error for a reply that decoded but lacks a field.
func malformed(what string) error {
	return &client.Error{Kind: client.ErrMalformed, Err: errors.New("reply lacks " + what)}
}

// linodeID reads a Linode's ID before linodego puts it into a path: one
// client.CheckID refuses is "unusable", one that is no number not found.
func linodeID(s string) (int, error) {
	return client.IntID(s, func(s string) error {
		return &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no Linode with ID " + strconv.Quote(s)}}
	})
}

// backupNum reads a backup's ID as linodeID does.
func backupNum(s string) (int, error) {
	return client.IntID(s, func(s string) error {
		return &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no backup with ID " + strconv.Quote(s)}}
	})
}

// xFilter builds the X-Filter header; empty fields are left out so they
// match everything.
func xFilter(f client.Filter) (string, error) {
	m := map[string]string{}
	if f.Label != "" {
		m["label"] = f.Label
	}
	if f.Region != "" {
		m["region"] = f.Region
	}
	if f.Tag != "" {
		m["tags"] = f.Tag
	}
	if len(m) == 0 {
		return "", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func resource(in *linodego.Instance) model.Resource {
	r := model.Resource{
		ID:       strconv.Itoa(in.ID),
		Provider: "linode",
		Kind:     model.KindInstance,
		Label:    in.Label,
		Region:   in.Region,
		Status:   string(in.Status),
		Plan:     in.Type,
		Tags:     in.Tags,
		Created:  deref(in.Created),
	}
	if in.Specs != nil {
		r.DiskMB = model.SizeMB(in.Specs.Disk, 1)
	}
	if b := in.Backups; b != nil {
		r.BackupsEnabled = b.Enabled
		r.LastSuccessful = deref(b.LastSuccessful)
		r.Schedule = model.Schedule{Day: b.Schedule.Day, Window: b.Schedule.Window}
	}
	return r
}

func backup(resourceID string, s *linodego.InstanceSnapshot, kind model.BackupKind, slot model.Slot) model.Backup {
	b := model.Backup{
		ID:         strconv.Itoa(s.ID),
		ResourceID: resourceID,
		Kind:       kind,
		Slot:       slot,
		Label:      s.Label,
		Status:     model.LinodeStatus(string(s.Status)),
		RawStatus:  string(s.Status),
		Available:  s.Available,
		Created:    deref(s.Created),
		Updated:    deref(s.Updated),
		Finished:   deref(s.Finished),
		Configs:    s.Configs,
	}
	for _, d := range s.Disks {
		if d != nil {
			b.Disks = append(b.Disks, model.Disk{Label: d.Label, Filesystem: d.Filesystem, SizeMB: model.SizeMB(d.Size, 1)})
		}
	}
	return b
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// quietLogger drops resty's log lines, which would otherwise go to stderr.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// trace records the last attempt of one call, as the transport saw it.
type trace struct {
	mu     sync.Mutex
	status int
	header http.Header
	err    error
}

type traceKey struct{}

func withTrace(ctx context.Context) (context.Context, *trace) {
	tr := &trace{}
	return context.WithValue(ctx, traceKey{}, tr), tr
}

func (t *trace) last() (int, http.Header, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.status, t.header, t.err
}

type tracer struct {
	base    http.RoundTripper
	timeout time.Duration
}

// refusals records in the trace a request the pacer refused to send, which
// the tracer inside it never saw.
type refusals struct{ rt http.RoundTripper }

func (t refusals) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	var ce *client.Error
	if tr, _ := r.Context().Value(traceKey{}).(*trace); tr != nil && errors.As(err, &ce) {
		tr.mu.Lock()
		tr.status, tr.header, tr.err = 0, nil, err
		tr.mu.Unlock()
	}
	return resp, err
}

var errAttemptTimeout = errors.New("no reply within the time allowed")

func (t tracer) RoundTrip(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(r.Context(), t.timeout)
	resp, err := t.base.RoundTrip(r.WithContext(ctx))
	tr, _ := r.Context().Value(traceKey{}).(*trace)
	if err != nil {
		if ctx.Err() != nil && r.Context().Err() == nil {
			err = fmt.Errorf("%w: %w", errAttemptTimeout, context.DeadlineExceeded)
		}
		cancel()
	} else {
		// The body is capped (linodego would buffer any size) and its read
		// errors are kept, so that a reply cut short, trickled past the
		// deadline or too large is told apart from a malformed one. Closing
		// it ends the attempt's context.
		resp.Body = &cappedBody{rc: resp.Body, cancel: cancel, left: MaxBody, tr: tr, attempt: ctx, parent: r.Context()}
	}
	if tr != nil {
		tr.mu.Lock()
		tr.status, tr.header, tr.err = 0, nil, err
		if resp != nil {
			tr.status, tr.header = resp.StatusCode, resp.Header
		}
		tr.mu.Unlock()
	}
	return resp, err
}

// MaxBody is the largest reply body read: the biggest real one (a page of
// 500 Linodes) is well under 1 MiB.
const MaxBody = 8 << 20

var errTooLarge = fmt.Errorf("reply larger than %d MiB", MaxBody>>20)

// cappedBody keeps the attempt's deadline alive while the body is read,
// refuses to read more than MaxBody, and records a failed read in the trace.
type cappedBody struct {
	rc      io.ReadCloser
	cancel  context.CancelFunc
	left    int64
	tr      *trace
	attempt context.Context // the attempt's own deadline
	parent  context.Context // the caller's
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		c.fail(errTooLarge)
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	if err != nil && err != io.EOF {
		if c.attempt.Err() != nil && c.parent.Err() == nil {
			err = fmt.Errorf("%w: %w", errAttemptTimeout, context.DeadlineExceeded)
		}
		c.fail(err)
	}
	return n, err
}

func (c *cappedBody) fail(err error) {
	if c.tr == nil {
		return
	}
	c.tr.mu.Lock()
	c.tr.err = err
	c.tr.mu.Unlock()
}

func (c *cappedBody) Close() error {
	err := c.rc.Close()
	c.cancel()
	return err
}
