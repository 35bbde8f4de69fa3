package prompt

import "testing"

// Tab completes to what every candidate shares, in the candidate's case.
func TestCompleteToTheCommonPrefix(t *testing.T) {
	m := New(":", "")
	m.Open()
	m.SetValue("st")
	m.Complete([]string{"staging/instances", "Staging/databases"})
	if m.Value() != "staging/" {
		t.Fatalf("completed to %q", m.Value())
	}
	m.Complete(nil)
	if m.Value() != "staging/" {
		t.Fatalf("no candidates changed the value to %q", m.Value())
	}
}
