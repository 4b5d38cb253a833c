package daemon_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
)

// Fault tests: each drives Kept through the simulator while Slack
// misbehaves, and asserts the exact Web API calls and messages Slack saw.

const digest = "C0DIGEST"

// calls lists the Web API calls from index from on, as "method status" or
// "method error", leaving out users.info (zone lookups, cached by time)
// and apps.connections.open (reconnects).
func (e *env) calls(from int) []string {
	var out []string
	for _, c := range e.sim.Calls()[from:] {
		switch c.Method {
		case "users.info", "apps.connections.open", "auth.test":
			continue
		}
		s := fmt.Sprintf("%s %d", c.Method, c.Status)
		if c.Error != "" {
			s = c.Method + " " + c.Error
		}
		out = append(out, s)
	}
	return out
}

func (e *env) mark() int { return len(e.sim.Calls()) }

func (e *env) wantCalls(from int, want ...string) {
	e.t.Helper()
	got := e.calls(from)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		e.t.Errorf("Slack got calls\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// posts are the messages Kept posted (not ephemeral acks), in order.
func (e *env) posts() []slacksim.Message {
	var out []slacksim.Message
	for _, m := range e.sim.Messages() {
		if !m.Ephemeral && !m.ViaAck {
			out = append(out, m)
		}
	}
	return out
}

func (e *env) nudges() []store.Nudge {
	e.t.Helper()
	ns, err := e.d.Store.Nudges("")
	if err != nil {
		e.t.Fatal(err)
	}
	return ns
}

func nudgeID(m slacksim.Message) int64 {
	if m.Metadata == nil || m.Metadata.EventType != "kept_nudge" {
		return -1
	}
	id, _ := m.Metadata.EventPayload["nudge_id"].(float64)
	return int64(id)
}

// wantPosts checks the posted messages: channel, nudge id and a text each.
func (e *env) wantPosts(want ...string) {
	e.t.Helper()
	var got []string
	for _, m := range e.posts() {
		got = append(got, fmt.Sprintf("%s nudge %d: %s", m.Channel, nudgeID(m), m.Text))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		e.t.Errorf("Slack shows posts\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// tickWithin runs one tick that gives up after d, as a kill or a stop
// mid-delivery does, leaving the nudge in sending.
func (e *env) tickWithin(d time.Duration) {
	e.t.Helper()
	// With simulated latency the calls before the one a test delays take
	// their round trips too.
	ctx, cancel := context.WithTimeout(context.Background(), d+4*e.latency)
	defer cancel()
	if err := e.d.Scheduler.Tick(ctx); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) wait(what string, cond func() bool) {
	e.t.Helper()
	if err := e.sim.Wait(e.ctx(), cond); err != nil {
		e.t.Fatalf("waiting for %s: %v", what, err)
	}
}

// TestRestartFindsNudgeSlackAlreadyHas: Slack accepted the reminder but
// Kept stopped before recording it. On restart Kept finds it by its
// metadata in conversations.history and does not DM again.
func TestRestartFindsNudgeSlackAlreadyHas(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.clock.Advance(time.Hour)
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Delay: 2 * time.Second})
	from := e.mark()
	e.tickWithin(300 * time.Millisecond) // Kept gives up waiting; Slack posts anyway
	e.wait("the post", func() bool { return len(e.sim.DMs(ann)) == 1 })
	if n := e.nudges()[0]; n.State != store.NudgeSending {
		t.Fatalf("nudge after the lost answer: %s, want sending", n.State)
	}
	e.restart() // the first tick, on start, recovers it
	e.tick()
	dm := e.sim.DMs(ann)[0]
	e.wantPosts("D0ANN nudge 1: Reminder: #1 call back")
	e.wantCalls(from,
		"chat.postMessage 200",
		"conversations.open 200",
		"conversations.history 200",
	)
	n := e.nudges()[0]
	if n.State != store.NudgeSent || n.Channel != dm.Channel || n.TS != dm.TS {
		t.Errorf("nudge %+v, want sent as %s/%s", n, dm.Channel, dm.TS)
	}
	var hist slacksim.Call
	for _, c := range e.sim.Calls() {
		if c.Method == "conversations.history" {
			hist = c
		}
	}
	wantOldest := fmt.Sprintf("%d.000000", n.Created.Add(-time.Minute).Unix())
	if hist.Params["channel"] != "D0ANN" || hist.Params["include_all_metadata"] != "1" || hist.Params["oldest"] != wantOldest {
		t.Errorf("conversations.history params %v, want D0ANN, include_all_metadata=1, oldest=%s", hist.Params, wantOldest)
	}
}

// TestRestartSendsNudgeSlackNeverGot: Kept stopped mid-call and Slack did
// not post: the lookup finds nothing and the reminder goes out once.
func TestRestartSendsNudgeSlackNeverGot(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.clock.Advance(time.Hour)
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Delay: 2 * time.Second, Status: 503})
	from := e.mark()
	e.tickWithin(300 * time.Millisecond)
	e.wait("the 503", func() bool { return len(e.calls(from)) == 1 })
	e.restart()
	e.tick()
	e.wantCalls(from,
		"chat.postMessage 503",
		"conversations.open 200",
		"conversations.history 200",
		"chat.postMessage 200",
	)
	e.wantPosts("D0ANN nudge 1: Reminder: #1 call back")
	if n := e.nudges()[0]; n.State != store.NudgeSent || n.Attempts != 2 {
		t.Errorf("nudge %+v, want sent at attempt 2", n)
	}
}

// TestRestartIgnoresForgedNudge: anyone can post a message carrying
// kept_nudge metadata. One posted by the owner in the DM, naming the nudge
// Slack never got, must not pass for Kept's own post: the reminder still
// goes out, once.
func TestRestartIgnoresForgedNudge(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.clock.Advance(time.Hour)
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Delay: 3 * time.Second, Status: 503})
	from := e.mark()
	e.tickWithin(time.Second) // long enough to post on a loaded machine
	e.wait("the 503", func() bool { return len(e.calls(from)) == 1 })
	e.sim.PostWithMetadata(ann, e.sim.DMChannel(ann), "not a reminder", slack.SlackMetadata{
		EventType: "kept_nudge", EventPayload: map[string]any{"nudge_id": 1, "kind": "reminder"},
	})
	e.restart()
	e.tick()
	e.wantCalls(from,
		"chat.postMessage 503",
		"conversations.open 200",
		"conversations.history 200",
		"chat.postMessage 200",
	)
	var mine int
	for _, m := range e.sim.DMs(ann) {
		if m.User != ann && nudgeID(m) == 1 {
			mine++
		}
	}
	if n := e.nudges()[0]; mine != 1 || n.State != store.NudgeSent || n.Attempts != 2 {
		t.Errorf("Kept posted the reminder %d times; nudge %+v, want sent once at attempt 2", mine, n)
	}
}

// Test429Storm: a 429 on chat.postMessage is the workspace's limit for the
// method, so it holds back every reminder for Retry-After, the other
// owner's too, without calling Slack; a storm of 429s costs no attempts
// (MaxAttempts is 12), and each reminder goes out once when Slack lets it.
func Test429Storm(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour") // due 11:00:00
	e.clock.Advance(30 * time.Second)
	e.slash(bob, "Globex: send the deck in 1 hour") // due 11:00:30
	e.clock.Advance(time.Hour - 30*time.Second)
	from := e.mark()

	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Status: 429, RetryAfter: 60})
	e.tick() // 11:00:00 ann: 429, every post waits a minute
	e.clock.Advance(30 * time.Second)
	e.tick() // 11:00:30 bob is due but waits too: no call
	e.clock.Advance(29 * time.Second)
	e.tick() // 11:00:59 still paused: no call
	e.wantCalls(from, "chat.postMessage ratelimited")
	e.wantPosts()
	e.clock.Advance(time.Second)
	e.tick() // 11:01:00 both go out (in either order: two workers)
	e.wantCalls(from, "chat.postMessage ratelimited", "chat.postMessage 200", "chat.postMessage 200")
	var got []string
	for _, m := range e.posts() {
		got = append(got, fmt.Sprintf("%s nudge %d: %s", m.Channel, nudgeID(m), m.Text))
	}
	slices.Sort(got)
	if want := []string{"D0ANN nudge 1: Reminder: #1 call back", "D0BOB nudge 2: Reminder: #2 send the deck"}; !slices.Equal(got, want) {
		t.Errorf("Slack shows posts %q, want %q", got, want)
	}

	e.slash(ann, "Initech: renew in 1 hour") // due 12:01:00
	e.clock.Advance(time.Hour - time.Second)
	from = e.mark()
	const storm = 20
	e.sim.FailNext("chat.postMessage", storm, slacksim.Fault{Status: 429, RetryAfter: 1})
	for range storm + 1 {
		e.clock.Advance(time.Second)
		e.tick()
	}
	var want []string
	for range storm {
		want = append(want, "chat.postMessage ratelimited")
	}
	want = append(want, "chat.postMessage 200")
	e.wantCalls(from, want...)
	for _, n := range e.nudges() {
		if n.State != store.NudgeSent || n.Attempts != 1 {
			t.Errorf("nudge %d: %s after %d attempts, want sent at the first counted attempt", n.ID, n.State, n.Attempts)
		}
	}
}

// Test5xxBurst: 5xx answers back off exponentially with jitter; since a
// 5xx might hide a post, each retry looks first; the reminder goes out once.
func Test5xxBurst(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.clock.Advance(time.Hour)
	from := e.mark()
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Status: 503})
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Status: 500})
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Status: 502})
	for i, cap := range []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second} {
		e.tick()
		n := e.nudges()[0]
		wait := n.NotBefore.Sub(e.clock.Now())
		if n.State != store.NudgeDue || n.Attempts != i+1 || wait < cap/2 || wait > cap {
			t.Fatalf("after 5xx #%d: %s, attempts %d, retry in %v; want due, %d, within [%v, %v]", i+1, n.State, n.Attempts, wait, i+1, cap/2, cap)
		}
		e.clock.Advance(wait - time.Millisecond)
		e.tick() // not yet
		e.clock.Advance(time.Millisecond)
	}
	e.tick()
	e.wantCalls(from,
		"chat.postMessage 503",
		"conversations.open 200", "conversations.history 200", "chat.postMessage 500",
		"conversations.open 200", "conversations.history 200", "chat.postMessage 502",
		"conversations.open 200", "conversations.history 200", "chat.postMessage 200",
	)
	e.wantPosts("D0ANN nudge 1: Reminder: #1 call back")
}

// TestSlackTroubleAsOkFalse: Slack also reports its own trouble with HTTP
// 200 and ok:false (internal_error, fatal_error, service_unavailable,
// ratelimited without Retry-After). Like a 5xx it is an outage: the
// reminder is never given up on, however many attempts it takes, and
// goes out once.
func TestSlackTroubleAsOkFalse(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.clock.Advance(time.Hour)
	codes := []string{"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
	const tries = 14 // past the 12 unexplained errors a nudge is given up after
	for i := range tries {
		e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Error: codes[i%len(codes)]})
	}
	for i := range tries {
		e.tick()
		n := e.nudges()[0]
		if n.State != store.NudgeDue {
			t.Fatalf("after %s (attempt %d): nudge %s, want still due", codes[i%len(codes)], i+1, n.State)
		}
		e.clock.Advance(n.NotBefore.Sub(e.clock.Now()))
	}
	e.tick()
	e.wantPosts("D0ANN nudge 1: Reminder: #1 call back")
}

// withDigest restarts Kept with a digest channel the bot is in.
func (e *env) withDigest() {
	e.sim.AddChannel(slacksim.Channel{ID: digest, Name: "kept-digest", Members: []string{"U0KEPTBOT", ann, bob}})
	e.cfg.DigestChannel = digest
	e.restart()
}

// restart stops Kept, waits until Slack has seen its socket close (so no
// envelope goes to the dead one), and starts it again.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.wait("the old socket to close", func() bool { return e.sim.Connections() == 0 })
	e.run()
}

// TestDeactivatedOwnerGoesToDigest: the reminder of an owner who left goes
// to the digest channel with a note, never to the void.
func TestDeactivatedOwnerGoesToDigest(t *testing.T) {
	e := start(t)
	e.withDigest()
	e.slash(ann, "Acme: call back in 2 hours")
	e.sim.SetUser(slacksim.User{ID: ann, Name: "ann", RealName: "Ann Archer", TZ: "America/New_York", Deleted: true})
	due := e.clock.Now().Add(2 * time.Hour)
	from := e.mark()
	e.advanceTo(due)
	e.wantCalls(from, "chat.postMessage 200")
	e.wantPosts(fmt.Sprintf("%s nudge 1: Couldn't reach <@U0ANN> (deactivated): reminder *#1* for *Acme*: “call back”, due %s{date_short_pretty} at {time}|%s>.",
		digest, dateToken(due), due.UTC().Format("Mon 2 Jan 15:04 MST")))
	if n := e.nudges()[0]; n.State != store.NudgeSent || n.Channel != digest {
		t.Errorf("nudge %+v, want sent to the digest channel", n)
	}
}

// TestUnreachableOwnerErrorsGoToDigest: Slack refusing the DM for good
// (cannot_dm_bot, user_not_found, user_disabled) reroutes it too.
func TestUnreachableOwnerErrorsGoToDigest(t *testing.T) {
	for _, code := range []string{"cannot_dm_bot", "user_not_found", "user_disabled"} {
		t.Run(code, func(t *testing.T) {
			e := start(t)
			e.withDigest()
			e.slash(ann, "Acme: call back in 1 hour")
			from := e.mark()
			e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Error: code})
			e.advanceTo(e.clock.Now().Add(time.Hour))
			e.wantCalls(from, "chat.postMessage "+code, "chat.postMessage 200")
			posts := e.posts()
			if len(posts) != 1 || posts[0].Channel != digest || nudgeID(posts[0]) != 1 ||
				!strings.HasPrefix(posts[0].Text, "Couldn't reach <@U0ANN> ("+code+"): reminder *#1* for *Acme*: “call back”, due <!date^") {
				t.Errorf("posts %+v", posts)
			}
		})
	}
}

// TestUnreachableOwnerWithoutDigestStaysFailed: with nowhere to send it,
// the nudge is kept as failed with the reason (and logged as an error).
func TestUnreachableOwnerWithoutDigestStaysFailed(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 2 hours")
	e.sim.SetUser(slacksim.User{ID: ann, Name: "ann", Deleted: true})
	from := e.mark()
	e.advanceTo(e.clock.Now().Add(2 * time.Hour))
	e.wantCalls(from)
	e.wantPosts()
	n := e.nudges()[0]
	if n.State != store.NudgeFailed || !strings.Contains(n.Error, "deactivated") || !strings.Contains(n.Error, "no digest channel") {
		t.Errorf("nudge %+v, want failed with the reason", n)
	}
}

// TestSlowPostDoesNotDelayAcks: while a reminder's chat.postMessage takes
// 5 s, a slash command is still acknowledged at once.
func TestSlowPostDoesNotDelayAcks(t *testing.T) {
	e := start(t)
	e.slash(ann, "Acme: call back in 1 hour")
	e.slash(bob, "list") // bob's zone is cached: his command needs no Slack call
	e.clock.Advance(time.Hour)
	e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Delay: 5 * time.Second})
	ticked := make(chan error, 1)
	go func() { ticked <- e.d.Scheduler.Tick(context.Background()) }()
	e.wait("the slow post", func() bool { return e.sim.FaultsLeft("chat.postMessage") == 0 })
	began := time.Now()
	r := e.slash(bob, "Globex: send the deck tomorrow 3pm")
	if took := time.Since(began); took > time.Second {
		t.Errorf("ack took %v while a post was slow", took)
	}
	if !strings.Contains(replyText(r), "#2") {
		t.Errorf("reply %q", replyText(r))
	}
	if dms := e.sim.DMs(ann); len(dms) != 0 {
		t.Fatalf("the slow post finished before the ack; the test proves nothing: %+v", dms)
	}
	if err := <-ticked; err != nil {
		t.Fatal(err)
	}
	e.wantPosts("D0ANN nudge 1: Reminder: #1 call back")
}

// TestUnreadableEnvelopesAcked: an envelope slack-go cannot read (an
// event type it does not know, a slash command field in a shape it does
// not expect) is still acknowledged, so Slack does not send the event
// again and again; the command is apologised for. Kept then goes on.
func TestUnreadableEnvelopesAcked(t *testing.T) {
	e := start(t)
	if err := e.sim.SendEvent(e.ctx(), map[string]any{"type": "brand_new_event", "user": ann, "event_ts": "1795446000.000100"}); err != nil {
		t.Errorf("an event slack-go cannot read: %v", err)
	}
	r, err := e.sim.SendRaw(e.ctx(), "slash_commands", map[string]any{
		"team_id": team, "user_id": ann, "channel_id": chan_, "command": "/promise", "text": "list",
		"is_enterprise_install": map[string]any{"no": true},
	})
	if err != nil {
		t.Fatalf("a slash command slack-go cannot read: %v", err)
	}
	if !strings.Contains(r.Text, "couldn't read that command") || r.ResponseType != "ephemeral" {
		t.Errorf("its answer: %q (%s)", r.Text, r.ResponseType)
	}
	if !strings.Contains(replyText(e.slash(ann, "Acme: call back in 1 hour")), "#1") {
		t.Error("Kept stopped answering after unreadable envelopes")
	}
}

// TestSocketReconnects: after Slack's refresh_requested disconnect and
// after a dropped TCP connection, the bot reconnects and answers.
func TestSocketReconnects(t *testing.T) {
	e := start(t)
	for i, cut := range []func(){
		func() { e.sim.Disconnect("refresh_requested") },
		e.sim.DropConnections,
		func() { e.sim.Disconnect("warning") },
	} {
		before := e.sim.ConnectionsOpened()
		cut()
		e.wait("a reconnect", func() bool { return e.sim.ConnectionsOpened() > before && e.sim.Connections() > 0 })
		r := e.slash(ann, fmt.Sprintf("Acme: call %d tomorrow 3pm", i))
		if want := fmt.Sprintf("#%d", i+1); !strings.Contains(replyText(r), want) {
			t.Errorf("after cut %d: reply %q lacks %s", i, replyText(r), want)
		}
	}
	if ps := e.promises(); len(ps) != 3 {
		t.Errorf("%d promises, want 3", len(ps))
	}
	if errs := e.sim.Errors(); len(errs) != 0 {
		t.Errorf("protocol errors: %v", errs)
	}
}

// TestRedeliveredEnvelopeTakesEffectOnce: the same envelope twice (a retry,
// or the same payload on two connections) records one promise and keeps it
// once; both deliveries are acknowledged with the same answer.
func TestRedeliveredEnvelopeTakesEffectOnce(t *testing.T) {
	e := start(t)
	env := e.sim.SlashCommandEnvelope(ann, chan_, "/promise", "Acme: call back in 1 hour")
	var replies []string
	for range 2 {
		r, err := e.sim.Deliver(e.ctx(), env)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, replyText(r))
	}
	if replies[0] != replies[1] || !strings.Contains(replies[0], "#1") {
		t.Errorf("replies %q", replies)
	}
	if ps := e.promises(); len(ps) != 1 {
		t.Fatalf("%d promises after a redelivery, want 1", len(ps))
	}
	e.advanceTo(e.clock.Now().Add(time.Hour))
	dm := e.sim.DMs(ann)[0]
	click, err := e.sim.ClickEnvelope(ann, dm, "promise_done", "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := e.sim.Deliver(e.ctx(), click); err != nil {
			t.Fatal(err)
		}
	}
	kept := 0
	for _, ev := range e.promises()[0].History {
		if ev.Kind == "kept" {
			kept++
		}
	}
	if kept != 1 {
		t.Errorf("%d kept events after a redelivered click, want 1", kept)
	}
	for _, m := range e.sim.Messages() {
		if m.Ephemeral && !m.ViaAck {
			t.Errorf("redelivery told the user %q", m.Text)
		}
	}
	e.settle() // the reminder is rewritten after the ack
	if dm := blocksText(e.sim.DMs(ann)[0].Blocks); !strings.Contains(dm, "Kept, on time") {
		t.Errorf("reminder after the clicks: %q", dm)
	}
	e.wantPosts("D0ANN nudge 1: Reminder: #1 call back")
}

// TestSocketDropMidEnvelope: the connection drops while a slash command is
// being handled, so its ack is lost; Slack delivers the envelope again on
// the new connection and it takes effect once.
func TestSocketDropMidEnvelope(t *testing.T) {
	e := start(t)
	e.sim.FailNext("users.info", 1, slacksim.Fault{Delay: time.Second}) // ann's zone, looked up mid-command
	env := e.sim.SlashCommandEnvelope(ann, chan_, "/promise", "Acme: call back in 1 hour")
	first := make(chan error, 1)
	go func() {
		_, err := e.sim.Deliver(e.ctx(), env)
		first <- err
	}()
	e.wait("the command in flight", func() bool { return e.sim.FaultsLeft("users.info") == 0 })
	before := e.sim.ConnectionsOpened()
	e.sim.DropConnections()
	if err := <-first; !errors.Is(err, slacksim.ErrNoAck) {
		t.Fatalf("first delivery: %v, want ErrNoAck", err)
	}
	e.wait("a reconnect", func() bool { return e.sim.ConnectionsOpened() > before && e.sim.Connections() > 0 })
	r, err := e.sim.Deliver(e.ctx(), env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(replyText(r), "#1") {
		t.Errorf("reply to the redelivery %q", replyText(r))
	}
	if ps := e.promises(); len(ps) != 1 {
		t.Errorf("%d promises, want 1", len(ps))
	}
	// The first handler's late ack may reach Slack on the new connection
	// after the redelivery was answered; Slack ignores it, and so may we.
	for _, err := range e.sim.Errors() {
		if !strings.Contains(err.Error(), "ack for unknown or expired envelope") {
			t.Errorf("protocol error: %v", err)
		}
	}
}

// reopenNudges reads the outbox of KEPT_DB as the next start will: a
// bbolt file or a PostgreSQL database (KEPT_TEST_DB=postgres).
func reopenNudges(db string) ([]store.Nudge, error) {
	if config.Postgres(db) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st, err := pg.Open(ctx, db, pg.Options{})
		if err != nil {
			return nil, err
		}
		defer st.Close()
		return st.Nudges("")
	}
	st, err := store.New(db, store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	return st.Nudges("")
}

// TestRevokedTokenStopsKept: token_revoked and account_inactive describe
// Kept's own install, not the owner. Kept stops and says why; it gives up
// on no nudge and reroutes none to the digest channel; once it runs again
// with a working token, the reminder goes out, once.
func TestRevokedTokenStopsKept(t *testing.T) {
	for _, code := range []string{"token_revoked", "account_inactive"} {
		t.Run(code, func(t *testing.T) {
			e := start(t)
			e.withDigest()
			e.slash(ann, "Acme: call back in 1 hour")
			e.sim.RevokeToken(code)
			e.clock.Advance(time.Hour)
			e.tick()
			select {
			case err := <-e.done:
				if !errors.Is(err, outbox.ErrTokenDead) || !strings.Contains(err.Error(), code) || !strings.Contains(err.Error(), "Reinstall Kept") {
					t.Errorf("Kept stopped with %v, want the dead token explained", err)
				}
				e.stop = func() {}
			case <-time.After(10 * time.Second):
				t.Fatal("Kept did not stop on a dead token")
			}
			// Kept is stopped: read its database as the next start will.
			ns, err := reopenNudges(e.cfg.DB)
			if err != nil || len(ns) != 1 || ns[0].State == store.NudgeFailed || ns[0].State == store.NudgeSent {
				t.Errorf("nudges %+v, %v: given up on for Kept's own token", ns, err)
			}
			if posts := e.posts(); len(posts) != 0 {
				t.Errorf("posted %+v while the token was dead", posts)
			}

			e.sim.RevokeToken("") // reinstalled
			e.run()
			e.advanceTo(e.clock.Now().Add(time.Minute)) // past the retry's short backoff
			if dms := e.sim.DMs(ann); len(dms) != 1 || !strings.Contains(dms[0].Text, "call back") {
				t.Errorf("after reinstalling: DMs %+v, want the reminder once", dms)
			}
			if n := e.nudges()[0]; n.State != store.NudgeSent {
				t.Errorf("nudge %+v, want sent", n)
			}
		})
	}
}

// TestRefusedBlocksResentAsText: a message Slack refuses for its content
// (invalid_blocks, msg_too_long) goes again as plain text with the way to
// the App Home; the reminder is never dropped.
func TestRefusedBlocksResentAsText(t *testing.T) {
	for _, code := range []string{"invalid_blocks", "msg_too_long"} {
		t.Run(code, func(t *testing.T) {
			e := start(t)
			e.slash(ann, "Acme: call back in 1 hour")
			from := e.mark()
			e.sim.FailNext("chat.postMessage", 1, slacksim.Fault{Error: code})
			e.advanceTo(e.clock.Now().Add(time.Hour))
			e.wantCalls(from, "chat.postMessage "+code, "chat.postMessage 200")
			dms := e.sim.DMs(ann)
			if len(dms) != 1 || dms[0].BlocksJSON != nil || !strings.Contains(dms[0].Text, "Reminder: #1 call back") ||
				!strings.Contains(dms[0].Text, "App Home") || nudgeID(dms[0]) != 1 {
				t.Errorf("DMs %+v, want the reminder as plain text, tagged", dms)
			}
			if n := e.nudges()[0]; n.State != store.NudgeSent {
				t.Errorf("nudge %+v, want sent", n)
			}
		})
	}
}
