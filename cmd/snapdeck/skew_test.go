package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	simlinode "github.com/snapdeck/snapdeck/sim/linode"
)

// TestCheckFutureBackupIsClockSkew: a last successful backup dated ahead of
// the checking machine's clock used to count as fresh ("just now", exit 0).
// It is reported as stale, reason clock_skew, and check fails.
func TestCheckFutureBackupIsClockSkew(t *testing.T) {
	_, url := simServer(t) // backups dated relative to fixedNow
	run := func(args ...string) result {
		var out, errb bytes.Buffer
		e := env{stdout: &out, stderr: &errb, now: func() time.Time { return fixedNow.Add(-72 * time.Hour) },
			getenv: func(k string) string { return map[string]string{"LINODE_TOKEN": simlinode.DemoToken}[k] }}
		code := e.run(append(args, "--api", url))
		return result{code, out.String(), errb.String()}
	}
	r := run("check", "--label", "web-prod-01", "--json")
	wantCode(t, r, 1)
	var c checkJSON
	if err := json.Unmarshal([]byte(r.stdout), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Stale) != 1 || c.Stale[0].Reason != "clock_skew" {
		t.Fatalf("check: %s", r.stdout)
	}
	r = run("check", "--label", "web-prod-01")
	wantCode(t, r, 1)
	if !strings.Contains(r.stdout, "in future") || !strings.Contains(r.stdout, "dated in the future") || strings.Contains(r.stdout, "just now") {
		t.Fatalf("table:\n%s", r.stdout)
	}
}
