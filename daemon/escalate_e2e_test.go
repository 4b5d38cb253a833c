package daemon_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/slackui"
)

const chanEscalations = "C0ESCALATE"

// startEscalating is Kept with escalation after days working days, told
// to to (empty: the leads, bob), its clock at at.
func startEscalating(t *testing.T, at time.Time, days int, to ...string) *env {
	t.Helper()
	e := start(t)
	e.stop()
	e.sim.AddChannel(slacksim.Channel{ID: chanEscalations, Name: "escalations", Members: []string{botUser, cid}})
	e.cfg.EscalateAfter, e.cfg.EscalateTo, e.cfg.Leads = days, to, []string{bob}
	e.clock.Set(at)
	e.wait("the old socket to close", func() bool { return e.sim.Connections() == 0 })
	e.run()
	return e
}

// dmsWith are the DMs to user whose text has what.
func (e *env) dmsWith(user, what string) []slacksim.Message {
	var out []slacksim.Message
	for _, m := range e.sim.DMs(user) {
		if strings.Contains(m.Text+blocksText(m.Blocks), what) {
			out = append(out, m)
		}
	}
	return out
}

// TestEscalation: a promise due Thursday 10:00 in Ann's zone gets its
// overdue DM on Friday 10:00 and, one working day later, escalates on
// Monday 10:00 on Ann's clock: in winter, across the spring-forward
// weekend and across the fall-back one. A count in hours (72 after the
// follow-up) would be an hour early or late on the DST weekends; the
// ticks one minute before and at that naive instant must find nothing.
func TestEscalation(t *testing.T) {
	tests := []struct {
		name     string
		thursday time.Time // 09:00, the promise made "in 1 hour"
		monday   time.Time // 10:00, when it escalates
		to       []string
		told     []string // who gets the escalation message (DM or channel)
	}{
		{"winter, to a user and a channel", ny(2027, 3, 4, 9, 0), ny(2027, 3, 8, 10, 0), []string{cid, chanEscalations}, []string{cid, chanEscalations}},
		{"spring forward, to the leads", ny(2027, 3, 11, 9, 0), ny(2027, 3, 15, 10, 0), nil, []string{bob}},
		{"fall back, the owner not told twice", ny(2026, 10, 29, 9, 0), ny(2026, 11, 2, 10, 0), []string{ann, chanEscalations}, []string{chanEscalations}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := startEscalating(t, tt.thursday, 1, tt.to...)
			e.slash(ann, "Acme: send the renewal quote in 1 hour")
			due := tt.thursday.Add(time.Hour)
			e.advanceTo(due)
			overdue := due.Add(24 * time.Hour)
			e.advanceTo(overdue)
			if n := len(e.dmsWith(ann, "Still open")); n != 1 {
				t.Fatalf("%d overdue DMs on Friday, want 1", n)
			}
			if naive := overdue.Add(72 * time.Hour); naive.Before(tt.monday) {
				e.advanceTo(naive)
			}
			e.advanceTo(tt.monday.Add(-time.Minute))
			if n := len(e.escalations(tt.told)); n != 0 {
				t.Fatalf("escalated before Monday 10:00 on Ann's clock (%d messages)", n)
			}
			e.advanceTo(tt.monday)
			got := e.escalations(tt.told)
			if len(got) != len(tt.told) {
				t.Fatalf("%d escalation messages at Monday 10:00, want one to each of %v", len(got), tt.told)
			}
			for _, m := range got {
				text := blocksText(m.Blocks)
				for _, want := range []string{"A promise is slipping", "late.", "*#1* for *Acme*", "send the renewal quote", "It is <@U0ANN>'s"} {
					if !strings.Contains(text, want) {
						t.Errorf("escalation to %s lacks %q:\n%s", m.Channel, want, text)
					}
				}
			}
			notice := e.dmsWith(ann, "Escalated to")
			if len(notice) != 1 {
				t.Fatalf("%d escalation notices to the owner, want 1", len(notice))
			}
			for _, who := range tt.told {
				if !strings.Contains(blocksText(notice[0].Blocks), slackui.Mention(who)) {
					t.Errorf("owner's notice does not say it went to %s: %s", who, blocksText(notice[0].Blocks))
				}
			}
			p := e.promises()[0]
			if last := p.History[len(p.History)-1]; last.Kind != model.EventEscalated || last.Detail != strings.Join(tt.told, ", ") {
				t.Errorf("history ends with %+v, want the escalation to %v", last, tt.told)
			}

			// Exactly once: a restart and a week of ticks send nothing more.
			e.restart()
			e.advanceTo(tt.monday.Add(time.Hour))
			e.advanceTo(tt.monday.Add(7 * 24 * time.Hour))
			if n, m := len(e.escalations(tt.told)), len(e.dmsWith(ann, "Escalated to")); n != len(tt.told) || m != 1 {
				t.Errorf("after a restart and a week: %d escalation messages and %d notices, want %d and 1", n, m, len(tt.told))
			}
			// The digest shows it.
			if got := replyText(e.digestCmd(bob, chan_, "")); !strings.Contains(got, "📣 escalated") {
				t.Errorf("digest does not show the escalation:\n%s", got)
			}
		})
	}
}

// escalations are the escalation messages in the DMs of, or in the
// channels, told.
func (e *env) escalations(told []string) []slacksim.Message {
	var out []slacksim.Message
	for _, to := range told {
		msgs := e.sim.DMs(to)
		if strings.HasPrefix(to, "C") {
			msgs = e.digestPosts(to)
		}
		for _, m := range msgs {
			if strings.Contains(blocksText(m.Blocks), "A promise is slipping") {
				out = append(out, m)
			}
		}
	}
	return out
}

// TestEscalationOffByDefault: without KEPT_ESCALATE_AFTER nobody but the
// owner hears of a promise, however late; and a promise kept before its
// escalation does not escalate.
func TestEscalationOffByDefault(t *testing.T) {
	e := startEscalating(t, ny(2027, 3, 4, 9, 0), 0)
	e.slash(ann, "Acme: send the renewal quote in 1 hour")
	for d := range 10 {
		e.advanceTo(ny(2027, 3, 4, 10, 0).Add(time.Duration(d) * 24 * time.Hour))
	}
	if n := len(e.escalations([]string{bob})) + len(e.dmsWith(ann, "Escalated")); n != 0 {
		t.Errorf("%d escalation messages with escalation off", n)
	}

	e = startEscalating(t, ny(2027, 3, 4, 9, 0), 1, cid)
	e.slash(ann, "Acme: send the renewal quote in 1 hour")
	e.advanceTo(ny(2027, 3, 4, 10, 0))
	e.advanceTo(ny(2027, 3, 5, 10, 0)) // the overdue DM
	e.slash(ann, "done 1")
	e.advanceTo(ny(2027, 3, 9, 10, 0))
	if n := len(e.escalations([]string{cid})) + len(e.dmsWith(ann, "Escalated")); n != 0 {
		t.Errorf("a promise kept before its escalation escalated (%d messages)", n)
	}
}

// TestEscalationToALeadWhoLeft: a lead deactivated since goes to the
// digest channel with a note, never to the void; the others and the
// owner are told as usual.
func TestEscalationToALeadWhoLeft(t *testing.T) {
	e := startEscalating(t, ny(2027, 3, 4, 9, 0), 1, cid, bob)
	e.withDigest()
	e.sim.SetUser(slacksim.User{ID: cid, Name: "cid", Deleted: true})
	e.slash(ann, "Acme: send the renewal quote in 1 hour")
	e.advanceTo(ny(2027, 3, 4, 10, 0))
	e.advanceTo(ny(2027, 3, 5, 10, 0))
	e.advanceTo(ny(2027, 3, 8, 10, 0))
	if n := len(e.escalations([]string{bob})); n != 1 {
		t.Errorf("%d escalations to Bob, want 1", n)
	}
	if n := len(e.sim.DMs(cid)); n != 0 {
		t.Errorf("%d DMs to Cid, who left", n)
	}
	var rerouted int
	for _, m := range e.digestPosts(digest) {
		if strings.HasPrefix(m.Text, "Couldn't reach <@U0CID> (deactivated): escalation of *#1* for *Acme*") {
			rerouted++
		}
	}
	if rerouted != 1 {
		t.Errorf("%d escalations for Cid in the digest channel, want 1: %+v", rerouted, e.digestPosts(digest))
	}
	if n := len(e.dmsWith(ann, "Escalated to <@U0CID>, <@U0BOB>")); n != 1 {
		t.Errorf("%d notices to the owner, want 1", n)
	}
}

// TestEscalationToAChannelThatRefuses: a KEPT_ESCALATE_TO channel Slack
// will not take the escalation in (Kept not in it, archived, gone) sends
// it to the digest channel with a note saying where it should have gone,
// never to the void; the leads and the owner are told as usual.
func TestEscalationToAChannelThatRefuses(t *testing.T) {
	for _, tt := range []struct {
		name, code string
		channel    slacksim.Channel
	}{
		{"Kept not in it", "not_in_channel", slacksim.Channel{ID: "C0ESCNOKEPT", Name: "escalations-2", Members: []string{cid}}},
		{"archived", "is_archived", slacksim.Channel{ID: "C0ESCOLD", Name: "old-escalations", Members: []string{botUser, cid}, Archived: true}},
		{"gone", "channel_not_found", slacksim.Channel{ID: "C0ESCGONE"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := startEscalating(t, ny(2027, 3, 4, 9, 0), 1, tt.channel.ID, bob)
			if tt.channel.Name != "" {
				e.sim.AddChannel(tt.channel)
			}
			e.withDigest()
			e.slash(ann, "Acme: send the renewal quote in 1 hour")
			e.advanceTo(ny(2027, 3, 4, 10, 0))
			e.advanceTo(ny(2027, 3, 5, 10, 0))
			e.advanceTo(ny(2027, 3, 8, 10, 0))
			if n := len(e.escalations([]string{bob})); n != 1 {
				t.Errorf("%d escalations to Bob, want 1", n)
			}
			if n := len(e.digestPosts(tt.channel.ID)); n != 0 {
				t.Errorf("%d posts in the refusing channel", n)
			}
			rerouted := func() (n int) {
				for _, m := range e.digestPosts(digest) {
					if strings.HasPrefix(m.Text, "Couldn't post in <#"+tt.channel.ID+"> ("+tt.code+"): escalation of *#1* for *Acme*") {
						n++
					}
				}
				return n
			}
			if n := rerouted(); n != 1 {
				t.Errorf("%d escalations for the channel in the digest channel, want 1", n)
			}
			// Once: a restart and a day of ticks add nothing.
			e.restart()
			e.advanceTo(ny(2027, 3, 9, 10, 0))
			if n := rerouted(); n != 1 {
				t.Errorf("after a restart: %d escalations for the channel in the digest channel, want 1", n)
			}
		})
	}
}
