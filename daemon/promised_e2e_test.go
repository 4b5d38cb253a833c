package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/model"
)

// The promised time and the reminder time are two things (issue 11,
// defect 2): a snooze moves the reminder, on time is measured against
// what the customer was told, and moving what was promised is its own
// act, in the history and the digest.

func TestSnoozeKeepsPromisedTime(t *testing.T) {
	e := start(t) // Monday 23 Nov 10:00 in Ann's New York
	e.slash(ann, "Acme: send the deck tuesday 5pm")
	due := time.Date(2026, 11, 24, 17, 0, 0, 0, newYork)
	e.advanceTo(due)
	dms := e.reminders(ann)
	if len(dms) != 1 {
		t.Fatalf("%d reminders at the due time, want 1", len(dms))
	}
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "promise_snooze", "1:tomorrow"); err != nil {
		t.Fatal(err)
	}
	wed := time.Date(2026, 11, 25, 9, 0, 0, 0, newYork)
	e.advanceTo(wed)
	dms = e.reminders(ann)
	if len(dms) != 2 {
		t.Fatalf("%d reminders after the snooze, want 2", len(dms))
	}
	if got := blocksText(dms[1].Blocks); !strings.Contains(got, "Due "+dateToken(due)) {
		t.Errorf("the snoozed reminder no longer shows what was promised (Tue 17:00): %q", got)
	}
	e.clock.Set(wed.Add(6 * time.Minute))
	if _, err := e.sim.Click(e.ctx(), ann, dms[1], "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	p := e.promises()[0]
	if p.State != model.PromiseKept || p.OnTime || !p.Due.Equal(due) {
		t.Fatalf("kept Wed 9:06 after a Tue 17:00 promise: %s, on time %v, due %v; want kept late, still due Tue", p.State, p.OnTime, p.Due)
	}
	waitFor(t, e, func() bool { return strings.Contains(blocksText(e.reminders(ann)[1].Blocks), "Kept, late") })
}

func TestMovePromisedTime(t *testing.T) {
	e := start(t)
	e.cfg.Leads = []string{bob} // the digest is for leads
	e.restart()
	e.slash(ann, "Acme: send the deck tuesday 5pm")
	tue := time.Date(2026, 11, 24, 17, 0, 0, 0, newYork)
	wed := tue.Add(24 * time.Hour)
	r := e.slash(ann, "move 1 wednesday 5pm")
	if got := replyText(r); !strings.Contains(got, "Moved *#1*") || !strings.Contains(got, dateToken(wed)) || !strings.Contains(got, dateToken(tue)) {
		t.Errorf("/promise move answered %q", got)
	}
	p := e.promises()[0]
	if !p.Due.Equal(wed) || !p.MovedFrom.Equal(tue) || p.History[len(p.History)-1].Kind != model.EventMoved {
		t.Fatalf("after the move: due %v, moved from %v, last event %q; want due Wed, moved from Tue, moved", p.Due, p.MovedFrom, p.History[len(p.History)-1].Kind)
	}
	e.advanceTo(tue.Add(time.Minute))
	if n := len(e.reminders(ann)); n != 0 {
		t.Errorf("%d reminders at the old time", n)
	}
	e.advanceTo(wed)
	if n := len(e.reminders(ann)); n != 1 {
		t.Errorf("%d reminders at the new time, want 1", n)
	}
	e.clock.Set(wed.Add(17 * time.Hour)) // Thursday morning: late
	got := replyText(e.digestCmd(bob, chan_, ""))
	if !strings.Contains(got, "Late promises") || !strings.Contains(got, "moved from "+dateToken(tue)) {
		t.Errorf("the digest does not show the move: %q", got)
	}
	for _, bad := range []string{"move 1", "move 99 friday", "move 1 yesterday"} {
		before := e.promises()[0]
		if got := replyText(e.slash(ann, bad)); got == "" {
			t.Errorf("/promise %s: no answer", bad)
		}
		if after := e.promises()[0]; !after.Due.Equal(before.Due) || len(after.History) != len(before.History) {
			t.Errorf("/promise %s changed the promise", bad)
		}
	}
}
