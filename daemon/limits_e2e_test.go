package daemon_test

import (
	"fmt"
	"strings"
	"testing"

	"unicode/utf8"

	"github.com/keptbot/kept/slacksim"
)

// nasty is n characters of &, < and >: each costs Slack four or five
// characters once escaped, so a field at its limit as typed is several
// times Slack's limits as sent.
func nasty(n int) string { return strings.Repeat("&<>", n/3+1)[:n] }

// TestHostileTextWithinSlackLimits fills every field a user types, each
// to the most Kept accepts, with &<> and goes through every flow that
// shows them: the simulator refuses, as Slack does, anything past Block
// Kit's limits or an ack past 20 KB (checkPayloads fails the test then),
// and each message must actually arrive.
func TestHostileTextWithinSlackLimits(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), "#digest")
	name := "Acme" + nasty(76) // customer names stop at 80 characters
	notes, touch := nasty(2000), nasty(2000)

	if got := replyText(e.cmd(ann, "/customer", "add Acme"+nasty(1996))); !strings.Contains(got, "at most 80") {
		t.Errorf("a 2,000-character name: %q, want it refused with the limit", got)
	}
	if got := replyText(e.cmd(ann, "/customer", "add "+name+" every 14d tier key notes "+notes)); !strings.Contains(got, "Added") {
		t.Fatalf("add answered %.300q", got)
	}
	if c := e.customer(name); c.Name != name || c.Notes != notes {
		t.Fatalf("stored %q / %d characters of notes", c.Name, utf8.RuneCountInString(c.Notes))
	}
	e.cmd(ann, "/touch", name+" "+touch)
	if c := e.customer(name); c.LastNote != touch {
		t.Fatalf("touch note stored as %d characters", utf8.RuneCountInString(c.LastNote))
	}

	// A promise as long as Kept takes, for the customer, due in an hour.
	const when = " in 1 hour"
	text := nasty(2000 - utf8.RuneCountInString(name) - 2 - len(when))
	r := e.slash(ann, name+": "+text+when)
	if !strings.Contains(replyText(r), "Got it") {
		t.Fatalf("promise answered %q", replyText(r))
	}
	// Enough more to need several pages of `/promise list`.
	for i := range 12 {
		e.slash(ann, fmt.Sprintf("%s: %s %d tomorrow 5pm", name, nasty(1500), i))
	}
	ps := e.promises()
	if len(ps) != 13 || ps[0].Text != text {
		t.Fatalf("%d promises; the first has %d characters", len(ps), utf8.RuneCountInString(ps[0].Text))
	}

	// Lists, the card and the digest, each an ack under 20 KB.
	list := e.slash(ann, "list")
	if !strings.Contains(replyText(list), "Your open promises (13)") || !strings.Contains(replyText(list), "[Next page") {
		t.Errorf("/promise list = %.300q, want a first page and a button", replyText(list))
	}
	e.cmd(ann, "/customer", "list")
	card := replyText(e.cmd(ann, "/customer", name))
	if !strings.Contains(card, "Open promises (13)") {
		t.Errorf("card = %.300q", card)
	}
	e.digestCmd(ann, chanDigest, "")
	e.digestCmd(ann, chanDigest, "here")

	// The Home tab.
	if err := e.sim.OpenHome(e.ctx(), ann); err != nil {
		t.Fatal(err)
	}
	if home := e.lastView(ann, "publish"); home.ID == "" {
		t.Error("no Home tab published")
	}

	// The reminder, with the last touch, then the overdue nudge.
	e.advanceTo(ny(2026, 11, 23, 11, 0))
	dms := e.sim.DMs(ann)
	if len(dms) != 1 || !strings.Contains(e.sim.Render(dms[0]), "Time to keep your word") || !strings.Contains(e.sim.Render(dms[0]), "Last touch with") {
		t.Fatalf("%d DMs by 11:00, want the reminder with the last touch: %.300q", len(dms), renderAll(e.sim, dms))
	}
	// The whole promise is in the reminder, however long once escaped.
	if got := e.sim.Render(dms[0]); !strings.Contains(strings.ReplaceAll(got, "\n", ""), text[:1000]) {
		t.Errorf("the reminder cut the promise: %.200q…", got)
	}
	e.advanceTo(ny(2026, 11, 25, 11, 0))
	if n := len(e.sim.DMs(ann)); n < 14 {
		t.Errorf("%d DMs after two days, want the 13 reminders and the overdue nudges", n)
	}

	// The weekly digest in #digest, and the keep-in-touch prompt.
	e.advanceTo(ny(2026, 11, 30, 9, 0))
	if n := len(e.digestPosts(chanDigest)); n < 2 {
		t.Errorf("%d posts in #digest, want the one asked for and the weekly one", n)
	}
	e.advanceTo(ny(2026, 12, 8, 9, 0))
	if len(e.prompts(ann)) == 0 {
		t.Error("no keep-in-touch prompt")
	}
	// Done on the reminder: chat.update with the outcome.
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if m, _ := e.sim.Message(dms[0].Channel, dms[0].TS); m.Updates == 0 {
		t.Error("the reminder was not updated after Done")
	}
}

// TestLongListPages: `/promise list` pages with a button instead of
// cutting the list, and every page is within Slack's limits.
func TestLongListPages(t *testing.T) {
	e := start(t)
	for i := range 60 {
		e.slash(ann, fmt.Sprintf("Acme: %s %d tomorrow 5pm", nasty(300), i))
	}
	r := e.slash(ann, "list")
	m := lastEphemeral(e.sim, ann)
	seen := strings.Count(replyText(r), "•")
	for page := 0; page < 20 && strings.Contains(e.sim.Render(m), "[Next page"); page++ {
		if _, err := e.sim.Click(e.ctx(), ann, m, "promise_list_more", ""); err != nil {
			t.Fatal(err)
		}
		e.settle()
		m, _ = e.sim.Message(m.Channel, m.TS)
		seen += strings.Count(e.sim.Render(m), "•")
	}
	if seen != 60 {
		t.Errorf("the pages showed %d promises of 60", seen)
	}
}

func lastEphemeral(sim *slacksim.Server, user string) slacksim.Message {
	var last slacksim.Message
	for _, m := range sim.Messages() {
		if m.Ephemeral && m.EphemeralTo == user {
			last = m
		}
	}
	return last
}

func renderAll(sim *slacksim.Server, ms []slacksim.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(sim.Render(m) + "\n")
	}
	return b.String()
}
