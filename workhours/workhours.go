// Package workhours reads working hours such as "Mon-Fri 09:00-17:00" and
// says whether an instant falls inside them in a given zone, or when they
// next begin. Kept sends keep-in-touch prompts only then: a prompt to call
// a customer is no use at 3 am.
//
// Hours are wall-clock times, so they follow each person's zone and its
// daylight-saving changes: 09:00 is 09:00 on both sides of a change.
package workhours

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Hours is a weekly schedule: the same span of the day on some weekdays.
// The zero value has no days and is never within; use Parse or Default.
type Hours struct {
	days       [7]bool // indexed by time.Weekday
	start, end int     // minutes since midnight, start < end <= 24*60
}

// Default is Monday to Friday, 09:00 to 17:00.
var Default = Hours{days: [7]bool{false, true, true, true, true, true, false}, start: 9 * 60, end: 17 * 60}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

const usage = `use days and a span such as "Mon-Fri 09:00-17:00" or "Mon,Wed 08:30-12:00"`

// Parse reads "DAYS HH:MM-HH:MM". DAYS is a comma-separated list of
// three-letter day names and ranges (Mon-Fri, Fri-Mon wraps over the
// weekend); the span must start before it ends, on the same day (24:00
// is allowed as an end).
func Parse(s string) (Hours, error) {
	var h Hours
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return h, fmt.Errorf("workhours: %q: %s", s, usage)
	}
	if err := h.parseDays(strings.ToLower(fields[0])); err != nil {
		return Hours{}, fmt.Errorf("workhours: %q: %w; %s", s, err, usage)
	}
	from, to, ok := strings.Cut(fields[1], "-")
	if !ok {
		return Hours{}, fmt.Errorf("workhours: %q: the span needs a start and an end; %s", s, usage)
	}
	var err1, err2 error
	h.start, err1 = clock(from)
	h.end, err2 = clock(to)
	if err := errors.Join(err1, err2); err != nil {
		return Hours{}, fmt.Errorf("workhours: %q: %w; %s", s, err, usage)
	}
	if h.start >= h.end {
		return Hours{}, fmt.Errorf("workhours: %q: the span must end after it starts, on the same day; %s", s, usage)
	}
	return h, nil
}

func (h *Hours) parseDays(s string) error {
	for part := range strings.SplitSeq(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		from, ok := dayNames[a]
		if !ok {
			return fmt.Errorf("%q is not a day", a)
		}
		to := from
		if isRange {
			if to, ok = dayNames[b]; !ok {
				return fmt.Errorf("%q is not a day", b)
			}
		}
		for d := from; ; d = (d + 1) % 7 {
			h.days[d] = true
			if d == to {
				break
			}
		}
	}
	return nil
}

// clock reads HH:MM as minutes since midnight; 24:00 is the end of the day.
func clock(s string) (int, error) {
	if s == "24:00" {
		return 24 * 60, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Errorf("%q is not a time like 09:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// String writes h back in the form Parse reads.
func (h Hours) String() string {
	var days []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if h.days[d] {
			days = append(days, d.String()[:3])
		}
	}
	if len(days) == 0 {
		return "never"
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", strings.Join(days, ","), h.start/60, h.start%60, h.end/60, h.end%60)
}

// Workday reports whether d is one of the working days: "in 3 business
// days" counts these.
func (h Hours) Workday(d time.Weekday) bool { return h.days[d%7] }

// Start is when the working day begins, as a wall-clock hour and minute:
// where "first thing tomorrow" falls.
func (h Hours) Start() (hour, minute int) { return h.start / 60, h.start % 60 }

// IsZero reports whether h has no working days at all.
func (h Hours) IsZero() bool { return h.days == [7]bool{} }

// OrDefault is h, or Default when h is the zero Hours (none configured).
func (h Hours) OrDefault() Hours {
	if h.IsZero() {
		return Default
	}
	return h
}

// Within reports whether t is inside working hours on the wall clock of loc.
func (h Hours) Within(t time.Time, loc *time.Location) bool {
	l := t.In(loc)
	if !h.days[l.Weekday()] {
		return false
	}
	// Seconds count, so that 16:59:59 is in and 17:00:00 is out.
	sec := l.Hour()*3600 + l.Minute()*60 + l.Second()
	return sec >= h.start*60 && sec < h.end*60
}

// Next returns t if it is within working hours, or else the instant they
// next begin in loc. A start that falls in a daylight-saving gap begins
// when the clock resumes (02:30 on a spring-forward night is 03:30). With
// no working days at all it returns t: there is nothing to wait for.
func (h Hours) Next(t time.Time, loc *time.Location) time.Time {
	if h.IsZero() || h.Within(t, loc) {
		return t
	}
	l := t.In(loc)
	y, m, d := l.Date()
	for i := 0; i <= 7; i++ {
		c := startOn(y, m, d+i, h.start, loc)
		if c.After(t) && h.Within(c, loc) {
			return c
		}
	}
	// Only a start hour swallowed by a gap every week could get here.
	return t
}

// startOn is the first instant of day y-m-d in loc whose wall clock reads
// minute minutes or later. time.Date alone may put a wall time that does not
// exist (in a spring-forward gap) before the gap; moving on by what is
// missing lands where the clock resumes.
func startOn(y int, m time.Month, d, minute int, loc *time.Location) time.Time {
	c := time.Date(y, m, d, minute/60, minute%60, 0, 0, loc)
	for range 3 {
		wall := c.Hour()*60 + c.Minute()
		if _, _, cd := c.Date(); cd != time.Date(y, m, d, 12, 0, 0, 0, loc).Day() || wall >= minute {
			return c
		}
		c = c.Add(time.Duration(minute-wall) * time.Minute)
	}
	return c
}

// Add returns the instant d of working time after t in loc: time outside
// working hours does not count, so 4 hours after Friday 15:00 (Mon-Fri
// 9-17) is Monday 11:00. With no working days it is t+d.
func (h Hours) Add(t time.Time, d time.Duration, loc *time.Location) time.Time {
	if h.IsZero() {
		return t.Add(d)
	}
	for i := 0; i < 3700 && d > 0; i++ { // ten years of days bound a bad input
		t = h.Next(t, loc)
		l := t.In(loc)
		y, m, day := l.Date()
		end := time.Date(y, m, day, h.end/60, h.end%60, 0, 0, loc)
		if left := end.Sub(t); d <= left {
			return t.Add(d)
		} else if left > 0 {
			d -= left
			t = end
		} else {
			t = t.Add(time.Minute) // a gap swallowed the end: move on
		}
	}
	return t
}

// AddDays returns the instant n working days after t in loc, at the same
// wall-clock time: t is first moved to when working hours next begin (a
// Saturday counts from Monday's start), then each of the next n working
// days counts once, so 2 working days after Friday 10:00 is Tuesday
// 10:00 whatever daylight saving did over the weekend. With no working
// days every day counts.
func (h Hours) AddDays(t time.Time, n int, loc *time.Location) time.Time {
	t = h.Next(t, loc)
	l := t.In(loc)
	y, m, d := l.Date()
	for i := 0; n > 0 && i < 3700; i++ { // ten years of days bound a bad input
		d++
		if h.IsZero() || h.days[time.Date(y, m, d, 12, 0, 0, 0, loc).Weekday()] {
			n--
		}
	}
	return h.Next(time.Date(y, m, d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), loc), loc)
}

// NextDay returns when working hours begin on the first working day after
// t's day in loc: where a check-in held back today waits. Days are counted
// on the wall clock, so a daylight-saving change in between moves the
// instant, not the hour.
func (h Hours) NextDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	return h.Next(time.Date(y, m, d+1, 0, 0, 0, 0, loc), loc)
}
