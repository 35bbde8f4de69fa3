package model

import "math"

// Sizes a provider reports are counts like any other, and as hostile: a
// negative one is unknown (0, which every view shows as "—"), and products
// and sums saturate at the largest value their type holds instead of
// wrapping round to a negative ("size_bytes": -8581936147419103232).

// SizeBytes is n units of unit bytes (kB, GiB), for a count from a
// provider: 0 when n or unit is not positive, math.MaxInt64 when the
// product would overflow.
func SizeBytes(n, unit int64) int64 {
	if n <= 0 || unit <= 0 {
		return 0
	}
	if n > math.MaxInt64/unit {
		return math.MaxInt64
	}
	return n * unit
}

// SizeFromFloat is a size (bytes, MB) sent as a JSON number (Northflank):
// 0 when negative or not a number, math.MaxInt64 when too large for int64
// (a conversion would give an undefined, typically negative, value).
func SizeFromFloat(f float64) int64 {
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= math.MaxInt64: // 2^63 as a float64
		return math.MaxInt64
	}
	return int64(f)
}

// SizeMB is n units of unitMB megabytes (1 for MB, 1024 for GB) as an int
// count of MB, for a count from a provider: 0 when not positive,
// math.MaxInt when the product would overflow.
func SizeMB(n, unitMB int) int {
	if n <= 0 || unitMB <= 0 {
		return 0
	}
	if n > math.MaxInt/unitMB {
		return math.MaxInt
	}
	return n * unitMB
}

// addMB adds two MB counts, saturating; a negative one counts as unknown.
func addMB(a, b int) int {
	a, b = max(a, 0), max(b, 0)
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}
