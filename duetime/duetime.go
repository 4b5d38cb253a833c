// Package duetime turns the time phrase at the end of a promise ("send the
// quote friday 5pm") into an instant on the owner's wall clock, reads
// repeating schedules ("every monday and thursday 10am"), and writes times
// back (Format) with the year whenever it is not this year.
//
// Read and ReadPhrase answer with an Answer: a time, a schedule, or a
// Question when a phrase reads two ways ("3/4": 3 April or 4 March?) or
// names a month-day already gone by this year ("nov 30" on 1 December),
// offering the readings as Choices rather than guessing. Everything else
// Kept will not schedule is a *Refusal with a reason to show the person:
// a time in the past ("last friday"), in a daylight-saving gap, ambiguous
// ("friday midnight", "at 5", "3pm IST"), a date that does not
// exist ("2026-02-30", "13/13"), or half understood, when words
// of a time phrase are left before the part that was read ("every monday
// at 10 and 2pm"). A phrase is read whole or refused; see the README's
// grammar table for every form and the rule for each ambiguous case.
//
// Every result is a wall time placed in the owner's zone (or the zone the
// phrase names, "friday 5pm EST"), checked against the zone's rules: a
// time the clocks skip is refused, one they show twice is the first.
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
// 8-25 µs for a whole Read (BenchmarkSplit, on a shared 2-core machine).
package duetime

import (
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keptbot/kept/workhours"
)

var (
	// ErrNoTime means no time phrase was found, or the phrase is not a time.
	ErrNoTime = errors.New("duetime: no time found")
	// ErrPast means the phrase is a time that is not in the future.
	ErrPast = errors.New("duetime: time is in the past")
	// ErrNoWhat means Split found a time phrase with nothing before it.
	ErrNoWhat = errors.New("duetime: nothing before the time")
	// ErrGap means the phrase names a wall-clock time that a clock change
	// skips (2:30 on a spring-forward night), which would otherwise be
	// scheduled an hour early or late.
	ErrGap = errors.New("duetime: time skipped by a clock change")
	// ErrAmbiguous means the phrase reads more than one way; Read returns
	// the Question, Split and Parse this error.
	ErrAmbiguous = errors.New("duetime: time reads more than one way")
	// ErrHalfRead means a time was found but words of a time phrase are
	// left before it ("last", "tomorrow"): the phrase was not understood
	// whole, so it is refused rather than half-read.
	ErrHalfRead = errors.New("duetime: time phrase not understood whole")
)

// Refusal is a phrase Kept will not schedule, with the reason in words a
// person can act on. Err is one of the Err values above, for errors.Is.
type Refusal struct {
	Reason string // plain text, one or two sentences; not yet escaped for Slack
	Err    error
}

func (r *Refusal) Error() string { return "duetime: " + r.Reason }
func (r *Refusal) Unwrap() error { return r.Err }

func refuse(err error, reason string) *Refusal { return &Refusal{Reason: reason, Err: err} }

// Reason is the user-facing reason of a Refusal in err's chain, or "".
func Reason(err error) string {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}

// Examples is a short list of phrases that work, for error messages.
var Examples = []string{"tomorrow 3pm", "friday eod", "in 2 hours", "dec 3", "every monday 10am"}

// glue words stand between a promise and its time ("quote by friday"):
// Parse ignores them before a phrase and Split drops them after the text.
var glue = map[string]bool{"by": true, "at": true, "on": true, "due": true, "until": true, "till": true, "til": true, "before": true}

// Options are the workspace settings a phrase depends on.
type Options struct {
	// Work gives the working days that "in 3 business days" and "every
	// business day" count; the zero value means workhours.Default.
	Work workhours.Hours
}

// Answer is what a time phrase means: a time (Due), a repeating schedule
// (Repeat, with Due its first occurrence), or a Question to put to the
// person because the phrase reads more than one way. Refusals are errors.
type Answer struct {
	What     string    // Read: the promise text before the phrase, trimmed of glue ("quote")
	Phrase   string    // the time phrase as typed ("by friday 5pm" gives "friday 5pm")
	Due      time.Time // in the owner's zone; zero when Question is set
	Repeat   string    // canonical schedule for ParseRecurrence; "" for a single time
	Question *Question
}

// Question offers the readings of a phrase that Kept will not choose
// between alone: "3/4" (3 April or 4 March?), or "nov 30" typed on
// 1 December (next year's?).
type Question struct {
	Text    string   // the question, plain text: "“3/4” reads two ways. Which did you mean?"
	Choices []Choice // one or more, earliest first; none chosen means none
}

// Choice is one reading offered by a Question.
type Choice struct {
	Label  string    // the time as Format writes it: "Thu 4 Mar 2027 09:00 EST"
	Due    time.Time // in the owner's zone, in the future
	Phrase string    // an exact phrase that Read reads back as Due: "2027-03-04 09:00"
}

// Read finds the time phrase at the end of text ("send the quote friday
// 5pm") and reads it relative to now on loc's wall clock (nil means UTC).
// It tries the longest trailing phrase first, over the last few words only,
// so the work is bounded whatever the length of text.
//
// A phrase is understood whole or refused: if the words just before the
// phrase that was read are words of a time phrase ("last", "tomorrow",
// "every ... and", "3pm"), the whole was not understood and Read returns
// ErrHalfRead with the reason, rather than a time with the rest left in
// the promise.
//
// Errors are *Refusal (see Reason), wrapping ErrNoTime when no suffix is a
// time, ErrPast, ErrGap, ErrHalfRead, or ErrNoWhat when nothing is left
// before the phrase.
func Read(text string, now time.Time, loc *time.Location, opt Options) (Answer, error) {
	if loc == nil {
		loc = time.UTC
	}
	text = strings.TrimSpace(text)
	p := newPhraseParser(now, loc, opt.work())
	for _, sfx := range suffixWords(text, maxWords, maxPhraseBytes) {
		i, w := sfx.start, join(sfx.split)
		if len(w) > 1 && glue[w[0]] && isRecurrence(w[1:]) {
			continue // "on every 10th": the shorter suffix reads it, and "on" is glue
		}
		r, err := p.read(w)
		if errors.Is(err, errUnknown) {
			continue
		}
		ans := Answer{Phrase: text[i:]}
		if err == nil {
			ans, err = answer(ans, r, p)
		}
		if err == nil {
			err = halfRead(text[:i], ans, now, loc)
		}
		if err != nil {
			return Answer{}, err
		}
		ans.What = trimGlue(text[:i])
		if ans.What == "" {
			return Answer{}, refuse(ErrNoWhat, "What did you promise? Put it before the time.")
		}
		return ans, nil
	}
	if strings.HasPrefix(strings.ToLower(text), "every ") {
		return Answer{}, recurrenceRefusal(text)
	}
	return Answer{}, refuse(ErrNoTime, "I couldn't find when in “"+tail(text, 80)+"”. End it with a time, such as “"+strings.Join(Examples, "”, “")+"”.")
}

// tail is the end of s, at most n runes, with an ellipsis when cut: a
// reason quotes what it is about without repeating a whole long promise.
func tail(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return "…" + string(r[len(r)-n+1:])
}

// ReadPhrase reads a whole phrase ("tomorrow 3pm", "friday eod", "3/4"),
// as typed after "/promise snooze 42" or "/promise move 42": every form
// Read takes at the end of a promise, and nothing else.
func ReadPhrase(phrase string, now time.Time, loc *time.Location, opt Options) (Answer, error) {
	if loc == nil {
		loc = time.UTC
	}
	w := words(phrase)
	p := newPhraseParser(now, loc, opt.work())
	r, err := p.read(w)
	if errors.Is(err, errUnknown) && len(w) > 1 && glue[w[0]] { // "by friday"; but "at 5" is read with its "at"
		w = w[1:]
		r, err = p.read(w)
	}
	if errors.Is(err, errUnknown) {
		if isRecurrence(w) {
			return Answer{}, recurrenceRefusal(phrase)
		}
		return Answer{}, refuse(ErrNoTime, "“"+strings.TrimSpace(phrase)+"” is not a time I can read. Try “"+strings.Join(Examples, "”, “")+"”.")
	}
	if err != nil {
		return Answer{}, err
	}
	return answer(Answer{Phrase: strings.TrimSpace(phrase)}, r, p)
}

func (o Options) work() workhours.Hours {
	if o.Work.IsZero() {
		return workhours.Default
	}
	return o.Work
}

func recurrenceRefusal(text string) error {
	return refuse(ErrNoTime, "I couldn't read the repeating schedule in “"+strings.TrimSpace(text)+"”. I read forms such as “every monday and thursday 10am”, “every weekday at 8:50am”, “every 2 weeks on monday”, “every month on the 15th” and “every year on mar 1”.")
}

// answer turns a reading into an Answer: a single time in the future, a
// schedule, or a question with labelled choices.
func answer(a Answer, r reading, p phraseParser) (Answer, error) {
	if r.question != nil {
		q := &Question{}
		for _, t := range r.question.choices {
			t = t.In(p.loc)
			q.Choices = append(q.Choices, Choice{Label: Format(t, p.now, p.loc), Due: t, Phrase: t.Format("2006-01-02 15:04")})
		}
		switch r.question.why {
		case askDayFirst:
			q.Text = "“" + a.Phrase + "” reads two ways, month first or day first. Which did you mean?"
			if len(q.Choices) == 1 {
				q.Text = "“" + a.Phrase + "” reads two ways, month first or day first, and one of them has gone by. Did you mean this one?"
			}
		case askNextYear:
			q.Text = "“" + a.Phrase + "” has already gone by this year. Did you mean next year?"
		}
		a.Question = q
		return a, nil
	}
	if !r.due.After(p.now) {
		return Answer{}, refuse(ErrPast, Format(r.due, p.now, p.loc)+" is in the past. When will you do it?")
	}
	a.Due = r.due.In(p.loc)
	if r.rec != nil {
		a.Repeat = r.rec.String()
	}
	return a, nil
}

// Split is Read with the default Options, for callers that take only a
// single time or a schedule: a Question comes back as an error wrapping
// ErrAmbiguous, with the question as its Reason.
func Split(text string, now time.Time, loc *time.Location) (what string, due time.Time, repeat string, err error) {
	a, err := Read(text, now, loc, Options{})
	if err == nil && a.Question != nil {
		err = refuse(ErrAmbiguous, a.Question.Text)
	}
	if err != nil {
		return strings.TrimSpace(text), time.Time{}, "", err
	}
	return a.What, a.Due, a.Repeat, nil
}

// Parse reads a whole phrase ("tomorrow 3pm") with ReadPhrase and the
// default Options, and returns the single time it names. A repeating
// phrase is refused with ErrNoTime, a question with ErrAmbiguous.
func Parse(phrase string, now time.Time, loc *time.Location) (time.Time, error) {
	a, err := ReadPhrase(phrase, now, loc, Options{})
	switch {
	case err != nil:
		return time.Time{}, err
	case a.Question != nil:
		return time.Time{}, refuse(ErrAmbiguous, a.Question.Text)
	case a.Repeat != "":
		return time.Time{}, refuse(ErrNoTime, "“"+strings.TrimSpace(phrase)+"” repeats; give one time, such as “tomorrow 9am”.")
	}
	return a.Due, nil
}

// maxPhraseBytes skips candidate suffixes that no time phrase is as long
// as, so a long run of text without spaces costs nothing.
const maxPhraseBytes = 96

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

// trimGlue drops trailing punctuation, opening quotes and brackets, and
// glue words: "quote, by" and "quote (by" give "quote", "call @" gives
// "call". The ";" that ends one of Slack's escapes ("&amp;", "&lt;",
// "&gt;") is the text's own: "fix &lt;thing&gt; tomorrow" keeps it.
func trimGlue(s string) string {
	for {
		for {
			r, size := utf8.DecodeLastRuneInString(s)
			if size == 0 || !unicode.IsSpace(r) && !strings.ContainsRune(",;:-–—@"+opening, r) || endsInEscape(s) {
				break
			}
			if (r == '"' || r == '\'') && !opensWord(s[:len(s)-size]) {
				break // it closes the text's own quote: send "Q4 deck" friday
			}
			s = s[:len(s)-size]
		}
		i := 0
		if j := strings.LastIndexFunc(s, unicode.IsSpace); j >= 0 {
			_, size := utf8.DecodeRuneInString(s[j:])
			i = j + size
		}
		if !glue[strings.TrimLeft(strings.ToLower(s[i:]), opening)] {
			return s
		}
		s = s[:i]
	}
}

// opensWord reports whether a quote after s would open a word: s is
// empty or ends in a space. A straight quote is an opening and a closing
// one; right after a word it closes it.
func opensWord(s string) bool {
	r, size := utf8.DecodeLastRuneInString(s)
	return size == 0 || unicode.IsSpace(r)
}

// endsInEscape reports whether s ends with one of the three escapes Slack
// writes in the text it sends.
func endsInEscape(s string) bool {
	return strings.HasSuffix(s, "&amp;") || strings.HasSuffix(s, "&lt;") || strings.HasSuffix(s, "&gt;")
}
