package duetime

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

type kind int

const (
	daily kind = iota
	workdays
	weekly
	monthly
)

// Recurrence is a parsed repeating schedule: every n days, every weekday
// (Monday to Friday), every n weeks on a weekday, or every n months on a
// day of the month, at a wall-clock time (9:00 unless one is given). The
// zero Recurrence repeats every day at midnight.
//
// A schedule parsed from "every 2 weeks" or "every month" names no weekday
// or day of the month; Next then keeps those of the occurrence it counts
// from. Split fixes them from its first occurrence instead and says so in
// the canonical text ("every 2 weeks on monday 9am"), so that a series
// never drifts, for instance from the 31st to the 30th after a short month.
type Recurrence struct {
	kind       kind
	every      int // the interval in days, weeks or months; 0 counts as 1
	weekday    time.Weekday
	hasWeekday bool
	day        int // of the month, 1 to 31; 0 when not named
	at         clock
}

// ParseRecurrence reads a repeating schedule: the canonical text that
// String and Split return, and what people type, such as "every monday at
// 10am", "every other week", "every weekday 4pm", "every month on the 1st".
// The error wraps ErrNoTime.
func ParseRecurrence(s string) (Recurrence, error) {
	r, _, err := parseRecurrence(words(s))
	if err != nil {
		return Recurrence{}, fmt.Errorf("duetime: %q is not a repeating schedule such as \"every monday 10am\": %w", s, ErrNoTime)
	}
	return r, nil
}

// maxEvery bounds the interval; "every 1000 days" is a typo.
const maxEvery = 999

// parseRecurrence reads "every ..." words. open reports a schedule whose
// phase comes from the day it starts: "every 2 days", "every week",
// "every month".
func parseRecurrence(w []string) (r Recurrence, open bool, err error) {
	if len(w) < 2 || len(w) > maxWords || w[0] != "every" {
		return Recurrence{}, false, errUnknown
	}
	rest := w[1:]
	r.every = 1
	if rest[0] == "other" {
		r.every, rest = 2, rest[1:]
	} else if n, ok := number(rest[0]); ok && len(rest) > 1 {
		if n < 1 || n > maxEvery {
			return Recurrence{}, false, errUnknown
		}
		r.every, rest = n, rest[1:]
	}
	if len(rest) == 0 {
		return Recurrence{}, false, errUnknown
	}
	unitWord := rest[0]
	rest = rest[1:]
	switch unitWord {
	case "day", "days":
		r.kind = daily
		open = r.every > 1
	case "weekday", "weekdays":
		if r.every != 1 {
			return Recurrence{}, false, errUnknown
		}
		r.kind = workdays
	case "week", "weeks":
		r.kind = weekly
		if len(rest) >= 2 && rest[0] == "on" && isWeekday(rest[1]) {
			r.weekday, r.hasWeekday = weekdays[rest[1]], true
			rest = rest[2:]
		}
		open = !r.hasWeekday
	case "month", "months":
		r.kind = monthly
		if len(rest) > 0 && rest[0] == "on" {
			rest = rest[1:]
		}
		if len(rest) > 0 && rest[0] == "the" {
			rest = rest[1:]
		}
		if len(rest) > 0 {
			if d, ok := ordinal(rest[0]); ok {
				r.day, rest = d, rest[1:]
			}
		}
		open = r.day == 0
	default:
		wd, ok := weekdays[unitWord]
		if !ok {
			return Recurrence{}, false, errUnknown
		}
		r.kind, r.weekday, r.hasWeekday = weekly, wd, true
	}
	r.at = dayStart
	if len(rest) > 0 {
		k, ok := clockTail(rest)
		if !ok {
			return Recurrence{}, false, errUnknown
		}
		r.at = k
	}
	return r, open, nil
}

// String returns the canonical text, which ParseRecurrence reads back:
// "every monday 10am", "every 2 weeks on monday 9am", "every weekday 4pm",
// "every month on the 1st 9am".
func (r Recurrence) String() string {
	var b strings.Builder
	b.WriteString("every ")
	n := max(r.every, 1)
	plural := func(unit string) {
		if n > 1 {
			b.WriteString(strconv.Itoa(n) + " " + unit + "s")
		} else {
			b.WriteString(unit)
		}
	}
	switch r.kind {
	case daily:
		plural("day")
	case workdays:
		b.WriteString("weekday")
	case weekly:
		switch {
		case r.hasWeekday && n == 1:
			b.WriteString(strings.ToLower(r.weekday.String()))
		case r.hasWeekday:
			plural("week")
			b.WriteString(" on " + strings.ToLower(r.weekday.String()))
		default:
			plural("week")
		}
	case monthly:
		plural("month")
		if r.day > 0 {
			b.WriteString(" on the " + strconv.Itoa(r.day) + ordinalSuffix(r.day))
		}
	}
	b.WriteString(" " + r.at.String())
	return b.String()
}

// Next returns the first occurrence strictly after after, computed on the
// wall clock of loc (nil means UTC), so 9:00 stays 9:00 across DST.
//
// after is taken to be the previous occurrence, as the scheduled time and
// not when someone clicked, so a series never drifts. With an interval
// ("every 2 weeks") Next skips to the slot that many days, weeks or months
// on from after's own day, week or month; only when after is still before
// its own period's slot is that slot returned. A day of the month that a
// month lacks is clamped to its last day: "every month on the 31st" falls
// on 30 April and 28 February and returns to the 31st in March.
func (r Recurrence) Next(after time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	a := after.In(loc)
	today := civilOf(a)
	n := max(r.every, 1)
	var period func(k int) civil
	switch r.kind {
	case daily:
		period = today.add
	case workdays:
		n, period = 1, today.add
	case weekly:
		wd := a.Weekday()
		if r.hasWeekday {
			wd = r.weekday
		}
		// The most recent such weekday, today included, starts the period.
		start := today.add(-((int(today.weekday()) - int(wd) + 7) % 7))
		period = func(k int) civil { return start.add(7 * k) }
	case monthly:
		dom := today.d
		if r.day > 0 {
			dom = r.day
		}
		first := civil{today.y, today.m, 1}
		period = func(k int) civil {
			c := first.addMonths(k)
			return civil{c.y, c.m, min(dom, daysIn(c.y, c.m))}
		}
	}
	// Slots only move forward, so this ends after a step or two; the bound
	// only guards against times near the edge of what time.Time can hold.
	var t time.Time
	for k := 0; k <= 10*n; k += n {
		c := period(k)
		if r.kind == workdays && (c.weekday() == time.Saturday || c.weekday() == time.Sunday) {
			continue
		}
		if t = c.at(r.at, loc); t.After(a) {
			break
		}
	}
	return t
}

// start fixes an open schedule's weekday or day of the month from now and
// returns it with its first occurrence. An open schedule starts one
// interval from today ("every 2 weeks" on a Monday: the Monday after next,
// at 9:00); one that names its day starts at the first slot after now
// ("every friday": this Friday, 9:00).
func (r Recurrence) start(open bool, now time.Time, loc *time.Location) (Recurrence, time.Time) {
	now = now.In(loc)
	today := civilOf(now)
	switch {
	case r.kind == weekly && !r.hasWeekday:
		r.weekday, r.hasWeekday = today.weekday(), true
	case r.kind == monthly && r.day == 0:
		r.day = today.d
	}
	if open {
		return r, r.Next(today.at(r.at, loc), loc)
	}
	once := r
	once.every = 1
	return r, once.Next(now, loc)
}
