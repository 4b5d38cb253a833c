package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// TestVerbLookalikesGetHelp: a first word that looks like a verb Kept
// does not have, or a typo of one, gets the help and records nothing; it
// used to become a promise ("delete 3", due whenever the rest said).
func TestVerbLookalikesGetHelp(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back tomorrow 3pm")
	tests := []struct{ text, want string }{
		{"delete 1", "Did you mean `/promise cancel 1`?"},
		{"remove 1", "Did you mean `/promise cancel 1`?"},
		{"dnoe 1", "Did you mean `/promise done 1`?"},
		{"snoze 1 tomorrow", "I don't know `/promise snoze`"},
		{"complete #1", "Did you mean `/promise done #1`?"},
		{"lsit", "Did you mean `/promise list`?"},
		{"modify 1 send the deck v2 tomorrow", "I don't know `/promise modify`"},
	}
	for _, tt := range tests {
		got := replyText(e.slash(ann, tt.text))
		if !strings.Contains(got, tt.want) || !strings.Contains(got, "/promise done 42") {
			t.Errorf("/promise %s = %q, want %q and the help", tt.text, got, tt.want)
		}
	}
	ps := e.promises()
	if len(ps) != 1 || ps[0].State != store.Open {
		t.Errorf("lookalike verbs changed the promises: %+v", ps)
	}
	// What only starts with such a word, and is not followed by a number,
	// is a promise as before.
	if got := replyText(e.slash(ann, "delete the old files for Acme tomorrow 3pm")); !strings.Contains(got, "Got it") {
		t.Errorf("a promise starting with delete was refused: %q", got)
	}
}

// TestClickAckedBeforeSlowSlack: the Done click is acknowledged before
// Kept rewrites the reminder and republishes the Home tab, so a slow
// Slack (chat.update and views.publish taking longer than the 3 seconds
// Slack waits for an ack) shows no error to the user; the rewrite still
// happens, after the ack.
func TestClickAckedBeforeSlowSlack(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	if err := e.sim.OpenHome(e.ctx(), ann); err != nil {
		t.Fatal(err)
	}
	dm := e.sim.DMs(ann)[0]
	slow := slacksim.Fault{Delay: 3500 * time.Millisecond}
	e.sim.FailNext("chat.update", 1, slow)
	e.sim.FailNext("views.publish", 1, slow)
	began := time.Now()
	if _, err := e.sim.Click(e.ctx(), ann, dm, "promise_done", ""); err != nil {
		t.Fatalf("the click was not acknowledged in time: %v", err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("the ack took %v, waiting on Slack", took)
	}
	if p := e.promises()[0]; p.State != store.Kept {
		t.Errorf("the promise was not kept before the ack: %s", p.State)
	}
	e.settle()
	if m, _ := e.sim.Message(dm.Channel, dm.TS); m.Updates != 1 || !strings.Contains(blocksText(m.Blocks), "Kept, on time") {
		t.Errorf("after the ack the reminder was not rewritten: %d updates, %q", m.Updates, blocksText(m.Blocks))
	}
	if errs := e.sim.Errors(); len(errs) > 0 {
		t.Errorf("Slack saw: %v", errs)
	}
}

// TestShutdownFinishesFollowUps: a shutdown waits for the work a click
// queued after its ack, within its deadline, rather than dropping it.
func TestShutdownFinishesFollowUps(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	e.sim.FailNext("chat.update", 1, slacksim.Fault{Delay: time.Second})
	if _, err := e.sim.Click(e.ctx(), ann, dm, "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.stop()
	if m, _ := e.sim.Message(dm.Channel, dm.TS); m.Updates != 1 {
		t.Errorf("the shutdown dropped the reminder's rewrite: %d updates", m.Updates)
	}
}
