package slackui

import "testing"

// The block id of a promise's buttons reads back as written, a series'
// with its occurrence; the forms already in Slack's messages still read.
func TestPromiseBlockRoundTrip(t *testing.T) {
	tests := []struct {
		in   string
		want PromiseBlock
		ok   bool
	}{
		{"promise:7:U0ANN", PromiseBlock{ID: 7, Owner: "U0ANN"}, true},
		{"home:7:U0ANN", PromiseBlock{ID: 7, Owner: "U0ANN", Home: true}, true},
		{"promise:7:U0ANN:0", PromiseBlock{ID: 7, Owner: "U0ANN", Series: true}, true},
		{"promise:7:U0ANN:12", PromiseBlock{ID: 7, Owner: "U0ANN", Series: true, Occurrence: 12}, true},
		{"promise:7", PromiseBlock{ID: 7}, true}, // very old messages
		{"promise:7:U0ANN:x", PromiseBlock{}, false},
		{"promise:7:U0ANN:-1", PromiseBlock{}, false},
		{"promise:x:U0ANN", PromiseBlock{Owner: "U0ANN"}, false},
		{"checkin:7", PromiseBlock{}, false},
	}
	for _, tt := range tests {
		got, ok := ParsePromiseBlock(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParsePromiseBlock(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && got.Owner != "" && got.String() != tt.in {
			t.Errorf("%q reads back as %q", tt.in, got.String())
		}
	}
}
