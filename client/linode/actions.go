package linode

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/linode/linodego"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
)

// eventsPageSize is how many recent events Events reads per query: enough
// to find the one being followed, small enough to poll.
const eventsPageSize = 25

// GetResource implements client.Actions.
func (p *Provider) GetResource(ctx context.Context, resourceID string) (model.Resource, error) {
	id, err := linodeID(resourceID)
	if err != nil {
		return model.Resource{}, err
	}
	ctx, tr := withTrace(ctx)
	in, err := p.c.GetInstance(ctx, id)
	if err = p.convert(ctx, tr, err); err != nil {
		return model.Resource{}, err
	}
	if in == nil || in.ID <= 0 {
		return model.Resource{}, malformed("the instance ID")
	}
	return resource(in), nil
}

// TakeSnapshot implements client.Actions. It is sent once, never retried;
// on a timeout the snapshot may still have started, so re-read the backups.
func (p *Provider) TakeSnapshot(ctx context.Context, resourceID string, req model.SnapshotRequest) (model.Backup, error) {
	label := req.Label
	id, err := linodeID(resourceID)
	if err != nil {
		return model.Backup{}, err
	}
	if err := model.ValidateSnapshotLabel(label); err != nil {
		return model.Backup{}, &client.Error{Kind: client.ErrInvalid, Reasons: []string{"[label] " + err.Error()}}
	}
	ctx, tr := withTrace(ctx)
	s, err := p.w.CreateInstanceSnapshot(ctx, id, label)
	if err = p.convert(ctx, tr, err); err != nil {
		return model.Backup{}, err
	}
	if s == nil || s.ID <= 0 {
		return model.Backup{}, malformed("the snapshot ID") // it may still have been taken
	}
	return backup(resourceID, s, model.BackupSnapshot, model.SlotInProgress), nil
}

// RestoreBackup implements client.Actions; sent once, never retried.
func (p *Provider) RestoreBackup(ctx context.Context, resourceID, backupID, targetID string, overwrite bool) error {
	id, err := linodeID(resourceID)
	if err != nil {
		return err
	}
	tid, err := linodeID(targetID)
	if err != nil {
		return err
	}
	bid, err := backupNum(backupID)
	if err != nil {
		return err
	}
	ctx, tr := withTrace(ctx)
	err = p.w.RestoreInstanceBackup(ctx, id, bid, linodego.RestoreInstanceOptions{LinodeID: tid, Overwrite: overwrite})
	return p.convert(ctx, tr, err)
}

// EnableBackups implements client.Actions; sent once, never retried.
func (p *Provider) EnableBackups(ctx context.Context, resourceID string) error {
	id, err := linodeID(resourceID)
	if err != nil {
		return err
	}
	ctx, tr := withTrace(ctx)
	return p.convert(ctx, tr, p.w.EnableInstanceBackups(ctx, id))
}

// CancelBackups implements client.Actions; sent once, never retried.
func (p *Provider) CancelBackups(ctx context.Context, resourceID string) error {
	id, err := linodeID(resourceID)
	if err != nil {
		return err
	}
	ctx, tr := withTrace(ctx)
	return p.convert(ctx, tr, p.w.CancelInstanceBackups(ctx, id))
}

// SetSchedule implements client.Actions; sent once, never retried.
func (p *Provider) SetSchedule(ctx context.Context, resourceID string, s model.Schedule) (model.Resource, error) {
	id, err := linodeID(resourceID)
	if err != nil {
		return model.Resource{}, err
	}
	if err := model.ValidateSchedule(s); err != nil {
		return model.Resource{}, &client.Error{Kind: client.ErrInvalid, Reasons: []string{"[backups.schedule] " + err.Error()}}
	}
	opts := linodego.InstanceUpdateOptions{Backups: &linodego.InstanceBackup{}}
	opts.Backups.Schedule.Day, opts.Backups.Schedule.Window = s.Day, s.Window
	ctx, tr := withTrace(ctx)
	in, err := p.w.UpdateInstance(ctx, id, opts)
	if err = p.convert(ctx, tr, err); err != nil {
		return model.Resource{}, err
	}
	if in == nil || in.ID <= 0 {
		return model.Resource{}, malformed("the instance ID")
	}
	return resource(in), nil
}

// Events implements client.Actions: the newest events in which the Linode
// is either entity. A snapshot's event names the Linode as its entity; a
// restore's names the source Linode as entity and the target as
// secondary_entity. So Events(sourceID) follows a snapshot, and
// Events(targetID) follows a restore onto the target.
//
// The API cannot filter on secondary_entity, so restores are read by action
// in a second query and matched here. At most 25 events come back.
func (p *Provider) Events(ctx context.Context, resourceID string) ([]model.Event, error) {
	id, err := linodeID(resourceID)
	if err != nil {
		return nil, err
	}
	own, err := p.listEvents(ctx, map[string]any{"entity.id": id, "entity.type": "linode"})
	if err != nil {
		return nil, err
	}
	restores, err := p.listEvents(ctx, map[string]any{"action": string(linodego.ActionBackupsRestore)})
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	var list []linodego.Event
	for _, e := range own {
		seen[e.ID] = true
		list = append(list, e)
	}
	for _, e := range restores {
		if !seen[e.ID] && e.SecondaryEntity != nil && entityID(e.SecondaryEntity.ID) == resourceID {
			seen[e.ID] = true
			list = append(list, e)
		}
	}
	out := make([]model.Event, 0, len(list))
	for i := range list {
		out = append(out, modelEvent(&list[i]))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		a, _ := strconv.Atoi(out[i].ID)
		b, _ := strconv.Atoi(out[j].ID)
		return a > b
	})
	return out[:min(len(out), eventsPageSize)], nil
}

// listEvents reads the first page of events matching filter, newest first.
func (p *Provider) listEvents(ctx context.Context, filter map[string]any) ([]linodego.Event, error) {
	filter["+order_by"], filter["+order"] = "created", "desc"
	f, err := json.Marshal(filter)
	if err != nil {
		return nil, &client.Error{Kind: client.ErrInvalid, Err: err}
	}
	opts := &linodego.ListOptions{PageOptions: &linodego.PageOptions{Page: 1}, PageSize: eventsPageSize, Filter: string(f)}
	ctx, tr := withTrace(ctx)
	list, err := p.c.ListEvents(ctx, opts)
	if err = p.convert(ctx, tr, err); err != nil {
		return nil, err
	}
	return list, nil
}

// entityID renders an entity's ID, which linodego leaves as decoded JSON:
// a float64 for Linodes, a string for some other entity types.
func entityID(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.FormatInt(int64(x), 10)
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func modelEvent(e *linodego.Event) model.Event {
	m := model.Event{
		ID:      strconv.Itoa(e.ID),
		Action:  string(e.Action),
		Status:  string(e.Status),
		Percent: min(100, max(0, e.PercentComplete)),
		Created: deref(e.Created),
		Message: e.Message,
		Kind:    eventKind(e.Action),
		Phase:   eventPhase(e.Status),
	}
	if e.Entity != nil {
		m.EntityID, m.EntityLabel = entityID(e.Entity.ID), e.Entity.Label
	}
	if e.SecondaryEntity != nil {
		m.SecondaryID = entityID(e.SecondaryEntity.ID)
	}
	return m
}

// eventKind maps Linode's action names onto the neutral kinds jobs follow.
func eventKind(a linodego.EventAction) model.EventKind {
	switch a {
	case linodego.ActionLinodeSnapshot:
		return model.EventSnapshot
	case linodego.ActionBackupsRestore:
		return model.EventRestore
	}
	return model.EventOther
}

// eventPhase maps Linode's event status words onto neutral statuses; a
// notification has no phase.
func eventPhase(s linodego.EventStatus) model.Status {
	switch s {
	case linodego.EventScheduled:
		return model.StatusPending
	case linodego.EventStarted:
		return model.StatusRunning
	case linodego.EventFinished:
		return model.StatusSuccessful
	case linodego.EventFailed:
		return model.StatusFailed
	}
	return ""
}
