package daemon_test

import (
	"strings"
	"testing"
	"time"
)

// TestCreatorIsTold: Bob records promises for Ann; when Ann keeps, moves,
// hands over or cancels one, Bob gets one DM saying so, through the
// outbox (once, across a restart). A snooze, or a change Bob makes
// himself, tells him nothing.
func TestCreatorIsTold(t *testing.T) {
	e := start(t)
	for _, what := range []string{"keep", "move", "give", "cancel", "snooze", "bob's own"} {
		e.slash(bob, "@ann Acme: "+what+" the quote tomorrow 3pm")
	}
	e.slash(ann, "done 1")
	e.slash(ann, "move 2 friday 5pm")
	e.slash(ann, "give 3 @cid")
	e.slash(ann, "cancel 4")
	e.slash(ann, "snooze 5 in 2 hours")
	e.slash(bob, "cancel 6")
	e.settle()
	e.tick()
	want := []string{
		"*#1* for *Acme*: “keep the quote”, which you recorded:\n✅ <@U0ANN> kept it, on time.",
		"*#2* for *Acme*: “move the quote”, which you recorded:\n📅 <@U0ANN> moved it to " + dateToken(time.Date(2026, 11, 27, 17, 0, 0, 0, newYork)),
		"*#3* for *Acme*: “give the quote”, which you recorded:\n➡️ <@U0ANN> handed it from <@U0ANN> to <@U0CID>.",
		"*#4* for *Acme*: “cancel the quote”, which you recorded:\n🚫 <@U0ANN> cancelled it",
	}
	check := func(when string) {
		t.Helper()
		dms := e.dmsWith(bob, "which you recorded")
		if len(dms) != len(want) {
			for _, m := range dms {
				t.Log(blocksText(m.Blocks))
			}
			t.Fatalf("%s: Bob got %d notices, want %d", when, len(dms), len(want))
		}
		// Delivered by several workers: in any order, each once.
		for _, w := range want {
			n := 0
			for _, m := range dms {
				if strings.Contains(blocksText(m.Blocks), w) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: %d notices say %q, want 1", when, n, w)
			}
		}
	}
	check("after the changes")
	e.restart()
	e.advanceTo(e.clock.Now().Add(time.Hour))
	check("after a restart")
	if n := len(e.dmsWith(ann, "which you recorded")); n != 0 {
		t.Errorf("Ann, who made the changes, got %d notices", n)
	}
}

// TestNewCustomerOwnerIsTold: a customer handed over with /customer edit
// tells its new owner, once, even when Slack delivers the command twice;
// an edit that keeps the owner tells nobody.
func TestNewCustomerOwnerIsTold(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Acme every 14d tier key")
	e.cmd(ann, "/touch", "Acme called about the renewal")
	// Slack retries the envelope: the handover takes effect, and is told, once.
	env := e.sim.SlashCommandEnvelope(ann, chan_, "/customer", "edit Acme owner @cid")
	for range 2 {
		if _, err := e.sim.Deliver(e.ctx(), env); err != nil {
			t.Fatal(err)
		}
	}
	e.cmd(cid, "/customer", "edit Acme every 7d")
	e.settle()
	e.tick()
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dms := e.dmsWith(cid, "handed *Acme* to you")
	if len(dms) != 1 {
		t.Fatalf("%d handover DMs to Cid, want 1", len(dms))
	}
	got := blocksText(dms[0].Blocks)
	for _, w := range []string{"🤝 <@U0ANN> handed *Acme* to you", "key customer", "last note: “called about the renewal”", "`/customer Acme`"} {
		if !strings.Contains(got, w) {
			t.Errorf("handover DM lacks %q:\n%s", w, got)
		}
	}
	if n := len(e.dmsWith(ann, "handed")); n != 0 {
		t.Errorf("Ann, who handed it over, got %d DMs about it", n)
	}
}
