package daemon_test

import (
	"strings"
	"testing"
	"time"
)

// TestHealthEverywhere: one customer's health reads the same on its card,
// in `/customer list`, on its owner's Home tab and in the digest, and the
// list filters and sorts by it; a query it does not know is refused and
// changes nothing.
func TestHealthEverywhere(t *testing.T) {
	e := listening(t) // Monday 23 Nov 10:00 in New York; Acme's channel linked
	e.cmd(ann, "/customer", "add Globex every 7d")
	e.cmd(ann, "/customer", "add Initech every 30d")
	e.slash(ann, "Initech: send the quote nov 24 5pm")
	// Two weeks and a day on: Globex is two cadences silent, Acme a day
	// past its check-in, Initech's promise a week late.
	e.advanceTo(time.Date(2026, 12, 8, 11, 0, 0, 0, newYork))
	e.cmd(ann, "/touch", "Globex called, all good")
	e.advanceTo(time.Date(2026, 12, 24, 11, 0, 0, 0, newYork))
	// Acme: past by more than a cadence, but Cara wrote to us today.
	e.say(cara, shared, "Quick question about the invoice")

	card := replyText(e.cmd(ann, "/customer", "Acme"))
	if !strings.Contains(card, "🟠 going quiet*: past the check-in") {
		t.Errorf("Acme's card:\n%s", card)
	}
	if card := replyText(e.cmd(ann, "/customer", "Initech")); !strings.Contains(card, "🔴 neglected*: a promise to them is late") {
		t.Errorf("Initech's card:\n%s", card)
	}
	list := replyText(e.cmd(ann, "/customer", "list by health"))
	iInitech, iGlobex, iAcme := strings.Index(list, "*Initech*"), strings.Index(list, "*Globex*"), strings.Index(list, "*Acme*")
	if iInitech < 0 || iGlobex < 0 || iAcme < 0 || iAcme < iGlobex || iAcme < iInitech {
		t.Errorf("by health, neglected first:\n%s", list)
	}
	// Each view that marks a customer neglected says why, as the card
	// does: Initech's check-in is still ahead, its promise is late.
	const silent, late = "🔴 neglected (past the check-in by a whole cadence, and not a word from them)", "🔴 neglected (a promise to them is late)"
	for _, want := range []string{"*Acme* · 🟠 going quiet", "*Globex* · " + silent, "*Initech* · " + late} {
		if !strings.Contains(list, want) {
			t.Errorf("list lacks %q:\n%s", want, list)
		}
	}
	neglected := replyText(e.cmd(ann, "/customer", "list neglected"))
	if strings.Contains(neglected, "Acme") || !strings.Contains(neglected, "Globex") || !strings.Contains(neglected, "Initech") {
		t.Errorf("list neglected:\n%s", neglected)
	}
	if got := replyText(e.cmd(ann, "/customer", "list due soon")); !strings.Contains(got, "No customer is 🟡 due soon") {
		t.Errorf("list due soon:\n%s", got)
	}
	bad := e.cmd(ann, "/customer", "list happy")
	if got := replyText(bad); bad.ResponseType != "ephemeral" || !strings.Contains(got, "/customer list by health") {
		t.Errorf("a bad query answered %q (%s)", got, bad.ResponseType)
	}

	if err := e.sim.OpenHome(e.ctx(), ann); err != nil {
		t.Fatal(err)
	}
	home := e.sim.RenderView(e.lastView(ann, "publish"))
	for _, want := range []string{"Acme* · 🟠 going quiet", "Globex* · " + silent, "Initech* · " + late} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q:\n%s", want, home)
		}
	}
	dig := replyText(e.digestCmd(ann, chan_, ""))
	for _, want := range []string{"*Acme* · <@U0ANN> · 🟠 going quiet", "*Globex* · <@U0ANN> · " + silent} {
		if !strings.Contains(dig, want) {
			t.Errorf("digest lacks %q:\n%s", want, dig)
		}
	}
}
