package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/snapdeck/snapdeck/client"
	"github.com/snapdeck/snapdeck/model"
	"github.com/snapdeck/snapdeck/model/format"
)

// judged is one resource listed by check and what the policy says of it.
type judged struct {
	found
	v model.PolicyVerdict
	// backups are the resource's, when they were read (a min_manual rule
	// or --history); nil otherwise.
	backups []model.Backup
}

// scopeOf is where the policy sees a resource of view t.
func scopeOf(t target) model.Scope { return model.ScopeOf(t.account, t.p.Info()) }

// judge lists the resources matching f in the views check reads and
// judges each by pol at now, reading the backups of only those whose rule
// has min_manual (backupsOf), or of every one when history is set.
func (c *conn) judge(ctx context.Context, all bool, f client.Filter, pol model.Policy, now time.Time, history bool) ([]target, []judged, error) {
	views, rs, err := c.listChosen(ctx, all, f)
	if err != nil {
		return nil, nil, err
	}
	var need []found
	for _, fr := range rs {
		if history || pol.NeedsBackups(scopeOf(fr.t), fr.r) {
			need = append(need, fr)
		}
	}
	bs, err := backupsOf(ctx, need)
	if err != nil {
		return nil, nil, err
	}
	out := make([]judged, 0, len(rs))
	for _, fr := range rs {
		var snap model.SnapshotState
		b, ok := bs[backupsKey(fr)]
		if ok {
			snap = model.Summarise(b)
		}
		out = append(out, judged{fr, pol.Evaluate(scopeOf(fr.t), fr.r, snap, now), b})
	}
	return views, out, nil
}

// checkResult is check's JSON for the judged resources.
func checkResult(js []judged, pol model.Policy, now time.Time) checkJSON {
	def := pol.RuleFor(model.Scope{}, model.Resource{})
	res := checkJSON{CheckedAt: format.Timestamp(now), MaxAgeSeconds: int64(def.EffectiveMaxAge() / time.Second), Checked: len(js), Stale: []staleJSON{}}
	for _, j := range js {
		r := j.r
		if j.v.Rule.Exempt {
			res.Exempt++
		}
		if !j.v.Violated() {
			continue
		}
		s := staleJSON{Provider: j.t.provider, Account: j.t.account, View: viewName(j.t), Resource: refJSON{ID: r.ID, Label: r.Label},
			BackupsEnabled: r.BackupsEnabled, LastSuccessful: timeJSON(r.LastSuccessful),
			Reason: string(j.v.Violation), Problem: j.v.Words(), Rule: j.v.Rule.From, RuleMaxAgeSeconds: int64(j.v.Rule.EffectiveMaxAge() / time.Second)}
		if !r.LastSuccessful.IsZero() {
			age := int64(now.Sub(r.LastSuccessful) / time.Second)
			s.AgeSeconds = &age
		}
		res.Stale = append(res.Stale, s)
	}
	return res
}

// Metric names: one gauge per resource each, and the round's outcome.
const (
	metricAge       = "snapdeck_backup_age_seconds"
	metricViolation = "snapdeck_policy_violation"
	metricSuccess   = "snapdeck_check_success"
	metricTime      = "snapdeck_check_timestamp_seconds"
)

// metricFamilies are the gauges of a check round: a resource's backup age
// (none while it never had a good backup) and whether it breaks the policy
// (0 when exempt), labelled with provider, account, view, resource and
// id, and the round's success. The library writes and escapes every label
// value: provider text is never spliced into the exposition by hand.
func metricFamilies(js []judged, ok bool, now time.Time) []*dto.MetricFamily {
	gauge := func(name, help string) *dto.MetricFamily {
		return &dto.MetricFamily{Name: &name, Help: &help, Type: dto.MetricType_GAUGE.Enum()}
	}
	pair := func(n, v string) *dto.LabelPair { return &dto.LabelPair{Name: &n, Value: &v} }
	value := func(v float64, labels ...*dto.LabelPair) *dto.Metric {
		return &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: &v}}
	}
	age := gauge(metricAge, "Seconds since the resource's newest successful backup (absent when there never was one).")
	viol := gauge(metricViolation, "1 when the resource breaks its backup policy rule, else 0 (exempt resources are 0).")
	for _, j := range js {
		labels := []*dto.LabelPair{pair("provider", j.t.provider), pair("account", j.t.account), pair("view", viewName(j.t)),
			pair("resource", j.r.Label), pair("id", j.r.ID)}
		if !j.r.LastSuccessful.IsZero() {
			age.Metric = append(age.Metric, value(now.Sub(j.r.LastSuccessful).Seconds(), labels...))
		}
		v := 0.0
		if j.v.Violated() {
			v = 1
		}
		viol.Metric = append(viol.Metric, value(v, labels...))
	}
	success := gauge(metricSuccess, "1 when the last check round read every resource, 0 when it failed (the other metrics are then from the last good round).")
	s := 0.0
	if ok {
		s = 1
	}
	success.Metric = []*dto.Metric{value(s)}
	stamp := gauge(metricTime, "Unix time of the last check round.")
	stamp.Metric = []*dto.Metric{value(float64(now.Unix()))}
	out := []*dto.MetricFamily{success, stamp}
	if ok {
		out = append(out, age, viol)
	}
	return out
}

// writeMetrics writes the families in OpenMetrics text, which the
// Prometheus text parser (node_exporter's textfile collector) reads too.
func writeMetrics(w io.Writer, fams []*dto.MetricFamily) error {
	for _, mf := range fams {
		if _, err := expfmt.MetricFamilyToOpenMetrics(w, mf); err != nil {
			return err
		}
	}
	_, err := expfmt.FinalizeOpenMetrics(w)
	return err
}

// writeFileAtomically replaces path with what write writes: into a
// temporary file in the same directory, synced, then renamed over path, so
// a reader (node_exporter) sees the old file or the new one, never half.
// On failure path is left as it was.
func writeFileAtomically(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// MinEvery is the shortest --every: a round reads every resource (and the
// backups of those with min_manual), each request through its provider's
// Pacer; rounds never overlap.
const MinEvery = time.Minute

// watch runs round now and then at every tick until ctx ends, writing each
// round's metrics to path. A failed round keeps the last good file's
// resource metrics, sets snapdeck_check_success 0 and says why on stderr.
// tick is the ticker's channel (tests send on it).
func watch(ctx context.Context, stderr io.Writer, path string, tick <-chan time.Time, round func(context.Context) ([]judged, time.Time, error)) error {
	var last []judged
	var lastOK bool
	var lastAt time.Time
	for {
		js, now, err := round(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			fmt.Fprintf(stderr, "snapdeck: check round at %s failed, the metrics keep the last good round: %s\n", format.Timestamp(now), oneLine(err.Error()))
			fams := metricFamilies(last, false, now)
			if lastOK {
				// Keep the resource gauges of the last good round, as they were.
				good := metricFamilies(last, true, lastAt)
				fams = append(fams, good[2:]...)
			}
			if werr := writeFileAtomically(path, func(w io.Writer) error { return writeMetrics(w, fams) }); werr != nil {
				fmt.Fprintf(stderr, "snapdeck: writing %s: %v\n", path, werr)
			}
		} else {
			last, lastOK, lastAt = js, true, now
			if werr := writeFileAtomically(path, func(w io.Writer) error { return writeMetrics(w, metricFamilies(js, true, now)) }); werr != nil {
				fmt.Fprintf(stderr, "snapdeck: writing %s: %v\n", path, werr)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
		}
	}
}

var errNoTextfile = errors.New("--every needs --textfile PATH: the file node_exporter's textfile collector reads")
