package model

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/workhours"
)

func day(y int, m time.Month, d int) Day { return Day{y, m, d} }

func TestParseDay(t *testing.T) {
	tests := []struct {
		in   string
		want Day
		bad  string // part of the refusal
	}{
		{"2027-03-01", day(2027, 3, 1), ""},
		{"mar 14", day(0, 3, 14), ""},
		{"14 march", day(0, 3, 14), ""},
		{"March 14th, 2027", day(2027, 3, 14), ""},
		{"the 3rd of sept 2028", day(2028, 9, 3), ""},
		{"feb 29", day(0, 2, 29), ""}, // a yearly leap day is a date
		{"29 feb 2028", day(2028, 2, 29), ""},
		{"feb 29 2027", Day{}, "has no day 29"}, // 2027 has none
		{"2027-02-30", Day{}, "can't read"},
		{"april 31", Day{}, "has no day 31"},
		{"march", Day{}, "can't read"},
		{"14", Day{}, "can't read"},
		{"mar 14 next year", Day{}, "can't read"},
		{"", Day{}, "can't read"},
	}
	for _, tc := range tests {
		got, err := ParseDay(tc.in)
		if tc.bad != "" {
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("ParseDay(%q) = %v, %v; want a refusal with %q", tc.in, got, err, tc.bad)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseDay(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestDayText(t *testing.T) {
	for _, d := range []Day{day(2027, 3, 1), day(0, 2, 29), day(0, 12, 31)} {
		b, err := json.Marshal(struct {
			D Day `json:"d"`
		}{d})
		if err != nil {
			t.Fatal(err)
		}
		var back struct {
			D Day `json:"d"`
		}
		if err := json.Unmarshal(b, &back); err != nil || back.D != d {
			t.Errorf("%v → %s → %v, %v", d, b, back.D, err)
		}
	}
	if s := day(0, 3, 14).String(); s != "--03-14" {
		t.Errorf("a yearly day is %q; want --03-14", s)
	}
}

// TestOccurrence: a renewal occurs once, a yearly date every year, a
// leap-day anniversary on Feb 28 in years without a Feb 29.
func TestOccurrence(t *testing.T) {
	start := CustomerDate{Kind: DateStart, On: day(2024, 2, 29)}
	golive := CustomerDate{Kind: DateGoLive, On: day(2027, 6, 1)}
	named := CustomerDate{Kind: DateNamed, Name: "kickoff", On: day(0, 3, 14)}
	renewal := CustomerDate{Kind: DateRenewal, On: day(2027, 3, 1)}
	tests := []struct {
		name string
		d    CustomerDate
		from Day
		want Day
	}{
		{"leap day in a year without one", start, day(2026, 12, 2), day(2027, 2, 28)},
		{"leap day in a leap year", start, day(2027, 3, 1), day(2028, 2, 29)},
		{"leap day, from its Feb 28", start, day(2027, 2, 28), day(2027, 2, 28)},
		{"leap day, just after", start, day(2027, 3, 1), day(2028, 2, 29)},
		{"a leap year divisible by 100 has none", start, day(2100, 1, 1), day(2100, 2, 28)},
		{"2400 has one", start, day(2400, 1, 1), day(2400, 2, 29)},
		{"a go-live ahead occurs on its day first", golive, day(2026, 12, 2), day(2027, 6, 1)},
		{"then a year on", golive, day(2027, 6, 2), day(2028, 6, 1)},
		{"a named date without a year, this year", named, day(2026, 3, 1), day(2026, 3, 14)},
		{"a named date without a year, next year", named, day(2026, 3, 15), day(2027, 3, 14)},
		{"a renewal ahead", renewal, day(2026, 12, 2), day(2027, 3, 1)},
		{"a renewal on its day", renewal, day(2027, 3, 1), day(2027, 3, 1)},
		{"a renewal gone by", renewal, day(2027, 3, 2), Day{}},
	}
	for _, tc := range tests {
		if got := tc.d.Occurrence(tc.from); got != tc.want {
			t.Errorf("%s: Occurrence(%v) = %v; want %v", tc.name, tc.from, got, tc.want)
		}
	}
	if !start.Occurs(day(2027, 2, 28)) || start.Occurs(day(2028, 2, 28)) || start.Occurs(day(2027, 3, 1)) {
		t.Error("Occurs: a leap day occurs on Feb 28 only when the year has no Feb 29")
	}
	if y := start.Years(day(2027, 2, 28)); y != 3 {
		t.Errorf("Years = %d; want 3", y)
	}
}

// TestPromptDay: a renewal its notice before, an anniversary on the
// Monday of its week (Monday itself when it falls on one; across a month
// and a year end).
func TestPromptDay(t *testing.T) {
	pol := DefaultDates
	yearly := CustomerDate{Kind: DateNamed, Name: "x", On: day(0, 1, 1)}
	tests := []struct {
		name string
		d    CustomerDate
		o    Day
		want Day
	}{
		{"renewal, 30 days", CustomerDate{Kind: DateRenewal, On: day(2027, 3, 1)}, day(2027, 3, 1), day(2027, 1, 30)},
		{"a Sunday anniversary: its Monday", yearly, day(2027, 3, 14), day(2027, 3, 8)},
		{"a Monday anniversary: that day", yearly, day(2027, 3, 15), day(2027, 3, 15)},
		{"a Friday 1 January: the Monday in December", yearly, day(2027, 1, 1), day(2026, 12, 28)},
		{"a leap day: its week", yearly, day(2028, 2, 29), day(2028, 2, 28)},
	}
	for _, tc := range tests {
		if got := tc.d.PromptDay(tc.o, pol); got != tc.want {
			t.Errorf("%s: PromptDay(%v) = %v; want %v", tc.name, tc.o, got, tc.want)
		}
	}
	if got := (CustomerDate{Kind: DateRenewal}).PromptDay(day(2027, 3, 1), DatePolicy{RenewalNotice: 60 * 24 * time.Hour}); got != day(2026, 12, 31) {
		t.Errorf("60 days' notice: %v", got)
	}
}

// TestPromptAt: an occurrence reaches its owner at the start of working
// hours on its prompt day in their zone, across a DST change, or at once
// when that has begun and they are working, or when their hours next
// begin.
func TestPromptAt(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	renewal := CustomerDate{Kind: DateRenewal, On: day(2027, 4, 9)} // 30 days ahead: Wednesday 10 March, before the spring-forward
	tests := []struct {
		name string
		d    CustomerDate
		o    Day
		now  time.Time
		want time.Time
	}{
		{"ahead: the prompt day's 9:00 EST", renewal, day(2027, 4, 9), time.Date(2027, 3, 1, 12, 0, 0, 0, ny), time.Date(2027, 3, 10, 9, 0, 0, 0, ny)},
		{"that day, working: at once", renewal, day(2027, 4, 9), time.Date(2027, 3, 10, 11, 0, 0, 0, ny), time.Date(2027, 3, 10, 11, 0, 0, 0, ny)},
		{"that day, after hours: the next morning", renewal, day(2027, 4, 9), time.Date(2027, 3, 10, 18, 0, 0, 0, ny), time.Date(2027, 3, 11, 9, 0, 0, 0, ny)},
		{"an anniversary's Monday after spring-forward: 9:00 EDT", CustomerDate{Kind: DateNamed, Name: "x", On: day(0, 3, 17)}, day(2027, 3, 17), time.Date(2027, 3, 12, 12, 0, 0, 0, ny), time.Date(2027, 3, 15, 9, 0, 0, 0, ny)},
	}
	for _, tc := range tests {
		if got := tc.d.PromptAt(tc.o, DefaultDates, workhours.Default, ny, tc.now); !got.Equal(tc.want) {
			t.Errorf("%s: PromptAt = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestSetDate(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	c := Customer{Team: "T1", Name: "Acme", Owner: "U1"}
	ok := []CustomerDate{
		{Kind: DateRenewal, On: day(2027, 3, 1)},
		{Kind: DateStart, On: day(2024, 2, 29)},
		{Kind: DateNamed, Name: "  Kickoff   anniversary ", On: day(0, 3, 14)},
		{Kind: DateGoLive, On: day(2026, 12, 1)}, // yesterday: next year's
	}
	for _, d := range ok {
		if err := c.SetDate(d, now); err != nil {
			t.Fatalf("SetDate(%+v): %v", d, err)
		}
	}
	wantNext := map[string]Day{"renewal": day(2027, 3, 1), "contract start": day(2027, 2, 28), "kickoff anniversary": day(2027, 3, 14), "go-live": day(2027, 12, 1)}
	if len(c.Dates) != 4 || c.Dates[0].Kind != DateRenewal || c.Dates[1].Kind != DateStart || c.Dates[2].Kind != DateGoLive || c.Dates[3].Name != "Kickoff anniversary" {
		t.Fatalf("dates in the card's order, the name tidied: %+v", c.Dates)
	}
	for _, d := range c.Dates {
		if d.Next != wantNext[d.Key()] {
			t.Errorf("%s: Next %v; want %v", d.Label(), d.Next, wantNext[d.Key()])
		}
	}
	bad := []struct {
		d    CustomerDate
		want string
	}{
		{CustomerDate{Kind: DateRenewal, On: day(2026, 11, 30)}, "has passed"},
		{CustomerDate{Kind: DateRenewal, On: day(0, 3, 1)}, "give its year"},
		{CustomerDate{Kind: DateNamed, On: day(0, 3, 1)}, "Name the date"},
		{CustomerDate{Kind: DateNamed, Name: "Renewal", On: day(0, 3, 1)}, "a date of its own"},
		{CustomerDate{Kind: DateNamed, Name: strings.Repeat("x", MaxDateName+1), On: day(0, 3, 1)}, "under"},
		{CustomerDate{Kind: "birthday", On: day(0, 3, 1)}, "not a kind of date"},
	}
	for _, tc := range bad {
		before := append([]CustomerDate(nil), c.Dates...)
		err := c.SetDate(tc.d, now)
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SetDate(%+v) = %v; want a refusal with %q", tc.d, err, tc.want)
		}
		if len(c.Dates) != len(before) {
			t.Errorf("a refused date changed the dates")
		}
	}
	// A renewal whose day is still today somewhere (UTC-12) is not past.
	late := time.Date(2026, 12, 2, 11, 0, 0, 0, time.UTC)
	if err := (&Customer{}).SetDate(CustomerDate{Kind: DateRenewal, On: day(2026, 12, 1)}, late); err != nil {
		t.Errorf("a renewal still today in UTC-12: %v", err)
	}
	for i := range 6 {
		_ = c.SetDate(CustomerDate{Kind: DateNamed, Name: "d" + string(rune('a'+i)), On: day(0, 5, 1+i)}, now)
	}
	if err := c.SetDate(CustomerDate{Kind: DateNamed, Name: "one too many", On: day(0, 6, 1)}, now); err == nil {
		t.Errorf("an eleventh date: accepted")
	}
	if !c.RemoveDate("KICKOFF anniversary") || c.RemoveDate("kickoff anniversary") {
		t.Error("RemoveDate: the first removes it (any case), the second finds none")
	}
}

// TestClaimDates: each occurrence is claimed once, a renewal its notice
// ahead and an anniversary on its week's Monday as the day begins
// anywhere (UTC+14); a day gone by everywhere is passed over; the same
// date set again keeps its claim, a changed one claims anew.
func TestClaimDates(t *testing.T) {
	set := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	c := Customer{Team: "T1", Name: "Acme", Owner: "U1", Tier: TierKey}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SetDate(CustomerDate{Kind: DateRenewal, On: day(2027, 3, 1)}, set))
	must(c.SetDate(CustomerDate{Kind: DateNamed, Name: "kickoff", On: day(0, 3, 14)}, set)) // a Sunday in 2027
	renewal, anniversary := c.DateIndex()
	if !renewal.Equal(time.Date(2027, 2, 28, 10, 0, 0, 0, time.UTC)) || !anniversary.Equal(time.Date(2027, 3, 7, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("DateIndex = %v, %v; want 1 March and Monday 8 March as they begin in UTC+14", renewal, anniversary)
	}
	pol := DefaultDates
	// Renewal prompt day: 30 January, which begins at 29 January 10:00 UTC.
	if n := c.ClaimDates(time.Date(2027, 1, 29, 9, 59, 0, 0, time.UTC), pol); len(n) != 0 {
		t.Fatalf("before the prompt day begins anywhere: %v", n)
	}
	at := time.Date(2027, 1, 29, 10, 0, 0, 0, time.UTC)
	n := c.ClaimDates(at, pol)
	if len(n) != 1 || n[0].Kind != NudgeDate || n[0].For.Date != "renewal" || !n[0].For.On.Equal(time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)) || n[0].To != "U1" || n[0].Subject != "acme" {
		t.Fatalf("the renewal's claim: %+v", n)
	}
	if v := RecheckDate(n[0], c, true); v.Drop {
		t.Errorf("fresh claim rechecked: %+v", v)
	}
	if again := c.ClaimDates(at.Add(time.Hour), pol); len(again) != 0 {
		t.Fatalf("claimed twice: %v", again)
	}
	if r, _ := c.DateIndex(); !r.IsZero() {
		t.Errorf("a prompted renewal stays indexed at %v", r)
	}
	// The same renewal set again keeps its claim; a moved one drops it.
	must(c.SetDate(CustomerDate{Kind: DateRenewal, On: day(2027, 3, 1)}, at))
	if v := RecheckDate(n[0], c, true); v.Drop {
		t.Errorf("the same date again dropped the prompt: %+v", v)
	}
	moved := c
	moved.Dates = append([]CustomerDate(nil), c.Dates...)
	must(moved.SetDate(CustomerDate{Kind: DateRenewal, On: day(2027, 3, 5)}, at))
	if v := RecheckDate(n[0], moved, true); !v.Drop || v.Reason != "the date was changed" {
		t.Errorf("a moved renewal: %+v", v)
	}
	if got := moved.ClaimDates(time.Date(2027, 2, 2, 10, 0, 0, 0, time.UTC), pol); len(got) != 1 || !got[0].For.On.Equal(time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("a moved renewal is claimed 30 days before its new day: %+v", got)
	}
	gone := c
	gone.Dates = append([]CustomerDate(nil), c.Dates...)
	gone.RemoveDate("renewal")
	if v := RecheckDate(n[0], gone, true); !v.Drop || v.Reason != "the date was removed" {
		t.Errorf("a removed renewal: %+v", v)
	}
	handed := c
	handed.Owner = "U2"
	if v := RecheckDate(n[0], handed, true); v.Drop || v.To != "U2" {
		t.Errorf("a customer handed over: %+v", v)
	}
	// The anniversary: Monday 8 March 2027 begins at 7 March 10:00 UTC.
	n = c.ClaimDates(time.Date(2027, 3, 7, 10, 0, 0, 0, time.UTC), pol)
	if len(n) != 1 || n[0].For.Date != "kickoff" || !n[0].For.On.Equal(time.Date(2027, 3, 14, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("the anniversary's claim: %+v", n)
	}
	if d, _ := c.Date("kickoff"); d.Next != day(2028, 3, 14) || d.Prompted != day(2027, 3, 14) {
		t.Errorf("after the claim: %+v; want next year's next", d)
	}
	// Kept down from before the 2028 prompt day until after the day
	// ended everywhere: that occurrence is passed over, 2029's is next.
	if n := c.ClaimDates(time.Date(2028, 3, 15, 12, 0, 0, 0, time.UTC), pol); len(n) != 0 {
		t.Errorf("a day gone by everywhere was claimed: %+v", n)
	}
	if d, _ := c.Date("kickoff"); d.Next != day(2029, 3, 14) {
		t.Errorf("after a missed one: %+v", d)
	}
}

// TestClaimLeapDay: a contract started on 29 February is prompted for its
// anniversary on 28 February in 2027 and on 29 February in 2028, once each.
func TestClaimLeapDay(t *testing.T) {
	c := Customer{Team: "T1", Name: "Leap", Owner: "U1"}
	if err := c.SetDate(CustomerDate{Kind: DateStart, On: day(2024, 2, 29)}, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var got []time.Time
	for at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2029; at = at.Add(6 * time.Hour) {
		for _, n := range c.ClaimDates(at, DefaultDates) {
			got = append(got, n.For.On)
		}
	}
	want := []time.Time{time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC), time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)}
	if len(got) != 2 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
		t.Errorf("claims %v; want %v", got, want)
	}
}

// TestDatesInHealth: a date within DateSoonDays makes a customer due
// soon, counted in calendar days of the rule's zone, across New York's
// spring-forward (14 March 2027) as on any other day.
func TestDatesInHealth(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Customer{Name: "Acme", Created: created, LastTouch: time.Date(2027, 3, 1, 15, 0, 0, 0, time.UTC), Cadence: 90 * 24 * time.Hour}
	if err := c.SetDate(CustomerDate{Kind: DateNamed, Name: "kickoff", On: day(0, 3, 22)}, created); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		now  time.Time
		want Health
	}{
		// 8 March 00:30 in New York (EST, UTC-5): 22 March is 14 days on.
		{"14 days ahead, before the change", time.Date(2027, 3, 8, 5, 30, 0, 0, time.UTC), HealthDueSoon},
		// 7 March 23:30 in New York: 15 days ahead, though UTC says 8 March.
		{"15 days ahead in New York", time.Date(2027, 3, 8, 4, 30, 0, 0, time.UTC), HealthOnTrack},
		{"on the day, after the change", time.Date(2027, 3, 22, 14, 0, 0, 0, time.UTC), HealthDueSoon},
		// 23 March 00:30 EDT (UTC-4) is 22 March 04:30 UTC + a day.
		{"the day after", time.Date(2027, 3, 23, 4, 30, 0, 0, time.UTC), HealthOnTrack},
	}
	for _, tc := range tests {
		if got, _ := c.HealthOf(HealthFacts{}, ny, tc.now); got != tc.want {
			t.Errorf("%s: %s; want %s", tc.name, got, tc.want)
		}
	}
}
