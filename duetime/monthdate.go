package duetime

import (
	"fmt"
	"time"
)

// monthDay is a date written with a month name, as read by readMonthDate.
type monthDay struct {
	m          time.Month
	d          int
	y          int // when hasYear
	hasYear    bool
	wd         time.Weekday // when hasWeekday
	hasWeekday bool
	k          clock // dayStart when no time is given
}

// readMonthDate reads the whole of w as a date with a month name. Its
// core is one of
//
//	month [the] day          "dec 3", "december 3rd", "dec the 3rd"
//	[the] day [of] month     "3 dec", "the 3rd of december"
//
// with, before it, an optional time ("2pm dec 3", "2pm on dec 3"), year
// ("2027 dec 3") and weekday ("friday dec 4"), in that order, and after it
// an optional year, weekday and time ("at 2pm", "14:00", "noon") in any
// order: "Dec 3, 2026", "dec 3 friday", "3 dec 2027 at 2:30pm". Each may
// be given once. A month is a name or its abbreviation ("sept" too), a
// day is 1 to 31 in digits or as an ordinal ("3rd"), and a year has four
// digits, so that "dec 3 26" and a lone "42" are not dates. Commas are
// gone by now (see words). A month alone ("dec", "dec 2027") names no day
// and is not read.
func readMonthDate(w []string) (md monthDay, ok bool) {
	md.k = dayStart
	hasClock := false
	i := 0
	next := func() string { // the word at i, or "" past the end
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	if k, ok := parseClock(next()); ok {
		md.k, hasClock = k, true
		i++
		if next() == "on" {
			i++
		}
	}
	if y := next(); isYear(y) {
		md.y, md.hasYear = atoi(y), true
		i++
	}
	if wd, ok := weekdays[next()]; ok {
		md.wd, md.hasWeekday = wd, true
		i++
	}
	if m, ok := months[next()]; ok { // month [the] day
		md.m = m
		i++
		if next() == "the" {
			i++
		}
		if md.d, ok = dayOfMonth(next()); !ok {
			return monthDay{}, false
		}
		i++
	} else { // [the] day [of] month
		if next() == "the" {
			i++
		}
		if md.d, ok = dayOfMonth(next()); !ok {
			return monthDay{}, false
		}
		i++
		if next() == "of" {
			i++
		}
		if md.m, ok = months[next()]; !ok {
			return monthDay{}, false
		}
		i++
	}
	for i < len(w) {
		s := w[i]
		i++
		if isYear(s) && !md.hasYear {
			md.y, md.hasYear = atoi(s), true
			continue
		}
		if wd, ok := weekdays[s]; ok && !md.hasWeekday {
			md.wd, md.hasWeekday = wd, true
			continue
		}
		if s == "at" {
			s = next()
			i++
		}
		k, ok := parseClock(s)
		if !ok || hasClock {
			return monthDay{}, false
		}
		md.k, hasClock = k, true
	}
	return md, true
}

func isYear(s string) bool {
	return len(s) == 4 && allDigits(s)
}

// dayOfMonth reads "3", "03" or "3rd" as a day from 1 to 31.
func dayOfMonth(s string) (int, bool) {
	if n, ok := ordinal(s); ok {
		return n, true
	}
	if len(s) > 2 || !allDigits(s) {
		return 0, false
	}
	n := atoi(s)
	return n, n >= 1 && n <= 31
}

// monthDate reads a date with a month name (see readMonthDate) as a wall
// time in p.loc, at 9:00 when no time is given. Without a year it is the
// first such day, from this year on, whose time is still ahead: "jan 5"
// said in November is next year's, "dec 3" said on 3 December after 9:00
// is next year's too, and "feb 29" is the next leap day. A day the month
// never has ("feb 30", "jun 31"), a 29 February in a year without one, and
// a weekday that does not match the date are refused with ErrNoTime.
func (p phraseParser) monthDate(w []string) (time.Time, error) {
	md, ok := readMonthDate(w)
	if !ok {
		return time.Time{}, errUnknown
	}
	const leapYear = 2000
	if md.d > daysIn(leapYear, md.m) {
		return time.Time{}, fmt.Errorf("duetime: %s has no day %d: %w", md.m, md.d, ErrNoTime)
	}
	c := civil{md.y, md.m, md.d}
	if md.hasYear {
		if md.d > daysIn(md.y, md.m) {
			return time.Time{}, fmt.Errorf("duetime: %s %d has no day %d: %w", md.m, md.y, md.d, ErrNoTime)
		}
	} else {
		// Leap days are at most eight years apart (2096, then 2104). If
		// no year qualifies, c stays in the past and the caller says so.
		for y := p.today.y; y <= p.today.y+8; y++ {
			if md.d > daysIn(y, md.m) {
				continue
			}
			c.y = y
			if c.at(md.k, p.loc).After(p.now) {
				break
			}
		}
	}
	if md.hasWeekday && md.wd != c.weekday() {
		return time.Time{}, fmt.Errorf("duetime: %s %d %d is a %s, not a %s: %w",
			c.m.String()[:3], c.d, c.y, c.weekday(), md.wd, ErrNoTime)
	}
	return p.checkRange(c.at(md.k, p.loc))
}
