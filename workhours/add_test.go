package workhours

import (
	"testing"
	"time"
)

func TestAdd(t *testing.T) {
	ny, at := newYorkClock(t)
	tests := []struct {
		from string
		d    time.Duration
		want string
	}{
		{"2026-11-23 10:00", 4 * time.Hour, "2026-11-23 14:00"}, // Monday, within the day
		{"2026-11-23 15:00", 4 * time.Hour, "2026-11-24 11:00"}, // over the night
		{"2026-11-27 15:00", 4 * time.Hour, "2026-11-30 11:00"}, // Friday over the weekend
		{"2026-11-28 12:00", 4 * time.Hour, "2026-11-30 13:00"}, // Saturday: Monday's hours count
		{"2026-11-23 07:00", 1 * time.Hour, "2026-11-23 10:00"}, // before hours
		{"2026-11-23 17:00", 0, "2026-11-23 17:00"},
		{"2026-10-30 16:00", 2 * time.Hour, "2026-11-02 10:00"}, // across the fall-back weekend
		{"2026-11-23 10:00", 16 * time.Hour, "2026-11-25 10:00"},
	}
	for _, tt := range tests {
		if got := Default.Add(at(tt.from), tt.d, ny).In(ny).Format("2006-01-02 15:04"); got != tt.want {
			t.Errorf("Add(%s, %v) = %s, want %s", tt.from, tt.d, got, tt.want)
		}
	}
	if got := (Hours{}).Add(at("2026-11-28 12:00"), time.Hour, ny); !got.Equal(at("2026-11-28 13:00")) {
		t.Errorf("no working days: %v", got)
	}
}

// TestAddDays counts working days on the wall clock: the same time of
// day on both sides of a daylight-saving change, a weekend skipped, and a
// start outside hours counted from when they next begin.
func TestAddDays(t *testing.T) {
	ny, at := newYorkClock(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2027-03-04 10:00", 1, "2027-03-05 10:00"}, // Thursday to Friday
		{"2027-03-05 10:00", 1, "2027-03-08 10:00"}, // Friday over a winter weekend
		{"2027-03-12 10:00", 1, "2027-03-15 10:00"}, // over the spring-forward weekend: 71 hours
		{"2026-10-30 10:00", 1, "2026-11-02 10:00"}, // over the fall-back weekend: 73 hours
		{"2027-03-05 10:00", 3, "2027-03-10 10:00"},
		{"2027-03-06 12:00", 1, "2027-03-09 09:00"}, // a Saturday counts from Monday 09:00
		{"2027-03-04 18:30", 1, "2027-03-08 09:00"}, // after hours: from Friday 09:00
		{"2027-03-04 10:00", 0, "2027-03-04 10:00"},
	}
	for _, tt := range tests {
		if got := Default.AddDays(at(tt.from), tt.n, ny).In(ny).Format("2006-01-02 15:04"); got != tt.want {
			t.Errorf("AddDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	if got := (Hours{}).AddDays(at("2027-03-06 12:00"), 2, ny); !got.Equal(at("2027-03-08 12:00")) {
		t.Errorf("no working days: every day counts, got %v", got.In(ny))
	}
}

// newYorkClock is New York and a reader of its wall-clock times
// ("2026-11-23 10:00").
func newYorkClock(t *testing.T) (*time.Location, func(string) time.Time) {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	return ny, func(s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
