package linode

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// event is one entry of /v4/account/events. Entities point at live
// instances, so a renamed Linode shows its new label, as on the real API.
type event struct {
	ID        int
	Action    string
	Status    string // started, finished, failed, notification
	Percent   int
	Created   time.Time
	Duration  time.Duration
	Remaining time.Duration // while started
	Entity    *Instance
	Secondary *Instance // nil when none
	Message   string
}

type entityJSON struct {
	ID    int    `json:"id"`
	Label string `json:"label"`
	Type  string `json:"type"`
	URL   string `json:"url"`
}

type eventJSON struct {
	ID              int         `json:"id"`
	Action          string      `json:"action"`
	Created         string      `json:"created"`
	Entity          *entityJSON `json:"entity"`
	SecondaryEntity *entityJSON `json:"secondary_entity"`
	PercentComplete *int        `json:"percent_complete"`
	Rate            *string     `json:"rate"`
	Status          string      `json:"status"`
	Message         *string     `json:"message"`
	Seen            bool        `json:"seen"`
	Read            bool        `json:"read"`
	Username        string      `json:"username"`
	Duration        float64     `json:"duration"`
	TimeRemaining   *string     `json:"time_remaining"`
}

// eventUser is who the simulated account's events say acted.
const eventUser = "demo-user"

func entity(in *Instance) *entityJSON {
	if in == nil {
		return nil
	}
	return &entityJSON{ID: in.ID, Label: in.Label, Type: "linode", URL: "/v4/linode/instances/" + strconv.Itoa(in.ID)}
}

func renderEvent(e *event) eventJSON {
	v := eventJSON{
		ID: e.ID, Action: e.Action, Created: fmtTime(e.Created),
		Entity: entity(e.Entity), SecondaryEntity: entity(e.Secondary),
		Status: e.Status, Message: nullable(e.Message), Username: eventUser,
		Duration: e.Duration.Seconds(),
	}
	if e.Status != "notification" {
		p := e.Percent
		v.PercentComplete = &p
	}
	if e.Status == "started" {
		// linodego parses "hh:mm:ss".
		sec := int(e.Remaining.Round(time.Second).Seconds())
		r := fmt.Sprintf("%d:%02d:%02d", sec/3600, sec/60%60, sec%60)
		v.TimeRemaining = &r
	}
	return v
}

// eventField reads a filterable field of an event.
func eventField(name string) (func(*event) []string, bool) {
	one := func(f func(*event) string) func(*event) []string {
		return func(e *event) []string { return []string{f(e)} }
	}
	ent := func(pick func(*event) *Instance, f func(*Instance) string) func(*event) []string {
		return func(e *event) []string {
			if in := pick(e); in != nil {
				return []string{f(in)}
			}
			return nil
		}
	}
	primary := func(e *event) *Instance { return e.Entity }
	secondary := func(e *event) *Instance { return e.Secondary }
	id := func(in *Instance) string { return strconv.Itoa(in.ID) }
	label := func(in *Instance) string { return in.Label }
	linode := func(*Instance) string { return "linode" }
	switch name {
	case "id":
		return one(func(e *event) string { return strconv.Itoa(e.ID) }), true
	case "action":
		return one(func(e *event) string { return e.Action }), true
	case "status":
		return one(func(e *event) string { return e.Status }), true
	case "created":
		return one(func(e *event) string { return fmtTime(e.Created) }), true
	case "username":
		return one(func(*event) string { return eventUser }), true
	case "seen", "read":
		return one(func(*event) string { return "false" }), true
	case "entity.id":
		return ent(primary, id), true
	case "entity.type":
		return ent(primary, linode), true
	case "entity.label":
		return ent(primary, label), true
	case "secondary_entity.id":
		return ent(secondary, id), true
	case "secondary_entity.type":
		return ent(secondary, linode), true
	}
	return nil, false
}

// addEvent records a new event; the caller holds s.mu.
func (s *Server) addEvent(action, status string, at time.Time, entity, secondary *Instance) *event {
	s.nextEventID++
	e := &event{ID: s.nextEventID, Action: action, Status: status, Created: at, Entity: entity, Secondary: secondary}
	if status == "finished" {
		e.Percent = 100
	}
	s.events = append(s.events, e)
	return e
}

// seedEvents gives the fixtures' snapshots in progress the event the API
// would show for them. They do not advance: nothing drives them.
func (s *Server) seedEvents() {
	for _, in := range s.fleet.Instances {
		if b := in.InProgress; b != nil {
			e := s.addEvent("linode_snapshot", "started", b.Created, in, nil)
			if b.Status == "running" {
				e.Percent = 40
			}
			e.Duration = s.Now().Sub(b.Created)
		}
	}
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, _ params) {
	page, size, ok := pageParams(w, r)
	if !ok {
		return
	}
	match, ok := filterParam(w, r, eventField)
	if !ok {
		return
	}
	s.lock()
	var hits []*event
	for _, e := range s.events {
		if match(e) {
			hits = append(hits, e)
		}
	}
	// Newest first: the API's default order for events.
	sort.SliceStable(hits, func(i, j int) bool {
		if !hits[i].Created.Equal(hits[j].Created) {
			return hits[i].Created.After(hits[j].Created)
		}
		return hits[i].ID > hits[j].ID
	})
	page, pages, lo, hi := window(page, size, len(hits))
	data := make([]eventJSON, 0, hi-lo)
	for _, e := range hits[lo:hi] {
		data = append(data, renderEvent(e))
	}
	s.mu.Unlock()

	writePage(w, data, page, pages, len(hits))
}
