package daemon_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
)

// question is the newest time question Kept showed user, as Slack holds it.
func (e *env) question(user string) slacksim.Message {
	e.t.Helper()
	msgs := e.sim.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if m.Ephemeral && m.EphemeralTo == user && strings.Contains(blocksText(m.Blocks), "[Cancel]") {
			return m
		}
	}
	e.t.Fatalf("no time question for %s", user)
	return slacksim.Message{}
}

func (e *env) press(user string, m slacksim.Message, action string) slacksim.Message {
	e.t.Helper()
	if _, err := e.sim.Click(e.ctx(), user, m, action, ""); err != nil {
		e.t.Fatalf("press %s: %v", action, err)
	}
	var got slacksim.Message
	if err := e.sim.Wait(e.ctx(), func() bool {
		got, _ = e.sim.Message(m.Channel, m.TS)
		return got.Updates > m.Updates
	}); err != nil {
		e.t.Fatalf("the question was not answered after %s: %v", action, err)
	}
	return got
}

// TestTimeQuestionDayFirst: "3/4" reads two ways, so Kept asks with a
// button for each and records nothing until one is pressed; the answer
// replaces the question.
func TestTimeQuestionDayFirst(t *testing.T) {
	e := start(t) // Monday 2026-11-23 10:00 in Ann's New York
	r := e.slash(ann, "Acme: send the quote 3/4")
	got := replyText(r)
	for _, want := range []string{"reads two ways", "[Thu 4 Mar 2027 09:00 EST]", "[Sat 3 Apr 2027 09:00 EDT]", "[Cancel]"} {
		if !strings.Contains(got, want) {
			t.Errorf("question %q lacks %q", got, want)
		}
	}
	if n := len(e.promises()); n != 0 {
		t.Fatalf("a question stored %d promises", n)
	}
	answer := e.press(ann, e.question(ann), "promise_time_choice_1")
	ps := e.promises()
	if len(ps) != 1 || !ps[0].Due.Equal(time.Date(2027, 4, 3, 9, 0, 0, 0, newYork)) || ps[0].Text != "send the quote" || ps[0].Customer != "Acme" || ps[0].Owner != ann {
		t.Fatalf("stored %+v", ps)
	}
	if !strings.Contains(answer.Text, "Got it") || !strings.Contains(answer.Text, "2027") || strings.Contains(blocksText(answer.Blocks), "[Cancel]") {
		t.Errorf("the question was replaced with %q / %q", answer.Text, blocksText(answer.Blocks))
	}
}

// TestTimeQuestionNextYear: "nov 20" typed on 23 November is not moved to
// next year silently; Kept offers next year's date, with the year shown.
func TestTimeQuestionNextYear(t *testing.T) {
	e := start(t)
	r := e.slash(ann, "@bob renew the contract nov 20")
	if got := replyText(r); !strings.Contains(got, "already gone by this year") || !strings.Contains(got, "[Sat 20 Nov 2027 09:00 CET]") {
		t.Fatalf("answered %q", got)
	}
	answer := e.press(ann, e.question(ann), "promise_time_choice_0")
	ps := e.promises()
	paris := mustZone("Europe/Paris") // Bob's zone: "9:00" is his
	if len(ps) != 1 || !ps[0].Due.Equal(time.Date(2027, 11, 20, 9, 0, 0, 0, paris)) || ps[0].Owner != bob || ps[0].Creator != ann {
		t.Fatalf("stored %+v", ps)
	}
	if !strings.Contains(answer.Text, "2027") {
		t.Errorf("the confirmation's fallback %q does not show the year", answer.Text)
	}
}

// TestTimeQuestionCancelAndSnooze: Cancel records nothing; snooze asks the
// same question and takes the answer.
func TestTimeQuestionCancelAndSnooze(t *testing.T) {
	e := start(t)
	e.slash(ann, "send it 5/6")
	answer := e.press(ann, e.question(ann), "promise_time_cancel")
	if n := len(e.promises()); n != 0 || !strings.Contains(answer.Text, "nothing changed") {
		t.Fatalf("cancel stored %d promises and said %q", n, answer.Text)
	}
	e.slash(ann, "send it tomorrow 3pm")
	id := e.promises()[0].ID
	r := e.slash(ann, "snooze "+itoa(id)+" 12/3")
	if got := replyText(r); !strings.Contains(got, "[Thu 3 Dec 09:00 EST]") || !strings.Contains(got, "[Fri 12 Mar 2027 09:00 EST]") {
		t.Fatalf("snooze answered %q", got)
	}
	answer = e.press(ann, e.question(ann), "promise_time_choice_0")
	if p := e.promises()[0]; !p.ReminderAt().Equal(time.Date(2026, 12, 3, 9, 0, 0, 0, newYork)) {
		t.Errorf("snoozed to %v", p.ReminderAt().In(newYork))
	}
	if !strings.Contains(answer.Text, "Snoozed") {
		t.Errorf("snooze answer %q", answer.Text)
	}
	if got := replyText(e.slash(ann, "snooze "+itoa(id)+" every monday")); !strings.Contains(got, "repeats") {
		t.Errorf("snooze with a schedule answered %q", got)
	}
}

// TestTimeRefusals: each phrase Kept will not schedule gets the reason,
// and nothing is stored.
func TestTimeRefusals(t *testing.T) {
	e := start(t)
	tests := []struct{ text, want string }{
		{"send it last friday", "is in the past"},
		{"Acme: check every monday and thursday at 10 and 2pm", "repeating schedule"},
		{"deploy friday midnight", "start of a day to some"},
		{"call them tomorrow at 5", "5am or 5pm"},
		{"call them tonight at 3", "3pm is not tonight, so “at 3” does not say when tonight"},
		{"call them 2026-02-30", "That date does not exist: February 2026 has 28 days."},
		{"call them 13/13", "“13/13” is not a date that exists: there is no month 13."},
		{"call them 2 hours from tomorrow", "not by hours or minutes"},
		{"call them 3pm IST", "India, Ireland or Israel"},
		{"call them feb 29", "has no 29 February"},
		{"send <b>it</b> & more", "I couldn't find when in “send &lt;b&gt;it&lt;/b&gt; &amp; more”"},
	}
	for _, tt := range tests {
		if got := replyText(e.slash(ann, tt.text)); !strings.Contains(got, tt.want) {
			t.Errorf("/promise %s answered %q, want %q", tt.text, got, tt.want)
		}
	}
	// A wall time the clocks skip: 2:30 on 14 March 2027 in New York.
	e.clock.Set(time.Date(2027, 3, 13, 10, 0, 0, 0, newYork))
	if got := replyText(e.slash(ann, "call them tomorrow 2:30am")); !strings.Contains(got, "does not exist in America/New_York") || !strings.Contains(got, "3:30am") {
		t.Errorf("DST gap answered %q", got)
	}
	if n := len(e.promises()); n != 0 {
		t.Fatalf("refusals stored %d promises", n)
	}
}

// TestTimesReadWhole: the phrases that were half read or refused before
// are read whole, in the owner's zone.
func TestTimesReadWhole(t *testing.T) {
	e := start(t) // Monday 2026-11-23 10:00 New York
	tests := []struct {
		text, what, repeat string
		due                time.Time
	}{
		{"send it tomorrow eod", "send it", "", time.Date(2026, 11, 24, 17, 0, 0, 0, newYork)},
		{"Acme: check every monday and thursday 10am", "check", "every monday and thursday 10am", time.Date(2026, 11, 26, 10, 0, 0, 0, newYork)},
		{"ping them in 1h30m", "ping them", "", time.Date(2026, 11, 23, 11, 30, 0, 0, newYork)},
		{"ship it in 3 business days", "ship it", "", time.Date(2026, 11, 26, 10, 0, 0, 0, newYork)},
		{"sync friday 5pm Europe/Paris", "sync", "", time.Date(2026, 11, 27, 11, 0, 0, 0, newYork)},
		{"pay the invoice on the 15th", "pay the invoice", "", time.Date(2026, 12, 15, 9, 0, 0, 0, newYork)},
		{"wrap up 12/25", "wrap up", "", time.Date(2026, 12, 25, 9, 0, 0, 0, newYork)},
		{"send the deck (next business day)", "send the deck", "", time.Date(2026, 11, 24, 9, 0, 0, 0, newYork)},
		{"call Ann tonight at 9!", "call Ann", "", time.Date(2026, 11, 23, 21, 0, 0, 0, newYork)},
		{"renew @ 1430", "renew", "", time.Date(2026, 11, 23, 14, 30, 0, 0, newYork)},
		{"plan the offsite by the end of next week", "plan the offsite", "", time.Date(2026, 12, 4, 17, 0, 0, 0, newYork)},
		{"review it in forty-five minutes", "review it", "", time.Date(2026, 11, 23, 10, 45, 0, 0, newYork)},
	}
	for i, tt := range tests {
		e.slash(ann, tt.text)
		ps := e.promises()
		if len(ps) != i+1 {
			t.Fatalf("/promise %s: %d promises", tt.text, len(ps))
		}
		p := ps[0]
		for _, q := range ps {
			if q.ID > p.ID {
				p = q
			}
		}
		if p.Text != tt.what || p.Repeat != tt.repeat || !p.Due.Equal(tt.due) {
			t.Errorf("/promise %s stored %q due %v repeat %q", tt.text, p.Text, p.Due.In(newYork), p.Repeat)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestZoneUnknownSaysWhichZone: when Slack cannot say the owner's zone
// (users.info fails), Kept still records the promise, in the workspace's
// zone, and the confirmation says so and how to set it right; once
// Slack answers again, the next promise is read in the owner's own zone.
func TestZoneUnknownSaysWhichZone(t *testing.T) {
	e := start(t) // Monday 2026-11-23 10:00 in Ann's New York; the workspace's zone is UTC
	e.sim.FailNext("users.info", 1, slacksim.Fault{Status: 500})
	got := replyText(e.slash(ann, "Acme: call back tomorrow 9am"))
	for _, want := range []string{"Tue 24 Nov 09:00 UTC", "I read the time in UTC, the workspace's time zone", "`/promise move 1`"} {
		if !strings.Contains(got, want) {
			t.Errorf("confirmation %q lacks %q", got, want)
		}
	}
	got = replyText(e.slash(ann, "Acme: send the notes tomorrow 9am"))
	if strings.Contains(got, "workspace's time zone") || !strings.Contains(got, "Tue 24 Nov 09:00 EST") {
		t.Errorf("with Slack answering, confirmation %q", got)
	}
	ps := e.promises()
	if len(ps) != 2 || !ps[0].Due.Equal(time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)) || !ps[1].Due.Equal(time.Date(2026, 11, 24, 9, 0, 0, 0, newYork)) {
		t.Fatalf("stored %+v", ps)
	}
}
