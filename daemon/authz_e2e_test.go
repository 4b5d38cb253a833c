package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// told reports whether user was told text, privately: an ephemeral
// message, or a DM from Kept.
func (e *env) told(user, text string) bool {
	dm := e.sim.DMChannel(user)
	for _, m := range e.sim.Messages() {
		if (m.Ephemeral && m.EphemeralTo == user || m.Channel == dm && dm != "") && strings.Contains(m.Text, text) {
			return true
		}
	}
	return false
}

// TestCheckinButtonsOwnerOnly: "Snooze a week" and "Change cadence" on a
// keep-in-touch prompt change the customer, so they follow the rule every
// other surface does: its owner or an admin. Someone else's click (an old
// prompt, a forged click) changes nothing and is told why; and Snooze on
// an old prompt never brings the check-in forward.
func TestCheckinButtonsOwnerOnly(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Globex every 2w")
	e.advanceTo(time.Date(2026, 12, 7, 10, 0, 0, 0, newYork))
	prompt := e.prompts(ann)[0]
	before := e.customer("Globex")

	for _, click := range []struct{ action, value string }{{"checkin_snooze", ""}, {"checkin_cadence", "never"}} {
		if _, err := e.sim.Click(e.ctx(), bob, prompt, click.action, click.value); err != nil {
			t.Fatal(err)
		}
		e.settle()
		if !e.told(bob, "Only <@U0ANN>") {
			t.Errorf("bob's %s was not refused", click.action)
		}
	}
	if c := e.customer("Globex"); c.Cadence != before.Cadence || !c.NextPrompt.Equal(before.NextPrompt) {
		t.Errorf("bob changed ann's customer: cadence %v → %v, next %v → %v", before.Cadence, c.Cadence, before.NextPrompt, c.NextPrompt)
	}

	// Ann logs a touch; the next check-in is due 14 days after it. A click
	// on the old prompt's Snooze a week must not move it to a week from now.
	e.cmd(ann, "/touch", "Globex called about the pilot")
	due := e.customer("Globex").NextPrompt
	if _, err := e.sim.Click(e.ctx(), ann, prompt, "checkin_snooze", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if c := e.customer("Globex"); c.NextPrompt.Before(due) {
		t.Errorf("Snooze a week brought the check-in forward from %v to %v", due, c.NextPrompt)
	}
}

// TestRefusedClickShowsNoOtherPromise: a click that names a promise the
// clicker may not change (a forged block id on their own reminder) is
// refused, and their message is not rewritten with that promise.
func TestRefusedClickShowsNoOtherPromise(t *testing.T) {
	e := start(t)
	e.slash(bob, "Initech: send the secret pricing tomorrow 3pm") // #1, bob's
	e.slash(ann, "Acme: call back in 1 hour")                     // #2, ann's
	e.slash(bob, "done 1")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	forged := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": ann},
		"container": map[string]any{"type": "message", "channel_id": dm.Channel, "message_ts": dm.TS},
		"channel":   map[string]any{"id": dm.Channel},
		"actions":   []any{map[string]any{"action_id": "promise_done", "block_id": "promise:1:U0BOB", "value": "1", "type": "button"}},
	}
	if _, err := e.sim.Interact(e.ctx(), forged); err != nil {
		t.Fatal(err)
	}
	e.settle()
	m, _ := e.sim.Message(dm.Channel, dm.TS)
	if got := blocksText(m.Blocks); strings.Contains(got, "secret pricing") || m.Updates != 0 {
		t.Errorf("a refused click rewrote ann's reminder with bob's promise: %q", got)
	}
	if !e.told(ann, "Only <@U0BOB>") {
		t.Error("ann was not told why")
	}
}

// TestPickATimeChecksFirst: "Pick a time…" opens a form showing the
// promise's text, so it is refused before the form opens to someone who
// may not change the promise.
func TestPickATimeChecksFirst(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: send the secret pricing in 1 hour")
	e.advanceTo(e.clock.Now().Add(time.Hour))
	if _, err := e.sim.Click(e.ctx(), cid, e.sim.DMs(ann)[0], "promise_snooze", "1:pick"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	for _, v := range e.sim.Views() {
		if v.UserID == cid {
			t.Errorf("cid got a form: %s", e.sim.RenderView(v))
		}
	}
	if !e.told(cid, "Only <@U0ANN>") {
		t.Error("cid was not told why")
	}
}

// TestFormMetadataIsSigned: which message a form's submission rewrites
// comes from its private_metadata, which Kept signs for the user it opened
// the form for and for that form. A submission with metadata Kept did not
// sign (pointing at someone else's message), signed for someone else, or
// signed for another form changes nothing.
func TestFormMetadataIsSigned(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")       // #1, ann's
	e.slash(bob, "Globex: send the deck in 1 hour") // #2, bob's
	e.advanceTo(e.clock.Now().Add(time.Hour))
	annDM, bobDM := e.sim.DMs(ann)[0], e.sim.DMs(bob)[0]
	if _, err := e.sim.Click(e.ctx(), bob, bobDM, "promise_snooze", "2:pick"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	form := e.lastView(bob, "open")
	values := map[string]any{
		"date": map[string]any{"value": map[string]any{"type": "datepicker", "selected_date": "2026-11-25"}},
		"time": map[string]any{"value": map[string]any{"type": "timepicker", "selected_time": "10:00"}},
	}
	submit := func(user, meta string) slacksim.Reply {
		t.Helper()
		r, err := e.sim.Interact(e.ctx(), map[string]any{
			"type": "view_submission", "user": map[string]any{"id": user},
			"view": map[string]any{"id": form.ID, "type": "modal", "callback_id": "snooze_modal", "private_metadata": meta, "state": map[string]any{"values": values}},
		})
		if err != nil {
			t.Fatal(err)
		}
		e.settle()
		return r
	}
	unsigned := `{"c":"` + annDM.Channel + `","ts":"` + annDM.TS + `","n":2}`
	if r := submit(bob, unsigned); r.Errors["date"] == "" {
		t.Errorf("unsigned metadata was accepted: %s", r.Payload)
	}
	if r := submit(cid, form.View.PrivateMetadata); r.Errors["date"] == "" {
		t.Errorf("metadata signed for bob was accepted from cid: %s", r.Payload)
	}
	// Bob's own metadata, signed for another of his forms (the edit form
	// of #2), is not a snooze form's.
	e.slash(bob, "edit 2")
	edit := e.lastView(bob, "open")
	if edit.View.CallbackID != "promise_edit" {
		t.Fatalf("opened %q", edit.View.CallbackID)
	}
	if r := submit(bob, edit.View.PrivateMetadata); r.Errors["date"] == "" {
		t.Errorf("metadata signed for bob's edit form was accepted as his snooze form: %s", r.Payload)
	}
	if m, _ := e.sim.Message(annDM.Channel, annDM.TS); m.Updates != 0 {
		t.Errorf("a forged submission rewrote ann's reminder: %q", blocksText(m.Blocks))
	}
	if p := e.promises()[1]; !p.Due.Equal(e.clock.Now()) && p.ID == 2 {
		t.Errorf("a forged submission snoozed #2 to %v", p.Due)
	}
	// Bob's own form, as Kept signed it, still works.
	if r := submit(bob, form.View.PrivateMetadata); len(r.Errors) > 0 {
		t.Errorf("bob's own form was refused: %v", r.Errors)
	}
	if m, _ := e.sim.Message(bobDM.Channel, bobDM.TS); m.Updates != 1 || !strings.Contains(blocksText(m.Blocks), "Snoozed") {
		t.Errorf("bob's reminder after his snooze: %q", blocksText(m.Blocks))
	}
}

// TestDigestForLeadsInTeamChannels: the digest (every late promise, with
// its text) is for leads and admins only, and goes only to channels whose
// members are all of the team: not one shared with another organisation,
// not one with a guest in it.
func TestDigestForLeadsInTeamChannels(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), "")
	e.seed()
	for _, text := range []string{"", "here", "subscribe", "subscribe all", "unsubscribe"} {
		got := replyText(e.digestCmd(bob, chanDigest, text))
		if !strings.Contains(got, "The digest is for leads") || strings.Contains(got, "renewal quote") {
			t.Errorf("bob's /customer digest %s = %q, want a refusal", text, got)
		}
	}
	if n := len(e.digestPosts(chanDigest)); n != 0 {
		t.Errorf("bob posted %d digests", n)
	}
	if subs, _ := e.d.Store.Subscriptions(team); len(subs) != 0 {
		t.Errorf("bob subscribed %v", subs)
	}

	e.sim.AddUser(slacksim.User{ID: "U0GUEST", Name: "gus", TZ: "America/New_York", Guest: true})
	e.sim.AddUser(slacksim.User{ID: "U0CARA", Name: "cara", TZ: "America/Chicago", TeamID: "T0ACME"})
	e.sim.AddChannel(slacksim.Channel{ID: "C0GUESTS", Name: "with-guest", Members: []string{botUser, ann, "U0GUEST"}})
	e.sim.AddChannel(slacksim.Channel{ID: "C0SHARED", Name: "acme-shared", Members: []string{botUser, ann, "U0CARA"}, Shared: true})
	for _, ch := range []string{"C0GUESTS", "C0SHARED"} {
		for _, text := range []string{"here", "subscribe"} {
			got := replyText(e.digestCmd(ann, ch, text))
			if !strings.Contains(got, "stays within the team") {
				t.Errorf("/customer digest %s in %s = %q, want a refusal", text, ch, got)
			}
		}
		if n := len(e.digestPosts(ch)); n != 0 {
			t.Errorf("%d digests posted in %s", n, ch)
		}
	}
	if subs, _ := e.d.Store.Subscriptions(team); len(subs) != 0 {
		t.Errorf("subscribed %v", subs)
	}
	// A lead in a channel of the team's own gets it.
	e.digestCmd(ann, chanDigest, "here")
	if n := len(e.digestPosts(chanDigest)); n != 1 {
		t.Errorf("ann's /customer digest here posted %d digests, want 1", n)
	}
}

// TestPromisesForOthersLimited: someone may record promises for others,
// but at most 20 an hour, and each owner is told who filled their list.
func TestPromisesForOthersLimited(t *testing.T) {
	e := start(t)
	for i := range 20 {
		if got := replyText(e.slash(ann, "@bob Acme: call them "+string(rune('a'+i))+" tomorrow 3pm")); !strings.Contains(got, "Got it") {
			t.Fatalf("promise %d for bob refused: %q", i+1, got)
		}
	}
	got := replyText(e.slash(ann, "@bob Acme: one more tomorrow 3pm"))
	if !strings.Contains(got, "as many as Kept takes") {
		t.Errorf("the 21st promise for bob in an hour = %q, want a refusal", got)
	}
	if n := len(e.promises()); n != 20 {
		t.Errorf("%d promises stored, want 20", n)
	}
	if got := replyText(e.slash(ann, "Acme: my own tomorrow 3pm")); !strings.Contains(got, "Got it") {
		t.Errorf("ann's own promise was refused: %q", got)
	}
	e.settle()
	told := 0
	for _, m := range e.sim.DMs(bob) {
		if strings.Contains(m.Text, "<@U0ANN> recorded a promise for you") {
			told++
		}
	}
	if told != 20 {
		t.Errorf("bob was told of %d promises recorded for him, want 20", told)
	}
	e.clock.Advance(61 * time.Minute)
	if got := replyText(e.slash(ann, "@bob Acme: an hour later tomorrow 3pm")); !strings.Contains(got, "Got it") {
		t.Errorf("an hour later, a promise for bob = %q", got)
	}
}

// TestFormRefusalIsPlainText: a form's error is plain text, so a refusal
// shown under a field names people and customers in words, not in mrkdwn
// (`<@U0CID>`, `*Acme*`, backticks), which Slack would show as typed. Bob
// opens the edit form of #1, which he owns; Ann, who recorded it, gives
// it to Cid meanwhile; Bob's save is refused, readably, and changes
// nothing.
func TestFormRefusalIsPlainText(t *testing.T) {
	e := start(t)
	e.slash(ann, "@bob Acme: send the deck tomorrow 3pm") // #1, bob's, recorded by ann
	e.slash(bob, "edit 1")
	form := e.lastView(bob, "open")
	e.slash(ann, "give 1 @cid")
	r, err := e.sim.SubmitView(e.ctx(), bob, form.ID, modalInput("Acme", "send the deck v2", "2026-11-24", "15:00", bob))
	if err != nil {
		t.Fatal(err)
	}
	got := r.Errors["what"]
	if r.ResponseAction != "errors" || !strings.Contains(got, "@cid") || strings.ContainsAny(got, "<>*`") {
		t.Errorf("bob's refused save: errors %q, want plain text naming @cid", r.Errors)
	}
	if p := e.promises()[0]; p.Text != "send the deck" || p.Owner != cid {
		t.Errorf("a refused save changed #1: %+v", p)
	}

	// The customer form likewise: Ann hands Acme to Bob while her form is open.
	e.cmd(ann, "/customer", "add Acme every 14d")
	e.cmd(ann, "/customer", "edit Acme")
	cform := e.lastView(ann, "open")
	e.cmd(ann, "/customer", "edit Acme owner @bob")
	r, err = e.sim.SubmitView(e.ctx(), ann, cform.ID, formInput("", ann, "key", "every 7d", ""))
	if err != nil {
		t.Fatal(err)
	}
	got = r.Errors["owner"]
	if r.ResponseAction != "errors" || !strings.Contains(got, "Only @bob, who owns Acme") || strings.ContainsAny(got, "<>*`") {
		t.Errorf("ann's refused customer form: errors %q, want plain text naming @bob and Acme", r.Errors)
	}
	if c := e.customer("Acme"); c.Owner != bob || c.Tier != store.StandardTier {
		t.Errorf("a refused customer form changed Acme: %+v", c)
	}
}

// TestOnlyMembersUseKept: a command from a bot user, a deactivated
// account or someone of another organisation (the customer's people in
// a shared channel), or a click whose payload names another workspace
// than its user's, is refused and changes nothing: none of them is a
// person of this workspace, and Kept holds its promises and customers.
func TestOnlyMembersUseKept(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour") // #1
	e.cmd(ann, "/customer", "add Acme every 14d notes renewal at risk")
	e.sim.AddUser(slacksim.User{ID: "U0ROBO", Name: "robo", IsBot: true})
	e.sim.AddUser(slacksim.User{ID: "U0GONE", Name: "gone", Deleted: true})
	e.sim.AddUser(slacksim.User{ID: "U0CARA", Name: "cara", TZ: "Europe/London", TeamID: "T0ACME"})
	e.sim.AddChannel(slacksim.Channel{ID: "C0SHARED", Name: "acme-shared", Members: []string{ann, "U0CARA", "U0KEPTBOT"}, Shared: true})
	for _, tt := range []struct{ user, channel, command, text, want string }{
		{"U0ROBO", chan_, "/promise", "Acme: spam everyone tomorrow 3pm", "not bots"},
		{"U0ROBO", chan_, "/promise", "done 1", "not bots"},
		{"U0GONE", chan_, "/promise", "cancel 1", "active member"},
		{"U0CARA", "C0SHARED", "/customer", "list", "another workspace or organisation"},
		{"U0CARA", "C0SHARED", "/customer", "Acme", "another workspace or organisation"},
		{"U0CARA", "C0SHARED", "/promise", "list @ann", "another workspace or organisation"},
		{"U0CARA", "C0SHARED", "/touch", "Acme called to complain", "another workspace or organisation"},
	} {
		r, err := e.sim.SlashCommand(e.ctx(), tt.user, tt.channel, tt.command, tt.text)
		if err != nil {
			t.Fatal(err)
		}
		got := replyText(r)
		if !strings.Contains(got, tt.want) || strings.Contains(got, "renewal at risk") || strings.Contains(got, "call back") {
			t.Errorf("%s %s %s = %q, want a refusal saying %q", tt.user, tt.command, tt.text, got, tt.want)
		}
	}
	if ps := e.promises(); len(ps) != 1 || ps[0].State != store.Open {
		t.Errorf("refused commands changed the promises: %+v", ps)
	}
	if ts := e.d.Store; ts != nil {
		if touches, _ := ts.Touches(team, "Acme", 0); len(touches) != 0 {
			t.Errorf("a refused /touch logged %d touches", len(touches))
		}
	}

	// Ann's own reminder, clicked in a payload that names another team.
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	forged := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": ann, "team_id": team}, "team": map[string]any{"id": "T0OTHER"},
		"container": map[string]any{"type": "message", "channel_id": dm.Channel, "message_ts": dm.TS},
		"channel":   map[string]any{"id": dm.Channel},
		"actions":   []any{map[string]any{"action_id": "promise_done", "block_id": "promise:1:U0ANN", "value": "1", "type": "button"}},
	}
	if _, err := e.sim.Interact(e.ctx(), forged); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if !e.told(ann, "another workspace or organisation") {
		t.Error("a click naming another team was not refused")
	}
	if n, _ := e.d.Store.Promises("T0OTHER", "", ""); len(n) != 0 {
		t.Errorf("a click naming another team wrote there: %+v", n)
	}
	// Members are served as before.
	if got := replyText(e.slash(ann, "done 1")); !strings.Contains(got, "Kept") {
		t.Errorf("ann's own done 1 = %q", got)
	}
}

// TestControlCharactersRefused: text with control characters (a NUL, a
// terminal escape), which no one types in Slack but a crafted command or
// form can carry, is refused with the reason, by the commands and by the
// forms, and nothing is stored. Line breaks and tabs are text.
func TestControlCharactersRefused(t *testing.T) {
	e := start(t)
	e.cmd(ann, "/customer", "add Acme every 14d")
	for _, c := range [][2]string{
		{"/promise", "Acme: call\x00back tomorrow 3pm"}, {"/promise", "Acme: call back \x1b[2J tomorrow 3pm"},
		{"/promise", "Acme: call\u0085back tomorrow 3pm"}, {"/touch", "Acme called\x00 them"},
		{"/customer", "edit Acme notes bad\x07note"},
	} {
		r := e.cmd(ann, c[0], c[1])
		if got := replyText(r); !strings.Contains(got, "can't contain control characters") || r.ResponseType != "ephemeral" {
			t.Errorf("%s %q = %q, want an ephemeral refusal", c[0], c[1], got)
		}
	}
	if ts, _ := e.d.Store.Touches(team, "Acme", 0); len(ts) != 0 {
		t.Errorf("a refused /touch logged %+v", ts)
	}
	if c := e.customer("Acme"); c.Notes != "" {
		t.Errorf("a refused edit set the notes to %q", c.Notes)
	}
	e.slash(ann, "")
	form := e.lastView(ann, "open")
	r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, modalInput("Acme", "call\x07back", "2026-11-24", "15:00", ann))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Errors["what"], "control characters") {
		t.Errorf("the form with a bell in its text: %+v", r.Errors)
	}
	if ps := e.promises(); len(ps) != 0 {
		t.Errorf("stored %+v", ps)
	}
	if got := replyText(e.slash(ann, "Acme: call back\tthen write tomorrow 3pm")); !strings.Contains(got, "Got it") {
		t.Errorf("a tab was refused: %q", got)
	}
}

// TestDamagedButtonsAreAnswered: a click whose value or block id Kept
// never wrote (an id out of range, negative, empty, extra separators, a
// snooze choice never offered) changes nothing, and the clicker, who can
// be told, is told so rather than left with a button that does nothing.
func TestDamagedButtonsAreAnswered(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")          // #1
	e.slash(ann, "Globex: send the deck tomorrow 3pm") // #2
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	for i, a := range []map[string]any{
		{"action_id": "promise_done", "block_id": "promise:1:U0ANN", "value": "2", "type": "button"},
		{"action_id": "promise_done", "block_id": "promise:1:U0ANN", "value": "99999999999999999999", "type": "button"},
		{"action_id": "promise_done", "block_id": "promise:1:U0ANN", "value": "-1", "type": "button"},
		{"action_id": "promise_done", "block_id": "promise:1:U0ANN", "value": "", "type": "button"},
		{"action_id": "promise_done", "block_id": "promise:1:U0ANN", "value": "1|2|3", "type": "button"},
		{"action_id": "promise_snooze", "block_id": "promise:1:U0ANN", "type": "static_select", "selected_option": map[string]any{"value": "1:forever"}},
		{"action_id": "promise_reassign", "block_id": "promise:x:U0ANN", "type": "users_select", "selected_user": bob},
		{"action_id": "promise_reassign", "block_id": "promise:1:U0ANN", "type": "users_select", "selected_user": ""},
		{"action_id": "promise_reassign", "block_id": "promise:1:U0ANN", "type": "users_select", "selected_user": "<!here>"},
		{"action_id": "promise_list_more", "block_id": "list", "value": "a|b", "type": "button"},
	} {
		mark := len(e.sim.Messages())
		forged := map[string]any{
			"type": "block_actions", "user": map[string]any{"id": ann},
			"container": map[string]any{"type": "message", "channel_id": dm.Channel, "message_ts": dm.TS},
			"channel":   map[string]any{"id": dm.Channel},
			"actions":   []any{a},
		}
		if _, err := e.sim.Interact(e.ctx(), forged); err != nil {
			t.Fatal(err)
		}
		e.settle()
		told := false
		for _, m := range e.sim.Messages()[mark:] {
			told = told || strings.Contains(m.Text, "couldn't read that button")
		}
		if !told {
			t.Errorf("click %d (%v): ann was not told it could not be read", i, a)
		}
	}
	if p := e.promises()[0]; p.State != store.Open || p.Owner != ann || !p.Due.Equal(e.clock.Now()) {
		t.Errorf("damaged clicks changed #1: %+v", p)
	}
	if p := e.promises()[1]; p.State != store.Open {
		t.Errorf("a Done on #1's reminder whose value names #2 changed #2: %+v", p)
	}
	if m, _ := e.sim.Message(dm.Channel, dm.TS); m.Updates != 0 {
		t.Errorf("damaged clicks rewrote the reminder: %q", blocksText(m.Blocks))
	}
}

// TestClickRewritesOnlyTheClickersDM: which message a click rewrites
// comes from its container, which a crafted click can point at someone
// else's message. Ann may keep her own #2, but a Done on it whose
// container names Bob's reminder of #1 keeps #2 and leaves Bob's
// reminder as it was: its buttons still there, no word of Ann's promise.
func TestClickRewritesOnlyTheClickersDM(t *testing.T) {
	e := start(t)
	e.slash(bob, "Initech: send the pricing in 1 hour") // #1, bob's
	e.slash(ann, "Acme: call back in 1 hour")           // #2, ann's
	e.advanceTo(e.clock.Now().Add(time.Hour))
	bobDM := e.sim.DMs(bob)[0]
	forged := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": ann},
		"container": map[string]any{"type": "message", "channel_id": bobDM.Channel, "message_ts": bobDM.TS},
		"channel":   map[string]any{"id": bobDM.Channel},
		"actions":   []any{map[string]any{"action_id": "promise_done", "block_id": "promise:2:U0ANN", "value": "2", "type": "button"}},
	}
	if _, err := e.sim.Interact(e.ctx(), forged); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.promises()[1]; p.State != store.Kept {
		t.Errorf("ann's own Done did not keep #2: %+v", p)
	}
	if m, _ := e.sim.Message(bobDM.Channel, bobDM.TS); m.Updates != 0 || strings.Contains(blocksText(m.Blocks), "call back") {
		t.Errorf("ann's click rewrote bob's reminder: %q", blocksText(m.Blocks))
	}
	// Ann's own click on her own reminder still rewrites it.
	e.slash(ann, "Acme: send the notes in 1 hour") // #3
	e.advanceTo(e.clock.Now().Add(time.Hour))
	var own slacksim.Message
	for _, m := range e.sim.DMs(ann) {
		if strings.Contains(m.Text, "send the notes") {
			own = m
		}
	}
	if _, err := e.sim.Click(e.ctx(), ann, own, "promise_done", ""); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if m, _ := e.sim.Message(own.Channel, own.TS); !strings.Contains(blocksText(m.Blocks), "Kept, on time") {
		t.Errorf("ann's reminder after her Done: %q", blocksText(m.Blocks))
	}
}

// TestForgedChannelID: a command whose channel_id is not a conversation
// id (markup, quotes) is refused in words, changes nothing, and its
// answer carries no special mention.
func TestForgedChannelID(t *testing.T) {
	e := start(t)
	for _, ch := range []string{"<!here>", `C1"><!channel`, "sales"} {
		r, err := e.sim.SlashCommand(e.ctx(), ann, ch, "/promise", "Acme: call back tomorrow 3pm")
		if err != nil {
			t.Fatal(err)
		}
		got := replyText(r)
		if !strings.Contains(got, "can't tell which conversation") || strings.Contains(got, "<!") {
			t.Errorf("channel %q: answered %q", ch, got)
		}
	}
	if ps := e.promises(); len(ps) != 0 {
		t.Errorf("stored %+v", ps)
	}
}

// TestOneActionPerClick: Slack sends one action per click. A payload
// carrying several (a Done on #1 and on #2) would run them all under one
// envelope, so that all but the first are taken for a redelivery: done
// in words, not in the store. It is refused whole, and changes nothing.
func TestOneActionPerClick(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")       // #1
	e.slash(ann, "Globex: send the deck in 1 hour") // #2
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	forged := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": ann},
		"container": map[string]any{"type": "message", "channel_id": dm.Channel, "message_ts": dm.TS},
		"channel":   map[string]any{"id": dm.Channel},
		"actions": []any{
			map[string]any{"action_id": "promise_done", "block_id": "promise:1:U0ANN", "value": "1", "type": "button"},
			map[string]any{"action_id": "promise_done", "block_id": "promise:2:U0ANN", "value": "2", "type": "button"},
		},
	}
	if _, err := e.sim.Interact(e.ctx(), forged); err != nil {
		t.Fatal(err)
	}
	e.settle()
	for _, p := range e.promises() {
		if p.State != store.Open {
			t.Errorf("a click with two actions changed #%d: %s", p.ID, p.State)
		}
	}
	if !e.told(ann, "couldn't read that button") {
		t.Error("ann was not told")
	}
}

// TestPromiseOwnersAreOurs: a promise's reminders carry the customer's
// last note, so, as for a customer's owner, someone of the customer's
// organisation (met in a shared channel) cannot be made to keep one: not
// by the command, the form, Give or the reminder's hand-on menu.
func TestPromiseOwnersAreOurs(t *testing.T) {
	e := start(t)
	e.sim.AddUser(slacksim.User{ID: "U0CARA", Name: "cara", TZ: "Europe/London", TeamID: "T0ACME"})
	want := "from another workspace or organisation"
	if got := replyText(e.slash(ann, "@cara Acme: call back tomorrow 3pm")); !strings.Contains(got, want) {
		t.Errorf("a promise for cara = %q", got)
	}
	e.slash(ann, "Acme: call back in 1 hour") // #1
	if got := replyText(e.slash(ann, "give 1 @cara")); !strings.Contains(got, want) {
		t.Errorf("give 1 @cara = %q", got)
	}
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	forged := map[string]any{
		"type": "block_actions", "user": map[string]any{"id": ann},
		"container": map[string]any{"type": "message", "channel_id": dm.Channel, "message_ts": dm.TS},
		"channel":   map[string]any{"id": dm.Channel},
		"actions":   []any{map[string]any{"action_id": "promise_reassign", "block_id": "promise:1:U0ANN", "type": "users_select", "selected_user": "U0CARA"}},
	}
	if _, err := e.sim.Interact(e.ctx(), forged); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if !e.told(ann, want) {
		t.Error("handing #1 on to cara was not refused")
	}
	e.slash(ann, "")
	form := e.lastView(ann, "open")
	r, err := e.sim.SubmitView(e.ctx(), ann, form.ID, modalInput("Acme", "send the deck", "2026-11-24", "15:00", "U0CARA"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Errors["owner"], want) {
		t.Errorf("the form with cara as owner: %+v", r.Errors)
	}
	for _, p := range e.promises() {
		if p.Owner != ann {
			t.Errorf("#%d is %s's", p.ID, p.Owner)
		}
	}
}
