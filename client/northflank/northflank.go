// Package northflank adapts the Northflank API v1 to client.Provider: the
// resources are the addons of every project the token can see, and their
// backups are the addons' snapshots and dumps. Northflank has no Go SDK, so
// this speaks JSON over client/rest.
package northflank

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/rest"
	"github.com/snapdeck/snapdeck/model"
)

// DefaultBaseURL is the real API.
const DefaultBaseURL = "https://api.northflank.com"

// perPage is the API's largest page.
const perPage = 100

// DefaultParallel is how many reads a listing has in flight unless
// Config.Parallel says otherwise: the per-addon wave of 16 addons (their
// own reads and their backups) goes out at once.
const DefaultParallel = 32

// maxPages bounds one listing, so a server that keeps saying there is more
// cannot keep the client reading for ever.
var maxPages = client.MaxPagesOf(perPage)

// Config says how to reach one Northflank team.
type Config struct {
	// Transport: a BaseURL of "" means DefaultBaseURL; a nil Pacer means a
	// new one (Northflank's X-RateLimit-Reset counts seconds to the reset)
	// unless NoPacing.
	client.Transport
	// Token is a team API token; it is sent as a bearer token and never
	// appears in an error.
	Token string
	// Parallel bounds the reads a listing has in flight; default
	// DefaultParallel. The API's budget (1000 requests an hour) counts
	// requests, not requests at once: sending a wave's reads together
	// costs nothing more than sending them a few at a time.
	Parallel int
	// NoPacing sends every request, to see the API's own 429s (tests).
	NoPacing bool
}

// Provider is one Northflank team. It is safe for concurrent use.
type Provider struct {
	client.Unsupported // schedules, notes, enabling and events: not offered

	rc       *rest.Client
	parallel int
	now      func() time.Time // the clock factsMaxAge is measured on

	mu    sync.Mutex       // guards facts
	facts map[string]facts // by resource ID, from the last reads
}

var (
	_ client.Provider = (*Provider)(nil)
	_ client.Actions  = (*Provider)(nil)
)

// Info describes Northflank addons and what snapdeck can do to their
// backups.
var Info = model.ProviderInfo{
	Name: "northflank", Title: "Northflank", Kind: model.KindAddon,
	Noun: "addon", Plural: "Addons", GroupTitle: "PROJECT", GroupIsTag: true, BackupNoun: "backup",
	Caps: model.CapSnapshot | model.CapRestore | model.CapDeleteBackup | model.CapAbortBackup |
		model.CapRestoreHistory,
	BackupTypes:  []string{"snapshot", "dump"},
	Compressions: []string{"gz", "zstd"},
	Destinations: true,
	ValidateName: model.ValidateNorthflankBackupName,
}

// New builds a Provider.
func New(c Config) (*Provider, error) {
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.Parallel <= 0 {
		c.Parallel = DefaultParallel
	}
	token := c.Token
	if c.Pacer == nil && !c.NoPacing {
		c.Pacer = client.NewRelativePacer()
	}
	tr := c.Transport
	tr.BaseURL = strings.TrimRight(c.BaseURL, "/")
	rc, err := rest.New(rest.Config{
		Transport: tr,
		Auth:      func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) },
		Secrets:   []string{token},
		Reasons:   reasons,
	})
	if err != nil {
		return nil, err
	}
	return &Provider{Unsupported: client.Unsupported{Provider: "Northflank"}, rc: rc, parallel: c.Parallel, now: time.Now}, nil
}

// Name implements client.Provider.
func (p *Provider) Name() string { return "northflank" }

// Info implements client.Provider.
func (p *Provider) Info() model.ProviderInfo { return Info }

// ids is a resource ID taken apart: "projectId/addonId", with the addon's
// path built by client.Path.
type ids struct{ project, addon, base string }

func (x ids) String() string { return x.project + "/" + x.addon }

// path is the addon's path followed by literal segments.
func (x ids) path(rest ...string) string {
	return strings.Join(append([]string{x.base}, rest...), "/")
}

// newIDs checks both IDs (client.Path) and builds the addon's path.
func newIDs(project, addon string) (ids, error) {
	base, err := client.Path("/v1/projects/{}/addons/{}", project, addon)
	if err != nil {
		return ids{}, err
	}
	return ids{project, addon, base}, nil
}

func parseID(resourceID string) (ids, error) {
	project, addon, ok := strings.Cut(resourceID, "/")
	if !ok || project == "" || addon == "" || strings.Contains(addon, "/") {
		return ids{}, invalid("[resource] " + quote(resourceID) + " is not a Northflank addon ID (projectId/addonId)")
	}
	return newIDs(project, addon)
}

func quote(s string) string { return strconv.Quote(s) }

func backupPath(id ids, backupID string, rest ...string) (string, error) {
	if backupID == "" {
		return "", invalid("[backup] " + quote(backupID) + " is not a backup ID")
	}
	b, err := client.Path("/backups/{}", backupID)
	if err != nil {
		return "", err
	}
	return id.path(append([]string{strings.TrimPrefix(b, "/")}, rest...)...), nil
}

// readPages reads a cursor-paged list at path, handing each page's items to
// each until it returns false or the list ends.
func readPages[T any](ctx context.Context, p *Provider, path, key string, each func([]T) bool) error {
	q := url.Values{"per_page": {strconv.Itoa(perPage)}}
	seen := map[string]bool{}
	for n := 0; n < maxPages; n++ {
		var pg pageJSON
		if _, _, err := p.rc.Do(ctx, http.MethodGet, path, q, nil, &pg); err != nil {
			return err
		}
		raw, ok := pg.Data[key]
		if !ok || string(raw) == "null" {
			return malformed("data." + key)
		}
		var items []T
		if err := json.Unmarshal(raw, &items); err != nil {
			return &client.Error{Kind: client.ErrMalformed, Err: err}
		}
		if pg.Pagination == nil || pg.Pagination.HasNextPage == nil {
			return malformed("pagination.hasNextPage")
		}
		if !each(items) || !*pg.Pagination.HasNextPage {
			return nil
		}
		c := pg.Pagination.Cursor
		if c == "" {
			return malformed("the cursor of the next page")
		}
		if seen[c] {
			return malformed("a new cursor (the last one came back)")
		}
		seen[c] = true
		q.Set("cursor", c)
	}
	return malformed("an end to the list after " + strconv.Itoa(maxPages) + " pages")
}

// readAll reads every item of a cursor-paged list.
func readAll[T any](ctx context.Context, p *Provider, path, key string) ([]T, error) {
	var all []T
	err := readPages(ctx, p, path, key, func(items []T) bool {
		all = append(all, items...)
		return true
	})
	return all, err
}

// pool runs tasks, at most n at once, on a context cancelled when the
// first one fails. A task may add more tasks: they wait for a free place
// in their own goroutine, never in the one adding them.
type pool struct {
	parent  context.Context
	ctx     context.Context
	cancel  context.CancelFunc
	sem     chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
	first   error
	skipped atomic.Bool
}

func newPool(ctx context.Context, n int) *pool {
	c, cancel := context.WithCancel(ctx)
	return &pool{parent: ctx, ctx: c, cancel: cancel, sem: make(chan struct{}, n)}
}

// Go runs f once a place is free, unless the pool has been cancelled.
func (g *pool) Go(f func(ctx context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		select {
		case g.sem <- struct{}{}:
		case <-g.ctx.Done():
			g.skipped.Store(true)
			return
		}
		defer func() { <-g.sem }()
		if g.ctx.Err() != nil {
			g.skipped.Store(true)
			return
		}
		if err := f(g.ctx); err != nil {
			g.once.Do(func() { g.first = err; g.cancel() })
		}
	}()
}

// Wait waits for every task, those added by tasks too, and returns the
// first error, or the caller's context's if it ended before all ran.
func (g *pool) Wait() error {
	g.wg.Wait()
	g.cancel()
	if g.first == nil && g.skipped.Load() {
		return client.ContextError(g.parent)
	}
	return g.first
}

// facts are what only an addon's own read tells: the list of a project's
// addons lacks its creation time, version and disk.
type facts struct {
	created time.Time
	version string
	diskMB  int
	status  string    // the addon's status when they were read
	read    time.Time // when they were read
}

// factsMaxAge bounds how long a listing reuses an addon's facts while its
// status stays the same: a version upgrade, a resize or a snapshot restore
// that began and ended between two listings leaves no other trace.
const factsMaxAge = 15 * time.Minute

// steady are the statuses in which an addon's version and disk stay put;
// in any other (upgrading, scaling, restore, …) they are re-read.
func steady(status string) bool { return status == "running" || status == "paused" }

// cached returns the facts a listing may reuse for an addon listed in
// status, if any.
func (p *Provider) cached(key, status string) (facts, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, ok := p.facts[key]
	if !ok || f.status != status || !steady(status) || p.now().Sub(f.read) >= factsMaxAge || p.now().Before(f.read) {
		return facts{}, false
	}
	return f, true
}

func (p *Provider) remember(key string, f facts) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.facts == nil {
		p.facts = map[string]facts{}
	}
	p.facts[key] = f
}

// forget drops an addon's facts, after a change snapdeck made to it.
func (p *Provider) forget(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.facts, key)
}

// readFacts reads one addon and keeps its facts for the next listing.
func (p *Provider) readFacts(ctx context.Context, id ids) (*addonJSON, facts, error) {
	var a one[addonJSON]
	if _, _, err := p.rc.Do(ctx, http.MethodGet, id.path(), nil, nil, &a); err != nil {
		return nil, facts{}, err
	}
	if a.Data == nil || a.Data.ID == "" {
		return nil, facts{}, malformed("the addon")
	}
	created, err := parseTime(a.Data.CreatedAt, "createdAt")
	if err != nil {
		return nil, facts{}, err
	}
	c := a.Data.Spec.Config
	f := facts{created: created, version: c.VersionTag, diskMB: int(model.SizeFromFloat(c.Deployment.StorageSize)),
		status: a.Data.Status, read: p.now()}
	p.remember(id.String(), f)
	return a.Data, f, nil
}

// toResource puts an addon together from what its project's list says of
// it and its facts.
func toResource(id ids, projectName, name, status, typ string, tags []string, f facts, last time.Time) model.Resource {
	plan := typ
	if f.version != "" {
		plan += " " + f.version
	}
	return model.Resource{
		ID: id.String(), Provider: "northflank", Kind: model.KindAddon, Label: name, Region: projectName,
		Status: status, Plan: plan, Tags: tags, Created: f.created, DiskMB: f.diskMB,
		BackupsEnabled: true, LastSuccessful: last,
	}
}

// ListResources implements client.Provider. Northflank pages by cursor, so
// every addon of every project comes on page 1. It takes three round trips
// however many projects there are, as long as the reads of one wave fit in
// Config.Parallel: the projects; each project's addons; and, as soon as a
// project's addons are in, each addon's newest completed backup and its
// own read (creation time, version, disk) — that one only when the last
// listing's is older than factsMaxAge or the addon's status has changed
// or is not steady, since only an upgrade, a resize or a restore changes
// what it says.
func (p *Provider) ListResources(ctx context.Context, _ int, f client.Filter) (client.ResourcePage, error) {
	projects, err := readAll[projectJSON](ctx, p, "/v1/projects", "projects")
	if err != nil {
		return client.ResourcePage{}, err
	}
	for i := range projects {
		if projects[i].ID == "" {
			return client.ResourcePage{}, malformed("a project ID")
		}
	}
	// What each project's addons need, filled in by the reads.
	type addonRows struct {
		rows  []addonItemJSON
		ids   []ids
		facts []facts
		last  []time.Time
	}
	perProject := make([]addonRows, len(projects))
	g := newPool(ctx, p.parallel)
	for i := range projects {
		pr := projects[i]
		g.Go(func(ctx context.Context) error {
			path, err := client.Path("/v1/projects/{}/addons", pr.ID)
			if err != nil {
				return err
			}
			as, err := readAll[addonItemJSON](ctx, p, path, "addons")
			if err != nil {
				return err
			}
			var x addonRows
			for _, a := range as {
				if a.ID == "" {
					return malformed("an addon ID")
				}
				if !f.Matches(a.Name, pr.Name, a.Tags) {
					continue
				}
				id, err := newIDs(pr.ID, a.ID)
				if err != nil {
					return err
				}
				x.rows, x.ids = append(x.rows, a), append(x.ids, id)
			}
			x.facts, x.last = make([]facts, len(x.rows)), make([]time.Time, len(x.rows))
			perProject[i] = x
			for j, id := range x.ids {
				if fa, ok := p.cached(id.String(), x.rows[j].Status); ok {
					x.facts[j] = fa
				} else {
					g.Go(func(ctx context.Context) (err error) {
						_, x.facts[j], err = p.readFacts(ctx, id)
						return err
					})
				}
				g.Go(func(ctx context.Context) (err error) {
					x.last[j], err = p.lastCompleted(ctx, id)
					return err
				})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return client.ResourcePage{}, err
	}
	items := []model.Resource{}
	for i, x := range perProject {
		for j, a := range x.rows {
			items = append(items, toResource(x.ids[j], projects[i].Name, a.Name, a.Status, a.Spec.Type, a.Tags, x.facts[j], x.last[j]))
		}
	}
	return client.ResourcePage{Items: items, Page: 1, Pages: 1, Total: len(items)}, nil
}

// resource reads one addon's details and newest completed backup.
func (p *Provider) resource(ctx context.Context, id ids, projectName string) (model.Resource, error) {
	a, fa, err := p.readFacts(ctx, id)
	if err != nil {
		return model.Resource{}, err
	}
	last, err := p.lastCompleted(ctx, id)
	if err != nil {
		return model.Resource{}, err
	}
	return toResource(id, projectName, a.Name, a.Status, a.Spec.Type, a.Tags, fa, last), nil
}

// lastCompleted finds the completion time of the newest completed backup,
// reading pages (newest first) only until one has turned up.
func (p *Provider) lastCompleted(ctx context.Context, id ids) (time.Time, error) {
	var last time.Time
	var perr error
	err := readPages(ctx, p, id.path("backups"), "backups", func(bs []backupJSON) bool {
		for i := range bs {
			if bs[i].Status != "completed" {
				continue
			}
			t, err := parseTime(bs[i].CompletedAt, "completedAt")
			if err != nil {
				perr = err
				return false
			}
			if t.After(last) {
				last = t
			}
		}
		return last.IsZero()
	})
	if err == nil {
		err = perr
	}
	return last, err
}

// GetResource implements client.Actions.
func (p *Provider) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	id, err := parseID(resourceID)
	if err != nil {
		return model.Resource{}, err
	}
	var pr one[projectJSON]
	path, err := client.Path("/v1/projects/{}", id.project)
	if err != nil {
		return model.Resource{}, err
	}
	if _, _, err := p.rc.Do(ctx, http.MethodGet, path, nil, nil, &pr); err != nil {
		return model.Resource{}, err
	}
	if pr.Data == nil || pr.Data.Name == "" {
		return model.Resource{}, malformed("the project's name")
	}
	return p.resource(ctx, id, pr.Data.Name)
}

// ListBackups implements client.Provider: every backup, newest first.
func (p *Provider) ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error) {
	id, err := parseID(resourceID)
	if err != nil {
		return nil, err
	}
	raw, err := readAll[backupJSON](ctx, p, id.path("backups"), "backups")
	if err != nil {
		return nil, err
	}
	out := make([]model.Backup, 0, len(raw))
	for i := range raw {
		b, err := toBackup(resourceID, &raw[i])
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	markSlots(out)
	return out, nil
}

// GetBackup implements client.Provider. A completed user-taken backup costs
// a second read, of the newest backups, to learn whether it is the current
// one.
func (p *Provider) GetBackup(ctx context.Context, resourceID, backupID string) (model.Backup, error) {
	id, err := parseID(resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	path, err := backupPath(id, backupID)
	if err != nil {
		return model.Backup{}, err
	}
	var r one[backupJSON]
	if _, _, err := p.rc.Do(ctx, http.MethodGet, path, nil, nil, &r); err != nil {
		return model.Backup{}, err
	}
	if r.Data == nil {
		return model.Backup{}, malformed("the backup")
	}
	b, err := toBackup(resourceID, r.Data)
	if err != nil {
		return model.Backup{}, err
	}
	switch {
	case isRunning(b.RawStatus):
		b.Slot = model.SlotInProgress
	case b.Kind == model.BackupSnapshot && b.RawStatus == "completed":
		cur, err := p.current(ctx, id)
		if err != nil {
			return model.Backup{}, err
		}
		if cur == b.ID {
			b.Slot = model.SlotCurrent
		}
	}
	return b, nil
}

// current is the ID of the newest completed user-taken backup, "" if none.
func (p *Provider) current(ctx context.Context, id ids) (string, error) {
	var cur string
	err := readPages(ctx, p, id.path("backups"), "backups", func(bs []backupJSON) bool {
		for i := range bs {
			if bs[i].Status == "completed" && !scheduledName.MatchString(bs[i].Name) {
				cur = bs[i].ID
				return false
			}
		}
		return true
	})
	return cur, err
}

// Restores implements client.Actions: the addon's restore history, newest
// first, with each backup's name where the backup still exists.
func (p *Provider) Restores(ctx context.Context, resourceID string) ([]model.Restore, error) {
	id, err := parseID(resourceID)
	if err != nil {
		return nil, err
	}
	raw, err := readAll[restoreJSON](ctx, p, id.path("restores"), "restores")
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 {
		return []model.Restore{}, nil
	}
	backups, err := readAll[backupJSON](ctx, p, id.path("backups"), "backups")
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(backups))
	for _, b := range backups {
		names[b.ID] = b.Name
	}
	out := make([]model.Restore, 0, len(raw))
	for _, r := range raw {
		if r.Status == "" {
			return nil, malformed("a restore's status")
		}
		started, err := parseTime(r.RestoreTimestamp, "restoreTimestamp")
		if err != nil {
			return nil, err
		}
		done, err := parseTime(r.CompletedAt, "completedAt")
		if err != nil {
			return nil, err
		}
		out = append(out, model.Restore{BackupID: r.BackupID, BackupName: names[r.BackupID],
			Status: model.NorthflankStatus(r.Status), RawStatus: r.Status, Started: started, Finished: done})
	}
	sortRestores(out)
	return out, nil
}

var _ client.DestinationLister = (*Provider)(nil)

type destinationJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// BackupDestinations implements client.DestinationLister: the team's
// backup destinations, whose IDs a snapshot's additional destinations
// name.
func (p *Provider) BackupDestinations(ctx context.Context) ([]model.BackupDestination, error) {
	raw, err := readAll[destinationJSON](ctx, p, "/v1/backup-destinations", "backupDestinations")
	if err != nil {
		return nil, err
	}
	out := make([]model.BackupDestination, 0, len(raw))
	for _, d := range raw {
		if d.ID == "" {
			return nil, malformed("a backup destination's ID")
		}
		out = append(out, model.BackupDestination{ID: d.ID, Name: d.Name})
	}
	return out, nil
}
