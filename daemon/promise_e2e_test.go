package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// lastView is the newest view the bot opened or published of kind for user.
func (e *env) lastView(user, kind string) slacksim.View {
	e.t.Helper()
	views := e.sim.Views()
	for i := len(views) - 1; i >= 0; i-- {
		if views[i].UserID == user && views[i].Kind == kind {
			return views[i]
		}
	}
	e.t.Fatalf("no %s view for %s among %d", kind, user, len(views))
	return slacksim.View{}
}

func modalInput(customer, what, date, clock, owner string) map[string]map[string]slack.BlockAction {
	return map[string]map[string]slack.BlockAction{
		"customer": {"value": {Type: "plain_text_input", Value: customer}},
		"what":     {"value": {Type: "plain_text_input", Value: what}},
		"date":     {"value": {Type: "datepicker", SelectedDate: date}},
		"time":     {"value": {Type: "timepicker", SelectedTime: clock}},
		"owner":    {"value": {Type: "users_select", SelectedUser: owner}},
	}
}

func TestModal(t *testing.T) {
	e := start(t)
	if r := e.slash(ann, ""); len(r.Payload) > 0 && string(r.Payload) != "null" {
		t.Fatalf("/promise alone answered %s; want an empty ack and a modal", r.Payload)
	}
	v := e.lastView(ann, "open")
	if v.View.CallbackID != "promise_modal" {
		t.Fatalf("opened view %q", v.View.CallbackID)
	}
	e.sim.AddUser(slacksim.User{ID: "U0ROBO", Name: "robo", IsBot: true})
	invalid := []struct {
		name  string
		input map[string]map[string]slack.BlockAction
		field string
	}{
		{"no text", modalInput("Acme", "  ", "2026-11-24", "15:00", ann), "what"},
		{"past", modalInput("Acme", "call back", "2026-11-22", "15:00", ann), "date"},
		{"too long", modalInput("Acme", strings.Repeat("y", 2001), "2026-11-24", "15:00", ann), "what"},
		{"owner gone", modalInput("Acme", "call back", "2026-11-24", "15:00", "U0GONE"), "owner"},
		{"owner a bot", modalInput("Acme", "call back", "2026-11-24", "15:00", "U0ROBO"), "owner"},
		// 2:30 on 14 March 2027 does not exist in Ann's New York.
		{"skipped by DST", modalInput("Acme", "call back", "2027-03-14", "02:30", ann), "time"},
	}
	for _, tt := range invalid {
		r, err := e.sim.SubmitView(e.ctx(), ann, v.ID, tt.input)
		if err != nil {
			t.Fatal(err)
		}
		if r.ResponseAction != "errors" || r.Errors[tt.field] == "" {
			t.Errorf("%s: ack %s, want errors on %s", tt.name, r.Payload, tt.field)
		}
		if strings.Contains(r.Errors[tt.field], "<") {
			t.Errorf("%s: a form's error is plain text, not mrkdwn: %q", tt.name, r.Errors[tt.field])
		}
	}
	if n := len(e.promises()); n != 0 {
		t.Fatalf("invalid submissions stored %d promises", n)
	}
	// Valid, for Bob: 15:00 is read in Bob's zone (Paris). The customer is
	// filed under its own spelling, as /promise acme: … files it.
	e.cmd(ann, "/customer", "add Acme")
	if _, err := e.sim.SubmitView(e.ctx(), ann, v.ID, modalInput("acme", "send the contract", "2026-11-24", "15:00", bob)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	ps := e.promises()
	paris := mustZone("Europe/Paris")
	if len(ps) != 1 || !ps[0].Due.Equal(time.Date(2026, 11, 24, 15, 0, 0, 0, paris)) || ps[0].Owner != bob || ps[0].Creator != ann || ps[0].Customer != "Acme" {
		t.Fatalf("stored %+v", ps)
	}
	// Bob is told who recorded it for him, and how to give it away, as
	// after /promise @bob: it is a new promise, not one handed over.
	if err := e.sim.Wait(e.ctx(), func() bool { return len(e.sim.DMs(bob)) == 1 }); err != nil {
		t.Fatalf("Bob was not told: %v", err)
	}
	if got := blocksText(e.sim.DMs(bob)[0].Blocks); !strings.Contains(got, "<@U0ANN> recorded a promise for you") || !strings.Contains(got, "/promise give 1 @someone") || strings.Contains(got, "handed") {
		t.Errorf("Bob's DM = %q", got)
	}
}

// TestMessageShortcutPrefillsDate: a message that ends with a time Kept
// reads starts the form at that time, in the clicker's zone; one without
// starts at tomorrow 9:00.
func TestMessageShortcutPrefillsDate(t *testing.T) {
	e := start(t) // Monday 2026-11-23 10:00 in Ann's New York
	for _, tt := range []struct{ text, date, clock string }{
		{"Could you send the updated price list by Thursday?", "2026-11-26", "09:00"},
		{"Can we talk friday 4pm?", "2026-11-27", "16:00"},
		{"Send it 3/4 please", "2026-11-24", "09:00"}, // reads two ways: no guess
		{"Thanks, that helps!", "2026-11-24", "09:00"},
	} {
		src := e.sim.PostAs(cid, chan_, tt.text)
		if _, err := e.sim.MessageShortcut(e.ctx(), ann, "promise_followup", src); err != nil {
			t.Fatal(err)
		}
		e.settle()
		v := e.lastView(ann, "open")
		for _, want := range []string{`"initial_date":"` + tt.date + `"`, `"initial_time":"` + tt.clock + `"`} {
			if !strings.Contains(string(v.JSON), want) {
				t.Errorf("%q: form lacks %s: %s", tt.text, want, v.JSON)
			}
		}
	}
}

func TestMessageShortcut(t *testing.T) {
	e := start(t)
	src := e.sim.PostAs(cid, chan_, "Can you send us the SOC2 report?")
	if _, err := e.sim.MessageShortcut(e.ctx(), ann, "promise_followup", src); err != nil {
		t.Fatal(err)
	}
	e.settle()
	v := e.lastView(ann, "open")
	if !strings.Contains(string(v.JSON), "Can you send us the SOC2 report?") {
		t.Fatalf("modal not prefilled: %s", v.JSON)
	}
	if strings.Contains(string(v.JSON), `"initial_value":"Initech"`) {
		t.Errorf("a customer prefilled for a message that names none: %s", v.JSON)
	}
	// A message that names a known customer starts the form with it, in
	// its own spelling, as /promise finds it.
	e.cmd(ann, "/customer", "add Initech")
	named := e.sim.PostAs(cid, chan_, "initech asked for the SOC2 report")
	if _, err := e.sim.MessageShortcut(e.ctx(), ann, "promise_followup", named); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if got := e.lastView(ann, "open"); !strings.Contains(string(got.JSON), `"initial_value":"Initech"`) {
		t.Errorf("the form lacks the customer the message names: %s", got.JSON)
	}
	if _, err := e.sim.SubmitView(e.ctx(), ann, v.ID, modalInput("Initech", "Can you send us the SOC2 report?", "2026-11-24", "09:00", ann)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	ps := e.promises()
	if len(ps) != 1 || !strings.Contains(ps[0].Permalink, "/archives/"+chan_+"/p"+strings.Replace(src.TS, ".", "", 1)) {
		t.Fatalf("promise %+v has no permalink to the message", ps)
	}
	e.advanceTo(time.Date(2026, 11, 24, 9, 0, 0, 0, newYork))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 || !strings.Contains(blocksText(dms[0].Blocks), "|source message>") {
		t.Fatalf("reminder does not link back: %+v", dms)
	}
}

// TestMessageShortcutText: the message reaches Kept entity-escaped, as
// Slack stores it; the form shows it unescaped once, with the date and
// time of the phrase in it, in the user's zone.
func TestMessageShortcutText(t *testing.T) {
	e := start(t) // Monday 23 Nov 10:00 in Ann's New York
	for _, tt := range []struct{ text, date, time string }{
		{"Can AT&T <legal> get the quote by Thursday 3pm?", "2026-11-26", "15:00"},
		{"Send it tomorrow at 4pm please, @bob will review.", "2026-11-24", "16:00"},
		{"No time in this one & that's fine", "2026-11-24", "09:00"},
	} {
		src := e.sim.PostTyped(cid, chan_, tt.text)
		if _, err := e.sim.MessageShortcut(e.ctx(), ann, "promise_followup", src); err != nil {
			t.Fatal(err)
		}
		e.settle()
		v := e.lastView(ann, "open")
		var what, date, tm string
		for _, b := range v.View.Blocks.BlockSet {
			in, ok := b.(*slack.InputBlock)
			if !ok {
				continue
			}
			switch el := in.Element.(type) {
			case *slack.PlainTextInputBlockElement:
				if in.BlockID == "what" {
					what = el.InitialValue
				}
			case *slack.DatePickerBlockElement:
				date = el.InitialDate
			case *slack.TimePickerBlockElement:
				tm = el.InitialTime
			}
		}
		wantWhat := strings.ReplaceAll(tt.text, "@bob", "<@U0BOB>")
		if what != wantWhat || date != tt.date || tm != tt.time {
			t.Errorf("%q: form has %q, %s %s; want %q, %s %s", tt.text, what, date, tm, wantWhat, tt.date, tt.time)
		}
	}
}

func TestReassign(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back tomorrow 9am")
	due := time.Date(2026, 11, 24, 9, 0, 0, 0, newYork)
	e.advanceTo(due)
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("ann got %d DMs", len(dms))
	}
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "promise_reassign", bob); err != nil {
		t.Fatal(err)
	}
	e.settle()
	p := e.promises()[0]
	if p.Owner != bob || p.Zone != "Europe/Paris" {
		t.Fatalf("after reassign: owner %s zone %s", p.Owner, p.Zone)
	}
	// Bob is told, and then reminded (the due time has passed: at once).
	if err := e.sim.Wait(e.ctx(), func() bool { return len(e.sim.DMs(bob)) == 1 }); err != nil {
		t.Fatal("Bob was not told")
	}
	e.tick()
	bobs := e.sim.DMs(bob)
	if len(bobs) != 2 || !strings.Contains(blocksText(bobs[1].Blocks), "[Done]") {
		t.Fatalf("Bob's DMs: %d", len(bobs))
	}
	if got := blocksText(e.sim.DMs(ann)[0].Blocks); !strings.Contains(got, "Handed to <@U0BOB>") || strings.Contains(got, "[Done]") {
		t.Errorf("ann's reminder after reassigning = %q", got)
	}
	// And by command.
	r := e.slash(bob, "give 1 @cid")
	if got := replyText(r); !strings.Contains(got, "Gave") {
		t.Errorf("/promise give = %q", got)
	}
	if p := e.promises()[0]; p.Owner != cid || p.Zone != "Asia/Kolkata" {
		t.Errorf("after give: %+v", p)
	}
	if got := replyText(e.slash(bob, "give 1")); !strings.Contains(got, "/promise give 42 @bob") {
		t.Errorf("bad give = %q", got)
	}
	// Giving it to whoever has it says whose it is, to them or to another.
	if got := replyText(e.slash(cid, "give 1 @cid")); !strings.Contains(got, "#1 is already yours; nothing changed.") {
		t.Errorf("give to its owner, by its owner = %q", got)
	}
	if got := replyText(e.slash(ann, "give 1 @cid")); !strings.Contains(got, "#1 is already <@U0CID>'s; nothing changed.") {
		t.Errorf("give to its owner, by its recorder = %q", got)
	}
}

// TestStaleReminder: a reminder for a promise that has since changed hands
// answers kindly and changes nothing.
func TestStaleReminder(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	old := e.sim.DMs(ann)[0]
	e.slash(ann, "give 1 @bob")
	if _, err := e.sim.Click(e.ctx(), ann, old, "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.promises()[0]; p.State != store.Open || p.Owner != bob {
		t.Errorf("a click on the stale reminder changed the promise: %+v", p)
	}
	if !e.sawEphemeral(ann, "now belongs to <@U0BOB>") {
		t.Errorf("ann was not told kindly")
	}
	e.slash(bob, "done 1")
	if _, err := e.sim.Click(e.ctx(), ann, old, "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if !e.sawEphemeral(ann, "already kept") {
		t.Errorf("a click on a kept promise's reminder was not answered")
	}
	if got := blocksText(e.sim.DMs(ann)[0].Blocks); !strings.Contains(got, "Kept, on time") {
		t.Errorf("the stale reminder was not brought up to date: %q", got)
	}
}

func (e *env) sawEphemeral(user, text string) bool {
	for _, m := range e.sim.Messages() {
		if m.Ephemeral && m.EphemeralTo == user && strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

func TestOverdueAndLate(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: send the quote in 1 hour")
	due := e.clock.Now().Add(time.Hour)
	e.advanceTo(due)
	e.advanceTo(due.Add(23 * time.Hour))
	if n := len(e.sim.DMs(ann)); n != 1 {
		t.Fatalf("%d DMs before the overdue time", n)
	}
	e.advanceTo(due.Add(24 * time.Hour))
	dms := e.sim.DMs(ann)
	if len(dms) != 2 || !strings.Contains(blocksText(dms[1].Blocks), "Still open, 24 hours late") {
		t.Fatalf("overdue DM missing: %d DMs", len(dms))
	}
	e.advanceTo(due.Add(72 * time.Hour))
	if n := len(e.sim.DMs(ann)); n != 2 {
		t.Fatalf("%d DMs: the overdue DM must come once", n)
	}
	if _, err := e.sim.Click(e.ctx(), ann, dms[1], "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.promises()[0]; p.State != store.Kept || p.OnTime {
		t.Errorf("kept 3 days late recorded as %+v", p)
	}
	if got := blocksText(e.sim.DMs(ann)[1].Blocks); !strings.Contains(got, "Kept, late") {
		t.Errorf("updated overdue DM = %q", got)
	}
}

func TestNonOwnerIsRefused(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	for _, click := range []struct{ action, value string }{{"promise_done", ""}, {"promise_snooze", "1:1h"}, {"promise_reassign", cid}} {
		if _, err := e.sim.Click(e.ctx(), bob, dm, click.action, click.value); err != nil {
			t.Fatal(err)
		}
		e.settle()
	}
	for _, cmd := range []string{"done 1", "cancel 1", "snooze 1 tomorrow", "give 1 @bob"} {
		if got := replyText(e.slash(bob, cmd)); !strings.Contains(got, "Only <@U0ANN>") {
			t.Errorf("bob: /promise %s = %q", cmd, got)
		}
	}
	p := e.promises()[0]
	if p.State != store.Open || p.Owner != ann || len(p.History) != 2 { // created, reminded
		t.Errorf("a refused change changed the promise: %+v", p)
	}
	if !e.sawEphemeral(bob, "Only <@U0ANN>") {
		t.Errorf("bob's clicks were not refused with an ephemeral message")
	}
}

func TestInjectionRenderedHarmless(t *testing.T) {
	e := start(t)
	e.slash(ann, "<!channel>: ping <!here> and <@U0BOB|bob> <!subteam^S1|@team> & co in 1 hour")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	for _, m := range e.sim.Messages() {
		raw := string(m.BlocksJSON) + m.Text
		for _, bad := range []string{"<!channel>", "<!here>", "<@U0BOB", "<!subteam"} {
			if strings.Contains(raw, bad) {
				t.Errorf("message to %s carries %s: %s", m.Channel, bad, raw)
			}
		}
	}
	if got := blocksText(e.sim.DMs(ann)[0].Blocks); !strings.Contains(got, "&lt;!here&gt;") {
		t.Errorf("reminder = %q", got)
	}
}

func TestAppHome(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.slash(ann, "Globex: send the deck friday 5pm")
	if err := e.sim.OpenHome(e.ctx(), ann); err != nil {
		t.Fatal(err)
	}
	home := e.lastView(ann, "publish")
	got := e.sim.RenderView(home)
	for _, want := range []string{"Today", "Upcoming", "Acme", "Globex", "Done"} {
		if !strings.Contains(got, want) {
			t.Errorf("home lacks %q:\n%s", want, got)
		}
	}
	// A click on the Home tab keeps the promise and republishes it.
	if _, err := e.sim.ClickView(e.ctx(), ann, home.ID, "promise_done", "1"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.promises()[0]; p.State != store.Kept {
		t.Fatalf("Done on the Home tab: %s", p.State)
	}
	if got := e.sim.RenderView(e.lastView(ann, "publish")); strings.Contains(got, "Acme") {
		t.Errorf("home not refreshed after Done:\n%s", got)
	}
}

func TestRecurringPromise(t *testing.T) {
	e := start(t)
	r := e.slash(ann, "Acme: usage report every monday 10am")
	if got := replyText(r); !strings.Contains(got, "every monday") {
		t.Fatalf("confirmation = %q", got)
	}
	first := time.Date(2026, 11, 30, 10, 0, 0, 0, newYork)
	if p := e.promises()[0]; !p.Due.Equal(first) {
		t.Fatalf("first due %v, want %v", p.Due.In(newYork), first)
	}
	e.advanceTo(first.Add(3 * time.Hour)) // kept late in the day: the next stays Monday 10:00
	if _, err := e.sim.Click(e.ctx(), ann, e.sim.DMs(ann)[0], "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	p := e.promises()[0]
	if want := first.AddDate(0, 0, 7); p.State != store.Open || !p.Due.Equal(want) {
		t.Fatalf("after Done: state %s due %v, want open %v", p.State, p.Due.In(newYork), want)
	}
	if got := blocksText(e.sim.DMs(ann)[0].Blocks); !strings.Contains(got, "Kept, late* · next one due "+dateToken(first.AddDate(0, 0, 7))) {
		t.Errorf("reminder after Done on a series = %q", got)
	}
	e.slash(ann, "cancel 1")
	e.advanceTo(first.AddDate(0, 0, 14))
	if n := len(e.sim.DMs(ann)); n != 1 {
		t.Errorf("cancelled series still reminded: %d DMs", n)
	}
}

func TestSnoozePickATime(t *testing.T) {
	e := start(t)
	e.slash(bob, "Acme: call back in 1 hour")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	if _, err := e.sim.Click(e.ctx(), bob, e.sim.DMs(bob)[0], "promise_snooze", "1:pick"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	v := e.lastView(bob, "open")
	in := map[string]map[string]slack.BlockAction{
		"date": {"value": {SelectedDate: "2026-11-25"}},
		"time": {"value": {SelectedTime: "08:30"}},
	}
	if _, err := e.sim.SubmitView(e.ctx(), bob, v.ID, in); err != nil {
		t.Fatal(err)
	}
	e.settle()
	want := time.Date(2026, 11, 25, 8, 30, 0, 0, mustZone("Europe/Paris"))
	if p := e.promises()[0]; !p.ReminderAt().Equal(want) {
		t.Errorf("picked snooze: reminder at %v, want %v (Bob's zone)", p.ReminderAt(), want)
	}
}

// TestReminderAcrossDST: "tomorrow 9am" said the day before clocks spring
// forward (and fall back) is 9:00 on the owner's wall clock.
func TestReminderAcrossDST(t *testing.T) {
	for _, tt := range []struct {
		name string
		from time.Time
		want time.Time // in UTC
	}{
		{"spring forward", time.Date(2027, 3, 13, 10, 0, 0, 0, newYork), time.Date(2027, 3, 14, 13, 0, 0, 0, time.UTC)},
		{"fall back", time.Date(2026, 10, 31, 10, 0, 0, 0, newYork), time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.clock.Set(tt.from)
			e.slash(ann, "Acme: call back tomorrow 9am")
			e.advanceTo(tt.want.Add(-time.Minute))
			if n := len(e.sim.DMs(ann)); n != 0 {
				t.Fatalf("reminded an hour early (%d DMs at %v)", n, tt.want.Add(-time.Minute))
			}
			e.advanceTo(tt.want)
			if n := len(e.sim.DMs(ann)); n != 1 {
				t.Fatalf("%d DMs at 9:00 local", n)
			}
		})
	}
}

// TestReminderShowsLastTouch: the reminder puts the last conversation with
// the customer in front of the owner.
func TestReminderShowsLastTouch(t *testing.T) {
	e := start(t)
	for _, c := range []struct{ cmd, text string }{
		{"/customer", "add Acme every 14d tier key"},
		{"/touch", "Acme called just to talk; they open an office in Lyon <!here>"},
		{"/promise", "acme: send the Lyon quote in 2 hours"},
	} {
		if _, err := e.sim.SlashCommand(e.ctx(), ann, chan_, c.cmd, c.text); err != nil {
			t.Fatal(err)
		}
	}
	e.advanceTo(e.clock.Now().Add(2 * time.Hour))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 {
		t.Fatalf("%d DMs", len(dms))
	}
	got := blocksText(dms[0].Blocks)
	for _, want := range []string{"*Acme*", "Last touch with *Acme*", "they open an office in Lyon &lt;!here&gt;", "[Done]"} {
		if !strings.Contains(got, want) {
			t.Errorf("reminder lacks %q:\n%s", want, got)
		}
	}
}

// TestCustomerChangesNeedOwner: only a customer's owner or an admin may
// edit or remove it; anyone may log a touch.
func TestCustomerChangesNeedOwner(t *testing.T) {
	e := start(t)
	cmd := func(user, command, text string) string {
		r, err := e.sim.SlashCommand(e.ctx(), user, chan_, command, text)
		if err != nil {
			t.Fatal(err)
		}
		return replyText(r)
	}
	cmd(ann, "/customer", "add Acme every 14d tier key")
	for _, text := range []string{"edit Acme every 30d", "edit Acme owner @bob", "remove Acme"} {
		if got := cmd(bob, "/customer", text); !strings.Contains(got, "Only <@U0ANN>, who owns *Acme*") {
			t.Errorf("bob: /customer %s = %q", text, got)
		}
	}
	c, err := e.d.Store.Customer(team, "acme")
	if err != nil || c.Cadence != 14*24*time.Hour || c.Owner != ann {
		t.Errorf("refused edits changed the customer: %+v, %v", c, err)
	}
	if got := cmd(bob, "/touch", "Acme met them at the fair"); strings.Contains(got, "Only") {
		t.Errorf("bob could not log a touch: %q", got)
	}
	if got := cmd(ann, "/customer", "edit Acme every 30d"); !strings.Contains(got, "Updated") {
		t.Errorf("owner's edit = %q", got)
	}
}
