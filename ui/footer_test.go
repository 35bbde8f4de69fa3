package ui

import (
	"strings"
	"testing"
)

// TestFilterFooterNamesOnlyArrows: while the filter is typed, k and j are
// text, so the footer offers ↑ and ↓ alone, and k goes into the filter.
func TestFilterFooterNamesOnlyArrows(t *testing.T) {
	h := start(t, setup{})
	h.wait("Loaded 40 instances")
	h.key("/")
	s := h.waitFor("the filter's footer", func(s string) bool {
		_, footer := lastLines(s)
		return strings.Contains(footer, "keep filter")
	})
	if _, footer := lastLines(s); !strings.Contains(footer, "↑ up") || !strings.Contains(footer, "↓ down") ||
		strings.Contains(footer, "k up") || strings.Contains(footer, "j down") {
		t.Fatalf("filter footer: %q", footer)
	}
	h.key("kj")
	h.wait("/kj")
}
