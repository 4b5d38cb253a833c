package daemon_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// Bad input of every kind, through the real protocol: each is answered
// with an ephemeral message that says what was wrong and shows the right
// form, and changes nothing in the store (SPEC, "Bad input and rules").

// snapshot is everything a command could change in the store, as JSON:
// the records people made, the outbox, the digest's channels, the
// customers' channels and who turned suggestions off.
func (e *env) snapshot() string {
	e.t.Helper()
	d, err := e.d.Store.Export()
	if err != nil {
		e.t.Fatal(err)
	}
	nudges, err := e.d.Store.Nudges("")
	if err != nil {
		e.t.Fatal(err)
	}
	subs, err := e.d.Store.Subscriptions("")
	if err != nil {
		e.t.Fatal(err)
	}
	channels := map[string][]string{}
	for _, c := range d.Customers {
		if channels[c.Team+"/"+c.Name], err = e.d.Store.CustomerChannels(c.Team, c.Name); err != nil {
			e.t.Fatal(err)
		}
	}
	off := map[string]bool{}
	for _, u := range []string{ann, bob, cid} {
		if off[u], err = e.d.Store.SuggestionsOff(team, u); err != nil {
			e.t.Fatal(err)
		}
	}
	b, err := json.Marshal(struct {
		Dump     store.Dump
		Nudges   []store.Nudge
		Subs     []store.Subscription
		Channels map[string][]string
		Off      map[string]bool
	}{d, nudges, subs, channels, off})
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// startBadInput is Kept with people of every kind and records to act on:
// Acme (Ann's, key) and Globex (Bob's); #1 Ann's for Acme, open; #2
// Bob's, open; #3 Ann's, kept; #4 Ann's, cancelled; and #9 of another
// workspace.
func startBadInput(t *testing.T) *env {
	t.Helper()
	e := start(t)
	e.sim.AddUser(slacksim.User{ID: "U0GONE", Name: "gone", Deleted: true})
	e.sim.AddUser(slacksim.User{ID: "U0ROBO", Name: "robo", IsBot: true})
	e.sim.AddUser(slacksim.User{ID: "U0FAR", Name: "far", TeamID: "T0OTHER"})
	e.cmd(ann, "/customer", "add Acme every 14d tier key")
	e.cmd(bob, "/customer", "add Globex every 30d")
	e.slash(ann, "Acme: call back tomorrow 3pm")
	e.slash(bob, "Globex: send the demo tomorrow 4pm")
	e.slash(ann, "Acme: the deck tomorrow 5pm")
	e.slash(ann, "done 3")
	e.slash(ann, "Initech: lunch friday noon")
	e.slash(ann, "cancel 4")
	importer, ok := e.d.Store.(interface {
		Import(store.Dump, bool) (store.ImportReport, error)
	})
	if !ok {
		t.Fatal("the daemon's store cannot import")
	}
	other := model.Promise{Team: "T0OTHER", ID: 9, Text: "theirs", Owner: ann, Creator: ann, Due: e.clock.Now().Add(24 * time.Hour), State: model.PromiseOpen}
	if _, err := importer.Import(store.Dump{Promises: []model.Promise{other}}, false); err != nil {
		t.Fatal(err)
	}
	e.settle()
	return e
}

// badCase is one command that must be refused: the reply holds every one
// of want (what was wrong, and the right form).
type badCase struct {
	user, command, text string
	want                []string
}

// refuses sends each case and checks that the answer is ephemeral, says
// what it must, and that the store is as it was.
func (e *env) refuses(cases []badCase) {
	e.t.Helper()
	for _, tt := range cases {
		before := e.snapshot()
		user := tt.user
		if user == "" {
			user = ann
		}
		r := e.cmd(user, tt.command, tt.text)
		e.settle()
		got := replyText(r)
		if r.ResponseType != "ephemeral" {
			e.t.Errorf("%s %q: answered %q, want ephemeral", tt.command, tt.text, r.ResponseType)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				e.t.Errorf("%s %q = %q, want it to say %q", tt.command, tt.text, got, w)
			}
		}
		if after := e.snapshot(); after != before {
			e.t.Errorf("%s %q changed the store:\nbefore %s\nafter  %s", tt.command, tt.text, before, after)
		}
	}
}

func TestBadPromiseCommands(t *testing.T) {
	e := startBadInput(t)
	const list = "`/promise list`"
	e.refuses([]badCase{
		// Unknown or malformed promise numbers.
		{"", "/promise", "done #0", []string{"Which promise?", "`/promise done 42`"}},
		{"", "/promise", "done -1", []string{"Which promise?", "`/promise done 42`"}},
		{"", "/promise", "done abc", []string{"Which promise?", "`/promise done 42`"}},
		{"", "/promise", "done 99999999999999999999", []string{"Which promise?", "`/promise done 42`"}},
		{"", "/promise", "done #1x", []string{"Which promise?", "`/promise done 42`"}},
		{"", "/promise", "done 99", []string{"no promise #99", list}},
		{"", "/promise", "done 9", []string{"no promise #9", list}}, // another workspace's
		{"", "/promise", "cancel 9", []string{"no promise #9"}},
		{"", "/promise", "snooze 9 tomorrow", []string{"no promise #9"}},
		{"", "/promise", "show 9", []string{"no promise #9"}},
		{"", "/promise", "give 9 @bob", []string{"no promise #9"}},
		{"", "/promise", "snooze abc tomorrow", []string{"Which promise?", "`/promise snooze 42 tomorrow`"}},
		{"", "/promise", "move #0 friday 5pm", []string{"Which promise?", "`/promise move 42 friday 5pm`"}},
		{"", "/promise", "show -1", []string{"Which promise?", "`/promise show 42`"}},
		{"", "/promise", "edit 1x", []string{"Which promise?", "`/promise edit 42`"}},
		// Missing arguments.
		{"", "/promise", "done", []string{"Which promise?", "`/promise done 42`"}},
		{"", "/promise", "cancel", []string{"Which promise?", "`/promise cancel 42`"}},
		{"", "/promise", "snooze", []string{"Which promise?", "`/promise snooze 42 tomorrow`"}},
		{"", "/promise", "snooze 1", []string{"Until when?", "`/promise snooze 1 tomorrow`"}},
		{"", "/promise", "move 1", []string{"To when?", "`/promise move 1 friday 5pm`"}},
		{"", "/promise", "give 1", []string{"to whom?", "`/promise give 42 @bob`"}},
		{"", "/promise", "give 1 bob", []string{"to whom?", "`/promise give 42 @bob`"}},
		{"", "/promise", "show", []string{"Which promise?", "`/promise show 42`"}},
		// Extra arguments.
		{"", "/promise", "done 1 2", []string{"one promise number", "“2”", "`/promise done 1`"}},
		{"", "/promise", "done 1 extra words", []string{"“extra words”", "`/promise done 1`"}},
		{"", "/promise", "cancel #1 please", []string{"“please”", "`/promise cancel 1`"}},
		{"", "/promise", "give 1 @bob @cid", []string{"one person", "`/promise give 1 @bob`"}},
		{"", "/promise", "show 1 extra", []string{"only its number", "`/promise show 42`"}},
		{"", "/promise", "list @ann @bob", []string{"one person", "`/promise list @ann`"}},
		// Times in the past, ambiguous, unreadable.
		{"", "/promise", "Acme: call back yesterday 3pm", []string{"in the past", "`/promise Acme: send the renewal quote friday 5pm`"}},
		{"", "/promise", "snooze 1 yesterday", []string{"in the past", "`/promise snooze 1 tomorrow 9am`"}},
		{"", "/promise", "move 1 yesterday 3pm", []string{"in the past", "`/promise move 1 friday 5pm`"}},
		{"", "/promise", "snooze 1 every monday", []string{"repeats", "`/promise snooze 1 tomorrow 9am`"}},
		{"", "/promise", "Acme: call at 5", []string{"5am or 5pm", "`/promise Acme: send the renewal quote friday 5pm`"}},
		{"", "/promise", "Acme: call back", []string{"couldn't find when", "tomorrow 3pm"}},
		{"", "/promise", "snooze 1 blurgh", []string{"`/promise snooze 1 tomorrow 9am`"}},
		// No text, or only a time.
		{"", "/promise", "tomorrow 3pm", []string{"What did you promise?", "`/promise Acme: send the renewal quote friday 5pm`"}},
		{"", "/promise", "Acme:    tomorrow 3pm", []string{"What did you promise?"}},
		{"", "/promise", "Acme: " + strings.Repeat("x", model.MaxText+1) + " tomorrow 3pm", []string{"under 2000"}},
		// An entity counts as the one character its author typed: 2,001 of them is one too many.
		{"", "/promise", "Acme: " + strings.Repeat("&", model.MaxText+1) + " tomorrow 3pm", []string{"2001 characters", "under 2000"}},
		// People who cannot own a promise.
		{"", "/promise", "@gone Acme: call tomorrow 3pm", []string{"can't find an active Slack user"}},
		{"", "/promise", "@robo Acme: call tomorrow 3pm", []string{"is a bot"}},
		{"", "/promise", "@far Acme: call tomorrow 3pm", []string{"another workspace"}},
		{"", "/promise", "@nope Acme: call tomorrow 3pm", []string{"can't find a Slack user @nope", "`/promise @ann Acme: call back tomorrow 3pm`"}},
		{"", "/promise", "give 1 @gone", []string{"can't find an active Slack user"}},
		{"", "/promise", "give 1 @robo", []string{"is a bot"}},
		{"", "/promise", "give 1 @far", []string{"another workspace"}},
		{"", "/promise", "list @nope", []string{"can't find a Slack user @nope", "`/promise list @ann`"}},
		{"", "/promise", "list Nope", []string{"know no customer", "`/promise list Acme overdue`"}},
		// Done or cancelled already, and someone else's.
		{"", "/promise", "done 3", []string{"already kept", list}},
		{"", "/promise", "cancel 3", []string{"already kept", list}},
		{"", "/promise", "snooze 4 tomorrow", []string{"already cancelled", list}},
		{"", "/promise", "cancel 4", []string{"already cancelled", list}},
		{"", "/promise", "give 3 @bob", []string{"already kept"}},
		{"", "/promise", "done 2", []string{"Only <@U0BOB>", "can change it"}},
		{"", "/promise", "snooze 2 tomorrow", []string{"Only <@U0BOB>"}},
		{"", "/promise", "move 2 friday 5pm", []string{"Only <@U0BOB>"}},
		{"", "/promise", "give 2 @ann", []string{"Only <@U0BOB>"}},
		{"", "/promise", "cancel 2", []string{"Only <@U0BOB>"}},
		{"", "/promise", "show 2", []string{"<@U0BOB>'s"}},
		{"", "/promise", "edit 2", []string{"Only <@U0BOB>"}},
		{cid, "/promise", "done 1", []string{"Only <@U0ANN>"}},
		// Verbs Kept does not have.
		{"", "/promise", "delete 3", []string{"recorded nothing", "`/promise cancel 3`"}},
		{"", "/promise", "dnoe 1", []string{"recorded nothing", "`/promise done 1`"}},
		{"", "/promise", "suggestions maybe", []string{"`/promise suggestions off`"}},
	})
}

func TestBadCustomerCommands(t *testing.T) {
	e := startBadInput(t)
	e.cmd(ann, "/customer", "add Café")
	const addForm, editForm = "`/customer add Acme every 14d tier key owner @ann`", "`/customer edit Acme every 30d`"
	const cadences = "`every 14d`, `every 2w`, `every 3 months`, or `never`"
	e.refuses([]badCase{
		// Names: taken whatever the case or spacing, missing, too long.
		{"", "/customer", "add ACME", []string{"already a customer called *Acme*", "`/customer edit Acme …`"}},
		{"", "/customer", "add acme every 30d", []string{"already a customer called *Acme*"}},
		{"", "/customer", "add Acme ", []string{"already a customer called *Acme*"}},
		{"", "/customer", "add \"Acme \"", []string{"already a customer called *Acme*"}},
		{"", "/customer", "add Acme\u00a0", []string{"already a customer called *Acme*"}},
		{"", "/customer", "add \u00a0ACME", []string{"already a customer called *Acme*"}},
		// Or written with other characters that look the same.
		{"", "/customer", "add Ａｃｍｅ", []string{"already a customer called *Acme*", "looks the same", "`/customer edit Acme …`"}},
		{"", "/customer", "add ＡＣＭＥ every 30d", []string{"already a customer called *Acme*"}},
		{"", "/customer", "add Acme\u200b", []string{"already a customer called *Acme*"}},
		{"", "/customer", "add Ac\u00adme", []string{"already a customer called *Acme*"}},
		{"", "/customer", "add Cafe\u0301", []string{"already a customer called *Café*"}}, // the accent typed apart
		{"", "/customer", "add \"\"", []string{"Which customer?", addForm}},
		{"", "/customer", "add \"   \"", []string{"Which customer?", addForm}},
		{"", "/customer", "add every 14d", []string{"Which customer?", "needs quotes"}},
		{"", "/customer", "add " + strings.Repeat("N", model.MaxName+1), []string{"at most 80"}},
		// Cadence and tier out of range, options missing their value or given twice.
		{"", "/customer", "add Zed every 0d", []string{"A cadence of 0", cadences}},
		{"", "/customer", "add Zed every -3d", []string{"couldn't read “every -3d”", cadences}},
		{"", "/customer", "add Zed every 10000d", []string{"far too long", cadences}},
		{"", "/customer", "add Zed every", []string{"couldn't read “every”", cadences}},
		{"", "/customer", "add Zed tier gold", []string{"`key` or `standard`", "`tier key`"}},
		{"", "/customer", "add Zed tier", []string{"`key` or `standard`"}},
		{"", "/customer", "add Zed owner bob", []string{"@-mention", "`owner @ann`"}},
		{"", "/customer", "add Zed owner", []string{"@-mention"}},
		{"", "/customer", "add Zed owner @nope", []string{"@-mention"}},
		{"", "/customer", "add Zed channel", []string{"Name the channel", "`/customer add Zed channel #acme-shared`"}},
		{"", "/customer", "add Zed every 14d every 3d", []string{"cadence twice", "“every 14d”", "“every 3d”", addForm}},
		{"", "/customer", "add Zed every 2 weeks never", []string{"cadence twice", "“every 2 weeks”", "“never”"}},
		{"", "/customer", "add Zed tier key tier standard", []string{"tier twice"}},
		{"", "/customer", "add Zed owner @ann owner @bob", []string{"owner twice", "<@U0ANN|ann>", "<@U0BOB|bob>"}},
		{"", "/customer", "edit Acme every 14d every 3d", []string{"cadence twice", editForm}},
		{"", "/customer", "add Zed notes " + strings.Repeat("n", model.MaxText+1), []string{"2001 characters", "under 2000"}},
		{"", "/customer", "add Zed notes " + strings.Repeat("&", model.MaxText+1), []string{"2001 characters"}},
		// Owners who cannot own a customer.
		{"", "/customer", "add Zed owner @gone", []string{"can't find an active Slack user"}},
		{"", "/customer", "add Zed owner @robo", []string{"is a bot"}},
		{"", "/customer", "add Zed owner @far", []string{"another organisation"}},
		{"", "/customer", "edit Acme owner @gone", []string{"can't find an active Slack user"}},
		{"", "/customer", "edit Acme owner @robo", []string{"is a bot"}},
		// Customers that do not exist.
		{"", "/customer", "edit Nope every 14d", []string{"don't know a customer called *Nope*", "`/customer add Nope`"}},
		{"", "/customer", "edit Nope", []string{"don't know a customer called *Nope*"}},
		{"", "/customer", "remove Nope", []string{"don't know a customer called *Nope*"}},
		{"", "/customer", "Nope", []string{"don't know a customer called *Nope*", "`/customer list`"}},
		{"", "/customer", "link Nope", []string{"don't know a customer called *Nope*"}},
		{"", "/customer", "remove", []string{"Which customer?", "`/customer remove Acme`"}},
		{"", "/customer", "show", []string{"Which customer?", "`/customer show Acme`"}},
		{"", "/customer", "link", []string{"`/customer link Acme #acme-shared`"}},
		{"", "/customer", "unlink junk", []string{"`/customer unlink #acme-shared`"}},
		{"", "/customer", "unlink", []string{"isn't linked to a customer"}},
		{"", "/customer", "list junk", []string{"“junk” is none of those", "`/customer list by health`"}},
		// Dates that matter.
		{"", "/customer", "edit Acme renewal yesterday", []string{"can't read “yesterday”", "2027-03-01"}},
		{"", "/customer", "edit Acme renewal 2020-01-01", []string{"has passed", "`renewal none`"}},
		{"", "/customer", "edit Acme renewal 2027-02-30", []string{"can't read “2027-02-30”"}},
		{"", "/customer", "edit Acme renewal none", []string{"no renewal date to remove"}},
		// Someone else's customer.
		{bob, "/customer", "edit Acme every 30d", []string{"Only <@U0ANN>", "`/touch Acme …`"}},
		{bob, "/customer", "remove Acme", []string{"Only <@U0ANN>"}},
		{bob, "/customer", "edit Acme", []string{"Only <@U0ANN>"}},
		{bob, "/customer", "link Acme", []string{"Only <@U0ANN>"}},
		// The digest is for leads, and takes its own words.
		{"", "/customer", "digest", []string{"for leads"}},
		{"", "/customer", "digest junk", []string{"`/customer digest`"}},
	})
}

func TestBadTouchCommands(t *testing.T) {
	e := startBadInput(t)
	e.refuses([]badCase{
		{"", "/touch", "Nope called", []string{"don't know a customer called *Nope*", "`/touch Acme called just to talk; they open an office in Lyon`"}},
		{"", "/touch", "\"\" called", []string{"Which customer?"}},
		{"", "/touch", "Acme tomorrow: lunch", []string{"still ahead", "`/promise Acme: call back friday 3pm`"}},
		{"", "/touch", "Acme call in 2 days: lunch", []string{"still ahead"}},
		{"", "/touch", "Acme " + strings.Repeat("n", model.MaxText+1), []string{"2001 characters"}},
		{"", "/touch", "Acme " + strings.Repeat("&", model.MaxText+1), []string{"2001 characters"}},
	})
}

// formCase is one submission of a form that must be refused: the form
// stays open with an error under field that holds want.
type formCase struct {
	name   string
	values map[string]map[string]slack.BlockAction
	field  string
	want   string
}

// formRefuses submits each case to the view viewID as user and checks
// that the form answers with the error and the store is as it was.
func (e *env) formRefuses(user, viewID string, cases []formCase) {
	e.t.Helper()
	for _, tt := range cases {
		before := e.snapshot()
		r, err := e.sim.SubmitView(e.ctx(), user, viewID, tt.values)
		if err != nil {
			e.t.Fatalf("%s: %v", tt.name, err)
		}
		e.settle()
		if r.ResponseAction != "errors" || !strings.Contains(r.Errors[tt.field], tt.want) {
			e.t.Errorf("%s: the form answered %s, want an error on %s saying %q", tt.name, r.Payload, tt.field, tt.want)
		}
		if after := e.snapshot(); after != before {
			e.t.Errorf("%s changed the store:\nbefore %s\nafter  %s", tt.name, before, after)
		}
	}
}

func TestBadFormsChangeNothing(t *testing.T) {
	e := startBadInput(t)
	tomorrow, yesterday := "2026-11-24", "2026-11-22"

	e.slash(ann, "")
	promiseForm := e.lastView(ann, "open")
	e.formRefuses(ann, promiseForm.ID, []formCase{
		{"an empty promise", modalInput("Acme", "", tomorrow, "15:00", ann), "what", "empty"},
		{"a promise of spaces", modalInput("Acme", " \u00a0 ", tomorrow, "15:00", ann), "what", "empty"},
		{"a promise over 2,000 characters", modalInput("Acme", strings.Repeat("x", model.MaxText+1), tomorrow, "15:00", ann), "what", "2001 characters"},
		{"a customer name over 80", modalInput(strings.Repeat("N", model.MaxName+1), "call", tomorrow, "15:00", ann), "customer", "at most 80"},
		{"a day gone by", modalInput("Acme", "call", yesterday, "15:00", ann), "date", "in the past"},
		{"an hour gone by", modalInput("Acme", "call", "2026-11-23", "09:00", ann), "date", "in the past"},
		{"no day", modalInput("Acme", "call", "", "15:00", ann), "date", "Pick a date"},
		{"a day that does not exist", modalInput("Acme", "call", "2026-02-30", "15:00", ann), "date", "Pick a date"},
		{"a deactivated owner", modalInput("Acme", "call", tomorrow, "15:00", "U0GONE"), "owner", "not an active member"},
		{"a bot as owner", modalInput("Acme", "call", tomorrow, "15:00", "U0ROBO"), "owner", "bot"},
		{"an owner of another workspace", modalInput("Acme", "call", tomorrow, "15:00", "U0FAR"), "owner", "another workspace"},
	})

	e.cmd(ann, "/promise", "edit 1")
	editForm := e.lastView(ann, "open")
	e.formRefuses(ann, editForm.ID, []formCase{
		{"an edit emptying the promise", modalInput("Acme", "  ", tomorrow, "15:00", ann), "what", "empty"},
		{"an edit to a day gone by", modalInput("Acme", "call back", yesterday, "15:00", ann), "date", "in the past"},
		{"an edit handing it to a bot", modalInput("Acme", "call back", tomorrow, "15:00", "U0ROBO"), "owner", "bot"},
	})

	e.cmd(ann, "/customer", "add")
	customerForm := e.lastView(ann, "open")
	e.formRefuses(ann, customerForm.ID, []formCase{
		{"a name taken in other case", formInput("ACME", ann, "standard", "", ""), "name", "already a customer called Acme"},
		{"a name taken in full width", formInput("Ａｃｍｅ", ann, "standard", "", ""), "name", "already a customer called Acme"},
		{"a name taken with a zero-width space", formInput("Acme\u200b", ann, "standard", "", ""), "name", "already a customer called Acme"},
		{"a cadence of 0", formInput("Zed", ann, "standard", "every 0d", ""), "cadence", "A cadence of 0"},
		{"a cadence below 0", formInput("Zed", ann, "standard", "every -3d", ""), "cadence", "every -3d"},
		{"a cadence of 10,000 days", formInput("Zed", ann, "standard", "every 10000d", ""), "cadence", "far too long"},
		{"notes over 2,000 characters", formInput("Zed", ann, "standard", "", strings.Repeat("n", model.MaxText+1)), "notes", "2001"},
		{"a bot as owner", formInput("Zed", "U0ROBO", "standard", "", ""), "owner", "bot"},
		{"a deactivated owner", formInput("Zed", "U0GONE", "standard", "", ""), "owner", "not an active member"},
	})

	e.cmd(ann, "/touch", "Acme")
	touchForm := e.lastView(ann, "open")
	e.formRefuses(ann, touchForm.ID, []formCase{
		{"an empty touch", noteInput("  "), "note", "what happened"},
		{"a touch over 2,000 characters", noteInput(strings.Repeat("n", model.MaxText+1)), "note", "under 2000"},
	})
}

// TestInjectionEscapedEverywhere: a form's fields reach Kept as typed,
// unescaped (unlike a slash command's text), so a promise, a customer's
// name and notes and a touch's note can hold live markup. None of it may
// reach Slack live: not in the confirmation, the list, the reminder DM,
// the card, the customer list, the digest or the Home tab.
func TestInjectionEscapedEverywhere(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), "#digest")
	const hostile = "<!channel> <!here> <!everyone> <@U0BOB|forged> <http://x|y> <!subteam^S1>"
	name := "Evil <!here> <http://x|y> & Co"

	e.cmd(ann, "/customer", "add")
	if r, err := e.sim.SubmitView(e.ctx(), ann, e.lastView(ann, "open").ID, formInput(name, ann, "key", "every 7d", hostile)); err != nil || r.ResponseAction == "errors" {
		t.Fatalf("customer form: %+v, %v", r, err)
	}
	e.settle()
	if r := e.cmd(ann, "/touch", name); r.Text != "" {
		t.Fatalf("/touch %s answered %q, want the form", name, replyText(r))
	}
	if r, err := e.sim.SubmitView(e.ctx(), ann, e.lastView(ann, "open").ID, noteInput("called "+hostile)); err != nil || r.ResponseAction == "errors" {
		t.Fatalf("touch form: %+v, %v", r, err)
	}
	e.settle()
	e.slash(ann, "")
	if r, err := e.sim.SubmitView(e.ctx(), ann, e.lastView(ann, "open").ID, modalInput(name, "send "+hostile, "2026-11-23", "11:00", ann)); err != nil || r.ResponseAction == "errors" {
		t.Fatalf("promise form: %+v, %v", r, err)
	}
	e.settle()
	if ps := e.promises(); len(ps) != 1 || ps[0].Customer != name || !strings.HasPrefix(ps[0].Text, "send <!channel>") {
		t.Fatalf("stored %+v", ps)
	}

	// Every surface that shows them.
	e.advanceTo(ny(2026, 11, 23, 11, 0)) // the reminder DM
	e.advanceTo(ny(2026, 11, 24, 12, 0)) // the overdue DM
	e.settle()
	for _, c := range [][2]string{{"/promise", "list"}, {"/promise", "show 1"}, {"/customer", name}, {"/customer", "list"}, {"/customer", "digest"}, {"/promise", "Evil: call back tomorrow 3pm"}} {
		e.cmd(ann, c[0], c[1])
	}
	if err := e.sim.OpenHome(e.ctx(), ann); err != nil {
		t.Fatal(err)
	}
	e.settle()

	var shown []string // every string Kept sent Slack to show
	for _, m := range e.sim.Messages() {
		if m.User != botUser {
			continue
		}
		shown = append(shown, m.Text)
		shown = appendStrings(t, shown, m.BlocksJSON)
	}
	for _, v := range e.sim.Views() {
		if v.Kind == "publish" {
			shown = appendStrings(t, shown, v.JSON)
		}
	}
	for _, live := range []string{"<!channel>", "<!here>", "<!everyone>", "<@U0BOB|forged>", "<http://x|y>", "<!subteam"} {
		for _, s := range shown {
			if strings.Contains(s, live) {
				t.Errorf("Kept sent a live %s: %.300q", live, s)
			}
		}
	}
	// And it did show them, escaped.
	for _, want := range []string{"send &lt;!channel&gt;", "Evil &lt;!here&gt;", "called &lt;!channel&gt;"} {
		if !strings.Contains(strings.Join(shown, "\n"), want) {
			t.Errorf("nothing Kept sent shows %q", want)
		}
	}
}

// appendStrings appends every text the JSON document raw has Slack show
// (a "text" field's string), not the values and ids that travel back.
func appendStrings(t *testing.T, to []string, raw json.RawMessage) []string {
	t.Helper()
	if len(raw) == 0 {
		return to
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for k, x := range v {
				if text, ok := x.(string); ok && k == "text" {
					to = append(to, text)
				}
				walk(x)
			}
		}
	}
	walk(doc)
	return to
}

// A customer whose name starts with "@" ("@Home Realty", "@Work") is no
// unknown person: /promise and /promise list take it as the customer, as
// they take any other name. Only an @name that is nobody's is refused.
func TestAtNamedCustomerIsNotRefused(t *testing.T) {
	e := start(t)
	if r := e.cust(ann, `add "@Home Realty"`); !strings.Contains(replyText(r), "@Home Realty") {
		t.Fatalf("add: %s", replyText(r))
	}
	if r := e.slash(ann, "@Home Realty: send the quote tomorrow 3pm"); !strings.Contains(r.Text, "Got it") {
		t.Fatalf("/promise @Home Realty: …: %s", replyText(r))
	}
	if ps := e.promises(); len(ps) != 1 || ps[0].Customer != "@Home Realty" || ps[0].Text != "send the quote" {
		t.Fatalf("promises = %+v, want one for @Home Realty", ps)
	}
	if r := e.slash(ann, "list @Home Realty"); !strings.Contains(replyText(r), "send the quote") {
		t.Fatalf("/promise list @Home Realty: %s", replyText(r))
	}
	if r := e.slash(ann, "list @nope"); !strings.Contains(r.Text, "can't find a Slack user @nope") {
		t.Fatalf("/promise list @nope: %s", replyText(r))
	}
}
