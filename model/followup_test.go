package model

import (
	"strings"
	"testing"
	"time"
)

func TestOfferFor(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	c := Customer{Team: "T1", Name: "Acme", Owner: "U1"}
	day := 24 * time.Hour
	tests := []struct {
		name string
		t    Touch
		now  time.Time
		loc  *time.Location
		p    FollowupPolicy
		text string
		due  time.Time // zero: no offer
	}{
		{name: "problem solved: a week later, 9:00",
			t:   Touch{Kind: TouchProblemSolved, At: time.Date(2026, 11, 23, 15, 0, 0, 0, ny), Note: "fixed the SSO bug"},
			now: time.Date(2026, 11, 23, 15, 0, 0, 0, ny), loc: ny, p: DefaultFollowups,
			text: "Check the fix holds: fixed the SSO bug", due: time.Date(2026, 11, 30, 9, 0, 0, 0, ny)},
		{name: "across the autumn DST change: 9:00 EST, not 168 hours",
			t:   Touch{Kind: TouchProblemSolved, At: time.Date(2026, 10, 30, 14, 0, 0, 0, ny)},
			now: time.Date(2026, 10, 30, 14, 0, 0, 0, ny), loc: ny, p: DefaultFollowups,
			text: "Check the fix holds", due: time.Date(2026, 11, 6, 9, 0, 0, 0, ny)},
		{name: "across the spring DST change in Paris",
			t:   Touch{Kind: TouchProblemSolved, At: time.Date(2027, 3, 26, 23, 30, 0, 0, paris)},
			now: time.Date(2027, 3, 26, 23, 30, 0, 0, paris), loc: paris, p: DefaultFollowups,
			text: "Check the fix holds", due: time.Date(2027, 4, 2, 9, 0, 0, 0, paris)},
		{name: "sale closed: thirty days",
			t:   Touch{Kind: TouchSaleClosed, At: time.Date(2026, 11, 23, 15, 0, 0, 0, ny)},
			now: time.Date(2026, 11, 23, 15, 0, 0, 0, ny), loc: ny, p: DefaultFollowups,
			text: "How is it going?", due: time.Date(2026, 12, 23, 9, 0, 0, 0, ny)},
		{name: "the owner's calendar, not the logger's: late evening in New York is the next day in Paris",
			t:   Touch{Kind: TouchProblemSolved, At: time.Date(2026, 11, 23, 20, 0, 0, 0, ny)},
			now: time.Date(2026, 11, 23, 20, 0, 0, 0, ny), loc: paris, p: DefaultFollowups,
			text: "Check the fix holds", due: time.Date(2026, 12, 1, 9, 0, 0, 0, paris)},
		{name: "logged late, the day passed: the next 9:00",
			t:   Touch{Kind: TouchProblemSolved, At: time.Date(2026, 11, 10, 15, 0, 0, 0, ny)},
			now: time.Date(2026, 11, 23, 10, 0, 0, 0, ny), loc: ny, p: DefaultFollowups,
			text: "Check the fix holds", due: time.Date(2026, 11, 24, 9, 0, 0, 0, ny)},
		{name: "a configured 2 days",
			t:   Touch{Kind: TouchSaleClosed, At: time.Date(2026, 11, 23, 15, 0, 0, 0, ny)},
			now: time.Date(2026, 11, 23, 15, 0, 0, 0, ny), loc: ny, p: FollowupPolicy{SaleClosed: 2 * day},
			text: "How is it going?", due: time.Date(2026, 11, 25, 9, 0, 0, 0, ny)},
		{name: "turned off", t: Touch{Kind: TouchProblemSolved, At: time.Date(2026, 11, 23, 15, 0, 0, 0, ny)},
			now: time.Date(2026, 11, 23, 15, 0, 0, 0, ny), loc: ny, p: FollowupPolicy{SaleClosed: day}},
		{name: "a call calls for none", t: Touch{Kind: TouchCall, At: time.Date(2026, 11, 23, 15, 0, 0, 0, ny)},
			now: time.Date(2026, 11, 23, 15, 0, 0, 0, ny), loc: ny, p: DefaultFollowups},
	}
	for _, tt := range tests {
		o, ok := OfferFor(c, tt.t, tt.p, tt.now, tt.loc)
		if tt.due.IsZero() {
			if ok {
				t.Errorf("%s: offered %+v, want none", tt.name, o)
			}
			continue
		}
		if !ok || o.Text != tt.text || !o.Due.Equal(tt.due) || o.Zone != tt.loc.String() || o.Customer != "Acme" || o.Kind != tt.t.Kind {
			t.Errorf("%s: %+v, %v; want %q due %v", tt.name, o, ok, tt.text, tt.due)
		}
	}
	long := Touch{Kind: TouchProblemSolved, At: time.Date(2026, 11, 23, 15, 0, 0, 0, ny), Note: strings.Repeat("é", 500)}
	if o, _ := OfferFor(c, long, DefaultFollowups, long.At, ny); len([]rune(o.Text)) > 150 || !strings.HasSuffix(o.Text, "…") {
		t.Errorf("a long note is repeated whole: %d runes", len([]rune(o.Text)))
	}
}
