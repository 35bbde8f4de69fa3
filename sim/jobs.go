package sim

import "time"

// Job is an operation under way in a simulator (a backup, a restore).
// Simulators keep no goroutines: whenever their state is read, every job is
// stepped to the clock's now.
type Job interface {
	// Step brings the job to now and reports whether it has ended.
	Step(now time.Time) (done bool)
}

// Jobs are the jobs of one simulator; the caller guards them.
type Jobs []Job

// Advance steps every job to now and drops those that ended.
func (js *Jobs) Advance(now time.Time) {
	kept := (*js)[:0]
	for _, j := range *js {
		if !j.Step(now) {
			kept = append(kept, j)
		}
	}
	clear((*js)[len(kept):])
	*js = kept
}

// Progress is the fraction of dur elapsed at now, within [0, 1].
func Progress(now, start time.Time, dur time.Duration) float64 {
	if dur <= 0 {
		return 1
	}
	return min(1, max(0, float64(now.Sub(start))/float64(dur)))
}
