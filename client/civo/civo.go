// Package civo adapts the Civo API v2 (instances and their snapshots) to
// client.Provider, over client/rest: Civo has no Go SDK that keeps
// snapdeck's rules (typed errors, writes sent once, bounded retries).
package civo

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/rest"
	"github.com/snapdeck/snapdeck/model"
)

// DefaultBaseURL is Civo's API.
const DefaultBaseURL = "https://api.civo.com"

// PerPage is the page size asked of GET /v2/instances. Civo's default is
// 20; 100 keeps a large account to few requests.
const PerPage = 100

// maxPages bounds a walk through every page, should a reply's page count
// be absurd (client.CheckPages refuses a count above it).
var maxPages = client.MaxPagesOf(PerPage)

// Config says how to reach one Civo account.
type Config struct {
	// Transport: a BaseURL of "" means DefaultBaseURL; a Pacer, when set,
	// holds every request back while a 429's Retry-After runs (the API
	// documents no rate-limit headers: client.NewRetryAfterPacer, one per
	// account, is what cmd/snapdeck gives it), nil sends at once.
	client.Transport
	Token string
	// Region, when set, is sent as ?region= on every request: Civo scopes
	// instances and snapshots to a region. "" lists what the API gives
	// without one.
	Region string
}

// Provider is one Civo account. It is safe for concurrent use.
type Provider struct {
	client.Unsupported // restore, schedules, notes: not through this API

	c      *rest.Client
	region string
}

var (
	_ client.Provider = (*Provider)(nil)
	_ client.Actions  = (*Provider)(nil)
)

// Info describes Civo instances and what snapdeck can do to their snapshots.
var Info = model.ProviderInfo{
	Name: "civo", Title: "Civo", Kind: model.KindInstance, OverwritesByName: true,
	Noun: "instance", Plural: "Instances", GroupTitle: "REGION", BackupNoun: "snapshot",
	Caps:         model.CapSnapshot | model.CapDeleteBackup,
	SafeOption:   true,
	ValidateName: model.ValidateCivoSnapshotName,
}

// New builds a Provider.
func New(c Config) (*Provider, error) {
	if strings.TrimSpace(c.Token) == "" {
		return nil, errors.New("civo: an API key is required")
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	token := c.Token
	rc, err := rest.New(rest.Config{
		Transport: c.Transport,
		Auth:      func(r *http.Request) { r.Header.Set("Authorization", "bearer "+token) },
		Secrets:   []string{token},
		Reasons:   reasons,
	})
	if err != nil {
		return nil, errors.New("civo: " + err.Error())
	}
	return &Provider{Unsupported: client.Unsupported{Provider: "Civo"}, c: rc, region: strings.TrimSpace(c.Region)}, nil
}

// Name implements client.Provider.
func (p *Provider) Name() string { return "civo" }

// Info implements client.Provider.
func (p *Provider) Info() model.ProviderInfo { return Info }

// fieldOf prefixes the reasons of Civo's parameter errors with their field.
var fieldOf = map[string]string{
	"parameter_name_invalid":                      "name",
	"parameter_instance_id_missing":               "instance_id",
	"database_snapshot_create_instance_not_found": "instance_id",
}

// reasons reads Civo's error bodies: {"code","reason"[,"details"]},
// {"result":"requires_authentication","status":401} and {"status":500,
// "error":…}.
func reasons(_ int, body []byte) []string {
	var e struct {
		Code    string `json:"code"`
		Reason  string `json:"reason"`
		Details string `json:"details"`
		Result  string `json:"result"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return nil
	}
	switch {
	case e.Reason != "":
		r := e.Reason
		if e.Details != "" {
			r += ", " + e.Details
		}
		if f := fieldOf[e.Code]; f != "" {
			r = "[" + f + "] " + r
		}
		return []string{r}
	case e.Error != "":
		return []string{e.Error}
	case e.Result != "":
		return []string{e.Result}
	}
	return nil
}

// query is the query string every request carries: the region, if any.
func (p *Provider) query() url.Values {
	q := url.Values{}
	if p.region != "" {
		q.Set("region", p.region)
	}
	return q
}

// ListResources implements client.Provider. Without a filter it reads
// one page of Civo's paging; with one it reads every page, filters here
// (Civo's tags and region parameters match exactly, not by substring) and
// answers everything as page 1. Either way one GET /v2/snapshots supplies
// each instance's newest complete snapshot.
func (p *Provider) ListResources(ctx context.Context, page int, f client.Filter) (client.ResourcePage, error) {
	page = max(page, 1)
	var out client.ResourcePage
	if f == (client.Filter{}) {
		items, pages, err := p.instancePage(ctx, page)
		if err != nil {
			return out, err
		}
		// Past the end the API answers an empty page; show the last one.
		if page > pages {
			page = pages
			if items, pages, err = p.instancePage(ctx, page); err != nil {
				return out, err
			}
		}
		out = client.ResourcePage{Items: items, Page: page, Pages: pages}
		// Civo gives no total; earlier pages are full, so it is exact on
		// the last page and an upper bound before it.
		if page == pages {
			out.Total = (pages-1)*PerPage + len(items)
		} else {
			out.Total = pages * PerPage
		}
	} else {
		var all []model.Resource
		for pg, pages := 1, 1; pg <= pages && pg <= maxPages; pg++ {
			items, n, err := p.instancePage(ctx, pg)
			if err != nil {
				return out, err
			}
			pages = n
			for _, r := range items {
				if f.Matches(r.Label, r.Region, r.Tags) {
					all = append(all, r)
				}
			}
		}
		out = client.ResourcePage{Items: all, Page: 1, Pages: 1, Total: len(all)}
	}
	if out.Items == nil {
		out.Items = []model.Resource{}
	}
	snaps, err := p.snapshots(ctx)
	if err != nil {
		return client.ResourcePage{}, err
	}
	last := lastSuccessful(snaps)
	for i := range out.Items {
		out.Items[i].LastSuccessful = last[out.Items[i].ID]
	}
	return out, nil
}

// instancePage reads one page of instances and its page count.
func (p *Provider) instancePage(ctx context.Context, page int) ([]model.Resource, int, error) {
	q := p.query()
	q.Set("page", strconv.Itoa(page))
	q.Set("per_page", strconv.Itoa(PerPage))
	var env pageJSON
	if _, _, err := p.c.Do(ctx, http.MethodGet, "/v2/instances", q, nil, &env); err != nil {
		return nil, 0, err
	}
	// Valid JSON can still lack what every real reply has; an empty page
	// would then pass for an empty account.
	if env.Items == nil || env.Pages == nil || *env.Pages < 0 {
		return nil, 0, malformed("the instance list or its page count")
	}
	// Civo gives no total: only the ceiling bounds the count.
	if err := client.CheckPages(max(1, *env.Pages), -1, PerPage); err != nil {
		return nil, 0, err
	}
	items := make([]model.Resource, 0, len(*env.Items))
	for i := range *env.Items {
		in := &(*env.Items)[i]
		if in.ID == "" {
			return nil, 0, malformed("an instance ID")
		}
		items = append(items, in.resource())
	}
	return items, max(1, *env.Pages), nil
}

// snapshots reads every snapshot in the account (or region).
func (p *Provider) snapshots(ctx context.Context) ([]snapshotJSON, error) {
	var list []snapshotJSON
	if _, _, err := p.c.Do(ctx, http.MethodGet, "/v2/snapshots", p.query(), nil, &list); err != nil {
		return nil, err
	}
	if list == nil {
		return nil, malformed("the snapshot list")
	}
	for i := range list {
		if list[i].Name == "" {
			return nil, malformed("a snapshot name")
		}
	}
	return list, nil
}

// lastSuccessful maps instance IDs to their newest complete snapshot.
func lastSuccessful(snaps []snapshotJSON) map[string]time.Time {
	out := map[string]time.Time{}
	for i := range snaps {
		s := &snaps[i]
		if model.CivoStatus(s.status()) != model.StatusSuccessful {
			continue
		}
		t := s.finished()
		if t.IsZero() {
			t = parseTime(s.RequestedAt)
		}
		if t.After(out[s.InstanceID]) {
			out[s.InstanceID] = t
		}
	}
	return out
}

// ListBackups implements client.Provider: the instance's snapshots, newest
// first, from the account's list.
func (p *Provider) ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error) {
	if err := checkID(resourceID); err != nil {
		return nil, err
	}
	snaps, err := p.snapshots(ctx)
	if err != nil {
		return nil, err
	}
	return backupsOf(resourceID, snaps), nil
}

// backupsOf maps the snapshots of one instance, newest first, marking the
// newest complete one-off snapshot current and running ones in progress.
func backupsOf(resourceID string, snaps []snapshotJSON) []model.Backup {
	out := []model.Backup{}
	for i := range snaps {
		if snaps[i].InstanceID == resourceID {
			out = append(out, snaps[i].backup())
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	current := false
	for i := range out {
		b := &out[i]
		if b.Kind != model.BackupSnapshot {
			continue
		}
		switch {
		case b.Status.Active():
			b.Slot = model.SlotInProgress
		case b.Status == model.StatusSuccessful && !current:
			b.Slot, current = model.SlotCurrent, true
		}
	}
	return out
}

// GetBackup implements client.Provider. Civo names snapshots, so backupID
// is the name; one of another instance is not found here.
func (p *Provider) GetBackup(ctx context.Context, resourceID, backupID string) (model.Backup, error) {
	bs, err := p.ListBackups(ctx, resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	for _, b := range bs {
		if b.ID == backupID {
			return b, nil
		}
	}
	return model.Backup{}, noSnapshot(backupID)
}

func noSnapshot(name string) error {
	return &client.Error{Kind: client.ErrNotFound, Reasons: []string{"this instance has no snapshot named " + strconv.Quote(name)}}
}

// checkID refuses an instance ID that cannot be one before it reaches a URL.
func checkID(id string) error {
	if id == "" || strings.ContainsAny(id, "/?#%\\ \t\r\n") {
		return &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no Civo instance with ID " + strconv.Quote(id)}}
	}
	return nil
}

// malformed is the error for a reply that decoded but lacks a field.
func malformed(what string) error {
	return &client.Error{Kind: client.ErrMalformed, Err: errors.New("reply lacks " + what)}
}
