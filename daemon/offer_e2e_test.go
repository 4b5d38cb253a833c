package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/slackui"
)

// followupOffers are the follow-up offers among user's DMs.
func (e *env) followupOffers(user string) []slacksim.Message {
	return e.dmsWith(user, "Follow up with")
}

// deliverTwice delivers an envelope twice, as Slack may, and waits for
// what each delivery does after its ack.
func (e *env) deliverTwice(envl *slacksim.Envelope) []slacksim.Reply {
	e.t.Helper()
	var out []slacksim.Reply
	for range 2 {
		r, err := e.sim.Deliver(e.ctx(), envl)
		if err != nil {
			e.t.Fatal(err)
		}
		e.settle()
		out = append(out, r)
	}
	return out
}

// TestFollowupOffer: a problem solved, logged by someone else, offers the
// customer's owner a follow-up due a week later at 9:00 on her clock;
// redelivered, the command logs one touch and one offer; Promise it,
// clicked twice, records one promise and replaces the offer; anyone else's
// click records nothing.
func TestFollowupOffer(t *testing.T) {
	e := start(t) // Monday 23 Nov 10:00 in Ann's New York
	e.cmd(ann, "/customer", "add Acme every 14d tier key")
	// Cid, in Kolkata, logs it; Slack delivers the command twice.
	envl := e.sim.SlashCommandEnvelope(cid, chan_, "/touch", "Acme problem solved: fixed the SSO bug")
	for _, r := range e.deliverTwice(envl) {
		if got := replyText(r); !strings.Contains(got, "I'll offer <@U0ANN>, who owns it, a follow-up in a DM: *Check the fix holds: fixed the SSO bug*") {
			t.Errorf("/touch answered %q", got)
		}
	}
	if ts, _ := e.d.Store.Touches(team, "Acme", 0); len(ts) != 1 {
		t.Errorf("%d touches from a redelivered command, want 1", len(ts))
	}
	if ns, _ := e.d.Store.Nudges(model.NudgeOffer); len(ns) != 1 {
		t.Fatalf("%d offers queued, want 1", len(ns))
	}
	e.tick()
	e.tick()
	e.settle()
	offers := e.followupOffers(ann)
	if len(offers) != 1 {
		t.Fatalf("%d offers to Ann, want 1", len(offers))
	}
	got := e.sim.Render(offers[0])
	for _, want := range []string{"Follow up with Acme?", "@cid logged *problem solved*", "fixed the SSO bug", "Check the fix holds", "Mon 30 Nov 09:00 EST", "[Promise it]", "[Change…]", "Nothing is recorded unless you click"} {
		if !strings.Contains(got+offers[0].Text, want) {
			t.Errorf("the offer lacks %q:\n%s", want, got)
		}
	}
	if len(e.promises()) != 0 {
		t.Fatal("an offer recorded a promise before any click")
	}

	// Bob may not take up Ann's offer.
	if _, err := e.sim.Click(e.ctx(), bob, offers[0], slackui.ActionOfferAccept, ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if len(e.promises()) != 0 {
		t.Fatal("someone else's click recorded the follow-up")
	}
	// Ann's click, delivered twice.
	click, err := e.sim.ClickEnvelope(ann, offers[0], slackui.ActionOfferAccept, "")
	if err != nil {
		t.Fatal(err)
	}
	e.deliverTwice(click)
	ps := e.promises()
	if len(ps) != 1 || ps[0].Text != "Check the fix holds: fixed the SSO bug" || ps[0].Customer != "Acme" || ps[0].Owner != ann ||
		!ps[0].Due.Equal(time.Date(2026, 11, 30, 9, 0, 0, 0, newYork)) {
		t.Fatalf("promises = %+v", ps)
	}
	updated, _ := e.sim.Message(offers[0].Channel, offers[0].TS)
	if r := e.sim.Render(updated); !strings.Contains(r, "#1") || strings.Contains(r, "[Promise it]") {
		t.Errorf("the offer was not replaced by the promise:\n%s", r)
	}
	// A call offers nothing.
	e.cmd(ann, "/touch", "Acme call: all good")
	e.tick()
	if ns, _ := e.d.Store.Nudges(model.NudgeOffer); len(ns) != 1 || len(e.followupOffers(ann)) != 0 {
		t.Errorf("%d offers queued after a call, want still 1 (and taken up)", len(ns))
	}
}

// TestFollowupOfferChange: Change… opens the promise form filled with the
// offer; what is submitted is recorded, once, under the offer; a Promise it
// arriving afterwards records nothing more.
func TestFollowupOfferChange(t *testing.T) {
	e := start(t)
	e.cmd(bob, "/customer", "add Acme every 14d tier key")
	r := e.cmd(bob, "/touch", "Acme sale closed: signed for two years")
	if got := replyText(r); !strings.Contains(got, "I'll offer you a follow-up in a DM: *How is it going?: signed for two years*") {
		t.Errorf("/touch answered %q", got)
	}
	e.tick()
	e.settle()
	offers := e.followupOffers(bob)
	if len(offers) != 1 || !strings.Contains(offers[0].Text, "Wed 23 Dec 09:00 CET") {
		t.Fatalf("offers to Bob = %+v; want one, due 30 days on at 9:00 in Paris", offers)
	}
	late, err := e.sim.ClickEnvelope(bob, offers[0], slackui.ActionOfferAccept, "")
	if err != nil {
		t.Fatal(err)
	}
	before := len(e.sim.Views())
	if _, err := e.sim.Click(e.ctx(), bob, offers[0], slackui.ActionOfferChange, ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if len(e.sim.Views()) == before {
		t.Fatal("Change… opened no form")
	}
	form := e.lastView(bob, "open")
	got := string(form.JSON)
	for _, want := range []string{`"initial_value":"Acme"`, `"initial_value":"How is it going?: signed for two years"`, `"initial_date":"2026-12-23"`, `"initial_time":"09:00"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the form lacks %s:\n%s", want, got)
		}
	}
	values := map[string]map[string]slack.BlockAction{
		"customer": {"value": {Type: "plain_text_input", Value: "Acme"}},
		"what":     {"value": {Type: "plain_text_input", Value: "Ask how the rollout goes"}},
		"date":     {"value": {Type: "datepicker", SelectedDate: "2026-12-15"}},
		"time":     {"value": {Type: "timepicker", SelectedTime: "10:00"}},
		"owner":    {"value": {Type: "users_select", SelectedUser: bob}},
	}
	if r, err := e.sim.SubmitView(e.ctx(), bob, form.ID, values); err != nil || len(r.Errors) > 0 {
		t.Fatalf("submit: %+v, %v", r, err)
	}
	e.settle()
	if _, err := e.sim.Deliver(e.ctx(), late); err != nil {
		t.Fatal(err)
	}
	e.settle()
	ps := e.promises()
	if len(ps) != 1 || ps[0].Text != "Ask how the rollout goes" || !ps[0].Due.Equal(time.Date(2026, 12, 15, 10, 0, 0, 0, mustZone("Europe/Paris"))) || ps[0].Owner != bob {
		t.Fatalf("promises = %+v; want the changed one only", ps)
	}
	updated, _ := e.sim.Message(offers[0].Channel, offers[0].TS)
	if r := e.sim.Render(updated); !strings.Contains(r, "#1") || strings.Contains(r, "[Change…]") {
		t.Errorf("the offer was not replaced by the promise:\n%s", r)
	}
}

// TestFollowupAcrossDST: a fix on Friday 30 October, before New York's
// clocks go back, is checked a week later at 9:00 EST (not 8:00, as 168
// hours would make it), and the reminder comes then.
func TestFollowupAcrossDST(t *testing.T) {
	e := start(t)
	e.clock.Set(time.Date(2026, 10, 30, 14, 0, 0, 0, newYork)) // 14:00 EDT
	e.cmd(ann, "/customer", "add Acme every 14d tier key")
	e.cmd(ann, "/touch", "Acme problem solved: fixed the export")
	e.tick()
	e.settle()
	offers := e.followupOffers(ann)
	if len(offers) != 1 || !strings.Contains(offers[0].Text, "Fri 6 Nov 09:00 EST") {
		t.Fatalf("offers = %+v; want one due Fri 6 Nov 09:00 EST", offers)
	}
	if _, err := e.sim.Click(e.ctx(), ann, offers[0], slackui.ActionOfferAccept, ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	ps := e.promises()
	nine := time.Date(2026, 11, 6, 9, 0, 0, 0, newYork)
	if len(ps) != 1 || !ps[0].Due.Equal(nine) || ps[0].Due.UTC().Hour() != 14 {
		t.Fatalf("promises = %+v; want due 9:00 EST (14:00 UTC)", ps)
	}
	reminders := func() int {
		n := 0
		for _, m := range e.sim.DMs(ann) {
			if strings.Contains(m.Text, "Reminder: #1") {
				n++
			}
		}
		return n
	}
	e.advanceTo(nine.Add(-time.Hour)) // 8:00 EST: 168 hours after the touch's day at 9:00 EDT
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders at 8:00 EST, want none yet", n)
	}
	e.advanceTo(nine)
	if n := reminders(); n != 1 {
		t.Errorf("%d reminders at 9:00 EST, want 1", n)
	}
}
