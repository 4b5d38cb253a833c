package duetime

import "time"

// Format writes t on the wall clock of loc, with the year when it is not
// now's year there: "Fri 27 Nov 17:00 EST", "Tue 5 Jan 2027 09:00 EST".
// It is the one way Kept writes a time in text, so that every message,
// list, card and reminder shows the year when it matters. A nil loc means
// UTC.
func Format(t, now time.Time, loc *time.Location) string {
	return withYear(t, now, loc, "Mon 2 Jan 15:04 MST", "Mon 2 Jan 2006 15:04 MST")
}

// FormatDay writes the day of t in loc, with the year when it is not now's
// year there: "Mon 7 Dec", "Mon 3 Jan 2028".
func FormatDay(t, now time.Time, loc *time.Location) string {
	return withYear(t, now, loc, "Mon 2 Jan", "Mon 2 Jan 2006")
}

func withYear(t, now time.Time, loc *time.Location, layout, yearLayout string) string {
	if loc == nil {
		loc = time.UTC
	}
	if t = t.In(loc); t.Year() != now.In(loc).Year() {
		return t.Format(yearLayout)
	}
	return t.Format(layout)
}
