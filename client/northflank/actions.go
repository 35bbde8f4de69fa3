package northflank

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/snapdeck/snapdeck/model"
)

type destReq struct {
	DestinationID string `json:"destinationId"`
	RetentionTime int    `json:"retentionTime,omitempty"`
	Type          string `json:"type"`
}

type createReq struct {
	Name                   string    `json:"name,omitempty"`
	BackupType             string    `json:"backupType,omitempty"`
	CompressionType        string    `json:"compressionType,omitempty"`
	AdditionalDestinations []destReq `json:"additionalDestinations,omitempty"`
}

// TakeSnapshot implements client.Actions: it starts a backup of the type the
// request names (a snapshot by default). An empty Label lets Northflank
// name the backup after the date.
func (p *Provider) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	id, err := parseID(resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	if problems := model.NorthflankBackupProblems(req); len(problems) > 0 {
		return model.Backup{}, invalid(problems...)
	}
	body := createReq{Name: req.Label, BackupType: req.Type, CompressionType: req.Compression}
	for _, d := range req.Destinations {
		body.AdditionalDestinations = append(body.AdditionalDestinations, destReq{DestinationID: d.ID, RetentionTime: d.RetentionDays, Type: "custom"})
	}
	var r one[backupJSON]
	if _, _, err := p.rc.Do(ctx, http.MethodPost, id.path("backups"), nil, body, &r); err != nil {
		return model.Backup{}, err
	}
	if r.Data == nil {
		return model.Backup{}, malformed("the new backup")
	}
	b, err := toBackup(resourceID, r.Data)
	if err != nil {
		return model.Backup{}, err
	}
	b.Kind = model.BackupSnapshot // taken by the user, whatever its name
	if isRunning(b.RawStatus) {
		b.Slot = model.SlotInProgress
	}
	return b, nil
}

// RestoreBackup implements client.Actions. Northflank restores a backup
// over the addon it was taken of, always replacing its data, so the target
// must be the backup's own addon and overwrite must be acknowledged.
func (p *Provider) RestoreBackup(ctx context.Context, resourceID, backupID, targetID string, overwrite bool) error {
	id, err := parseID(resourceID)
	if err != nil {
		return err
	}
	if targetID != resourceID {
		return invalid("[target] Northflank restores a backup only onto the addon it was taken of (" + resourceID + ")")
	}
	if !overwrite {
		return invalid("[overwrite] a Northflank restore always replaces the addon's data; it must be confirmed as an overwrite")
	}
	path, err := backupPath(id, backupID, "restore")
	if err != nil {
		return err
	}
	var r one[struct {
		RestoreID string `json:"restoreId"`
	}]
	// A snapshot restore puts the addon back at the backup's version: the
	// next listing reads it again (also when the reply was lost).
	defer p.forget(id.String())
	_, _, err = p.rc.Do(ctx, http.MethodPost, path, nil, nil, &r)
	return err
}

// AbortBackup implements client.Actions.
func (p *Provider) AbortBackup(ctx context.Context, resourceID, backupID string) error {
	return p.act(ctx, http.MethodPost, resourceID, backupID, "abort")
}

// DeleteBackup implements client.Actions.
func (p *Provider) DeleteBackup(ctx context.Context, resourceID, backupID string) error {
	return p.act(ctx, http.MethodDelete, resourceID, backupID)
}

// act sends a bodiless mutation of one backup; its reply is {"data": {}}.
func (p *Provider) act(ctx context.Context, method, resourceID, backupID string, rest ...string) error {
	id, err := parseID(resourceID)
	if err != nil {
		return err
	}
	path, err := backupPath(id, backupID, rest...)
	if err != nil {
		return err
	}
	var r one[json.RawMessage]
	_, _, err = p.rc.Do(ctx, method, path, nil, nil, &r)
	return err
}

func sortRestores(rs []model.Restore) {
	slices.SortStableFunc(rs, func(a, b model.Restore) int { return b.Started.Compare(a.Started) })
}
