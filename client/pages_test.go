package client

import "testing"

func TestCheckPages(t *testing.T) {
	for _, tc := range []struct {
		pages, results, size int
		ok                   bool
	}{
		{1, 0, 500, true}, {1, 500, 500, true}, {2, 501, 500, true}, {200, 100000, 500, true},
		{3, -1, 100, true}, {1000, -1, 100, true},
		{0, 0, 500, false}, {-1, -1, 100, false}, {2, 500, 500, false}, {300000, 3, 500, false},
		{201, 100500, 500, false}, {1001, -1, 100, false}, {2, 1<<62 + 1, 1 << 62, false},
		{1 << 40, 1<<63 - 1, 500, false},
	} {
		err := CheckPages(tc.pages, tc.results, tc.size)
		if (err == nil) != tc.ok || err != nil && KindOf(err) != ErrMalformed {
			t.Errorf("CheckPages(%d, %d, %d) = %v", tc.pages, tc.results, tc.size, err)
		}
	}
}
