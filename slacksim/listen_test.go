package slacksim

import (
	"sync"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// heard collects the inner events an app receives, parsed by slack-go.
type heard struct {
	mu     sync.Mutex
	events []slackevents.EventsAPIEvent
}

func (h *heard) all() []slackevents.EventsAPIEvent {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]slackevents.EventsAPIEvent(nil), h.events...)
}

func listeningApp(t *testing.T, s *Server) (*heard, *slack.Client) {
	h := &heard{}
	api := startApp(t, s, func(sm *socketmode.Client, evt socketmode.Event) {
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok {
			t.Errorf("not an events_api envelope: %+v", evt)
			return
		}
		h.mu.Lock()
		h.events = append(h.events, ev)
		h.mu.Unlock()
		ack(sm, evt)
	})
	return h, api
}

// sharedSim adds a channel shared with Acme's organisation (T0ACME), with
// one of their people and one of ours, and a private channel.
func sharedSim(t *testing.T, opts Options) *Server {
	s, _ := newSim(t, opts)
	s.AddUser(User{ID: "U9CARA", Name: "cara", RealName: "Cara at Acme", TZ: "Europe/London", TeamID: "T0ACME"})
	s.AddChannel(Channel{ID: "C9ACME", Name: "acme-shared", Members: []string{"U1", "U9CARA"}, Shared: true})
	s.AddChannel(Channel{ID: "G1", Name: "deals", Members: []string{"U1", "U0KEPTBOT"}, Private: true})
	return s
}

func TestSayInSharedChannel(t *testing.T) {
	s := sharedSim(t, Options{})
	h, api := listeningApp(t, s)
	ctx := ctxT(t)

	// Before the bot is in the channel, Slack tells the app nothing.
	if _, err := s.Say(ctx, "U9CARA", "C9ACME", "hello?"); err != nil {
		t.Fatal(err)
	}
	if n := len(h.all()); n != 0 {
		t.Fatalf("%d events before the bot joined", n)
	}

	if err := s.Join(ctx, "C9ACME", "U0KEPTBOT", "U1"); err != nil {
		t.Fatal(err)
	}
	m, err := s.Say(ctx, "U9CARA", "C9ACME", "Can you send the quote by Friday?")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := s.Reply(ctx, "U1", "C9ACME", m.TS, "I'll send it tomorrow")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Edit(ctx, "U1", "C9ACME", reply.TS, "I'll send it tonight"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "U1", "C9ACME", reply.TS); err != nil {
		t.Fatal(err)
	}

	evs := h.all()
	if len(evs) != 5 {
		t.Fatalf("got %d events, want join, message, reply, edit, delete", len(evs))
	}
	join, ok := evs[0].InnerEvent.Data.(*slackevents.MemberJoinedChannelEvent)
	if !ok || join.User != "U0KEPTBOT" || join.Channel != "C9ACME" || join.Inviter != "U1" || join.ChannelType != "C" {
		t.Errorf("join = %#v", evs[0].InnerEvent.Data)
	}
	msg, ok := evs[1].InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || msg.User != "U9CARA" || msg.Channel != "C9ACME" || msg.Text != "Can you send the quote by Friday?" ||
		msg.ChannelType != "channel" || msg.TimeStamp != m.TS || msg.ThreadTimeStamp != "" {
		t.Errorf("message = %#v", evs[1].InnerEvent.Data)
	}
	if msg.UserTeam != "T0ACME" || msg.SourceTeam != "T0ACME" || evs[1].TeamID != "T0KEPT" {
		t.Errorf("customer's message: user_team %q source_team %q, envelope team %q", msg.UserTeam, msg.SourceTeam, evs[1].TeamID)
	}
	th, ok := evs[2].InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || th.ThreadTimeStamp != m.TS || th.User != "U1" || th.UserTeam != "T0KEPT" {
		t.Errorf("reply = %#v", evs[2].InnerEvent.Data)
	}
	ed, ok := evs[3].InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || ed.SubType != "message_changed" || ed.Message == nil || ed.Message.Text != "I'll send it tonight" ||
		ed.PreviousMessage == nil || ed.PreviousMessage.Text != "I'll send it tomorrow" {
		t.Errorf("edit = %#v", evs[3].InnerEvent.Data)
	}
	del, ok := evs[4].InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || del.SubType != "message_deleted" || del.DeletedTimeStamp != reply.TS {
		t.Errorf("delete = %#v", evs[4].InnerEvent.Data)
	}

	// Web API: the channel is shared, Cara belongs to Acme.
	ch, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "C9ACME"})
	if err != nil {
		t.Fatal(err)
	}
	if !ch.IsExtShared || !ch.IsShared || !ch.IsMember {
		t.Errorf("conversations.info = ext_shared %v shared %v member %v", ch.IsExtShared, ch.IsShared, ch.IsMember)
	}
	u, err := api.GetUserInfo("U9CARA")
	if err != nil {
		t.Fatal(err)
	}
	if u.TeamID != "T0ACME" {
		t.Errorf("users.info team_id = %q, want T0ACME", u.TeamID)
	}
	// The thread shows in history, and the parent knows its replies.
	parent, _ := s.Message("C9ACME", m.TS)
	if parent.ReplyCount != 1 {
		t.Errorf("parent reply count %d", parent.ReplyCount)
	}
	if v := s.Visible("C9ACME"); len(v) != 0 {
		t.Errorf("bot posted visibly: %+v", v)
	}
}

func TestSayPrivateChannelAndScopes(t *testing.T) {
	s := sharedSim(t, Options{Scopes: []string{"commands", "chat:write", "channels:history", "users:read"}})
	h, _ := listeningApp(t, s)
	ctx := ctxT(t)
	// Without groups:history no message.groups event is sent.
	if _, err := s.Say(ctx, "U1", "G1", "I'll call you tomorrow"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Say(ctx, "U1", "C1", "hello"); err != nil {
		t.Fatal(err)
	}
	evs := h.all()
	if len(evs) != 1 {
		t.Fatalf("%d events, want only the public channel's", len(evs))
	}
	if m := evs[0].InnerEvent.Data.(*slackevents.MessageEvent); m.Channel != "C1" {
		t.Errorf("event from %s", m.Channel)
	}

	s2 := sharedSim(t, Options{})
	h2, _ := listeningApp(t, s2)
	if _, err := s2.Say(ctx, "U1", "G1", "I'll call you tomorrow"); err != nil {
		t.Fatal(err)
	}
	if m, ok := h2.all()[0].InnerEvent.Data.(*slackevents.MessageEvent); !ok || m.ChannelType != "group" {
		t.Errorf("private channel message = %#v", h2.all()[0].InnerEvent.Data)
	}
}

func TestSayRefusals(t *testing.T) {
	s := sharedSim(t, Options{})
	ctx := ctxT(t)
	if _, err := s.Say(ctx, "U2", "C9ACME", "hi"); err == nil {
		t.Error("a non-member spoke in the channel")
	}
	if _, err := s.Say(ctx, "U1", "C404", "hi"); err == nil {
		t.Error("spoke in a channel that does not exist")
	}
	if _, err := s.Reply(ctx, "U1", "C9ACME", "1.000001", "hi"); err == nil {
		t.Error("replied to a message that does not exist")
	}
	m, _ := s.Say(ctx, "U1", "C9ACME", "mine")
	if err := s.Edit(ctx, "U9CARA", "C9ACME", m.TS, "theirs"); err == nil {
		t.Error("edited someone else's message")
	}
	if err := s.Join(ctx, "C404", "U0KEPTBOT", "U1"); err == nil {
		t.Error("joined a channel that does not exist")
	}
}

func TestBotMessageEvent(t *testing.T) {
	s := sharedSim(t, Options{})
	s.AddUser(User{ID: "U7BOT", Name: "otherbot", IsBot: true})
	s.AddChannel(Channel{ID: "C7", Name: "bots", Members: []string{"U7BOT", "U0KEPTBOT"}})
	h, _ := listeningApp(t, s)
	if _, err := s.Say(ctxT(t), "U7BOT", "C7", "I'll send the report tomorrow"); err != nil {
		t.Fatal(err)
	}
	m := h.all()[0].InnerEvent.Data.(*slackevents.MessageEvent)
	if m.BotID == "" {
		t.Errorf("a bot's message has no bot_id: %#v", m)
	}
}
