// Package linodedb adapts Linode Managed Databases (MySQL, PostgreSQL) and
// their backups to client.Provider. linodego dropped these calls, so it
// speaks HTTP itself through client/rest, with the same account, base URL,
// token and retry behaviour as client/linode.
package linodedb

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/rest"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
)

// DefaultBaseURL is the real API; paths start with /v4.
const DefaultBaseURL = "https://api.linode.com"

// Config says how to reach one Linode account; its defaults are those of
// client/linode.Config.
type Config struct {
	// Transport: BaseURL is "scheme://host[/path]", without /v4, and ""
	// means DefaultBaseURL; a nil Pacer means a new one unless NoPacing
	// (share client/linode's: one account, one limit).
	client.Transport
	Token string
	// NoPacing sends every request, to see the API's own 429s (tests).
	NoPacing bool
}

// Provider is one account's Managed Databases. It is safe for concurrent use.
type Provider struct {
	client.Unsupported // schedules, events, aborts, notes: none for databases

	c   *rest.Client
	now func() time.Time

	mu sync.Mutex
	// pending remembers the label of a snapshot sent through this Provider
	// while its cluster is backing up: the API lists it only once complete.
	pending map[string]pendingSnap
}

type pendingSnap struct {
	label string
	at    time.Time
}

var (
	_ client.Provider = (*Provider)(nil)
	_ client.Actions  = (*Provider)(nil)
)

// Info describes Linode Managed Databases and what snapdeck can do to their
// backups.
var Info = model.ProviderInfo{
	Name: "linodedb", Title: "Linode Managed Databases", Kind: model.KindDatabase,
	Noun: "database", Plural: "Databases", GroupTitle: "REGION", BackupNoun: "snapshot",
	Caps:          model.CapSnapshot | model.CapRestore | model.CapDeleteBackup,
	MaxManual:     model.LinodeDBMaxSnapshots,
	ValidateName:  model.ValidateLinodeDBSnapshotLabel,
	AutomaticKept: "Linode keeps them 7 days",
}

// New builds a Provider.
func New(c Config) (*Provider, error) {
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	token := c.Token
	if c.Pacer == nil && !c.NoPacing {
		c.Pacer = client.NewPacer()
	}
	tr := c.Transport
	tr.BaseURL = base
	rc, err := rest.New(rest.Config{
		Transport: tr,
		Auth:      func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) },
		Secrets:   []string{token},
		Reasons:   reasons,
	})
	if err != nil {
		return nil, errors.New("linodedb: " + err.Error())
	}
	return &Provider{Unsupported: client.Unsupported{Provider: Info.Title}, c: rc, now: time.Now, pending: map[string]pendingSnap{}}, nil
}

// Name implements client.Provider.
func (p *Provider) Name() string { return Info.Name }

// Info implements client.Provider.
func (p *Provider) Info() model.ProviderInfo { return Info }

// reasons reads Linode's {"errors":[{"reason","field"}]} as "[field] reason".
func reasons(_ int, body []byte) []string {
	var e struct {
		Errors []struct {
			Reason string `json:"reason"`
			Field  string `json:"field"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	var out []string
	for _, x := range e.Errors {
		switch {
		case x.Reason == "":
		case x.Field != "":
			out = append(out, "["+x.Field+"] "+x.Reason)
		default:
			out = append(out, x.Reason)
		}
	}
	return out
}

// --- wire --------------------------------------------------------------------

// apiTime is the API's timestamp: UTC without a zone ("2022-01-01T00:01:01");
// RFC 3339 is accepted too, null is the zero time.
type apiTime time.Time

func (t *apiTime) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == nil || *s == "" {
		*t = apiTime{}
		return nil
	}
	v, err := time.ParseInLocation("2006-01-02T15:04:05", *s, time.UTC)
	if err != nil {
		if v, err = time.Parse(time.RFC3339, *s); err != nil {
			return errors.New("unreadable time " + strconv.Quote(*s))
		}
	}
	*t = apiTime(v.UTC())
	return nil
}

type pageJSON[T any] struct {
	Data    []T `json:"data"`
	Page    int `json:"page"`
	Pages   int `json:"pages"`
	Results int `json:"results"`
}

type databaseJSON struct {
	ID              int     `json:"id"`
	Label           string  `json:"label"`
	Engine          string  `json:"engine"`
	Version         string  `json:"version"`
	Region          string  `json:"region"`
	Type            string  `json:"type"`
	Status          string  `json:"status"`
	ClusterSize     int     `json:"cluster_size"`
	Created         apiTime `json:"created"`
	TotalDiskSizeGB int     `json:"total_disk_size_gb"` // engine object only
}

type backupJSON struct {
	ID      int     `json:"id"`
	Label   string  `json:"label"`
	Type    string  `json:"type"`
	Created apiTime `json:"created"`
}

// --- IDs and paths -----------------------------------------------------------

// parseID reads a resource ID, "engine/id" as in "mysql/123".
func parseID(s string) (engine string, id int, err error) {
	notFound := func(string) error {
		return &client.Error{Kind: client.ErrNotFound,
			Reasons: []string{"no Managed Database with ID " + strconv.Quote(s) + " (IDs look like mysql/123 or postgresql/456)"}}
	}
	e, n, found := strings.Cut(s, "/")
	for _, part := range []string{e, n} {
		if err := client.CheckID(part); err != nil && part != "" {
			return "", 0, err
		}
	}
	if !found || (e != model.LinodeDBMySQL && e != model.LinodeDBPostgreSQL) {
		return "", 0, notFound(s)
	}
	id, err = client.IntID(n, notFound)
	if err != nil {
		return "", 0, err
	}
	return e, id, nil
}

func resourceID(engine string, id int) string { return engine + "/" + strconv.Itoa(id) }

func dbPath(engine string, id int) string {
	return "/v4/databases/" + engine + "/instances/" + strconv.Itoa(id)
}

func backupID(s string) (int, error) {
	return client.IntID(s, func(s string) error {
		return &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no database backup with ID " + strconv.Quote(s)}}
	})
}

func malformed(what string) error {
	return &client.Error{Kind: client.ErrMalformed, Err: errors.New("reply lacks " + what)}
}

// --- reads -------------------------------------------------------------------

// listAll reads every page of path, checking each item.
func listAll[T any](ctx context.Context, c *rest.Client, path string, check func(*T) error) ([]T, error) {
	var out []T
	for page := 1; ; page++ {
		var pg pageJSON[T]
		q := url.Values{"page": {strconv.Itoa(page)}, "page_size": {strconv.Itoa(client.PageSize)}}
		if _, _, err := c.Do(ctx, http.MethodGet, path, q, nil, &pg); err != nil {
			return nil, err
		}
		// Valid JSON can lack what every real reply has; an empty list would
		// then pass for an empty account.
		if pg.Pages < 1 || pg.Data == nil {
			return nil, malformed("the page envelope (data, pages)")
		}
		if err := client.CheckPages(pg.Pages, pg.Results, client.PageSize); err != nil {
			return nil, err
		}
		for i := range pg.Data {
			if err := check(&pg.Data[i]); err != nil {
				return nil, err
			}
		}
		out = append(out, pg.Data...)
		// The API serves the last page for one past the end.
		if page >= pg.Pages || pg.Page < page || page >= client.MaxPagesOf(client.PageSize) {
			return out, nil
		}
	}
}

func checkDatabase(d *databaseJSON) error {
	if d.ID <= 0 {
		return malformed("a database ID")
	}
	if d.Engine != model.LinodeDBMySQL && d.Engine != model.LinodeDBPostgreSQL {
		return malformed("a known engine (got " + strconv.Quote(d.Engine) + ")")
	}
	return nil
}

func checkBackup(b *backupJSON) error {
	if b.ID <= 0 {
		return malformed("a backup ID")
	}
	return nil
}

func (p *Provider) getDB(ctx context.Context, engine string, id int) (databaseJSON, error) {
	var d databaseJSON
	if _, _, err := p.c.Do(ctx, http.MethodGet, dbPath(engine, id), nil, nil, &d); err != nil {
		return d, err
	}
	if d.Engine == "" {
		d.Engine = engine
	}
	if err := checkDatabase(&d); err != nil {
		return d, err
	}
	if d.ID != id || d.Engine != engine {
		return d, malformed("the database asked for")
	}
	return d, nil
}

func (p *Provider) backups(ctx context.Context, engine string, id int) ([]backupJSON, error) {
	return listAll(ctx, p.c, dbPath(engine, id)+"/backups", checkBackup)
}

func resource(d databaseJSON) model.Resource {
	return model.Resource{
		ID:       resourceID(d.Engine, d.ID),
		Provider: Info.Name,
		Kind:     model.KindDatabase,
		Label:    d.Label,
		Region:   d.Region,
		Status:   d.Status,
		Plan:     strings.TrimSpace(d.Engine + " " + d.Version + " " + d.Type),
		Created:  time.Time(d.Created),
		DiskMB:   model.SizeMB(d.TotalDiskSizeGB, 1024),
		// Every cluster gets daily automatic backups.
		BackupsEnabled: true,
	}
}

// newest is the creation time of the newest backup: every listed one is
// complete and usable.
func newest(bs []backupJSON) time.Time {
	var t time.Time
	for _, b := range bs {
		if c := time.Time(b.Created); c.After(t) {
			t = c
		}
	}
	return t
}

// skippable reports whether a cluster's backups may be left unread while
// listing: the API refuses them while it provisions, or it just went away.
func skippable(err error) bool {
	k := client.KindOf(err)
	return k == client.ErrInvalid || k == client.ErrNotFound
}

// ListResources implements client.Provider. The API cannot filter by
// substring, so every page is read and filtered here; the result is one
// page. Each cluster's backups are read too, for LastSuccessful.
func (p *Provider) ListResources(ctx context.Context, _ int, f client.Filter) (client.ResourcePage, error) {
	list, err := listAll(ctx, p.c, "/v4/databases/instances", checkDatabase)
	if err != nil {
		return client.ResourcePage{}, err
	}
	items := make([]model.Resource, 0, len(list))
	for _, d := range list {
		if r := resource(d); f.Matches(r.Label, r.Region, r.Tags) {
			items = append(items, r)
		}
	}
	if err := p.joinBackups(ctx, items); err != nil {
		return client.ResourcePage{}, err
	}
	return client.ResourcePage{Items: items, Page: 1, Pages: 1, Total: len(items)}, nil
}

// joinBackups fills LastSuccessful, reading up to client.MaxParallel
// clusters' backups at once. The first real failure ends the listing.
func (p *Provider) joinBackups(ctx context.Context, items []model.Resource) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(client.MaxParallel)
	for i := range items {
		r := &items[i]
		engine, id, err := parseID(r.ID)
		if err != nil {
			g.Go(func() error { return err }) // ends the reads out, like a failed one
			break
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			bs, err := p.backups(gctx, engine, id)
			switch {
			case err == nil:
				r.LastSuccessful = newest(bs)
			case !skippable(err):
				return err
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return client.ContextError(ctx)
	}
	return nil
}

// GetResource implements client.Actions: the cluster and, for
// LastSuccessful, its backups.
func (p *Provider) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	engine, id, err := parseID(resourceID)
	if err != nil {
		return model.Resource{}, err
	}
	d, err := p.getDB(ctx, engine, id)
	if err != nil {
		return model.Resource{}, err
	}
	r := resource(d)
	bs, err := p.backups(ctx, engine, id)
	switch {
	case err == nil:
		r.LastSuccessful = newest(bs)
	case !skippable(err):
		return model.Resource{}, err
	}
	return r, nil
}

// ListBackups implements client.Provider: every backup, newest first, the
// newest snapshot in the current slot. While the cluster is backing up, a
// snapshot being taken heads the list: the API shows it only once complete.
func (p *Provider) ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error) {
	engine, id, err := parseID(resourceID)
	if err != nil {
		return nil, err
	}
	d, err := p.getDB(ctx, engine, id)
	if err != nil {
		return nil, err
	}
	bs, err := p.backups(ctx, engine, id)
	if err != nil {
		return nil, err
	}
	out := make([]model.Backup, 0, len(bs)+1)
	for _, b := range bs {
		out = append(out, backup(resourceID, d, b))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		a, _ := strconv.Atoi(out[i].ID)
		b, _ := strconv.Atoi(out[j].ID)
		return a > b
	})
	for i := range out {
		if out[i].Kind == model.BackupSnapshot {
			out[i].Slot = model.SlotCurrent
			break
		}
	}
	p.mu.Lock()
	ps, known := p.pending[resourceID]
	p.mu.Unlock()
	switch {
	case d.Status == "backing_up":
		out = append([]model.Backup{p.inProgress(resourceID, d)}, out...)
	case known && !listed(out, ps.label) && p.now().Sub(ps.at) < pendingTTL:
		// Sent, but the cluster does not show it yet: keep it in view, or
		// whoever follows it would think it vanished.
		b := p.inProgress(resourceID, d)
		b.Status, b.RawStatus = model.StatusPending, "requested"
		out = append([]model.Backup{b}, out...)
	default:
		p.forget(resourceID)
	}
	return out, nil
}

// GetBackup implements client.Provider. One backup cannot tell whether it
// is the newest snapshot, so Slot stays SlotNone.
func (p *Provider) GetBackup(ctx context.Context, resourceID, backupIDs string) (model.Backup, error) {
	engine, id, err := parseID(resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	bid, err := backupID(backupIDs)
	if err != nil {
		return model.Backup{}, err
	}
	b, err := p.getBackup(ctx, engine, id, bid)
	if err != nil {
		return model.Backup{}, err
	}
	return backup(resourceID, databaseJSON{ID: id, Engine: engine}, b), nil
}

func (p *Provider) getBackup(ctx context.Context, engine string, id, bid int) (backupJSON, error) {
	var b backupJSON
	if _, _, err := p.c.Do(ctx, http.MethodGet, dbPath(engine, id)+"/backups/"+strconv.Itoa(bid), nil, nil, &b); err != nil {
		return b, err
	}
	if err := checkBackup(&b); err != nil {
		return b, err
	}
	if b.ID != bid {
		return b, malformed("the backup asked for")
	}
	return b, nil
}

// autoRetention is how long Linode keeps an automatic backup.
const autoRetention = 7 * 24 * time.Hour

func engineName(d databaseJSON) string {
	name := map[string]string{model.LinodeDBMySQL: "MySQL", model.LinodeDBPostgreSQL: "PostgreSQL"}[d.Engine]
	return strings.TrimSpace(name + " " + d.Version)
}

func backup(resourceID string, d databaseJSON, b backupJSON) model.Backup {
	created := time.Time(b.Created)
	out := model.Backup{
		ID:         strconv.Itoa(b.ID),
		ResourceID: resourceID,
		Kind:       model.BackupAutomatic,
		Label:      b.Label,
		Status:     model.LinodeDBStatus(""),
		Available:  true,
		Created:    created,
		Type:       b.Type,
	}
	typ := b.Type
	switch b.Type {
	case "snapshot":
		out.Kind = model.BackupSnapshot
		typ = "snapshot (taken on request, kept until deleted)"
	case "auto":
		typ = "auto (daily at 00:00 UTC, kept 7 days)"
	}
	out.Fields = []model.Field{{Name: "Type", Value: typ}}
	if !created.IsZero() {
		out.Fields = append(out.Fields, model.Field{Name: "Created", Value: format.Timestamp(created)})
		if b.Type == "auto" {
			out.Fields = append(out.Fields, model.Field{Name: "Kept until", Value: format.Timestamp(created.Add(autoRetention))})
		}
	}
	out.Fields = append(out.Fields, model.Field{Name: "Engine", Value: engineName(d)})
	return out
}

// inProgress stands for the snapshot a backing-up cluster is taking. It has
// no ID: the API gives it one only once it is listed.
func (p *Provider) inProgress(resourceID string, d databaseJSON) model.Backup {
	p.mu.Lock()
	ps, known := p.pending[resourceID]
	p.mu.Unlock()
	b := model.Backup{
		ResourceID: resourceID,
		Kind:       model.BackupSnapshot,
		Slot:       model.SlotInProgress,
		Label:      "snapshot in progress",
		Status:     model.LinodeDBStatus("backing_up"),
		RawStatus:  "backing_up",
		Type:       "snapshot",
		Note:       "Linode lists a snapshot once it is complete; until then the database is backing_up.",
		Fields: []model.Field{
			{Name: "Type", Value: "snapshot (being taken)"},
			{Name: "Database status", Value: d.Status},
			{Name: "Engine", Value: engineName(d)},
		},
	}
	if known {
		b.Label, b.Created = ps.label, ps.at
		b.Fields = append(b.Fields, model.Field{Name: "Requested", Value: format.Timestamp(ps.at)})
	}
	return b
}

// pendingTTL is how long a snapshot sent through this Provider is shown as
// requested while the cluster shows no sign of it.
const pendingTTL = 30 * time.Minute

func listed(bs []model.Backup, label string) bool {
	for _, b := range bs {
		if b.Kind == model.BackupSnapshot && b.Label == label {
			return true
		}
	}
	return false
}

func (p *Provider) forget(resourceID string) {
	p.mu.Lock()
	delete(p.pending, resourceID)
	p.mu.Unlock()
}
