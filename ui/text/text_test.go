package text

import "testing"

// A Clipper draws what Clip draws, frame after frame, as lines change and
// the width does.
func TestClipperIsClip(t *testing.T) {
	var c Clipper
	for _, f := range []struct {
		body string
		w, h int
	}{
		{"a\nwide line of text\nc", 10, 4},
		{"a\nwide line of text\nd", 10, 4},
		{"a\nwide line of text\nd", 6, 2},
		{"\x1b[1mbold\x1b[m\na", 6, 3},
	} {
		if got, want := c.Clip(f.body, f.w, f.h), Clip(f.body, f.w, f.h); got != want {
			t.Fatalf("Clip(%q, %d, %d): Clipper %q, Clip %q", f.body, f.w, f.h, got, want)
		}
	}
}

// FirstFit takes the longest form that fits, and cuts the last when none
// does.
func TestFirstFit(t *testing.T) {
	forms := []string{"eu-west · running · last good 3h ago", "running · last good 3h ago", "last good 3h ago"}
	for _, c := range []struct {
		w    int
		want string
	}{
		{40, "eu-west · running · last good 3h ago    "},
		{30, "running · last good 3h ago    "},
		{20, "last good 3h ago    "},
		{10, "last good…"},
	} {
		if got := FirstFit(c.w, forms...); got != c.want {
			t.Errorf("w=%d: %q, want %q", c.w, got, c.want)
		}
	}
}
