package pdf

import "testing"

// EqualObj compares by meaning: the spellings writers use when they save an
// object again are equal, real changes are not.
func TestEqualObj(t *testing.T) {
	parse := func(s string) Object {
		t.Helper()
		o, _, _, err := ParseIndirect([]byte(s), 0, false, true)
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return o
	}
	for _, c := range []struct {
		a, b string
		eq   bool
	}{
		{"[0 0 612 792]", "[0.0 0 612.00 792]", true},
		{"[0 0 594.95996 840.95996]", "[0 0 594.95999 840.95999]", true}, // mutool's single precision
		{"(Alice)", "<416C696365>", true},
		{"<</A 1/B 2>>", "<</B 2/A 1>>", true},
		{"<</A 1/B null>>", "<</A 1>>", true},
		{"[0 0 612 792]", "[0 0 612 793]", false},
		{"(Alice)", "(Bob)", false},
		{"<</A 1>>", "<</A 1/B 2>>", false},
		{"5 0 R", "6 0 R", false},
		{"/Name", "(Name)", false},
	} {
		if got := EqualObj(parse(c.a), parse(c.b)); got != c.eq {
			t.Errorf("%s vs %s: %v, want %v", c.a, c.b, got, c.eq)
		}
	}
}
