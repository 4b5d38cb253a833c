package daemon_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// Customer state agrees with itself on every surface (issue 11, defect
// 4): the prompt, the card, the list and the digest give one answer,
// from model.Customer.CheckinDue.

func TestSnoozedCheckinIsNotOverdue(t *testing.T) {
	e := start(t)               // Monday 23 Nov 10:00 in New York
	e.cfg.Leads = []string{ann} // the digest is for leads
	e.restart()
	e.cmd(ann, "/customer", "add Acme every 14d tier key")
	due := time.Date(2026, 12, 7, 10, 0, 0, 0, newYork)
	e.advanceTo(due.Add(2 * 24 * time.Hour)) // two days past: overdue everywhere
	prompts := e.prompts(ann)
	if len(prompts) != 1 {
		t.Fatalf("%d prompts, want 1", len(prompts))
	}
	if got := replyText(e.cmd(ann, "/customer", "list")); !lateWords.MatchString(got) {
		t.Fatalf("before the snooze the list does not call Acme overdue: %q", got)
	}
	if _, err := e.sim.Click(e.ctx(), ann, prompts[0], "checkin_snooze", ""); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	list := replyText(e.cmd(ann, "/customer", "list"))
	card := replyText(e.cmd(ann, "/customer", "Acme"))
	dig := replyText(e.digestCmd(ann, chan_, ""))
	for name, text := range map[string]string{"/customer list": list, "/customer Acme": card} {
		if lateWords.MatchString(text) {
			t.Errorf("%s calls Acme overdue a week after a snooze: %q", name, text)
		}
	}
	if strings.Contains(dig, "Acme") {
		t.Errorf("the digest lists the snoozed Acme: %q", dig)
	}
	e.advanceTo(due.Add(9*24*time.Hour + 2*time.Hour)) // the snooze is over
	if got := replyText(e.cmd(ann, "/customer", "list")); !lateWords.MatchString(got) {
		t.Errorf("after the snooze the list does not call Acme overdue: %q", got)
	}
}

// lateWords is how a surface says a customer is past its check-in.
var lateWords = regexp.MustCompile(`(\d+ days?|less than a day) overdue|going quiet|neglected`)

// overdueWords finds "N days overdue" or "next due <date>".
var overdueWords = regexp.MustCompile(`\d+ days? overdue|next due <!date\^\d+`)

func TestChangedCadenceAgrees(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Globex every 2w")
	e.advanceTo(time.Date(2026, 12, 7, 10, 0, 0, 0, newYork))
	prompts := e.prompts(ann)
	if len(prompts) != 1 {
		t.Fatalf("%d prompts, want 1", len(prompts))
	}
	// Every week: Globex, added 14 days ago, is 7 days overdue by it.
	if _, err := e.sim.Click(e.ctx(), ann, prompts[0], "checkin_cadence", "7d"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, e, func() bool { return strings.Contains(blocksText(e.prompts(ann)[0].Blocks), "Cadence changed") })
	prompt := overdueWords.FindString(blocksText(e.prompts(ann)[0].Blocks))
	card := overdueWords.FindString(replyText(e.cmd(ann, "/customer", "Globex")))
	if prompt == "" || prompt != card || prompt != "7 days overdue" {
		t.Errorf("after Change cadence the prompt says %q and the card %q; want both 7 days overdue", prompt, card)
	}
}
