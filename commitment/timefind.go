package commitment

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/keptbot/kept/duetime"
)

// phrase is a time phrase found among tokens: toks[start:end], or start
// -1 when it lay outside the words the task is made of.
type phrase struct {
	start, end int
	due        time.Time
	text       string
}

// maxPhraseWords is the longest window tried; duetime's longest single
// phrase ("friday dec 4 at 2pm", "in 3 days at 5pm") has five words.
const maxPhraseWords = 6

// glueBefore are the words that tie a time phrase to the action ("by
// friday", "no later than 3pm", "first thing tomorrow"): a window never
// starts with one, and the task drops them with the phrase.
var glueBefore = []string{"by", "on", "at", "before", "until", "till", "til", "due", "around", "for", "sometime", "later", "early", "from", "no", "than", "thing", "first", "in", "the", "within", "latest"}

// determiners before a word make it part of a noun: "the monday report".
var determiners = []string{"the", "a", "an", "our", "your", "my", "their", "his", "her", "its", "that", "these", "those", "this", "every", "each"}

// ambiguous words are time words only when capitalised: "Sat" is Saturday,
// "sat" is not; "may" is a month only with a day after it, which the
// grammar requires anyway.
var ambiguous = []string{"sat", "sun", "wed", "mar", "may", "march", "thu", "mon", "tue"}

// findTime returns the time phrase of a clause: the leftmost longest
// window duetime reads, preferring one not introduced by "for" ("book a
// call for Thursday and send the invite today" is due today). It returns
// duetime.ErrNoTime when there is none and duetime.ErrPast when every
// phrase found has gone by.
func findTime(toks []token, now time.Time, loc *time.Location) (phrase, error) {
	words := timeWords(toks)
	var found []phrase
	past := false
	for s := 0; s < len(toks); s++ {
		if !canStart(toks, s) {
			continue
		}
		for l := min(maxPhraseWords, len(toks)-s); l >= 1; l-- {
			if crossesPause(toks[s : s+l]) {
				continue
			}
			text := strings.Join(words[s:s+l], " ")
			if !plausible(toks, s, l) {
				continue
			}
			due, err := parse(text, now, loc)
			if errors.Is(err, duetime.ErrPast) {
				past = true
				break
			}
			if err != nil {
				continue
			}
			found = append(found, phrase{start: s, end: s + l, due: due, text: text})
			s += l - 1
			break
		}
	}
	if len(found) == 0 {
		if past {
			return phrase{}, duetime.ErrPast
		}
		return phrase{}, duetime.ErrNoTime
	}
	for _, p := range found {
		if p.start == 0 || toks[p.start-1].norm != "for" {
			return p, nil
		}
	}
	return found[0], nil
}

func canStart(toks []token, s int) bool {
	n := toks[s].norm
	if oneOf(n, glueBefore...) && n != "in" && n != "within" || n == "a" || n == "an" {
		return false
	}
	// "the monday report", "our december release": a day or month name
	// after a determiner names a thing, not a time.
	if s > 0 && oneOf(toks[s-1].norm, determiners...) && (weekdayOrMonth[n] || isOrdinal(n) && toks[s-1].norm != "the") {
		return false
	}
	return true
}

var weekdayOrMonth = map[string]bool{}

func init() {
	for _, w := range []string{"monday", "mon", "tuesday", "tue", "tues", "wednesday", "wed", "thursday", "thu", "thurs",
		"friday", "fri", "saturday", "sat", "sunday", "sun", "january", "jan", "february", "feb", "march", "mar", "april", "apr",
		"may", "june", "jun", "july", "jul", "august", "aug", "september", "sep", "sept", "october", "oct", "november", "nov", "december", "dec"} {
		weekdayOrMonth[w] = true
	}
}

// isOrdinal reports a day of the month written "15th", "1st", "22nd".
func isOrdinal(s string) bool {
	_, ok := ordinalDay(s)
	return ok
}

func ordinalDay(s string) (int, bool) {
	if len(s) < 3 || len(s) > 4 || !oneOf(s[len(s)-2:], "st", "nd", "rd", "th") {
		return 0, false
	}
	n, err := strconv.Atoi(s[:len(s)-2])
	return n, err == nil && n >= 1 && n <= 31
}

func crossesPause(toks []token) bool {
	for _, t := range toks[:len(toks)-1] {
		if t.pause {
			return true
		}
	}
	return false
}

// plausible rejects windows that parse but are not meant as times in a
// sentence: "good morning", "sat down", "at noon" without its "at".
func plausible(toks []token, s, l int) bool {
	n := toks[s].norm
	if l == 1 && oneOf(n, ambiguous...) && !toks[s].upper {
		return false
	}
	before := func(k int) string {
		if s-k >= 0 {
			return toks[s-k].norm
		}
		return ""
	}
	if l == 1 && oneOf(n, "morning", "afternoon", "evening") {
		// only "in the morning", "by the afternoon"
		return before(1) == "the" && oneOf(before(2), "in", "by")
	}
	if l == 1 && isOrdinal(n) {
		// "by the 15th": a day of the month only with "the" and its glue
		return before(1) == "the" && oneOf(before(2), "by", "on", "before", "until", "till")
	}
	if l == 1 && oneOf(n, "noon", "midday") {
		return oneOf(before(1), "by", "at", "before", "around", "until", "till")
	}
	return true
}

// timeWords returns the words handed to duetime, one per token: a bare
// hour after "at", "by" or "around" ("call you at 3") is read as a
// working-day hour (1 to 6 afternoon, 7 to 11 morning, 12 noon).
func timeWords(toks []token) []string {
	w := norms(toks)
	for i := 1; i < len(w); i++ {
		if !oneOf(w[i-1], "at", "around", "by") {
			continue
		}
		if i+1 < len(w) && oneOf(w[i+1], "am", "pm") {
			continue
		}
		h, m, _ := strings.Cut(w[i], ":")
		n, err := strconv.Atoi(h)
		if err != nil || n < 1 || n > 12 || len(h) > 2 || m != "" && len(m) != 2 {
			continue
		}
		if n >= 7 && n <= 11 {
			w[i] += "am"
		} else {
			w[i] += "pm"
		}
	}
	return w
}

// eodWords say "end of the working day"; with a day ("eod friday",
// "tomorrow end of day") they mean that day at 17:00.
var eodWords = []string{"eod", "cob", "eob", "end of day", "end of the day", "close of business", "end of business"}

// parse is duetime.Parse with the phrasings people use in chat that the
// promise grammar does not take: "within the hour", "in a couple of
// days", "eod friday", "this week".
func parse(text string, now time.Time, loc *time.Location) (time.Time, error) {
	switch {
	case text == "within the hour" || text == "within an hour":
		text = "in 1 hour"
	case strings.HasPrefix(text, "within "):
		text = "in " + strings.TrimPrefix(text, "within ")
	case text == "this week" || text == "later this week":
		text = "end of week"
	}
	if rest, ok := strings.CutPrefix(text, "in a couple of "); ok {
		text = "in 2 " + rest
	} else if rest, ok := strings.CutPrefix(text, "in a couple "); ok {
		text = "in 2 " + rest
	}
	for _, e := range eodWords {
		day := ""
		if rest, ok := strings.CutPrefix(text, e+" "); ok {
			day = strings.TrimPrefix(rest, "on ")
		} else if rest, ok := strings.CutSuffix(text, " "+e); ok {
			day = rest
		}
		if day != "" && !strings.ContainsAny(day, "0123456789:") {
			text = day + " 5pm"
			break
		}
	}
	if d, ok := ordinalDay(text); ok {
		return nextDayOfMonth(d, now, loc)
	}
	return duetime.Parse(text, now, loc)
}

// nextDayOfMonth reads "the 15th" as the next 15th still ahead, at 9:00
// like any day named without a time, skipping months that lack the day.
func nextDayOfMonth(d int, now time.Time, loc *time.Location) (time.Time, error) {
	now = now.In(loc)
	y, m, _ := now.Date()
	for k := 0; k < 3; k++ {
		first := time.Date(y, m+time.Month(k), 1, 12, 0, 0, 0, time.UTC)
		if d > time.Date(first.Year(), first.Month()+1, 0, 12, 0, 0, 0, time.UTC).Day() {
			continue
		}
		// Through duetime, so the zone and past rules are its own.
		if t, err := duetime.Parse(first.Format("Jan")+" "+strconv.Itoa(d)+" "+strconv.Itoa(first.Year()), now, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, duetime.ErrNoTime
}
