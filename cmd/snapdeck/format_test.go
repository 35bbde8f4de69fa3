package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui"
)

// TestTUIAndCLIShowTheSameSizesAgesAndDurations: for one resource of every
// provider, `snapdeck backups` and the TUI's backup list, on the same demo
// fixture, show the same size text for the same backups, and `snapdeck
// resources` and the TUI's resource list the same ages. The same
// 27,380,416,512 bytes used to read "25.5 GB" in the TUI and "25.5 GiB" in
// the CLI, Northflank's 2.2 GiB "2.4 GB", and every Managed Database backup,
// whose size the API does not give, "0 B" in the CLI and "—" in the TUI.
func TestTUIAndCLIShowTheSameSizesAgesAndDurations(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the TUI of five providers")
	}
	for _, tc := range []struct{ account, resource string }{
		{"demo/instances", "web-prod-01"},                             // disks in MB: 25.5 GiB
		{"demo/databases", "orders-mysql"},                            // sizes unknown: —
		{"civo-demo", "analytics-clickhouse-replica-eu-central-fra1"}, // GB, and one unknown
		{"northflank-demo", "ledger"},                                 // bytes as a JSON string
		{"flex-demo", "db-master"},                                    // kB
	} {
		t.Run(tc.account, func(t *testing.T) {
			// The CLI, as a script or a person runs it.
			r := demo(t, "backups", tc.resource, "--account", tc.account)
			wantCode(t, r, 0)
			cliSizes := column(t, r.stdout, "SIZE", 0)
			r = demo(t, "backups", tc.resource, "--account", tc.account, "--json")
			wantCode(t, r, 0)
			var bs []backupJSON
			if err := json.Unmarshal([]byte(r.stdout), &bs); err != nil {
				t.Fatal(err)
			}
			var cliDurations []string
			for _, b := range bs {
				var d time.Duration
				if b.Created != nil && b.Finished != nil {
					c, _ := time.Parse(time.RFC3339, *b.Created)
					f, _ := time.Parse(time.RFC3339, *b.Finished)
					d = f.Sub(c)
				}
				cliDurations = append(cliDurations, format.Duration(d))
			}
			r = demo(t, "resources", "--account", tc.account)
			wantCode(t, r, 0)
			var cliAges []string
			for _, last := range column(t, r.stdout, "LAST SUCCESSFUL", 0) {
				if i := strings.LastIndex(last, " ("); i >= 0 {
					last = strings.TrimSuffix(last[i+2:], ")")
				}
				cliAges = append(cliAges, last)
			}

			// The TUI on the same fixture, at the same time.
			cf := &connFlags{demo: true, timeout: 5 * time.Second, size: 40, account: tc.account}
			c, err := cf.connect(env{now: func() time.Time { return fixedNow }, getenv: func(string) string { return "" }}, false)
			if err != nil {
				t.Fatal(err)
			}
			tv := startTUI(t, 200, 56, ui.New(ui.Options{Provider: c.p, Account: c.account, Now: func() time.Time { return fixedNow },
				Timeout: 5 * time.Second, PollEvery: time.Hour}))
			s := tv.waitFor("every resource listed", func(s string) bool { return len(tableRows(s)) == len(cliAges) })
			tuiAges := column(t, tableText(s), "LAST GOOD", titleSpan(tableText(s), "LAST GOOD"))
			for i, a := range tuiAges {
				// The TUI marks each age stale (⚠) or fresh (✓), for NO_COLOR.
				tuiAges[i] = strings.TrimPrefix(strings.TrimPrefix(a, "✓ "), "⚠ ")
			}
			tv.typeText("/" + tc.resource)
			tv.waitFor("the filter", func(s string) bool { return len(tableRows(s)) == 1 })
			tv.p.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
			tv.p.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
			s = tv.waitFor("the backups of "+tc.resource, func(s string) bool {
				return strings.Contains(strings.SplitN(s, "\n", 2)[0], "› "+tc.resource) && strings.Contains(s, "SIZE") &&
					len(tableRows(s)) == len(cliSizes)
			})
			tuiSizes := column(t, tableText(s), "SIZE", 8)
			tuiDurations := column(t, tableText(s), "DURATION", 8)

			t.Logf("sizes %q, durations %q", cliSizes, cliDurations)
			same(t, "sizes", cliSizes, tuiSizes, s)
			same(t, "durations", cliDurations, tuiDurations, s)
			same(t, "ages", cliAges, tuiAges, s)
			for _, sz := range cliSizes {
				if strings.HasSuffix(sz, "0 B") || strings.Contains(sz, " GB") || strings.Contains(sz, " MB") {
					t.Errorf("size %q: unknown written as 0 B, or not in binary units", sz)
				}
			}
		})
	}
}

// same fails unless a and b hold the same texts, in any order.
func same(t *testing.T, what string, a, b []string, screen string) {
	t.Helper()
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	if len(a) == 0 || !slices.Equal(a, b) {
		t.Errorf("%s differ:\nCLI %q\nTUI %q\nscreen:\n%s", what, a, b, screen)
	}
}

// column is the text of each row under title, from where title starts in
// the header line to width cells on (0: to the end of the line), trimmed.
func column(t *testing.T, table, title string, width int) []string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	at := -1
	for _, l := range lines {
		if i := strings.Index(l, title); i >= 0 {
			at = len([]rune(l[:i]))
			lines = lines[slices.Index(lines, l)+1:]
			break
		}
	}
	if at < 0 {
		t.Fatalf("no column %s in:\n%s", title, table)
	}
	var out []string
	for _, l := range lines {
		rs := []rune(l)
		if len(rs) <= at {
			out = append(out, "")
			continue
		}
		end := len(rs)
		if width > 0 {
			end = min(end, at+width)
		}
		out = append(out, strings.TrimSpace(string(rs[at:end])))
	}
	return out
}

// isListHeader reports whether l is a TUI list's column header: "LABEL "
// after the two blank cells of the cursor's gutter.
func isListHeader(l string) bool { return strings.HasPrefix(l, "  LABEL ") }

// tableRows are the TUI's table lines: under the header line, up to the
// first blank one.
func tableRows(s string) []string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		if isListHeader(l) {
			var out []string
			for _, r := range ls[i+1:] {
				if strings.TrimSpace(r) == "" {
					break
				}
				out = append(out, r)
			}
			return out
		}
	}
	return nil
}

// tableText is the TUI's table: its header line and its rows.
func tableText(s string) string {
	ls := strings.Split(s, "\n")
	for _, l := range ls {
		if isListHeader(l) {
			return l + "\n" + strings.Join(tableRows(s), "\n")
		}
	}
	return ""
}

// titleSpan is how wide the TUI drew a column: from its title to the next
// one (the TUI sizes columns from their content).
func titleSpan(table, title string) int {
	for _, l := range strings.Split(table, "\n") {
		if i := strings.Index(l, title); i >= 0 {
			rest := []rune(l[i+len(title):])
			n := len([]rune(title))
			for k, r := range rest {
				if r != ' ' && k > 0 && rest[k-1] == ' ' {
					return n + k - 1
				}
			}
			return n + len(rest)
		}
	}
	return len(title)
}
