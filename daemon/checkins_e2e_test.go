package daemon_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// addCustomersAt adds each customer, every 14 days, owned by ann, at its
// own time.
func (e *env) addCustomersAt(names []string, at []time.Time) {
	e.t.Helper()
	for i, name := range names {
		e.clock.Set(at[i])
		e.cmd(ann, "/customer", "add "+name+" every 14d")
	}
}

// rows are the text of each row of a gathered check-in message, by the
// block ids slackui gives them, with its buttons or its note.
func rows(m slacksim.Message) map[int64]string {
	out := map[int64]string{}
	for i, b := range m.Blocks {
		text, ok := strings.CutPrefix(b.ID(), strings.TrimSuffix(slackui.CheckinRowBlock(0), "0"))
		id, err := strconv.ParseInt(text, 10, 64)
		if !ok || err != nil || i+1 == len(m.Blocks) {
			continue
		}
		out[id] = blocksText(m.Blocks[i : i+2])
	}
	return out
}

// checkinIDs is the prompt of each customer, by key.
func (e *env) checkinIDs() map[string]store.Nudge {
	e.t.Helper()
	ns, err := e.d.Store.Nudges(store.Checkin)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]store.Nudge{}
	for _, n := range ns {
		out[n.Subject] = n
	}
	return out
}

// TestCheckinsGathered: three customers whose cadence passes on the same
// morning come to their owner as one DM with a row and buttons each; a
// fourth that comes due later that day waits for the next morning's DM,
// marked late. A click on one row changes that row alone.
func TestCheckinsGathered(t *testing.T) {
	e := start(t) // Monday 23 Nov 10:00 in Ann's New York
	mon := func(h, m int) time.Time { return time.Date(2026, 11, 23, h, m, 0, 0, newYork) }
	e.addCustomersAt([]string{"Acme", "Beta & Co", "Gamma", "Delta"}, []time.Time{mon(10, 0), mon(10, 20), mon(10, 40), mon(14, 0)})
	// All but Delta are due by Monday 7 Dec 10:40.
	e.advanceTo(time.Date(2026, 12, 7, 11, 0, 0, 0, newYork))
	dms := e.prompts(ann)
	if len(dms) != 1 {
		t.Fatalf("%d check-in DMs, want one gathering three", len(dms))
	}
	text := blocksText(dms[0].Blocks)
	for _, want := range []string{"Time to check in*, just to talk: 3 customers are going quiet", "*Acme*", "*Beta &amp; Co*", "*Gamma*", "14 days since it was added"} {
		if !strings.Contains(text, want) {
			t.Errorf("the DM %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "Late") || strings.Contains(text, "Delta") {
		t.Errorf("the DM marks a prompt late or lists Delta, not yet due: %q", text)
	}
	if n := strings.Count(text, "[Logged a touch][Snooze a week][Change cadence]"); n != 3 {
		t.Errorf("%d rows of buttons, want 3: %q", n, text)
	}
	ids := e.checkinIDs()
	for _, k := range []string{"acme", "beta & co", "gamma"} {
		if n := ids[k]; n.State != store.NudgeSent || n.TS != dms[0].TS {
			t.Errorf("prompt for %s: %s in %s, want sent in the one DM %s", k, n.State, n.TS, dms[0].TS)
		}
	}
	// Delta is due at 14:00: one DM a day, so it waits for Tuesday.
	e.advanceTo(time.Date(2026, 12, 7, 15, 0, 0, 0, newYork))
	if n := len(e.prompts(ann)); n != 1 {
		t.Fatalf("%d check-in DMs on Monday afternoon, want still 1", n)
	}
	if d := e.checkinIDs()["delta"]; d.State != store.NudgeDue || !d.NotBefore.Equal(time.Date(2026, 12, 8, 9, 0, 0, 0, newYork)) {
		t.Errorf("Delta's prompt: %s, not before %v; want due on Tuesday 9:00", d.State, d.NotBefore.In(newYork))
	}

	// A click on Beta's row: Bob may not snooze Ann's customer; Ann may,
	// and only Beta's row changes.
	before := dms[0]
	if _, err := e.sim.Click(e.ctx(), bob, dms[0], "checkin_snooze", "beta & co"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if !e.told(bob, "Only <@U0ANN>") {
		t.Errorf("Bob's snooze of Ann's customer was not refused")
	}
	if blocksText(e.prompts(ann)[0].Blocks) != blocksText(before.Blocks) {
		t.Errorf("Bob's click changed the message")
	}
	if c := e.customer("beta & co"); !c.SnoozedUntil.IsZero() {
		t.Errorf("Bob snoozed Ann's customer: %+v", c)
	}
	if _, err := e.sim.Click(e.ctx(), ann, dms[0], "checkin_snooze", "beta & co"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	now := e.clock.Now()
	if c := e.customer("beta & co"); !c.SnoozedUntil.Equal(now.Add(7 * 24 * time.Hour)) {
		t.Errorf("Beta snoozed until %v, want a week from now", c.SnoozedUntil)
	}
	beta, acme, gamma := ids["beta & co"].ID, ids["acme"].ID, ids["gamma"].ID
	waitFor(t, e, func() bool { return strings.Contains(rows(e.prompts(ann)[0])[beta], "Snoozed a week") })
	got := rows(e.prompts(ann)[0])
	if strings.Contains(got[beta], "[Snooze a week]") {
		t.Errorf("Beta's row still has its buttons: %q", got[beta])
	}
	for _, id := range []int64{acme, gamma} {
		if got[id] != rows(before)[id] {
			t.Errorf("row %d changed: %q, was %q", id, got[id], rows(before)[id])
		}
	}

	// Logged a touch on Acme's row: the form, then Acme's row alone.
	if _, err := e.sim.Click(e.ctx(), ann, e.prompts(ann)[0], "checkin_touch", "acme"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	form := e.lastView(ann, "open")
	if _, err := e.sim.SubmitView(e.ctx(), ann, form.ID, noteInput("called, all well")); err != nil {
		t.Fatal(err)
	}
	e.settle()
	waitFor(t, e, func() bool { return strings.Contains(rows(e.prompts(ann)[0])[acme], "Touch logged") })
	got = rows(e.prompts(ann)[0])
	if !strings.Contains(got[beta], "Snoozed a week") || got[gamma] != rows(before)[gamma] || strings.Contains(got[acme], "[Logged a touch]") {
		t.Errorf("after the touch: %v", got)
	}

	// Tuesday 9:00: Delta, alone and late, since Monday.
	e.advanceTo(time.Date(2026, 12, 8, 9, 0, 0, 0, newYork))
	e.latestPrompt(ann, 2, "*Delta*", "Late: due since Mon")
}

// latestPrompt checks that user has count check-in DMs, the latest
// saying each of wants.
func (e *env) latestPrompt(user string, count int, wants ...string) {
	e.t.Helper()
	dms := e.prompts(user)
	if len(dms) != count {
		e.t.Fatalf("%s has %d check-in DMs at %v, want %d", user, len(dms), e.clock.Now(), count)
	}
	text := blocksText(dms[count-1].Blocks)
	for _, want := range wants {
		if !strings.Contains(text, want) {
			e.t.Errorf("the latest check-in DM %q lacks %q", text, want)
		}
	}
}

// TestCheckinsCapAcrossDST: with KEPT_CHECKINS_PER_DAY=2, four customers
// due on Friday 12 Mar 2027 bring two rows that day; the others come on
// Monday 9:00 in Ann's New York, after the clocks went forward on
// Sunday: 13:00 UTC, not the 14:00 that Friday's 9:00 was. One of them,
// touched on Saturday, is no longer in the list.
func TestCheckinsCapAcrossDST(t *testing.T) {
	e := start(t)
	e.stop()
	e.cfg.CheckinsPerDay = 2
	e.run()
	fri := func(h, m int) time.Time { return time.Date(2027, 2, 26, h, m, 0, 0, newYork) }
	e.addCustomersAt([]string{"Acme", "Beta", "Gamma", "Delta"}, []time.Time{fri(10, 0), fri(10, 10), fri(10, 20), fri(10, 30)})
	e.advanceTo(time.Date(2027, 3, 12, 11, 0, 0, 0, newYork)) // all four due by 10:30
	dms := e.prompts(ann)
	if len(dms) != 1 {
		t.Fatalf("%d check-in DMs on Friday, want 1", len(dms))
	}
	if text := blocksText(dms[0].Blocks); !strings.Contains(text, "*Acme*") || !strings.Contains(text, "*Beta*") || strings.Contains(text, "Gamma") {
		t.Fatalf("Friday's DM = %q, want Acme and Beta, the longest waiting, and not Gamma", text)
	}
	monday := time.Date(2027, 3, 15, 9, 0, 0, 0, newYork)
	if monday.UTC().Hour() != 13 {
		t.Fatalf("Monday 9:00 in New York is %v", monday.UTC())
	}
	if g := e.checkinIDs()["gamma"]; g.State != store.NudgeDue || !g.NotBefore.Equal(monday) {
		t.Errorf("Gamma's prompt: %s, not before %v; want due on Monday 9:00 EDT", g.State, g.NotBefore)
	}
	for _, at := range []time.Time{time.Date(2027, 3, 13, 10, 0, 0, 0, newYork), time.Date(2027, 3, 15, 8, 59, 0, 0, newYork)} {
		e.advanceTo(at)
		if n := len(e.prompts(ann)); n != 1 {
			t.Fatalf("%d check-in DMs at %v, want still 1", n, at)
		}
		if at.Weekday() == time.Saturday {
			e.cmd(ann, "/touch", "Delta met them at the fair")
		}
	}
	e.advanceTo(monday)
	e.latestPrompt(ann, 2, "*Gamma*", "Late: due since Fri")
	// Delta, touched on Saturday, is dropped from Monday's list.
	if text := blocksText(e.prompts(ann)[1].Blocks); strings.Contains(text, "Delta") {
		t.Errorf("Monday's DM lists Delta, touched since: %q", text)
	}
	if d := e.checkinIDs()["delta"]; d.State == store.NudgeDue || d.TS != "" {
		t.Errorf("Delta's prompt: %s in %q, want it settled without a message", d.State, d.TS)
	}
}

// TestCheckinsCatchUpAfterDowntime: Kept is down from Monday 7 Dec 9:00
// to Wednesday 10:00; three of Ann's customers and one of Bob's came due
// meanwhile. Back, it sends one catch-up DM each, every row marked late
// with the day it was due, not a burst of DMs.
func TestCheckinsCatchUpAfterDowntime(t *testing.T) {
	e := start(t)
	e.addCustomersAt([]string{"Acme", "Beta"}, []time.Time{time.Date(2026, 11, 23, 10, 0, 0, 0, newYork), time.Date(2026, 11, 23, 11, 0, 0, 0, newYork)})
	e.clock.Set(time.Date(2026, 11, 24, 10, 0, 0, 0, newYork))
	e.cmd(ann, "/customer", "add Gamma every 14d")
	e.cmd(bob, "/customer", "add Delta every 14d")
	e.advanceTo(time.Date(2026, 12, 7, 9, 0, 0, 0, newYork))
	e.stop()
	e.clock.Set(time.Date(2026, 12, 9, 10, 0, 0, 0, newYork)) // 16:00 in Bob's Paris
	e.run()
	e.tick() // after the tick Run makes on start
	dms := e.prompts(ann)
	if len(dms) != 1 {
		t.Fatalf("Ann got %d check-in DMs, want one catch-up", len(dms))
	}
	text := blocksText(dms[0].Blocks)
	for _, want := range []string{"Catching up on check-ins", "3 customers are going quiet, and all of them should have reached you on an earlier day"} {
		if !strings.Contains(text, want) {
			t.Errorf("the catch-up %q lacks %q", text, want)
		}
	}
	got := rows(dms[0])
	ids := e.checkinIDs()
	for k, day := range map[string]string{"acme": "Mon", "beta": "Mon", "gamma": "Tue"} {
		if row := got[ids[k].ID]; !strings.Contains(row, "Late: due since "+day) {
			t.Errorf("%s's row %q is not marked late since %s", k, row, day)
		}
	}
	bobs := e.prompts(bob)
	if len(bobs) != 1 || !strings.Contains(blocksText(bobs[0].Blocks), "*Delta*") || !strings.Contains(blocksText(bobs[0].Blocks), "Late: due since Tue") {
		t.Fatalf("Bob's check-ins: %d DMs, want one with Delta, late", len(bobs))
	}
	// Nothing more the rest of the day.
	e.advanceTo(time.Date(2026, 12, 9, 16, 0, 0, 0, newYork))
	if n := len(e.prompts(ann)); n != 1 {
		t.Errorf("%d check-in DMs by the end of the day, want 1", n)
	}
}

// TestCheckinsOfAnOwnerWhoLeft: the check-ins of an owner deactivated
// since go to the digest channel as one note naming every customer, and
// each prompt is recorded as delivered there, once.
func TestCheckinsOfAnOwnerWhoLeft(t *testing.T) {
	e := start(t) // Monday 23 Nov 10:00 in Ann's New York
	e.withDigest()
	e.cmd(ann, "/customer", "add Acme every 14d")
	e.cmd(ann, "/customer", "add Globex every 14d")
	e.sim.SetUser(slacksim.User{ID: ann, Name: "ann", RealName: "Ann Archer", TZ: "America/New_York", Deleted: true})
	e.advanceTo(time.Date(2026, 12, 7, 10, 0, 0, 0, newYork))
	var notes []slacksim.Message
	for _, m := range e.sim.Messages() {
		if m.Channel == digest && strings.HasPrefix(m.Text, "Couldn't reach <@"+ann+"> (deactivated): check-in with") {
			notes = append(notes, m)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0].Text, "*Acme*") || !strings.Contains(notes[0].Text, "*Globex*") {
		t.Fatalf("notes in the digest channel: %+v; want one naming Acme and Globex", notes)
	}
	if n := len(e.sim.DMs(ann)); n != 0 {
		t.Errorf("%d DMs to the owner who left", n)
	}
	for key, n := range e.checkinIDs() {
		if n.State != store.NudgeSent || n.Channel != digest || n.TS != notes[0].TS {
			t.Errorf("%s's prompt: %+v; want sent in the digest channel's note", key, n)
		}
	}
	// Later ticks that day post no second note.
	e.advanceTo(time.Date(2026, 12, 7, 16, 0, 0, 0, newYork))
	again := 0
	for _, m := range e.sim.Messages() {
		if m.Channel == digest && strings.Contains(m.Text, "check-in with") {
			again++
		}
	}
	if again != 1 {
		t.Errorf("%d check-in notes in the digest channel by 16:00, want 1", again)
	}
}
