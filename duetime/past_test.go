package duetime

import (
	"errors"
	"testing"
	"time"
)

func TestReadPast(t *testing.T) {
	ny := zone(t, "America/New_York")
	// Tuesday 1 December 2026, 14:30 in New York.
	now := time.Date(2026, 12, 1, 14, 30, 0, 0, ny)
	at := func(m time.Month, d, h, min int) time.Time { return time.Date(2026, m, d, h, min, 0, 0, ny) }
	tests := []struct {
		phrase string
		want   time.Time
		err    error
	}{
		{"today", now, nil},
		{"just now", now, nil},
		{"yesterday", at(11, 30, 9, 0), nil},
		{"Yesterday 3pm", at(11, 30, 15, 0), nil},
		{"3pm yesterday", at(11, 30, 15, 0), nil},
		{"yesterday at 16:45", at(11, 30, 16, 45), nil},
		{"this morning", at(12, 1, 9, 0), nil},
		{"9am", at(12, 1, 9, 0), nil},
		{"at 2pm", at(12, 1, 14, 0), nil},
		{"today noon", at(12, 1, 12, 0), nil},
		{"monday", at(11, 30, 9, 0), nil},
		{"on monday", at(11, 30, 9, 0), nil},
		{"tuesday", at(11, 24, 9, 0), nil}, // today is Tuesday: the one before
		{"last friday 4pm", at(11, 27, 16, 0), nil},
		{"3 days ago", at(11, 28, 14, 30), nil},
		{"a week ago", at(11, 24, 14, 30), nil},
		{"2 hours ago", now.Add(-2 * time.Hour), nil},
		{"90 minutes ago", now.Add(-90 * time.Minute), nil},
		{"2026-11-28", at(11, 28, 9, 0), nil},
		{"2026-11-28 14:00", at(11, 28, 14, 0), nil},
		{"2026-11-28T14:00", at(11, 28, 14, 0), nil},
		{"nov 28", at(11, 28, 9, 0), nil},
		{"28 november 2pm", at(11, 28, 14, 0), nil},
		{"dec 25", time.Date(2025, 12, 25, 9, 0, 0, 0, ny), nil}, // this year's is ahead: last year's
		{"dec 25 2025", time.Date(2025, 12, 25, 9, 0, 0, 0, ny), nil},
		{"friday nov 27", at(11, 27, 9, 0), nil},
		// Refused: ahead, or not a day.
		{"tomorrow", time.Time{}, ErrFuture},
		{"4pm", time.Time{}, ErrFuture},
		{"today 5pm", time.Time{}, ErrFuture},
		{"2026-12-02", time.Time{}, ErrFuture},
		{"dec 25 2026", time.Time{}, ErrFuture},
		{"next friday", time.Time{}, ErrFuture},
		{"in 2 days", time.Time{}, ErrFuture},
		{"called bob", time.Time{}, ErrNoTime},
		{"2 months ago", time.Time{}, ErrNoTime},
		{"saturday nov 27", time.Time{}, ErrNoTime}, // 27 November is a Friday
		{"feb 30", time.Time{}, ErrNoTime},
		{"", time.Time{}, ErrNoTime},
	}
	for _, tt := range tests {
		got, err := ReadPast(tt.phrase, now, ny)
		if tt.err != nil {
			if !errors.Is(err, tt.err) || Reason(err) == "" {
				t.Errorf("ReadPast(%q) = %v, %v; want %v with a reason", tt.phrase, got, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) || got.Location() != ny {
			t.Errorf("ReadPast(%q) = %v, %v; want %v", tt.phrase, got, err, tt.want)
		}
	}
}

// TestReadPastEarlyMorning: today without a time, before 9:00, is now,
// not 9:00 still ahead.
func TestReadPastEarlyMorning(t *testing.T) {
	paris := zone(t, "Europe/Paris")
	now := time.Date(2026, 12, 1, 7, 15, 0, 0, paris)
	for _, phrase := range []string{"today", "2026-12-01"} {
		if got, err := ReadPast(phrase, now, paris); err != nil || !got.Equal(now) {
			t.Errorf("ReadPast(%q) = %v, %v; want now", phrase, got, err)
		}
	}
}

// TestReadPastDST: days back keep the wall clock across a clock change,
// and a time the clocks skipped is refused.
func TestReadPastDST(t *testing.T) {
	ny := zone(t, "America/New_York")
	// Wednesday 4 November 2026 10:00 EST; clocks went back on Sunday 1st.
	now := time.Date(2026, 11, 4, 10, 0, 0, 0, ny)
	got, err := ReadPast("5 days ago", now, ny)
	if want := time.Date(2026, 10, 30, 10, 0, 0, 0, ny); err != nil || !got.Equal(want) {
		t.Errorf("5 days ago = %v, %v; want %v (10:00 EDT)", got, err, want)
	}
	if got.Sub(now) != -(5*24*time.Hour + time.Hour) {
		t.Errorf("5 days ago is %v before now; want 121h across the change", now.Sub(got))
	}
	spring := time.Date(2026, 3, 10, 12, 0, 0, 0, ny)
	if _, err := ReadPast("2026-03-08 2:30am", spring, ny); !errors.Is(err, ErrGap) {
		t.Errorf("2:30 on the spring-forward night: %v; want ErrGap", err)
	}
}

func FuzzReadPast(f *testing.F) {
	for i, s := range append(fuzzSeeds, "3 days ago", "last monday 9am", "an hour ago", "2026-11-28 14:00", "just now", "on tuesday") {
		f.Add(s, int64(4_000_000_000+i*7_919_000), uint8(i))
	}
	f.Fuzz(func(t *testing.T, phrase string, sec int64, z uint8) {
		now, loc := fuzzNow(t, sec, z)
		got, err := ReadPast(phrase, now, loc)
		if err != nil {
			if Reason(err) == "" {
				t.Fatalf("ReadPast(%q) failed without a reason: %v", phrase, err)
			}
			return
		}
		if got.After(now) {
			t.Fatalf("ReadPast(%q) at %v = %v, in the future", phrase, now, got)
		}
	})
}
