package duetime

import (
	"errors"
	"github.com/keptbot/kept/workhours"
	"testing"
	"time"
)

func TestParseRecurrence(t *testing.T) {
	tests := []struct{ in, want string }{
		{"every monday 10am", "every monday 10am"},
		{"every monday at 10am", "every monday 10am"},
		{"Every Mon 10:00", "every monday 10am"},
		{"every friday", "every friday 9am"},
		{"every other monday", "every 2 weeks on monday 9am"},
		{"every week", "every week 9am"},
		{"every other week", "every 2 weeks 9am"},
		{"every 2 weeks", "every 2 weeks 9am"},
		{"every two weeks on friday at 3:30pm", "every 2 weeks on friday 3:30pm"},
		{"every weekday 4pm", "every weekday 4pm"},
		{"every weekdays at 16:00", "every weekday 4pm"},
		{"every day", "every day 9am"},
		{"every day at noon", "every day 12pm"},
		{"every day 12am", "every day 12am"},
		{"every 2 days at 7:30am", "every 2 days 7:30am"},
		{"every month", "every month 9am"},
		{"every month on the 1st 9am", "every month on the 1st 9am"},
		{"every month 1st", "every month on the 1st 9am"},
		{"every month on the 22nd", "every month on the 22nd 9am"},
		{"every month on the 31st at 5pm", "every month on the 31st 5pm"},
		{"every 3 months on the 15th", "every 3 months on the 15th 9am"},
		{"every month on the 11th", "every month on the 11th 9am"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			r, err := ParseRecurrence(tt.in)
			if err != nil {
				t.Fatalf("ParseRecurrence(%q): %v", tt.in, err)
			}
			if got := r.String(); got != tt.want {
				t.Errorf("ParseRecurrence(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
			again, err := ParseRecurrence(r.String())
			if err != nil || again != r {
				t.Errorf("canonical %q does not round-trip: %+v, %v", r.String(), again, err)
			}
		})
	}
}

func TestParseRecurrenceErrors(t *testing.T) {
	for _, in := range []string{
		"", "every", "monday 10am", "every hour", "every 0 days", "hourly", "biweekly",
		"every 1000 days", "every 2 weekdays", "every month on the 32nd",
		"every monday 25:00", "every monday at", "every monday and", "every monday midnight", "every day at 5",
		"every 2", "every other", "every day tomorrow",
	} {
		t.Run(in, func(t *testing.T) {
			r, err := ParseRecurrence(in)
			if !errors.Is(err, ErrNoTime) {
				t.Errorf("ParseRecurrence(%q) = %v, %v; want ErrNoTime", in, r, err)
			}
		})
	}
}

func TestRecurrenceNext(t *testing.T) {
	ny := zone(t, "America/New_York")
	adelaide := zone(t, "Australia/Adelaide")
	tests := []struct {
		name  string
		rec   string // "" for the zero Recurrence
		loc   *time.Location
		after time.Time
		want  time.Time
	}{
		{"weekly next week", "every monday 10am", ny, at(ny, 2026, 11, 23, 10, 0), at(ny, 2026, 11, 30, 10, 0)},
		{"weekly later today", "every monday 10am", ny, at(ny, 2026, 11, 23, 9, 0), at(ny, 2026, 11, 23, 10, 0)},
		{"weekly from a sunday", "every monday 10am", ny, at(ny, 2026, 11, 29, 23, 0), at(ny, 2026, 11, 30, 10, 0)},
		{"fortnightly", "every 2 weeks on monday 9am", ny, at(ny, 2026, 12, 7, 9, 0), at(ny, 2026, 12, 21, 9, 0)},
		{"fortnightly keeps its weekday", "every 2 weeks 9am", ny, at(ny, 2026, 11, 25, 9, 0), at(ny, 2026, 12, 9, 9, 0)},
		{"daily spring forward", "every day 9am", ny, at(ny, 2027, 3, 13, 9, 0), time.Date(2027, 3, 14, 13, 0, 0, 0, time.UTC)},
		{"daily fall back", "every day 9am", ny, at(ny, 2026, 10, 31, 9, 0), time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC)},
		// 2:30 does not exist on 2027-03-14: the slot is 3:30 EDT, past the
		// gap, never 1:30 EST, an hour early.
		{"nonexistent slot", "every day 2:30am", ny, at(ny, 2027, 3, 13, 2, 30), time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC)},
		{"after nonexistent slot", "every day 2:30am", ny, time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC), at(ny, 2027, 3, 15, 2, 30)},
		// 1:30 happens twice on 2026-11-01: once only, the first time.
		{"ambiguous slot", "every day 1:30am", ny, at(ny, 2026, 10, 31, 1, 30), time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC)},
		{"after ambiguous slot", "every day 1:30am", ny, time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), at(ny, 2026, 11, 2, 1, 30)},
		{"every 2 days", "every 2 days 9am", ny, at(ny, 2026, 11, 23, 9, 0), at(ny, 2026, 11, 25, 9, 0)},
		{"weekday friday to monday", "every weekday 4pm", ny, at(ny, 2026, 11, 27, 16, 0), at(ny, 2026, 11, 30, 16, 0)},
		{"weekday saturday", "every weekday 4pm", ny, at(ny, 2026, 11, 28, 12, 0), at(ny, 2026, 11, 30, 16, 0)},
		{"weekday same day", "every weekday 4pm", ny, at(ny, 2026, 11, 24, 15, 0), at(ny, 2026, 11, 24, 16, 0)},
		{"monthly 1st", "every month on the 1st 9am", ny, at(ny, 2026, 11, 23, 10, 0), at(ny, 2026, 12, 1, 9, 0)},
		{"monthly 31st clamps in february", "every month on the 31st 9am", ny, at(ny, 2027, 1, 31, 9, 0), at(ny, 2027, 2, 28, 9, 0)},
		{"monthly 31st returns in march", "every month on the 31st 9am", ny, at(ny, 2027, 2, 28, 9, 0), at(ny, 2027, 3, 31, 9, 0)},
		{"monthly 31st in april", "every month on the 31st 9am", ny, at(ny, 2027, 3, 31, 9, 0), at(ny, 2027, 4, 30, 9, 0)},
		{"monthly 31st leap year", "every month on the 31st 9am", ny, at(ny, 2028, 1, 31, 9, 0), at(ny, 2028, 2, 29, 9, 0)},
		{"monthly across the year", "every month on the 31st 9am", ny, at(ny, 2027, 12, 31, 9, 0), at(ny, 2028, 1, 31, 9, 0)},
		{"monthly early in clamped month", "every month on the 31st 9am", ny, at(ny, 2027, 2, 10, 9, 0), at(ny, 2027, 2, 28, 9, 0)},
		{"quarterly", "every 3 months on the 15th 9am", ny, at(ny, 2026, 11, 15, 9, 0), at(ny, 2027, 2, 15, 9, 0)},
		{"bimonthly from a clamped day", "every 2 months on the 31st 9am", ny, at(ny, 2027, 2, 28, 9, 0), at(ny, 2027, 4, 30, 9, 0)},
		{"open monthly", "every month 9am", ny, at(ny, 2026, 11, 23, 9, 0), at(ny, 2026, 12, 23, 9, 0)},
		{"adelaide across DST", "every day 9am", adelaide, at(adelaide, 2026, 10, 3, 9, 0), time.Date(2026, 10, 3, 22, 30, 0, 0, time.UTC)},
		{"kolkata", "every friday 5pm", zone(t, "Asia/Kolkata"), time.Date(2026, 11, 27, 11, 30, 0, 0, time.UTC), time.Date(2026, 12, 4, 11, 30, 0, 0, time.UTC)},
		{"after given in another zone", "every day 9am", ny, time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), at(ny, 2026, 11, 24, 9, 0)},
		{"nil location is UTC", "every day 9am", nil, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)},
		{"zero recurrence", "", ny, at(ny, 2026, 11, 23, 10, 0), at(ny, 2026, 11, 24, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Recurrence
			if tt.rec != "" {
				var err error
				if r, err = ParseRecurrence(tt.rec); err != nil {
					t.Fatal(err)
				}
			}
			got := r.Next(tt.after, tt.loc)
			if !got.Equal(tt.want) {
				t.Errorf("%q.Next(%v) = %v, want %v", tt.rec, tt.after, got, tt.want)
			}
		})
	}
}

// TestRecurrenceNoDrift follows series for years, each step counted from
// the previous scheduled time, and checks the wall clock and the day
// never move.
func TestRecurrenceNoDrift(t *testing.T) {
	ny := zone(t, "America/New_York")
	tests := []struct {
		rec   string
		start time.Time
		check func(time.Time) bool
	}{
		{"every monday 9am", time.Date(2026, 11, 23, 9, 0, 0, 0, ny), func(t time.Time) bool {
			return t.Weekday() == time.Monday && t.Hour() == 9 && t.Minute() == 0
		}},
		{"every day 9:30am", time.Date(2026, 11, 23, 9, 30, 0, 0, ny), func(t time.Time) bool {
			return t.Hour() == 9 && t.Minute() == 30
		}},
		{"every weekday 4pm", time.Date(2026, 11, 23, 16, 0, 0, 0, ny), func(t time.Time) bool {
			return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday && t.Hour() == 16
		}},
		{"every month on the 31st 9am", time.Date(2026, 12, 31, 9, 0, 0, 0, ny), func(t time.Time) bool {
			return t.Day() == min(31, daysIn(t.Year(), t.Month())) && t.Hour() == 9
		}},
		{"every 2 weeks on thursday 11am", time.Date(2026, 11, 26, 11, 0, 0, 0, ny), func(t time.Time) bool {
			return t.Weekday() == time.Thursday && t.Hour() == 11
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rec, func(t *testing.T) {
			r, err := ParseRecurrence(tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			prev := tt.start
			for i := range 800 {
				next := r.Next(prev, ny)
				if !next.After(prev) || !tt.check(next) {
					t.Fatalf("step %d: Next(%v) = %v", i, prev, next)
				}
				if gap := next.Sub(prev); gap > 32*24*time.Hour*time.Duration(max(r.every, 1)) {
					t.Fatalf("step %d: Next(%v) = %v skips a period", i, prev, next)
				}
				prev = next
			}
		})
	}
}

// TestRecurrenceStart covers the first occurrence Split gives a schedule.
func TestRecurrenceStart(t *testing.T) {
	now, ny := refNow(t) // Monday 10:00
	tests := []struct {
		rec, want, canonical string
	}{
		{"every monday 10am", "2026-11-30 10:00", "every monday 10am"},
		{"every monday 11am", "2026-11-23 11:00", "every monday 11am"},
		{"every tuesday", "2026-11-24 09:00", "every tuesday 9am"},
		{"every day 9am", "2026-11-24 09:00", "every day 9am"},
		{"every day 4pm", "2026-11-23 16:00", "every day 4pm"},
		{"every 2 days", "2026-11-25 09:00", "every 2 days 9am"},
		{"every week", "2026-11-30 09:00", "every monday 9am"},
		{"every 2 weeks", "2026-12-07 09:00", "every 2 weeks on monday 9am"},
		{"every 2 weeks on friday", "2026-11-27 09:00", "every 2 weeks on friday 9am"},
		{"every month", "2026-12-23 09:00", "every month on the 23rd 9am"},
		{"every month on the 1st", "2026-12-01 09:00", "every month on the 1st 9am"},
		{"every 3 months on the 25th", "2026-11-25 09:00", "every 3 months on the 25th 9am"},
		{"every weekday 9am", "2026-11-24 09:00", "every weekday 9am"},
	}
	for _, tt := range tests {
		t.Run(tt.rec, func(t *testing.T) {
			r, open, err := parseRecurrence(words(tt.rec), workhours.Default)
			if err != nil {
				t.Fatal(err)
			}
			r, first := r.start(open, now, ny)
			if first.Format(layout) != tt.want || r.String() != tt.canonical {
				t.Errorf("start(%q) = %q, %s; want %q, %s", tt.rec, r.String(), first.Format(layout), tt.canonical, tt.want)
			}
		})
	}
}

// TestRecurrenceSets covers schedules with several days and yearly ones,
// on both sides of DST in two hemispheres.
func TestRecurrenceSets(t *testing.T) {
	ny := zone(t, "America/New_York")
	adelaide := zone(t, "Australia/Adelaide")
	tests := []struct {
		name  string
		rec   string
		loc   *time.Location
		after time.Time
		want  []time.Time // the next occurrences, each counted from the one before
	}{
		{"mon and thu", "every monday and thursday 10am", ny, at(ny, 2026, 11, 23, 10, 0), []time.Time{
			at(ny, 2026, 11, 26, 10, 0), at(ny, 2026, 11, 30, 10, 0), at(ny, 2026, 12, 3, 10, 0)}},
		{"mon wed fri across spring forward", "every mon, wed, fri 9am", ny, at(ny, 2027, 3, 12, 9, 0), []time.Time{
			at(ny, 2027, 3, 15, 9, 0), at(ny, 2027, 3, 17, 9, 0), at(ny, 2027, 3, 19, 9, 0)}},
		{"every other week on mon and thu", "every 2 weeks on monday and thursday 10am", ny, at(ny, 2026, 11, 23, 10, 0), []time.Time{
			at(ny, 2026, 11, 26, 10, 0), at(ny, 2026, 12, 7, 10, 0), at(ny, 2026, 12, 10, 10, 0), at(ny, 2026, 12, 21, 10, 0)}},
		{"weekend", "every saturday and sunday 9am", adelaide, at(adelaide, 2026, 10, 2, 9, 0), []time.Time{
			at(adelaide, 2026, 10, 3, 9, 0), at(adelaide, 2026, 10, 4, 9, 0), at(adelaide, 2026, 10, 10, 9, 0)}},
		{"yearly", "every year on mar 1 9am", ny, at(ny, 2026, 12, 1, 9, 0), []time.Time{
			at(ny, 2027, 3, 1, 9, 0), at(ny, 2028, 3, 1, 9, 0)}},
		{"yearly leap day clamps", "every year on feb 29 9am", ny, at(ny, 2028, 2, 29, 9, 0), []time.Time{
			at(ny, 2029, 2, 28, 9, 0), at(ny, 2030, 2, 28, 9, 0)}},
		{"every 2 years", "every 2 years on jun 30 5pm", adelaide, at(adelaide, 2026, 6, 30, 17, 0), []time.Time{
			at(adelaide, 2028, 6, 30, 17, 0)}},
		{"gap slot is after the gap", "every sunday 2:30am", adelaide, at(adelaide, 2026, 9, 27, 2, 30), []time.Time{
			time.Date(2026, 10, 3, 17, 0, 0, 0, time.UTC), at(adelaide, 2026, 10, 11, 2, 30)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ParseRecurrence(tt.rec)
			if err != nil {
				t.Fatal(err)
			}
			if again, err := ParseRecurrence(r.String()); err != nil || again != r {
				t.Fatalf("%q: canonical %q does not round-trip", tt.rec, r.String())
			}
			after := tt.after
			for _, want := range tt.want {
				got := r.Next(after, tt.loc)
				if !got.Equal(want) {
					t.Fatalf("%q.Next(%v) = %v, want %v", tt.rec, after, got, want.In(tt.loc))
				}
				after = got
			}
		})
	}
}

func TestParseRecurrenceForms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"every monday and thursday 10am", "every monday and thursday 10am"},
		{"every mon, wed, fri", "every monday, wednesday and friday 9am"},
		{"every mon/wed/fri at 3pm", "every monday, wednesday and friday 3pm"},
		{"every mondays and thursdays", "every monday and thursday 9am"},
		{"daily", "every day 9am"},
		{"daily at 8am", "every day 8am"},
		{"weekly on friday", "every friday 9am"},
		{"monthly on the 15th", "every month on the 15th 9am"},
		{"every other wednesday", "every 2 weeks on wednesday 9am"},
		{"every year on mar 1", "every year on mar 1 9am"},
		{"every march 1st at 10am", "every year on mar 1 10am"},
		{"every weekday at 8:50am", "every weekday 8:50am"},
		{"every 2 weeks monday", "every 2 weeks on monday 9am"},
		{"on every 10th", "every month on the 10th 9am"},
		{"every 10th of the month", "every month on the 10th 9am"},
		{"at 3pm every day", "every day 3pm"},
		{"every friday eod", "every friday 5pm"},
		{"every friday night", "every friday 8pm"},
		{"every morning", "every day 9am"},
		{"every business day", "every weekday 9am"},
		{"fortnightly", "every 2 weeks 9am"},
		{"every year", "every year 9am"},
	}
	for _, tt := range tests {
		r, err := ParseRecurrence(tt.in)
		if err != nil {
			t.Errorf("ParseRecurrence(%q): %v", tt.in, err)
			continue
		}
		if r.String() != tt.want {
			t.Errorf("ParseRecurrence(%q) = %q, want %q", tt.in, r.String(), tt.want)
		}
	}
}

func at(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, loc)
}
