package daemon_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
)

// Customer channels, end to end (issue 15): Kept in a channel shared with
// Acme's organisation, where Cara (Acme, team T0ACME) and Ann (ours) talk.

const (
	cara   = "U0CARA"
	shared = "C0ACME"
	other  = "C0GLOBEX"
)

// listening starts Kept with Acme as Ann's customer, its shared channel
// with Kept in it, linked.
func listening(t *testing.T) *env {
	t.Helper()
	e := start(t)
	e.cfg.Excerpt = 140
	e.cfg.WorkHours = workhours.Default
	e.cfg.Leads = []string{ann} // she may read the digest
	e.stop()
	e.run()
	e.sim.AddUser(slacksim.User{ID: cara, Name: "cara", RealName: "Cara at Acme", TZ: "Europe/London", TeamID: "T0ACME"})
	e.sim.AddChannel(slacksim.Channel{ID: shared, Name: "acme-shared", Members: []string{ann, bob, cara, "U0KEPTBOT"}, Shared: true})
	e.cust(ann, "add Acme every 14d")
	if r := e.customerIn(ann, shared, "link Acme"); !strings.Contains(r.Text, "Linked") {
		t.Fatalf("link: %q", r.Text)
	}
	return e
}

func (e *env) cust(user, text string) slacksim.Reply {
	return e.customerIn(user, chan_, text)
}

func (e *env) customerIn(user, channel, text string) slacksim.Reply {
	e.t.Helper()
	r, err := e.sim.SlashCommand(e.ctx(), user, channel, "/customer", text)
	if err != nil {
		e.t.Fatalf("/customer %s: %v", text, err)
	}
	return r
}

func (e *env) say(user, channel, text string) slacksim.Message {
	e.t.Helper()
	m, err := e.sim.Say(e.ctx(), user, channel, text)
	if err != nil {
		e.t.Fatalf("say %q: %v", text, err)
	}
	e.settle() // what a slow Slack left after the ack (beforeAck)
	return m
}

// offersTo are the ephemeral offers to track a promise seen by user.
func (e *env) offersTo(user, channel string) []slacksim.Message {
	var out []slacksim.Message
	for _, m := range e.sim.Messages() {
		if m.Channel == channel && m.Ephemeral && m.EphemeralTo == user && strings.Contains(blocksText(m.Blocks), "[Track it]") {
			out = append(out, m)
		}
	}
	return out
}

// nothingVisible fails if Kept ever posted in the shared channel anything
// the customer could see.
func (e *env) nothingVisible() {
	e.t.Helper()
	if v := e.sim.Visible(shared); len(v) > 0 {
		e.t.Errorf("Kept posted %d visible messages in the shared channel: %q", len(v), v[0].Text)
	}
	for _, m := range e.sim.Messages() {
		if m.Channel == shared && m.Ephemeral && m.EphemeralTo == cara {
			e.t.Errorf("Kept showed the customer an ephemeral: %q", m.Text)
		}
	}
}

func (e *env) touches() []store.Touch {
	e.t.Helper()
	ts, err := e.d.Store.Touches(team, "Acme", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return ts
}

func TestLinkChannel(t *testing.T) {
	e := start(t)
	e.sim.AddChannel(slacksim.Channel{ID: shared, Name: "acme-shared", Members: []string{ann}, Shared: true})
	e.sim.AddChannel(slacksim.Channel{ID: other, Name: "globex", Members: []string{ann, "U0KEPTBOT"}})
	e.cust(ann, "add Acme")
	e.cust(ann, "add Globex")

	// Kept is not in the channel yet: it says how to invite it.
	r := e.cust(ann, "link Acme #acme-shared")
	if !strings.Contains(r.Text, "/invite @Kept") || r.ResponseType != "ephemeral" {
		t.Errorf("link before the invite: %q", r.Text)
	}
	if err := e.sim.Join(e.ctx(), shared, "U0KEPTBOT", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	r = e.cust(ann, "link Acme #acme-shared")
	if !strings.Contains(r.Text, "Linked <#"+shared+"> to *Acme*") {
		t.Fatalf("link: %q", r.Text)
	}
	// Several channels per customer, one customer per channel.
	if r := e.cust(ann, "link Acme #globex"); !strings.Contains(r.Text, "Linked") {
		t.Errorf("second channel: %q", r.Text)
	}
	if r := e.cust(ann, "link Globex #acme-shared"); !strings.Contains(r.Text, "already belongs to *Acme*") {
		t.Errorf("a channel of another customer: %q", r.Text)
	}
	if r := e.cust(ann, "link Nobody #globex"); !strings.Contains(r.Text, "I don't know a customer called *Nobody*") {
		t.Errorf("unknown customer: %q", r.Text)
	}
	card := replyText(e.cust(ann, "Acme"))
	if !strings.Contains(card, "Channels: <#"+shared+">, <#"+other+">") {
		t.Errorf("card lacks its channels: %q", card)
	}
	if r := e.cust(ann, "unlink #globex"); !strings.Contains(r.Text, "Unlinked") {
		t.Errorf("unlink: %q", r.Text)
	}
	if r := e.cust(ann, "link Globex #globex"); !strings.Contains(r.Text, "Linked") {
		t.Errorf("relink to another customer after unlinking: %q", r.Text)
	}
	// Bob does not own Acme: he may not link its channels.
	if r := e.cust(bob, "link Acme #globex"); strings.Contains(r.Text, "Linked") {
		t.Errorf("a non-owner linked a channel: %q", r.Text)
	}
	e.nothingVisible()
}

func TestJoinSharedChannelAsks(t *testing.T) {
	e := start(t)
	e.cust(ann, "add Acme Corp")
	e.cust(ann, "add Globex")
	e.sim.AddChannel(slacksim.Channel{ID: shared, Name: "ext-acme-corp", Members: []string{ann}, Shared: true})
	e.sim.AddChannel(slacksim.Channel{ID: other, Name: "internal", Members: []string{ann}})

	// An internal channel: nothing to ask.
	if err := e.sim.Join(e.ctx(), other, "U0KEPTBOT", ann); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if n := len(e.sim.DMs(ann)); n != 0 {
		t.Fatalf("asked about an internal channel: %d DMs", n)
	}
	if err := e.sim.Join(e.ctx(), shared, "U0KEPTBOT", ann); err != nil {
		t.Fatal(err)
	}
	e.settle()
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("%d DMs to the inviter, want the one question", len(dms))
	}
	q := blocksText(dms[0].Blocks)
	if !strings.Contains(q, "[It's Acme Corp]") || !strings.Contains(q, "<#"+shared+">") || !strings.Contains(q, "[Another customer…]") {
		t.Errorf("question = %q", q)
	}
	e.clickSettled(ann, dms[0], slackui.ActionLinkChannel)
	got, _ := e.sim.Message(dms[0].Channel, dms[0].TS)
	if !strings.Contains(got.Text, "Linked <#"+shared+"> to *Acme Corp*") {
		t.Errorf("after the click the DM says %q", got.Text)
	}
	c, err := e.d.Store.ChannelCustomer(team, shared)
	if err != nil || c.Name != "Acme Corp" {
		t.Errorf("channel customer = %v, %v", c.Name, err)
	}
	e.nothingVisible()
}

// Slack sends member_joined_channel again when the ack was late or lost
// (the same event under a new envelope id, maybe to another connection):
// the inviter is asked once.
func TestJoinRedeliveredAsksOnce(t *testing.T) {
	e := start(t)
	e.cust(ann, "add Acme Corp")
	e.sim.AddChannel(slacksim.Channel{ID: shared, Name: "ext-acme-corp", Members: []string{ann}, Shared: true})
	env, err := e.sim.JoinEnvelope(shared, "U0KEPTBOT", ann)
	if err != nil || env == nil {
		t.Fatalf("join: %v, envelope %v", err, env)
	}
	e.deliverAgain(env)
	if dms := e.sim.DMs(ann); len(dms) != 1 {
		t.Fatalf("%d DMs to the inviter after four deliveries, want the one question", len(dms))
	}
}

func TestOurMessagesAreTouches(t *testing.T) {
	e := listening(t)
	e.say(ann, shared, "Morning Cara, how did the rollout go?")
	ts := e.touches()
	if len(ts) != 1 || ts[0].Kind != "message" || ts[0].By != ann || !strings.Contains(ts[0].Note, "/archives/"+shared+"/p") {
		t.Fatalf("touches = %+v", ts)
	}
	// Its note is the channel and a link to the message, not a raw URL,
	// on the card (slackui.Note, which every view of a note shares).
	_, link, _ := strings.Cut(ts[0].Note, ": ")
	want := "Wrote in <#" + shared + "> (<" + link + "|message>)"
	if card := replyText(e.cust(ann, "Acme")); !strings.Contains(card, "“"+want+"”") {
		t.Errorf("the card shows the message touch's note as\n%s\nwant %q", card, want)
	}
	// The cadence restarts from it.
	c, _ := e.d.Store.Customer(team, "Acme")
	if !c.LastTouch.Equal(ts[0].At) || c.LastBy != ann {
		t.Errorf("last touch %v by %s, want the message", c.LastTouch, c.LastBy)
	}
	// At most one per person per customer per 4 hours; Bob's counts.
	e.clock.Set(e.clock.Now().Add(time.Hour))
	e.say(ann, shared, "Also, the new dashboard is live")
	e.say(bob, shared, "Hi from Bob!")
	if n := len(e.touches()); n != 2 {
		t.Errorf("%d touches after a second message within 4 hours and Bob's, want 2", n)
	}
	e.clock.Set(e.clock.Now().Add(4 * time.Hour))
	e.say(ann, shared, "Following up on the dashboard")
	if n := len(e.touches()); n != 3 {
		t.Errorf("%d touches after 5 hours, want 3", n)
	}
	// The customer's messages, edits, deletions and bots are not touches.
	m := e.say(cara, shared, "Thanks Ann")
	if err := e.sim.Edit(e.ctx(), cara, shared, m.TS, "Thanks Ann!"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.sim.AddUser(slacksim.User{ID: "U0JIRA", Name: "jira", IsBot: true})
	_ = e.sim.Join(e.ctx(), shared, "U0JIRA", ann)
	e.settle()
	e.clock.Set(e.clock.Now().Add(5 * time.Hour))
	e.say("U0JIRA", shared, "Ticket ACME-12 was updated")
	if n := len(e.touches()); n != 3 {
		t.Errorf("%d touches, want still 3", n)
	}
	// An unlinked channel is not listened to.
	e.sim.AddChannel(slacksim.Channel{ID: other, Name: "random", Members: []string{ann, "U0KEPTBOT"}})
	e.say(ann, other, "I'll send it tomorrow")
	if n := len(e.touches()); n != 3 || len(e.offersTo(ann, other)) != 0 {
		t.Errorf("an unlinked channel counted")
	}
	e.nothingVisible()
}

func TestOfferToTrackAPromise(t *testing.T) {
	e := listening(t)
	m := e.say(ann, shared, "I'll send you the revised quote by Friday")
	offers := e.offersTo(ann, shared)
	if len(offers) != 1 {
		t.Fatalf("%d offers to Ann, want 1", len(offers))
	}
	text := blocksText(offers[0].Blocks)
	for _, want := range []string{"send them the revised quote", "Acme", "Fri 27 Nov 09:00 EST", "[Track it][Change…][No thanks]", "/promise suggestions off"} {
		if !strings.Contains(text, want) {
			t.Errorf("offer %q lacks %q", text, want)
		}
	}
	if len(e.promises()) != 0 {
		t.Fatal("a promise was recorded before the click")
	}
	// Not offered: a question, a customer's promise, someone else's, no time.
	e.say(ann, shared, "Should I call you tomorrow?")
	e.say(cara, shared, "We'll send the signed PO by Friday")
	e.say(bob, shared, "Dave will call you tomorrow")
	e.say(bob, shared, "I'll look into it")
	if n := len(e.offersTo(ann, shared)) + len(e.offersTo(bob, shared)) + len(e.offersTo(cara, shared)); n != 1 {
		t.Errorf("%d offers in all, want still 1", n)
	}
	// Track it records exactly what was shown, once however often the
	// click arrives (Slack may deliver it twice).
	click, err := e.sim.ClickEnvelope(ann, offers[0], slackui.ActionSuggestTrack, "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := e.sim.Deliver(e.ctx(), click); err != nil {
			t.Fatal(err)
		}
		e.settle()
	}
	if got, _ := e.sim.Message(shared, offers[0].TS); !strings.Contains(got.Text, "#1") {
		t.Errorf("the offer was not replaced by the confirmation: %q", got.Text)
	}
	ps := e.promises()
	due := time.Date(2026, 11, 27, 9, 0, 0, 0, newYork)
	if len(ps) != 1 || ps[0].Text != "send them the revised quote" || ps[0].Customer != "Acme" || !ps[0].Due.Equal(due) ||
		ps[0].Owner != ann || ps[0].Channel != shared || !strings.Contains(ps[0].Permalink, strings.ReplaceAll(m.TS, ".", "")) {
		t.Fatalf("promises = %+v", ps)
	}
	e.nothingVisible()
}

func TestOfferChangeAndDismiss(t *testing.T) {
	e := listening(t)
	e.say(ann, shared, "let me check and call you Monday")
	offer := e.offersTo(ann, shared)[0]
	before := len(e.sim.Views())
	e.clickSettled(ann, offer, slackui.ActionSuggestChange)
	views := e.sim.Views()
	if len(views) != before+1 {
		t.Fatalf("Change… opened no form")
	}
	form := string(views[len(views)-1].JSON)
	for _, want := range []string{`"initial_value":"Acme"`, `check and call them`, `"initial_date":"2026-11-30"`, `"initial_time":"09:00"`} {
		if !strings.Contains(form, want) {
			t.Errorf("form lacks %s: %s", want, form)
		}
	}
	// Ann moves it to Tuesday and submits: the promise links the message.
	if _, err := e.sim.SubmitView(e.ctx(), ann, views[len(views)-1].ID, modalInput("Acme", "check and call them", "2026-12-01", "10:00", ann)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if ps := e.promises(); len(ps) != 1 || ps[0].Customer != "Acme" || !ps[0].Due.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, newYork)) || ps[0].Channel != shared || !strings.Contains(ps[0].Permalink, "/archives/"+shared) {
		t.Fatalf("after Change…: %+v", ps)
	}
	e.say(ann, shared, "I'll get back to you tomorrow")
	offers := e.offersTo(ann, shared)
	if _, err := e.sim.Click(e.ctx(), ann, offers[len(offers)-1], slackui.ActionSuggestDismiss, ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if got, _ := e.sim.Message(shared, offers[len(offers)-1].TS); !got.Deleted {
		t.Errorf("No thanks left the offer in place")
	}
	if len(e.promises()) != 1 {
		t.Errorf("No thanks recorded a promise")
	}
}

func TestSuggestionsOff(t *testing.T) {
	e := listening(t)
	r, _ := e.sim.SlashCommand(e.ctx(), ann, chan_, "/promise", "suggestions off")
	if !strings.Contains(r.Text, "won't offer") {
		t.Fatalf("suggestions off: %q", r.Text)
	}
	e.say(ann, shared, "I'll send the deck tonight")
	e.say(bob, shared, "I'll send the notes tonight")
	if len(e.offersTo(ann, shared)) != 0 || len(e.offersTo(bob, shared)) != 1 {
		t.Errorf("offers: Ann %d (off), Bob %d (on)", len(e.offersTo(ann, shared)), len(e.offersTo(bob, shared)))
	}
	// The messages still count as touches.
	if len(e.touches()) != 2 {
		t.Errorf("%d touches", len(e.touches()))
	}
	e.sim.SlashCommand(e.ctx(), ann, chan_, "/promise", "suggestions on")
	e.clock.Set(e.clock.Now().Add(time.Minute))
	e.say(ann, shared, "I'll call you at 3pm")
	if len(e.offersTo(ann, shared)) != 1 {
		t.Errorf("suggestions on: no offer")
	}
}

func TestWaitingOnUs(t *testing.T) {
	e := listening(t)
	m := e.say(cara, shared, "Hi, the export keeps failing for our EU tenant. Can someone look today?")
	c, _ := e.d.Store.LastHeard(team, "Acme")
	if c.By != cara || c.At.Sub(e.clock.Now()).Abs() > time.Second {
		t.Errorf("last heard = %+v", c)
	}
	card := replyText(e.cust(ann, "Acme"))
	// ⏳ marks what waits on us everywhere: the card, the list, the Home
	// tab, as in the team view and the digest.
	for _, want := range []string{"Last heard from: today (<@" + cara + ">", "⏳ Waiting on us since", "the export keeps failing"} {
		if !strings.Contains(card, want) {
			t.Errorf("card %q lacks %q", card, want)
		}
	}
	list := replyText(e.cust(ann, "list"))
	if !strings.Contains(list, "last heard from today") || !strings.Contains(list, "⏳ 1 message waiting on us") {
		t.Errorf("list %q lacks the channel summary", list)
	}
	// Ann's Home tab says it too: when Acme last wrote, and what waits.
	if err := e.sim.OpenHome(e.ctx(), ann); err != nil {
		t.Fatal(err)
	}
	e.settle()
	home := e.sim.RenderView(e.lastView(ann, "publish"))
	for _, want := range []string{"*Acme* · last heard from today", "⏳ 1 message waiting on us", "*⏳ Waiting on us*"} {
		if !strings.Contains(home, want) {
			t.Errorf("Home tab lacks %q:\n%s", want, home)
		}
	}
	// 3h59 of Ann's working hours later: nothing yet. At 4h: one DM.
	e.advanceTo(time.Date(2026, 11, 23, 13, 59, 0, 0, newYork))
	if n := len(e.sim.DMs(ann)); n != 0 {
		t.Fatalf("%d DMs before 4 working hours", n)
	}
	e.advanceTo(time.Date(2026, 11, 23, 14, 0, 0, 0, newYork))
	e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("%d DMs after 4 working hours, want 1", len(dms))
	}
	text := blocksText(dms[0].Blocks)
	for _, want := range []string{"*Acme* is waiting on us", "<@" + cara + ">", "4 hours ago", "the export keeps failing", "[Promise a follow-up][Handled]", "/archives/" + shared} {
		if !strings.Contains(text, want) {
			t.Errorf("DM %q lacks %q", text, want)
		}
	}
	// The digest lists it too.
	if d := replyText(e.cust(ann, "digest")); !strings.Contains(d, "*Waiting on us*") || !strings.Contains(d, "*Acme* · <@"+ann+"> · <@"+cara+"> wrote in <#"+shared+"> 4 hours ago") {
		t.Errorf("digest lacks the wait: %q", d)
	}
	// Promise a follow-up opens the form for Acme.
	before := len(e.sim.Views())
	e.clickSettled(ann, dms[0], slackui.ActionWaitPromise)
	if vs := e.sim.Views(); len(vs) != before+1 || !strings.Contains(string(vs[len(vs)-1].JSON), `"initial_value":"Acme"`) {
		t.Errorf("Promise a follow-up opened no form for Acme")
	}
	// Our side answers in the thread: the DM goes away by itself.
	if _, err := e.sim.Reply(e.ctx(), bob, shared, m.TS, "Looking now, Cara"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if got, _ := e.sim.Message(dms[0].Channel, dms[0].TS); !got.Deleted {
		t.Errorf("the waiting DM is still there after our reply")
	}
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("still waiting: %+v", ws)
	}
	e.nothingVisible()
}

func TestWaitingAnsweredInTimeAndHandled(t *testing.T) {
	e := listening(t)
	// Friday 16:00: 4 working hours run out on Monday at 12:00.
	e.clock.Set(time.Date(2026, 11, 27, 16, 0, 0, 0, newYork))
	e.say(cara, shared, "Quick question about invoices")
	e.say(cara, shared, "Anyone?") // the clock runs from the first
	e.advanceTo(time.Date(2026, 11, 30, 11, 59, 0, 0, newYork))
	if dms := e.sim.DMs(ann); len(dms) != 0 {
		t.Fatalf("DM over the weekend: %q", dms[0].Text)
	}
	e.say(ann, shared, "Hi Cara, on it")
	e.advanceTo(time.Date(2026, 11, 30, 13, 0, 0, 0, newYork))
	if n := len(e.sim.DMs(ann)); n != 0 {
		t.Errorf("a DM although Ann answered in time: %d", n)
	}
	// A new question, handled elsewhere: Handled closes it.
	e.say(cara, shared, "Can you resend the contract?")
	e.advanceTo(time.Date(2026, 11, 30, 18, 0, 0, 0, newYork))
	e.advanceTo(time.Date(2026, 12, 1, 10, 0, 0, 0, newYork))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("%d DMs, want 1", len(dms))
	}
	e.clickSettled(ann, dms[0], slackui.ActionWaitHandled)
	if got, _ := e.sim.Message(dms[0].Channel, dms[0].TS); !strings.Contains(got.Text, "Marked as handled") {
		t.Errorf("after Handled: %q", got.Text)
	}
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("still waiting after Handled: %+v", ws)
	}
	e.nothingVisible()
}

// TestUnlinkDropsWaits: once a channel is unlinked Kept no longer hears
// our answers there, so what waited in it leaves the card and the digest,
// and its DM is withdrawn; one in a thread too.
func TestUnlinkDropsWaits(t *testing.T) {
	e := listening(t)
	m := e.say(cara, shared, "Can someone resend the invoice?")
	if _, err := e.sim.Reply(e.ctx(), cara, shared, m.TS, "Also the contract, please"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork)) // 4 working hours on
	dms := e.sim.DMs(ann)
	if len(dms) == 0 || len(e.acmeWaits()) != 2 {
		t.Fatalf("%d DMs and %d waits before unlinking, want some and 2", len(dms), len(e.acmeWaits()))
	}
	if r := e.customerIn(ann, shared, "unlink"); !strings.Contains(r.Text, "Unlinked") {
		t.Fatalf("unlink: %q", r.Text)
	}
	e.settle()
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("still waiting after unlinking: %+v", ws)
	}
	for _, dm := range dms {
		if got, _ := e.sim.Message(dm.Channel, dm.TS); !got.Deleted {
			t.Errorf("the waiting DM %q is still there after unlinking", got.Text)
		}
	}
	if card := replyText(e.cust(ann, "Acme")); strings.Contains(card, "Waiting on us") {
		t.Errorf("the card still waits after unlinking:\n%s", card)
	}
	if d := replyText(e.cust(ann, "digest")); strings.Contains(d, "Waiting on us") {
		t.Errorf("the digest still waits after unlinking:\n%s", d)
	}
	// Unpicked in the customer form, the same.
	e.customerIn(ann, shared, "link Acme")
	e.say(cara, shared, "Hello again?")
	if n := len(e.acmeWaits()); n != 1 {
		t.Fatalf("%d waits after relinking, want 1", n)
	}
	e.cust(ann, "edit Acme")
	form := e.lastView(ann, "open")
	if r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", ann, "standard", "every 14d", "")); err != nil || r.ResponseAction == "errors" {
		t.Fatalf("submit: %+v, %v", r, err)
	}
	e.settle()
	if _, err := e.d.Store.ChannelCustomer(team, shared); err == nil {
		t.Errorf("acme-shared is still linked after the form")
	}
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("still waiting after unpicking the channel: %+v", ws)
	}
	e.nothingVisible()
}

// clickSettled presses action on msg as user and waits for what follows.
func (e *env) clickSettled(user string, msg slacksim.Message, action string) {
	e.t.Helper()
	if _, err := e.sim.Click(e.ctx(), user, msg, action, ""); err != nil {
		e.t.Fatal(err)
	}
	e.settle()
}

// acmeWaits are Acme's open waits.
func (e *env) acmeWaits() []store.Wait {
	e.t.Helper()
	ws, err := e.d.Store.CustomerWaits(team, "Acme")
	if err != nil {
		e.t.Fatal(err)
	}
	return ws
}

// An old waiting DM that is still there (its withdrawal failed when our
// side answered) acts on its own message only: its Handled leaves the
// wait of a newer message in the same channel open, which has its own DM.
func TestOldWaitingDMLeavesNewerWait(t *testing.T) {
	e := listening(t)
	e.clock.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, newYork)) // a Monday
	e.say(cara, shared, "Quick question about invoices")
	e.advanceTo(time.Date(2026, 11, 30, 14, 0, 0, 0, newYork))
	old := e.sim.DMs(ann)
	if len(old) != 1 {
		t.Fatalf("%d DMs, want the first wait's", len(old))
	}
	// Our side answers; Slack refuses to delete the DM.
	e.sim.FailNext("chat.delete", 1, slacksim.Fault{Error: "internal_error"})
	e.say(ann, shared, "Hi Cara, on it")
	e.say(cara, shared, "And can you resend the contract?")
	if ws := e.acmeWaits(); len(ws) != 1 || ws[0].TS == old[0].TS {
		t.Fatalf("waits: %+v, want the newer message's", ws)
	}
	e.clickSettled(ann, old[0], slackui.ActionWaitHandled)
	if got, _ := e.sim.Message(old[0].Channel, old[0].TS); !strings.Contains(got.Text, "answered that message") {
		t.Errorf("the old DM after its Handled: %q", got.Text)
	}
	if ws := e.acmeWaits(); len(ws) != 1 {
		t.Errorf("the old DM's Handled closed the newer wait: %+v", ws)
	}
}

// A waiting DM's buttons are its recipient's: a click forged by someone
// else (Bob, who does not own Acme and is no admin) is refused, told only
// to him, and the wait stays open for Ann.
func TestWaitingDMForgedClick(t *testing.T) {
	e := listening(t)
	e.clock.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, newYork)) // a Monday
	e.say(cara, shared, "Quick question about invoices")
	e.advanceTo(time.Date(2026, 11, 30, 14, 0, 0, 0, newYork))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("%d DMs, want one", len(dms))
	}
	refusals := func() (n int) { // what bob was told, privately (as e.told)
		dm := e.sim.DMChannel(bob)
		for _, m := range e.sim.Messages() {
			if (m.Ephemeral && m.EphemeralTo == bob || m.Channel == dm && dm != "") && strings.Contains(m.Text, "who owns *Acme*") {
				n++
			}
		}
		return n
	}
	for _, action := range []string{slackui.ActionWaitHandled, slackui.ActionWaitPromise} {
		views, told := len(e.sim.Views()), refusals()
		e.clickSettled(bob, dms[0], action)
		if ws := e.acmeWaits(); len(ws) != 1 {
			t.Errorf("%s forged by bob: waits %+v, want Acme's still open", action, ws)
		}
		if got, _ := e.sim.Message(dms[0].Channel, dms[0].TS); got.Updates != 0 {
			t.Errorf("%s forged by bob rewrote ann's DM: %q", action, got.Text)
		}
		if len(e.sim.Views()) != views {
			t.Errorf("%s forged by bob opened a form", action)
		}
		if refusals() != told+1 {
			t.Errorf("%s forged by bob: he was not told why nothing happened", action)
		}
	}
	e.clickSettled(ann, dms[0], slackui.ActionWaitHandled)
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("ann's own Handled: still waiting %+v", ws)
	}
}

// deliverAgain delivers env once, again under the same envelope_id (an ack
// Slack did not get), then twice at once as Slack's retries (new envelope
// ids, the same event), as happens when a retry goes to another replica.
func (e *env) deliverAgain(env *slacksim.Envelope) {
	e.t.Helper()
	for range 2 {
		if _, err := e.sim.Deliver(e.ctx(), env); err != nil {
			e.t.Fatal(err)
		}
		e.settle()
	}
	retries := []*slacksim.Envelope{env.Retried(), env.Retried()}
	errs := make(chan error, len(retries))
	for _, r := range retries {
		go func() {
			_, err := e.sim.Deliver(e.ctx(), r)
			errs <- err
		}()
	}
	for range retries {
		if err := <-errs; err != nil {
			e.t.Fatal(err)
		}
	}
	e.settle()
}

// A message event Slack delivers more than once takes effect once: one
// wait and one DM for the customer's message; one touch, one offer and one
// promise for our side's.
func TestRedeliveredMessageEvents(t *testing.T) {
	e := listening(t)
	m, env, err := e.sim.SayEnvelope(cara, shared, "", "Hi, the export keeps failing. Can someone look today?")
	if err != nil || env == nil {
		t.Fatalf("say: %v, envelope %v", err, env)
	}
	e.deliverAgain(env)
	if ws := e.acmeWaits(); len(ws) != 1 || ws[0].TS != m.TS {
		t.Errorf("waits after four deliveries = %+v, want the one", ws)
	}
	if ns, _ := e.d.Store.Nudges(store.Waiting); len(ns) != 1 {
		t.Errorf("%d waiting DMs queued, want 1", len(ns))
	}
	e.advanceTo(time.Date(2026, 11, 23, 14, 0, 0, 0, newYork))
	e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("%d waiting DMs to Ann, want 1", len(dms))
	}

	_, env, err = e.sim.SayEnvelope(ann, shared, "", "Sorry Cara! I'll send you the fixed export by Friday")
	if err != nil || env == nil {
		t.Fatalf("say: %v, envelope %v", err, env)
	}
	e.deliverAgain(env)
	if ts := e.touches(); len(ts) != 1 {
		t.Errorf("%d touches after four deliveries, want 1: %+v", len(ts), ts)
	}
	offers := e.offersTo(ann, shared)
	if len(offers) != 1 {
		t.Fatalf("%d offers after four deliveries, want 1", len(offers))
	}
	if got, _ := e.sim.Message(dms[0].Channel, dms[0].TS); !got.Deleted {
		t.Errorf("the waiting DM is still there after our reply")
	}
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("still waiting after our reply: %+v", ws)
	}
	e.clickSettled(ann, offers[0], slackui.ActionSuggestTrack)
	if ps := e.promises(); len(ps) != 1 || ps[0].Text != "send them the fixed export" {
		t.Errorf("promises = %+v, want the one tracked", ps)
	}
	if n := len(e.sim.DMs(ann)); n != 1 {
		t.Errorf("%d DMs to Ann, want still the one", n)
	}
	e.nothingVisible()
}

// A message event may name its writer's organisation only as "team"
// (Slack's documented message shape), without user_team and source_team:
// a customer's message is still the customer's, and waits on us.
func TestCustomerMessageNamedByTeamOnly(t *testing.T) {
	e := listening(t)
	m, env, err := e.sim.SayEnvelope(cara, shared, "", "Could someone send the new price list?")
	if err != nil || env == nil {
		t.Fatalf("say: %v, envelope %v", err, env)
	}
	if _, err := e.sim.Deliver(e.ctx(), env.Without("user_team", "source_team")); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if ws := e.acmeWaits(); len(ws) != 1 || ws[0].TS != m.TS {
		t.Errorf("waits = %+v, want Cara's message", ws)
	}
	if ts := e.touches(); len(ts) != 0 {
		t.Errorf("Cara's message was logged as our touch: %+v", ts)
	}
}

// On Enterprise Grid a colleague from another workspace of the org
// writes with that workspace as user_team: Slack's profile says they are
// of this org, so their message is ours (a touch), not the customer's.
func TestGridColleagueIsOurs(t *testing.T) {
	e := listening(t)
	const gus = "U0GUS"
	e.sim.AddUser(slacksim.User{ID: gus, Name: "gus", RealName: "Gus", TZ: "America/New_York",
		TeamID: "T0OTHERWS", Teams: []string{"T0OTHERWS", team}})
	e.sim.AddChannel(slacksim.Channel{ID: shared, Name: "acme-shared", Members: []string{ann, bob, cara, gus, "U0KEPTBOT"}, Shared: true})
	e.say(gus, shared, "Cara, the price list is on its way")
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("a colleague's message started a wait: %+v", ws)
	}
	if ts := e.touches(); len(ts) != 1 || ts[0].By != gus {
		t.Errorf("touches = %+v, want one by Gus", ts)
	}
}

// Slack retries a customer's message event after our side has answered
// it (the first ack was late, the retry went to another connection): the
// answered message starts no new wait and its owner gets no DM.
func TestCustomerMessageRetriedAfterOurReply(t *testing.T) {
	e := listening(t)
	_, env, err := e.sim.SayEnvelope(cara, shared, "", "Can someone resend the November invoice?")
	if err != nil || env == nil {
		t.Fatalf("say: %v, envelope %v", err, env)
	}
	if _, err := e.sim.Deliver(e.ctx(), env); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.say(bob, shared, "Resending it now, Cara")
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Fatalf("our reply did not close the wait: %+v", ws)
	}
	if _, err := e.sim.Deliver(e.ctx(), env.Retried()); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if ws := e.acmeWaits(); len(ws) != 0 {
		t.Errorf("the retried event opened a wait again: %+v", ws)
	}
	e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork))
	if n := len(e.sim.DMs(ann)); n != 0 {
		t.Errorf("%d waiting DMs to Ann for a message Bob answered", n)
	}
}

// The waiting-on-us DM goes to whoever owns the customer when it is due:
// handed over meanwhile, to the new owner; an owner deactivated since, to
// the digest channel with a note, withdrawn there too when our side
// answers. Never to a DM nobody reads.
func TestWaitingDMFindsTheOwner(t *testing.T) {
	t.Run("handed over", func(t *testing.T) {
		e := listening(t)
		e.say(cara, shared, "Can someone resend the November invoice?")
		if got := replyText(e.cust(ann, "edit Acme owner @bob")); !strings.Contains(got, "owned by <@"+bob+">") {
			t.Fatalf("handover: %q", got)
		}
		e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork))
		if n := len(e.dmsWith(ann, "waiting on us")); n != 0 {
			t.Errorf("%d waiting DMs to Ann, who handed Acme over", n)
		}
		if n := len(e.dmsWith(bob, "*Acme* is waiting on us")); n != 1 {
			t.Errorf("%d waiting DMs to Bob, Acme's owner now, want 1", n)
		}
	})
	t.Run("handed over, Slack's answer lost", func(t *testing.T) {
		e := listening(t)
		e.say(cara, shared, "Can someone resend the November invoice?")
		e.cust(ann, "edit Acme owner @bob")
		e.tick() // Bob hears of the handover first
		e.clock.Set(time.Date(2026, 11, 23, 14, 1, 0, 0, newYork))
		e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Delay: 2 * time.Second})
		e.tickWithin(300 * time.Millisecond) // Kept gives up waiting; Slack posts anyway
		e.wait("the post", func() bool { return len(e.dmsWith(bob, "*Acme* is waiting on us")) == 1 })
		e.restart() // looks for it where it went: Bob's DM, not Ann's
		e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork))
		if n := len(e.dmsWith(bob, "*Acme* is waiting on us")); n != 1 {
			t.Errorf("%d waiting DMs to Bob after the restart, want 1", n)
		}
	})
	t.Run("removed", func(t *testing.T) {
		e := listening(t)
		e.say(cara, shared, "Can someone resend the November invoice?")
		e.cust(ann, "remove Acme")
		var ask slacksim.Message
		for _, m := range e.sim.Messages() {
			if m.Ephemeral && m.EphemeralTo == ann && strings.Contains(m.Text, "Remove *Acme*") {
				ask = m
			}
		}
		e.clickSettled(ann, ask, slackui.ActionCustomerRemove)
		if _, err := e.d.Store.Customer(team, "Acme"); err == nil {
			t.Fatal("Acme was not removed")
		}
		e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork))
		if n := len(e.dmsWith(ann, "waiting on us")); n != 0 {
			t.Errorf("%d waiting DMs about Acme, removed since", n)
		}
	})
	t.Run("deactivated", func(t *testing.T) {
		e := listening(t)
		e.withDigest()
		m := e.say(cara, shared, "Can someone resend the November invoice?")
		e.sim.SetUser(slacksim.User{ID: ann, Name: "ann", Deleted: true})
		e.advanceTo(time.Date(2026, 11, 23, 15, 0, 0, 0, newYork))
		if n := len(e.sim.DMs(ann)); n != 0 {
			t.Errorf("%d DMs to Ann, who left", n)
		}
		var notes []slacksim.Message
		for _, p := range e.digestPosts(digest) {
			if strings.HasPrefix(p.Text, "Couldn't reach <@"+ann+"> (deactivated): *Acme* is waiting on us: <@"+cara+"> wrote in <#"+shared+">") {
				notes = append(notes, p)
			}
		}
		if len(notes) != 1 {
			t.Fatalf("%d notes in the digest channel, want 1", len(notes))
		}
		if _, err := e.sim.Reply(e.ctx(), bob, shared, m.TS, "Resending it now, Cara"); err != nil {
			t.Fatal(err)
		}
		e.settle()
		if got, _ := e.sim.Message(notes[0].Channel, notes[0].TS); !got.Deleted {
			t.Errorf("the note is still in the digest channel after our reply")
		}
	})
}

// Cara, at Acme, writes in the shared channel; she can't be made the owner
// of a customer (by a command or the form): the owner reads its notes and
// what waits on us.
func TestCustomerOwnerFromOutside(t *testing.T) {
	e := listening(t)
	for _, text := range []string{"edit Acme owner @cara", "add Globex owner @cara"} {
		if got := replyText(e.cust(ann, text)); !strings.Contains(got, "is a guest or from another organisation") {
			t.Errorf("/customer %s: %q, want a refusal", text, got)
		}
	}
	if c := e.customer("Acme"); c.Owner != ann {
		t.Errorf("Acme's owner = %s, want still Ann", c.Owner)
	}
	if _, err := e.d.Store.Customer(team, "Globex"); err == nil {
		t.Errorf("Globex was added, owned by Cara")
	}
	e.cust(ann, "edit Acme")
	form := e.lastView(ann, "open")
	r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, formInput("", cara, "standard", "every 14d", "", shared))
	if err != nil {
		t.Fatal(err)
	}
	if r.ResponseAction != "errors" || !strings.Contains(r.Errors["owner"], "another organisation") {
		t.Errorf("the form with Cara as owner: %+v", r)
	}
	if c := e.customer("Acme"); c.Owner != ann {
		t.Errorf("after the form, Acme's owner = %s, want still Ann", c.Owner)
	}
}

// Our side answers while the waiting DM is on its way to Slack: the reply
// is recorded first, and Slack takes the DM (Hold) or answers that it did
// (HoldAnswer) only afterwards. Either way no DM is left standing once
// Kept hears back from Slack, and none goes out again later.
func TestWaitingDMCrossesOurReply(t *testing.T) {
	tests := []struct {
		name  string
		fault func(release chan struct{}) slacksim.Fault
	}{
		{"the reply is recorded before Slack takes the DM", func(r chan struct{}) slacksim.Fault { return slacksim.Fault{Hold: r} }},
		{"the reply is recorded after Slack took the DM, before Kept hears where", func(r chan struct{}) slacksim.Fault { return slacksim.Fault{HoldAnswer: r} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := listening(t)
			e.say(cara, shared, "Can someone resend the November invoice?")
			e.clock.Set(time.Date(2026, 11, 23, 14, 1, 0, 0, newYork)) // 4 working hours on
			release := make(chan struct{})
			e.sim.FailNext("chat.postMessage", 1, tt.fault(release))
			ticked := make(chan error, 1)
			go func() { ticked <- e.d.Scheduler.Tick(e.ctx()) }()
			if err := e.sim.Wait(e.ctx(), func() bool { return e.sim.FaultsLeft("chat.postMessage") == 0 }); err != nil {
				t.Fatalf("the waiting DM was never sent: %v", err)
			}
			e.say(bob, shared, "Resending it now, Cara")
			if ws := e.acmeWaits(); len(ws) != 0 {
				t.Fatalf("our reply did not close the wait: %+v", ws)
			}
			close(release)
			if err := <-ticked; err != nil {
				t.Fatalf("tick: %v", err)
			}
			e.settle()
			standing := func() (n int) {
				for _, m := range e.sim.DMs(ann) {
					if !m.Deleted {
						n++
					}
				}
				return n
			}
			if n := standing(); n != 0 {
				t.Errorf("%d waiting DMs stand after our reply", n)
			}
			if n := len(e.sim.DMs(ann)); n != 1 {
				t.Errorf("%d DMs to Ann, want the one in flight", n)
			}
			e.advanceTo(time.Date(2026, 11, 24, 12, 0, 0, 0, newYork))
			if n := standing(); n != 0 || len(e.sim.DMs(ann)) != 1 {
				t.Errorf("a day later: %d DMs, %d standing; want the one, withdrawn", len(e.sim.DMs(ann)), n)
			}
			e.nothingVisible()
		})
	}
}

// The digest's quiet customers say when the customer last wrote: nobody
// called Acme for 20 days, but Cara wrote this morning.
func TestDigestSaysWhenLastHeard(t *testing.T) {
	e := listening(t)
	e.clock.Set(e.clock.Now().Add(20 * 24 * time.Hour)) // past the 14-day cadence
	e.say(cara, shared, "Morning! Quick one about our invoices")
	e.clock.Set(e.clock.Now().Add(3 * time.Hour))
	d := replyText(e.cust(ann, "digest"))
	if !strings.Contains(d, "*Going quiet*") || !strings.Contains(d, "*Acme* · <@"+ann+"> · 🟠 going quiet · *never touched*, added 20 days ago, every 14 days · heard from them 3 hours ago") {
		t.Errorf("digest lacks when Acme was last heard from: %q", d)
	}
}

// TestMessageRecordedBeforeAck: what a customer's message means (last
// heard from, a wait opened with its DM queued) is in the store by the
// time Slack has the ack, so a crash right after the ack loses nothing;
// a crash before it leaves Slack to send the event again.
func TestMessageRecordedBeforeAck(t *testing.T) {
	e := listening(t)
	if _, err := e.sim.Say(e.ctx(), cara, shared, "Can someone send us the invoice again?"); err != nil {
		t.Fatal(err)
	}
	// No settle: the ack alone must be enough.
	if h, err := e.d.Store.LastHeard(team, "Acme"); err != nil || h.By != cara {
		t.Errorf("last heard at the ack = %+v, %v", h, err)
	}
	if ws, err := e.d.Store.CustomerWaits(team, "Acme"); err != nil || len(ws) != 1 || ws[0].NudgeID == 0 {
		t.Errorf("waits at the ack = %+v, %v; want one, its DM queued", ws, err)
	}
}

// TestForgedTrackLeavesTheOfferToItsWriter: a Track it click forged by
// someone else on Ann's offer (its value copied) is refused and does not
// use up her offer: her own click still records her promise, and her confirmation
// names hers, not the forger's.
func TestForgedTrackLeavesTheOfferToItsWriter(t *testing.T) {
	e := listening(t)
	e.say(ann, shared, "I'll send you the revised quote by Friday")
	offer := e.offersTo(ann, shared)[0]
	forged, err := e.sim.ClickEnvelope(bob, offer, slackui.ActionSuggestTrack, "")
	if err != nil {
		t.Fatal(err)
	}
	own, err := e.sim.ClickEnvelope(ann, offer, slackui.ActionSuggestTrack, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, click := range []*slacksim.Envelope{forged, own} {
		if _, err := e.sim.Deliver(e.ctx(), click); err != nil {
			t.Fatal(err)
		}
		e.settle()
		if click == forged {
			if n := len(e.promises()); n != 0 {
				t.Errorf("bob's forged click recorded %d promises", n)
			}
			if !e.told(bob, "That offer was for <@U0ANN>") {
				t.Error("bob was not told why nothing was recorded")
			}
		}
	}
	var anns []store.Promise
	for _, p := range e.promises() {
		if p.Owner == ann {
			anns = append(anns, p)
		}
	}
	if len(anns) != 1 || anns[0].Text != "send them the revised quote" {
		t.Fatalf("ann's promises after bob's forged click and hers: %+v", anns)
	}
	if got, _ := e.sim.Message(shared, offer.TS); !strings.Contains(got.Text, "#"+strconv.FormatInt(anns[0].ID, 10)) {
		t.Errorf("ann's offer now says %q, want her promise #%d", got.Text, anns[0].ID)
	}
}

// TestJoinAsksOnlyOurOwn: the question Kept asks when added to a shared
// channel lists every customer, so it goes only to an inviter of our
// own: not to someone of the customer's organisation (a crafted or
// misrouted member_joined_channel event), nor to a bot.
func TestJoinAsksOnlyOurOwn(t *testing.T) {
	e := start(t)
	e.cust(ann, "add Acme Corp")
	e.cust(ann, "add Globex")
	e.sim.AddUser(slacksim.User{ID: cara, Name: "cara", TZ: "Europe/London", TeamID: "T0ACME"})
	e.sim.AddUser(slacksim.User{ID: "U0JIRA", Name: "jira", IsBot: true})
	e.sim.AddChannel(slacksim.Channel{ID: shared, Name: "ext-acme-corp", Members: []string{ann, cara}, Shared: true})
	for _, inviter := range []string{cara, "U0JIRA"} {
		if err := e.sim.Join(e.ctx(), shared, "U0KEPTBOT", inviter); err != nil {
			t.Fatal(err)
		}
		e.settle()
		for _, m := range e.sim.DMs(inviter) {
			t.Errorf("%s, who invited Kept, was DMed %q", inviter, blocksText(m.Blocks))
		}
	}
}

// TestShortcutInCustomerChannel: "Promise a follow-up" on a message in a
// linked channel starts the form with the channel's customer.
func TestShortcutInCustomerChannel(t *testing.T) {
	e := listening(t)
	m := e.say(cara, shared, "Could you send the updated price list?")
	if _, err := e.sim.MessageShortcut(e.ctx(), ann, "promise_followup", m); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if v := e.lastView(ann, "open"); !strings.Contains(string(v.JSON), `"initial_value":"Acme"`) {
		t.Errorf("the form lacks the channel's customer: %s", v.JSON)
	}
}
