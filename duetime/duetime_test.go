package duetime

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

const layout = "2006-01-02 15:04"

// refNow is Monday 2026-11-23 10:00 America/New_York.
func refNow(t testing.TB) (time.Time, *time.Location) {
	ny := zone(t, "America/New_York")
	return time.Date(2026, 11, 23, 10, 0, 0, 0, ny), ny
}

func TestParse(t *testing.T) {
	now, ny := refNow(t)
	tests := []struct {
		phrase string
		want   string // wall time in America/New_York
	}{
		// The table of the task.
		{"tomorrow 3pm", "2026-11-24 15:00"},
		{"in 2 hours", "2026-11-23 12:00"},
		{"in 90 minutes", "2026-11-23 11:30"},
		{"friday 5pm", "2026-11-27 17:00"},
		{"tuesday", "2026-11-24 09:00"},
		{"monday", "2026-11-30 09:00"},
		{"next week", "2026-11-30 09:00"},
		{"dec 3", "2026-12-03 09:00"},
		{"2026-12-01 14:00", "2026-12-01 14:00"},
		{"3pm", "2026-11-23 15:00"},
		{"9am", "2026-11-24 09:00"},
		{"noon", "2026-11-23 12:00"},
		{"eod", "2026-11-23 17:00"},
		{"end of week", "2026-11-27 17:00"},
		{"in 3 days", "2026-11-26 10:00"},
		{"in 2 years", "2028-11-23 10:00"},
		// Relative offsets.
		{"in 5 minutes", "2026-11-23 10:05"},
		{"in 1 hour", "2026-11-23 11:00"},
		{"in an hour", "2026-11-23 11:00"},
		{"in half an hour", "2026-11-23 10:30"},
		{"in 2h", "2026-11-23 12:00"},
		{"in 30min", "2026-11-23 10:30"},
		{"in 2 weeks", "2026-12-07 10:00"},
		{"in two weeks", "2026-12-07 10:00"},
		{"in 1 month", "2026-12-23 10:00"},
		{"in 3 days at 5pm", "2026-11-26 17:00"},
		{"2 days from now", "2026-11-25 10:00"},
		// Weekdays and named days.
		{"next tue", "2026-11-24 09:00"},
		{"next friday", "2026-11-27 09:00"},
		{"next monday 9am", "2026-11-30 09:00"},
		{"this friday", "2026-11-27 09:00"},
		{"this monday 11am", "2026-11-23 11:00"},
		{"tonight", "2026-11-23 20:00"},
		{"tonight 9pm", "2026-11-23 21:00"},
		{"today", "2026-11-23 17:00"},
		{"today 3pm", "2026-11-23 15:00"},
		{"tomorrow", "2026-11-24 09:00"},
		{"tomorrow 9:30", "2026-11-24 09:30"},
		{"tomorrow 09:30", "2026-11-24 09:30"},
		{"tomorrow 10:30", "2026-11-24 10:30"}, // two digits of hour: the 24-hour clock
		{"tomorrow at 3pm", "2026-11-24 15:00"},
		{"tomorrow at 3 pm", "2026-11-24 15:00"},
		{"tomorrow by 3pm", "2026-11-24 15:00"},
		{"friday by noon", "2026-11-27 12:00"},
		{"dec 3 by 2pm", "2026-12-03 14:00"},
		{"in 2 days by 5pm", "2026-11-25 17:00"},
		{"tomorrow 3 p.m.", "2026-11-24 15:00"},
		{"tomorrow morning", "2026-11-24 09:00"},
		{"this afternoon", "2026-11-23 14:00"},
		{"friday at 17:00", "2026-11-27 17:00"},
		{"5pm friday", "2026-11-27 17:00"},
		{"3pm on tuesday", "2026-11-24 15:00"},
		{"next month", "2026-12-01 09:00"},
		{"end of month", "2026-11-30 17:00"},
		{"eow", "2026-11-27 17:00"},
		{"cob", "2026-11-23 17:00"},
		// Times.
		{"15:30", "2026-11-23 15:30"},
		{"9:30", "2026-11-24 09:30"},
		{"09:30", "2026-11-24 09:30"},
		{"0:30", "2026-11-24 00:30"},
		{"12am", "2026-11-24 00:00"},
		{"12pm", "2026-11-23 12:00"},
		// Exact and month-name dates.
		{"2026-12-01", "2026-12-01 09:00"},
		{"2026-12-01T14:00", "2026-12-01 14:00"},
		{"2026-12-01 2pm", "2026-12-01 14:00"},
		{"dec 3 2pm", "2026-12-03 14:00"},
		{"dec 3 at 2:30 pm", "2026-12-03 14:30"},
		{"3 dec", "2026-12-03 09:00"},
		{"december 3rd", "2026-12-03 09:00"},
		{"the 3rd of december", "2026-12-03 09:00"},
		{"Dec 3, 2026", "2026-12-03 09:00"},
		{"3 dec 2027", "2027-12-03 09:00"},
		{"friday dec 4 2pm", "2026-12-04 14:00"},
		{"jan 5 2027", "2027-01-05 09:00"},
		{"jan 5", "2027-01-05 09:00"}, // six weeks ahead, not ten months gone by
		{"feb 29 2028", "2028-02-29 09:00"},
		// Case, glue and punctuation.
		{"Tomorrow 3PM", "2026-11-24 15:00"},
		{"FRIDAY", "2026-11-27 09:00"},
		{"by friday", "2026-11-27 09:00"},
		{"until tomorrow 9am", "2026-11-24 09:00"},
		{"  friday.  ", "2026-11-27 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.phrase, func(t *testing.T) {
			got, err := Parse(tt.phrase, now, ny)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.phrase, err)
			}
			if got.Location() != ny {
				t.Errorf("Parse(%q) location = %v, want %v", tt.phrase, got.Location(), ny)
			}
			if s := got.Format(layout); s != tt.want {
				t.Errorf("Parse(%q) = %s, want %s", tt.phrase, s, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	now, ny := refNow(t)
	tests := []struct {
		phrase string
		want   error
	}{
		{"yesterday 3pm", ErrPast},
		{"yesterday", ErrPast},
		{"today 9am", ErrPast},
		{"this monday", ErrPast}, // 9:00 today has gone by
		{"in 0 minutes", ErrPast},
		{"2026-11-01", ErrPast},
		{"dec 3 2025", ErrPast},
		{"", ErrNoTime},
		{"soon", ErrNoTime},
		{"quote", ErrNoTime},
		{"3", ErrNoTime},
		{"42", ErrNoTime},
		{"a", ErrNoTime},
		{"dec", ErrNoTime},      // a month is not a day
		{"dec 2027", ErrNoTime}, // nor is a month of a year
		{"feb 30", ErrNoTime},
		{"2026-02-30", ErrNoTime},
		{"25:00", ErrNoTime},
		{"13pm", ErrNoTime},
		{"12/3", ErrAmbiguous}, // day-first or month-first: a question
		{"12/3 5pm", ErrAmbiguous},
		{"oct 5", ErrAmbiguous}, // gone by lately this year: next year's is a question
		{"last friday", ErrPast},
		{"3 days ago", ErrPast},
		{"midnight", ErrNoTime},
		{"at 5", ErrNoTime},
		{"tomorrow at 5", ErrNoTime},
		{"thursday dec 4", ErrNoTime}, // dec 4 2026 is a Friday
		{"in 200 years", ErrNoTime},
		{"in 999999 hours", ErrNoTime},
		{"in 2 hours at 5pm", ErrNoTime},
		{"every monday", ErrNoTime}, // a schedule, not a time
		{"next", ErrNoTime},
		{"this", ErrNoTime},
		{"at", ErrNoTime},
	}
	for _, tt := range tests {
		t.Run(tt.phrase, func(t *testing.T) {
			got, err := Parse(tt.phrase, now, ny)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) = %v, %v; want error %v", tt.phrase, got, err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "duetime: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestParseRolls covers phrases whose meaning depends on the time of day
// or week they are said.
func TestParseRolls(t *testing.T) {
	ny := zone(t, "America/New_York")
	tests := []struct {
		now, phrase, want string // want "past" for ErrPast
	}{
		{"2026-11-23 08:00", "9am", "2026-11-23 09:00"},
		{"2026-11-23 09:00", "9am", "2026-11-24 09:00"}, // exactly now is not the future
		{"2026-11-23 17:30", "eod", "2026-11-24 17:00"}, // a bare part of day rolls, as "noon" does
		{"2026-11-23 18:06", "eod", "2026-11-24 17:00"},
		{"2026-11-23 13:00", "noon", "2026-11-24 12:00"},
		{"2026-11-23 17:30", "today", "past"}, // a named day does not roll
		{"2026-11-23 15:00", "this afternoon", "past"},
		{"2026-11-23 10:00", "morning", "2026-11-24 09:00"},
		{"2026-11-23 20:30", "tonight", "past"},
		{"2026-11-27 16:00", "end of week", "2026-11-27 17:00"},
		{"2026-11-27 17:30", "end of week", "2026-12-04 17:00"},
		{"2026-11-28 10:00", "end of week", "2026-12-04 17:00"},
		{"2026-11-30 18:00", "end of month", "2026-12-31 17:00"},
		{"2026-11-29 10:00", "next week", "2026-11-30 09:00"}, // Sunday
		{"2026-11-27 08:00", "this friday", "2026-11-27 09:00"},
		{"2026-11-27 10:00", "this friday", "past"},
		{"2026-11-27 10:00", "friday", "2026-12-04 09:00"},
		{"2027-01-31 10:00", "in 1 month", "2027-02-28 10:00"}, // clamped, not 3 March
		{"2028-02-29 10:00", "in 1 year", "2029-02-28 10:00"},
		{"2027-01-31 10:00", "feb 3", "2027-02-03 09:00"},
		{"2026-12-28 10:00", "jan 2 2027", "2027-01-02 09:00"},
		{"2026-12-28 10:00", "next month", "2027-01-01 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.now+" "+tt.phrase, func(t *testing.T) {
			now, err := time.ParseInLocation(layout, tt.now, ny)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(tt.phrase, now, ny)
			if tt.want == "past" {
				if !errors.Is(err, ErrPast) {
					t.Fatalf("Parse(%q) at %s = %v, %v; want ErrPast", tt.phrase, tt.now, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.phrase, err)
			}
			if s := got.Format(layout); s != tt.want {
				t.Errorf("Parse(%q) at %s = %s, want %s", tt.phrase, tt.now, s, tt.want)
			}
		})
	}
}

func TestParseZones(t *testing.T) {
	ny := zone(t, "America/New_York")
	tests := []struct {
		name   string
		now    time.Time
		phrase string
		want   time.Time
	}{
		{
			// Spring forward: the wall clock, not 24 hours.
			name: "spring tomorrow", now: time.Date(2027, 3, 13, 10, 0, 0, 0, ny), phrase: "tomorrow 9am",
			want: time.Date(2027, 3, 14, 13, 0, 0, 0, time.UTC), // 09:00 EDT
		},
		{
			name: "spring in 1 day", now: time.Date(2027, 3, 13, 10, 0, 0, 0, ny), phrase: "in 1 day",
			want: time.Date(2027, 3, 14, 14, 0, 0, 0, time.UTC), // 10:00 EDT, 23 hours later
		},
		{
			name: "spring in 24 hours", now: time.Date(2027, 3, 13, 10, 0, 0, 0, ny), phrase: "in 24 hours",
			want: time.Date(2027, 3, 14, 15, 0, 0, 0, time.UTC), // 11:00 EDT: a duration
		},

		{
			// Fall back: 2026-11-01 has 25 hours.
			name: "fall tomorrow", now: time.Date(2026, 10, 31, 10, 0, 0, 0, ny), phrase: "tomorrow 9am",
			want: time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC), // 09:00 EST
		},
		{
			name: "fall in 3 days", now: time.Date(2026, 10, 30, 10, 0, 0, 0, ny), phrase: "in 3 days",
			want: time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC), // 10:00 EST
		},
		{
			// 1:30 happens twice; time.Date takes the first, EDT.
			name: "fall ambiguous", now: time.Date(2026, 10, 31, 10, 0, 0, 0, ny), phrase: "tomorrow 1:30am",
			want: time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC),
		},
		{
			name: "kolkata", now: time.Date(2026, 11, 23, 10, 0, 0, 0, zone(t, "Asia/Kolkata")), phrase: "tomorrow 3pm",
			want: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC),
		},
		{
			// Adelaide moves from +9:30 to +10:30 on 2026-10-04.
			name: "adelaide spring", now: time.Date(2026, 10, 3, 10, 0, 0, 0, zone(t, "Australia/Adelaide")), phrase: "tomorrow 9am",
			want: time.Date(2026, 10, 3, 22, 30, 0, 0, time.UTC),
		},

		{
			// The server's zone plays no part: the same instant, another owner.
			name: "now given in UTC", now: time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), phrase: "3pm",
			want: time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC), // 15:00 EST
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := tt.now.Location()
			if tt.name == "now given in UTC" {
				loc = ny
			}
			got, err := Parse(tt.phrase, tt.now, loc)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.phrase, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("Parse(%q) = %v, want %v", tt.phrase, got, tt.want.In(loc))
			}
			if !got.After(tt.now) {
				t.Errorf("Parse(%q) = %v, not after now %v", tt.phrase, got, tt.now)
			}
		})
	}
}

func TestParseNilLocation(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	got, err := Parse("tomorrow 3pm", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestSplit(t *testing.T) {
	now, ny := refNow(t)
	tests := []struct {
		text   string
		what   string
		due    string
		repeat string
	}{
		{"send the renewal quote friday 5pm", "send the renewal quote", "2026-11-27 17:00", ""},
		{"send the quote by friday", "send the quote", "2026-11-27 09:00", ""},
		{"call back at 3pm", "call back", "2026-11-23 15:00", ""},
		{"call back tomorrow at 3pm.", "call back", "2026-11-24 15:00", ""},
		{"send the deck tomorrow by 5pm", "send the deck", "2026-11-24 17:00", ""},
		{"read 2 pages by 5pm", "read 2 pages", "2026-11-23 17:00", ""},
		{"review the contract in 2 weeks", "review the contract", "2026-12-07 10:00", ""},
		{"Ship v2, due 2026-12-01 14:00", "Ship v2", "2026-12-01 14:00", ""},
		{"finish the report on monday 10am", "finish the report", "2026-11-30 10:00", ""},
		{"send 3 samples dec 3 2pm", "send 3 samples", "2026-12-03 14:00", ""},
		{"book the venue december 3rd", "book the venue", "2026-12-03 09:00", ""},
		{"call Ann, 5pm friday", "call Ann", "2026-11-27 17:00", ""},
		{"fix &lt;thing&gt; tomorrow", "fix &lt;thing&gt;", "2026-11-24 09:00", ""}, // Slack's escapes end in ";"
		{"call Bob &amp; tomorrow 3pm", "call Bob &amp;", "2026-11-24 15:00", ""},
		{"call Bob &amp;; tomorrow", "call Bob &amp;", "2026-11-24 09:00", ""},
		{"send monday's notes eod", "send monday's notes", "2026-11-23 17:00", ""},
		{`send "Q4 deck" tomorrow`, `send "Q4 deck"`, "2026-11-24 09:00", ""}, // a quote closing the text is the text's
		{"send the 'Q4 deck' tomorrow", "send the 'Q4 deck'", "2026-11-24 09:00", ""},
		{"call O'Brien' tomorrow", "call O'Brien'", "2026-11-24 09:00", ""},
		{"send it 'tomorrow'", "send it", "2026-11-24 09:00", ""}, // one opening the time is not
		{`send it "by tomorrow"`, "send it", "2026-11-24 09:00", ""},
		{"Send Quote Tomorrow 3PM", "Send Quote", "2026-11-24 15:00", ""},
		{"  spaced\tout   tomorrow   ", "spaced\tout", "2026-11-24 09:00", ""},
		{"usage report every month on the 1st 9am", "usage report", "2026-12-01 09:00", "every month on the 1st 9am"},
		{"standup notes every monday 10am", "standup notes", "2026-11-30 10:00", "every monday 10am"},
		{"check-in every monday at 11am", "check-in", "2026-11-23 11:00", "every monday 11am"},
		{"pipeline review every 2 weeks", "pipeline review", "2026-12-07 09:00", "every 2 weeks on monday 9am"},
		{"timesheet every weekday 4pm", "timesheet", "2026-11-23 16:00", "every weekday 4pm"},
		{"inbox zero every day 9am", "inbox zero", "2026-11-24 09:00", "every day 9am"},
		{"call Acme every friday", "call Acme", "2026-11-27 09:00", "every friday 9am"},
		{"invoice every month", "invoice", "2026-12-23 09:00", "every month on the 23rd 9am"},
		{"water plants every other day", "water plants", "2026-11-25 09:00", "every 2 days 9am"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			what, due, repeat, err := Split(tt.text, now, ny)
			if err != nil {
				t.Fatalf("Split(%q) error: %v", tt.text, err)
			}
			if what != tt.what || due.Format(layout) != tt.due || repeat != tt.repeat {
				t.Errorf("Split(%q) = %q, %s, %q; want %q, %s, %q",
					tt.text, what, due.Format(layout), repeat, tt.what, tt.due, tt.repeat)
			}
			if due.Location() != ny {
				t.Errorf("due in %v, want %v", due.Location(), ny)
			}
			if repeat != "" {
				r, err := ParseRecurrence(repeat)
				if err != nil {
					t.Fatalf("ParseRecurrence(%q): %v", repeat, err)
				}
				if r.String() != repeat {
					t.Errorf("canonical %q reads back as %q", repeat, r.String())
				}
			}
		})
	}
}

func TestSplitErrors(t *testing.T) {
	now, ny := refNow(t)
	tests := []struct {
		text string
		want error
	}{
		{"", ErrNoTime},
		{"   ", ErrNoTime},
		{"send the quote", ErrNoTime},
		{"send the quote soon", ErrNoTime},
		{"call 3 customers", ErrNoTime},
		{"send the quote 12/3", ErrAmbiguous},
		{"send the quote tomorrow at 5", ErrNoTime},
		{"send the quote last friday", ErrPast},
		{"check every monday and thursday at 10 and 2pm", ErrHalfRead},
		{"send the quote yesterday 3pm", ErrPast},
		{"send the quote today 9am", ErrPast},
		{"tomorrow 3pm", ErrNoWhat},
		{"by tomorrow 3pm", ErrNoWhat},
		{"every monday", ErrNoWhat},
		{strings.Repeat("x", 3000), ErrNoTime},
		{strings.Repeat("word ", 500), ErrNoTime},
	}
	for _, tt := range tests {
		name := tt.text
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			what, due, repeat, err := Split(tt.text, now, ny)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Split(%q) = %q, %v, %q, %v; want error %v", tt.text, what, due, repeat, err, tt.want)
			}
			if what != strings.TrimSpace(tt.text) {
				t.Errorf("on error what = %q, want the trimmed text", what)
			}
		})
	}
}

// TestExamples keeps the phrases shown to users in error messages working.
func TestExamples(t *testing.T) {
	now, ny := refNow(t)
	for _, ex := range Examples {
		what, due, _, err := Split("call Acme "+ex, now, ny)
		if err != nil || what != "call Acme" || !due.After(now) {
			t.Errorf("Split(%q) = %q, %v, %v", "call Acme "+ex, what, due, err)
		}
	}
}

func TestSuffixStarts(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want []int
	}{
		{"", 8, []int{}},
		{"a", 8, []int{0}},
		{"a bc  d ", 8, []int{0, 2, 6}},
		{"a bc  d", 2, []int{2, 6}},
		{"é\u3000fin", 8, []int{0, 5}}, // multi-byte letters and spaces
	}
	for _, tt := range tests {
		got := suffixStarts(tt.s, tt.n)
		if len(got) != len(tt.want) {
			t.Errorf("suffixStarts(%q, %d) = %v, want %v", tt.s, tt.n, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("suffixStarts(%q, %d) = %v, want %v", tt.s, tt.n, got, tt.want)
				break
			}
		}
	}
}

func BenchmarkSplit(b *testing.B) {
	now, ny := refNow(b)
	for _, text := range []string{
		"Acme: send the renewal quote friday 5pm",
		"send the signed contract and the onboarding plan to the new team by december 3rd",
		"usage report every month on the 1st 9am",
		// The worst case: every suffix could be a month-name date.
		"3rd 3rd 3rd 3rd 3rd 3rd 3rd dec",
	} {
		b.Run(text[:20], func(b *testing.B) {
			for b.Loop() {
				Split(text, now, ny)
			}
		})
	}
}

func TestReadMonthDate(t *testing.T) {
	tests := []struct {
		phrase string
		want   bool
	}{
		{"dec 3", true},
		{"december 3rd 2026 at 2:30pm", true},
		{"the 3rd of december", true},
		{"3rd of dec", true},
		{"3 dec 2027", true},
		{"Dec 3, 2026", true},
		{"dec the 3rd", true},
		{"friday dec 4 2pm", true},
		{"friday, the 4th of december 2026 at 14:00", true},
		{"sept 30 noon", true},
		{"feb 30", true}, // read, then refused by monthDate
		{"dec", false},   // a month is not a day
		{"dec 2027", false},
		{"3", false},
		{"a", false},
		{"42", false},
		{"dec 3 26", false}, // a year has four digits
		{"dec 32", false},
		{"dec 0", false},
		{"dec 100", false},
		{"quote dec 3", false},
		{"dec 3 quote", false},
		{"dec may 3", false},
		{"1 2 3 dec", false},
		{"of dec 3", false},
		{"dec 3 2pm 3pm", false},
		{"dec 3 at", false},
		{"friday friday dec 3", false},
		{"dec 3 friday", true},
		{"dec 3 2pm 2027", true},
		{"dec 3 2027 friday at 2pm", true},
		{"2pm dec 3", true},
		{"2pm on friday dec 4", true},
		{"2027 dec 3", true},
		{"2pm dec 3 3pm", false},
		{"dec 3 friday friday", false},
		{"dec 3 2026 2027", false},
		{"dec 3 at at 2pm", false},
		{"dec 3 of", false},
		{"3rd of the dec", false},
		{"the dec 3", false},
		{"3 2027 dec", false},
		{"dec 2027 3", false},
		{"on dec 3", false},
	}
	for _, tt := range tests {
		if _, got := readMonthDate(words(tt.phrase)); got != tt.want {
			t.Errorf("readMonthDate(%q) = %v, want %v", tt.phrase, got, tt.want)
		}
	}
}

// TestMonthDate covers the year a month-name date falls in and the dates
// it refuses, from Monday 2026-11-23 10:00 unless said otherwise.
func TestMonthDate(t *testing.T) {
	ny := zone(t, "America/New_York")
	tests := []struct {
		now, phrase, want string // want "past" for ErrPast, "no" for ErrNoTime, "ask" for ErrAmbiguous
	}{
		{"2026-11-23 10:00", "nov 23 3pm", "2026-11-23 15:00"},
		{"2026-11-23 10:00", "nov 23", "ask"}, // 9:00 today has gone by
		{"2026-11-23 08:00", "nov 23", "2026-11-23 09:00"},
		{"2026-11-23 10:00", "nov 22", "ask"},
		{"2026-11-23 10:00", "sept 3", "ask"},
		{"2026-11-23 10:00", "september 3rd", "ask"},
		{"2026-11-23 10:00", "3rd of sep", "ask"},
		{"2026-11-23 10:00", "sept 3 2027", "2027-09-03 09:00"},
		{"2026-11-23 10:00", "22nd dec 14:00", "2026-12-22 14:00"},
		{"2026-11-23 10:00", "dec 1st at 12am", "2026-12-01 00:00"},
		{"2026-11-23 10:00", "dec 3 morning", "2026-12-03 09:00"},
		{"2026-11-23 10:00", "Thursday, December 3rd, 2026 at 2:30 p.m.", "2026-12-03 14:30"},
		{"2026-11-23 10:00", "friday dec 3 2027", "2027-12-03 09:00"},
		{"2026-11-23 10:00", "friday dec 3", "no"}, // 3 Dec 2026 is a Thursday
		{"2026-11-23 10:00", "dec 3 friday", "no"},
		{"2026-11-23 10:00", "dec 3 thursday 2pm", "2026-12-03 14:00"},
		{"2026-11-23 10:00", "at 2pm on dec 3", "2026-12-03 14:00"},
		{"2026-11-23 10:00", "2027 dec 3", "2027-12-03 09:00"},
		{"2026-11-23 10:00", "dec 3 at 2pm 2027", "2027-12-03 14:00"},
		{"2026-11-23 10:00", "dec 3 26", "no"}, // not 2026, nor 2126
		{"2026-11-23 10:00", "mon nov 23 2026", "past"},
		{"2026-11-23 10:00", "feb 29", "no"}, // 2026 has none: give the year
		{"2026-11-23 10:00", "feb 29 2028", "2028-02-29 09:00"},
		{"2026-11-23 10:00", "feb 29 2027", "no"},
		{"2026-11-23 10:00", "jun 31", "no"},
		{"2026-11-23 10:00", "31st of april", "no"},
		{"2026-11-23 10:00", "dec 3 2025", "past"},
		{"2026-11-23 10:00", "dec 3 2200", "no"},          // more than 100 years ahead
		{"2096-03-01 10:00", "feb 29", "past"},            // and 2097 has none
		{"2026-12-31 23:30", "jan 1", "2027-01-01 09:00"}, // next year's is nearer than this year's
		{"2026-11-27 10:00", "jan 5", "2027-01-05 09:00"},
		{"2026-11-27 10:00", "5 jan", "2027-01-05 09:00"},
		{"2026-11-27 10:00", "may 27", "2027-05-27 09:00"}, // six months on, just nearer
		{"2026-11-27 10:00", "may 31", "ask"},              // six months back, just nearer
		{"2026-11-27 10:00", "1/5", "ask"},                 // 5 January or 1 May, both next year?
		{"2026-12-31 23:30", "dec 31 11pm", "ask"},
		{"2026-12-31 22:30", "dec 31 11pm", "2026-12-31 23:00"},
	}
	for _, tt := range tests {
		t.Run(tt.now+" "+tt.phrase, func(t *testing.T) {
			now, err := time.ParseInLocation(layout, tt.now, ny)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(tt.phrase, now, ny)
			switch tt.want {
			case "ask":
				if !errors.Is(err, ErrAmbiguous) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrAmbiguous", tt.phrase, got, err)
				}
			case "past":
				if !errors.Is(err, ErrPast) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrPast", tt.phrase, got, err)
				}
			case "no":
				if !errors.Is(err, ErrNoTime) {
					t.Fatalf("Parse(%q) = %v, %v; want ErrNoTime", tt.phrase, got, err)
				}
			default:
				if err != nil {
					t.Fatalf("Parse(%q) error: %v", tt.phrase, err)
				}
				if s := got.Format(layout); s != tt.want {
					t.Errorf("Parse(%q) = %s, want %s", tt.phrase, s, tt.want)
				}
			}
		})
	}
}

// TestSplitConcurrent runs Split from many goroutines, for the race
// detector: the parser shares its tables and must not write to them.
func TestSplitConcurrent(t *testing.T) {
	now, ny := refNow(t)
	done := make(chan error)
	texts := []string{"book it december 3rd", "send it dec 4 2pm", "call the 5th of january 2027", "ship 3 dec 2027"}
	for _, text := range texts {
		go func() {
			for range 20 {
				if _, _, _, err := Split(text, now, ny); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range texts {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
