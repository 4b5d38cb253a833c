package model

import (
	"math/rand/v2"
	"testing"
)

// TestCustomerKeyASCIIFastPath: the one-pass key of an ASCII name is the
// folding key's, for names that are their own key, that need spaces
// collapsed or letters lowered, and for those the fast path leaves to the
// folding (control characters, non-ASCII).
func TestCustomerKeyASCIIFastPath(t *testing.T) {
	names := []string{"", " ", "  ", "acme", "Acme", "ACME  Corp", " acme corp ", "acme\tcorp", "a\nb\r\nc",
		"acme corp", "o'brien & sons", "acme\x01corp", "a \x01 b", "\x7f", "Café", "straße", "KELVIN", "a\u00a0b", "a\u0085b", "Z@[`{"}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(" \t\n\v\f\r\x01\x1f\x7fAZaz09'&-_.kKsS")
	for range 5000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		names = append(names, string(b))
	}
	for _, n := range names {
		if got, want := CustomerKey(n), foldKey(n); got != want {
			t.Errorf("CustomerKey(%q) = %q, want %q", n, got, want)
		}
	}
	if k := CustomerKey("acme corp"); k != "acme corp" {
		t.Errorf("CustomerKey of a key = %q", k)
	}
	if n := testing.AllocsPerRun(100, func() { CustomerKey("acme corp") }); n != 0 {
		t.Errorf("CustomerKey of a name that is its own key allocates %v times", n)
	}
}

func BenchmarkCustomerKey(b *testing.B) {
	for _, name := range []string{"customer 0042", "Customer 0042", "Café Müller"} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				CustomerKey(name)
			}
		})
	}
}

// TestLookalikeKey: names written with other characters that look the
// same share a lookalike key, and names that differ do not.
func TestLookalikeKey(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"Acme", "ACME", true},
		{"Acme", "Ａｃｍｅ", true},       // full width
		{"Acme", "ＡＣＭＥ", true},       // full width, upper case
		{"Acme", "Acme\u200b", true}, // a zero-width space
		{"Acme", "Ac\u00adme", true}, // a soft hyphen
		{"Acme", "\ufeffAcme", true}, // a byte-order mark
		{"Acme", "Acme\u00a0", true}, // a no-break space
		{"Café", "Cafe\u0301", true}, // the accent typed apart
		{"ﬁrst", "first", true},      // a ligature
		{"Acme", "Acne", false},
		{"Acme", "Ac me", false},
		{"Café", "Cafe", false},
	} {
		if got := LookalikeKey(tt.a) == LookalikeKey(tt.b); got != tt.same {
			t.Errorf("LookalikeKey(%q) = %q, LookalikeKey(%q) = %q: same %v, want %v", tt.a, LookalikeKey(tt.a), tt.b, LookalikeKey(tt.b), got, tt.same)
		}
	}
}

// TestLookalikeOf: a new name that looks like another customer's is
// found; the same name whatever its case is not (the store refuses it).
func TestLookalikeOf(t *testing.T) {
	cs := []Customer{{Name: "Acme"}, {Name: "Globex"}}
	for _, tt := range []struct {
		name, want string
	}{
		{"Ａｃｍｅ", "Acme"},
		{"Glo\u200bbex", "Globex"},
		{"ACME", ""},
		{"Initech", ""},
	} {
		c, ok := LookalikeOf(tt.name, cs)
		if got := map[bool]string{true: c.Name}[ok]; got != tt.want {
			t.Errorf("LookalikeOf(%q) = %q, %v; want %q", tt.name, c.Name, ok, tt.want)
		}
	}
}
