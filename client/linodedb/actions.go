package linodedb

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

func invalid(reason string) error {
	return &client.Error{Kind: client.ErrInvalid, Reasons: []string{reason}}
}

// TakeSnapshot implements client.Actions. It reads the cluster and its
// backups first and refuses, without sending, what the API would refuse:
// a bad or taken label, a cluster that is not active, or one that already
// keeps 3 snapshots. The API answers {}: the snapshot is listed only once it
// is complete, so the Backup returned has no ID and stands for it until then.
func (p *Provider) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	if err := model.ValidateLinodeDBSnapshotLabel(req.Label); err != nil {
		return model.Backup{}, invalid("[label] " + err.Error())
	}
	engine, id, err := parseID(resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	d, err := p.getDB(ctx, engine, id)
	if err != nil {
		return model.Backup{}, err
	}
	if !model.LinodeDBCanSnapshot(d.Status) {
		return model.Backup{}, invalid(fmt.Sprintf("%s is %s: Linode takes a snapshot only while a database is active", d.Label, d.Status))
	}
	bs, err := p.backups(ctx, engine, id)
	if err != nil {
		return model.Backup{}, err
	}
	snaps := 0
	for _, b := range bs {
		if b.Label == req.Label {
			return model.Backup{}, invalid("[label] " + strconv.Quote(req.Label) + " is taken: a label must be unique among the database's backups")
		}
		if b.Type == "snapshot" {
			snaps++
		}
	}
	if snaps >= model.LinodeDBMaxSnapshots {
		return model.Backup{}, invalid(fmt.Sprintf("%s already keeps %d snapshots, the most Linode allows: delete one first", d.Label, snaps))
	}
	body := struct {
		Label  string `json:"label"`
		Target string `json:"target"`
	}{req.Label, "primary"}
	if err := p.write(ctx, http.MethodPost, dbPath(engine, id)+"/backups", body); err != nil {
		return model.Backup{}, err
	}
	at := p.now().UTC()
	p.mu.Lock()
	p.pending[resourceID] = pendingSnap{label: req.Label, at: at}
	p.mu.Unlock()
	d.Status = "backing_up"
	return p.inProgress(resourceID, d), nil
}

// RestoreBackup implements client.Actions. A Managed Database backup
// restores only onto its own cluster, and always replaces all of its data,
// so targetID must be resourceID and overwrite must be true.
func (p *Provider) RestoreBackup(ctx context.Context, resourceID, backupIDs, targetID string, overwrite bool) error {
	if targetID != resourceID {
		return invalid("[target] a Managed Database backup can be restored only onto its own database (" + resourceID + ")")
	}
	if !overwrite {
		return invalid("[overwrite] restoring a Managed Database always erases all of its data: it must be asked for with overwrite")
	}
	engine, id, err := parseID(resourceID)
	if err != nil {
		return err
	}
	bid, err := backupID(backupIDs)
	if err != nil {
		return err
	}
	return p.write(ctx, http.MethodPost, dbPath(engine, id)+"/backups/"+strconv.Itoa(bid)+"/restore", nil)
}

// DeleteBackup implements client.Actions. Only snapshots are deleted: the
// backup is read first, and an automatic one is refused without sending.
func (p *Provider) DeleteBackup(ctx context.Context, resourceID, backupIDs string) error {
	engine, id, err := parseID(resourceID)
	if err != nil {
		return err
	}
	bid, err := backupID(backupIDs)
	if err != nil {
		return err
	}
	b, err := p.getBackup(ctx, engine, id, bid)
	if err != nil {
		return err
	}
	if b.Type != "snapshot" {
		return invalid(fmt.Sprintf("backup %d is of type %q: only snapshots can be deleted; Linode keeps each automatic backup 7 days", bid, b.Type))
	}
	return p.write(ctx, http.MethodDelete, dbPath(engine, id)+"/backups/"+strconv.Itoa(bid), nil)
}

// write sends one mutation, once. The API answers {}; a reply that is not
// JSON is reported (client.Uncertain says so), so that the user re-reads
// rather than trusts an answer nobody could read.
func (p *Provider) write(ctx context.Context, method, path string, body any) error {
	var out map[string]any
	_, _, err := p.c.Do(ctx, method, path, nil, body, &out)
	return err
}
