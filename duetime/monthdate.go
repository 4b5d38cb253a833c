package duetime

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
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
		if s == "at" || s == "by" { // "dec 3 at 2pm", "dec 3 by 2pm"
			s = next()
			i++
		}
		k, ok := dayClock(s)
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
// time in p.loc, at 9:00 when no time is given; resolveDate places it.
// A weekday that does not match the date is refused.
func (p phraseParser) monthDate(w []string) (reading, error) {
	md, ok := readMonthDate(w)
	if !ok {
		return reading{}, errUnknown
	}
	r, err := p.resolveDate(md.m, md.d, md.y, md.hasYear, md.k)
	if err != nil || !md.hasWeekday {
		return r, err
	}
	c := civilOf(r.due)
	if r.question != nil {
		c = civilOf(r.question.choices[0])
	}
	if md.wd != c.weekday() {
		return reading{}, refuse(ErrNoTime, fmt.Sprintf("%s %d %d is a %s, not a %s.",
			c.m.String()[:3], c.d, c.y, c.weekday(), md.wd))
	}
	return r, nil
}

// resolveDate places day d of month m, in year y when hasYear, at k.
// Without a year it is this year's date while that is ahead. Once it has
// gone by, it is next year's when that is nearer ahead than this year's
// is behind ("jan 5" typed on 27 November is in six weeks, not ten months
// ago); otherwise Kept does not move it to next year silently but asks
// (askNextYear), because "nov 30" typed on 1 December is more often a slip
// than a plan. A day the month never has ("feb 30", "jun 31") and a 29
// February in a year without one are refused.
func (p phraseParser) resolveDate(m time.Month, d, y int, hasYear bool, k clock) (reading, error) {
	const leapYear = 2000
	if d > daysIn(leapYear, m) {
		return reading{}, refuse(ErrNoTime, fmt.Sprintf("%s has no day %d.", m, d))
	}
	if hasYear {
		if d > daysIn(y, m) {
			return reading{}, refuse(ErrNoTime, fmt.Sprintf("%s %d has no day %d.", m, y, d))
		}
		t, err := p.at(civil{y, m, d}, k)
		if err != nil {
			return reading{}, err
		}
		return p.checkRange(t)
	}
	y = p.today.y
	if d > daysIn(y, m) {
		next := y + 1
		for d > daysIn(next, m) {
			next++
		}
		return reading{}, refuse(ErrNoTime, fmt.Sprintf("%d has no %d %s. Give the year, such as “%s %d %d”.", y, d, m, strings.ToLower(m.String()[:3]), d, next))
	}
	t, err := p.at(civil{y, m, d}, k)
	if err != nil {
		return reading{}, err
	}
	if t.After(p.now) {
		return reading{due: t}, nil
	}
	if d > daysIn(y+1, m) {
		return reading{}, refuse(ErrPast, fmt.Sprintf("%d %s has gone by this year.", d, m))
	}
	next, err := p.at(civil{y + 1, m, d}, k)
	if err != nil {
		return reading{}, err
	}
	if next.Sub(p.now) < p.now.Sub(t) {
		return reading{due: next}, nil
	}
	return reading{question: &question{why: askNextYear, choices: []time.Time{next}}}, nil
}

// numericDate reads "12/25", "25/12", "3/4", "12/25/2026". A date that
// reads one way only (25 is no month) is read; one that reads two ways is
// a question offering both (askDayFirst), never a guess.
func (p phraseParser) numericDate(s string, k clock) (reading, error) {
	parts := strings.Split(s, "/")
	a, b := atoi(parts[0]), atoi(parts[1])
	y, hasYear := 0, len(parts) == 3
	if hasYear {
		if len(parts[2]) != 4 {
			return reading{}, refuse(ErrNoTime, fmt.Sprintf("Write the year of “%s” in full, such as %s/%s/%d.", s, parts[0], parts[1], p.today.y))
		}
		y = atoi(parts[2])
	}
	valid := func(m, d int) bool {
		if m < 1 || m > 12 || d < 1 {
			return false
		}
		if hasYear {
			return d <= daysIn(y, time.Month(m))
		}
		return d <= daysIn(2000, time.Month(m))
	}
	us, eu := valid(a, b), valid(b, a)
	switch {
	case !us && !eu:
		why := func(m, d int) string {
			switch {
			case m < 1 || m > 12:
				return fmt.Sprintf("there is no month %d", m)
			case d < 1:
				return "there is no day 0"
			case hasYear:
				return fmt.Sprintf("%s %d has %d days", time.Month(m), y, daysIn(y, time.Month(m)))
			}
			return fmt.Sprintf("%s has no %d%s", time.Month(m), d, ordinalSuffix(d))
		}
		if first, second := why(a, b), why(b, a); first != second {
			return reading{}, refuse(ErrNoTime, fmt.Sprintf("“%s” is not a date that exists: read month first, %s; read day first, %s.", s, first, second))
		}
		return reading{}, refuse(ErrNoTime, fmt.Sprintf("“%s” is not a date that exists: %s.", s, why(a, b)))
	case a == b || !eu:
		return p.resolveDate(time.Month(a), b, y, hasYear, k)
	case !us:
		return p.resolveDate(time.Month(b), a, y, hasYear, k)
	}
	var choices []time.Time
	var firstErr error
	for _, md := range [][2]int{{a, b}, {b, a}} {
		r, err := p.resolveDate(time.Month(md[0]), md[1], y, hasYear, k)
		switch {
		case err != nil:
			firstErr = cmp.Or(firstErr, err)
		case r.question != nil:
			choices = append(choices, r.question.choices...)
		case r.due.After(p.now):
			choices = append(choices, r.due)
		}
	}
	if len(choices) == 0 {
		if firstErr != nil {
			return reading{}, firstErr
		}
		return reading{}, refuse(ErrPast, fmt.Sprintf("“%s” is in the past, read month first or day first.", s))
	}
	slices.SortFunc(choices, time.Time.Compare)
	return reading{question: &question{why: askDayFirst, choices: choices}}, nil
}
