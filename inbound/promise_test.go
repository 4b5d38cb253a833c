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

// TestFormText: a labelled mention typed in a form's text field stays
// text; a bare one (a message's, through the shortcut) stays a mention.
func TestFormText(t *testing.T) {
	for in, want := range map[string]string{
		"call <@U0BOB|forged>":     "call <\u2060@U0BOB|forged>",
		"in <#C0SALES|sales> now":  "in <\u2060#C0SALES|sales> now",
		"ask <@U0BOB> about it":    "ask <@U0BOB> about it",
		"a | b, <!channel>, <x|y>": "a | b, <!channel>, <x|y>",
		"<@U0ANN|ann><@U0BOB|bob>": "<\u2060@U0ANN|ann><\u2060@U0BOB|bob>",
	} {
		if got := formText(in); got != want {
			t.Errorf("formText(%q) = %q, want %q", in, got, want)
		}
	}
}
