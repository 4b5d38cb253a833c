package duetime

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keptbot/kept/workhours"
)

// errUnknown means "these words are not a time phrase": Split then tries a
// shorter suffix. Every other error means the words are a time phrase that
// cannot be used (in the past, ambiguous) and is reported as it is.
var errUnknown = errors.New("duetime: not a time phrase")

// maxWords bounds the words of a phrase, and so the work done on any input.
// Among the longest Kept reads is "every 2 weeks on monday and thursday at
// 10:30am" (nine words).
const maxWords = 12

// dayStart and the other default times are the wall-clock times given to a
// day named without a time.
var (
	dayStart = clock{hour: 9}  // "dec 3", "tomorrow", "monday"
	dayEnd   = clock{hour: 17} // "today", "eod", "end of week"
	night    = clock{hour: 20} // "tonight"
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

// wallTime is the instant when the wall clock of loc reads k on day c.
// When it reads k twice (the hour repeated as clocks go back) it is the
// first time, so a reminder comes early rather than an hour late. When it
// never does (the hour skipped as clocks go forward) exists is false and t
// is the instant as far past the gap as k was into it (2:30 on a night
// that jumps from 2:00 to 3:00 is 3:30), which is what a repeating series
// uses.
func wallTime(c civil, k clock, loc *time.Location) (t time.Time, exists bool) {
	naive := time.Date(c.y, c.m, c.d, k.hour, k.min, 0, 0, time.UTC)
	_, before := naive.Add(-36 * time.Hour).In(loc).Zone()
	_, after := naive.Add(36 * time.Hour).In(loc).Zone()
	_, mid := naive.In(loc).Zone()
	for _, off := range []int{before, mid, after} {
		u := naive.Add(-time.Duration(off) * time.Second).In(loc)
		if u.Hour() == k.hour && u.Minute() == k.min && civilOf(u) == c && (t.IsZero() || u.Before(t)) {
			t = u
		}
	}
	if !t.IsZero() {
		return t, true
	}
	return naive.Add(-time.Duration(before) * time.Second).In(loc), false
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

// reading is what one phrase means: an instant, a repeating schedule with
// its first occurrence, or a question between instants.
type reading struct {
	due      time.Time
	rec      *Recurrence
	question *question
}

// question is a phrase with more than one reading; Read turns it into a
// Question with labels in the owner's zone.
type question struct {
	why     questionKind
	choices []time.Time
}

type questionKind int

const (
	askDayFirst questionKind = iota // "3/4": 3 April or 4 March?
	askNextYear                     // "nov 30" on 1 December
)

// phraseParser reads one phrase relative to now, on the wall clock of loc.
type phraseParser struct {
	now    time.Time // in loc
	loc    *time.Location
	today  civil
	work   workhours.Hours
	inZone bool // reading the rest of a phrase that named its zone
}

func newPhraseParser(now time.Time, loc *time.Location, work workhours.Hours) phraseParser {
	now = now.In(loc)
	return phraseParser{now: now, loc: loc, today: civilOf(now), work: work}
}

// at is the instant of the wall clock k on day c in loc, or a refusal when
// k is ambiguous or skipped by a clock change.
func (p phraseParser) at(c civil, k clock) (time.Time, error) {
	if err := ambiguous(k); err != nil {
		return time.Time{}, err
	}
	t, ok := wallTime(c, k, p.loc)
	if !ok {
		return time.Time{}, gapRefusal(c, k, t, p.loc)
	}
	return t, nil
}

// ambiguous refuses a clock that reads two ways, with the reason.
func ambiguous(k clock) error {
	switch {
	case k.amb == midnight:
		return refuse(ErrNoTime, "“midnight” is the start of a day to some people and its end to others. Say “11:59pm” or “12am”.")
	case k.amb == halfDay:
		return refuse(ErrNoTime, fmt.Sprintf("“at %d” could be %dam or %dpm. Say which.", k.hour, k.hour, k.hour))
	}
	return nil
}

func gapRefusal(c civil, k clock, resume time.Time, loc *time.Location) error {
	day := time.Date(c.y, c.m, c.d, 12, 0, 0, 0, time.UTC).Format("Mon 2 Jan 2006")
	return refuse(ErrGap, fmt.Sprintf("%s on %s does not exist in %s: the clocks go forward that night. Pick another time, such as %s.",
		k, day, loc, clock{hour: resume.Hour(), min: resume.Minute()}))
}

// read reads the words of one phrase. The due time may be in the past;
// Read refuses that in one place.
func (p phraseParser) read(w []string) (reading, error) {
	if len(w) == 0 || len(w) > maxWords {
		return reading{}, errUnknown
	}
	if !p.inZone {
		if loc, rest, ok := zoneIn(w); ok {
			return p.readInZone(loc, rest)
		}
		if why, ok := ambiguousAbbrevs[w[len(w)-1]]; ok && len(w) >= 2 {
			if _, err := p.read(w[:len(w)-1]); !errors.Is(err, errUnknown) {
				return reading{}, refuse(ErrNoTime, why+"; name the place instead, such as “3pm Asia/Kolkata”.")
			}
		}
	}
	if isRecurrence(w) {
		r, open, err := parseRecurrence(w, p.work)
		if err != nil {
			return reading{}, err
		}
		r, due := r.start(open, p.now, p.loc)
		return reading{due: due, rec: &r}, nil
	}
	if err := past(w); err != nil {
		return reading{}, err
	}
	if len(w) == 1 || len(w) == 2 && w[0] == "next" { // "eow", "end of next week"
		switch w[len(w)-1] {
		case "eow":
			return p.endOfWeek(len(w) == 2)
		case "eom":
			return p.endOfPeriod(1, len(w) == 2)
		case "eoq":
			return p.endOfPeriod(3, len(w) == 2)
		case "eoy":
			return p.endOfPeriod(12, len(w) == 2)
		}
	}
	if i := slices.Index(w, "firstthing"); i == 0 || i == len(w)-1 && i > 0 { // "first thing tomorrow", "monday first thing"
		return p.firstThing(slices.Delete(slices.Clone(w), i, i+1))
	}
	if i := slices.Index(w, "from"); i > 0 && i < len(w)-1 && w[len(w)-1] != "now" { // "a week from friday"
		return p.fromDay(w[:i], w[i+1:])
	}
	if w[0] == "in" || w[0] == "within" || (len(w) > 2 && w[len(w)-2] == "from" && w[len(w)-1] == "now") || isCompactSpan(w) {
		return p.relative(w)
	}
	return p.calendar(w)
}

// readInZone reads a phrase that named its zone ("friday 5pm EST") on the
// wall clock of that zone, and gives the instant in the owner's.
func (p phraseParser) readInZone(loc *time.Location, rest []string) (reading, error) {
	if isRecurrence(rest) {
		return reading{}, refuse(ErrNoTime, "A repeating schedule follows its owner's own zone, across daylight-saving changes too; leave out the zone and give the time as it is for the owner.")
	}
	q := newPhraseParser(p.now, loc, p.work)
	q.inZone = true
	r, err := q.read(rest)
	if err != nil {
		return reading{}, err
	}
	r.due = r.due.In(p.loc)
	if r.question != nil {
		for i, c := range r.question.choices {
			r.question.choices[i] = c.In(p.loc)
		}
	}
	return r, nil
}

// past refuses phrases that name a time gone by: "last friday", "2 days
// ago". Kept reminds people of what is ahead.
func past(w []string) error {
	ago := false
	if w[len(w)-1] == "ago" {
		_, used, ok, _ := quantities(w[:len(w)-1])
		ago = ok && used == len(w)-1
	}
	if w[0] == "last" && len(w) >= 2 && (isWeekday(w[1]) || w[1] == "week" || w[1] == "month" || w[1] == "year" || w[1] == "night") || ago {
		return refuse(ErrPast, fmt.Sprintf("“%s” is in the past. When will you do it?", joinWords(w)))
	}
	return nil
}

// endOfWeek is this week's Friday 17:00, or next week's from Friday
// evening on. The end of next week is Friday 17:00 of the week "next
// week" starts (the coming Monday's), as "friday next week" is.
func (p phraseParser) endOfWeek(next bool) (reading, error) {
	if next {
		t, err := p.at(p.today.add(p.today.untilWeekday(time.Monday, true)+4), dayEnd)
		return reading{due: t}, err
	}
	d := p.today.add(p.today.untilWeekday(time.Friday, false))
	t, err := p.at(d, dayEnd)
	if err == nil && !t.After(p.now) {
		t, err = p.at(p.today.add(p.today.untilWeekday(time.Friday, true)), dayEnd)
	}
	return reading{due: t}, err
}

// endOfPeriod is the last day at 17:00 of the period today is in, a
// month, a calendar quarter (to March, June, September, December) or a
// year, by its length in months; or of the next period once that has gone
// by. The end of next month, quarter or year is the last day of the
// period after this one ("next month" names).
func (p phraseParser) endOfPeriod(months int, next bool) (reading, error) {
	start := periodStart(p.today, months)
	end := func(s civil) civil {
		e := s.addMonths(months - 1)
		return civil{e.y, e.m, daysIn(e.y, e.m)}
	}
	if next {
		t, err := p.at(end(start.addMonths(months)), dayEnd)
		return reading{due: t}, err
	}
	t, err := p.at(end(start), dayEnd)
	if err == nil && !t.After(p.now) {
		t, err = p.at(end(start.addMonths(months)), dayEnd)
	}
	return reading{due: t}, err
}

// periodStart is the first day of the period of months (1, 3 or 12) that
// c is in.
func periodStart(c civil, months int) civil {
	return civil{c.y, time.Month((int(c.m)-1)/months*months + 1), 1}
}

// firstThing reads "first thing tomorrow", "first thing monday" and
// "monday first thing": that day when KEPT_WORK_HOURS begin (9:00 by
// default). w is the day without "first thing", and names no time.
func (p phraseParser) firstThing(w []string) (reading, error) {
	d, _, n, err := p.date(w)
	if err != nil || n != len(w) {
		return reading{}, cmp.Or(err, errUnknown)
	}
	h, m := p.work.Start()
	t, err := p.at(d, clock{hour: h, min: m})
	return reading{due: t}, err
}

// fromDay reads "a week from today", "2 days from tomorrow" and "a week
// from friday at 3pm": the day moved by whole days, weeks, months or
// years, at 9:00 unless a time is given (a day without a time, even
// "today", is 9:00 once moved). "2 hours from tomorrow" is not read.
func (p phraseParser) fromDay(span, day []string) (reading, error) {
	s, used, ok, err := quantities(span)
	if err != nil {
		return reading{}, err
	}
	if !ok || used != len(span) {
		return reading{}, errUnknown
	}
	if !s.calendar || s.secs != 0 {
		return reading{}, refuse(ErrNoTime, "Kept moves a day by days, weeks, months or years, not by hours or minutes. Give the time, such as “tomorrow 11am”.")
	}
	core, k, hasClock, err := splitClock(day)
	if err != nil {
		return reading{}, err
	}
	d, _, n, err := p.date(core)
	if err != nil || n != len(core) {
		return reading{}, cmp.Or(err, errUnknown)
	}
	if !hasClock {
		k = dayStart
	}
	t, err := p.at(d.addMonths(s.months).add(s.days), k)
	if err != nil {
		return reading{}, err
	}
	return p.checkRange(t)
}

// splitClock takes the time of day off a phrase: "[at] 3pm [on] friday",
// "friday [at] 3pm", "friday eod". At most one is allowed; err is
// errUnknown when the phrase has two. A part of the day next to the clock
// says which half of the day a clock without am or pm is in ("tonight at
// 9", "friday evening at 7", "at 8 in the morning"), and is refused when
// the clock cannot be in it ("tonight at 3"); one with am or pm must agree
// with it ("friday evening 8pm"; "morning 8pm" is not read).
func splitClock(w []string) (core []string, k clock, hasClock bool, err error) {
	core = w
	if k, n, found := clockAt(core); found && !partThenClock(core) {
		core = core[n:]
		if len(core) > 0 && core[0] == "on" {
			core = core[1:]
		}
		if len(core) > 0 && isPartOfDay(core[0]) { // "at 9 tonight", "at 8 in the morning"
			if k, err = settle(k, core[0]); err != nil {
				return nil, clock{}, false, err
			}
			if core[0] != "tonight" {
				core = core[1:]
			}
		}
		if len(core) == 0 {
			return core, k, true, nil
		}
		if _, _, again := clockAtEnd(core); again {
			return nil, clock{}, false, errUnknown
		}
		return core, k, true, nil
	}
	if n := len(core); n >= 3 && isPartOfDay(core[n-1]) && core[n-1] != "tonight" { // "friday at 7 in the evening"
		if k2, m, found := clockAtEnd(core[:n-1]); found && k2.twelve {
			k2, err = settle(k2, core[n-1])
			return core[:n-1-m], k2, err == nil, err
		}
	}
	if k2, n, found := clockAtEnd(core); found {
		core = core[:len(core)-n]
		if len(core) > 0 && isPartOfDay(core[len(core)-1]) && (k2.twelve || k2.amb == sure) {
			part := core[len(core)-1]
			if !k2.twelve && !fitsPartOfDay(part, k2) {
				if part == "tonight" {
					return nil, clock{}, false, errUnknown
				}
				return core, k2, true, nil // "morning 8pm": "morning" is left, and not read
			}
			if k2, err = settle(k2, part); err != nil {
				return nil, clock{}, false, err
			}
			if part != "tonight" { // "friday evening 8pm", "tomorrow morning at 8"
				core = core[:len(core)-1]
			}
		}
		return core, k2, true, nil
	}
	return core, clock{}, false, nil
}

// partThenClock reports a part of the day before a clock, "afternoon at
// 3": the part settles the clock rather than being the time itself.
func partThenClock(w []string) bool {
	if len(w) < 2 || !isPartOfDay(w[0]) {
		return false
	}
	_, n, found := clockAtEnd(w[1:])
	return found && n == len(w)-1
}

// isPartOfDay reports the words that say which part of a day a clock is
// in.
func isPartOfDay(s string) bool {
	switch s {
	case "morning", "afternoon", "evening", "night", "tonight":
		return true
	}
	return false
}

// settle places k in the part of the day named by part: a clock without
// am or pm ("at 7", "7:30", "10:30") is taken in the half of the day the
// part is in, so "evening at 7" is 19:00 and "morning at 10" 10:00. It is
// refused when k does not fall in that part ("tonight at 3"), and "at 12"
// at night is midnight, refused as midnight is.
func settle(k clock, part string) (clock, error) {
	if k.twelve {
		typed := k
		k.amb, k.twelve = sure, false
		switch {
		case part == "morning" && k.hour == 12:
			k.hour = 0
		case part != "morning" && part != "afternoon" && k.hour == 12:
			return clock{}, ambiguous(clock{amb: midnight})
		case part != "morning" && k.hour < 12:
			k.hour += 12
		}
		if !fitsPartOfDay(part, k) {
			return clock{}, refuse(ErrNoTime, fmt.Sprintf("%s is not %s, so %s does not say when %s. Say the time with am or pm, such as “%s”.",
				k, partPhrase[part], typedClock(typed), partPhrase[part], k))
		}
	}
	if !fitsPartOfDay(part, k) {
		return clock{}, errUnknown
	}
	return k, nil
}

// partPhrase says when each part of the day is, for a refusal.
var partPhrase = map[string]string{
	"morning": "in the morning", "afternoon": "in the afternoon", "evening": "in the evening",
	"night": "at night", "tonight": "tonight",
}

// typedClock writes a clock without am or pm as it was typed: "at 3",
// "3:30", "10:30".
func typedClock(k clock) string {
	if k.min != 0 || !k.twelve {
		return fmt.Sprintf("“%d:%02d”", k.hour, k.min)
	}
	return fmt.Sprintf("“at %d”", k.hour)
}

// fitsPartOfDay reports whether k falls in the part of the day named by
// s, so "evening 8pm" is 8pm, and "morning 8pm" is not read at all.
func fitsPartOfDay(s string, k clock) bool {
	if k.amb != sure {
		return false
	}
	switch s {
	case "morning":
		return k.hour >= 4 && k.hour < 12
	case "afternoon":
		return k.hour >= 12 && k.hour < 18
	case "evening", "night", "tonight":
		return k.hour >= 17 || k.hour < 4
	}
	return false
}

// clockAt reads "[at] <time>" at the start of w. After "at", a bare hour
// is a time too: 13 to 23 (and 0) on the 24-hour clock, while 1 to 12 is
// read as ambiguous, to be refused.
func clockAt(w []string) (k clock, n int, ok bool) {
	if len(w) == 0 {
		return clock{}, 0, false
	}
	if w[0] == "at" {
		if len(w) < 2 {
			return clock{}, 0, false
		}
		if k, ok := dayClock(dotted(w[1])); ok { // "at 3pm", "at 21.30", "at 15h"
			return k, 2, true
		}
		if k, ok := fourDigitClock(strings.TrimSuffix(w[1], "h")); ok { // "at 1430", "at 1430h"
			return k, 2, true
		}
		if h := w[1]; len(h) <= 2 && allDigits(h) {
			switch n := atoi(h); {
			case n >= 1 && n <= 12:
				return clock{hour: n, amb: halfDay, twelve: true}, 2, true
			case n <= 23:
				return clock{hour: n}, 2, true
			}
		}
		return clock{}, 0, false
	}
	k, ok = parseClock(w[0])
	return k, 1, ok
}

// clockAtEnd reads "[at] <time>" at the end of w.
func clockAtEnd(w []string) (k clock, n int, ok bool) {
	if len(w) >= 2 && w[len(w)-2] == "at" {
		if k, n, ok := clockAt(w[len(w)-2:]); ok {
			return k, n, true
		}
	}
	// "tomorrow by 5pm", "friday by noon": by a clock time, as people
	// write a deadline. Unlike "at", never before a bare number.
	if len(w) >= 3 && w[len(w)-2] == "by" {
		if k, ok := parseClock(w[len(w)-1]); ok {
			return k, 2, true
		}
	}
	if len(w) >= 1 {
		if k, ok := parseClock(w[len(w)-1]); ok {
			return k, 1, true
		}
	}
	if len(w) >= 2 { // "friday 15h": after a day, not a duration
		if k, ok := hourClock(w[len(w)-1]); ok {
			return k, 1, true
		}
	}
	if len(w) >= 2 && w[len(w)-1] == "night" {
		return nightClock, 1, true
	}
	return clock{}, 0, false
}

// clockTail reads w as exactly "[at] <time>", or "by <time>" ("in 2
// days by 5pm").
func clockTail(w []string) (clock, bool) {
	if len(w) == 2 && w[0] == "by" {
		return parseClock(w[1])
	}
	k, n, ok := clockAt(w)
	return k, ok && n == len(w)
}

// calendar reads a day, a time of day, or both: "tomorrow", "friday 5pm",
// "3pm on tuesday", "monday morning", "tomorrow eod", "the 15th at 2pm",
// "12/25", "dec 3 2pm", "2026-12-01 14:00".
func (p phraseParser) calendar(w []string) (reading, error) {
	core, k, hasClock, err := splitClock(w)
	if err != nil {
		return reading{}, err
	}
	if len(core) == 0 { // a bare time: today, or tomorrow once it has gone by
		t, err := p.at(p.today, k)
		var gap *Refusal
		if errors.As(err, &gap) && gap.Err == ErrGap && !t.After(p.now) {
			err = nil // today's gap is behind us: tomorrow's slot is what counts
		}
		if err != nil {
			return reading{}, err
		}
		if !t.After(p.now) {
			t, err = p.at(p.today.add(1), k)
		}
		return reading{due: t}, err
	}
	if core[0] == "this" && len(core) == 1 && hasClock { // "this afternoon"
		t, err := p.at(p.today, k)
		return reading{due: t}, err
	}
	if d, def, n, err := p.date(core); n == len(core) || err != nil && !errors.Is(err, errUnknown) {
		if err != nil {
			return reading{}, err
		}
		if !hasClock {
			k = def
		}
		t, err := p.at(d, k)
		return reading{due: t}, err
	}
	if !hasClock {
		k = dayStart
	}
	if n, months, ok := dayOfMonthWords(core); ok {
		return p.dayOfMonth(n, months, k)
	}
	if isSlashDate(core[0]) && len(core) == 1 {
		return p.numericDate(core[0], k)
	}
	return p.monthDate(w)
}

// date reads a day at the start of w and returns it, the time it has when
// no time is given, and how many words it took; err is errUnknown when w
// does not start with a day.
//
// A weekday, "next <weekday>" and "this coming <weekday>" are the first
// such day after today, so "monday" said on a Monday is next week's;
// "this <weekday>" may be today. "next week" is the coming Monday,
// "friday next week" and "next week friday" that week's Friday, and "next
// month" the 1st of the next. "next business day" is the first day after
// today that KEPT_WORK_HOURS work. "this weekend" is Saturday of this
// week's weekend (Sunday once Saturday's 9:00 has passed; on a Sunday,
// that day), "next weekend" the Saturday of next week's.
func (p phraseParser) date(w []string) (d civil, k clock, n int, err error) {
	if len(w) == 0 {
		return civil{}, clock{}, 0, errUnknown
	}
	nextMonday := p.today.add(p.today.untilWeekday(time.Monday, true))
	inNextWeek := func(wd time.Weekday) civil { return nextMonday.add((int(wd) + 6) % 7) }
	switch w[0] {
	case "today":
		return p.today, dayEnd, 1, nil
	case "tonight":
		return p.today, night, 1, nil
	case "tomorrow", "tmrw", "tmr", "tmw":
		return p.today.add(1), dayStart, 1, nil
	case "overmorrow":
		return p.today.add(2), dayStart, 1, nil
	case "yesterday":
		return p.today.add(-1), dayStart, 1, nil
	case "this":
		if len(w) < 2 {
			break
		}
		if wd, ok := weekdays[w[1]]; ok {
			return p.today.add(p.today.untilWeekday(wd, false)), dayStart, 2, nil
		}
		if w[1] == "weekend" {
			switch p.today.weekday() {
			case time.Sunday:
				return p.today, dayStart, 2, nil // refused once its time has passed, as today is
			case time.Saturday:
				// Once Saturday's start has gone by, Sunday is what is left
				// of this weekend.
				if t, err := p.at(p.today, dayStart); err == nil && !t.After(p.now) {
					return p.today.add(1), dayStart, 2, nil
				}
			}
			return p.today.add(p.today.untilWeekday(time.Saturday, false)), dayStart, 2, nil
		}
		if w[1] == "coming" && len(w) >= 3 {
			if d, k, n, err := p.date(w[1:]); err == nil {
				return d, k, n + 1, nil
			}
		}
	case "the":
		if len(w) >= 3 && w[1] == "next" && businessDayWords(w[2:]) > 0 { // "by the next business day"
			d, k, n, err := p.date(w[1:])
			return d, k, n + 1, err
		}
	case "coming":
		if len(w) >= 2 {
			if wd, ok := weekdays[w[1]]; ok {
				return p.today.add(p.today.untilWeekday(wd, true)), dayStart, 2, nil
			}
		}
	case "next":
		if len(w) < 2 {
			break
		}
		if wd, ok := weekdays[w[1]]; ok {
			return p.today.add(p.today.untilWeekday(wd, true)), dayStart, 2, nil
		}
		if n := businessDayWords(w[1:]); n > 0 {
			d, err := p.nextWorkday()
			return d, dayStart, n + 1, err
		}
		switch w[1] {
		case "week":
			if len(w) >= 3 {
				if wd, ok := weekdays[w[2]]; ok {
					return inNextWeek(wd), dayStart, 3, nil
				}
			}
			return nextMonday, dayStart, 2, nil
		case "weekend":
			return inNextWeek(time.Saturday), dayStart, 2, nil
		case "month":
			return periodStart(p.today, 1).addMonths(1), dayStart, 2, nil
		case "quarter":
			return periodStart(p.today, 3).addMonths(3), dayStart, 2, nil
		case "year":
			return periodStart(p.today, 12).addMonths(12), dayStart, 2, nil
		}
	default:
		if wd, ok := weekdays[w[0]]; ok {
			if len(w) >= 3 && w[1] == "next" && w[2] == "week" {
				return inNextWeek(wd), dayStart, 3, nil
			}
			return p.today.add(p.today.untilWeekday(wd, true)), dayStart, 1, nil
		}
		if isISODate(w[0]) {
			d, err := isoDate(w[0])
			return d, dayStart, 1, err
		}
	}
	return civil{}, clock{}, 0, errUnknown
}

// businessDayWords is how many words at the start of w say "business
// day" (or "working day", "workday"), or 0.
func businessDayWords(w []string) int {
	switch {
	case len(w) >= 2 && businessDay[w[0]+" "+w[1]]:
		return 2
	case len(w) >= 1 && businessDay[w[0]]:
		return 1
	}
	return 0
}

// businessDay are the words for one working day ("next business day").
var businessDay = map[string]bool{"business day": true, "working day": true, "workday": true, "work day": true}

// nextWorkday is the first day after today that is a working day by
// KEPT_WORK_HOURS.
func (p phraseParser) nextWorkday() (civil, error) {
	if p.work.IsZero() {
		return civil{}, refuse(ErrNoTime, "No day is a working day in this workspace's KEPT_WORK_HOURS, so there is no next business day. Give a day, such as “tomorrow” or “monday”.")
	}
	d := p.today.add(1)
	for !p.work.Workday(d.weekday()) {
		d = d.add(1)
	}
	return d, nil
}

// isoDate reads "2026-12-01", refusing a date that does not exist
// ("2026-02-30", "2026-13-01") with the reason.
func isoDate(s string) (civil, error) {
	y, m, d := atoi(s[:4]), atoi(s[5:7]), atoi(s[8:])
	switch {
	case m < 1 || m > 12:
		return civil{}, refuse(ErrNoTime, fmt.Sprintf("That date does not exist: there is no month %d. Months go from 01 to 12, such as “%d-12-01”.", m, y))
	case d < 1 || d > daysIn(y, time.Month(m)):
		return civil{}, refuse(ErrNoTime, fmt.Sprintf("That date does not exist: %s %d has %d days.", time.Month(m), y, daysIn(y, time.Month(m))))
	}
	return civil{y, time.Month(m), d}, nil
}

// dayOfMonthWords reads "the 15th", "15th", "the 15th of the month", and
// "the 5th of this month" and "of next month", for which months is 0 or
// 1 (the month is named) rather than -1 (the next that has the day).
func dayOfMonthWords(w []string) (n, months int, ok bool) {
	if len(w) > 0 && w[0] == "the" {
		w = w[1:]
	}
	if len(w) == 0 {
		return 0, 0, false
	}
	n, ok = ordinal(w[0])
	if !ok {
		return 0, 0, false
	}
	switch rest := joinWords(w[1:]); rest {
	case "", "of the month":
		return n, -1, true
	case "of this month", "of the current month":
		return n, 0, true
	case "of the next month", "of next month":
		return n, 1, true
	}
	return 0, 0, false
}

// dayOfMonth is day n of this month (months 0) or the next (1), or, for
// months -1, the next day n of a month whose time k is still ahead: this
// month's, else the next month's that has such a day ("the 31st" said in
// November is 31 December).
func (p phraseParser) dayOfMonth(n, months int, k clock) (reading, error) {
	first := civil{p.today.y, p.today.m, 1}
	if months >= 0 {
		c := first.addMonths(months)
		if n > daysIn(c.y, c.m) {
			return reading{}, refuse(ErrNoTime, fmt.Sprintf("%s %d has no %d%s; it has %d days.", c.m, c.y, n, ordinalSuffix(n), daysIn(c.y, c.m)))
		}
		c.d = n
		t, err := p.at(c, k)
		return reading{due: t}, err
	}
	for i := range 13 {
		c := first.addMonths(i)
		if n > daysIn(c.y, c.m) {
			continue
		}
		c.d = n
		t, err := p.at(c, k)
		if err != nil || t.After(p.now) {
			return reading{due: t}, err
		}
	}
	return reading{}, errUnknown // not reached: every year has a 31st
}

type unit int

const (
	minute unit = iota
	hour
	day
	week
	fortnight
	month
	year
)

var units = map[string]unit{
	"m": minute, "min": minute, "mins": minute, "minute": minute, "minutes": minute,
	"h": hour, "hr": hour, "hrs": hour, "hour": hour, "hours": hour,
	"d": day, "day": day, "days": day,
	"w": week, "wk": week, "wks": week, "week": week, "weeks": week, "fortnight": fortnight, "fortnights": fortnight,
	"mo": month, "mos": month, "month": month, "months": month,
	"y": year, "yr": year, "yrs": year, "year": year, "years": year,
}

// maxYears bounds how far ahead a due time may be; beyond it a phrase is
// more likely a typo than a plan.
const maxYears = 100

func (p phraseParser) checkRange(t time.Time) (reading, error) {
	if t.Year()-p.now.Year() > maxYears {
		return reading{}, refuse(ErrNoTime, fmt.Sprintf("That is more than %d years ahead.", maxYears))
	}
	return reading{due: t}, nil
}
