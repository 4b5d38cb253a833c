package daemon_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

const (
	botUser    = "U0KEPTBOT"
	chanDigest = "C0DIGEST" // #digest, Kept is a member
	chanLeads  = "C0LEADS"  // #leads: Kept, Ann and Cid
	chanQuiet  = "C0QUIET"  // #quiet: Kept is not a member until invited
	weeklyNY   = "CRON_TZ=America/New_York 0 9 * * MON"
)

func ny(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, newYork)
}

// startDigest is Kept on a fresh database at clock time at, posting the
// weekly digest to channel (an id or #name; "" for none).
func startDigest(t *testing.T, at time.Time, channel string) *env {
	t.Helper()
	e := start(t)
	e.stop()
	e.sim.AddChannel(slacksim.Channel{ID: chanDigest, Name: "digest", Members: []string{botUser, ann}})
	e.sim.AddChannel(slacksim.Channel{ID: chanLeads, Name: "leads", Members: []string{botUser, ann, cid}})
	e.sim.AddChannel(slacksim.Channel{ID: chanQuiet, Name: "quiet", Members: []string{ann}})
	e.cfg.DB = filepath.Join(t.TempDir(), "digest.db")
	e.cfg.DigestChannel = channel
	e.cfg.DigestCron = weeklyNY
	e.cfg.Leads = []string{ann, cid} // the digest is for leads
	e.clock.Set(at)
	e.run()
	// The first tick records the schedule's start; only later ones post.
	e.tick()
	return e
}

// seed gives the team customers in every state and a promise that will be
// late by the next Monday.
func (e *env) seed() {
	e.t.Helper()
	now := e.clock.Now()
	for _, c := range []store.Customer{
		{Team: team, Name: "Acme <!channel> & Sons", Owner: ann, Tier: store.KeyTier, Cadence: 14 * 24 * time.Hour, Created: now.AddDate(0, -6, 0), LastTouch: now.AddDate(0, 0, -20)},
		{Team: team, Name: "Globex", Owner: bob, Tier: store.StandardTier, Cadence: 7 * 24 * time.Hour, Created: now.AddDate(0, -6, 0), LastTouch: now.AddDate(0, 0, -9)},
		{Team: team, Name: "Hooli", Owner: cid, Tier: store.StandardTier, Created: now.AddDate(0, -3, 0)},
		{Team: team, Name: "Stark", Owner: ann, Tier: store.StandardTier, Cadence: 30 * 24 * time.Hour, Created: now.AddDate(0, -1, 0), LastTouch: now},
	} {
		if _, err := e.d.Store.AddCustomer("", c); err != nil {
			e.t.Fatal(err)
		}
	}
	e.slash(ann, "Acme: send the renewal quote tomorrow 3pm")
	e.slash(cid, "Hooli: write the case study in 2 days")
}

// digestPosts returns the chat.postMessage calls Slack accepted for channel.
func (e *env) digestPosts(channel string) []slacksim.Message {
	var out []slacksim.Message
	for _, m := range e.sim.Messages() {
		if m.Channel == channel && !m.Ephemeral && m.User == botUser {
			out = append(out, m)
		}
	}
	return out
}

func (e *env) digestCmd(user, channel, text string) slacksim.Reply {
	e.t.Helper()
	r, err := e.sim.SlashCommand(e.ctx(), user, channel, "/customer", strings.TrimSpace("digest "+text))
	if err != nil {
		e.t.Fatalf("/customer digest %s: %v", text, err)
	}
	return r
}

func TestDigestOnSchedule(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), "#digest")
	e.seed()
	if n := len(e.digestPosts(chanDigest)); n != 0 {
		t.Fatalf("%d digests on the first start, want none until the schedule says so", n)
	}
	e.advanceTo(ny(2026, 11, 30, 8, 59))
	if n := len(e.digestPosts(chanDigest)); n != 0 {
		t.Fatalf("%d digests a minute early", n)
	}
	e.advanceTo(ny(2026, 11, 30, 9, 0))
	posts := e.digestPosts(chanDigest)
	if len(posts) != 1 {
		t.Fatalf("%d digests at Monday 9:00, want 1", len(posts))
	}
	got := blocksText(posts[0].Blocks)
	for _, want := range []string{
		"Going quiet", "Acme &lt;!channel&gt; &amp; Sons* (key) · <@U0ANN> · 🟠 going quiet · *26 days* since the last touch, every 14 days",
		"Globex* · <@U0BOB> · 🔴 neglected (past the check-in by a whole cadence, and not a word from them) · *15 days* since the last touch, every 7 days",
		"Nothing in 30 days", "Hooli* · <@U0CID> · 🔴 neglected (a promise to them is late) · never touched, added 99 days ago",
		"Late promises", "<@U0ANN> · *Acme* · “send the renewal quote” · *5 days late* (#1)",
		"<@U0CID> · *Hooli* · “write the case study” · *4 days late* (#2)",
		"Our week", "*0 of 2* promises due were kept on time, 2 still open",
		"No touches logged, nor the week before.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("digest lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Stark") || strings.Contains(got, "<!channel>") {
		t.Errorf("digest shows a customer in touch, or an unescaped mention:\n%s", got)
	}
	if md := posts[0].Metadata; md == nil || md.EventType != "kept_nudge" {
		t.Errorf("digest metadata = %+v, want kept_nudge", md)
	}
	// Ticks later that day, and a restart, add nothing.
	e.advanceTo(ny(2026, 11, 30, 9, 30))
	e.stop()
	e.run()
	e.advanceTo(ny(2026, 11, 30, 12, 0))
	if n := len(e.digestPosts(chanDigest)); n != 1 {
		t.Errorf("%d digests after more ticks and a restart, want 1", n)
	}
}

func TestDigestRestartAfterScheduledTime(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), chanDigest)
	e.seed()
	// Kept is down from Sunday to Wednesday: the Monday run is missed and
	// goes out once when it is back.
	e.advanceTo(ny(2026, 11, 29, 18, 0))
	e.stop()
	e.clock.Set(ny(2026, 12, 2, 11, 0))
	e.run()
	e.tick()
	e.stop()
	e.run()
	e.tick()
	posts := e.digestPosts(chanDigest)
	if len(posts) != 1 {
		t.Fatalf("%d digests after a restart past the scheduled time, want 1", len(posts))
	}
	// Rendered when sent: the promise is seven days late on Wednesday.
	if got := blocksText(posts[0].Blocks); !strings.Contains(got, "*7 days late*") {
		t.Errorf("digest is not as of the time it was sent:\n%s", got)
	}
}

func TestDigestAcrossDST(t *testing.T) {
	// Clocks go back in New York on Sunday 1 November 2026.
	e := startDigest(t, ny(2026, 10, 20, 12, 0), chanDigest)
	steps := []struct {
		at   time.Time
		want int
	}{
		{ny(2026, 10, 26, 8, 59), 0},
		{ny(2026, 10, 26, 9, 0), 1},                        // 13:00 UTC
		{time.Date(2026, 11, 2, 13, 0, 0, 0, time.UTC), 1}, // 8:00 EST
		{ny(2026, 11, 2, 8, 59), 1},
		{ny(2026, 11, 2, 9, 0), 2}, // 14:00 UTC
	}
	for _, st := range steps {
		e.advanceTo(st.at)
		if n := len(e.digestPosts(chanDigest)); n != st.want {
			t.Fatalf("at %v (%v UTC): %d digests, want %d", st.at, st.at.UTC(), n, st.want)
		}
	}
	// An empty workspace's digest is one friendly line.
	if got := blocksText(e.digestPosts(chanDigest)[0].Blocks); !strings.Contains(got, "Nothing to report") {
		t.Errorf("empty digest = %q", got)
	}
}

func TestDigestChannelWithoutKept(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), chanQuiet)
	e.seed()
	e.advanceTo(ny(2026, 11, 30, 9, 0))
	if n := len(e.digestPosts(chanQuiet)); n != 0 {
		t.Fatalf("%d digests in a channel Kept is not in", n)
	}
	ns, err := e.d.Store.Nudges(store.DigestNudge)
	if err != nil || len(ns) != 1 || (ns[0].State != store.NudgeDue && ns[0].State != store.NudgeSending) {
		t.Fatalf("digest nudges = %+v, %v; want one still waiting", ns, err)
	}
	// Whoever asks for the digest hears why it did not arrive.
	r := e.digestCmd(ann, chan_, "")
	if got := replyText(r); !strings.Contains(got, "couldn't post the scheduled digest in <#C0QUIET>") || !strings.Contains(got, "/invite @Kept") {
		t.Errorf("/customer digest does not say the channel is missing Kept:\n%s", got)
	}
	// Invited, Kept posts it at the next retry, once.
	e.sim.AddChannel(slacksim.Channel{ID: chanQuiet, Name: "quiet", Members: []string{ann, botUser}})
	e.advanceTo(ny(2026, 11, 30, 9, 20))
	e.advanceTo(ny(2026, 11, 30, 10, 0))
	if n := len(e.digestPosts(chanQuiet)); n != 1 {
		t.Fatalf("%d digests after the invitation, want 1", n)
	}
	if got := replyText(e.digestCmd(ann, chan_, "")); strings.Contains(got, "couldn't post") {
		t.Errorf("the warning outlived the problem:\n%s", got)
	}
}

func TestDigestCommands(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), "")
	e.seed()
	e.clock.Set(ny(2026, 11, 25, 10, 0))

	r := e.digestCmd(cid, chan_, "")
	if r.ResponseType != "ephemeral" || !strings.Contains(replyText(r), "Late promises") {
		t.Errorf("/customer digest = %q (%s), want the digest, ephemeral", replyText(r), r.ResponseType)
	}
	// Kept is not in #sales: "here" says so and shows it to the caller.
	r = e.digestCmd(cid, chan_, "here")
	if got := replyText(r); !strings.Contains(got, "I'm not in this channel") || !strings.Contains(got, "Going quiet") {
		t.Errorf("/customer digest here without Kept = %q", got)
	}
	if n := len(e.digestPosts(chan_)); n != 0 {
		t.Errorf("%d posts in #sales", n)
	}
	e.digestCmd(ann, chanDigest, "here")
	if posts := e.digestPosts(chanDigest); len(posts) != 1 || !strings.Contains(blocksText(posts[0].Blocks), "Going quiet") {
		t.Errorf("/customer digest here posted %d messages in #digest", len(posts))
	}

	// Help, and bad input: an ephemeral answer, and no subscription.
	answers := []struct{ channel, text, want string }{
		{chanLeads, "help", "`/customer digest here` posts it in this channel"},
		{chan_, "subscribe", "I'm not in this channel yet"},
		{chanLeads, "subscribe everyone", "I didn't get that"},
		{chanLeads, "unsubscribe", "isn't subscribed"},
		{chanLeads, "weekly please", "/customer digest subscribe"},
	}
	for _, b := range answers {
		r := e.digestCmd(ann, b.channel, b.text)
		if got := replyText(r); !strings.Contains(got, b.want) || r.ResponseType != "ephemeral" {
			t.Errorf("/customer digest %s in %s = %q (%s), want %q, ephemeral", b.text, b.channel, got, r.ResponseType, b.want)
		}
	}
	if subs, _ := e.d.Store.Subscriptions(team); len(subs) != 0 {
		t.Fatalf("bad input subscribed %+v", subs)
	}

	r = e.digestCmd(ann, chanLeads, "subscribe")
	if got := replyText(r); !strings.Contains(got, "this channel's members") || !strings.Contains(got, dateToken(ny(2026, 11, 30, 9, 0))) {
		t.Errorf("subscribe = %q, want the scope and the next run", got)
	}
	e.advanceTo(ny(2026, 11, 30, 9, 0))
	posts := e.digestPosts(chanLeads)
	if len(posts) != 1 {
		t.Fatalf("%d digests in #leads, want 1", len(posts))
	}
	// #leads has Ann and Cid: Bob's Globex is not theirs.
	got := blocksText(posts[0].Blocks)
	if !strings.Contains(got, "Acme") || !strings.Contains(got, "Hooli") || strings.Contains(got, "Globex") {
		t.Errorf("members' digest in #leads:\n%s", got)
	}

	if got := replyText(e.digestCmd(ann, chanLeads, "unsubscribe")); !strings.Contains(got, "won't get the scheduled digest") {
		t.Errorf("unsubscribe = %q", got)
	}
	e.advanceTo(ny(2026, 12, 7, 9, 0))
	if n := len(e.digestPosts(chanLeads)); n != 1 {
		t.Errorf("%d digests in #leads after unsubscribing, want still 1", n)
	}
}

// TestDigestLinksTeamView: a scheduled digest too long to show whole
// says how many more and links to the team view in Kept's App Home, with
// the app id Slack's Socket Mode hello named (no command carries one).
func TestDigestLinksTeamView(t *testing.T) {
	e := startDigest(t, ny(2026, 11, 23, 10, 0), "#digest")
	now := e.clock.Now()
	for i := range 14 {
		c := store.Customer{Team: team, Name: fmt.Sprintf("Quiet %02d", i), Owner: ann, Tier: store.StandardTier,
			Cadence: 7 * 24 * time.Hour, Created: now.AddDate(0, -6, 0), LastTouch: now.AddDate(0, 0, -10-i)}
		if _, err := e.d.Store.AddCustomer("", c); err != nil {
			t.Fatal(err)
		}
	}
	e.advanceTo(ny(2026, 11, 30, 9, 0))
	posts := e.digestPosts(chanDigest)
	if len(posts) != 1 {
		t.Fatalf("%d digests at Monday 9:00, want 1", len(posts))
	}
	got := blocksText(posts[0].Blocks)
	want := "_…and 4 more — see App Home, in the <slack://app?team=" + team + "&id=A0KEPT&tab=home|team view>._"
	if !strings.Contains(got, want) {
		t.Errorf("digest lacks %q:\n%s", want, got)
	}
}
