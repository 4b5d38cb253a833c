package digest_test

import (
	"testing"
	"time"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// TestWeekStartsAcrossDST: New York leaves daylight saving on Sunday
// 1 November 2026. The lead's weeks start at midnight on Mondays in her
// zone on both sides of it: the week of 26 October is 169 hours long.
func TestWeekStartsAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 10, 9, 0, 0, 0, ny) // Tuesday
	got := digest.WeekStarts(now, ny, 4)
	want := []time.Time{
		time.Date(2026, 11, 9, 0, 0, 0, 0, ny),
		time.Date(2026, 11, 2, 0, 0, 0, 0, ny),
		time.Date(2026, 10, 26, 0, 0, 0, 0, ny), // EDT, UTC-4
		time.Date(2026, 10, 19, 0, 0, 0, 0, ny),
		time.Date(2026, 10, 12, 0, 0, 0, 0, ny),
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Errorf("week %d starts %v, want %v", i, got[i], want[i])
		}
	}
	if d := got[1].Sub(got[2]); d != 169*time.Hour {
		t.Errorf("the week DST ends in is %v long, want 169h", d)
	}
	// On a Monday just after midnight, this week has just begun.
	if w := digest.WeekStarts(time.Date(2026, 11, 2, 0, 0, 1, 0, ny), ny, 0); !w[0].Equal(want[1]) {
		t.Errorf("Monday 00:00:01 is in the week of %v", w[0])
	}
}

// TestScorecard: each owner's kept, late, moved and touches, counted in
// the week of the lead's calendar they happened in, on both sides of the
// DST change; and what happened after now or before the oldest week is
// not counted.
func TestScorecard(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 10, 9, 0, 0, 0, ny)
	starts := digest.WeekStarts(now, ny, 4)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, ny) }
	kept := func(owner string, when time.Time, detail string) store.Promise {
		return store.Promise{Owner: owner, State: store.Kept, Due: when, History: []model.Event{{At: when, Kind: model.EventKept, Detail: detail}}}
	}
	promises := []store.Promise{
		// 00:30 on Monday 26 Oct (EDT) is in the week of 26 Oct. Seven
		// times 24 hours back from 2 Nov 00:00 EST would put the start at
		// 01:00 EDT, and this in the week before.
		kept("U0ANN", at(10, 26, 0, 30), "on time"),
		// 23:30 on Sunday 1 Nov (EST, after the change) is still that week.
		kept("U0ANN", at(11, 1, 23, 30), "late"),
		kept("U0ANN", at(11, 9, 10, 0), "on time"),
		kept("U0BOB", at(10, 5, 10, 0), "on time"),  // before the oldest week
		kept("U0BOB", at(11, 10, 10, 0), "on time"), // after now
		{Owner: "U0BOB", State: store.Open, Due: at(11, 3, 15, 0), MovedFrom: at(10, 30, 15, 0),
			History: []model.Event{{At: at(10, 29, 12, 0), Kind: model.EventMoved}}}, // moved in the week of 26 Oct, late on 3 Nov
		{Owner: "U0BOB", State: store.Open, Due: now.Add(-30 * time.Minute)}, // within its grace: not late yet
		{Owner: "U0BOB", State: store.Cancelled, Due: at(11, 3, 15, 0)},
	}
	touches := []store.Touch{
		{By: "U0ANN", At: at(11, 9, 0, 0)},
		{By: "U0ANN", At: at(11, 8, 23, 59)},
		{By: "U0CID", At: at(10, 12, 0, 0)},
	}
	got := digest.Scorecard(promises, touches, starts, now)
	want := map[string][]digest.Score{
		"U0ANN": {{OnTime: 1, Touches: 1}, {Touches: 1}, {OnTime: 1, Late: 1}, {}, {}},
		"U0BOB": {{}, {Late: 1}, {Moved: 1}, {}, {}},
		"U0CID": {{}, {}, {}, {}, {Touches: 1}},
	}
	if len(got) != len(want) {
		t.Errorf("owners %v, want %v", got, want)
	}
	for owner, weeks := range want {
		for i, w := range weeks {
			if got[owner][i] != w {
				t.Errorf("%s week of %s: %+v, want %+v", owner, starts[i].Format("2 Jan"), got[owner][i], w)
			}
		}
	}
}
