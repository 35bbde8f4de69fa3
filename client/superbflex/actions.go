package superbflex

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// TakeSnapshot implements client.Actions. With req.DiskID empty it takes an
// incremental backup of the whole VM; otherwise a normal backup of that
// disk, which must be one of the VM's own. req.Label becomes the note.
func (p *Provider) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	id, err := vmID(resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	if err := model.ValidateSuperbFlexNote(req.Label); err != nil {
		return model.Backup{}, invalid("note", err.Error())
	}
	path := "/virtual_machines/" + strconv.Itoa(id) + "/backups.json"
	if req.DiskID != "" {
		did, err := client.IntID(req.DiskID, func(id string) error {
			return invalid("disk", strconv.Quote(id)+" is not a disk ID")
		})
		if err != nil {
			return model.Backup{}, err
		}
		disks, err := p.disks(ctx, id)
		if err != nil {
			return model.Backup{}, err
		}
		var d *diskWire
		for i := range disks {
			if disks[i].ID == did {
				d = &disks[i]
			}
		}
		switch {
		case d == nil:
			return model.Backup{}, invalid("disk", "disk "+req.DiskID+" is not a disk of VM "+resourceID)
		case d.IsSwap:
			return model.Backup{}, invalid("disk", "disk "+req.DiskID+" is a swap disk, which cannot be backed up")
		}
		path = "/settings/disks/" + strconv.Itoa(did) + "/backups.json"
	}
	var w backupWrap
	if _, _, err := p.c.Do(ctx, http.MethodPost, path, nil, newNoteBody(req.Label, false), &w); err != nil {
		if req.DiskID == "" {
			return model.Backup{}, p.explainNoIncremental(ctx, resourceID, err)
		}
		return model.Backup{}, err
	}
	if w.Backup.ID <= 0 {
		return model.Backup{}, malformed("the new backup's ID")
	}
	b := backup(resourceID, &w.Backup)
	if b.Status.Active() {
		b.Slot = model.SlotInProgress
	}
	return b, nil
}

// explainNoIncremental adds to the 422 "Incremental backups are not
// enabled" what it means and what to do instead: name one of the VM's
// disks. Other errors pass unchanged.
func (p *Provider) explainNoIncremental(ctx context.Context, resourceID string, err error) error {
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Status != http.StatusUnprocessableEntity ||
		!slices.ContainsFunc(ce.Reasons, func(r string) bool {
			return strings.Contains(strings.ToLower(r), "incremental backups are not enabled")
		}) {
		return err
	}
	why := "VM " + resourceID + " cannot take a backup of the whole VM: incremental backups are not enabled for it " +
		"(Superb Flex enables them per VM; it has no backup server zone for them). Back up one of its disks instead " +
		"(snapshot --disk ID, or choose the disk under \"What\" in the form)"
	if ds, derr := p.Disks(ctx, resourceID); derr == nil && len(ds) > 0 {
		names := make([]string, len(ds))
		for i, d := range ds {
			names[i] = "disk " + d.ID
			if d.Filesystem == "primary" {
				names[i] += " (primary)"
			}
		}
		why += ": " + strings.Join(names, ", ")
	}
	out := *ce
	out.Reasons = append(slices.Clone(ce.Reasons), why)
	return &out
}

// backupOf reads backup id fresh and makes sure it belongs to VM vm: an
// incremental backup names the VM, a normal one a disk of it.
func (p *Provider) backupOf(ctx context.Context, vm int, resourceID, id string) (backupWire, error) {
	bid, err := backupID(id)
	if err != nil {
		return backupWire{}, err
	}
	var w backupWrap
	if err := p.get(ctx, "/backups/"+strconv.Itoa(bid)+".json", &w); err != nil {
		return backupWire{}, err
	}
	b := w.Backup
	if b.ID != bid {
		return backupWire{}, malformed("the backup's ID")
	}
	notOurs := &client.Error{Kind: client.ErrNotFound, Reasons: []string{"backup " + id + " is not a backup of VM " + resourceID}}
	switch b.TargetType {
	case "VirtualMachine":
		if b.TargetID != vm {
			return backupWire{}, notOurs
		}
	case "Disk":
		disks, err := p.disks(ctx, vm)
		if err != nil {
			return backupWire{}, err
		}
		for _, d := range disks {
			if d.ID == b.TargetID {
				return b, nil
			}
		}
		return backupWire{}, notOurs
	default:
		return backupWire{}, malformed("the backup's target")
	}
	return b, nil
}

// RestoreBackup implements client.Actions. A backup is restored over its
// own target only, replacing the VM's data; the VM is locked and shut down
// while it runs.
func (p *Provider) RestoreBackup(ctx context.Context, resourceID, id, targetID string, overwrite bool) error {
	vm, err := vmID(resourceID)
	if err != nil {
		return err
	}
	if targetID != resourceID {
		return invalid("target", "Superb Flex Cloud restores a backup over its own VM only")
	}
	if !overwrite {
		return invalid("overwrite", "a restore replaces the VM's data; it cannot keep it")
	}
	b, err := p.backupOf(ctx, vm, resourceID, id)
	if err != nil {
		return err
	}
	switch {
	case !b.Built:
		return invalid("backup", "backup "+id+" is not built yet")
	case b.Locked:
		return invalid("backup", "backup "+id+" is locked: another restore or task is using it")
	}
	_, _, err = p.c.Do(ctx, http.MethodPost, "/backups/"+strconv.Itoa(b.ID)+"/restore.json", nil, nil, nil)
	return err
}

// DeleteBackup implements client.Actions. A locked backup, or one still
// being built, is refused here with the reason, before anything is sent.
func (p *Provider) DeleteBackup(ctx context.Context, resourceID, id string) error {
	vm, err := vmID(resourceID)
	if err != nil {
		return err
	}
	b, err := p.backupOf(ctx, vm, resourceID, id)
	if err != nil {
		return err
	}
	switch {
	case b.Locked:
		return invalid("backup", "backup "+id+" is locked: a restore or another task is using it")
	case !b.Built:
		return invalid("backup", "backup "+id+" is still being built")
	}
	_, _, err = p.c.Do(ctx, http.MethodDelete, "/backups/"+strconv.Itoa(b.ID)+".json", nil, nil, nil)
	return err
}

// SetNote implements client.Actions: it replaces the note; "" clears it.
func (p *Provider) SetNote(ctx context.Context, resourceID, id, note string) error {
	vm, err := vmID(resourceID)
	if err != nil {
		return err
	}
	if err := model.ValidateSuperbFlexNote(note); err != nil {
		return invalid("note", err.Error())
	}
	b, err := p.backupOf(ctx, vm, resourceID, id)
	if err != nil {
		return err
	}
	_, _, err = p.c.Do(ctx, http.MethodPut, "/backups/"+strconv.Itoa(b.ID)+".json", nil, newNoteBody(note, true), nil)
	return err
}
