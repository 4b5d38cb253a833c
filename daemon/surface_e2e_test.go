package daemon_test

import (
	"encoding/json"
	"fmt"
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

// lastAck is the newest message Kept showed user from a command's ack.
func (e *env) lastAck(user string) slacksim.Message {
	e.t.Helper()
	ms := e.sim.Messages()
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].ViaAck && ms[i].EphemeralTo == user {
			return ms[i]
		}
	}
	e.t.Fatalf("no ack message for %s", user)
	return slacksim.Message{}
}

func TestShowPromise(t *testing.T) {
	e := start(t)
	e.slash(ann, "@bob Acme: send the deck tomorrow 3pm")
	e.slash(bob, "snooze 1 friday 5pm")
	e.slash(bob, "move 1 monday 10am")
	got := replyText(e.slash(ann, "show 1"))
	paris := mustZone("Europe/Paris") // Bob's: the times are read on his clock
	friday := time.Date(2026, 11, 27, 17, 0, 0, 0, paris)
	tomorrow, monday := time.Date(2026, 11, 24, 15, 0, 0, 0, paris), time.Date(2026, 11, 30, 10, 0, 0, 0, paris)
	for _, want := range []string{"#1", "Acme", "send the deck", "Owner <@U0BOB>", "recorded by <@U0ANN>", "History",
		"snoozed by <@U0BOB> until " + dateToken(friday), "moved by <@U0BOB> from " + dateToken(tomorrow), "to " + dateToken(monday), "/promise edit 1"} {
		if !strings.Contains(got, want) {
			t.Errorf("/promise show 1 lacks %q:\n%s", want, got)
		}
	}
	// The history says its times as every other line does, never as stored.
	if strings.Contains(got, "2026-") || strings.Contains(got, ":00Z") {
		t.Errorf("/promise show 1 shows a raw time:\n%s", got)
	}
	if got := replyText(e.slash(cid, "show 1")); !strings.Contains(got, "only they") || strings.Contains(got, "send the deck") {
		t.Errorf("someone else's promise was shown to cid: %q", got)
	}
	for text, want := range map[string]string{"show 9": "no promise #9", "show": "Which promise?", "show 1 please": "Give only its number"} {
		if got := replyText(e.slash(ann, text)); !strings.Contains(got, want) {
			t.Errorf("/promise %s = %q, want %q", text, got, want)
		}
	}
}

func TestEditPromise(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: send the deck tomorrow 3pm")
	if got := replyText(e.slash(bob, "edit 1")); !strings.Contains(got, "Only <@U0ANN>") {
		t.Errorf("bob could open ann's promise in a form: %q", got)
	}
	e.slash(ann, "edit 1")
	v := e.lastView(ann, "open")
	if v.View.CallbackID != "promise_edit" {
		t.Fatalf("opened %q", v.View.CallbackID)
	}
	raw, _ := json.Marshal(v.View)
	form := string(raw)
	for _, want := range []string{`"initial_value":"send the deck"`, `"initial_value":"Acme"`, `"initial_date":"2026-11-24"`, `"initial_time":"15:00"`, `"initial_user":"U0ANN"`} {
		if !strings.Contains(form, want) {
			t.Errorf("the edit form is not filled with %q:\n%s", want, form)
		}
	}
	if _, err := e.sim.SubmitView(e.ctx(), ann, v.ID, modalInput("Acme", "send the deck v2", "2026-11-25", "10:00", ann)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	p := e.promises()[0]
	if p.Text != "send the deck v2" || !p.Due.Equal(time.Date(2026, 11, 25, 10, 0, 0, 0, newYork)) || p.History[len(p.History)-1].Kind != "edited" {
		t.Errorf("after the edit: %q due %v, history %+v", p.Text, p.Due, p.History)
	}
	if len(e.promises()) != 1 {
		t.Errorf("the edit made a new promise")
	}
}

func TestListFiltersAndPages(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.slash(ann, "@bob Acme: send the quote tomorrow 3pm")
	e.slash(ann, "@bob Globex: demo friday 5pm")
	e.slash(bob, "Initech: lunch in 2 hours")
	e.clock.Advance(90 * time.Minute) // #1 is overdue now
	tests := []struct {
		user, text string
		want, not  []string
	}{
		{ann, "list", []string{"Your open promises (1)", "call back"}, []string{"send the quote"}},
		{ann, "list mine", []string{"call back"}, []string{"demo"}},
		{ann, "list by me", []string{"recorded for others (2)", "send the quote", "demo"}, []string{"call back", "lunch"}},
		{ann, "list @bob", []string{"of <@U0BOB> (3)", "lunch", "demo"}, []string{"call back"}},
		{ann, "list acme", []string{"Open promises for Acme (2)", "call back", "send the quote"}, []string{"demo", "lunch"}},
		{ann, "list overdue", []string{"overdue (1)", "call back"}, []string{"quote"}},
		{bob, "list overdue", []string{"You have no overdue promises."}, []string{"lunch", "Nothing open ("}},
		{ann, "list @cid", []string{"<@U0CID> has no open promises."}, nil},
		{ann, "list initech overdue", []string{"No overdue promises for initech."}, nil},
		{bob, "list by me", []string{"No open promises that you recorded for others."}, nil},
	}
	for _, tt := range tests {
		checkText(t, fmt.Sprintf("/promise %s (as %s)", tt.text, tt.user), replyText(e.slash(tt.user, tt.text)), tt.want, tt.not)
	}

	// 45 promises: two pages of 20 and one of 5, by the Next page button.
	for i := range 42 {
		e.slash(cid, "Hooli: item "+string(rune('A'+i%26))+" in 3 days")
	}
	e.slash(cid, "list")
	seen := 0
	for page := 1; ; page++ {
		m := e.lastAck(cid)
		if page > 1 {
			m, _ = e.sim.Message(m.Channel, m.TS)
		}
		text := blocksText(m.Blocks)
		seen += strings.Count(text, "• ")
		if !strings.Contains(text, "[Next page]") {
			break
		}
		if page == 5 {
			t.Fatal("too many pages")
		}
		if _, err := e.sim.Click(e.ctx(), cid, m, "promise_list_more", ""); err != nil {
			t.Fatal(err)
		}
		e.settle()
	}
	if seen != 42 {
		t.Errorf("the pages showed %d promises, want 42", seen)
	}
}
