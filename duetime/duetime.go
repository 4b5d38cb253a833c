// Package duetime turns the time phrase at the end of a promise ("send the
// quote friday 5pm") into an instant on the owner's wall clock, and reads
// repeating schedules ("every monday 10am").
//
// Phrases are read by a small grammar of our own, with no date library.
// Exact forms come first: ISO dates (2026-12-01, 2026-12-01 14:00), times
// (3pm, 15:30, noon). Then relative offsets with wall-clock semantics
// ("in 3 days" keeps 10:00 across a DST change, "in 2 hours" is a
// duration), weekdays and "next|this <weekday>", "next week", "tonight",
// "eod", "end of week", "end of month", and a bare time that has passed
// today meaning tomorrow. Last come dates written with a month name
// ("december 3rd", "3 dec 2027", "the 3rd of december", "dec 3 at 2pm",
// "Dec 3, 2026", "friday dec 4"): a month name or its abbreviation
// ("sept" too), a day in digits or as an ordinal, an optional four-digit
// year, an optional weekday that must match the date, and an optional
// time. Without a year such a date is the first one still ahead, so
// "jan 5" said in November is next year's and "feb 29" the next leap day;
// a day the month lacks ("feb 30", "jun 31") is refused. Numeric dates
// such as 12/3 are refused: they read differently on either side of the
// Atlantic. A day given without a time is 9:00 ("today" and "eod" are
// 17:00, "tonight" 20:00). Every result is a wall time placed in the
// owner's zone with time.Date, and one that is not after now is refused
// with ErrPast.
//
// # Why no library
//
// Candidates were measured against Kept's phrases, from Monday 2026-11-23
// 10:00 America/New_York, with Go 1.26:
//
//   - olebedev/when v1.1.0: small (+0.6 MB), no start-up cost, but wrong
//     without an error on inputs Kept must get right: "2026-12-01 14:00"
//     is read as today 12:01, "feb 3" from 31 January becomes 3 March,
//     "tomorrow" across the spring DST change adds 24 hours rather than
//     keeping the wall time, and "dec 3" cannot say that no time was given.
//   - markusmobius/go-dateparser v1.4.7: maintained and correct on the
//     month-name dates above, and it refuses "feb 30". But its package
//     initialisation builds the locale data of some 200 languages in every
//     process that links it, measured at 260-400 ms and 95 MB of
//     allocations (`GODEBUG=inittrace=1`), leaving `kept help` at 0.35 s
//     and 60 MB resident against 0.00 s and 8 MB without it, and it grows
//     the binary by 7.5 MB (12.5 to 20.0 MB) — against Kept's targets of
//     start-up under 300 ms and RSS under 100 MB. It also reads "a" as
//     next January, "42" as 2042 and "dec 3 26" from 2027 as 2126, so it
//     needed a word filter in front of it anyway, and 100-500 µs a call.
//   - tj/go-naturaldate (2020) and ijt/go-anytime (2022): unmaintained, and
//     return wrong dates without errors.
//
// None knows "eod" or "end of week", so a grammar of our own was needed
// regardless; with those measurements the month-name forms, the one thing
// go-dateparser added, are read by that grammar too (monthdate.go), at
// 7-14 µs for a whole Split.
package duetime

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

var (
	// ErrNoTime means no time phrase was found, or the phrase is not a time.
	ErrNoTime = errors.New("duetime: no time found")
	// ErrPast means the phrase is a time that is not in the future.
	ErrPast = errors.New("duetime: time is in the past")
	// ErrNoWhat means Split found a time phrase with nothing before it.
	ErrNoWhat = errors.New("duetime: nothing before the time")
)

// Examples is a short list of phrases that work, for error messages.
var Examples = []string{"tomorrow 3pm", "in 2 hours", "friday 5pm", "dec 3", "2026-12-01 14:00", "every monday 10am"}

// glue words stand between a promise and its time ("quote by friday"):
// Parse ignores them before a phrase and Split drops them after the text.
var glue = map[string]bool{"by": true, "at": true, "on": true, "due": true, "until": true, "till": true, "til": true}

// Parse reads a whole phrase ("tomorrow 3pm") relative to now in loc, as
// typed after "/promise snooze 42". The result is in loc; a nil loc means
// UTC. A repeating phrase ("every monday") is not a single time and is
// refused with ErrNoTime.
func Parse(phrase string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	w := words(phrase)
	if len(w) > 1 && glue[w[0]] {
		w = w[1:]
	}
	if len(w) > 0 && w[0] == "every" {
		return time.Time{}, fmt.Errorf("duetime: %q repeats; give one time, such as \"tomorrow 9am\": %w", phrase, ErrNoTime)
	}
	due, err := newPhraseParser(now, loc).parse(w)
	if errors.Is(err, errUnknown) {
		return time.Time{}, fmt.Errorf("duetime: %q is not a time: %w", phrase, ErrNoTime)
	}
	if err != nil {
		return time.Time{}, err
	}
	return future(due, now)
}

// future refuses a due time that is not after now; it is the one place
// that does, so no path can return the past with a nil error.
func future(due, now time.Time) (time.Time, error) {
	if !due.After(now) {
		return time.Time{}, fmt.Errorf("%w: %s", ErrPast, due.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	return due, nil
}

// maxPhraseBytes skips candidate suffixes that no time phrase is as long
// as, so a long run of text without spaces costs nothing.
const maxPhraseBytes = 64

// Split finds the longest trailing time phrase in text and returns the
// text before it, trimmed of trailing punctuation and glue words ("quote
// by friday" gives "quote"), the due time in loc, and for a repeating
// phrase ("every monday 10am") the canonical schedule for ParseRecurrence,
// else "". Only the last few words are tried, so the work is bounded
// whatever the length of text.
//
// Errors: ErrNoTime when no suffix is a time, ErrPast when it is a time in
// the past, ErrNoWhat when nothing is left before it. On error, what is
// text, trimmed.
func Split(text string, now time.Time, loc *time.Location) (what string, due time.Time, repeat string, err error) {
	if loc == nil {
		loc = time.UTC
	}
	text = strings.TrimSpace(text)
	p := newPhraseParser(now, loc)
	for _, i := range suffixStarts(text, maxWords) {
		if len(text)-i > maxPhraseBytes {
			continue
		}
		w := words(text[i:])
		if len(w) > 0 && w[0] == "every" {
			r, open, rerr := parseRecurrence(w)
			if rerr == nil {
				r, due = r.start(open, now, loc)
				repeat = r.String()
			}
			err = rerr
		} else {
			due, err = p.parse(w)
		}
		if errors.Is(err, errUnknown) {
			continue
		}
		if err == nil {
			due, err = future(due, now)
		}
		if err != nil {
			return text, time.Time{}, "", err
		}
		what = trimGlue(text[:i])
		if what == "" {
			return text, time.Time{}, "", ErrNoWhat
		}
		return what, due, repeat, nil
	}
	return text, time.Time{}, "", ErrNoTime
}

// suffixStarts returns the byte offsets where each of the last n words of
// s begins, longest suffix first. It walks back from the end, so it never
// reads more of s than those words.
func suffixStarts(s string, n int) []int {
	starts := make([]int, 0, n)
	i := len(s)
	for len(starts) < n && i > 0 {
		for i > 0 { // skip the spaces before the word
			r, size := utf8.DecodeLastRuneInString(s[:i])
			if !unicode.IsSpace(r) {
				break
			}
			i -= size
		}
		if i == 0 {
			break
		}
		for i > 0 { // back to the word's first byte
			r, size := utf8.DecodeLastRuneInString(s[:i])
			if unicode.IsSpace(r) {
				break
			}
			i -= size
		}
		starts = append(starts, i)
	}
	// Reverse: the longest suffix, which starts first, is tried first.
	for l, r := 0, len(starts)-1; l < r; l, r = l+1, r-1 {
		starts[l], starts[r] = starts[r], starts[l]
	}
	return starts
}

// trimGlue drops trailing punctuation and glue words: "quote, by" gives
// "quote".
func trimGlue(s string) string {
	for {
		s = strings.TrimRightFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—", r)
		})
		i := 0
		if j := strings.LastIndexFunc(s, unicode.IsSpace); j >= 0 {
			_, size := utf8.DecodeRuneInString(s[j:])
			i = j + size
		}
		if !glue[strings.ToLower(s[i:])] {
			return s
		}
		s = s[:i]
	}
}
