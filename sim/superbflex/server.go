// Package superbflex simulates the parts of the Superb Flex Cloud API that
// snapdeck uses. Superb Flex Cloud runs OnApp, so this speaks OnApp's wire
// format, which the real adapter (client/superbflex) is tested against.
//
// What it follows, and from where:
//   - The backup object, field for field, and GET
//     /virtual_machines/:id/backups/images.json listing normal and
//     incremental backups alike: Superb's own reference page
//     (/work/shared/api/superbflex-vm-backups.txt, confluence.dev.superb.net).
//   - HTTP Basic auth with the account ID as user and the API key as
//     password; 201 for work accepted and scheduled, 204 for PUT and DELETE,
//     404 for an unknown object: Superb's API guide (confluence.dev.superb.net).
//   - Paths with a .json suffix; bare arrays of wrapped objects
//     ([{"virtual_machine": {…}}], [{"disk": {…}}], [{"backup": {…}}]);
//     request bodies wrapped the same way ({"backup": {"note": …}});
//     POST /settings/disks/:disk_id/backups.json (normal backup of a disk),
//     GET|PUT|DELETE /backups/:id.json, POST /backups/:id/restore.json,
//     GET /users/:user_id/backups.json (every backup of a user's VMs),
//     GET /settings/disks.json (every disk, with its virtual_machine_id):
//     OnApp's API guide and its client libraries (the onapp PHP wrapper,
//     the squall gem). POST /virtual_machines/:id/backups.json takes an
//     incremental backup of the whole VM (OnApp API guide, incremental
//     backups).
//   - Errors under a top-level "errors" key, as OnApp's clients read them:
//     Rails model errors, an object of field → messages
//     ({"errors": {"base": ["…"]}}), for a refused change, sent with 422
//     (Unprocessable Entity); a list of messages ({"errors": ["…"]}) for
//     everything else. A 401 carries WWW-Authenticate: Basic. The API
//     documents no rate limit; a 429 carries Retry-After only.
//   - Fields of virtual machines and disks: OnApp's "Get list of virtual
//     servers" and "Get list of disks" outputs, trimmed to what a VM of
//     this account would show (no passwords).
//
// Not documented, so chosen here: the exact refusal wordings, the 401 body
// ({"errors": ["Access denied"]}), and a restore answering 201 with no body.
//
// State advances lazily with Options.Now: a backup reads as built once the
// clock passes its build time, a restore's locks lift once it passes their
// end. Nothing runs in the background.
package superbflex

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/snapdeck/snapdeck/sim"
)

// Credentials the simulator accepts when Options leaves them empty: an
// account ID as the user and an API key as the password.
const (
	DemoUser     = "snapdeck-demo"
	DemoPassword = "snapdeck-demo-api-key"
)

// Options tune the simulator.
type Options struct {
	sim.Options           // the chassis's: latency, rate limit, clock
	User, Password string // Basic auth; "" means DemoUser / DemoPassword
	// JobTime is how long a backup takes to build and a restore keeps its
	// locks; default 6s.
	JobTime time.Duration
}

// Server is an http.Handler serving a Fleet.
type Server struct {
	*sim.Chassis // routing, auth, rate limit, latency, faults, counters
	opts         Options

	mu         sync.Mutex // guards everything below
	fleet      *Fleet
	vms        map[int]*VM
	backups    map[int]*Backup
	owner      map[int]*VM // backup ID → its VM
	diskOwner  map[int]*VM // disk ID → its VM
	nextBackup int
}

// New serves f. The Server owns f from now on.
func New(f *Fleet, o Options) *Server {
	if o.User == "" {
		o.User = DemoUser
	}
	if o.Password == "" {
		o.Password = DemoPassword
	}
	if o.JobTime <= 0 {
		o.JobTime = 6 * time.Second
	}
	if f == nil {
		f = &Fleet{}
	}
	s := &Server{opts: o, fleet: f, vms: map[int]*VM{}, backups: map[int]*Backup{}, owner: map[int]*VM{},
		diskOwner: map[int]*VM{}, nextBackup: 6100}
	s.Chassis = sim.NewChassis(dialect(o.User, o.Password), o.Options)
	for _, vm := range f.VMs {
		s.vms[vm.ID] = vm
		for _, d := range vm.Disks {
			s.diskOwner[d.ID] = vm
		}
		for _, b := range vm.Backups {
			s.backups[b.ID], s.owner[b.ID] = b, vm
			s.nextBackup = max(s.nextBackup, b.ID+1)
		}
	}
	for _, rt := range []struct {
		method, pattern string
		h               sim.HandlerFunc
	}{
		{"GET", "/virtual_machines.json", s.listVMs},
		{"GET", "/virtual_machines/{id}", s.getVM},
		{"GET", "/virtual_machines/{id}/disks.json", s.listDisks},
		{"GET", "/virtual_machines/{id}/backups/images.json", s.listVMBackups},
		{"POST", "/virtual_machines/{id}/backups.json", s.takeIncremental},
		{"POST", "/settings/disks/{disk}/backups.json", s.takeNormal},
		{"GET", "/users/{user}/backups.json", s.listUserBackups},
		{"GET", "/settings/disks.json", s.listAllDisks},
		{"GET", "/backups/{id}", s.getBackup},
		{"PUT", "/backups/{id}", s.editNote},
		{"DELETE", "/backups/{id}", s.deleteBackup},
		{"POST", "/backups/{id}/restore.json", s.restore},
	} {
		s.Handle(rt.method, rt.pattern, rt.h)
	}
	return s
}

// VM returns a deep copy of VM id.
func (s *Server) VM(id int) (VM, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vm := s.vms[id]
	if vm == nil {
		return VM{}, false
	}
	return vm.clone(), true
}

// Backup returns a copy of backup id and the ID of its VM.
func (s *Server) Backup(id int) (Backup, int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.backups[id]
	if b == nil {
		return Backup{}, 0, false
	}
	return *b, s.owner[id].ID, true
}

type params = sim.Params

// dialect is how OnApp answers auth failures and errors.
func dialect(user, password string) sim.Dialect {
	return sim.Dialect{
		Authorized: func(r *http.Request) bool {
			u, p, ok := r.BasicAuth()
			return ok && subtle.ConstantTimeCompare([]byte(u), []byte(user)) == 1 &&
				subtle.ConstantTimeCompare([]byte(p), []byte(password)) == 1
		},
		Unauthorized: func(w http.ResponseWriter) {
			w.Header().Set("WWW-Authenticate", `Basic realm="Application"`)
			writeErrors(w, http.StatusUnauthorized, "Access denied")
		},
		Error: func(w http.ResponseWriter, status int, reason string) {
			writeErrors(w, status, reason)
		},
		Identity: []string{"id", "virtual_machine", "disk", "backup", "label", "built", "target_id", "target_type", "created_at"},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":["Internal server error"]}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeErrors answers with a list of messages: {"errors": ["…"]}.
func writeErrors(w http.ResponseWriter, status int, reasons ...string) {
	writeJSON(w, status, struct {
		Errors []string `json:"errors"`
	}{reasons})
}

func notFound(w http.ResponseWriter) { writeErrors(w, http.StatusNotFound, "Resource not found") }

// id reads a numeric path parameter; the last segment of a path carries the
// format suffix, which Rails strips off as the format.
func id(p params, name string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSuffix(p[name], ".json"))
	return n, err == nil && n > 0
}

func (s *Server) vm(p params) *VM {
	n, ok := id(p, "id")
	if !ok {
		return nil
	}
	return s.vms[n]
}

func (s *Server) listVMs(w http.ResponseWriter, _ *http.Request, _ params) {
	s.mu.Lock()
	now := s.Now()
	out := make([]vmWrap, 0, len(s.fleet.VMs))
	for _, vm := range s.fleet.VMs {
		out = append(out, vmWrap{renderVM(vm, now)})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getVM(w http.ResponseWriter, _ *http.Request, p params) {
	s.mu.Lock()
	vm := s.vm(p)
	var v vmWrap
	if vm != nil {
		v = vmWrap{renderVM(vm, s.Now())}
	}
	s.mu.Unlock()
	if vm == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) listDisks(w http.ResponseWriter, _ *http.Request, p params) {
	s.mu.Lock()
	vm := s.vm(p)
	var out []diskWrap
	if vm != nil {
		out = make([]diskWrap, 0, len(vm.Disks))
		for _, d := range vm.Disks {
			out = append(out, diskWrap{renderDisk(vm, d, s.Now())})
		}
	}
	s.mu.Unlock()
	if vm == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listAllDisks(w http.ResponseWriter, _ *http.Request, _ params) {
	s.mu.Lock()
	now := s.Now()
	out := []diskWrap{}
	for _, vm := range s.fleet.VMs {
		for _, d := range vm.Disks {
			out = append(out, diskWrap{renderDisk(vm, d, now)})
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listVMBackups(w http.ResponseWriter, _ *http.Request, p params) {
	s.mu.Lock()
	vm := s.vm(p)
	var out []backupWrap
	if vm != nil {
		out = make([]backupWrap, 0, len(vm.Backups))
		for _, b := range vm.Backups {
			out = append(out, backupWrap{renderBackup(vm, b, s.Now())})
		}
	}
	s.mu.Unlock()
	if vm == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// listUserBackups lists every backup of a user's VMs. This account has one
// user; another user's list is not this account's to read.
func (s *Server) listUserBackups(w http.ResponseWriter, _ *http.Request, p params) {
	uid, ok := id(p, "user")
	s.mu.Lock()
	now := s.Now()
	out, mine := []backupWrap{}, false
	for _, vm := range s.fleet.VMs {
		if vm.UserID != uid {
			continue
		}
		mine = true
		for _, b := range vm.Backups {
			out = append(out, backupWrap{renderBackup(vm, b, now)})
		}
	}
	s.mu.Unlock()
	if !ok || !mine {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getBackup(w http.ResponseWriter, _ *http.Request, p params) {
	s.mu.Lock()
	var v *backupWrap
	if n, ok := id(p, "id"); ok && s.backups[n] != nil {
		v = &backupWrap{renderBackup(s.owner[n], s.backups[n], s.Now())}
	}
	s.mu.Unlock()
	if v == nil {
		notFound(w)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
