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

var _ = workhours.Default

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
