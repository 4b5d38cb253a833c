package duetime

import (
	"cmp"
	"strconv"
	"strings"
	"time"

	"github.com/keptbot/kept/workhours"
)

type kind int

const (
	daily kind = iota
	weekly
	monthly
	yearly
)

// weekdaySet is a set of weekdays, bit d for time.Weekday d.
type weekdaySet uint8

func (s weekdaySet) has(d time.Weekday) bool { return s&(1<<d) != 0 }
func setOf(d time.Weekday) weekdaySet        { return 1 << d }

const monToFri weekdaySet = 1<<time.Monday | 1<<time.Tuesday | 1<<time.Wednesday | 1<<time.Thursday | 1<<time.Friday

// mondayFirst is the order in which a week's days are listed and counted.
var mondayFirst = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// Recurrence is a parsed repeating schedule: every n days; every n weeks
// on one or more weekdays ("every monday and thursday", "every weekday");
// every n months on a day of the month; or every n years on a date; at a
// wall-clock time (9:00 unless one is given). The zero Recurrence repeats
// every day at midnight.
//
// A schedule parsed from "every 2 weeks", "every month" or "every year"
// names no day; Next then keeps those of the occurrence it counts from.
// Split fixes them from its first occurrence instead and says so in the
// canonical text ("every 2 weeks on monday 9am"), so that a series never
// drifts, for instance from the 31st to the 30th after a short month.
type Recurrence struct {
	kind  kind
	every int        // the interval in days, weeks, months or years; 0 counts as 1
	days  weekdaySet // weekly: the days; 0 when not named
	day   int        // monthly and yearly: the day of the month, 1 to 31; 0 when not named
	month time.Month // yearly: the month; 0 when not named
	at    clock
}

// ParseRecurrence reads a repeating schedule: the canonical text that
// String and Split return, and what people type, such as "every monday at
// 10am", "every mon, wed and fri", "every other week", "every weekday
// 4pm", "every month on the 1st", "every year on mar 1", "daily at 9am".
// "every business day" counts Monday to Friday here; Read counts the days
// of KEPT_WORK_HOURS. The error wraps ErrNoTime.
func ParseRecurrence(s string) (Recurrence, error) {
	r, _, err := parseRecurrence(words(s), workhours.Default)
	if err != nil {
		if _, ok := err.(*Refusal); ok {
			return Recurrence{}, err
		}
		return Recurrence{}, refuse(ErrNoTime, "“"+s+"” is not a repeating schedule such as “every monday 10am”.")
	}
	return r, nil
}

// maxEvery bounds the interval; "every 1000 days" is a typo.
const maxEvery = 999

// periods are the one-word schedules, as the words they stand for.
var periods = map[string][]string{
	"daily": {"every", "day"}, "weekly": {"every", "week"}, "monthly": {"every", "month"},
	"yearly": {"every", "year"}, "annually": {"every", "year"}, "fortnightly": {"every", "2", "weeks"},
}

// isRecurrence reports whether w is phrased as a repeating schedule: it
// starts with "every" or a period ("daily"), perhaps after a time ("at
// 3pm every day") or "on" ("on every 10th").
func isRecurrence(w []string) bool {
	if len(w) > 0 && w[0] == "on" {
		w = w[1:]
	}
	if _, n, ok := clockAt(w); ok {
		w = w[n:]
	}
	if len(w) == 0 {
		return false
	}
	_, period := periods[w[0]]
	return w[0] == "every" || period || w[0] == "hourly" || w[0] == "biweekly"
}

// parseRecurrence reads a repeating schedule. open reports one whose phase
// comes from the day it starts: "every 2 days", "every week", "every
// month", "every year".
func parseRecurrence(w []string, work workhours.Hours) (r Recurrence, open bool, err error) {
	if len(w) > maxWords {
		return Recurrence{}, false, errUnknown
	}
	if len(w) > 0 && w[0] == "on" {
		w = w[1:]
	}
	r.at = dayStart
	hasClock := false
	if k, n, ok := clockAt(w); ok && n < len(w) { // "at 3pm every day"
		r.at, hasClock, w = k, true, w[n:]
	}
	if len(w) == 0 {
		return Recurrence{}, false, errUnknown
	}
	switch w[0] {
	case "hourly":
		return Recurrence{}, false, refuse(ErrNoTime, "Kept repeats a promise at most once a day.")
	case "biweekly":
		return Recurrence{}, false, refuse(ErrNoTime, "“biweekly” means twice a week to some people and every two weeks to others. Say “every 2 weeks” or “every monday and thursday”.")
	}
	if p, ok := periods[w[0]]; ok {
		w = append(append([]string{}, p...), w[1:]...)
	}
	if len(w) < 2 || w[0] != "every" {
		return Recurrence{}, false, errUnknown
	}
	rest := w[1:]
	r.every = 1
	if rest[0] == "other" {
		r.every, rest = 2, rest[1:]
	} else if n, ok := number(rest[0]); ok && len(rest) > 1 && rest[0] != "a" {
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
	two := unitWord
	if len(rest) > 0 {
		two = unitWord + " " + rest[0]
	}
	switch {
	case unitWord == "day" || unitWord == "days":
		r.kind = daily
		open = r.every > 1
	case unitWord == "morning" || unitWord == "afternoon" || unitWord == "evening" || unitWord == "night":
		if hasClock {
			return Recurrence{}, false, errUnknown
		}
		r.kind, r.at, hasClock = daily, cmp.Or(namedClocks[unitWord], nightClock), true
		open = r.every > 1
	case unitWord == "hour" || unitWord == "hours" || unitWord == "minute" || unitWord == "minutes":
		return Recurrence{}, false, refuse(ErrNoTime, "Kept repeats a promise at most once a day.")
	case unitWord == "weekday" || unitWord == "weekdays":
		if r.every != 1 {
			return Recurrence{}, false, errUnknown
		}
		r.kind, r.days = weekly, monToFri
	case businessDays[two] || businessDays[unitWord]:
		if r.every != 1 {
			return Recurrence{}, false, errUnknown
		}
		if businessDays[two] && !businessDays[unitWord] {
			rest = rest[1:]
		}
		for _, d := range mondayFirst {
			if work.Workday(d) {
				r.days |= setOf(d)
			}
		}
		if r.days == 0 {
			return Recurrence{}, false, refuse(ErrNoTime, "No day is a working day in this workspace's KEPT_WORK_HOURS.")
		}
		r.kind = weekly
	case unitWord == "weekend" || unitWord == "weekends":
		r.kind, r.days = weekly, setOf(time.Saturday)|setOf(time.Sunday)
	case unitWord == "week" || unitWord == "weeks" || unitWord == "fortnight":
		if unitWord == "fortnight" {
			if r.every != 1 {
				return Recurrence{}, false, errUnknown
			}
			r.every = 2
		}
		r.kind = weekly
		if len(rest) > 0 && rest[0] == "on" {
			rest = rest[1:]
		}
		r.days, rest = daySet(rest)
		open = r.days == 0
	case unitWord == "month" || unitWord == "months":
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
	case unitWord == "year" || unitWord == "years":
		r.kind = yearly
		if len(rest) > 0 && rest[0] == "on" {
			rest = rest[1:]
		}
		if m, d, n, ok := monthAndDay(rest); ok {
			r.month, r.day, rest = m, d, rest[n:]
		}
		open = r.month == 0
	default:
		if m, d, n, ok := monthAndDay(append([]string{unitWord}, rest...)); ok { // "every mar 1"
			if r.every != 1 {
				return Recurrence{}, false, errUnknown
			}
			r.kind, r.month, r.day, rest = yearly, m, d, rest[n-1:]
			break
		}
		if d, ok := ordinal(unitWord); ok { // "every 10th [of the month]"
			if r.every != 1 {
				return Recurrence{}, false, errUnknown
			}
			r.kind, r.day = monthly, d
			if s := joinWords(rest); strings.HasPrefix(s, "of the month") || strings.HasPrefix(s, "of every month") || strings.HasPrefix(s, "of each month") {
				rest = rest[3:]
			}
			break
		}
		set, after := daySet(append([]string{unitWord}, rest...))
		if set == 0 {
			return Recurrence{}, false, errUnknown
		}
		r.kind, r.days, rest = weekly, set, after
	}
	if r.day > 0 && r.kind == yearly && r.day > daysIn(2000, r.month) {
		return Recurrence{}, false, refuse(ErrNoTime, r.month.String()+" has no day "+strconv.Itoa(r.day)+".")
	}
	if len(rest) > 0 {
		if hasClock {
			return Recurrence{}, false, errUnknown
		}
		k, ok := clockTail(rest)
		if len(rest) == 1 && rest[0] == "night" { // "every friday night"
			k, ok = nightClock, true
		}
		if !ok {
			return Recurrence{}, false, errUnknown
		}
		r.at = k
	}
	if err := ambiguous(r.at); err != nil {
		return Recurrence{}, false, err
	}
	r.at.twelve = false // said on the 24-hour clock: canonical, as String writes it
	return r, open, nil
}

// daySet reads weekdays at the start of w: "monday and thursday", "mon
// wed fri" (commas are gone by now), "mondays". It returns the set and
// the words after it; a trailing "and" is not taken.
func daySet(w []string) (weekdaySet, []string) {
	var set weekdaySet
	i := 0
	for i < len(w) {
		s := w[i]
		if s == "and" && set != 0 && i+1 < len(w) && isWeekdayOrPlural(w[i+1]) {
			i++
			continue
		}
		if !isWeekdayOrPlural(s) {
			break
		}
		set |= setOf(weekdayOrPlural(s))
		i++
	}
	return set, w[i:]
}

func isWeekdayOrPlural(s string) bool {
	if isWeekday(s) {
		return true
	}
	p, ok := strings.CutSuffix(s, "s")
	return ok && len(p) > 3 && isWeekday(p)
}

func weekdayOrPlural(s string) time.Weekday {
	if wd, ok := weekdays[s]; ok {
		return wd
	}
	return weekdays[strings.TrimSuffix(s, "s")]
}

// monthAndDay reads "mar 1", "march 1st", "the 1st of march", "1 march".
func monthAndDay(w []string) (m time.Month, d, n int, ok bool) {
	if len(w) >= 2 {
		if m, ok := months[w[0]]; ok {
			if d, ok := dayOfMonth(w[1]); ok {
				return m, d, 2, true
			}
		}
	}
	i := 0
	if len(w) > 0 && w[0] == "the" {
		i++
	}
	if len(w) >= i+2 {
		if d, ok := dayOfMonth(w[i]); ok {
			j := i + 1
			if w[j] == "of" {
				j++
			}
			if j < len(w) {
				if m, ok := months[w[j]]; ok {
					return m, d, j + 1, true
				}
			}
		}
	}
	return 0, 0, 0, false
}

// String returns the canonical text, which ParseRecurrence reads back:
// "every monday 10am", "every monday and thursday 10am", "every 2 weeks on
// monday 9am", "every weekday 4pm", "every month on the 1st 9am", "every
// year on mar 1 9am".
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
	case weekly:
		switch {
		case r.days == monToFri && n == 1:
			b.WriteString("weekday")
		case r.days != 0 && n == 1:
			b.WriteString(r.days.String())
		case r.days != 0:
			plural("week")
			b.WriteString(" on " + r.days.String())
		default:
			plural("week")
		}
	case monthly:
		plural("month")
		if r.day > 0 {
			b.WriteString(" on the " + strconv.Itoa(r.day) + ordinalSuffix(r.day))
		}
	case yearly:
		plural("year")
		if r.month != 0 {
			b.WriteString(" on " + strings.ToLower(r.month.String()[:3]) + " " + strconv.Itoa(r.day))
		}
	}
	b.WriteString(" " + r.at.String())
	return b.String()
}

// String lists the days: "monday", "monday and thursday", "monday,
// wednesday and friday".
func (s weekdaySet) String() string {
	var names []string
	for _, d := range mondayFirst {
		if s.has(d) {
			names = append(names, strings.ToLower(d.String()))
		}
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Next returns the first occurrence strictly after after, computed on the
// wall clock of loc (nil means UTC), so 9:00 stays 9:00 across DST. An
// occurrence whose time a clock change skips (2:30 on a spring-forward
// night) is as far past the gap as it was into it (3:30), never an hour
// early; one the clocks show twice is the first.
//
// after is taken to be the previous occurrence, as the scheduled time and
// not when someone clicked, so a series never drifts. With an interval
// ("every 2 weeks") Next skips to the slot that many days, weeks, months
// or years on from after's own; only when after is still before its own
// period's slot is that slot returned. A week's period starts on its first
// day in Monday-first order, so "every 2 weeks on monday and thursday"
// after a Thursday skips the next Monday. A day of the month that a month
// lacks is clamped to its last day: "every month on the 31st" falls on 30
// April and 28 February and returns to the 31st in March; "every year on
// feb 29" is 28 February outside leap years.
func (r Recurrence) Next(after time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	a := after.In(loc)
	today := civilOf(a)
	n := max(r.every, 1)
	var slots func(k int) []civil
	switch r.kind {
	case daily:
		slots = func(k int) []civil { return []civil{today.add(k)} }
	case weekly:
		set := r.days
		if set == 0 {
			set = setOf(a.Weekday())
		}
		var first time.Weekday
		for _, d := range mondayFirst {
			if set.has(d) {
				first = d
				break
			}
		}
		// The most recent first day, today included, starts the period.
		start := today.add(-((int(today.weekday()) - int(first) + 7) % 7))
		slots = func(k int) []civil {
			var cs []civil
			for o := range 7 {
				if set.has(time.Weekday((int(first) + o) % 7)) {
					cs = append(cs, start.add(7*k+o))
				}
			}
			return cs
		}
	case monthly:
		dom := today.d
		if r.day > 0 {
			dom = r.day
		}
		first := civil{today.y, today.m, 1}
		slots = func(k int) []civil {
			c := first.addMonths(k)
			return []civil{{c.y, c.m, min(dom, daysIn(c.y, c.m))}}
		}
	case yearly:
		m, dom := today.m, today.d
		if r.month != 0 {
			m, dom = r.month, r.day
		}
		slots = func(k int) []civil {
			y := today.y + k
			return []civil{{y, m, min(dom, daysIn(y, m))}}
		}
	}
	// Slots only move forward, so this ends after a step or two; the bound
	// only guards against times near the edge of what time.Time can hold.
	var t time.Time
	for k := 0; k <= 10*n; k += n {
		for _, c := range slots(k) {
			if t, _ = wallTime(c, r.at, loc); t.After(a) {
				return t
			}
		}
	}
	return t
}

// start fixes an open schedule's weekday, day of the month or date from
// now and returns it with its first occurrence. An open schedule starts
// one interval from today ("every 2 weeks" on a Monday: the Monday after
// next, at 9:00); one that names its day starts at the first slot after
// now ("every friday": this Friday, 9:00).
func (r Recurrence) start(open bool, now time.Time, loc *time.Location) (Recurrence, time.Time) {
	now = now.In(loc)
	today := civilOf(now)
	switch {
	case r.kind == weekly && r.days == 0:
		r.days = setOf(today.weekday())
	case r.kind == monthly && r.day == 0:
		r.day = today.d
	case r.kind == yearly && r.month == 0:
		r.month, r.day = today.m, today.d
	}
	if open {
		t, _ := wallTime(today, r.at, loc)
		return r, r.Next(t, loc)
	}
	once := r
	once.every = 1
	return r, once.Next(now, loc)
}
