package workhours

import (
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParse(t *testing.T) {
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"Mon-Fri 09:00-17:00", "Mon,Tue,Wed,Thu,Fri 09:00-17:00"},
		{"mon,wed 08:30-12:00", "Mon,Wed 08:30-12:00"},
		{"Fri-Mon 10:00-24:00", "Sun,Mon,Fri,Sat 10:00-24:00"},
		{"Sun-Sat 00:00-24:00", "Sun,Mon,Tue,Wed,Thu,Fri,Sat 00:00-24:00"},
		{"  Tue   07:05-07:06 ", "Tue 07:05-07:06"},
		{"Mon,Tue-Thu 09:00-17:00", "Mon,Tue,Wed,Thu 09:00-17:00"},
		{"", ""},
		{"Mon-Fri", ""},
		{"09:00-17:00", ""},
		{"Monday 09:00-17:00", ""},
		{"Mon-Fri 17:00-09:00", ""},
		{"Mon-Fri 09:00-09:00", ""},
		{"Mon-Fri 9:00-17:00", ""},
		{"Mon-Fri 09:00", ""},
		{"Mon-Fri 09:00-25:00", ""},
		{"Mon-Xyz 09:00-17:00", ""},
		{"Mon, Fri 09:00-17:00", ""},
	}
	for _, tt := range tests {
		h, err := Parse(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("Parse(%q) = %v, want an error", tt.in, h)
		case tt.want != "" && err != nil:
			t.Errorf("Parse(%q): %v", tt.in, err)
		case tt.want != "" && h.String() != tt.want:
			t.Errorf("Parse(%q) = %v, want %v", tt.in, h, tt.want)
		}
	}
	if Default.String() != "Mon,Tue,Wed,Thu,Fri 09:00-17:00" {
		t.Errorf("Default = %v", Default)
	}
}

func TestWithinAndNext(t *testing.T) {
	ny := zone(t, "America/New_York")
	paris := zone(t, "Europe/Paris")
	kolkata := zone(t, "Asia/Kolkata")
	early, err := Parse("Mon-Fri 02:30-04:00") // starts inside the spring-forward gap
	if err != nil {
		t.Fatal(err)
	}
	weekend, err := Parse("Fri-Mon 10:00-12:00")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		h      Hours
		at     time.Time
		loc    *time.Location
		within bool
		next   time.Time
	}{
		{"inside", Default, time.Date(2026, 11, 23, 10, 0, 0, 0, ny), ny, true, time.Date(2026, 11, 23, 10, 0, 0, 0, ny)},
		{"at the start", Default, time.Date(2026, 11, 23, 9, 0, 0, 0, ny), ny, true, time.Date(2026, 11, 23, 9, 0, 0, 0, ny)},
		{"a second before the end", Default, time.Date(2026, 11, 23, 16, 59, 59, 0, ny), ny, true, time.Date(2026, 11, 23, 16, 59, 59, 0, ny)},
		{"at the end", Default, time.Date(2026, 11, 23, 17, 0, 0, 0, ny), ny, false, time.Date(2026, 11, 24, 9, 0, 0, 0, ny)},
		{"3 am", Default, time.Date(2026, 11, 24, 3, 0, 0, 0, ny), ny, false, time.Date(2026, 11, 24, 9, 0, 0, 0, ny)},
		{"friday evening", Default, time.Date(2026, 11, 27, 18, 0, 0, 0, ny), ny, false, time.Date(2026, 11, 30, 9, 0, 0, 0, ny)},
		{"saturday", Default, time.Date(2026, 11, 28, 11, 0, 0, 0, ny), ny, false, time.Date(2026, 11, 30, 9, 0, 0, 0, ny)},
		// 15:00 UTC is 16:00 in Paris (in) and 20:30 in Kolkata (out).
		{"same instant, Paris", Default, time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), paris, true, time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)},
		{"same instant, Kolkata", Default, time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), kolkata, false, time.Date(2026, 11, 24, 9, 0, 0, 0, kolkata)},
		// Spring forward (NY, Sun 8 Mar 2026): Monday 9:00 is EDT, 13:00 UTC.
		{"over spring forward", Default, time.Date(2026, 3, 6, 17, 30, 0, 0, ny), ny, false, time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)},
		// Fall back (NY, Sun 1 Nov 2026): Monday 9:00 is EST, 14:00 UTC.
		{"over fall back", Default, time.Date(2026, 10, 30, 17, 30, 0, 0, ny), ny, false, time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC)},
		// Paris springs forward on Sun 29 Mar 2026 at 02:00.
		{"Paris spring forward", Default, time.Date(2026, 3, 27, 20, 0, 0, 0, paris), paris, false, time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)},
		// A start of 02:30 on a day without 02:30 begins at 03:30 EDT.
		{"start in the gap", early, time.Date(2026, 3, 8, 1, 0, 0, 0, ny), ny, false, time.Date(2026, 3, 9, 2, 30, 0, 0, ny)},
		{"wrapping days, sunday", weekend, time.Date(2026, 11, 29, 11, 0, 0, 0, ny), ny, true, time.Date(2026, 11, 29, 11, 0, 0, 0, ny)},
		{"wrapping days, tuesday", weekend, time.Date(2026, 12, 1, 11, 0, 0, 0, ny), ny, false, time.Date(2026, 12, 4, 10, 0, 0, 0, ny)},
		{"no days", Hours{}, time.Date(2026, 12, 1, 11, 0, 0, 0, ny), ny, false, time.Date(2026, 12, 1, 11, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.Within(tt.at, tt.loc); got != tt.within {
				t.Errorf("Within(%v) = %v, want %v", tt.at, got, tt.within)
			}
			got := tt.h.Next(tt.at, tt.loc)
			if !got.Equal(tt.next) {
				t.Errorf("Next(%v) = %v, want %v", tt.at, got.In(tt.loc), tt.next.In(tt.loc))
			}
			if !tt.h.IsZero() && !tt.h.Within(got, tt.loc) {
				t.Errorf("Next(%v) = %v is not within working hours", tt.at, got.In(tt.loc))
			}
		})
	}
}

// TestSpringForwardGapDay checks the one case where a start time does not
// exist: on 8 Mar 2026 New York has no 02:30, so the hours begin at 03:30.
func TestSpringForwardGapDay(t *testing.T) {
	ny := zone(t, "America/New_York")
	h, err := Parse("Sun 02:30-04:00")
	if err != nil {
		t.Fatal(err)
	}
	got := h.Next(time.Date(2026, 3, 8, 0, 30, 0, 0, ny), ny)
	if want := time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Next = %v, want %v (03:30 EDT)", got.In(ny), want.In(ny))
	}
}

// TestNextIsFirst checks, minute by minute over two weeks that span a DST
// change, that Next never skips working time: nothing between t and Next(t)
// is within working hours.
func TestNextIsFirst(t *testing.T) {
	ny := zone(t, "America/New_York")
	h, err := Parse("Mon,Wed,Sat 08:30-12:00")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 10, 28, 0, 0, 0, 0, ny)
	var prevNext time.Time
	for at := start; at.Before(start.Add(14 * 24 * time.Hour)); at = at.Add(15 * time.Minute) {
		next := h.Next(at, ny)
		if next.Before(at) || !h.Within(next, ny) {
			t.Fatalf("Next(%v) = %v", at.In(ny), next.In(ny))
		}
		// Next is monotonic, and when t is outside, nothing before Next is inside.
		if next.Before(prevNext) && !h.Within(at, ny) {
			t.Fatalf("Next went back: %v after %v", next.In(ny), prevNext.In(ny))
		}
		for m := at; m.Before(next); m = m.Add(15 * time.Minute) {
			if h.Within(m, ny) {
				t.Fatalf("Next(%v) = %v skips working time at %v", at.In(ny), next.In(ny), m.In(ny))
			}
		}
		prevNext = next
	}
}
