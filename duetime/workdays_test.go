package duetime

import (
	"testing"
	"time"

	"github.com/keptbot/kept/workhours"
)

// TestBusinessDaysByWorkHours: "business days" are the days of
// KEPT_WORK_HOURS, so a Sunday-to-Thursday week counts Sunday and skips
// Friday and Saturday, in a half-hour zone across its own week.
func TestBusinessDaysByWorkHours(t *testing.T) {
	sunThu, err := workhours.Parse("Sun-Thu 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	kolkata := zone(t, "Asia/Kolkata")
	ny := zone(t, "America/New_York")
	tests := []struct {
		work   workhours.Hours
		loc    *time.Location
		now    time.Time
		phrase string
		want   time.Time
	}{
		// Thursday 10:00: Sunday is the next working day, Monday the second.
		{sunThu, kolkata, time.Date(2026, 11, 26, 10, 0, 0, 0, kolkata), "in 2 business days", time.Date(2026, 11, 30, 10, 0, 0, 0, kolkata)},
		{workhours.Default, kolkata, time.Date(2026, 11, 26, 10, 0, 0, 0, kolkata), "in 2 business days", time.Date(2026, 11, 30, 10, 0, 0, 0, kolkata)},
		{sunThu, kolkata, time.Date(2026, 11, 26, 10, 0, 0, 0, kolkata), "in 1 working day at 5pm", time.Date(2026, 11, 29, 17, 0, 0, 0, kolkata)},
		{workhours.Default, kolkata, time.Date(2026, 11, 26, 10, 0, 0, 0, kolkata), "in 1 working day at 5pm", time.Date(2026, 11, 27, 17, 0, 0, 0, kolkata)},
		// Across the spring change: the wall time is kept.
		{workhours.Default, ny, time.Date(2027, 3, 12, 10, 0, 0, 0, ny), "in 1 business day", time.Date(2027, 3, 15, 10, 0, 0, 0, ny)},
	}
	for _, tt := range tests {
		a, err := ReadPhrase(tt.phrase, tt.now, tt.loc, Options{Work: tt.work})
		if err != nil || !a.Due.Equal(tt.want) {
			t.Errorf("%v %q with %v = %v, %v; want %v", tt.now, tt.phrase, tt.work, a.Due, err, tt.want)
		}
	}
	// "every business day" follows them too.
	a, err := Read("standup every business day 9am", time.Date(2026, 11, 26, 10, 0, 0, 0, kolkata), kolkata, Options{Work: sunThu})
	if err != nil || a.Repeat != "every monday, tuesday, wednesday, thursday and sunday 9am" || !a.Due.Equal(time.Date(2026, 11, 29, 9, 0, 0, 0, kolkata)) {
		t.Errorf("every business day = %+v, %v", a, err)
	}
}
