package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// The team view, end to end: Cid is a lead through the user group
// S0LEADS (KEPT_LEADS=S0LEADS), Ann and Bob own customers and promises.

const leadGroup = "S0LEADS"

func teamEnv(t *testing.T) *env {
	t.Helper()
	e := start(t) // Monday 23 Nov 10:00 in New York
	e.sim.SetUserGroup(leadGroup, cid)
	e.cfg.LeadGroups = []string{leadGroup}
	e.stop()
	e.run()
	e.cmd(ann, "/customer", "add Acme every 14d")
	e.cmd(bob, "/customer", "add Globex every 30d")
	e.slash(ann, "Acme: send the renewal quote tomorrow 5pm") // #1
	e.slash(bob, "Globex: call back about the pilot dec 20 10am")
	e.cmd(bob, "/touch", "Globex called just to talk")
	// Three weeks on: Acme is past its check-in, #1 is late.
	e.advanceTo(time.Date(2026, 12, 14, 10, 0, 0, 0, newYork))
	return e
}

// homeOf opens user's Home tab and returns it as published.
func (e *env) homeOf(user string) slacksim.View {
	e.t.Helper()
	if err := e.sim.OpenHome(e.ctx(), user); err != nil {
		e.t.Fatal(err)
	}
	e.settle()
	return e.lastView(user, "publish")
}

func (e *env) clickHome(user string, home slacksim.View, action, value string) {
	e.t.Helper()
	if _, err := e.sim.ClickView(e.ctx(), user, home.ID, action, value); err != nil {
		e.t.Fatalf("click %s %s: %v", action, value, err)
	}
	e.settle()
}

// homeClick is the block_actions payload Slack sends for a click on a
// Home tab, built by hand: a users_select on a row other than the first,
// or a click forged by someone who never saw the button.
func homeClick(user, viewID, action, block, value, selected string) map[string]any {
	a := map[string]any{"action_id": action, "block_id": block, "type": "button", "value": value}
	if selected != "" {
		a = map[string]any{"action_id": action, "block_id": block, "type": "users_select", "selected_user": selected}
	}
	return map[string]any{
		"type": "block_actions", "user": map[string]any{"id": user}, "team": map[string]any{"id": team},
		"container": map[string]any{"type": "view", "view_id": viewID},
		"actions":   []any{a},
	}
}

func TestTeamView(t *testing.T) {
	e := teamEnv(t)
	if strings.Contains(e.sim.RenderView(e.homeOf(ann)), "Team view") {
		t.Error("Ann, not a lead, has a way to the team view")
	}
	mine := e.homeOf(cid)
	if !strings.Contains(e.sim.RenderView(mine), "[👥 Team view]") {
		t.Fatalf("the lead's Home has no way to the team view:\n%s", e.sim.RenderView(mine))
	}
	e.clickHome(cid, mine, "team_view", "")
	view := e.lastView(cid, "publish")
	got := e.sim.RenderView(view)
	for _, want := range []string{
		"Team view", "Late promises* (1)", "*#1* · @ann · *Acme* · “send the renewal quote” · *19 days late*",
		// Neglected: a promise to Acme is late.
		"🔴 neglected and 🟠 going quiet* (1)", "*Acme* · 🔴 neglected (a promise to them is late) · @ann",
		"Waiting on us* (0)", "Scorecard",
		// Weeks in Cid's zone, Kolkata.
		"This week is since Mon 14 Dec 00:00 IST",
		"@bob · this week: ✅ 0 · ⏰ 0 · ↪️ 0 · 🤝 0 · the four before: ✅ 0 · ⏰ 0 · ↪️ 0 · 🤝 1",
		"@ann · this week: ✅ 0 · ⏰ 0 · ↪️ 0 · 🤝 0 · the four before: ✅ 0 · ⏰ 1 · ↪️ 0 · 🤝 0",
		"[Nudge the owner]", "[Open the customer]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("team view lacks %q:\n%s", want, got)
		}
	}
	// Opening the Home tab again keeps the team view the lead chose.
	if again := e.sim.RenderView(e.homeOf(cid)); !strings.Contains(again, "Late promises") {
		t.Errorf("reopened, the lead's Home is not the team view:\n%s", again)
	}

	// Nudge the owner of #1: Ann gets its reminder, saying who asked.
	e.clickHome(cid, e.lastView(cid, "publish"), "team_nudge", "team:p:1:acme")
	dms := e.sim.DMs(ann)
	last := blocksText(dms[len(dms)-1].Blocks)
	if !strings.Contains(last, "<@U0CID> asked me to nudge you about #1") || !strings.Contains(last, "send the renewal quote") || !strings.Contains(last, "[Done]") {
		t.Errorf("Ann's nudge:\n%s", last)
	}
	if got := e.sim.RenderView(e.lastView(cid, "publish")); !strings.Contains(got, "Nudged @ann about #1") {
		t.Errorf("the team view does not say the nudge went:\n%s", got)
	}
	// Nudge about the customer: Ann gets Acme's check-in prompt.
	e.clickHome(cid, e.lastView(cid, "publish"), "team_nudge", "team:c:0:acme")
	dms = e.sim.DMs(ann)
	if last := blocksText(dms[len(dms)-1].Blocks); !strings.Contains(last, "asked me to nudge you about *Acme*") || !strings.Contains(last, "[Logged a touch]") {
		t.Errorf("Ann's check-in nudge:\n%s", last)
	}

	// Open the customer: its card, in a modal over the team view.
	e.clickHome(cid, e.lastView(cid, "publish"), "team_open", "acme")
	if card := e.sim.RenderView(e.lastView(cid, "open")); !strings.Contains(card, "🔴 neglected*: a promise to them is late") || !strings.Contains(card, "owned by @ann") {
		t.Errorf("the customer's card:\n%s", card)
	}

	// Reassign #1 to Bob, then Acme.
	e.clickHome(cid, e.lastView(cid, "publish"), "team_reassign", bob)
	if p, _ := e.d.Store.Promise(team, 1); p.Owner != bob {
		t.Errorf("#1 belongs to %s after the lead gave it to Bob", p.Owner)
	}
	if !e.told(bob, "<@U0CID> handed you a promise") {
		t.Error("Bob was not told he has #1 now")
	}
	view = e.lastView(cid, "publish")
	if _, err := e.sim.Interact(e.ctx(), homeClick(cid, view.ID, "team_reassign", "team:c:0:acme", "", bob)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if c := e.customer("Acme"); c.Owner != bob {
		t.Errorf("Acme belongs to %s after the lead gave it to Bob", c.Owner)
	}
	if got := e.sim.RenderView(e.lastView(cid, "publish")); !strings.Contains(got, "*Acme* now belongs to @bob") || !strings.Contains(got, "*Acme* · 🔴 neglected (a promise to them is late) · @bob") {
		t.Errorf("the team view after reassigning Acme:\n%s", got)
	}
	// Bob hears of it, through the outbox, as from /customer edit … owner.
	e.tick()
	if dms := e.dmsWith(bob, "handed *Acme* to you"); len(dms) != 1 || !strings.Contains(blocksText(dms[0].Blocks), "🤝 <@U0CID> handed *Acme* to you") {
		t.Errorf("Bob's handover DMs for Acme: %d, want 1 from Cid", len(dms))
	}

	// Back to the lead's own Home.
	e.clickHome(cid, e.lastView(cid, "publish"), "team_mine", "")
	if got := e.sim.RenderView(e.lastView(cid, "publish")); !strings.Contains(got, "Your promises") || strings.Contains(got, "Late promises") {
		t.Errorf("back to the lead's own Home:\n%s", got)
	}
}

// TestTeamViewForgedClicks: Ann is no lead. Clicks on the team view's
// buttons that she forges on her own Home tab are refused, change nothing
// and send nothing; and the user group decides, not a name in a click.
func TestTeamViewForgedClicks(t *testing.T) {
	e := teamEnv(t)
	home := e.homeOf(ann)
	before := len(e.sim.DMs(bob))
	for _, click := range []map[string]any{
		homeClick(ann, home.ID, "team_view", "team_open_view", "", ""),
		homeClick(ann, home.ID, "team_nudge", "team:p:2:globex", "team:p:2:globex", ""),
		homeClick(ann, home.ID, "team_reassign", "team:c:0:globex", "", ann),
		homeClick(ann, home.ID, "team_reassign", "team:p:2:globex", "", ann),
		homeClick(ann, home.ID, "team_open", "team:p:2:globex", "globex", ""),
	} {
		if _, err := e.sim.Interact(e.ctx(), click); err != nil {
			t.Fatal(err)
		}
		e.settle()
	}
	if !e.told(ann, "The team view is for leads") {
		t.Error("Ann's forged clicks were not refused")
	}
	if p, _ := e.d.Store.Promise(team, 2); p.Owner != bob {
		t.Errorf("a forged click gave #2 to %s", p.Owner)
	}
	if c := e.customer("Globex"); c.Owner != bob {
		t.Errorf("a forged click gave Globex to %s", c.Owner)
	}
	for _, m := range e.sim.DMs(bob)[before:] {
		t.Errorf("a forged nudge reached Bob: %s", m.Text)
	}
	for _, v := range e.sim.Views() {
		if v.UserID == ann && (v.Kind == "open" || strings.Contains(string(v.JSON), "Late promises")) {
			t.Errorf("Ann was shown a %s view: %s", v.Kind, e.sim.RenderView(v))
		}
	}

	// Out of the group, out of the team view: after its members are
	// looked up again, Cid's clicks are refused too.
	e.sim.SetUserGroup(leadGroup, bob)
	e.clock.Set(e.clock.Now().Add(6 * time.Minute))
	cidHome := e.homeOf(cid)
	if strings.Contains(e.sim.RenderView(cidHome), "Team view") {
		t.Error("Cid, out of the lead group, still has a way to the team view")
	}
	if _, err := e.sim.Interact(e.ctx(), homeClick(cid, cidHome.ID, "team_reassign", "team:p:2:globex", "", cid)); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p, _ := e.d.Store.Promise(team, 2); p.Owner != bob {
		t.Errorf("Cid, out of the group, gave #2 to %s", p.Owner)
	}
	if !e.told(cid, "The team view is for leads") {
		t.Error("Cid's click was not refused")
	}
	// Bob, now in it, may read the digest.
	if got := replyText(e.digestCmd(bob, chan_, "")); !strings.Contains(got, "Kept digest") {
		t.Errorf("Bob, in the lead group, cannot read the digest: %q", got)
	}
	_ = store.Open
}
