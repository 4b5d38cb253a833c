package duetime

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrFuture means a phrase for when something happened names a time that
// is still ahead: what has not happened cannot be logged.
var ErrFuture = errors.New("duetime: time is in the future")

// ReadPast reads a phrase that says when something happened, as typed
// after a touch ("/touch Acme yesterday: …"), on loc's wall clock (nil
// means UTC), and returns that instant, never after now. It reads
//
//	today, yesterday                      "today" alone is now
//	this morning, this afternoon          today at 9:00, 14:00
//	monday, last monday, on monday        the latest Monday before today
//	3pm, at 15:30, noon                   today at that time
//	3 days ago, 2 weeks ago, an hour ago  days and weeks keep the wall clock
//	2026-11-28, nov 28, 28 november 2025  a month-day without a year is the latest one
//
// each of the day forms with a time before or after it ("yesterday 3pm",
// "monday at 10am", "2026-11-28 14:00"). A day without a time is 9:00, as
// in a promise, unless that is still ahead today. A phrase that names a
// time still ahead is refused with ErrFuture; one that is no time at all
// with ErrNoTime. Errors are *Refusal (see Reason).
func ReadPast(phrase string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	w := words(phrase)
	if len(w) > 1 && (w[0] == "on" || w[0] == "at") && !isClockWord(w[1]) {
		w = w[1:] // "on monday", but "at 3pm" is a clock
	}
	p := newPhraseParser(now, loc, Options{}.work())
	t, err := p.past(w)
	if errors.Is(err, errUnknown) {
		// A time ahead in the promise grammar ("tomorrow", "in 2 days")
		// is refused as ahead, not as unreadable.
		if r, rerr := p.read(w); rerr == nil && r.question == nil && r.due.After(p.now) {
			t, err = r.due, nil
		}
	}
	if errors.Is(err, errUnknown) {
		return time.Time{}, refuse(ErrNoTime, "“"+strings.TrimSpace(phrase)+"” is not a day I can read. Try “yesterday”, “monday 3pm”, “2 days ago” or “nov 28”.")
	}
	if err != nil {
		return time.Time{}, err
	}
	if t.After(p.now) {
		return time.Time{}, refuse(ErrFuture, Format(t, p.now, loc)+" is still ahead; only what has happened can be logged.")
	}
	return t.In(loc), nil
}

func isClockWord(s string) bool {
	_, ok := parseClock(s)
	return ok
}

// past reads w as an instant that may be anywhere in time; ReadPast
// refuses the future in one place.
func (p phraseParser) past(w []string) (time.Time, error) {
	if len(w) == 0 || len(w) > maxWords {
		return time.Time{}, errUnknown
	}
	if len(w) == 1 && w[0] == "today" || len(w) == 2 && w[0] == "just" && w[1] == "now" {
		return p.now, nil
	}
	if w[len(w)-1] == "ago" {
		return p.ago(w[:len(w)-1])
	}
	if md, ok := readMonthDate(w); ok {
		return p.pastMonthDate(md)
	}
	core, k, hasClock, err := splitClock(w)
	if err != nil {
		return time.Time{}, err
	}
	var d civil
	switch {
	case len(core) == 0:
		d = p.today
	case len(core) == 1 && core[0] == "this" && hasClock: // "this morning"
		d = p.today
	default:
		var found bool
		if d, found = p.pastDay(core); !found {
			return time.Time{}, errUnknown
		}
	}
	if !hasClock {
		k = dayStart
		if d == p.today && p.at9Ahead() {
			return p.now, nil // "today": 9:00 has not come yet
		}
	}
	return p.at(d, k)
}

// at9Ahead reports whether 9:00 today is still ahead of now.
func (p phraseParser) at9Ahead() bool {
	t, err := p.at(p.today, dayStart)
	return err == nil && t.After(p.now)
}

// pastDay reads a day, counted backwards: "yesterday", "monday", "last
// monday" (the latest Monday before today), or an ISO date.
func (p phraseParser) pastDay(w []string) (civil, bool) {
	back := func(wd time.Weekday) civil {
		n := (int(p.today.weekday()) - int(wd) + 7) % 7
		if n == 0 {
			n = 7
		}
		return p.today.add(-n)
	}
	switch {
	case len(w) == 1 && w[0] == "today":
		return p.today, true
	case len(w) == 1 && w[0] == "yesterday":
		return p.today.add(-1), true
	case len(w) == 1 && isWeekday(w[0]):
		return back(weekdays[w[0]]), true
	case len(w) == 2 && w[0] == "last" && isWeekday(w[1]):
		return back(weekdays[w[1]]), true
	case len(w) == 1 && isISODate(w[0]):
		t, err := time.Parse(time.DateOnly, w[0])
		return civilOf(t), err == nil
	}
	return civil{}, false
}

// ago reads "3 days", "2 weeks", "an hour", "90 minutes" before "ago":
// minutes and hours are elapsed time, days and weeks move the calendar
// and keep the wall-clock time, as "in 3 days" does.
func (p phraseParser) ago(w []string) (time.Time, error) {
	if len(w) != 2 {
		return time.Time{}, errUnknown
	}
	n, ok := number(w[0])
	u, isUnit := units[w[1]]
	if !ok || !isUnit || n < 0 || n > 3660 {
		return time.Time{}, errUnknown
	}
	switch u {
	case minute:
		return p.now.Add(-time.Duration(n) * time.Minute), nil
	case hour:
		return p.now.Add(-time.Duration(n) * time.Hour), nil
	case day:
		return p.sameWallTime(p.today.add(-n))
	case week:
		return p.sameWallTime(p.today.add(-7 * n))
	case fortnight:
		return p.sameWallTime(p.today.add(-14 * n))
	}
	return time.Time{}, refuse(ErrNoTime, fmt.Sprintf("Give a date rather than “%s ago”, such as “%s”.", joinWords(w), p.now.AddDate(0, -1, 0).Format("2006-01-02")))
}

// pastMonthDate places a month-day: in its year when one is given, else
// this year's, or last year's when this year's is still ahead.
func (p phraseParser) pastMonthDate(md monthDay) (time.Time, error) {
	y := p.today.y
	if md.hasYear {
		y = md.y
	}
	if md.d > daysIn(y, md.m) {
		return time.Time{}, refuse(ErrNoTime, fmt.Sprintf("%s %d has no day %d.", md.m, y, md.d))
	}
	t, err := p.at(civil{y, md.m, md.d}, md.k)
	if err == nil && !md.hasYear && t.After(p.now) && (civil{y, md.m, md.d}) != p.today {
		y--
		if md.d > daysIn(y, md.m) {
			return time.Time{}, refuse(ErrNoTime, fmt.Sprintf("%s %d has no day %d.", md.m, y, md.d))
		}
		t, err = p.at(civil{y, md.m, md.d}, md.k)
	}
	if err != nil {
		return time.Time{}, err
	}
	if c := civilOf(t); md.hasWeekday && md.wd != c.weekday() {
		return time.Time{}, refuse(ErrNoTime, fmt.Sprintf("%s %d %d is a %s, not a %s.", c.m.String()[:3], c.d, c.y, c.weekday(), md.wd))
	}
	return t, nil
}
