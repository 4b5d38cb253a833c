package duetime

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// fuzzZones include a half-hour offset with DST (Adelaide), a 45-minute
// one (Chatham) and a zone whose clocks skip midnight (Santiago).
var fuzzZones = []string{"UTC", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "Pacific/Chatham", "America/Santiago",
	"Asia/Kathmandu", "Pacific/Kiritimati", "Europe/Paris", "Australia/Lord_Howe"}

// fuzzNow maps fuzz inputs to a moment within a few centuries of now, in
// one of fuzzZones, so that the fuzzer explores phrases rather than the
// edges of time.Time.
func fuzzNow(t *testing.T, sec int64, z uint8) (time.Time, *time.Location) {
	loc := zone(t, fuzzZones[int(z)%len(fuzzZones)])
	const span = 300 * 365 * 24 * 3600
	base := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	if sec < 0 {
		sec = -sec
	}
	return time.Unix(base+sec%span, 0).In(loc), loc
}

var fuzzSeeds = []string{
	"tomorrow 3pm", "in 2 hours", "in 90 minutes", "friday 5pm", "tuesday", "monday",
	"next week", "dec 3", "2026-12-01 14:00", "3pm", "9am", "noon", "eod", "end of week",
	"in 3 days", "in 2 years", "yesterday 3pm", "next tue", "this friday", "tonight",
	"tomorrow at 3pm", "tomorrow by 5pm", "dec 3 by 2pm", "friday at 17:00", "dec 3 2pm", "3 dec", "december 3rd", "12/3",
	"2026-12-01T14:00", "15:30", "every month on the 1st 9am", "every 2 weeks",
	"every weekday 4pm", "every month on the 31st", "in 999999 years", "in 0 minutes",
	"feb 29", "the 31st of february", "12am", "dec 3 12am", "a", "42", "may", "1 2 dec",
	"thursday dec 4", "mar 14 2:30am", "in 2h", "half an hour", "by", "every",
	"\u3000friday\u3000", "𝟗am", "ＦＲＩＤＡＹ", "İn 2 hours",
	"tomorrow eod", "friday eod", "last friday", "monday morning", "thursday afternoon", "in 1.5 hours",
	"in 1h30m", "in 1 hour 30 minutes", "2h", "90m", "on the 15th", "the 3rd at 2pm", "in 3 business days",
	"in 2 working days", "friday 5pm EST", "3pm CET", "10:00 Europe/Paris", "25/12", "3/4", "12/25/2027",
	"every monday and thursday 10am", "every mon, wed, fri", "daily", "weekly", "every other wednesday",
	"every year on mar 1", "every weekday at 8:50am", "every 2 weeks monday", "on every 10th", "nov 30",
	"at 4:30pm", "on June 1st", "friday midnight", "tomorrow at 5", "3pm IST", "every monday at 10 and 2pm",
	"tomorrow 2:30am", "friday evening 8pm", "2 days ago", "in an hour and a half", "biweekly",
	// Typed with punctuation, quotes, brackets, "@" and full-width forms.
	`"friday"`, "“tomorrow 3pm”", "(by friday)", "[dec 3]", "tomorrow!", "friday.", "@ 3pm", "@3pm", "@ 5",
	"１５:３０", "12 noon", "12 midnight", "9.30am", "9.30 pm", "2026/12/01", "2026/2/30",
	"in two hours", "in forty-five minutes", "in forty five minutes", "in ninety-nine days", "within 2 hours",
	"within a week", "within the hour", "in a couple of days", "in a fortnight", "a couple of weeks ago",
	"tonight at 9", "at 9 tonight", "this morning at 10", "tomorrow morning at 8", "tomorrow at 8 in the morning",
	"friday evening at 7", "afternoon at 3", "tonight at 3", "tonight at 12", "5:30", "10:30", "09:30", "at 1430",
	"at 0930", "at 21.30", "friday 15h", "tomorrow 9h30", "every day at 9:30",
	"next business day", "next working day at 3pm", "by the next business day", "end of next week", "end of next month", "eoq", "by the end of the year", "end of next quarter", "next year",
	"by the end of the week", "this coming friday", "this weekend", "next weekend", "later today", "first thing tomorrow",
	"monday first thing", "a week from today", "a week from tomorrow", "2 hours from tomorrow", "the 5th of next month",
	"the 31st of next month", "2026-02-30", "2026-13-01", "13/13", "2/30", "jan 5",
}

func FuzzParse(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, int64(4_000_000_000+i*7_919_000), uint8(i))
	}
	f.Fuzz(func(t *testing.T, phrase string, sec int64, z uint8) {
		now, loc := fuzzNow(t, sec, z)
		a, err := ReadPhrase(phrase, now, loc, Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "duetime: ") || Reason(err) == "" {
				t.Errorf("ReadPhrase(%q) error %q lacks the package prefix or a reason", phrase, err)
			}
			return
		}
		checkFuzzAnswer(t, phrase, a, now, loc)
		due, err := Parse(phrase, now, loc)
		if err == nil && (a.Question != nil || a.Repeat != "" || !due.Equal(a.Due)) {
			t.Errorf("Parse(%q) = %v, but ReadPhrase = %+v", phrase, due, a)
		}
	})
}

// checkFuzzAnswer holds for every answer: a time in the future and in the
// owner's zone, or a question whose choices are such times and read back.
func checkFuzzAnswer(t *testing.T, text string, a Answer, now time.Time, loc *time.Location) {
	t.Helper()
	if a.Question != nil {
		if len(a.Question.Choices) == 0 || a.Question.Text == "" || !a.Due.IsZero() {
			t.Errorf("%q: malformed question %+v", text, a)
		}
		for _, c := range a.Question.Choices {
			if !c.Due.After(now) || c.Due.Location() != loc || c.Label == "" {
				t.Errorf("%q at %v: choice %+v", text, now, c)
			}
		}
		return
	}
	if !a.Due.After(now) {
		t.Errorf("%q at %v = %v, not in the future", text, now, a.Due)
	}
	if a.Due.Location() != loc {
		t.Errorf("%q = %v, not in %v", text, a.Due, loc)
	}
	if a.Repeat != "" {
		r, err := ParseRecurrence(a.Repeat)
		if err != nil || r.String() != a.Repeat {
			t.Errorf("%q: repeat %q does not round-trip: %v", text, a.Repeat, err)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add("send the quote "+s, int64(4_000_000_000+i*7_919_000), uint8(i))
		f.Add(s, int64(4_000_000_000-i*7_919_000), uint8(i+1))
	}
	f.Add(strings.Repeat("a ", 1200)+"friday", int64(0), uint8(0))
	f.Add("quote, by: on at friday!", int64(0), uint8(1))
	f.Fuzz(func(t *testing.T, text string, sec int64, z uint8) {
		now, loc := fuzzNow(t, sec, z)
		if a, err := Read(text, now, loc, Options{}); err == nil {
			checkFuzzAnswer(t, text, a, now, loc)
			// Never half-read: the promise does not end with a time word.
			if f := strings.Fields(a.What); len(f) == 0 || isLeftover(f[len(f)-1]) {
				t.Errorf("Read(%q) left a time word in the promise: %q", text, a.What)
			}
			if !strings.HasSuffix(strings.TrimSpace(text), a.Phrase) {
				t.Errorf("Read(%q) phrase %q is not the end of the text", text, a.Phrase)
			}
		} else if Reason(err) == "" {
			t.Errorf("Read(%q) refused without a reason: %v", text, err)
		}
		what, due, repeat, err := Split(text, now, loc)
		if err != nil {
			if what != strings.TrimSpace(text) {
				t.Errorf("Split(%q) error %v with what %q", text, err, what)
			}
			return
		}
		if !due.After(now) {
			t.Errorf("Split(%q) at %v = %v, not in the future", text, now, due)
		}
		if what == "" || !strings.HasPrefix(strings.TrimSpace(text), what) {
			t.Errorf("Split(%q) what = %q, not a prefix of the text", text, what)
		}
		if repeat != "" {
			r, err := ParseRecurrence(repeat)
			if err != nil || r.String() != repeat {
				t.Errorf("Split(%q) repeat %q does not round-trip: %v", text, repeat, err)
			}
		}
	})
}

func FuzzRecurrenceNext(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, int64(4_000_000_000+i*7_919_000), uint8(i))
	}
	f.Fuzz(func(t *testing.T, s string, sec int64, z uint8) {
		r, err := ParseRecurrence(s)
		if err != nil {
			return
		}
		if again, err := ParseRecurrence(r.String()); err != nil || again != r {
			t.Fatalf("%q: canonical %q does not round-trip", s, r.String())
		}
		after, loc := fuzzNow(t, sec, z)
		for range 3 {
			next := r.Next(after, loc)
			if !next.After(after) {
				t.Fatalf("%q.Next(%v) = %v, not after", r, after, next)
			}
			after = next
		}
	})
}

// FuzzSuffixWords: splitting each typed word once gives every suffix Read
// tries the words it would get by splitting that suffix on its own.
func FuzzSuffixWords(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add("send the quote, v2 & the SOW " + s)
	}
	for _, s := range []string{"call at 3 pm", "by end of the day", "2026-12-01T14:00 pm", "mon/wed/fri 9 a.m.",
		"quote  \u3000 friday.", "x\xffy 3\xfe pm", "İn 2 hours", "dec 3,2026 3,pm", "a.m. p.m.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sfx := suffixWords(text, maxWords, maxPhraseBytes)
		var want []int
		for _, i := range suffixStarts(text, maxWords) {
			if len(text)-i <= maxPhraseBytes {
				want = append(want, i)
			}
		}
		if len(sfx) != len(want) {
			t.Fatalf("%q: %d suffixes, want %d", text, len(sfx), len(want))
		}
		for j, s := range sfx {
			if s.start != want[j] {
				t.Fatalf("%q: suffix %d starts at %d, want %d", text, j, s.start, want[j])
			}
			if got, w := join(s.split), words(text[s.start:]); !slices.Equal(got, w) {
				t.Errorf("%q from %d: %q, want %q", text, s.start, got, w)
			}
		}
	})
}
