package duetime

import (
	"strconv"
	"strings"
	"time"
)

// words lower-cases a phrase and cuts it into words. Commas separate words
// ("dec 3, 2026"), a.m./p.m. become am/pm, sentence punctuation at the end
// of a word is dropped, "3 pm" becomes "3pm" and an ISO "2026-12-01T14:00"
// becomes two words, so the grammar below sees one spelling of each thing.
func words(s string) []string { return join(split(s, nil)) }

// split is the part of words that looks at one typed word at a time, with
// what it cuts appended to w: so the split of a text is the splits of its
// words end to end, and Read splits each word once for all the suffixes
// it tries (suffixWords) instead of once per suffix.
func split(s string, w []string) []string {
	s = strings.ToLower(foldWidth(s))
	if strings.ContainsAny(s, ",.&") { // the replacer copies s even when nothing matches
		s = wordReplacer.Replace(s)
	}
	for f := range strings.FieldsSeq(s) {
		f = strings.TrimRight(strings.TrimLeft(f, opening), closing)
		if at, ok := strings.CutPrefix(f, "@"); ok && (at == "" || isClockWord(at) || allDigits(at[:1])) {
			w = append(w, "at") // "@ 3pm", "@3pm": at
			f = at
		}
		if f == "" {
			continue
		}
		f = slashISO(f)
		if len(f) > 11 && f[10] == 't' && isISODate(f[:10]) {
			w = append(w, f[:10], f[11:])
			continue
		}
		if days, ok := weekdayList(f); ok { // "mon/wed/fri"
			w = append(w, days...)
			continue
		}
		w = append(w, f)
	}
	return w
}

// join is the part of words that looks at neighbours: "3 pm" becomes
// "3pm", "forty five" "forty-five", and the spellings of several words
// become one. It does not
// change split.
func join(split []string) []string {
	w := make([]string, 0, len(split))
	for _, f := range split {
		if (f == "am" || f == "pm") && len(w) > 0 && isDigitsColon(w[len(w)-1]) {
			w[len(w)-1] += f
			continue
		}
		if len(w) > 0 {
			if n, ok := compoundNumber(w[len(w)-1], f); ok { // "forty five"
				w[len(w)-1] = n
				continue
			}
		}
		w = append(w, f)
	}
	return normalize(w)
}

// suffix is one candidate time phrase of Read: the text from byte start
// on, split; join(split) is words(text[start:]).
type suffix struct {
	start int
	split []string
}

// suffixWords returns the suffixes of text that start at one of its last n
// words and are at most maxBytes long, longest first. Each typed word is
// split once for all of them; only the joining, which looks at neighbours,
// is left to do per suffix, and only for those Read gets to.
func suffixWords(text string, n, maxBytes int) []suffix {
	starts := suffixStarts(text, n)
	for len(starts) > 0 && len(text)-starts[0] > maxBytes {
		starts = starts[1:]
	}
	at := make([]int, len(starts)) // where word j's split begins in flat
	var flat []string
	for j, i := range starts {
		end := len(text)
		if j+1 < len(starts) {
			end = starts[j+1]
		}
		at[j] = len(flat)
		flat = split(text[i:end], flat)
	}
	out := make([]suffix, len(starts))
	for j, i := range starts {
		out[j] = suffix{start: i, split: flat[at[j]:]}
	}
	return out
}

var wordReplacer = strings.NewReplacer(",", " ", "a.m.", "am", "p.m.", "pm", "&", " and ")

// opening and closing are the quotes and brackets a time may be wrapped
// in ("(friday)", "“tomorrow 3pm”") and the punctuation a sentence ends
// with ("tomorrow!", "friday."), taken off the edges of each word.
const (
	opening = "\"'“‘«([{"
	closing = "\"'”’».!?;:)]}"
)

// foldWidth writes full-width forms ("１５:３０", "ＦＲＩＤＡＹ"), as East
// Asian keyboards type them, as their ASCII letters and digits.
func foldWidth(s string) string {
	if !strings.ContainsFunc(s, isFullWidth) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFullWidth(r) {
			return r - 0xFF01 + '!'
		}
		return r
	}, s)
}

func isFullWidth(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E }

// slashISO writes a date written year first with slashes, "2026/12/01"
// or "2026/12/1", as the ISO date "2026-12-01"; other words are as they
// were.
func slashISO(f string) string {
	if len(f) < 8 || len(f) > 10 || f[4] != '/' || !allDigits(f[:4]) {
		return f
	}
	m, d, ok := strings.Cut(f[5:], "/")
	if !ok || len(m) < 1 || len(m) > 2 || len(d) < 1 || len(d) > 2 || !allDigits(m) || !allDigits(d) {
		return f
	}
	return f[:4] + "-" + twoDigits(atoi(m)) + "-" + twoDigits(atoi(d))
}

// weekdayList cuts "mon/wed/fri" into its days; it is not a numeric date.
func weekdayList(f string) ([]string, bool) {
	if !strings.Contains(f, "/") {
		return nil, false
	}
	parts := strings.Split(f, "/")
	for _, p := range parts {
		if !isWeekday(p) {
			return nil, false
		}
	}
	return parts, true
}

// spellings are the phrases of several words that mean one thing, as the
// single word the grammar reads: "end of the day" is "eod".
var spellings = withThe([]struct{ from, to []string }{
	{strings.Fields("end of next week"), []string{"next", "eow"}},
	{strings.Fields("end of the next week"), []string{"next", "eow"}},
	{strings.Fields("end of next month"), []string{"next", "eom"}},
	{strings.Fields("end of the next month"), []string{"next", "eom"}},
	{strings.Fields("end of the day"), []string{"eod"}},
	{strings.Fields("end of day"), []string{"eod"}},
	{strings.Fields("end of business"), []string{"cob"}},
	{strings.Fields("close of business"), []string{"cob"}},
	{strings.Fields("end of today"), []string{"today", "eod"}},
	{strings.Fields("end of tomorrow"), []string{"tomorrow", "eod"}},
	{strings.Fields("end of the week"), []string{"eow"}},
	{strings.Fields("end of this week"), []string{"eow"}},
	{strings.Fields("end of week"), []string{"eow"}},
	{strings.Fields("end of the month"), []string{"eom"}},
	{strings.Fields("end of this month"), []string{"eom"}},
	{strings.Fields("end of month"), []string{"eom"}},
	{strings.Fields("end of next quarter"), []string{"next", "eoq"}},
	{strings.Fields("end of the next quarter"), []string{"next", "eoq"}},
	{strings.Fields("end of the quarter"), []string{"eoq"}},
	{strings.Fields("end of this quarter"), []string{"eoq"}},
	{strings.Fields("end of quarter"), []string{"eoq"}},
	{strings.Fields("end of next year"), []string{"next", "eoy"}},
	{strings.Fields("end of the next year"), []string{"next", "eoy"}},
	{strings.Fields("end of the year"), []string{"eoy"}},
	{strings.Fields("end of this year"), []string{"eoy"}},
	{strings.Fields("end of year"), []string{"eoy"}},
	{strings.Fields("in the morning"), []string{"morning"}},
	{strings.Fields("in the afternoon"), []string{"afternoon"}},
	{strings.Fields("in the evening"), []string{"evening"}},
	{strings.Fields("at night"), []string{"night"}},
	{strings.Fields("at noon"), []string{"noon"}},
	{strings.Fields("12 noon"), []string{"noon"}},
	{strings.Fields("12 midnight"), []string{"midnight"}},
	{strings.Fields("a couple of"), []string{"2"}},
	{strings.Fields("a couple"), []string{"2"}},
	{strings.Fields("within the hour"), []string{"within", "an", "hour"}},
	{strings.Fields("the day after tomorrow"), []string{"overmorrow"}},
	{strings.Fields("day after tomorrow"), []string{"overmorrow"}},
	{strings.Fields("later today"), []string{"today"}},
	{strings.Fields("first thing"), []string{"firstthing"}},
})

// withThe adds "the end of …" for each "end of …": "by the end of the
// week" is "by end of week".
func withThe(sp []struct{ from, to []string }) []struct{ from, to []string } {
	var out []struct{ from, to []string }
	for _, s := range sp {
		if s.from[0] == "end" {
			out = append(out, struct{ from, to []string }{append([]string{"the"}, s.from...), s.to})
		}
	}
	return append(out, sp...)
}

// spellingStarts are the first words of spellings.
var spellingStarts = map[string]bool{"end": true, "close": true, "in": true, "at": true, "the": true, "day": true, "12": true, "a": true, "within": true, "later": true, "first": true}

// normalize rewrites the spellings above; the words are short, so a
// plain scan is cheaper than anything cleverer.
func normalize(w []string) []string {
	var out []string // nil until a spelling is found: most phrases have none
	for i := 0; i < len(w); {
		var to []string
		n := 0
		if spellingStarts[w[i]] {
			for _, sp := range spellings {
				if hasPrefix(w[i:], sp.from) {
					to, n = sp.to, len(sp.from)
					break
				}
			}
		}
		if n == 0 {
			if out != nil {
				out = append(out, w[i])
			}
			i++
			continue
		}
		if out == nil {
			out = append(make([]string, 0, len(w)), w[:i]...)
		}
		out = append(out, to...)
		i += n
	}
	if out == nil {
		return w
	}
	return out
}

func hasPrefix(w, prefix []string) bool {
	if len(w) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if w[i] != p {
			return false
		}
	}
	return true
}

func isDigitsColon(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != ':' && s[i] != '.' {
			return false
		}
	}
	return true
}

// number reads a small count: digits (at most six, which keeps every
// product with a unit far from overflow) or a word from "a" to
// "ninety-nine" ("forty-five"; "forty five" is joined into it by join).
func number(s string) (int, bool) {
	if n, ok := numberWords[s]; ok {
		return n, true
	}
	if len(s) > 6 || !allDigits(s) {
		return 0, false
	}
	return atoi(s), true
}

// ones and tens are the number words that make up the counts to 99.
var (
	ones = []string{"", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"}
	tens = []string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
)

var numberWords = func() map[string]int {
	m := map[string]int{"a": 1, "an": 1}
	for n := 1; n < 100; n++ {
		switch {
		case n < 20:
			m[ones[n]] = n
		case n%10 == 0:
			m[tens[n/10]] = n
		default:
			m[tens[n/10]+"-"+ones[n%10]] = n
		}
	}
	return m
}()

// compoundNumber joins "forty" and "five" into "forty-five".
func compoundNumber(tensWord, one string) (string, bool) {
	n, ok := numberWords[tensWord]
	m, ok2 := numberWords[one]
	if !ok || !ok2 || n < 20 || n%10 != 0 || m < 1 || m > 9 || one == "a" || one == "an" {
		return "", false
	}
	return tensWord + "-" + one, true
}

// ordinal reads a day of the month: "1st", "22nd", "3rd", "31st" (the
// suffix is not checked against the number: "3th" is forgiven).
func ordinal(s string) (int, bool) {
	if len(s) < 3 {
		return 0, false
	}
	switch s[len(s)-2:] {
	case "st", "nd", "rd", "th":
	default:
		return 0, false
	}
	digits := s[:len(s)-2]
	if len(digits) > 2 || !allDigits(digits) {
		return 0, false
	}
	n := atoi(digits)
	return n, n >= 1 && n <= 31
}

func ordinalSuffix(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday,
	"mon": time.Monday, "monday": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday,
	"wed": time.Wednesday, "weds": time.Wednesday, "wednesday": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday,
	"fri": time.Friday, "friday": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday,
}

// months are the month names and their abbreviations, "sept" included.
var months = map[string]time.Month{
	"jan": time.January, "january": time.January, "feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March, "apr": time.April, "april": time.April,
	"may": time.May, "jun": time.June, "june": time.June, "jul": time.July, "july": time.July,
	"aug": time.August, "august": time.August,
	"sep": time.September, "sept": time.September, "september": time.September,
	"oct": time.October, "october": time.October, "nov": time.November, "november": time.November,
	"dec": time.December, "december": time.December,
}

func isWeekday(s string) bool {
	_, ok := weekdays[s]
	return ok
}

// clock is a time of day on the wall clock. An ambiguous clock is read
// (so the phrase is known to be a time) and then refused with its reason
// where it would be placed on a day, unless a part of the day next to it
// settles it ("tonight at 9").
type clock struct {
	hour, min int
	amb       ambiguity
	// twelve is a clock written without am or pm whose hour, 1 to 12,
	// could be on the 12-hour clock: "at 9", "9:30", "10:30". A part of
	// the day next to it says which half of the day it is in.
	twelve bool
}

type ambiguity uint8

const (
	sure     ambiguity = iota
	midnight           // "friday midnight": the start of Friday, or its end?
	halfDay            // "at 5": 5am or 5pm?
)

// namedClocks are the times of day that have a name: the parts of a day
// and "eod" (close of business). "midnight" is read only to be refused:
// "friday midnight" means the end of Friday to some people and its start
// to others.
var namedClocks = map[string]clock{
	"noon": {hour: 12}, "midday": {hour: 12}, "12noon": {hour: 12},
	"morning": {hour: 9}, "afternoon": {hour: 14}, "evening": {hour: 18},
	"eod": {hour: 17}, "cob": {hour: 17},
	"midnight": {amb: midnight}, "12midnight": {amb: midnight},
}

// nightClock is "night" after a day ("friday night"): alone, or before
// a day, it is as often a noun ("game night friday") and is not read.
var nightClock = clock{hour: 20}

// parseClock reads "3pm", "3:30pm", "9.30am", "12am", or a named time, or
// a clock without am or pm, read on the 24-hour clock ("9:30", "09:30",
// "15:30"): written with minutes, it is as a schedule or a calendar shows
// it, where "at 5" alone could be 5am or 5pm. A bare "3" is not a time:
// "call 3 customers" is not due at 3 o'clock.
func parseClock(s string) (clock, bool) {
	if c, ok := namedClocks[s]; ok {
		return c, true
	}
	if rest, ok := strings.CutSuffix(s, "am"); ok {
		c, ok := hourMinute(dotted(rest))
		if !ok || c.hour < 1 || c.hour > 12 {
			return clock{}, false
		}
		c.hour %= 12
		return c, true
	}
	if rest, ok := strings.CutSuffix(s, "pm"); ok {
		c, ok := hourMinute(dotted(rest))
		if !ok || c.hour < 1 || c.hour > 12 {
			return clock{}, false
		}
		c.hour = c.hour%12 + 12
		return c, true
	}
	if !strings.Contains(s, ":") {
		return clock{}, false
	}
	c, ok := hourMinute(s)
	if ok && c.hour >= 1 && c.hour <= 12 && s[0] != '0' {
		// On the 24-hour clock, but a part of the day may still move it
		// ("tonight at 9:30").
		c.twelve = true
	}
	return c, ok
}

// hourClock reads "15h" and "15h30", the 24-hour clock as much of Europe
// writes it. Alone "15h" is a duration (in 15 hours), so it is read as a
// clock only after a day or "at": "friday 15h", "at 9h30".
func hourClock(s string) (clock, bool) {
	h, m, ok := strings.Cut(s, "h")
	if !ok || len(h) < 1 || len(h) > 2 || !allDigits(h) || m != "" && (len(m) != 2 || !allDigits(m)) {
		return clock{}, false
	}
	c := clock{hour: atoi(h)}
	if m != "" {
		c.min = atoi(m)
	}
	return c, c.hour <= 23 && c.min <= 59
}

// fourDigitClock reads "1430" and "0930" as the 24-hour clock; only after
// "at", since four digits alone are as often a number ("order 1430").
func fourDigitClock(s string) (clock, bool) {
	if len(s) != 4 || !allDigits(s) {
		return clock{}, false
	}
	c := clock{hour: atoi(s[:2]), min: atoi(s[2:])}
	return c, c.hour <= 23 && c.min <= 59
}

// dayClock reads a clock that follows a day: every form of parseClock,
// and "15h".
func dayClock(s string) (clock, bool) {
	if k, ok := parseClock(s); ok {
		return k, true
	}
	return hourClock(s)
}

// dotted reads "9.30", as a time is written before am or pm in much of
// the world, as "9:30".
func dotted(s string) string {
	if h, m, ok := strings.Cut(s, "."); ok && len(m) == 2 {
		return h + ":" + m
	}
	return s
}

// hourMinute reads "3", "03", "3:30" or "15:30".
func hourMinute(s string) (clock, bool) {
	h, m, hasMin := strings.Cut(s, ":")
	if len(h) < 1 || len(h) > 2 || !allDigits(h) {
		return clock{}, false
	}
	c := clock{hour: atoi(h)}
	if hasMin {
		if len(m) != 2 || !allDigits(m) {
			return clock{}, false
		}
		c.min = atoi(m)
	}
	if c.hour > 23 || c.min > 59 {
		return clock{}, false
	}
	return c, true
}

func (c clock) String() string {
	h := c.hour % 12
	if h == 0 {
		h = 12
	}
	ampm := "am"
	if c.hour >= 12 {
		ampm = "pm"
	}
	if c.min == 0 {
		return strconv.Itoa(h) + ampm
	}
	return strconv.Itoa(h) + ":" + twoDigits(c.min) + ampm
}

func twoDigits(n int) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// atoi is for strings already checked by allDigits and short enough not
// to overflow.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func isISODate(s string) bool {
	return len(s) == 10 && s[4] == '-' && s[7] == '-' &&
		allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

// isSlashDate reports a numeric date such as "12/3" or "12/3/2026", which
// Kept refuses: half the world reads it as 12 March, the other half as
// 3 December.
func isSlashDate(s string) bool {
	parts := 0
	for p := range strings.SplitSeq(s, "/") {
		parts++
		if parts > 3 || !allDigits(p) || len(p) > 4 || (parts < 3 && len(p) > 2) {
			return false
		}
	}
	return parts >= 2
}
