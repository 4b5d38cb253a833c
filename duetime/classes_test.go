package duetime

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// classZones are the zones every class of phrase is checked in: half- and
// three-quarter-hour offsets, UTC+14, both hemispheres' DST, and none.
var classZones = []string{
	"UTC", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Adelaide", "Pacific/Kiritimati",
	"America/New_York", "Europe/Paris",
}

// moments are the wall-clock times each phrase is said at, in each zone:
// a fixed set of ordinary days, and the day before, of and after each of
// the zone's clock changes in 2026-2027, so every class is read on both
// sides of DST wherever there is DST.
func moments(t *testing.T, loc *time.Location) []time.Time {
	t.Helper()
	var ms []time.Time
	for _, s := range []string{
		"2026-11-23 10:00", // a Monday
		"2026-12-01 18:06", // after 17:00: bare parts of the day roll
		"2026-12-31 23:30", // the year's last half hour
		"2027-02-26 13:00", // a Friday after noon
		"2027-06-15 08:00",
	} {
		m, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, prev := start.In(loc).Zone()
	for u := start; u.Year() < 2028; u = u.Add(time.Hour) {
		_, off := u.In(loc).Zone()
		if off == prev {
			continue
		}
		prev = off
		y, m, d := u.In(loc).Date()
		for _, wall := range [][3]int{{-1, 10, 0}, {-1, 23, 30}, {0, 0, 30}, {0, 10, 0}, {1, 10, 0}} {
			ms = append(ms, time.Date(y, m, d+wall[0], wall[1], wall[2], 0, 0, loc))
		}
	}
	return ms
}

// oracle computes what a phrase should mean from first principles (days
// counted on the calendar, wall times checked against the zone), written
// apart from the grammar so that the two check each other.
type oracle struct {
	now time.Time
	loc *time.Location
}

type date struct {
	y int
	m time.Month
	d int
}

func (o oracle) today() date {
	y, m, d := o.now.In(o.loc).Date()
	return date{y, m, d}
}

func (d date) plus(n int) date {
	y, m, dd := time.Date(d.y, d.m, d.d+n, 12, 0, 0, 0, time.UTC).Date()
	return date{y, m, dd}
}

func (d date) weekday() time.Weekday {
	return time.Date(d.y, d.m, d.d, 12, 0, 0, 0, time.UTC).Weekday()
}

// expect is an expected answer: a time, a refusal, or a question.
type expect struct {
	due     time.Time
	err     error       // ErrGap, ErrPast, ErrNoTime: a refusal wrapping it
	choices []time.Time // a question
	repeat  bool
}

// wall is day d at h:mi in loc: the earliest instant showing it, or a gap.
func (o oracle) wall(d date, h, mi int, loc *time.Location) expect {
	if loc == nil {
		loc = o.loc
	}
	t := time.Date(d.y, d.m, d.d, h, mi, 0, 0, loc)
	var best time.Time
	for _, delta := range []time.Duration{-time.Hour, -30 * time.Minute, 0, 30 * time.Minute, time.Hour} {
		c := t.Add(delta).In(loc)
		cy, cm, cd := c.Date()
		if cy == d.y && cm == d.m && cd == d.d && c.Hour() == h && c.Minute() == mi && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	if best.IsZero() {
		return expect{err: ErrGap}
	}
	return expect{due: best}
}

// at is day n after today, at h:mi.
func (o oracle) at(n, h, mi int) expect { return o.wall(o.today().plus(n), h, mi, nil) }

// next is the first weekday wd strictly after today, at h:mi.
func (o oracle) next(wd time.Weekday, h, mi int) expect {
	d := o.today().plus(1)
	for d.weekday() != wd {
		d = d.plus(1)
	}
	return o.wall(d, h, mi, nil)
}

// first is the first day from today that matches, whose h:mi is ahead.
func (o oracle) first(match func(date) bool, h, mi int, loc *time.Location) expect {
	if loc == nil {
		loc = o.loc
	}
	y, m, dd := o.now.In(loc).Date()
	d := date{y, m, dd}
	for range 800 {
		if match(d) {
			e := o.wall(d, h, mi, loc)
			if e.err != nil || e.due.After(o.now) {
				return e
			}
		}
		d = d.plus(1)
	}
	panic("no day matches")
}

func (o oracle) after(d time.Duration) expect { return expect{due: o.now.Add(d)} }

// monthDay is this year's m/d at 9:00; once gone by, next year's when
// that is nearer ahead than this year's is behind, or else a question
// offering next year's.
func (o oracle) monthDay(m time.Month, d int) expect {
	e := o.wall(date{o.today().y, m, d}, 9, 0, nil)
	if e.err != nil || e.due.After(o.now) {
		return e
	}
	n := o.wall(date{o.today().y + 1, m, d}, 9, 0, nil)
	if n.due.Sub(o.now) < o.now.Sub(e.due) {
		return n
	}
	return expect{choices: []time.Time{n.due}}
}

// businessDays is the nth Monday-to-Friday after today, at now's time.
func (o oracle) businessDays(n int, h, mi int) expect {
	d := o.today()
	for n > 0 {
		d = d.plus(1)
		if wd := d.weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	if h < 0 {
		l := o.now.In(o.loc)
		h, mi = l.Hour(), l.Minute()
	}
	return o.wall(d, h, mi, nil)
}

func weekdayIn(days ...time.Weekday) func(date) bool {
	return func(d date) bool {
		for _, wd := range days {
			if d.weekday() == wd {
				return true
			}
		}
		return false
	}
}

func dayIs(dom int) func(date) bool { return func(d date) bool { return d.d == dom } }
func every(date) bool               { return true }
func rec(e expect) expect           { e.repeat = true; return e }
func on(m time.Month, dom int) func(date) bool {
	return func(d date) bool { return d.m == m && d.d == dom }
}

// phraseClasses are the classes of issue 12, each phrase with the oracle
// for what it means.
var phraseClasses = []struct {
	class   string
	phrases []string
	want    func(o oracle) expect
}{
	{"day and part of day", []string{"tomorrow eod", "tomorrow end of day", "end of day tomorrow", "eod tomorrow", "tmrw cob"}, func(o oracle) expect { return o.at(1, 17, 0) }},
	{"day and part of day", []string{"friday eod", "eod friday", "friday at 5pm", "friday 17:00"}, func(o oracle) expect { return o.next(time.Friday, 17, 0) }},
	{"day and part of day", []string{"monday morning", "monday in the morning", "morning monday"}, func(o oracle) expect { return o.next(time.Monday, 9, 0) }},
	{"day and part of day", []string{"thursday afternoon"}, func(o oracle) expect { return o.next(time.Thursday, 14, 0) }},
	{"day and part of day", []string{"friday night", "friday evening 8pm"}, func(o oracle) expect { return o.next(time.Friday, 20, 0) }},
	{"bare part of day rolls", []string{"eod", "end of day", "cob", "5pm"}, func(o oracle) expect { return o.first(every, 17, 0, nil) }},
	{"bare part of day rolls", []string{"noon", "at noon", "12pm"}, func(o oracle) expect { return o.first(every, 12, 0, nil) }},
	{"bare part of day rolls", []string{"morning", "in the morning", "9am"}, func(o oracle) expect { return o.first(every, 9, 0, nil) }},
	{"durations", []string{"in 1.5 hours", "in 1h30m", "in 1 hour 30 minutes", "in 1 hour and 30 minutes", "in an hour and a half", "90m", "1.5h", "1h30m", "in 90 minutes"}, func(o oracle) expect { return o.after(90 * time.Minute) }},
	{"durations", []string{"2h", "in 2 hours", "in 2h", "120 minutes from now"}, func(o oracle) expect { return o.after(2 * time.Hour) }},
	{"durations", []string{"in 3 days", "3 days from now"}, func(o oracle) expect {
		l := o.now.In(o.loc)
		return o.at(3, l.Hour(), l.Minute())
	}},
	{"day of month", []string{"on the 15th", "the 15th", "15th"}, func(o oracle) expect { return o.first(dayIs(15), 9, 0, nil) }},
	{"day of month", []string{"the 3rd at 2pm", "2pm on the 3rd", "the 3rd 14:00"}, func(o oracle) expect { return o.first(dayIs(3), 14, 0, nil) }},
	{"day of month", []string{"the 31st"}, func(o oracle) expect { return o.first(dayIs(31), 9, 0, nil) }},
	{"working days", []string{"in 3 business days", "3 business days from now"}, func(o oracle) expect { return o.businessDays(3, -1, 0) }},
	{"working days", []string{"in 2 working days at 5pm", "in 2 workdays at 17:00"}, func(o oracle) expect { return o.businessDays(2, 17, 0) }},
	{"explicit zone", []string{"friday 5pm EST", "friday 5pm ET", "friday 5pm America/New_York"}, func(o oracle) expect {
		ny, _ := time.LoadLocation("America/New_York")
		return o.with(ny).next(time.Friday, 17, 0)
	}},
	{"explicit zone", []string{"3pm CET", "3pm Europe/Paris", "15:00 cest"}, func(o oracle) expect {
		paris, _ := time.LoadLocation("Europe/Paris")
		return o.first(every, 15, 0, paris)
	}},
	{"explicit zone", []string{"10:00 Europe/Paris"}, func(o oracle) expect {
		paris, _ := time.LoadLocation("Europe/Paris")
		return o.first(every, 10, 0, paris)
	}},
	{"explicit zone", []string{"9am utc", "9am gmt"}, func(o oracle) expect { return o.first(every, 9, 0, time.UTC) }},
	{"numeric date", []string{"12/25", "25/12", "dec 25"}, func(o oracle) expect { return o.monthDay(time.December, 25) }},
	{"numeric date", []string{"11/30", "30/11", "nov 30"}, func(o oracle) expect { return o.monthDay(time.November, 30) }},
	{"numeric date", []string{"3/4"}, func(o oracle) expect {
		var cs []time.Time
		for _, md := range [][2]int{{3, 4}, {4, 3}} {
			e := o.monthDay(time.Month(md[0]), md[1])
			cs = append(cs, e.due)
			if e.choices != nil {
				cs[len(cs)-1] = e.choices[0]
			}
		}
		if cs[1].Before(cs[0]) {
			cs[0], cs[1] = cs[1], cs[0]
		}
		return expect{choices: cs}
	}},
	{"numeric date", []string{"12/25/2027 3pm", "25/12/2027 at 3pm"}, func(o oracle) expect {
		return o.wall(date{2027, time.December, 25}, 15, 0, nil)
	}},
	{"recurrence", []string{"every monday and thursday 10am", "every mon and thu at 10am", "every mon/thu 10:00", "every thursday and monday at 10am"}, func(o oracle) expect {
		return rec(o.first(weekdayIn(time.Monday, time.Thursday), 10, 0, nil))
	}},
	{"recurrence", []string{"every mon, wed, fri", "every monday, wednesday and friday"}, func(o oracle) expect {
		return rec(o.first(weekdayIn(time.Monday, time.Wednesday, time.Friday), 9, 0, nil))
	}},
	{"recurrence", []string{"daily", "every day", "every morning", "daily at 9am"}, func(o oracle) expect { return rec(o.first(every, 9, 0, nil)) }},
	{"recurrence", []string{"every weekday at 8:50am", "every weekday 8:50am"}, func(o oracle) expect {
		return rec(o.first(weekdayIn(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday), 8, 50, nil))
	}},
	{"recurrence", []string{"every other wednesday", "every 2 weeks on wednesday", "every 2 weeks wednesday"}, func(o oracle) expect {
		return rec(o.first(weekdayIn(time.Wednesday), 9, 0, nil))
	}},
	{"recurrence", []string{"every year on mar 1", "every march 1st", "yearly on mar 1", "every 1st of march"}, func(o oracle) expect {
		return rec(o.first(on(time.March, 1), 9, 0, nil))
	}},
	{"recurrence", []string{"on every 10th", "every 10th", "every month on the 10th", "monthly on the 10th"}, func(o oracle) expect {
		return rec(o.first(dayIs(10), 9, 0, nil))
	}},
	{"recurrence", []string{"weekly on friday", "every friday", "every friday at 9am"}, func(o oracle) expect {
		return rec(o.first(weekdayIn(time.Friday), 9, 0, nil))
	}},
	// Slack /remind's documented forms (README, "Compared with Slack's /remind").
	{"/remind forms", []string{"in 5 minutes", "5m"}, func(o oracle) expect { return o.after(5 * time.Minute) }},
	{"/remind forms", []string{"at 4:30pm"}, func(o oracle) expect { return o.first(every, 16, 30, nil) }},
	{"/remind forms", []string{"tomorrow"}, func(o oracle) expect { return o.at(1, 9, 0) }},
	{"/remind forms", []string{"next thursday"}, func(o oracle) expect { return o.next(time.Thursday, 9, 0) }},
	{"/remind forms", []string{"on June 1st", "june 1", "1st of june"}, func(o oracle) expect { return o.monthDay(time.June, 1) }},
	{"/remind forms", []string{"every Monday", "every monday at 9am"}, func(o oracle) expect {
		return rec(o.first(weekdayIn(time.Monday), 9, 0, nil))
	}},
	{"/remind forms", []string{"06/01/2028"}, func(o oracle) expect {
		return expect{choices: []time.Time{o.wall(date{2028, 1, 6}, 9, 0, nil).due, o.wall(date{2028, 6, 1}, 9, 0, nil).due}}
	}},
	{"DST gap and overlap", []string{"tomorrow 2:30am", "tomorrow at 2:30am"}, func(o oracle) expect { return o.at(1, 2, 30) }},
	{"DST gap and overlap", []string{"tomorrow 1:30am"}, func(o oracle) expect { return o.at(1, 1, 30) }},
	// The forms people type that an earlier review found missing.
	{"next business day", []string{"next business day", "next working day", "by the next business day", "first thing next business day"}, func(o oracle) expect {
		return o.first(weekdayIn(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday), 9, 0, nil).after1(o)
	}},
	{"end of next week", []string{"end of next week", "by the end of next week", "friday next week 5pm"}, func(o oracle) expect {
		d := o.today().plus(1)
		for d.weekday() != time.Monday {
			d = d.plus(1)
		}
		return o.wall(d.plus(4), 17, 0, nil)
	}},
	{"part of day settles the clock", []string{"tonight at 9", "at 9 tonight", "today 9pm"}, func(o oracle) expect { return o.at(0, 21, 0) }},
	{"part of day settles the clock", []string{"tomorrow morning at 8", "tomorrow at 8 in the morning", "tomorrow 08:00"}, func(o oracle) expect { return o.at(1, 8, 0) }},
	{"part of day settles the clock", []string{"afternoon at 3", "at 1500", "3pm"}, func(o oracle) expect { return o.first(every, 15, 0, nil) }},
	{"counts in words", []string{"in twenty minutes", "within 20 minutes", "twenty minutes from now"}, func(o oracle) expect { return o.after(20 * time.Minute) }},
	{"counts in words", []string{"in a fortnight", "in two weeks", "within a fortnight"}, func(o oracle) expect {
		l := o.now.In(o.loc)
		return o.at(14, l.Hour(), l.Minute())
	}},
	{"a week from a day", []string{"a week from tomorrow", "seven days from tomorrow"}, func(o oracle) expect { return o.at(8, 9, 0) }},
	{"refused: ambiguous clock", []string{"tonight at 3", "12 midnight"}, func(o oracle) expect { return expect{err: ErrNoTime} }},
	{"refused: in the past", []string{"last friday", "last monday", "2 days ago"}, func(o oracle) expect { return expect{err: ErrPast} }},
	{"refused: ambiguous", []string{"friday midnight", "tomorrow at 5", "3pm IST", "biweekly", "every hour"}, func(o oracle) expect { return expect{err: ErrNoTime} }},
}

func (o oracle) with(loc *time.Location) oracle { return oracle{now: o.now, loc: loc} }

// after1 is e, or the next match when e falls today: "next business day"
// is never today. It assumes e came from first over weekdays at 9:00.
func (e expect) after1(o oracle) expect {
	if e.err != nil || e.due.In(o.loc).Format("2006-01-02") != o.now.In(o.loc).Format("2006-01-02") {
		return e
	}
	d := o.today().plus(1)
	for d.weekday() == time.Saturday || d.weekday() == time.Sunday {
		d = d.plus(1)
	}
	return o.wall(d, 9, 0, nil)
}

// TestPhraseClasses reads each class of phrase, alone (as snooze and move
// do) and at the end of a promise, in every zone at every moment, and
// compares what it means with the oracle.
func TestPhraseClasses(t *testing.T) {
	for _, name := range classZones {
		loc := zone(t, name)
		for _, now := range moments(t, loc) {
			o := oracle{now: now, loc: loc}
			for _, c := range phraseClasses {
				for _, phrase := range c.phrases {
					want := c.want(o)
					if want.err == nil && want.choices == nil && !want.due.After(now) {
						want = expect{err: ErrPast}
					}
					label := fmt.Sprintf("%s %s %q", name, now.Format("2006-01-02 15:04 MST"), phrase)
					got, err := ReadPhrase(phrase, now, loc, Options{})
					checkAnswer(t, c.class, label, got, err, want, loc)
					got, err = Read("send the quote "+phrase, now, loc, Options{})
					checkAnswer(t, c.class, label+" in a promise", got, err, want, loc)
					if err == nil && got.What != "send the quote" {
						t.Errorf("%s: %s: what = %q", c.class, label, got.What)
					}
				}
			}
		}
	}
}

func checkAnswer(t *testing.T, class, label string, got Answer, err error, want expect, loc *time.Location) {
	t.Helper()
	switch {
	case want.err != nil:
		if !errors.Is(err, want.err) || Reason(err) == "" {
			t.Errorf("%s: %s = %+v, %v; want a refusal wrapping %v", class, label, got, err, want.err)
		}
	case err != nil:
		t.Errorf("%s: %s: %v", class, label, err)
	case want.choices != nil:
		if got.Question == nil || len(got.Question.Choices) != len(want.choices) {
			t.Errorf("%s: %s = %+v; want a question with %v", class, label, got, want.choices)
			return
		}
		for i, c := range got.Question.Choices {
			if !c.Due.Equal(want.choices[i]) || c.Due.Location() != loc || c.Label == "" {
				t.Errorf("%s: %s choice %d = %+v, want %v", class, label, i, c, want.choices[i])
			}
			again, err := ReadPhrase(c.Phrase, c.Due.Add(-time.Minute), loc, Options{})
			if err != nil || !again.Due.Equal(c.Due) {
				t.Errorf("%s: %s choice phrase %q reads back as %v, %v", class, label, c.Phrase, again.Due, err)
			}
		}
	default:
		if got.Question != nil || !got.Due.Equal(want.due) || got.Due.Location() != loc {
			t.Errorf("%s: %s = %v (question %v), want %v", class, label, got.Due, got.Question, want.due.In(loc))
		}
		if (got.Repeat != "") != want.repeat {
			t.Errorf("%s: %s repeat = %q, want repeating %v", class, label, got.Repeat, want.repeat)
		}
	}
}
