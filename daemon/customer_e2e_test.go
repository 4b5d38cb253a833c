package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// cmd sends a slash command other than /promise.
func (e *env) cmd(user, command, text string) slacksim.Reply {
	e.t.Helper()
	r, err := e.sim.SlashCommand(e.ctx(), user, chan_, command, text)
	if err != nil {
		e.t.Fatalf("%s %s: %v", command, text, err)
	}
	if r.Error != "" {
		e.t.Fatalf("%s %s: Slack refused the answer: %s", command, text, r.Error)
	}
	return r
}

func (e *env) customer(name string) store.Customer {
	e.t.Helper()
	c, err := e.d.Store.Customer(team, name)
	if err != nil {
		e.t.Fatalf("customer %q: %v", name, err)
	}
	return c
}

func noteInput(note string) map[string]map[string]slack.BlockAction {
	return map[string]map[string]slack.BlockAction{"note": {"value": {Type: "plain_text_input", Value: note}}}
}

// TestCheckinPrompt: a key customer's cadence passes at night; its owner
// gets one prompt when her working day starts, not at 3 am and not twice,
// and logging a touch from it starts the cadence again.
func TestCheckinPrompt(t *testing.T) {
	e := start(t)
	// Added on Tuesday 24 Nov at 3:00 in Ann's New York, so that its
	// cadence passes at night.
	e.clock.Set(time.Date(2026, 11, 24, 3, 0, 0, 0, newYork))
	r := e.cmd(ann, "/customer", "add Acme every 14d tier key")
	if got := replyText(r); !strings.Contains(got, "Added *Acme*: key, every 14 days, owned by you. If nobody logs a touch before <!date^1796716800^{date_short_pretty}|Tue 8 Dec>, I'll prompt you to check in.") || r.ResponseType != "ephemeral" {
		t.Fatalf("add answered %q (%s)", got, r.ResponseType)
	}
	due := time.Date(2026, 12, 8, 3, 0, 0, 0, newYork)
	if c := e.customer("acme"); !c.NextPrompt.Equal(due) || c.Tier != store.KeyTier || c.Owner != ann {
		t.Fatalf("stored %+v", c)
	}
	// An early call to Tokyo: its reminder must not wait for the prompt.
	e.slash(ann, "Initech: call the Tokyo office dec 8 6am")
	e.advanceTo(due.Add(-time.Minute))
	// The cadence has passed by Tuesday 3:00, but that is the middle of
	// Ann's night: the prompt waits for her working day.
	night := time.Date(2026, 12, 8, 3, 0, 0, 0, newYork)
	for _, at := range []time.Time{night, night.Add(3 * time.Hour), time.Date(2026, 12, 8, 8, 59, 0, 0, newYork)} {
		e.advanceTo(at)
		if n := len(e.prompts(ann)); n != 0 {
			t.Fatalf("%d prompts at %s her time", n, at.In(newYork).Format("15:04"))
		}
	}
	if n := len(e.sim.DMs(ann)); n != 1 {
		t.Fatalf("%d DMs by 8:59, want the 6:00 reminder alone", n)
	}
	nine := time.Date(2026, 12, 8, 9, 0, 0, 0, newYork)
	e.advanceTo(nine)
	dms := e.prompts(ann)
	if len(dms) != 1 {
		t.Fatalf("%d prompts at 9:00, want 1", len(dms))
	}
	dm := blocksText(dms[0].Blocks)
	for _, want := range []string{"Time to check in with Acme", "14 days since it was added", "every 14 days", "[Logged a touch]", "[Snooze a week]", "[Change cadence]"} {
		if !strings.Contains(dm, want) {
			t.Errorf("prompt %q lacks %q", dm, want)
		}
	}
	// Not twice: the rest of the cadence period brings nothing more.
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 13 * 24 * time.Hour} {
		e.advanceTo(nine.Add(d))
	}
	if n := len(e.prompts(ann)); n != 1 {
		t.Fatalf("%d prompts within the cadence period, want 1", n)
	}

	// Logged a touch → a short form → the touch, and the prompt updated.
	touchAt := nine.Add(13*24*time.Hour + time.Hour) // Mon 21 Dec 10:00
	e.clock.Set(touchAt)
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "checkin_touch", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	form := e.lastView(ann, "open")
	if got := e.sim.RenderView(form); !strings.Contains(got, "Acme") {
		t.Errorf("touch form = %s", got)
	}
	if r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, noteInput("")); err != nil || r.Errors["note"] == "" {
		t.Fatalf("an empty note was accepted: %+v, %v", r, err)
	}
	e.settle()
	if _, err := e.sim.SubmitView(e.ctx(), ann, form.ID, noteInput("called just to talk; they open an office in Lyon")); err != nil {
		t.Fatal(err)
	}
	e.settle()
	c := e.customer("Acme")
	if !c.LastTouch.Equal(touchAt) || c.LastNote != "called just to talk; they open an office in Lyon" || c.LastBy != ann {
		t.Fatalf("after the touch: %+v", c)
	}
	if want := touchAt.Add(14 * 24 * time.Hour); !c.NextPrompt.Equal(want) {
		t.Errorf("next prompt %v, want 14 days after the touch, %v", c.NextPrompt, want)
	}
	waitFor(t, e, func() bool { return strings.Contains(blocksText(e.prompts(ann)[0].Blocks), "Touch logged") })
	if got := blocksText(e.prompts(ann)[0].Blocks); strings.Contains(got, "[Logged a touch]") {
		t.Errorf("the updated prompt still has its buttons: %q", got)
	}

	// The next prompt counts from the touch: none at 22 Dec (14 days after
	// the first prompt), one on 4 Jan, 14 days after the touch.
	e.advanceTo(time.Date(2026, 12, 22, 11, 0, 0, 0, newYork))
	e.advanceTo(touchAt.Add(14*24*time.Hour - time.Minute))
	if n := len(e.prompts(ann)); n != 1 {
		t.Fatalf("%d prompts before the cadence passed again, want 1", n)
	}
	e.advanceTo(touchAt.Add(14 * 24 * time.Hour))
	dms = e.prompts(ann)
	if len(dms) != 2 || !strings.Contains(blocksText(dms[1].Blocks), "they open an office in Lyon") {
		t.Fatalf("want a second prompt, with the last note: %d prompts", len(dms))
	}

	// Snooze a week moves the next prompt; Change cadence changes it.
	if _, err := e.sim.Click(e.ctx(), ann, dms[1], "checkin_snooze", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	now := e.clock.Now()
	if c := e.customer("Acme"); !c.NextPrompt.Equal(now.Add(7 * 24 * time.Hour)) {
		t.Errorf("after snooze, next prompt %v, want a week from now", c.NextPrompt)
	}
	dms = e.prompts(ann)
	if _, err := e.sim.Click(e.ctx(), ann, dms[1], "checkin_cadence", "30d"); err == nil {
		t.Errorf("the snoozed prompt still offers the cadence menu")
	}
	e.settle()
}

// prompts are the keep-in-touch prompts among user's DMs.
func (e *env) prompts(user string) []slacksim.Message { return e.dmsWith(user, "check in with") }

// waitFor polls for what a handler does after its ack, in its own goroutine.
func waitFor(t *testing.T, e *env, cond func() bool) {
	t.Helper()
	if err := e.sim.Wait(e.ctx(), cond); err != nil {
		t.Fatalf("waited in vain: %v", err)
	}
}

func TestCheckinChangeCadence(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Globex every 2w")
	e.advanceTo(time.Date(2026, 12, 7, 10, 0, 0, 0, newYork))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("%d DMs, want 1 prompt", len(dms))
	}
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "checkin_cadence", "90d"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	c := e.customer("globex")
	if c.Cadence != 90*24*time.Hour || !c.NextPrompt.Equal(time.Date(2027, 3, 7, 10, 0, 0, 0, newYork)) {
		t.Errorf("after Change cadence: cadence %v, next %v", c.Cadence, c.NextPrompt.In(newYork))
	}
	if got := blocksText(e.sim.DMs(ann)[0].Blocks); !strings.Contains(got, "Cadence changed* to every 3 months") {
		t.Errorf("updated prompt = %q", got)
	}
}

// TestCustomerCardAndTouches: the card, /touch, and a kept promise for the
// customer logging a touch.
func TestCustomerCardAndTouches(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Acme every 14d tier key owner @bob notes renewal in March")
	// The promise names the customer in another case: it gets the stored spelling.
	e.slash(ann, "acme: send the renewal quote tomorrow 3pm")
	if p := e.promises()[0]; p.Customer != "Acme" {
		t.Fatalf("promise customer = %q, want the stored spelling Acme", p.Customer)
	}
	card := replyText(e.cmd(cid, "/customer", "ACME"))
	for _, want := range []string{"*Acme* · key · every 14 days · owned by <@U0BOB>", "No touch yet", "renewal in March", "Open promises (1)", "send the renewal quote"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q:\n%s", want, card)
		}
	}

	e.clock.Advance(time.Hour)
	r := e.cmd(cid, "/touch", "acme called just to talk; they open an office in Lyon")
	if got := replyText(r); !strings.Contains(got, "Logged a touch with *Acme*") || r.ResponseType != "ephemeral" {
		t.Errorf("/touch answered %q", got)
	}
	// /touch with a name alone asks what happened.
	if r := e.cmd(ann, "/touch", "Acme"); len(r.Payload) > 0 && string(r.Payload) != "null" {
		t.Fatalf("/touch Acme answered %s; want a form", r.Payload)
	}
	if _, err := e.sim.SubmitView(e.ctx(), ann, e.lastView(ann, "open").ID, noteInput("sent the deck by email")); err != nil {
		t.Fatal(err)
	}
	e.settle()
	waitFor(t, e, func() bool { return e.sawEphemeral(ann, "Logged a touch with *Acme*") })
	// Keeping the promise logs a touch too.
	e.clock.Advance(time.Hour)
	e.slash(ann, "done 1")
	ts, err := e.d.Store.Touches(team, "Acme", 0)
	if err != nil || len(ts) != 3 {
		t.Fatalf("touches = %+v, %v; want two /touch and the kept promise", ts, err)
	}
	if ts[0].Kind != "promise" || ts[0].Note != "send the renewal quote" || ts[0].By != ann || ts[1].Note != "sent the deck by email" || ts[2].By != cid {
		t.Errorf("touches = %+v", ts)
	}
	if c := e.customer("Acme"); !c.LastTouch.Equal(e.clock.Now()) {
		t.Errorf("last touch %v, want the keep at %v", c.LastTouch, e.clock.Now())
	}
	card = replyText(e.cmd(ann, "/customer", "Acme"))
	for _, want := range []string{"No open promises", "Recent touches", "they open an office in Lyon", "promise · <@U0ANN>: “send the renewal quote”"} {
		if !strings.Contains(card, want) {
			t.Errorf("card after the touches lacks %q:\n%s", want, card)
		}
	}
	// A second "done" is refused and logs nothing more.
	e.slash(ann, "done 1")
	if ts, _ := e.d.Store.Touches(team, "Acme", 0); len(ts) != 3 {
		t.Errorf("%d touches after a refused done", len(ts))
	}

	// The list, most overdue first.
	e.cmd(ann, "/customer", "add Globex every 1d")
	e.clock.Advance(3 * 24 * time.Hour)
	list := replyText(e.cmd(ann, "/customer", "list"))
	if g, a := strings.Index(list, "Globex"), strings.Index(list, "Acme"); g < 0 || a < 0 || g > a || !strings.Contains(list, "overdue") {
		t.Errorf("list is not most overdue first:\n%s", list)
	}

	// The Home tab: Bob's quiet customers and his week.
	if err := e.sim.OpenHome(e.ctx(), ann); err != nil {
		t.Fatal(err)
	}
	home := e.sim.RenderView(e.lastView(ann, "publish"))
	for _, want := range []string{"Customers needing you", "Globex", "My week", "Promises kept on time: *1*", "touches logged: *2*"} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q:\n%s", want, home)
		}
	}
}

func TestCustomerRemove(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Acme")
	e.slash(ann, "Acme: send the quote tomorrow 3pm")
	r := e.cmd(ann, "/customer", "remove acme")
	if got := replyText(r); !strings.Contains(got, "Remove *Acme*") || !strings.Contains(got, "[Remove Acme]") {
		t.Fatalf("remove answered %q", got)
	}
	var ask slacksim.Message
	for _, m := range e.sim.Messages() {
		if m.Ephemeral && m.EphemeralTo == ann && strings.Contains(m.Text, "Remove *Acme*") {
			ask = m
		}
	}
	// "Keep it" changes nothing; the button removes it.
	if _, err := e.sim.Click(e.ctx(), ann, ask, "customer_keep", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.customer("Acme")
	e.cmd(ann, "/customer", "remove Acme")
	for _, m := range e.sim.Messages() {
		if m.Ephemeral && m.EphemeralTo == ann && strings.Contains(m.Text, "Remove *Acme*") && !m.ViaResponseURL {
			ask = m
		}
	}
	if _, err := e.sim.Click(e.ctx(), ann, ask, "customer_remove", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if _, err := e.d.Store.Customer(team, "Acme"); err == nil {
		t.Fatal("Acme is still there")
	}
	if m, _ := e.sim.Message(ask.Channel, ask.TS); !strings.Contains(m.Text, "Removed *Acme*") {
		t.Errorf("confirmation replaced with %q", m.Text)
	}
	if p := e.promises()[0]; p.Customer != "Acme" || p.Text != "send the quote" {
		t.Errorf("the promise lost its text: %+v", p)
	}
}

// TestCustomerBadInput: each mistake gets a clear ephemeral answer and
// stores nothing wrong.
func TestCustomerBadInput(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Acme every 14d tier key")
	e.sim.AddUser(slacksim.User{ID: "U0GONE", Name: "gone", Deleted: true}) // deactivated
	e.sim.AddUser(slacksim.User{ID: "U0ROBO", Name: "robo", IsBot: true})
	long := strings.Repeat("x", 200)
	tests := []struct{ command, text, want string }{
		{"/customer", "Initech", "I don't know a customer called *Initech*"},
		{"/customer", "add ACME", "There is already a customer called *Acme*"},
		{"/customer", "add acme every 3 months", "There is already a customer called *Acme*"},
		{"/customer", "add Globex every 0d", "A cadence of 0 would prompt without end"},
		{"/customer", "add Globex every 5 years", "far too long"},
		{"/customer", "add Globex every fortnite", "not a unit I know"},
		{"/customer", "add " + long, "That name is 200 characters long; a customer name can be at most 80"},
		{"/customer", "add Globex tier gold", "`key` or `standard`"},
		{"/customer", "add Globex owner @gone", "can't find an active Slack user"},
		{"/customer", "add Globex owner @robo", "is a bot, and only a person can own a customer"},
		{"/customer", "edit Acme owner @robo", "is a bot, and only a person can own a customer"},
		{"/customer", "edit Initech every 30d", "I don't know a customer called *Initech*"},
		{"/customer", "edit Acme every 0d", "A cadence of 0"},
		{"/customer", "edit Acme channel acme-shared", "Name the channel with a #"},
		{"/customer", "remove Initech", "I don't know a customer called *Initech*"},
		{"/customer", "add every 14d", "Which customer?"},
		// A known name, then words that are neither part of it nor understood.
		{"/customer", "edit Acme junk", "I know *Acme*, but not “junk”: `/customer edit Acme` takes `every 30d`"},
		{"/customer", "edit acme junk every 30d", "I know *Acme*, but not “junk”: `/customer edit Acme` takes"},
		{"/customer", "remove Acme extra", "I know *Acme*, but not “extra”: `/customer remove Acme` takes the name alone. Nothing changed."},
		{"/customer", "link Acme #unknown", "I know *Acme*, but not “#unknown”: `/customer link Acme #acme-shared` takes a channel Slack knows"},
		{"/customer", "Acme junk", "I know *Acme*, but not “junk”: `/customer Acme` shows its card"},
		{"/customer", "edit Initech junk", "I don't know a customer called *Initech junk*"},
		{"/touch", "Initech called them", "I don't know a customer called *Initech*"},
		{"/touch", "acme " + strings.Repeat("y", 2001), "under 2000"},
		{"/customer", "add <!channel> & Co 🚀 every 2w", "Added *&lt;!channel&gt; &amp; Co 🚀*"},
		{"/customer", "<!CHANNEL> & co 🚀", "*&lt;!channel&gt; &amp; Co 🚀*"},
	}
	for _, tt := range tests {
		r := e.cmd(ann, tt.command, tt.text)
		got := replyText(r)
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s %.50s = %q, want %q", tt.command, tt.text, got, tt.want)
		}
		if r.ResponseType != "ephemeral" {
			t.Errorf("%s %.50s answered %q, want ephemeral", tt.command, tt.text, r.ResponseType)
		}
		if strings.Contains(string(r.Payload), "<!channel>") {
			t.Errorf("%s %.50s: the answer carries a live <!channel>", tt.command, tt.text)
		}
	}
	cs, err := e.d.Store.Customers(team)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Name != "<!channel> & Co 🚀" || cs[1].Name != "Acme" {
		t.Fatalf("customers = %+v, want Acme and the oddly named one only", cs)
	}
	if a := cs[1]; a.Cadence != 14*24*time.Hour || a.Tier != store.KeyTier || a.Owner != ann || !a.LastTouch.IsZero() {
		t.Errorf("bad input changed Acme: %+v", a)
	}
	if ts, _ := e.d.Store.Touches(team, "Acme", 0); len(ts) != 0 {
		t.Errorf("bad input logged %d touches", len(ts))
	}
}
