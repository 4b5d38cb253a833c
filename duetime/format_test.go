package duetime

import (
	"testing"
	"time"
)

func TestFormat(t *testing.T) {
	ny := zone(t, "America/New_York")
	kiri := zone(t, "Pacific/Kiritimati")
	now := time.Date(2026, 12, 31, 20, 0, 0, 0, ny) // already 2027 in UTC and Kiritimati
	tests := []struct {
		t         time.Time
		loc       *time.Location
		want, day string
	}{
		{time.Date(2026, 12, 31, 22, 0, 0, 0, ny), ny, "Thu 31 Dec 22:00 EST", "Thu 31 Dec"},
		{time.Date(2027, 1, 1, 9, 0, 0, 0, ny), ny, "Fri 1 Jan 2027 09:00 EST", "Fri 1 Jan 2027"},
		// The year is the owner's: in Kiritimati both are 2027.
		{time.Date(2027, 1, 1, 9, 0, 0, 0, ny), kiri, "Sat 2 Jan 04:00 +14", "Sat 2 Jan"},
		{time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC), ny, "Thu 31 Dec 22:00 EST", "Thu 31 Dec"},
		{time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC), nil, "Sun 1 Jun 2025 09:00 UTC", "Sun 1 Jun 2025"},
	}
	for _, tt := range tests {
		if got := Format(tt.t, now, tt.loc); got != tt.want {
			t.Errorf("Format(%v, %v) = %q, want %q", tt.t, tt.loc, got, tt.want)
		}
		if got := FormatDay(tt.t, now, tt.loc); got != tt.day {
			t.Errorf("FormatDay(%v, %v) = %q, want %q", tt.t, tt.loc, got, tt.day)
		}
	}
}
