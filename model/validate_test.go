package model

import "testing"

// The shapes every surface holds ids to (import, forms, rendered
// mentions): what Slack makes passes, a look-alike does not.
func TestValidIDs(t *testing.T) {
	tests := []struct {
		name  string
		valid func(string) bool
		in    string
		want  bool
	}{
		{"team", ValidTeam, "T0ACME", true},
		{"team lower case", ValidTeam, "t0acme", false},
		{"user", ValidUser, "U0ANN", true},
		{"enterprise user", ValidUser, "W0ANN", true},
		{"user closing a mention", ValidUser, "U0NOPE> <!channel", false},
		{"user with a label", ValidUser, "U0ANN|ann", false},
		{"a channel is not a user", ValidUser, "C0SALES", false},
		{"channel", ValidChannel, "C0SALES", true},
		{"private channel", ValidChannel, "G0SALES", true},
		{"direct message", ValidChannel, "D0ANN", true},
		{"channel closing a link", ValidChannel, "C0X> <!here", false},
		{"empty channel", ValidChannel, "", false},
		{"permalink", ValidPermalink, "https://acme.slack.com/archives/C0SALES/p1700000000000100", true},
		{"permalink in a thread", ValidPermalink, "https://acme.slack.com/archives/C0SALES/p1700000000000100?thread_ts=1700000000.000100&cid=C0SALES", true},
		{"permalink elsewhere", ValidPermalink, "https://evil.example/archives/C0SALES/p1700000000000100", false},
		{"permalink look-alike host", ValidPermalink, "https://acme.slack.com.evil.example/archives/C0SALES/p1700000000000100", false},
		{"permalink with a label", ValidPermalink, "https://acme.slack.com/archives/C0SALES/p1700000000000100|click me", false},
		{"permalink with markup in the query", ValidPermalink, "https://acme.slack.com/archives/C0SALES/p1700000000000100?x=\"><script>", false},
		{"permalink over http", ValidPermalink, "http://acme.slack.com/archives/C0SALES/p1700000000000100", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.valid(tt.in); got != tt.want {
				t.Errorf("%q: got %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
