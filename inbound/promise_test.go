package inbound

import (
	"strings"
	"testing"
)

func TestSplitCustomer(t *testing.T) {
	tests := []struct{ in, customer, rest string }{
		{"Acme: send the quote friday", "Acme", "send the quote friday"},
		{"call back at 15:30", "", "call back at 15:30"},
		{"Acme Corp:call", "", "Acme Corp:call"},
		{"Acme:", "Acme", ""},
		{": nothing", "", ": nothing"},
		{strings.Repeat("a", 90) + ": x", "", strings.Repeat("a", 90) + ": x"},
	}
	for _, tt := range tests {
		c, r := splitCustomer(tt.in)
		if c != tt.customer || r != tt.rest {
			t.Errorf("splitCustomer(%q) = %q, %q; want %q, %q", tt.in, c, r, tt.customer, tt.rest)
		}
	}
}
