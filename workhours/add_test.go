package workhours

import (
	"testing"
	"time"
)

func TestAdd(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, ny)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
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
