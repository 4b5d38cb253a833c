package duetime

import (
	"strings"
	"time"
)

// span is an offset as people say it: whole calendar units, which move the
// calendar and keep the wall-clock time, and a duration in seconds for
// hours and minutes, which is added to the instant.
type span struct {
	months, days int
	secs         int64
	calendar     bool // a day, week, month or year was named
}

// hundredths is a count with up to two decimals, times 100: "1.5" is 150.
type hundredths int64

// amount reads "3", "three", "a", "1.5" or "1,5".
func amount(s string) (hundredths, bool) {
	if n, ok := number(s); ok {
		return hundredths(n) * 100, true
	}
	i := strings.IndexAny(s, ".")
	if i <= 0 || i > 6 || len(s)-i-1 < 1 || len(s)-i-1 > 2 || !allDigits(s[:i]) || !allDigits(s[i+1:]) {
		return 0, false
	}
	frac := atoi(s[i+1:])
	if len(s)-i-1 == 1 {
		frac *= 10
	}
	return hundredths(atoi(s[:i])*100 + frac), true
}

// add puts n of u into s. Parts of an hour or a minute are fine ("1.5
// hours" is 90 minutes); parts of a day or longer are refused, because a
// day is not always 24 hours.
func (s *span) add(n hundredths, u unit) error {
	if n%100 != 0 && u >= day {
		return refuse(ErrNoTime, "Kept counts parts of an hour, not of a day or longer. Say “in 36 hours”, or “in 2 days at 9pm”.")
	}
	whole := int(n / 100)
	switch u {
	case minute:
		s.secs += int64(n) * 60 / 100
	case hour:
		s.secs += int64(n) * 3600 / 100
	case day:
		s.days += whole
	case week:
		s.days += 7 * whole
	case fortnight:
		s.days += 14 * whole
	case month:
		s.months += whole
	case year:
		s.months += 12 * whole
	}
	if u >= day {
		s.calendar = true
	}
	return nil
}

// compactSpan reads one word such as "2h", "90m", "1h30m", "1.5h" or
// "3d". Only when short is false are day and longer units allowed, so a
// bare "3d" at the end of a promise is not read as a time, while "in 3d" is.
func compactSpan(s string, short bool) (parts []struct {
	n hundredths
	u unit
}, ok bool) {
	for s != "" {
		i := 0
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		j := i
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		if i == 0 || j == i {
			return nil, false
		}
		n, nok := amount(s[:i])
		u, uok := units[s[i:j]]
		if !nok || !uok || (short && u > hour) {
			return nil, false
		}
		parts = append(parts, struct {
			n hundredths
			u unit
		}{n, u})
		s = s[j:]
	}
	return parts, len(parts) > 0
}

// isCompactSpan reports whether w is made only of compact durations of
// hours and minutes ("2h", "1h 30m"), which Kept reads without "in".
func isCompactSpan(w []string) bool {
	for _, s := range w {
		if _, ok := compactSpan(s, true); !ok {
			return false
		}
	}
	return len(w) > 0
}

// quantities reads an offset: "2 hours", "2h", "an hour", "half an hour",
// "1.5 hours", "1h30m", "1 hour 30 minutes", "1 hour and 30 minutes", "an
// hour and a half", "2 days 3 hours". Units must come largest first, each
// once. used is how many words it took.
func quantities(w []string) (s span, used int, ok bool, err error) {
	last := year + 1
	put := func(n hundredths, u unit) bool {
		if u >= last {
			return false
		}
		last = u
		if e := s.add(n, u); e != nil {
			err = e
		}
		return true
	}
	for used < len(w) {
		rest := w[used:]
		if used > 0 && rest[0] == "and" {
			if len(rest) >= 3 && (rest[1] == "a" || rest[1] == "an") && rest[2] == "half" && last != year+1 {
				// "an hour and a half": half of the last unit.
				if e := s.add(50, last); e != nil {
					return span{}, 0, false, e
				}
				used += 3
				break
			}
			if len(rest) == 1 { // "2 hours and": the "and" is not ours
				break
			}
			rest = rest[1:]
			used++
		}
		switch {
		case len(rest) >= 3 && rest[0] == "half" && (rest[1] == "an" || rest[1] == "a") && units[rest[2]] >= minute && isUnit(rest[2]):
			if !put(50, units[rest[2]]) {
				return span{}, 0, false, nil
			}
			used += 3
		case len(rest) >= 4 && isAmount(rest[0]) && rest[1] == "and" && rest[2] == "a" && rest[3] == "half" && len(rest) >= 5 && isUnit(rest[4]):
			n, _ := amount(rest[0])
			if !put(n+50, units[rest[4]]) {
				return span{}, 0, false, nil
			}
			used += 5
		case len(rest) >= 2 && isAmount(rest[0]) && isUnit(rest[1]):
			n, _ := amount(rest[0])
			if !put(n, units[rest[1]]) {
				return span{}, 0, false, nil
			}
			used += 2
		default:
			parts, cok := compactSpan(rest[0], false)
			if !cok {
				if used > 0 && w[used-1] == "and" { // "2 hours and" ends at "and"
					used--
				}
				return s, used, used > 0 && err == nil, err
			}
			for _, pt := range parts {
				if !put(pt.n, pt.u) {
					return span{}, 0, false, nil
				}
			}
			used++
		}
		if err != nil {
			return span{}, 0, false, err
		}
	}
	return s, used, used > 0, nil
}

func isAmount(s string) bool { _, ok := amount(s); return ok }
func isUnit(s string) bool   { _, ok := units[s]; return ok }

// businessDays are the words for days that are working days by
// KEPT_WORK_HOURS: one (businessDay), or more.
var businessDays = func() map[string]bool {
	m := map[string]bool{"business days": true, "working days": true, "workdays": true, "work days": true}
	for s := range businessDay {
		m[s] = true
	}
	return m
}()

// relative reads "in 2 hours", "in 3 days at 5pm", "in 1.5 hours", "in
// 1h30m", "2h", "90m", "in 3 business days", "2 weeks from now", "within
// a week", "in a fortnight". Minutes
// and hours are durations; days and longer move the calendar and keep the
// wall-clock time, so "in 3 days" across a DST change is still 10:00.
func (p phraseParser) relative(w []string) (reading, error) {
	var rest []string
	fromNow := false
	switch {
	case w[0] == "in" || w[0] == "within": // "within 2 hours": a deadline is when it falls due
		rest = w[1:]
	case isCompactSpan(w):
		rest = w
	default:
		rest, fromNow = w[:len(w)-2], true
	}
	if r, ok, err := p.businessDays(rest, fromNow); ok || err != nil {
		return r, err
	}
	s, used, ok, err := quantities(rest)
	if err != nil {
		return reading{}, err
	}
	if !ok {
		return reading{}, errUnknown
	}
	rest = rest[used:]
	k, hasClock := clock{}, false
	if len(rest) > 0 {
		if fromNow || !s.calendar || s.secs != 0 {
			return reading{}, errUnknown
		}
		if k, hasClock = clockTail(rest); !hasClock {
			return reading{}, errUnknown
		}
	}
	if s.months/12 > maxYears || s.days/366 > maxYears || s.secs/(366*86400) > maxYears {
		return p.checkRange(p.now.AddDate(maxYears+1, 0, 0))
	}
	if !s.calendar {
		return p.checkRange(p.now.Add(time.Duration(s.secs) * time.Second))
	}
	d := p.today.addMonths(s.months).add(s.days)
	if hasClock {
		t, err := p.at(d, k)
		if err != nil {
			return reading{}, err
		}
		return p.checkRange(t)
	}
	t, err := p.sameWallTime(d)
	if err != nil {
		return reading{}, err
	}
	return p.checkRange(t.Add(time.Duration(s.secs) * time.Second))
}

// sameWallTime is day d at the wall-clock time of now, to the nanosecond,
// or a refusal when a clock change skips that time on d.
func (p phraseParser) sameWallTime(d civil) (time.Time, error) {
	k := clock{hour: p.now.Hour(), min: p.now.Minute()}
	t, ok := wallTime(d, k, p.loc)
	if !ok {
		return time.Time{}, gapRefusal(d, k, t, p.loc)
	}
	return t.Add(time.Duration(p.now.Second())*time.Second + time.Duration(p.now.Nanosecond())), nil
}

// businessDays reads "3 business days [at 5pm]": the third working day
// after today, by the days of KEPT_WORK_HOURS, at the time given or now's.
func (p phraseParser) businessDays(w []string, fromNow bool) (reading, bool, error) {
	if len(w) < 2 {
		return reading{}, false, nil
	}
	n, ok := number(w[0])
	if !ok {
		return reading{}, false, nil
	}
	used := 0
	switch {
	case len(w) >= 3 && businessDays[w[1]+" "+w[2]]:
		used = 3
	case businessDays[w[1]]:
		used = 2
	default:
		return reading{}, false, nil
	}
	var k clock
	hasClock := false
	if rest := w[used:]; len(rest) > 0 {
		if fromNow {
			return reading{}, false, nil
		}
		if k, hasClock = clockTail(rest); !hasClock {
			return reading{}, false, nil
		}
	}
	if p.work.IsZero() {
		return reading{}, true, refuse(ErrNoTime, "No day is a working day in this workspace's KEPT_WORK_HOURS, so Kept cannot count business days.")
	}
	if n > 999 {
		return reading{}, true, refuse(ErrNoTime, "That is too many business days to count; give a date.")
	}
	d := p.today
	for count := 0; count < n; {
		d = d.add(1)
		if p.work.Workday(d.weekday()) {
			count++
		}
	}
	if hasClock {
		t, err := p.at(d, k)
		return reading{due: t}, true, err
	}
	t, err := p.sameWallTime(d)
	return reading{due: t}, true, err
}

func joinWords(w []string) string { return strings.Join(w, " ") }
