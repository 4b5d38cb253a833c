package duetime

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// errUnknown means "these words are not a time phrase": Split then tries a
// shorter suffix. Every other error means the words are a time phrase that
// cannot be used (in the past, ambiguous) and is reported as it is.
var errUnknown = errors.New("duetime: not a time phrase")

// maxWords bounds the words of a phrase, and so the work done on any input.
// The longest phrase Kept knows, "every 2 weeks on monday at 10:30am", has
// seven.
const maxWords = 8

// dayStart and the other default times are the wall-clock times given to a
// day named without a time.
var (
	dayStart = clock{9, 0}  // "dec 3", "tomorrow", "monday"
	dayEnd   = clock{17, 0} // "today", "eod", "end of week"
	night    = clock{20, 0} // "tonight"
)

// civil is a date on the calendar, with no time or zone.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil {
	y, m, d := t.Date()
	return civil{y, m, d}
}

// add moves by days on the calendar; noon UTC keeps time.Date away from
// any zone transition while it normalises.
func (c civil) add(days int) civil {
	return civilOf(time.Date(c.y, c.m, c.d+days, 12, 0, 0, 0, time.UTC))
}

func (c civil) weekday() time.Weekday {
	return time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Weekday()
}

// at is the instant of the wall clock k on day c in loc. A wall time that
// does not exist (2:30 on a spring-forward day) is normalised as time.Date
// does it: in America/New_York 2:30 becomes 1:30 EST, in
// Australia/Adelaide 3:30 ACDT. Callers still refuse a result that is not
// after now, so the normalisation never yields a past due time.
func (c civil) at(k clock, loc *time.Location) time.Time {
	return time.Date(c.y, c.m, c.d, k.hour, k.min, 0, 0, loc)
}

// addMonths moves by whole months and clamps the day to the end of the
// target month, so one month after 31 January is 28 (or 29) February,
// not 3 March as time.AddDate would have it.
func (c civil) addMonths(n int) civil {
	first := time.Date(c.y, c.m+time.Month(n), 1, 12, 0, 0, 0, time.UTC)
	y, m, _ := first.Date()
	return civil{y, m, min(c.d, daysIn(y, m))}
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

// untilWeekday is how many days after c the next wd falls: 0 to 6, or
// 1 to 7 when strict.
func (c civil) untilWeekday(wd time.Weekday, strict bool) int {
	n := (int(wd) - int(c.weekday()) + 7) % 7
	if n == 0 && strict {
		n = 7
	}
	return n
}

// phraseParser reads one phrase relative to now, on the wall clock of loc.
type phraseParser struct {
	now   time.Time // in loc
	loc   *time.Location
	today civil
}

func newPhraseParser(now time.Time, loc *time.Location) phraseParser {
	now = now.In(loc)
	return phraseParser{now: now, loc: loc, today: civilOf(now)}
}

// parse reads the words of a single (not repeating) time phrase. The
// result may be in the past; the callers refuse that in one place.
func (p phraseParser) parse(w []string) (time.Time, error) {
	if len(w) == 0 || len(w) > maxWords {
		return time.Time{}, errUnknown
	}
	if f, ok := fixedPhrases[strings.Join(w, " ")]; ok {
		return f(p), nil
	}
	if w[0] == "in" || (len(w) > 2 && w[len(w)-2] == "from" && w[len(w)-1] == "now") {
		return p.relative(w)
	}
	if isSlashDate(w[0]) && (len(w) == 1 || isClockTail(w[1:])) {
		return time.Time{}, fmt.Errorf("duetime: %q could be read day-first or month-first; write the month as a word (\"dec 3\") or the ISO form (2026-12-03): %w", w[0], ErrNoTime)
	}
	if t, ok := p.dateThenClock(w); ok {
		return t, nil
	}
	if t, ok := p.clockThenDate(w); ok {
		return t, nil
	}
	return p.monthDate(w)
}

// dateThenClock reads "tomorrow", "friday 5pm", "tomorrow at 3pm",
// "2026-12-01 14:00".
func (p phraseParser) dateThenClock(w []string) (time.Time, bool) {
	d, k, n, ok := p.date(w)
	if !ok {
		return time.Time{}, false
	}
	if rest := w[n:]; len(rest) > 0 {
		if k, ok = clockTail(rest); !ok {
			return time.Time{}, false
		}
	}
	return d.at(k, p.loc), true
}

// clockThenDate reads "3pm", "5pm friday", "3pm on tuesday". A bare time
// that has passed today means tomorrow.
func (p phraseParser) clockThenDate(w []string) (time.Time, bool) {
	k, ok := parseClock(w[0])
	if !ok {
		return time.Time{}, false
	}
	rest := w[1:]
	if len(rest) == 0 {
		t := p.today.at(k, p.loc)
		if !t.After(p.now) {
			t = p.today.add(1).at(k, p.loc)
		}
		return t, true
	}
	if rest[0] == "on" {
		rest = rest[1:]
	}
	d, _, n, ok := p.date(rest)
	if !ok || n != len(rest) {
		return time.Time{}, false
	}
	return d.at(k, p.loc), true
}

// isClockTail reports whether w is "[at] <time>".
func isClockTail(w []string) bool {
	_, ok := clockTail(w)
	return ok
}

func clockTail(w []string) (clock, bool) {
	if len(w) > 0 && w[0] == "at" {
		w = w[1:]
	}
	if len(w) != 1 {
		return clock{}, false
	}
	return parseClock(w[0])
}

// date reads a day at the start of w and returns it, the time it has when
// no time is given, and how many words it took.
//
// A weekday, and "next <weekday>", is the first such day after today, so
// "monday" said on a Monday is next week's; "this <weekday>" may be today.
// "next week" is the coming Monday and "next month" the 1st of the next.
func (p phraseParser) date(w []string) (d civil, k clock, n int, ok bool) {
	if len(w) == 0 {
		return civil{}, clock{}, 0, false
	}
	switch w[0] {
	case "today":
		return p.today, dayEnd, 1, true
	case "tonight":
		return p.today, night, 1, true
	case "tomorrow", "tmrw", "tmr":
		return p.today.add(1), dayStart, 1, true
	case "yesterday":
		return p.today.add(-1), dayStart, 1, true
	case "this":
		if len(w) < 2 {
			break
		}
		if wd, ok := weekdays[w[1]]; ok {
			return p.today.add(p.today.untilWeekday(wd, false)), dayStart, 2, true
		}
		if k, ok := namedClocks[w[1]]; ok { // "this afternoon": the clock word follows
			return p.today, k, 1, true
		}
	case "next":
		if len(w) < 2 {
			break
		}
		if wd, ok := weekdays[w[1]]; ok {
			return p.today.add(p.today.untilWeekday(wd, true)), dayStart, 2, true
		}
		switch w[1] {
		case "week":
			return p.today.add(p.today.untilWeekday(time.Monday, true)), dayStart, 2, true
		case "month":
			return civil{p.today.y, p.today.m, 1}.addMonths(1), dayStart, 2, true
		}
	default:
		if wd, ok := weekdays[w[0]]; ok {
			return p.today.add(p.today.untilWeekday(wd, true)), dayStart, 1, true
		}
		if isISODate(w[0]) {
			t, err := time.Parse(time.DateOnly, w[0])
			if err == nil {
				return civilOf(t), dayStart, 1, true
			}
		}
	}
	return civil{}, clock{}, 0, false
}

// fixedPhrases are the deadlines no date library knows. "eod" and "today"
// are 17:00 today, in the past once that has gone by; "end of week" is
// this week's Friday 17:00, or next week's from Friday evening on; "end of
// month" likewise rolls to the next month's last day.
var fixedPhrases = map[string]func(phraseParser) time.Time{}

func init() {
	eod := func(p phraseParser) time.Time { return p.today.at(dayEnd, p.loc) }
	eow := func(p phraseParser) time.Time {
		t := p.today.add(p.today.untilWeekday(time.Friday, false)).at(dayEnd, p.loc)
		if !t.After(p.now) {
			t = p.today.add(p.today.untilWeekday(time.Friday, true)).at(dayEnd, p.loc)
		}
		return t
	}
	eom := func(p phraseParser) time.Time {
		last := func(c civil) time.Time { return civil{c.y, c.m, daysIn(c.y, c.m)}.at(dayEnd, p.loc) }
		t := last(p.today)
		if !t.After(p.now) {
			t = last(civil{p.today.y, p.today.m, 1}.addMonths(1))
		}
		return t
	}
	for _, s := range []string{"eod", "end of day", "end of the day", "end of today", "cob", "close of business"} {
		fixedPhrases[s] = eod
	}
	for _, s := range []string{"eow", "end of week", "end of the week", "end of this week"} {
		fixedPhrases[s] = eow
	}
	for _, s := range []string{"eom", "end of month", "end of the month", "end of this month"} {
		fixedPhrases[s] = eom
	}
}

type unit int

const (
	minute unit = iota
	hour
	day
	week
	month
	year
)

var units = map[string]unit{
	"m": minute, "min": minute, "mins": minute, "minute": minute, "minutes": minute,
	"h": hour, "hr": hour, "hrs": hour, "hour": hour, "hours": hour,
	"d": day, "day": day, "days": day,
	"w": week, "wk": week, "wks": week, "week": week, "weeks": week,
	"mo": month, "mos": month, "month": month, "months": month,
	"y": year, "yr": year, "yrs": year, "year": year, "years": year,
}

// maxYears bounds how far ahead a due time may be; beyond it a phrase is
// more likely a typo than a plan.
const maxYears = 100

// relative reads "in 2 hours", "in 3 days at 5pm", "in an hour",
// "in half an hour", "2 weeks from now". Minutes and hours are durations;
// days and longer move the calendar and keep the wall-clock time, so
// "in 3 days" across a DST change is still 10:00.
func (p phraseParser) relative(w []string) (time.Time, error) {
	var rest []string
	fromNow := w[0] != "in"
	if fromNow {
		rest = w[:len(w)-2]
	} else {
		rest = w[1:]
	}
	n, u, used, ok := quantity(rest)
	if !ok {
		return time.Time{}, errUnknown
	}
	rest = rest[used:]
	k, hasClock := clock{}, false
	if len(rest) > 0 {
		if fromNow || u < day {
			return time.Time{}, errUnknown
		}
		if k, hasClock = clockTail(rest); !hasClock {
			return time.Time{}, errUnknown
		}
	}
	var d civil
	switch u {
	case minute:
		return p.checkRange(p.now.Add(time.Duration(n) * time.Minute))
	case hour:
		return p.checkRange(p.now.Add(time.Duration(n) * time.Hour))
	case day:
		d = p.today.add(n)
	case week:
		d = p.today.add(7 * n)
	case month:
		d = p.today.addMonths(n)
	case year:
		d = p.today.addMonths(12 * n)
	}
	if hasClock {
		return p.checkRange(d.at(k, p.loc))
	}
	now := p.now
	return p.checkRange(time.Date(d.y, d.m, d.d, now.Hour(), now.Minute(), now.Second(), now.Nanosecond(), p.loc))
}

func (p phraseParser) checkRange(t time.Time) (time.Time, error) {
	if t.Year()-p.now.Year() > maxYears {
		return time.Time{}, fmt.Errorf("duetime: more than %d years ahead: %w", maxYears, ErrNoTime)
	}
	return t, nil
}

// quantity reads "2 hours", "2h", "an hour", "half an hour".
func quantity(w []string) (n int, u unit, used int, ok bool) {
	if len(w) >= 3 && w[0] == "half" && (w[1] == "an" || w[1] == "a") && (w[2] == "hour" || w[2] == "hr") {
		return 30, minute, 3, true
	}
	if len(w) >= 2 {
		if n, ok := number(w[0]); ok {
			if u, ok := units[w[1]]; ok {
				return n, u, 2, true
			}
		}
	}
	if len(w) >= 1 {
		s := w[0]
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i > 0 && i < len(s) {
			n, nok := number(s[:i])
			u, uok := units[s[i:]]
			if nok && uok {
				return n, u, 1, true
			}
		}
	}
	return 0, 0, 0, false
}
