package civo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/client/rest"
	"github.com/snapdeck/snapdeck/model"
)

// GetResource implements client.Actions: the instance, with its newest
// complete snapshot from the account's list.
func (p *Provider) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	if err := checkID(resourceID); err != nil {
		return model.Resource{}, err
	}
	path, err := client.Path("/v2/instances/{}", resourceID)
	if err != nil {
		return model.Resource{}, err
	}
	var in instanceJSON
	if _, _, err := p.c.Do(ctx, http.MethodGet, path, p.query(), nil, &in); err != nil {
		return model.Resource{}, err
	}
	if in.ID == "" {
		return model.Resource{}, malformed("the instance ID")
	}
	snaps, err := p.snapshots(ctx)
	if err != nil {
		return model.Resource{}, err
	}
	r := in.resource()
	r.LastSuccessful = lastSuccessful(snaps)[r.ID]
	return r, nil
}

// TakeSnapshot implements client.Actions: PUT /v2/snapshots/:name, named
// req.Label, with req.Safe. Civo overwrites a snapshot of the same name
// whichever instance it is of; snapdeck refuses to overwrite another
// instance's, reading the list first. It overwrites this instance's own,
// which the UI confirms beforehand.
func (p *Provider) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	name := req.Label
	if err := model.ValidateCivoSnapshotName(name); err != nil {
		return model.Backup{}, &client.Error{Kind: client.ErrInvalid, Reasons: []string{"[name] " + err.Error()}}
	}
	if err := checkID(resourceID); err != nil {
		return model.Backup{}, err
	}
	path, err := client.Path("/v2/snapshots/{}", name)
	if err != nil {
		return model.Backup{}, err
	}
	snaps, err := p.snapshots(ctx)
	if err != nil {
		return model.Backup{}, err
	}
	for i := range snaps {
		if s := &snaps[i]; s.Name == name && s.InstanceID != resourceID {
			owner := s.Hostname
			if owner == "" {
				owner = s.InstanceID
			}
			return model.Backup{}, &client.Error{Kind: client.ErrInvalid, Reasons: []string{
				"[name] " + strconv.Quote(name) + " is a snapshot of " + owner + "; taking this one would overwrite it, so choose another name"}}
		}
	}
	form := url.Values{"instance_id": {resourceID}, "safe": {strconv.FormatBool(req.Safe)}}
	var s snapshotJSON
	if _, _, err := p.c.Do(ctx, http.MethodPut, path, p.query(), rest.Form(form), &s); err != nil {
		return model.Backup{}, err
	}
	if s.Name == "" {
		return model.Backup{}, malformed("the snapshot name")
	}
	b := s.backup()
	if b.ResourceID == "" {
		b.ResourceID = resourceID
	}
	if b.Kind == model.BackupSnapshot && b.Status.Active() {
		b.Slot = model.SlotInProgress
	}
	return b, nil
}

// DeleteBackup implements client.Actions: DELETE /v2/snapshots/:name, once
// the list shows the snapshot is this instance's; otherwise nothing is sent.
func (p *Provider) DeleteBackup(ctx context.Context, resourceID, backupID string) error {
	if err := checkID(resourceID); err != nil {
		return err
	}
	if backupID == "" {
		return noSnapshot(backupID)
	}
	path, err := client.Path("/v2/snapshots/{}", backupID)
	if err != nil {
		return err
	}
	snaps, err := p.snapshots(ctx)
	if err != nil {
		return err
	}
	found := false
	for i := range snaps {
		found = found || snaps[i].Name == backupID && snaps[i].InstanceID == resourceID
	}
	if !found {
		return noSnapshot(backupID)
	}
	var res struct {
		Name   string `json:"name"`
		Result string `json:"result"`
	}
	if _, _, err := p.c.Do(ctx, http.MethodDelete, path, p.query(), nil, &res); err != nil {
		return err
	}
	if res.Result != "success" {
		// A 2xx that does not say it worked may or may not have: re-read.
		return &client.Error{Kind: client.ErrServer, Err: errors.New("Civo answered result " + strconv.Quote(res.Result))}
	}
	return nil
}
