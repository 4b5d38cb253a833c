package daemon_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/slackui"
)

// TestCustomerDatesCommand: /customer edit sets and removes a customer's
// dates that matter, says when the owner will hear of each, and shows them
// on the card; bad input gets an ephemeral refusal and changes nothing.
func TestCustomerDatesCommand(t *testing.T) {
	e := start(t) // Monday 23 Nov 2026 10:00 in Ann's New York
	e.cmd(ann, "/customer", "add Acme every 30d tier key")
	r := e.cmd(ann, "/customer", "edit Acme renewal 2027-03-01")
	if got := replyText(r); r.ResponseType != "ephemeral" || !strings.Contains(got, "Renewal: Mon 1 Mar 2027. I'll remind you on Mon 1 Feb 2027.") {
		t.Fatalf("renewal answered %q (%s)", got, r.ResponseType)
	}
	r = e.cmd(ann, "/customer", `edit Acme date "kickoff anniversary" mar 14 contract start 2024-02-29`)
	for _, want := range []string{
		"Kickoff anniversary: 14 Mar, every year. I'll remind you on Mon 8 Mar 2027, the week of Sun 14 Mar 2027.",
		"Contract start: Thu 29 Feb 2024, every year. I'll remind you on Mon 22 Feb 2027, the week of Sun 28 Feb 2027.",
	} {
		if got := replyText(r); !strings.Contains(got, want) {
			t.Errorf("dates answered %q; want %q", got, want)
		}
	}
	c := e.customer("acme")
	if len(c.Dates) != 3 || c.Dates[0].Kind != model.DateRenewal || c.Dates[1].Kind != model.DateStart || c.Dates[2].Name != "kickoff anniversary" {
		t.Fatalf("stored dates %+v", c.Dates)
	}
	card := replyText(e.cmd(bob, "/customer", "Acme"))
	for _, want := range []string{"*Dates that matter*", "• Renewal: Mon 1 Mar 2027, in 98 days", "• Kickoff anniversary: every 14 Mar, next Sun 14 Mar 2027"} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}

	before := e.customer("acme")
	for _, tc := range []struct{ user, text, want string }{
		{ann, "edit Acme renewal 2026-11-01", "That renewal date, 2026-11-01, has passed"},
		{ann, "edit Acme renewal 2027-13-01", "I can't read “2027-13-01” as a date for `renewal`"},
		{ann, "edit Acme renewal", "Give the date after `renewal`"},
		{ann, `edit Acme date "go-live day" none`, "*Acme* has no go-live day date to remove."},
		{ann, "edit Acme renewal none date renewal mar 3", "is a date of its own"},
		{ann, `edit Acme date "kickoff anniversary" feb 30`, "I can't read “feb 30” as a date"},
		{bob, "edit Acme renewal 2027-04-01", "Only <@U0ANN>, who owns *Acme*, or an admin can change"},
	} {
		r := e.cmd(tc.user, "/customer", tc.text)
		if got := replyText(r); r.ResponseType != "ephemeral" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: answered %q (%s); want %q", tc.text, got, r.ResponseType, tc.want)
		}
	}
	if after := e.customer("acme"); !reflect.DeepEqual(after.Dates, before.Dates) {
		t.Errorf("bad input changed the dates: %+v, was %+v", after.Dates, before.Dates)
	}

	r = e.cmd(ann, "/customer", `edit Acme renewal none date “Kickoff Anniversary” none`)
	if got := replyText(r); !strings.Contains(got, "Renewal removed. Kickoff Anniversary removed.") {
		t.Errorf("removal answered %q", got)
	}
	if c := e.customer("acme"); len(c.Dates) != 1 || c.Dates[0].Kind != model.DateStart {
		t.Errorf("after removing two: %+v", c.Dates)
	}
}

// TestDatePromptsAcrossDST: dates are prompted in the owner's working
// hours on her clock on both sides of New York's spring-forward (Sunday
// 14 March 2027): a kickoff anniversary on Wednesday 10 March on Monday 8
// March 9:00 EST (14:00 UTC), a contract start's third anniversary on
// Wednesday 17 March and a renewal on 14 April (30 days' notice) on
// Monday 15 March 9:00 EDT (13:00 UTC). Each goes out once, a restart
// between claim and delivery included; a key customer's anniversary
// suggests a gesture, whose Done logs one touch, for its owner only.
func TestDatePromptsAcrossDST(t *testing.T) {
	e := start(t) // Monday 23 Nov 2026 10:00 in Ann's New York
	e.cmd(ann, "/customer", `add Acme every 90d tier key`)
	e.cmd(ann, "/customer", `edit Acme date kickoff mar 10 contract start 2024-03-17`)
	e.cmd(ann, "/customer", `add Globex never renewal 2027-04-14`)
	datePrompts := func() []slacksim.Message { return e.dmsWith(ann, "kickoff") }
	// The claim comes as 8 March begins in UTC+14 (7 March 10:00 UTC);
	// the prompt waits for 9:00 in New York. Kept restarts in between.
	e.advanceTo(time.Date(2027, 3, 7, 10, 0, 0, 0, time.UTC))
	if ns, _ := e.d.Store.Nudges(model.NudgeDate); len(ns) != 1 || !ns[0].State.Pending() {
		t.Fatalf("claimed %+v; want the kickoff's prompt, held", ns)
	}
	e.stop()
	e.run()
	for _, at := range []time.Time{
		time.Date(2027, 3, 8, 0, 0, 0, 0, newYork),
		time.Date(2027, 3, 8, 8, 59, 0, 0, newYork),
	} {
		e.advanceTo(at)
		if n := len(datePrompts()); n != 0 {
			t.Fatalf("%d prompts at %s in New York", n, at.In(newYork).Format("Mon 15:04"))
		}
	}
	e.advanceTo(time.Date(2027, 3, 8, 14, 0, 0, 0, time.UTC)) // 9:00 EST
	ps := datePrompts()
	if len(ps) != 1 {
		t.Fatalf("%d kickoff prompts at 9:00 EST, want 1", len(ps))
	}
	got := e.sim.Render(ps[0])
	for _, want := range []string{"Acme's kickoff is on Wed 10 Mar (in 2 days)", "key customer: a small gesture", "No touch logged yet.", "[Done: a thank-you note]", "[Done: a call to say thanks]"} {
		if !strings.Contains(got, want) {
			t.Errorf("the kickoff prompt lacks %q:\n%s", want, got)
		}
	}
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 3 * 24 * time.Hour} {
		e.advanceTo(time.Date(2027, 3, 8, 14, 0, 0, 0, time.UTC).Add(d))
	}
	if n := len(datePrompts()); n != 1 {
		t.Fatalf("%d kickoff prompts in its week, want 1", n)
	}

	// Bob may not log Ann's gesture; Ann's Done, clicked twice, logs one.
	if _, err := e.sim.Click(e.ctx(), bob, ps[0], slackui.ActionGestureNote, ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if !e.told(bob, "This prompt went to <@U0ANN>, who owns *Acme*") {
		t.Error("Bob was not told why his click logged nothing")
	}
	click, err := e.sim.ClickEnvelope(ann, ps[0], slackui.ActionGestureCall, "")
	if err != nil {
		t.Fatal(err)
	}
	e.deliverTwice(click)
	e.settle()
	ts, _ := e.d.Store.Touches(team, "Acme", 0)
	if len(ts) != 1 || ts[0].Kind != model.TouchCall || ts[0].By != ann || ts[0].Note != "Called to say thanks: the kickoff" {
		t.Fatalf("touches after the gesture: %+v; want one call by Ann", ts)
	}
	updated, _ := e.sim.Message(ps[0].Channel, ps[0].TS)
	if r := e.sim.Render(updated); !strings.Contains(r, "✅ *Done*: a call to say thanks, logged as a touch by @ann") || strings.Contains(r, "[Done:") {
		t.Errorf("the prompt was not updated:\n%s", r)
	}

	// After the change: the contract start and Globex's renewal on
	// Monday 15 March 9:00 EDT, 13:00 UTC; 12:59 UTC is 8:59 there.
	e.advanceTo(time.Date(2027, 3, 15, 12, 59, 0, 0, time.UTC))
	if n := len(e.dmsWith(ann, "contract start")) + len(e.dmsWith(ann, "Globex renews")); n != 0 {
		t.Fatalf("%d prompts at 8:59 EDT", n)
	}
	e.advanceTo(time.Date(2027, 3, 15, 13, 0, 0, 0, time.UTC))
	start, renew := e.dmsWith(ann, "contract start"), e.dmsWith(ann, "Globex renews")
	if len(start) != 1 || len(renew) != 1 {
		ns, _ := e.d.Store.Nudges(model.NudgeDate)
		c := e.customer("Globex")
		t.Fatalf("at 9:00 EDT: %d contract start and %d renewal prompts, want 1 each; nudges %+v; globex %+v", len(start), len(renew), ns, c.Dates)
	}
	if r := e.sim.Render(start[0]); !strings.Contains(r, "3 years since Acme's contract start:* Wed 17 Mar (in 2 days)") || !strings.Contains(r, "called to say thanks") && !strings.Contains(r, "Called to say thanks") {
		t.Errorf("the contract start prompt:\n%s", r)
	}
	if r := e.sim.Render(renew[0]); !strings.Contains(r, "Globex renews on Wed 14 Apr (in 30 days)") || strings.Contains(r, "[Done:") {
		t.Errorf("the renewal prompt:\n%s", r)
	}
	e.advanceTo(time.Date(2027, 3, 16, 13, 0, 0, 0, time.UTC))
	if n, _ := e.d.Store.Nudges(model.NudgeDate); len(n) != 3 {
		t.Errorf("%d date prompts in all, want 3", len(n))
	}
}

// TestDatePromptDropped: a date removed, or moved, after its prompt was
// claimed and before it could go out (overnight) is not prompted; the
// moved one is prompted for its new day.
func TestDatePromptDropped(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Acme never renewal 2027-01-04 date kickoff dec 30")
	// The renewal's prompt day is Saturday 5 December, 30 days ahead: it
	// is claimed, and held to Monday 9:00. The kickoff's week begins
	// Monday 28 December.
	e.advanceTo(time.Date(2026, 12, 5, 23, 0, 0, 0, newYork))
	if ns, _ := e.d.Store.Nudges(model.NudgeDate); len(ns) != 1 {
		t.Fatalf("claimed %d, want the renewal's", len(ns))
	}
	e.cmd(ann, "/customer", "edit Acme renewal 2027-01-11")
	e.advanceTo(time.Date(2026, 12, 7, 9, 0, 0, 0, newYork))
	if n := len(e.dmsWith(ann, "renews")); n != 0 {
		t.Fatalf("%d renewal prompts after it moved a week", n)
	}
	e.advanceTo(time.Date(2026, 12, 14, 9, 0, 0, 0, newYork))
	if r := e.dmsWith(ann, "renews"); len(r) != 1 || !strings.Contains(e.sim.Render(r[0]), "Mon 11 Jan 2027") {
		t.Fatalf("the moved renewal's prompt: %d", len(r))
	}
	e.advanceTo(time.Date(2026, 12, 27, 12, 0, 0, 0, newYork)) // claimed, held to Monday
	e.cmd(ann, "/customer", "edit Acme date kickoff none")
	e.advanceTo(time.Date(2026, 12, 28, 9, 0, 0, 0, newYork))
	if n := len(e.dmsWith(ann, "kickoff")); n != 0 {
		t.Errorf("%d prompts for a removed date", n)
	}
}
