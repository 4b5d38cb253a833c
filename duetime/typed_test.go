package duetime

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/workhours"
)

// typedCase is a phrase as people type it, read at now (a wall time in
// zone, America/New_York when empty). want is the wall time it is due, or
// "ask" for a question, or a refusal: "past", "gap", "no" (ErrNoTime), each
// optionally followed by ": " and words the reason must contain.
type typedCase struct {
	zone, now, phrase, want string
}

// checkTyped reads each case alone (as /promise move does) and at the end
// of a promise, and checks both against want.
func checkTyped(t *testing.T, tests []typedCase, opt Options) {
	t.Helper()
	for _, tt := range tests {
		name := tt.zone
		if name == "" {
			name = "America/New_York"
		}
		loc := zone(t, name)
		now, err := time.ParseInLocation(layout, tt.now, loc)
		if err != nil {
			t.Fatal(err)
		}
		label := name + " " + tt.now + " " + tt.phrase
		a, err := ReadPhrase(tt.phrase, now, loc, opt)
		checkTypedAnswer(t, label, a, err, tt.want)
		a, err = Read("send the quote "+tt.phrase, now, loc, opt)
		checkTypedAnswer(t, label+" (in a promise)", a, err, tt.want)
		if err == nil && a.What != "send the quote" {
			t.Errorf("%s: what = %q", label, a.What)
		}
	}
}

func checkTypedAnswer(t *testing.T, label string, a Answer, err error, want string) {
	t.Helper()
	kind, reason, _ := strings.Cut(want, ": ")
	wantErr := map[string]error{"past": ErrPast, "gap": ErrGap, "no": ErrNoTime}[kind]
	switch {
	case wantErr != nil:
		if !errors.Is(err, wantErr) || !strings.Contains(Reason(err), reason) {
			t.Errorf("%s = %v, %v; want a refusal wrapping %v saying %q", label, a.Due, err, wantErr, reason)
		}
	case err != nil:
		t.Errorf("%s: %v", label, err)
	case kind == "ask":
		if a.Question == nil || !strings.Contains(a.Question.Text, reason) {
			t.Errorf("%s = %+v; want a question saying %q", label, a, reason)
		}
	case a.Question != nil:
		t.Errorf("%s asks %q; want %s", label, a.Question.Text, want)
	default:
		if got := a.Due.Format(layout); got != want {
			t.Errorf("%s = %s, want %s", label, got, want)
		}
	}
}

// TestTypedPunctuation: a time wrapped in quotes or brackets, ending a
// sentence, after "@", or in full-width characters reads as the time.
func TestTypedPunctuation(t *testing.T) {
	const mon = "2026-11-23 10:00" // a Monday
	checkTyped(t, []typedCase{
		{"", mon, `"friday"`, "2026-11-27 09:00"},
		{"", mon, "“tomorrow 3pm”", "2026-11-24 15:00"},
		{"", mon, "‘friday’", "2026-11-27 09:00"},
		{"", mon, "(friday)", "2026-11-27 09:00"},
		{"", mon, "[tomorrow 3pm]", "2026-11-24 15:00"},
		{"", mon, "{dec 3}", "2026-12-03 09:00"},
		{"", mon, "(by friday)", "2026-11-27 09:00"},
		{"", mon, "( friday )", "2026-11-27 09:00"},
		{"", mon, "tomorrow!", "2026-11-24 09:00"},
		{"", mon, "friday.", "2026-11-27 09:00"},
		{"", mon, "friday?!", "2026-11-27 09:00"},
		{"", mon, "tomorrow 3pm;", "2026-11-24 15:00"},
		{"", mon, "@ 3pm", "2026-11-23 15:00"},
		{"", mon, "@3pm", "2026-11-23 15:00"},
		{"", mon, "friday @ 5pm", "2026-11-27 17:00"},
		{"", mon, "tomorrow @ 15:30", "2026-11-24 15:30"},
		{"", mon, "@ 5", "no: could be 5am or 5pm"},
		{"", mon, "１５:３０", "2026-11-23 15:30"},
		{"", mon, "ＦＲＩＤＡＹ ５ＰＭ", "2026-11-27 17:00"},
		{"", mon, "２０２６-１２-０１", "2026-12-01 09:00"},
		{"", mon, "12 noon", "2026-11-23 12:00"},
		{"", mon, "friday 12 noon", "2026-11-27 12:00"},
		{"", mon, "12noon", "2026-11-23 12:00"},
		{"", mon, "12 midnight", "no: start of a day"},
		{"", mon, "friday 12 midnight", "no: start of a day"},
		{"", mon, "9.30am", "2026-11-24 09:30"},
		{"", mon, "9.30 pm", "2026-11-23 21:30"},
		{"", mon, "tomorrow at 9.30 a.m.", "2026-11-24 09:30"},
		{"", mon, "2026/12/01", "2026-12-01 09:00"},
		{"", mon, "2026/12/1 2pm", "2026-12-01 14:00"},
	}, Options{})
}

// TestTypedCounts: counts in words to ninety-nine, "a couple of",
// "within" and "a fortnight", across clock changes: hours are elapsed
// time, days and longer keep the wall-clock time.
func TestTypedCounts(t *testing.T) {
	const mon = "2026-11-23 10:00"
	checkTyped(t, []typedCase{
		{"", mon, "in two hours", "2026-11-23 12:00"},
		{"", mon, "in twenty minutes", "2026-11-23 10:20"},
		{"", mon, "in forty-five minutes", "2026-11-23 10:45"},
		{"", mon, "in forty five minutes", "2026-11-23 10:45"},
		{"", mon, "in ninety-nine minutes", "2026-11-23 11:39"},
		{"", mon, "in three days", "2026-11-26 10:00"},
		{"", mon, "in thirteen days at 5pm", "2026-12-06 17:00"},
		{"", mon, "within 2 hours", "2026-11-23 12:00"},
		{"", mon, "within a week", "2026-11-30 10:00"},
		{"", mon, "within the hour", "2026-11-23 11:00"},
		{"", mon, "within three business days", "2026-11-26 10:00"},
		{"", mon, "in a couple of hours", "2026-11-23 12:00"},
		{"", mon, "in a couple of days", "2026-11-25 10:00"},
		{"", mon, "in a couple days", "2026-11-25 10:00"},
		{"", mon, "a couple of weeks from now", "2026-12-07 10:00"},
		{"", mon, "in a fortnight", "2026-12-07 10:00"},
		{"", mon, "in 2 fortnights", "2026-12-21 10:00"},
		{"", mon, "twenty minutes from now", "2026-11-23 10:20"},
		// Across the clock changes.
		{"America/New_York", "2027-03-13 10:00", "in three days", "2027-03-16 10:00"},
		{"America/New_York", "2027-03-14 01:30", "in two hours", "2027-03-14 04:30"},
		{"America/New_York", "2026-10-31 23:30", "within three hours", "2026-11-01 01:30"},
		{"Europe/London", "2027-03-27 12:00", "in a couple of days", "2027-03-29 12:00"},
		{"Europe/London", "2027-03-28 00:30", "in forty-five minutes", "2027-03-28 02:15"},
		{"Australia/Sydney", "2027-04-03 09:00", "in a fortnight", "2027-04-17 09:00"},
		{"Australia/Sydney", "2026-10-04 01:30", "in sixty minutes", "2026-10-04 03:30"},
		{"Asia/Kolkata", "2026-11-23 10:00", "within twenty-four hours", "2026-11-24 10:00"},
		{"America/New_York", "2027-03-13 02:30", "in a day", "gap: clocks go forward"},
	}, Options{})
}

// TestTypedClocks: a part of the day settles a clock without am or pm;
// one without it is the 24-hour clock when written with minutes ("5:30",
// "09:30", "at 1430", "friday 15h"), and refused as ambiguous when it is
// a bare hour ("at 5").
func TestTypedClocks(t *testing.T) {
	const mon = "2026-11-23 10:00"
	checkTyped(t, []typedCase{
		{"", mon, "tonight at 9", "2026-11-23 21:00"},
		{"", mon, "at 9 tonight", "2026-11-23 21:00"},
		{"", mon, "tonight at 11:30", "2026-11-23 23:30"},
		{"", mon, "tonight at 9:30", "2026-11-23 21:30"},
		{"", "2026-11-23 08:00", "this morning at 10", "2026-11-23 10:00"},
		{"", mon, "this morning at 10", "past"}, // this morning names today
		{"", mon, "tomorrow morning at 8", "2026-11-24 08:00"},
		{"", mon, "tomorrow at 8 in the morning", "2026-11-24 08:00"},
		{"", mon, "friday evening at 7", "2026-11-27 19:00"},
		{"", mon, "friday at 7 in the evening", "2026-11-27 19:00"},
		{"", mon, "friday night at 10", "2026-11-27 22:00"},
		{"", mon, "this afternoon at 3", "2026-11-23 15:00"},
		{"", mon, "afternoon at 3", "2026-11-23 15:00"},
		{"", "2026-11-23 16:00", "afternoon at 3", "2026-11-24 15:00"}, // a bare part of the day rolls
		{"", mon, "this evening at 7:45", "2026-11-23 19:45"},
		{"", mon, "monday morning at 9:30", "2026-11-30 09:30"},
		{"", mon, "friday evening 8pm", "2026-11-27 20:00"},
		{"", mon, "tonight at 3", "no: 3pm is not tonight, so “at 3” does not say when tonight"},
		{"", mon, "afternoon at 7", "no: 7pm is not in the afternoon"},
		{"", mon, "tomorrow morning at 2", "no: 2am is not in the morning"},
		{"", mon, "tonight at 12", "no: start of a day"}, // midnight, refused as midnight is
		{"", mon, "at 5", "no: could be 5am or 5pm"},
		{"", mon, "tomorrow at 5", "no: could be 5am or 5pm"},
		{"", mon, "5:30", "2026-11-24 05:30"},
		{"", mon, "friday 5:30", "2026-11-27 05:30"},
		{"", mon, "dec 3 9:30", "2026-12-03 09:30"},
		{"", mon, "05:30", "2026-11-24 05:30"},
		{"", mon, "17:30", "2026-11-23 17:30"},
		{"", mon, "10:30", "2026-11-23 10:30"},
		{"", mon, "friday 12:30", "2026-11-27 12:30"},
		{"", mon, "at 1430", "2026-11-23 14:30"},
		{"", mon, "at 0930", "2026-11-24 09:30"},
		{"", mon, "friday at 1430", "2026-11-27 14:30"},
		{"", mon, "at 1430h", "2026-11-23 14:30"}, // not in 1430 hours
		{"", mon, "friday at 0930h", "2026-11-27 09:30"},
		{"", mon, "at 21.30", "2026-11-23 21:30"},
		{"", mon, "friday 15h", "2026-11-27 15:00"},
		{"", mon, "tomorrow 9h30", "2026-11-24 09:30"},
		{"", mon, "at 15h", "2026-11-23 15:00"},
		{"", mon, "dec 3 15h", "2026-12-03 15:00"},
		{"", mon, "15h", "2026-11-24 01:00"}, // alone, a duration: in 15 hours
		// Across the clock changes.
		{"America/New_York", "2027-03-13 10:00", "tonight at 9", "2027-03-13 21:00"},
		{"America/New_York", "2027-03-13 10:00", "tomorrow morning at 8", "2027-03-14 08:00"},
		{"America/New_York", "2027-03-13 10:00", "tomorrow at 0230", "gap: clocks go forward"},
		{"Europe/London", "2027-03-27 10:00", "tomorrow morning at 7", "2027-03-28 07:00"},
		{"Europe/London", "2026-10-24 10:00", "tomorrow at 0130", "2026-10-25 01:30"},
		{"Australia/Sydney", "2026-10-03 10:00", "tomorrow at 2h30", "gap: clocks go forward"},
		{"Australia/Sydney", "2027-04-03 10:00", "tomorrow evening at 6", "2027-04-04 18:00"},
		{"Asia/Kolkata", "2026-11-23 10:00", "friday evening at 7", "2026-11-27 19:00"},
		{"Asia/Kolkata", "2026-11-23 10:00", "at 1430", "2026-11-23 14:30"},
	}, Options{})
}

// TestTypedDays: the next business day, the end of next week or month,
// "this coming", the weekend, "later today", "first thing", "a week from
// today", the day of this or next month, dates that do not exist, and
// month-days gone by.
func TestTypedDays(t *testing.T) {
	const mon = "2026-11-23 10:00" // a Monday
	const fri = "2026-11-27 18:00" // a Friday evening
	checkTyped(t, []typedCase{
		{"", mon, "next business day", "2026-11-24 09:00"},
		{"", mon, "next working day", "2026-11-24 09:00"},
		{"", mon, "next workday at 3pm", "2026-11-24 15:00"},
		{"", mon, "by the next business day", "2026-11-24 09:00"},
		{"", fri, "next business day", "2026-11-30 09:00"},
		{"", fri, "next working day 5pm", "2026-11-30 17:00"},
		{"", "2026-11-28 10:00", "next business day", "2026-11-30 09:00"}, // a Saturday
		{"", mon, "end of next week", "2026-12-04 17:00"},
		{"", mon, "by the end of next week", "2026-12-04 17:00"},
		{"", fri, "end of next week", "2026-12-04 17:00"}, // next week starts on Monday
		{"", "2026-11-29 10:00", "end of next week", "2026-12-04 17:00"},
		{"", mon, "end of this week", "2026-11-27 17:00"},
		{"", mon, "by the end of the week", "2026-11-27 17:00"},
		{"", mon, "end of next month", "2026-12-31 17:00"},
		{"", "2027-01-31 10:00", "end of next month", "2027-02-28 17:00"},
		{"", mon, "end of this month", "2026-11-30 17:00"},
		{"", "2026-11-30 18:00", "end of this month", "2026-12-31 17:00"}, // the next once passed, as eom
		{"", mon, "eoq", "2026-12-31 17:00"},
		{"", mon, "by the end of the quarter", "2026-12-31 17:00"},
		{"", "2027-02-10 10:00", "end of quarter", "2027-03-31 17:00"},
		{"", "2027-03-31 17:30", "end of this quarter", "2027-06-30 17:00"}, // the next once passed
		{"", mon, "end of next quarter", "2027-03-31 17:00"},
		{"", mon, "next quarter", "2027-01-01 09:00"},
		{"", "2027-05-03 10:00", "next quarter", "2027-07-01 09:00"},
		{"", mon, "eoy", "2026-12-31 17:00"},
		{"", mon, "by the end of the year", "2026-12-31 17:00"},
		{"", "2026-12-31 18:00", "end of year", "2027-12-31 17:00"}, // the next once passed
		{"", mon, "end of next year", "2027-12-31 17:00"},
		{"", mon, "next year", "2027-01-01 09:00"},
		{"", mon, "this coming friday", "2026-11-27 09:00"},
		{"", "2026-11-27 08:00", "this coming friday", "2026-12-04 09:00"}, // coming: not today
		{"", "2026-11-27 08:00", "this friday", "2026-11-27 09:00"},
		{"", mon, "coming monday at 3pm", "2026-11-30 15:00"},
		{"", mon, "this weekend", "2026-11-28 09:00"},
		{"", "2026-11-28 08:00", "this weekend", "2026-11-28 09:00"},
		{"", "2026-11-28 10:00", "this weekend", "2026-11-29 09:00"}, // Saturday after 9:00: Sunday is left
		{"", "2026-11-29 08:00", "this weekend", "2026-11-29 09:00"},
		{"", "2026-11-29 10:00", "this weekend", "past"}, // Sunday after 9:00: it has gone by
		{"", mon, "this weekend at 2pm", "2026-11-28 14:00"},
		{"", mon, "next weekend", "2026-12-05 09:00"},
		{"", mon, "later today", "2026-11-23 17:00"},
		{"", "2026-11-23 17:30", "later today", "past"},
		{"", mon, "first thing tomorrow", "2026-11-24 09:00"},
		{"", mon, "first thing monday", "2026-11-30 09:00"},
		{"", mon, "monday first thing", "2026-11-30 09:00"},
		{"", mon, "first thing next business day", "2026-11-24 09:00"},
		{"", mon, "a week from today", "2026-11-30 09:00"},
		{"", mon, "a week from tomorrow", "2026-12-01 09:00"},
		{"", mon, "two weeks from friday at 3pm", "2026-12-11 15:00"},
		{"", mon, "a month from today", "2026-12-23 09:00"},
		{"", mon, "2 hours from tomorrow", "no: not by hours or minutes"},
		{"", mon, "in a fortnight", "2026-12-07 10:00"},
		{"", "2026-11-03 10:00", "the 5th of next month", "2026-12-05 09:00"},
		{"", "2026-11-03 10:00", "the 5th of this month", "2026-11-05 09:00"},
		{"", mon, "the 5th of this month", "past"},
		{"", "2026-10-03 10:00", "the 31st of next month", "no: November 2026 has no 31st"},
		{"", "2026-11-03 10:00", "the 5th", "2026-11-05 09:00"},
		{"", mon, "2026-02-30", "no: February 2026 has 28 days"},
		{"", mon, "2026-02-30 14:00", "no: does not exist"},
		{"", mon, "2026/02/30", "no: does not exist"},
		{"", mon, "2027-13-01", "no: there is no month 13"},
		{"", mon, "13/13", "no: “13/13” is not a date that exists: there is no month 13"},
		{"", mon, "2/30", "no: read month first, February has no 30th; read day first, there is no month 30"},
		{"", mon, "feb 30", "no: February has no day 30"},
		{"", "2026-11-27 10:00", "jan 5", "2027-01-05 09:00"},
		{"", "2026-11-27 10:00", "jan 5 at 3pm", "2027-01-05 15:00"},
		{"", "2026-12-01 10:00", "nov 30", "ask: gone by this year"},
		// Across the clock changes.
		{"America/New_York", "2027-03-12 18:00", "next business day", "2027-03-15 09:00"},
		{"America/New_York", "2027-03-13 10:00", "a week from today", "2027-03-20 09:00"},
		{"America/New_York", "2027-03-13 10:00", "first thing tomorrow", "2027-03-14 09:00"},
		{"Europe/London", "2027-03-26 18:00", "next working day", "2027-03-29 09:00"},
		{"Europe/London", "2027-03-22 10:00", "end of next week", "2027-04-02 17:00"},
		{"Europe/London", "2027-03-22 10:00", "this weekend", "2027-03-27 09:00"},
		{"Australia/Sydney", "2027-03-29 10:00", "end of next week", "2027-04-09 17:00"},
		{"Australia/Sydney", "2026-10-02 18:00", "next business day", "2026-10-05 09:00"},
		{"Australia/Sydney", "2027-03-20 10:00", "end of next month", "2027-04-30 17:00"},
		{"America/New_York", "2027-03-01 10:00", "end of quarter", "2027-03-31 17:00"}, // after spring forward
		{"Europe/London", "2026-10-20 10:00", "eoy", "2026-12-31 17:00"},
		{"Asia/Kolkata", "2026-11-27 18:00", "next business day at 10am", "2026-11-30 10:00"},
		{"Asia/Kolkata", "2026-11-27 10:00", "jan 5", "2027-01-05 09:00"},
	}, Options{})
}

// TestNextWorkdayByWorkHours: the next business day and "first thing"
// follow KEPT_WORK_HOURS, and with no working day at all it is refused.
func TestNextWorkdayByWorkHours(t *testing.T) {
	sunThu, err := workhours.Parse("Sun-Thu 08:30-16:30")
	if err != nil {
		t.Fatal(err)
	}
	checkTyped(t, []typedCase{
		{"Asia/Kolkata", "2026-11-26 18:00", "next business day", "2026-11-29 09:00"}, // Thursday: Sunday next
		{"Asia/Kolkata", "2026-11-26 18:00", "first thing tomorrow", "2026-11-27 08:30"},
		{"Asia/Kolkata", "2026-11-26 18:00", "first thing next working day", "2026-11-29 08:30"},
	}, Options{Work: sunThu})
	now, ny := refNow(t)
	_, err = newPhraseParser(now, ny, workhours.Hours{}).read(words("next business day"))
	if !errors.Is(err, ErrNoTime) || !strings.Contains(Reason(err), "No day is a working day") {
		t.Errorf("next business day without working days = %v", err)
	}
}
