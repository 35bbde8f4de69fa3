package client

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/snapdeck/snapdeck/model"
)

func TestAuditedAs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	log, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	who := map[string]string{"ssh_user": "alice", "key": "SHA256:abc", "remote": "127.0.0.1:5555"}
	p := AuditedAs(ReadOnly(&fake{}), log, "ops", who).(Actions)
	who["ssh_user"] = "mallory" // copied: later changes do not leak in
	if _, err := p.TakeSnapshot(context.Background(), "1", model.SnapshotRequest{Label: "x"}); KindOf(err) != ErrReadOnly {
		t.Fatalf("err = %v, want read-only", err)
	}
	if !IsReadOnly(p.(Provider)) {
		t.Error("AuditedAs(ReadOnly(p)) does not report read-only")
	}
	lines := readLines(t, path)
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1", len(lines))
	}
	w, _ := lines[0]["who"].(map[string]any)
	if w["ssh_user"] != "alice" || w["key"] != "SHA256:abc" || w["remote"] != "127.0.0.1:5555" || lines[0]["outcome"] != "refused" {
		t.Errorf("record = %v", lines[0])
	}
	if AuditedAs(&fake{}, nil, "x", who) == nil {
		t.Error("nil log")
	}
	// Plain Audited records carry no who.
	p = Audited(&fake{}, log, "ops").(Actions)
	_, _ = p.TakeSnapshot(context.Background(), "1", model.SnapshotRequest{Label: "y"})
	if l := outcomes(t, readLines(t, path)); len(l) != 2 || l[1]["who"] != nil {
		t.Errorf("Audited wrote who: %v", l)
	}
}
