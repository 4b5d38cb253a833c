package commitment

import (
	"strings"
	"testing"
	"time"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDetect(t *testing.T) {
	now, loc := corpusNow(t)
	tests := []struct {
		text   string
		reason Reason
		task   string
		due    string
	}{
		{"I'll get back to you tomorrow", Commitment, "get back to them", "2026-11-24 09:00"},
		{"you'll have it by EOD", Commitment, "send it", "2026-11-23 17:00"},
		{"let me check and call you Monday", Commitment, "check and call them", "2026-11-30 09:00"},
		{"I'll send the quote by EOD Friday", Commitment, "send the quote", "2026-11-27 17:00"},
		{"I'll call you at 3", Commitment, "call them", "2026-11-23 15:00"},
		{"I'll ship it by the 15th", Commitment, "ship it", "2026-12-15 09:00"},
		{"I'll send it later this week", Commitment, "send it", "2026-11-27 17:00"},
		{"you'll hear back from me tomorrow", Commitment, "get back to them", "2026-11-24 09:00"},
		{"I'll be sending the contract tomorrow", Commitment, "send the contract", "2026-11-24 09:00"},
		{"I'll send it tomorrow, ok?", Commitment, "send it", "2026-11-24 09:00"},
		{"As I said, I'll call you Friday", Commitment, "call them", "2026-11-27 09:00"},
		{"I'll send it tomorrow if that works", Commitment, "send it", "2026-11-24 09:00"},
		{"Hi! Thanks for the update.\nI'll send the revised SOW by Wednesday.", Commitment, "send the revised SOW", "2026-11-25 09:00"},

		{"Should I call you tomorrow?", Question, "", ""},
		{"I'll send it tomorrow?", Question, "", ""},
		{"do you want me to send it tomorrow", Question, "", ""},
		{"If you need it, I'll send it tomorrow", Hypothetical, "", ""},
		{"I'll send it tomorrow unless you'd rather wait", Hypothetical, "", ""},
		{"I'd send it tomorrow", Hypothetical, "", ""},
		{"I said I'll send it tomorrow", Reported, "", ""},
		{"I was going to send it tomorrow", Reported, "", ""},
		{"Dave says you'll have it by Friday", Reported, "", ""},
		{"I'll look into it", NoTime, "", ""},
		{"I'll send it today", Commitment, "send it", "2026-11-23 17:00"},
		{"Dave will call you tomorrow", NoPromise, "", ""},
		{"Please send the quote by Friday", NoPromise, "", ""},
		{"I'll be out tomorrow", NoPromise, "", ""},
		{"Talk to you tomorrow", NoPromise, "", ""},
		{"I'll send the monday report", NoTime, "", ""},
		{"Good morning! I'll look into it", NoTime, "", ""},
		{"", NoPromise, "", ""},
	}
	for _, tt := range tests {
		r := Detect(tt.text, now, loc)
		if r.Reason != tt.reason {
			t.Errorf("Detect(%q) = %s, want %s", tt.text, r.Reason, tt.reason)
			continue
		}
		if tt.reason != Commitment {
			if r.Task != "" || !r.Due.IsZero() {
				t.Errorf("Detect(%q) = %s with task %q due %v: want neither", tt.text, r.Reason, r.Task, r.Due)
			}
			continue
		}
		if r.Task != tt.task || r.Due.Format("2006-01-02 15:04") != tt.due {
			t.Errorf("Detect(%q) = %q due %s, want %q due %s", tt.text, r.Task, r.Due.Format("2006-01-02 15:04"), tt.task, tt.due)
		}
		if r.Due.Location() != loc {
			t.Errorf("Detect(%q) due in %v, want the writer's zone %v", tt.text, r.Due.Location(), loc)
		}
	}
}

// TestDetectPastDue: at 18:00 "today" (17:00) has gone by, and Kept does
// not offer a promise that is already late.
func TestDetectPastDue(t *testing.T) {
	loc := zone(t, "America/New_York")
	now := time.Date(2026, 11, 23, 18, 0, 0, 0, loc)
	if r := Detect("I'll send it today", now, loc); r.Reason != PastDue {
		t.Errorf("at 18:00, \"today\" = %s %v, want %s", r.Reason, r.Due, PastDue)
	}
	if r := Detect("I'll send it tonight", now, loc); !r.Found() || r.Due.Hour() != 20 {
		t.Errorf("at 18:00, \"tonight\" = %s %v, want 20:00", r.Reason, r.Due)
	}
}

// TestDetectZones reads the same words in the writer's zone on either side
// of a DST change: the wall time is kept, the instant moves.
func TestDetectZones(t *testing.T) {
	tests := []struct {
		zone string
		now  time.Time // UTC
		text string
		want string // local wall time
		off  int    // UTC offset of the due time, hours
	}{
		// Paris springs forward on Sunday 29 March 2026.
		{"Europe/Paris", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), "I'll call you tomorrow", "2026-03-29 09:00", 2},
		{"Europe/Paris", time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), "I'll send it in 2 days at 5pm", "2026-03-30 17:00", 2},
		// New York falls back on Sunday 1 November 2026.
		{"America/New_York", time.Date(2026, 10, 31, 14, 0, 0, 0, time.UTC), "I'll email you Monday", "2026-11-02 09:00", -5},
		{"America/New_York", time.Date(2026, 10, 31, 14, 0, 0, 0, time.UTC), "I'll email you tonight", "2026-10-31 20:00", -4},
		// Kolkata, half an hour off: 23:00 UTC Monday is already Tuesday there.
		{"Asia/Kolkata", time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC), "I'll send the deck tomorrow", "2026-11-25 09:00", 5},
		// Sydney is a day ahead of New York at the same instant.
		{"Australia/Sydney", time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), "I'll get back to you by Friday", "2026-11-27 09:00", 11},
	}
	for _, tt := range tests {
		loc := zone(t, tt.zone)
		r := Detect(tt.text, tt.now, loc)
		if !r.Found() {
			t.Errorf("%s %q: %s", tt.zone, tt.text, r.Reason)
			continue
		}
		_, off := r.Due.Zone()
		if got := r.Due.Format("2006-01-02 15:04"); got != tt.want || off/3600 != tt.off {
			t.Errorf("%s %q = %s (UTC%+d), want %s (UTC%+d)", tt.zone, tt.text, got, off/3600, tt.want, tt.off)
		}
	}
}

// TestDetectSlackMarkup reads text as Slack delivers it: entities escaped,
// mentions and links as tokens, quotes as "&gt;" lines.
func TestDetectSlackMarkup(t *testing.T) {
	now, loc := corpusNow(t)
	tests := []struct {
		text string
		want string // task, or "" for no offer
	}{
		{"<@U123|ann> I'll send the <https://example.com/q|quote> tomorrow", "send the quote"},
		{"I'll send the Q&amp;A doc tomorrow", "send the Q&A doc"},
		{"&gt; I'll send it tomorrow\nthanks!", ""},
		{"```I'll send it tomorrow```", ""},
		{"I'll send it tomorrow :+1:", "send it"},
		{"<!here> I'll post the notes tonight", "post the notes"},
		{"<@U123> will send it tomorrow", ""},
	}
	for _, tt := range tests {
		r := Detect(tt.text, now, loc)
		if r.Task != tt.want || r.Found() != (tt.want != "") {
			t.Errorf("Detect(%q) = %s %q, want %q", tt.text, r.Reason, r.Task, tt.want)
		}
	}
}

// TestDetectBounded: a huge message costs no more than its first few
// thousand bytes.
func TestDetectBounded(t *testing.T) {
	now, loc := corpusNow(t)
	long := strings.Repeat("word ", 10000) + "I'll send it tomorrow"
	if r := Detect(long, now, loc); r.Found() {
		t.Errorf("a promise past the first %d bytes was read: %+v", maxBytes, r)
	}
	if r := Detect(strings.Repeat("I'll send it tomorrow ", 2000), now, loc); !r.Found() {
		t.Errorf("repeated promise: %s", r.Reason)
	}
}

func TestReasonString(t *testing.T) {
	for r := NoPromise; r <= PastDue; r++ {
		if s := r.String(); s == "" || s == "unknown" {
			t.Errorf("Reason(%d) has no name", r)
		}
	}
	if Reason(99).String() != "unknown" {
		t.Error("Reason(99) should be unknown")
	}
}

func BenchmarkDetect(b *testing.B) {
	now, loc := corpusNow(b)
	for b.Loop() {
		Detect("Thanks Maria! I'll loop in our solutions engineer and get back to you by Wednesday.", now, loc)
	}
}
