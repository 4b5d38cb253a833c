package inbound

import (
	"strings"
	"testing"

	"github.com/keptbot/kept/slackui"
)

func TestParseListQuery(t *testing.T) {
	const me = "U0ANN"
	tests := []struct {
		args string
		want slackui.ListQuery
		err  string
	}{
		{"", slackui.ListQuery{Owner: me}, ""},
		{"mine", slackui.ListQuery{Owner: me}, ""},
		{"overdue", slackui.ListQuery{Owner: me, Overdue: true}, ""},
		{"by me", slackui.ListQuery{ByMe: true}, ""},
		{"BY ME overdue", slackui.ListQuery{ByMe: true, Overdue: true}, ""},
		{"<@U0BOB|bob>", slackui.ListQuery{Owner: "U0BOB"}, ""},
		{"<@U0BOB> late", slackui.ListQuery{Owner: "U0BOB", Overdue: true}, ""},
		{"Acme Labs", slackui.ListQuery{Customer: "Acme Labs"}, ""},
		{"mine Acme", slackui.ListQuery{Owner: me, Customer: "Acme"}, ""},
		{"Acme Mystery", slackui.ListQuery{Customer: "Acme Mystery"}, ""},
		{"<@U0BOB> Acme", slackui.ListQuery{Owner: "U0BOB", Customer: "Acme"}, ""},
		{"<@U0BOB>x", slackui.ListQuery{}, "@-mention"},
		{strings.Repeat("x", 90), slackui.ListQuery{}, "at most 80"},
	}
	for _, tt := range tests {
		got, err := parseListQuery(tt.args, me)
		switch {
		case tt.err != "":
			if r, ok := asRefusal(err); !ok || !strings.Contains(r.text, tt.err) {
				t.Errorf("parseListQuery(%q) = %+v, %v; want a refusal saying %q", tt.args, got, err, tt.err)
			}
		case err != nil || got != tt.want:
			t.Errorf("parseListQuery(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

// FuzzListQuery: whatever follows `/promise list`, the query reads back
// through the Next page button's value unchanged, or is refused for the
// user; nothing panics.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{"", "overdue", "by me", "<@U0BOB|bob> Acme", "mine | Acme", "Acme|o|U1|x", "by", "<@W0X>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, args string) {
		q, err := parseListQuery(args, "U0ANN")
		if err != nil {
			if _, ok := asRefusal(err); !ok {
				t.Fatalf("%q: error %v is not for the user", args, err)
			}
			return
		}
		cur := slackui.ListCursor{Query: q, Offset: 20}
		back, ok := slackui.ParseListCursor(cur.String())
		if !ok || back != cur {
			t.Errorf("%q: cursor %q reads back as %+v, %v", args, cur.String(), back, ok)
		}
	})
}
