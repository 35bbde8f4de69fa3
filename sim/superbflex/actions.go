package superbflex

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/snapdeck/snapdeck/model"
)

// Refusal reasons, worded as OnApp words its base errors.
const (
	reasonVMLocked       = "Virtual server is locked, please try again later"
	reasonVMNotBuilt     = "Virtual server is not built"
	reasonNoIncremental  = "Incremental backups are not enabled for this virtual server"
	reasonSwap           = "Swap disks cannot be backed up"
	reasonNotBuilt       = "Backup is not built yet"
	reasonLocked         = "Backup is locked"
	reasonDeleteLocked   = "Backup is locked and cannot be deleted"
	reasonDeleteNotBuilt = "Backup is being built and cannot be deleted"
	reasonNoteTooLong    = "is too long (maximum is 255 characters)"
	reasonInvalidJSON    = "Invalid JSON in request body"
)

// reply is what a write handler decided under the lock; it is sent after.
type reply struct {
	status int
	body   any // nil sends no body
}

// refuse answers 422 with Rails model errors: {"errors": {"base": [...]}}.
func refuse(field, reason string) reply {
	return reply{http.StatusUnprocessableEntity, struct {
		Errors map[string][]string `json:"errors"`
	}{map[string][]string{field: {reason}}}}
}

var notFoundReply = reply{http.StatusNotFound, struct {
	Errors []string `json:"errors"`
}{[]string{"Resource not found"}}}

// backupBody is the request body of a backup write: {"backup": {"note": …}}.
type backupBody struct {
	Backup struct {
		Note *string `json:"note"`
	} `json:"backup"`
}

// mutate decodes an optional {"backup": {…}} body, runs f under the lock
// with the clock's time and sends its reply.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request, f func(body backupBody, now time.Time) reply) {
	var body backupBody
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(bytes.TrimSpace(raw)) > 0 {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil {
		writeErrors(w, http.StatusBadRequest, reasonInvalidJSON)
		return
	}
	s.mu.Lock()
	rp := f(body, s.Now().UTC())
	s.mu.Unlock()
	if rp.body == nil {
		w.WriteHeader(rp.status)
		return
	}
	writeJSON(w, rp.status, rp.body)
}

// checkNote applies the API's rule to a note; ok is false with the reply
// to send when it breaks it.
func checkNote(note *string) (reply, bool) {
	if note != nil && utf8.RuneCountInString(*note) > model.MaxSuperbFlexNote {
		return refuse("note", reasonNoteTooLong), false
	}
	return reply{}, true
}

func (s *Server) takeIncremental(w http.ResponseWriter, r *http.Request, p params) {
	s.mutate(w, r, func(body backupBody, now time.Time) reply {
		vm := s.vm(p)
		if vm == nil {
			return notFoundReply
		}
		if rp, ok := checkNote(body.Backup.Note); !ok {
			return rp
		}
		switch {
		case !vm.Incremental:
			return refuse("base", reasonNoIncremental)
		case !vm.Built:
			return refuse("base", reasonVMNotBuilt)
		case vm.LockedAt(now):
			return refuse("base", reasonVMLocked)
		}
		// The first incremental backup copies everything, later ones the
		// changes since.
		share := 0.05
		if !slices.ContainsFunc(vm.Backups, func(b *Backup) bool { return b.Type == "incremental" }) {
			share = 0.4
		}
		b := s.newBackup(vm, nil, body.Backup.Note, now, int(float64(vm.TotalDiskGB())*share*1024*1024))
		return reply{http.StatusCreated, backupWrap{renderBackup(vm, b, now)}}
	})
}

func (s *Server) takeNormal(w http.ResponseWriter, r *http.Request, p params) {
	s.mutate(w, r, func(body backupBody, now time.Time) reply {
		did, ok := id(p, "disk")
		vm := s.diskOwner[did]
		if !ok || vm == nil {
			return notFoundReply
		}
		d := vm.Disk(did)
		if rp, ok := checkNote(body.Backup.Note); !ok {
			return rp
		}
		switch {
		case d.Swap:
			return refuse("base", reasonSwap)
		case !vm.Built:
			return refuse("base", reasonVMNotBuilt)
		case vm.LockedAt(now):
			return refuse("base", reasonVMLocked)
		}
		b := s.newBackup(vm, d, body.Backup.Note, now, int(float64(d.SizeGB)*0.35*1024*1024))
		return reply{http.StatusCreated, backupWrap{renderBackup(vm, b, now)}}
	})
}

// newBackup starts a manual backup of vm (of disk d when not nil) that is
// built after the job time; the caller holds s.mu.
func (s *Server) newBackup(vm *VM, d *Disk, note *string, now time.Time, sizeKB int) *Backup {
	b := &Backup{
		ID: s.nextBackup, Type: "incremental", Initiated: "manual",
		Created: now, Updated: now, BuiltAt: now.Add(s.opts.JobTime), SizeKB: max(sizeKB, 1024),
		BackupServerID: 1 + vm.HypervisorID%2, DataStoreType: "lvm", Identifier: identifierFor(s.nextBackup),
		MinDiskSizeGB: vm.TotalDiskGB(), MinMemoryMB: 512, OS: vm.OS, Distro: vm.Distro,
		TemplateID: vm.TemplateID, UserID: vm.UserID, AllowResize: vm.OS == "linux", HotMigrate: true, AllowSwap: vm.OS != "windows",
	}
	if note != nil {
		b.Note = *note
	}
	if d != nil {
		b.Type, b.DiskID, b.MinDiskSizeGB, b.Identifier = "normal", d.ID, d.SizeGB, d.Identifier
	}
	s.nextBackup++
	vm.Backups = append(vm.Backups, b)
	s.backups[b.ID], s.owner[b.ID] = b, vm
	return b
}

// identifierFor makes a stable 14-character identifier from a number.
func identifierFor(n int) string {
	x := uint64(n)*0x9e3779b97f4a7c15 + 0x5eed
	out := make([]byte, 14)
	for i := range out {
		x ^= x >> 29
		x *= 0xbf58476d1ce4e5b9
		out[i] = alnum[x%uint64(len(alnum))]
	}
	return string(out)
}

// backup looks up {id}; the caller holds s.mu.
func (s *Server) backup(p params) (*Backup, *VM) {
	n, ok := id(p, "id")
	if !ok || s.backups[n] == nil {
		return nil, nil
	}
	return s.backups[n], s.owner[n]
}

func (s *Server) editNote(w http.ResponseWriter, r *http.Request, p params) {
	s.mutate(w, r, func(body backupBody, now time.Time) reply {
		b, _ := s.backup(p)
		if b == nil {
			return notFoundReply
		}
		if rp, ok := checkNote(body.Backup.Note); !ok {
			return rp
		}
		if body.Backup.Note != nil {
			b.Note, b.Updated = *body.Backup.Note, now
		}
		return reply{status: http.StatusNoContent}
	})
}

func (s *Server) deleteBackup(w http.ResponseWriter, r *http.Request, p params) {
	s.mutate(w, r, func(_ backupBody, now time.Time) reply {
		b, vm := s.backup(p)
		switch {
		case b == nil:
			return notFoundReply
		case b.LockedAt(now):
			return refuse("base", reasonDeleteLocked)
		case !b.BuiltBy(now):
			return refuse("base", reasonDeleteNotBuilt)
		}
		vm.Backups = slices.DeleteFunc(vm.Backups, func(x *Backup) bool { return x == b })
		delete(s.backups, b.ID)
		delete(s.owner, b.ID)
		return reply{status: http.StatusNoContent}
	})
}

// restore writes a backup back over its own target; the backup and the VM
// are locked, and the VM is off, for the job time.
func (s *Server) restore(w http.ResponseWriter, r *http.Request, p params) {
	s.mutate(w, r, func(_ backupBody, now time.Time) reply {
		b, vm := s.backup(p)
		switch {
		case b == nil:
			return notFoundReply
		case !b.BuiltBy(now):
			return refuse("base", reasonNotBuilt)
		case b.LockedAt(now):
			return refuse("base", reasonLocked)
		case vm.LockedAt(now):
			return refuse("base", reasonVMLocked)
		}
		end := now.Add(s.opts.JobTime)
		b.LockedUntil, vm.LockedUntil = end, end
		b.Updated, vm.Updated = now, now
		return reply{status: http.StatusCreated}
	})
}
