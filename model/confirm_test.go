package model

import (
	"strings"
	"testing"
)

// The worst actions ask for the typed label (the ID when the label is
// empty, so that Enter alone never confirms); the others for y.
func TestConfirmationsTypedWhereWorst(t *testing.T) {
	info := ProviderInfo{Title: "Acme", Noun: "box", BackupNoun: "snapshot"}
	web := Resource{ID: "42", Label: "web"}
	unnamed := Resource{ID: "43"}
	for _, tc := range []struct {
		name   string
		c      Confirmation
		expect string // "" for y
	}{
		{"cancel", ConfirmCancelBackups(info, web, nil), "web"},
		{"cancel unnamed", ConfirmCancelBackups(info, unnamed, nil), "43"},
		{"restore overwrite", ConfirmRestore(info, "nightly", web, unnamed, true, ""), "43"},
		{"restore beside", ConfirmRestore(info, "nightly", web, web, false, ""), ""},
		{"enable", ConfirmEnableBackups(info, web), ""},
		{"replace", ConfirmReplaceSnapshot(info, web, Backup{Label: "old"}, "new", "yesterday"), ""},
		{"delete", ConfirmDeleteBackup(info, web, "nightly", "1 GB", "yesterday"), ""},
		{"abort", ConfirmAbortBackup(info, web, "nightly", "running"), ""},
	} {
		if tc.c.Typed != (tc.expect != "") || tc.c.Expect != tc.expect {
			t.Errorf("%s: typed %v, expect %q; want expect %q", tc.name, tc.c.Typed, tc.c.Expect, tc.expect)
		}
		if tc.c.Heading == "" || len(tc.c.Lines) == 0 || tc.c.Verb == "" {
			t.Errorf("%s: heading %q, lines %q, verb %q: a confirmation names its target, consequence and verb", tc.name, tc.c.Heading, tc.c.Lines, tc.c.Verb)
		}
	}
}

// A provider's own wording replaces the plain one, its target filled in.
func TestConfirmationUsesProviderWording(t *testing.T) {
	plain := ProviderInfo{Title: "Acme", Noun: "box", BackupNoun: "snapshot"}
	own := plain
	own.Wording = Wording{Service: "the Acme Vault", RestoreOverwrite: "WIPES {target} first; {target} is then the backup."}
	t1 := Resource{ID: "7", Label: "db-1"}
	if got := ConfirmRestore(own, "nightly", t1, t1, true, "").Consequence(); !strings.Contains(got, "WIPES db-1 first; db-1 is then the backup.") {
		t.Errorf("provider wording not used: %q", got)
	}
	if got := ConfirmRestore(plain, "nightly", t1, t1, true, "").Consequence(); !strings.Contains(got, "The current data of db-1 is replaced") {
		t.Errorf("plain wording not used: %q", got)
	}
	if got := ConfirmCancelBackups(own, t1, nil).Refusal("cancelling", "--yes"); got !=
		"not cancelling without --yes: Cancel backups of db-1: Cancels the Acme Vault of db-1. This deletes every backup and snapshot of db-1 forever. "+
			"They cannot be recovered, and re-enabling the service starts from nothing." {
		t.Errorf("refusal: %q", got)
	}
	if _, ask := ConfirmTakeSnapshot(plain, t1, "nightly", "yesterday", false); ask {
		t.Error("a provider that does not overwrite by name asks about overwriting")
	}
	own.OverwritesByName = true
	if c, ask := ConfirmTakeSnapshot(own, t1, "nightly", "yesterday", false); !ask || !strings.Contains(c.Consequence(), "it will be overwritten") {
		t.Errorf("overwrite by name not asked: %v %q", ask, c.Consequence())
	}
}
