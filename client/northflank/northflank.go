// Package northflank adapts the Northflank API v1 to client.Provider: the
// resources are the addons of every project the token can see, and their
// backups are the addons' snapshots and dumps. Northflank has no Go SDK, so
// this speaks JSON over client/rest.
package northflank

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/rest"
	"github.com/snapdeck/snapdeck/model"
)

// DefaultBaseURL is the real API.
const DefaultBaseURL = "https://api.northflank.com"

// perPage is the API's largest page.
const perPage = 100

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
	// Parallel bounds the per-addon reads a listing makes at once; default
	// 4, gentle on the API's 1000 requests an hour.
	Parallel int
	// NoPacing sends every request, to see the API's own 429s (tests).
	NoPacing bool
}

// Provider is one Northflank team. It is safe for concurrent use.
type Provider struct {
	client.Unsupported // schedules, notes, enabling and events: not offered

	rc       *rest.Client
	parallel int
}

var (
	_ client.Provider = (*Provider)(nil)
	_ client.Actions  = (*Provider)(nil)
)

// Info describes Northflank addons and what snapdeck can do to their
// backups.
var Info = model.ProviderInfo{
	Name: "northflank", Title: "Northflank", Kind: model.KindAddon,
	Noun: "addon", Plural: "Addons", GroupTitle: "PROJECT", BackupNoun: "backup",
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
		c.Parallel = 4
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
	return &Provider{Unsupported: client.Unsupported{Provider: "Northflank"}, rc: rc, parallel: c.Parallel}, nil
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

// inParallel runs f(0) … f(n-1), at most p.parallel at once, and returns
// the first error; the others are cancelled once one has failed.
func (p *Provider) inParallel(ctx context.Context, n int, f func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, p.parallel)
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i := 0; i < n; i++ {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		// The caller's context ended before all were started.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &client.Error{Kind: client.ErrTimeout, Err: ctx.Err()}
		}
		return &client.Error{Kind: client.ErrOther, Err: ctx.Err()}
	}
	return first
}

type row struct {
	project projectJSON
	addon   addonItemJSON
}

// ListResources implements client.Provider. Northflank pages by cursor, so
// every addon of every project comes on page 1. Each addon shown costs two
// more requests: its details (version, creation time, disk) and its newest
// completed backup.
func (p *Provider) ListResources(ctx context.Context, _ int, f client.Filter) (client.ResourcePage, error) {
	projects, err := readAll[projectJSON](ctx, p, "/v1/projects", "projects")
	if err != nil {
		return client.ResourcePage{}, err
	}
	perProject := make([][]addonItemJSON, len(projects))
	for i := range projects {
		if projects[i].ID == "" {
			return client.ResourcePage{}, malformed("a project ID")
		}
	}
	err = p.inParallel(ctx, len(projects), func(ctx context.Context, i int) error {
		path, err := client.Path("/v1/projects/{}/addons", projects[i].ID)
		if err != nil {
			return err
		}
		as, err := readAll[addonItemJSON](ctx, p, path, "addons")
		perProject[i] = as
		return err
	})
	if err != nil {
		return client.ResourcePage{}, err
	}
	var rows []row
	for i, as := range perProject {
		for _, a := range as {
			if a.ID == "" {
				return client.ResourcePage{}, malformed("an addon ID")
			}
			if r := (row{projects[i], a}); f.Matches(r.addon.Name, r.project.Name, r.addon.Tags) {
				rows = append(rows, r)
			}
		}
	}
	items := make([]model.Resource, len(rows))
	err = p.inParallel(ctx, len(rows), func(ctx context.Context, i int) error {
		r := rows[i]
		id, err := newIDs(r.project.ID, r.addon.ID)
		if err != nil {
			return err
		}
		res, err := p.resource(ctx, id, r.project.Name)
		items[i] = res
		return err
	})
	if err != nil {
		return client.ResourcePage{}, err
	}
	return client.ResourcePage{Items: items, Page: 1, Pages: 1, Total: len(items)}, nil
}

// resource reads one addon's details and newest completed backup.
func (p *Provider) resource(ctx context.Context, id ids, projectName string) (model.Resource, error) {
	var a one[addonJSON]
	if _, _, err := p.rc.Do(ctx, http.MethodGet, id.path(), nil, nil, &a); err != nil {
		return model.Resource{}, err
	}
	if a.Data == nil || a.Data.ID == "" {
		return model.Resource{}, malformed("the addon")
	}
	created, err := parseTime(a.Data.CreatedAt, "createdAt")
	if err != nil {
		return model.Resource{}, err
	}
	last, err := p.lastCompleted(ctx, id)
	if err != nil {
		return model.Resource{}, err
	}
	d := a.Data
	plan := d.Spec.Type
	if v := d.Spec.Config.VersionTag; v != "" {
		plan += " " + v
	}
	return model.Resource{
		ID: id.String(), Provider: "northflank", Kind: model.KindAddon, Label: d.Name, Region: projectName,
		Status: d.Status, Plan: plan, Tags: d.Tags, Created: created, DiskMB: int(model.SizeFromFloat(d.Spec.Config.Deployment.StorageSize)),
		BackupsEnabled: true, LastSuccessful: last,
	}, nil
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
