package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
	"github.com/snapdeck/snapdeck/ui/theme"
)

// The JSON the commands print is a public interface: scripts parse it.
// It is documented in README.md (Scripting) and pinned by golden tests in
// testdata/. Add fields freely; never rename, retype or drop one.

// refJSON names a resource.
type refJSON struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// resourceJSON is one element of `snapdeck resources --json`.
type resourceJSON struct {
	Provider       string        `json:"provider"`
	Account        string        `json:"account"`
	View           string        `json:"view"`
	ID             string        `json:"id"`
	Label          string        `json:"label"`
	Kind           string        `json:"kind"`
	Region         string        `json:"region"`
	Status         string        `json:"status"`
	Plan           string        `json:"plan"`
	Tags           []string      `json:"tags"`
	BackupsEnabled bool          `json:"backups_enabled"`
	LastSuccessful *string       `json:"last_successful"`
	Schedule       *scheduleJSON `json:"schedule"`
}

type scheduleJSON struct {
	Day    string `json:"day"`
	Window string `json:"window"`
}

// backupJSON is one element of `snapdeck backups --json`, and what
// `snapdeck snapshot --json` prints.
type backupJSON struct {
	Provider  string  `json:"provider"`
	Account   string  `json:"account"`
	View      string  `json:"view"`
	Resource  refJSON `json:"resource"`
	ID        string  `json:"id"`
	Kind      string  `json:"kind"`
	Label     string  `json:"label"`
	Status    string  `json:"status"`
	RawStatus string  `json:"raw_status"`
	Available bool    `json:"available"`
	Created   *string `json:"created"`
	Finished  *string `json:"finished"`
	SizeBytes int64   `json:"size_bytes"`
}

// checkJSON is what `snapdeck check --json` prints.
type checkJSON struct {
	CheckedAt     string `json:"checked_at"`
	MaxAgeSeconds int64  `json:"max_age_seconds"`
	Checked       int    `json:"checked"`
	// Exempt counts the checked resources a policy rule exempts.
	Exempt int         `json:"exempt"`
	Stale  []staleJSON `json:"stale"`
	// History is every checked resource's, with --history only.
	History []historyJSON `json:"history,omitempty"`
}

// backupsHistoryJSON is what `snapdeck backups --json --history` prints:
// the backups array can gain no sibling, so the flag asks for this object.
type backupsHistoryJSON struct {
	Backups []backupJSON `json:"backups"`
	History historyJSON  `json:"history"`
}

// historyJSON is one resource's backup history per UTC day (model.History).
type historyJSON struct {
	Provider   string    `json:"provider"`
	Account    string    `json:"account"`
	View       string    `json:"view"`
	Resource   refJSON   `json:"resource"`
	GoodDays   int       `json:"good_days"`
	FailedDays int       `json:"failed_days"`
	Days       []dayJSON `json:"days"`
}

// dayJSON is one UTC day of a history.
type dayJSON struct {
	Date  string `json:"date"`  // YYYY-MM-DD, UTC
	State string `json:"state"` // good, running, failed, none, unknown
	Count int    `json:"count"` // backups created that day
}

type staleJSON struct {
	Provider       string  `json:"provider"`
	Account        string  `json:"account"`
	View           string  `json:"view"`
	Resource       refJSON `json:"resource"`
	BackupsEnabled bool    `json:"backups_enabled"`
	LastSuccessful *string `json:"last_successful"`
	AgeSeconds     *int64  `json:"age_seconds"`
	Reason         string  `json:"reason"`
	// Problem says Reason in words; Rule which policy rule applies and
	// where it was written; RuleMaxAgeSeconds that rule's max age.
	Problem           string `json:"problem"`
	Rule              string `json:"rule"`
	RuleMaxAgeSeconds int64  `json:"rule_max_age_seconds"`
}

// timeJSON is RFC 3339 in UTC, or null for the zero time.
func timeJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := format.Timestamp(t)
	return &s
}

// The provider is the one the account was configured with ("linode" for
// its Managed Databases too), the view says which of its views.
func toResourceJSON(t target, r model.Resource) resourceJSON {
	j := resourceJSON{
		Provider: t.provider, Account: t.account, View: viewName(t), ID: r.ID, Label: r.Label, Kind: string(r.Kind),
		Region: r.Region, Status: r.Status, Plan: r.Plan, Tags: append([]string{}, r.Tags...),
		BackupsEnabled: r.BackupsEnabled, LastSuccessful: timeJSON(r.LastSuccessful),
	}
	if r.Schedule != (model.Schedule{}) {
		j.Schedule = &scheduleJSON{Day: r.Schedule.Day, Window: r.Schedule.Window}
	}
	return j
}

func toBackupJSON(t target, r model.Resource, b model.Backup) backupJSON {
	return backupJSON{
		Provider: t.provider, Account: t.account, View: viewName(t), Resource: refJSON{ID: r.ID, Label: r.Label},
		ID: b.ID, Kind: string(b.Kind), Label: b.Label, Status: string(b.Status), RawStatus: b.RawStatus,
		Available: b.Available, Created: timeJSON(b.Created), Finished: timeJSON(b.Finished),
		// The provider's total, else the disks' (Linode's MB are MiB).
		SizeBytes: b.Size(),
	}
}

// toHistoryJSON is r's history for the model.HistoryDays days to now.
func toHistoryJSON(t target, r model.Resource, bs []model.Backup, now time.Time) historyJSON {
	h := model.History(bs, now, model.HistoryDays)
	good, failed := model.HistoryScore(h)
	j := historyJSON{Provider: t.provider, Account: t.account, View: viewName(t), Resource: refJSON{ID: r.ID, Label: r.Label},
		GoodDays: good, FailedDays: failed, Days: make([]dayJSON, len(h))}
	for i, d := range h {
		j.Days[i] = dayJSON{Date: d.Date.Format(time.DateOnly), State: string(d.State), Count: d.Count}
	}
	return j
}

// historyLine is a history for the tables: one glyph a day, oldest first
// (the TUI's glyphs, ui/theme), and the dates it spans.
func historyLine(h historyJSON) string {
	var b strings.Builder
	for _, d := range h.Days {
		b.WriteString(theme.DayGlyph(model.DayState(d.State)))
	}
	if n := len(h.Days); n > 0 {
		fmt.Fprintf(&b, " (%s to %s UTC)", h.Days[0].Date, h.Days[n-1].Date)
	}
	return b.String()
}

// printJSON writes v indented, with a final newline.
func (e env) printJSON(v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return e.fail(err)
	}
	b = append(b, '\n')
	if _, err := e.stdout.Write(b); err != nil {
		return e.fail(err)
	}
	return exitOK
}

// table writes rows aligned in columns; API strings are kept to one
// printable line each.
func (e env) table(header []string, rows [][]string) {
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, strings.Join(header, "\t"))
	for _, r := range rows {
		for i := range r {
			r[i] = strings.ReplaceAll(oneLine(r[i]), "\t", " ")
		}
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	_ = w.Flush()
}

// orDash is s, or format.Unknown for an empty cell: one dash in the
// tables, the TUI's.
func orDash(s string) string {
	if s == "" {
		return format.Unknown
	}
	return s
}

func timeCell(s *string) string {
	if s == nil {
		return format.Unknown
	}
	return *s
}

// origin is where a row of an --all-accounts table is from: the provider
// word the account was configured with and the view, as --account takes it.
type origin struct{ provider, view string }

func originOf(t target) origin { return origin{t.provider, viewName(t)} }

// withOrigin puts the PROVIDER and ACCOUNT columns first when the rows are
// from several accounts (from is nil otherwise).
func withOrigin(header []string, rows [][]string, from []origin) ([]string, [][]string) {
	if from == nil {
		return header, rows
	}
	for i := range rows {
		rows[i] = append([]string{from[i].provider, from[i].view}, rows[i]...)
	}
	return append([]string{"PROVIDER", "ACCOUNT"}, header...), rows
}

func (e env) resourceTable(rs []resourceJSON, from []origin) {
	now := e.now()
	rows := make([][]string, 0, len(rs))
	for _, r := range rs {
		backups := "off"
		if r.BackupsEnabled {
			backups = "on"
		}
		last := "never"
		if r.LastSuccessful != nil {
			t, _ := time.Parse(time.RFC3339, *r.LastSuccessful)
			last = *r.LastSuccessful + " (" + format.Age(now, t) + ")"
		}
		rows = append(rows, []string{r.ID, r.Label, r.Region, r.Status, backups, last})
	}
	e.table(withOrigin([]string{"ID", "LABEL", "REGION", "STATUS", "BACKUPS", "LAST SUCCESSFUL"}, rows, from))
}

func (e env) backupTable(bs []backupJSON) {
	rows := make([][]string, 0, len(bs))
	for _, b := range bs {
		status := b.Status
		if b.RawStatus != "" && b.RawStatus != b.Status {
			status += " (" + b.RawStatus + ")"
		}
		rows = append(rows, []string{b.ID, b.Kind, orDash(b.Label), status, timeCell(b.Created), timeCell(b.Finished), format.Size(b.SizeBytes)})
	}
	e.table([]string{"ID", "KIND", "LABEL", "STATUS", "CREATED", "FINISHED", "SIZE"}, rows)
}

func (e env) checkTable(c checkJSON, from []origin, now time.Time) {
	exempt := ""
	if c.Exempt > 0 {
		exempt = fmt.Sprintf(" (%d exempt)", c.Exempt)
	}
	if len(c.Stale) == 0 {
		fmt.Fprintf(e.stdout, "OK: all %d resources meet the backup policy%s\n", c.Checked, exempt)
		return
	}
	rows := make([][]string, 0, len(c.Stale))
	for _, s := range c.Stale {
		backups := "off"
		if s.BackupsEnabled {
			backups = "on"
		}
		last := "never"
		if s.LastSuccessful != nil {
			t, _ := time.Parse(time.RFC3339, *s.LastSuccessful)
			last = format.Age(now, t)
		}
		rows = append(rows, []string{s.Resource.ID, s.Resource.Label, backups, last, s.Problem, s.Rule})
	}
	e.table(withOrigin([]string{"ID", "LABEL", "BACKUPS", "LAST SUCCESSFUL", "PROBLEM", "RULE"}, rows, from))
	fmt.Fprintf(e.stdout, "STALE: %d of %d resources break the backup policy%s\n", len(c.Stale), c.Checked, exempt)
}

// historyTable is every checked resource's history, after check's verdict.
func (e env) historyTable(hs []historyJSON, all bool) {
	rows := make([][]string, 0, len(hs))
	var from []origin
	if all {
		from = make([]origin, 0, len(hs))
	}
	for _, h := range hs {
		rows = append(rows, []string{h.Resource.ID, h.Resource.Label, historyLine(h), fmt.Sprint(h.GoodDays), fmt.Sprint(h.FailedDays)})
		if all {
			from = append(from, origin{h.Provider, h.View})
		}
	}
	fmt.Fprintln(e.stdout)
	e.table(withOrigin([]string{"ID", "LABEL", "HISTORY", "GOOD DAYS", "FAILED DAYS"}, rows, from))
	fmt.Fprintln(e.stdout, theme.HistoryLegendPlain())
}
