package main

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// hostileText is what a provider could put in a label, a status or a name:
// an OSC 8 hyperlink, a C1 CSI screen clear and a bidi override.
const hostileText = "\x1b]8;;http://x\x1b\\label\x1b]8;;\x1b\\-\u009b2J-\u202egnp.exe"

// assertNoEscapes fails when out could move the cursor, open a link, clear
// the screen or reverse the text of the terminal it is printed on.
func assertNoEscapes(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r == 0x1b || (r >= 0x80 && r <= 0x9f) || r == 0x202e {
			t.Fatalf("%s printed %U:\n%q", what, r, out)
		}
	}
}

// The CLI prints provider text only after client.Sanitized, wired once in
// connect: the tables and the JSON of resources and backups carry none of
// the escapes the API sent, and the readable part stays.
func TestCLIPrintsHostileProviderTextInert(t *testing.T) {
	fleet := simlinode.Demo(fixedNow)
	in := fleet.Instances[0]
	in.Label, in.Status, in.Region = "web-"+hostileText, "running"+hostileText, "eu"+hostileText
	in.Tags = []string{"t" + hostileText}
	in.Current.Label = "snap-" + hostileText
	in.Current.Status = "successful" + hostileText
	in.Current.Disks[0].Label = "disk-" + hostileText
	srv := simlinode.New(fleet, simlinode.Options{SnapshotTime: time.Hour})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	tok := map[string]string{"LINODE_TOKEN": simlinode.DemoToken}
	id := strconv.Itoa(in.ID)
	for _, args := range [][]string{
		{"resources"}, {"resources", "--json"},
		{"backups", id}, {"backups", id, "--json"},
		{"check"}, {"check", "--json"},
	} {
		r := runCmd(t, tok, append(args, "--api", hs.URL)...)
		what := strings.Join(args, " ")
		assertNoEscapes(t, what, r.stdout+r.stderr)
		if strings.Contains(r.stdout, "http://x") {
			t.Errorf("%s printed the hyperlink's target:\n%s", what, r.stdout)
		}
		if args[0] == "resources" && !strings.Contains(r.stdout, "web-label--gnp.exe") {
			t.Errorf("%s lost the readable label:\n%s", what, r.stdout)
		}
		if args[0] == "backups" && !strings.Contains(r.stdout, "snap-label--gnp.exe") {
			t.Errorf("%s lost the readable snapshot label:\n%s", what, r.stdout)
		}
	}
}
