package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// Stale nudges (issue 11, defect 1): a reminder waiting in the outbox
// while Slack fails must not go out once its promise has moved on.

// reminders are the nudge messages (reminders and follow-ups) in user's DM.
func (e *env) reminders(user string) []slacksim.Message {
	var out []slacksim.Message
	for _, m := range e.sim.DMs(user) {
		if nudgeID(m) > 0 && strings.Contains(m.Text, "#") {
			out = append(out, m)
		}
	}
	return out
}

// failedReminder records a promise due in an hour and lets its reminder
// meet a Slack 503 at the due time, so that it waits in the outbox.
func (e *env) failedReminder(text string) time.Time {
	e.t.Helper()
	e.slash(ann, text)
	due := e.promises()[0].Due
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Status: 503})
	e.advanceTo(due)
	if n := e.nudges()[0]; n.State != store.NudgeDue || n.Attempts != 1 {
		e.t.Fatalf("after the 503: %+v, want the reminder due again", n)
	}
	return due
}

// recover lets the retry's backoff pass and ticks.
func (e *env) recover() {
	e.t.Helper()
	e.clock.Advance(30 * time.Second)
	e.tick()
}

func TestStaleReminderAfterSnooze(t *testing.T) {
	e := start(t)
	due := e.failedReminder("Acme: call back in 1 hour")
	e.slash(ann, "snooze 1 in 3 hours")
	e.recover()
	if n := len(e.reminders(ann)); n != 0 {
		t.Fatalf("%d reminders right after the snooze; the snoozed one must wait 3 hours", n)
	}
	if n := e.nudges()[0]; n.State != store.NudgeDropped {
		t.Errorf("the stale reminder is %s, want dropped", n.State)
	}
	e.advanceTo(due.Add(3 * time.Hour).Add(time.Minute))
	if n := len(e.reminders(ann)); n != 1 {
		t.Fatalf("%d reminders after the snooze ended, want exactly 1", n)
	}
}

func TestStaleReminderAfterHandover(t *testing.T) {
	e := start(t)
	e.failedReminder("Acme: call back in 1 hour")
	e.slash(ann, "give 1 @bob")
	e.recover()
	if n := len(e.reminders(ann)); n != 0 {
		t.Errorf("Ann was reminded %d times of a promise she gave away", n)
	}
	if n := len(e.reminders(bob)); n != 1 {
		t.Errorf("Bob got %d reminders, want his own one", n)
	}
}

func TestStaleReminderAfterOccurrenceDone(t *testing.T) {
	e := start(t)
	due := e.failedReminder("Acme: standup notes every day 10am")
	e.slash(ann, "done 1")
	e.recover()
	if n := len(e.reminders(ann)); n != 0 {
		t.Fatalf("%d reminders right after the occurrence was done: the next one is a day away", n)
	}
	e.advanceTo(due.Add(24 * time.Hour))
	if n := len(e.reminders(ann)); n != 1 {
		t.Fatalf("%d reminders at the next occurrence, want 1", n)
	}
}

func TestStaleCheckinGoesToNewOwner(t *testing.T) {
	e := start(t) // Monday 23 Nov 10:00 in New York
	e.cmd(ann, "/customer", "add Acme every 14d tier key")
	due := time.Date(2026, 12, 7, 10, 0, 0, 0, newYork) // 16:00 in Bob's Paris: working hours for both
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Status: 503})
	e.advanceTo(due)
	e.cmd(ann, "/customer", "edit Acme owner @bob")
	e.recover() // the prompt, now Bob's, is put back to be gathered with his
	if n := len(e.prompts(ann)) + len(e.prompts(bob)); n != 0 {
		t.Errorf("%d check-in prompts in the round that found the handover, want none until Bob's round", n)
	}
	e.recover()
	if n := len(e.prompts(ann)); n != 0 {
		t.Errorf("Ann got %d check-in prompts for a customer she handed to Bob", n)
	}
	if n := len(e.prompts(bob)); n != 1 {
		t.Errorf("Bob got %d check-in prompts, want 1", n)
	}
}

// TestDoneTwiceOnASeriesReminder: Done on a series' reminder keeps that
// occurrence; the message is not redrawn (Kept stopped between the commit
// and the redraw, here a failed chat.update), so its buttons are still
// there, and a second Done on it keeps nothing: the next occurrence stays
// owed, and the clicker is told why.
func TestDoneTwiceOnASeriesReminder(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Acme")
	e.slash(ann, "Acme: standup notes every day 10am")
	first := e.promises()[0].Due
	e.advanceTo(first)
	rs := e.reminders(ann)
	if len(rs) != 1 {
		t.Fatalf("%d reminders at the first occurrence, want 1", len(rs))
	}
	e.sim.FailNext("chat.update", 1, slacksim.Fault{Status: 503})
	if _, err := e.sim.Click(e.ctx(), ann, rs[0], "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.promises()[0]; p.Occurrence != 1 || !p.Due.Equal(first.Add(24*time.Hour)) {
		t.Fatalf("after Done: occurrence %d due %s; want 1, a day later", p.Occurrence, p.Due)
	}
	for _, action := range []string{"promise_done", "promise_snooze"} {
		if _, err := e.sim.Click(e.ctx(), ann, rs[0], action, ""); err != nil {
			t.Fatal(err)
		}
		e.settle()
		p := e.promises()[0]
		if p.Occurrence != 1 || !p.Due.Equal(first.Add(24*time.Hour)) || !p.RemindAt.IsZero() {
			t.Errorf("%s again on the first occurrence's reminder: occurrence %d, due %s, remind at %s; want the next occurrence untouched", action, p.Occurrence, p.Due, p.RemindAt)
		}
	}
	if !e.told(ann, "That occurrence of #1 is kept already") {
		t.Error("the clicker was not told why nothing changed")
	}
	if n := len(e.touches()); n != 1 {
		t.Errorf("%d touches logged, want 1 for the one occurrence kept", n)
	}
}
