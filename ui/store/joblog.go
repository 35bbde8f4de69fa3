package store

import "time"

// LogSize is how many entries a JobLog keeps.
const LogSize = 50

// LogEntry is one line of the job log: a job accepted, or its outcome.
type LogEntry struct {
	At      time.Time
	View    string // the account view the job runs in: "test/instances"
	Line    string // what the status line said: "✓ Snapshot x of y finished"
	Outcome bool   // the job's end, not its start
}

// JobLog is the short history of jobs, newest last, shared by every
// account of a Deck so that one key shows them all.
type JobLog struct {
	entries []LogEntry
	added   int // entries ever added, so a reader can tell what is new
}

// Add keeps e, dropping the oldest entry past LogSize.
func (l *JobLog) Add(e LogEntry) {
	l.entries = append(l.entries, e)
	if len(l.entries) > LogSize {
		l.entries = append([]LogEntry(nil), l.entries[len(l.entries)-LogSize:]...)
	}
	l.added++
}

// Entries are the kept entries, oldest first.
func (l *JobLog) Entries() []LogEntry { return l.entries }

// Added counts the entries ever added.
func (l *JobLog) Added() int { return l.added }

// Since are the kept entries added after the first n ever added.
func (l *JobLog) Since(n int) []LogEntry {
	newer := l.added - n
	if newer <= 0 {
		return nil
	}
	if newer > len(l.entries) {
		newer = len(l.entries)
	}
	return l.entries[len(l.entries)-newer:]
}
