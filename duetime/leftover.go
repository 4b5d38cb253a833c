package duetime

import (
	"strings"
	"time"
)

// timeWords are words that belong to a time phrase wherever they stand.
// "may", "march", "sat" and "sun" are left out: they are ordinary words
// too ("I may call", "sat with Bob").
var timeWords = map[string]bool{
	"today": true, "tonight": true, "tomorrow": true, "tmrw": true, "tmr": true, "tmw": true, "yesterday": true,
	"overmorrow": true, "next": true, "last": true, "ago": true,
	"eod": true, "eow": true, "eom": true, "eoq": true, "eoy": true, "cob": true,
	"morning": true, "afternoon": true, "evening": true, "noon": true, "midday": true, "midnight": true,
	"every": true, "daily": true, "weekly": true, "monthly": true, "yearly": true, "annually": true,
	"fortnightly": true, "biweekly": true, "hourly": true, "weekday": true, "weekdays": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"mon": true, "tue": true, "tues": true, "wed": true, "weds": true, "thu": true, "thur": true, "thurs": true, "fri": true,
	"mondays": true, "tuesdays": true, "wednesdays": true, "thursdays": true, "fridays": true, "saturdays": true, "sundays": true,
	"jan": true, "january": true, "feb": true, "february": true, "mar": true, "apr": true, "april": true,
	"jun": true, "june": true, "jul": true, "july": true, "aug": true, "august": true,
	"sep": true, "sept": true, "september": true, "oct": true, "october": true,
	"nov": true, "november": true, "dec": true, "december": true,
}

// bridgeWords may stand inside a time phrase without being time words of
// their own ("the 3rd of", "in 2", "and"): a run of them, with time words,
// just before the phrase that was read is part of the same phrase.
var bridgeWords = map[string]bool{
	"the": true, "of": true, "and": true, "a": true, "an": true, "this": true, "from": true, "now": true,
	"end": true, "other": true, "half": true, "in": true, "business": true, "working": true, "work": true,
	"night": true, "week": true, "month": true, "quarter": true, "year": true, "o'clock": true,
}

// isTimeWord reports whether w[i] is a word of a time phrase on its own:
// a time word, a clock time, a date, a compact duration, "in 2 …", "at 5".
func isTimeWord(w []string, i int) bool {
	s := w[i]
	if timeWords[s] || isISODate(s) || isSlashDate(s) {
		return true
	}
	if _, ok := parseClock(s); ok {
		_, named := namedClocks[s]
		return !named || timeWords[s] // "game night friday": night is a noun too
	}
	if _, ok := compactSpan(s, false); ok {
		return true
	}
	if (s == "in" || s == "at" || s == "within") && i+1 < len(w) && isAmount(w[i+1]) {
		return true
	}
	_, zone := zoneAbbrevs[s]
	return zone && i > 0 && isTimeWord(w, i-1)
}

func isBridge(s string) bool {
	if bridgeWords[s] || glue[s] || isAmount(s) || isUnit(s) || isYear(s) {
		return true
	}
	_, ok := ordinal(s)
	return ok
}

// halfRead refuses a reading when the words just before its phrase are
// part of a time phrase: in "tomorrow eod" read as "eod" alone, or "every
// monday and thursday 10am" read as "thursday 10am", the person said more
// than Kept understood.
func halfRead(before string, a Answer, now time.Time, loc *time.Location) error {
	if starts := suffixStarts(before, maxWords); len(starts) > 0 {
		before = before[starts[0]:] // a time phrase is never longer than this
	}
	w := words(before)
	start, found := len(w), false
	for i := len(w) - 1; i >= 0; i-- {
		if isTimeWord(w, i) {
			start, found = i, true
			continue
		}
		if !isBridge(w[i]) {
			break
		}
		start = i
	}
	if !found {
		return nil
	}
	left := w[start:]
	for len(left) > 0 && !isTimeWord(left, 0) {
		left = left[1:]
	}
	whole := strings.Join(left, " ") + " " + a.Phrase
	if isRecurrence(left) || strings.Contains(" "+strings.Join(left, " ")+" ", " every ") {
		return refuse(ErrHalfRead, recurrenceRefusal(whole).(*Refusal).Reason)
	}
	read := "“" + a.Phrase + "”"
	if a.Question == nil {
		read += " as " + Format(a.Due, now, loc)
	}
	return refuse(ErrHalfRead, "I read "+read+" but not “"+strings.Join(left, " ")+"” before it, so I may have misread “"+whole+"”. Write the time as one phrase, such as “tomorrow eod”, “friday 5pm” or “every monday and thursday 10am”.")
}
