// Package superbflex adapts the Superb Flex Cloud API (OnApp) to
// client.Provider: virtual machines and their normal (disk) and
// incremental (whole VM) backups.
package superbflex

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/rest"
	"github.com/snapdeck/snapdeck/model"
)

// Config says how to reach one Superb Flex Cloud account.
type Config struct {
	// Transport: BaseURL is the account's API URL, and there is no
	// default: Superb gives each account its URL (its guide names
	// https://mycp.superb.net/flexapi). A Pacer, when set, holds every
	// request back while a 429's Retry-After runs (the API documents no
	// rate-limit headers: client.NewRetryAfterPacer, one per account, is
	// what cmd/snapdeck gives it); nil sends at once.
	client.Transport
	// User is the account ID and Password the API key (HTTP Basic auth).
	// Neither ever appears in an error.
	User, Password string
}

// Provider is one Superb Flex Cloud account. It is safe for concurrent use.
type Provider struct {
	client.Unsupported // enabling, cancelling, schedules, events, aborting, restore history
	c                  *rest.Client
}

var (
	_ client.Provider = (*Provider)(nil)
	_ client.Actions  = (*Provider)(nil)
)

// Info describes Superb Flex virtual machines and what snapdeck can do to
// their backups.
var Info = model.ProviderInfo{
	Name: "superbflex", Title: "Superb Flex Cloud", Kind: model.KindVM,
	Noun: "VM", Plural: "Virtual machines", GroupTitle: "HYPERVISOR", BackupNoun: "backup",
	Caps:         model.CapSnapshot | model.CapRestore | model.CapDeleteBackup | model.CapNote,
	DiskTarget:   true,
	NameField:    "Note",
	ValidateName: model.ValidateSuperbFlexNote,
}

// New builds a Provider.
func New(c Config) (*Provider, error) {
	if strings.TrimSpace(c.BaseURL) == "" {
		return nil, errors.New("superbflex: the account's API URL is required (Superb gives each account one, e.g. https://mycp.superb.net/flexapi)")
	}
	if c.User == "" || c.Password == "" {
		return nil, errors.New("superbflex: an account ID (user) and an API key (password) are required")
	}
	user, pass := c.User, c.Password
	rc, err := rest.New(rest.Config{
		Transport: c.Transport,
		Auth:      func(r *http.Request) { r.SetBasicAuth(user, pass) },
		Secrets: []string{pass, user, base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)),
			url.UserPassword(user, pass).String()},
		Reasons: reasons,
	})
	if err != nil {
		return nil, errors.New("superbflex: " + err.Error())
	}
	return &Provider{Unsupported: client.Unsupported{Provider: Info.Title}, c: rc}, nil
}

// Name implements client.Provider.
func (p *Provider) Name() string { return Info.Name }

// Info implements client.Provider.
func (p *Provider) Info() model.ProviderInfo { return Info }

var _ client.DiskLister = (*Provider)(nil)

// vmID parses a resource ID; nothing can have an ID that is not one.
func vmID(id string) (int, error) {
	return client.IntID(id, func(id string) error {
		return &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no VM has the ID " + strconv.Quote(id)}}
	})
}

func backupID(id string) (int, error) {
	return client.IntID(id, func(id string) error {
		return &client.Error{Kind: client.ErrNotFound, Reasons: []string{"no backup has the ID " + strconv.Quote(id)}}
	})
}

func invalid(field, why string) error {
	return &client.Error{Kind: client.ErrInvalid, Reasons: []string{"[" + field + "] " + why}}
}

func (p *Provider) get(ctx context.Context, path string, out any) error {
	_, _, err := p.c.Do(ctx, http.MethodGet, path, nil, nil, out)
	return err
}

func (p *Provider) vm(ctx context.Context, id int) (vmWire, error) {
	var w vmWrap
	if err := p.get(ctx, "/virtual_machines/"+strconv.Itoa(id)+".json", &w); err != nil {
		return vmWire{}, err
	}
	if w.VM.ID <= 0 {
		return vmWire{}, malformed("the VM's ID")
	}
	return w.VM, nil
}

func (p *Provider) disks(ctx context.Context, id int) ([]diskWire, error) {
	var list []diskWrap
	if err := p.get(ctx, "/virtual_machines/"+strconv.Itoa(id)+"/disks.json", &list); err != nil {
		return nil, err
	}
	out := make([]diskWire, 0, len(list))
	for _, w := range list {
		if w.Disk.ID <= 0 {
			return nil, malformed("a disk ID")
		}
		out = append(out, w.Disk)
	}
	return out, nil
}

// ListResources implements client.Provider. The API lists every VM at once,
// so page 1 holds them all. The newest successful backup of each comes from
// joining the user's backups with the account's disks (a normal backup
// names its disk, not its VM): three reads however many VMs there are.
func (p *Provider) ListResources(ctx context.Context, _ int, f client.Filter) (client.ResourcePage, error) {
	var list []vmWrap
	if err := p.get(ctx, "/virtual_machines.json", &list); err != nil {
		return client.ResourcePage{}, err
	}
	items := make([]model.Resource, 0, len(list))
	index := make(map[int]int, len(list))
	users := []int{}
	for i := range list {
		v := &list[i].VM
		if v.ID <= 0 {
			return client.ResourcePage{}, malformed("a VM ID")
		}
		index[v.ID] = len(items)
		items = append(items, resource(v))
		if v.UserID > 0 && !slices.Contains(users, v.UserID) {
			users = append(users, v.UserID)
		}
	}
	last, err := p.lastBuilt(ctx, users)
	if err != nil {
		return client.ResourcePage{}, err
	}
	for id, t := range last {
		if i, ok := index[id]; ok {
			items[i].LastSuccessful = t
		}
	}
	kept := items[:0]
	for _, r := range items {
		if f.Matches(r.Label, r.Region, r.Tags) {
			kept = append(kept, r)
		}
	}
	return client.ResourcePage{Items: kept, Page: 1, Pages: 1, Total: len(kept)}, nil
}

// lastBuilt maps VM ID → built_at of its newest built backup. An account
// that may not read the user's backups or the disk list gets no dates
// rather than no list. The disk list and every user's backups are read at
// once: with the VM list, two round trips in all.
func (p *Provider) lastBuilt(ctx context.Context, users []int) (map[int]time.Time, error) {
	out := map[int]time.Time{}
	if len(users) == 0 {
		return out, nil
	}
	// Each read runs to its end, so which error wins is the same as when
	// they were read one after the other: the disks', then the first
	// user's in order.
	var (
		wg    sync.WaitGroup
		disks []diskWrap
		derr  error
		lists = make([][]backupWrap, len(users))
		errs  = make([]error, len(users))
		sem   = make(chan struct{}, client.MaxParallel)
	)
	wg.Add(1 + len(users))
	go func() {
		defer wg.Done()
		derr = p.get(ctx, "/settings/disks.json", &disks)
	}()
	for i, u := range users {
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = p.get(ctx, "/users/"+strconv.Itoa(u)+"/backups.json", &lists[i])
		}()
	}
	wg.Wait()
	if k := client.KindOf(derr); k == client.ErrAuth || k == client.ErrNotFound {
		return out, nil
	} else if derr != nil {
		return nil, derr
	}
	diskVM := make(map[int]int, len(disks))
	for _, d := range disks {
		diskVM[d.Disk.ID] = d.Disk.VirtualMachineID
	}
	for i := range users {
		err := errs[i]
		if k := client.KindOf(err); k == client.ErrAuth || k == client.ErrNotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		for j := range lists[i] {
			b := &lists[i][j].Backup
			if !b.Built {
				continue
			}
			vm := b.TargetID
			if b.TargetType != "VirtualMachine" {
				vm = diskVM[b.TargetID]
			}
			t := b.BuiltAt.Time
			if t.IsZero() {
				t = b.CreatedAt.Time
			}
			if vm > 0 && t.After(out[vm]) {
				out[vm] = t
			}
		}
	}
	return out, nil
}

// GetResource implements client.Actions: one VM, with the date of its
// newest built backup (disk or whole VM) as ListResources gives it, so a
// re-read after a backup says "last good just now", not "never". A VM
// whose backups cannot be read is returned without the date, as before.
func (p *Provider) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	id, err := vmID(resourceID)
	if err != nil {
		return model.Resource{}, err
	}
	v, err := p.vm(ctx, id)
	if err != nil {
		return model.Resource{}, err
	}
	r := resource(&v)
	if bs, err := p.ListBackups(ctx, resourceID); err == nil {
		for _, b := range bs {
			if !b.Available {
				continue
			}
			t := b.Finished
			if t.IsZero() {
				t = b.Created
			}
			if t.After(r.LastSuccessful) {
				r.LastSuccessful = t
			}
		}
	} else if ctx.Err() != nil {
		return model.Resource{}, err
	}
	return r, nil
}

// Disks lists the VM's disks that can be backed up on their own (swap disks
// cannot), for the UI to offer as a backup target.
// The primary disk is listed first.
func (p *Provider) Disks(ctx context.Context, resourceID string) ([]model.Disk, error) {
	id, err := vmID(resourceID)
	if err != nil {
		return nil, err
	}
	list, err := p.disks(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]model.Disk, 0, len(list))
	for _, d := range list {
		if d.IsSwap {
			continue
		}
		md := model.Disk{ID: strconv.Itoa(d.ID), Label: d.Label, SizeMB: model.SizeMB(d.DiskSize, 1024)}
		if d.Primary {
			md.Filesystem = "primary"
			out = append([]model.Disk{md}, out...)
		} else {
			out = append(out, md)
		}
	}
	return out, nil
}

// ListBackups implements client.Provider: the VM's normal and incremental
// backups, newest first. The newest built manual backup is the current
// snapshot; one not yet built is in progress.
func (p *Provider) ListBackups(ctx context.Context, resourceID string) ([]model.Backup, error) {
	id, err := vmID(resourceID)
	if err != nil {
		return nil, err
	}
	var list []backupWrap
	if err := p.get(ctx, "/virtual_machines/"+strconv.Itoa(id)+"/backups/images.json", &list); err != nil {
		return nil, err
	}
	out := make([]model.Backup, 0, len(list))
	for i := range list {
		b := &list[i].Backup
		if b.ID <= 0 {
			return nil, malformed("a backup ID")
		}
		out = append(out, backup(resourceID, b))
	}
	slices.SortStableFunc(out, func(a, b model.Backup) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		x, _ := strconv.Atoi(a.ID)
		y, _ := strconv.Atoi(b.ID)
		return y - x
	})
	current := false
	for i := range out {
		b := &out[i]
		switch {
		case b.Status.Active():
			b.Slot = model.SlotInProgress
		case !current && b.Kind == model.BackupSnapshot && b.Status == model.StatusSuccessful:
			b.Slot, current = model.SlotCurrent, true
		}
	}
	return out, nil
}

// GetBackup implements client.Provider. It reads the VM's list, so a backup
// of another VM is not found and the slot agrees with ListBackups.
func (p *Provider) GetBackup(ctx context.Context, resourceID, id string) (model.Backup, error) {
	if _, err := backupID(id); err != nil {
		return model.Backup{}, err
	}
	list, err := p.ListBackups(ctx, resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	for _, b := range list {
		if b.ID == id {
			return b, nil
		}
	}
	return model.Backup{}, &client.Error{Kind: client.ErrNotFound, Reasons: []string{"VM " + resourceID + " has no backup " + id}}
}
