package model

import (
	"math"
	"testing"
)

func TestSizesSaturateNeverWrap(t *testing.T) {
	b := Backup{Disks: []Disk{{SizeMB: math.MaxInt / 2}, {SizeMB: math.MaxInt/2 + 2}, {SizeMB: -7}}}
	if got := b.TotalSizeMB(); got != math.MaxInt {
		t.Errorf("TotalSizeMB = %d", got)
	}
	if got := b.Size(); got != math.MaxInt64 {
		t.Errorf("Size = %d", got)
	}
	if got := (Backup{Disks: []Disk{{SizeMB: -5}, {SizeMB: 3}}}).Size(); got != 3<<20 {
		t.Errorf("a negative disk: Size = %d", got)
	}
	if got := (Backup{SizeBytes: -8581936147419103232}).Size(); got != 0 {
		t.Errorf("negative SizeBytes: Size = %d, want 0 (unknown)", got)
	}
	for _, tc := range []struct{ n, unit, want int64 }{
		{-1, 1024, 0}, {0, 1024, 0}, {5, 1024, 5120}, {math.MaxInt64 / 1000, 1 << 30, math.MaxInt64}, {1 << 40, -1, 0},
	} {
		if got := SizeBytes(tc.n, tc.unit); got != tc.want {
			t.Errorf("SizeBytes(%d, %d) = %d", tc.n, tc.unit, got)
		}
	}
	if SizeMB(math.MaxInt/1000, 1024) != math.MaxInt || SizeMB(-1, 1024) != 0 || SizeMB(2, 1024) != 2048 {
		t.Error("SizeMB")
	}
	for f, want := range map[float64]int64{-1: 0, math.NaN(): 0, math.Inf(1): math.MaxInt64, 1e30: math.MaxInt64, 1234.9: 1234} {
		if got := SizeFromFloat(f); got != want {
			t.Errorf("SizeFromFloat(%v) = %d", f, got)
		}
	}
}
