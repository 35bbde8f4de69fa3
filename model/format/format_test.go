package format

import (
	"math"
	"testing"
	"time"

	"github.com/snapdeck/snapdeck/model"
)

func TestSize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{-5, Unknown}, {0, Unknown}, // unknown, never "0 B"
		{1, "1 B"}, {1023, "1023 B"},
		{1024, "1 KiB"}, {1536, "1.5 KiB"},
		{27_380_416_512, "25.5 GiB"}, // the same bytes the TUI once showed as "25.5 GB"
		{512 << 20, "512 MiB"},
		{(1 << 30) - 1<<10, "1 GiB"},         // 1023.999 MiB rounds into the next unit
		{9997 * (1 << 30) / 100, "100 GiB"},  // and into whole numbers
		{9994 * (1 << 30) / 100, "99.9 GiB"}, // one decimal below 100
		{10234 * (1 << 20) / 10, "1023 MiB"}, // whole numbers from 100, 8 cells
		{2 << 40, "2 TiB"},                   // ".0" dropped
		{math.MaxInt64, "8 EiB"},             // a saturated size
	} {
		if got := Size(tc.n); got != tc.want {
			t.Errorf("Size(%d) = %q, want %q", tc.n, got, tc.want)
		}
		if w := len([]rune(Size(tc.n))); w > 8 {
			t.Errorf("Size(%d) = %q is %d cells, wider than the 8 of the SIZE column", tc.n, Size(tc.n), w)
		}
	}
	if got := SizeMB(26112); got != "25.5 GiB" {
		t.Errorf("SizeMB(26112) = %q", got)
	}
	if got := SizeMB(0); got != Unknown {
		t.Errorf("SizeMB(0) = %q", got)
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "never"},
		{now, "just now"},
		{now.Add(-59 * time.Second), "just now"},
		{now.Add(model.ClockSkewTolerance), "just now"}, // a little ahead: clocks drift
		{now.Add(model.ClockSkewTolerance + time.Second), "in future"},
		{now.AddDate(73, 0, 0), "in future"},
		{now.Add(-45 * time.Minute), "45m ago"},
		{now.Add(-3 * time.Hour), "3h ago"},
		{now.Add(-47*time.Hour - 59*time.Minute), "47h ago"},
		{now.Add(-48 * time.Hour), "2d ago"},
		{now.Add(-100 * time.Hour), "4d ago"},
	} {
		if got := Age(now, tc.t); got != tc.want {
			t.Errorf("Age(now, now%+v) = %q, want %q", tc.t.Sub(now), got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, Unknown}, {0, Unknown},
		{42 * time.Second, "42s"},
		{5 * time.Minute, "5m"},
		{14*time.Minute + 37*time.Second, "14m37s"},
		{90 * time.Second, "1m30s"}, // a --max-age of 90s is not "1m"
		{time.Hour + 5*time.Minute + 20*time.Second, "1h05m"},
		{90 * time.Minute, "1h30m"},
		{48 * time.Hour, "48h"},
		{26 * time.Hour, "26h"},
	} {
		if got := Duration(tc.d); got != tc.want {
			t.Errorf("Duration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestTimes(t *testing.T) {
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("X", 3600))
	if got := Timestamp(at); got != "2026-11-20T09:00:00Z" {
		t.Errorf("Timestamp = %q", got)
	}
	if got := Stamp(now, at); got != at.Local().Format("2006-01-02 15:04")+" (3h ago)" {
		t.Errorf("Stamp = %q", got)
	}
	if got := Short(at); got != at.Local().Format("01-02 15:04") {
		t.Errorf("Short = %q", got)
	}
	for name, got := range map[string]string{"Timestamp": Timestamp(time.Time{}), "Stamp": Stamp(now, time.Time{}), "Short": Short(time.Time{})} {
		if got != Unknown {
			t.Errorf("%s(zero) = %q, want %q", name, got, Unknown)
		}
	}
}
