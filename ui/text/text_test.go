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
