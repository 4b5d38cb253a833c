package slacksim

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// What people say in channels reaches an app as Events API envelopes:
// message (message.channels for public channels, message.groups for
// private ones, each needing its *:history scope), with subtypes for edits
// and deletions, and member_joined_channel when someone, the bot included,
// is added. Slack sends them only for channels the bot is a member of.
//
// A channel shared with another organisation (Slack Connect) has members
// from both; the others are Users with their own TeamID, and their
// messages carry that team as "team" and "user_team".

// Say posts text as user in channel, as a person typing it in Slack, and
// delivers the message event to the app when the bot is in the channel.
// It returns once the event is acknowledged (or was not due).
func (s *Server) Say(ctx context.Context, user, channel, text string) (Message, error) {
	return s.say(ctx, user, channel, "", text)
}

// Reply posts text as user in the thread under the message parentTS in
// channel, like Say.
func (s *Server) Reply(ctx context.Context, user, channel, parentTS, text string) (Message, error) {
	return s.say(ctx, user, channel, parentTS, text)
}

func (s *Server) say(ctx context.Context, user, channel, threadTS, text string) (Message, error) {
	m, payload, err := s.post(user, channel, threadTS, text)
	if err != nil || payload == nil {
		return m, err
	}
	return m, s.event(ctx, payload, "message from "+user+" in "+channel)
}

// SayEnvelope posts text as user in channel (in the thread under
// threadTS, if not ""), as Say does, but returns the message event's
// envelope unsent, to Deliver as often as Slack would: a redelivery of an
// envelope whose ack was lost. The envelope is nil when Slack would send
// no event (the bot is not in the channel).
func (s *Server) SayEnvelope(user, channel, threadTS, text string) (Message, *Envelope, error) {
	m, payload, err := s.post(user, channel, threadTS, text)
	if err != nil || payload == nil {
		return m, nil, err
	}
	return m, &Envelope{
		env:  envelope{EnvelopeID: envelopeID(), Type: "events_api", Payload: payload},
		what: "message from " + user + " in " + channel,
	}, nil
}

// Retried is e as Slack sends it again when it gave up waiting for the
// ack: a new envelope_id (it may go to another connection), the same
// event, event_id included.
func (e *Envelope) Retried() *Envelope {
	env := e.env
	env.EnvelopeID = envelopeID()
	return &Envelope{env: env, what: e.what, deliveries: 1}
}

// Without is e with the named fields left out of its inner event, for
// the shapes Slack sends that the simulator does not: a message event
// that names its writer's team only as "team", say, without "user_team"
// and "source_team".
func (e *Envelope) Without(fields ...string) *Envelope {
	env := e.env
	if payload, ok := env.Payload.(map[string]any); ok {
		payload = maps.Clone(payload)
		if ev, ok := payload["event"].(map[string]any); ok {
			ev = maps.Clone(ev)
			for _, f := range fields {
				delete(ev, f)
			}
			payload["event"] = ev
		}
		env.Payload = payload
	}
	env.EnvelopeID = envelopeID()
	return &Envelope{env: env, what: e.what}
}

// post adds user's message to channel and returns it with the event
// payload Slack would send for it, nil if none is due.
func (s *Server) post(user, channel, threadTS, text string) (Message, map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	switch {
	case !ok:
		return Message{}, nil, fmt.Errorf("slacksim: say: no channel %s", channel)
	case !slices.Contains(c.Members, user):
		return Message{}, nil, fmt.Errorf("slacksim: say: %s is not a member of %s", user, channel)
	case threadTS != "" && s.findMessage(channel, threadTS) == nil:
		return Message{}, nil, fmt.Errorf("slacksim: say: no message %s in %s to reply to", threadTS, channel)
	}
	m := &Message{Channel: channel, User: user, Text: text, ThreadTS: threadTS}
	s.addMessage(m)
	if threadTS != "" {
		if parent := s.findMessage(channel, threadTS); parent != nil {
			parent.ReplyCount++
		}
	}
	payload, due := s.channelEvent(c, s.messageEvent(m, c))
	if !due {
		return *m, nil, nil
	}
	return *m, payload, nil
}

// Edit changes the text of user's message channel/ts and delivers the
// message_changed event.
func (s *Server) Edit(ctx context.Context, user, channel, ts, text string) error {
	s.mu.Lock()
	m := s.findMessage(channel, ts)
	if m == nil || m.User != user || m.Deleted {
		s.mu.Unlock()
		return fmt.Errorf("slacksim: edit: %s has no message %s/%s", user, channel, ts)
	}
	prev := s.messageJSON(m, false)
	m.Text = text
	m.Updates++
	s.published(m)
	c := s.channels[channel]
	cur := s.messageJSON(m, false)
	cur["edited"] = map[string]any{"user": user, "ts": s.newTS()}
	ev := map[string]any{
		"type": "message", "subtype": "message_changed", "channel": channel, "hidden": true,
		"message": cur, "previous_message": prev, "ts": s.newTS(), "event_ts": s.newTS(),
		"channel_type": channelType(c),
	}
	payload, due := s.channelEvent(c, ev)
	s.mu.Unlock()
	if !due {
		return nil
	}
	return s.event(ctx, payload, "edit by "+user+" in "+channel)
}

// Delete removes user's message channel/ts and delivers the
// message_deleted event.
func (s *Server) Delete(ctx context.Context, user, channel, ts string) error {
	s.mu.Lock()
	m := s.findMessage(channel, ts)
	if m == nil || m.User != user || m.Deleted {
		s.mu.Unlock()
		return fmt.Errorf("slacksim: delete: %s has no message %s/%s", user, channel, ts)
	}
	prev := s.messageJSON(m, false)
	m.Deleted = true
	s.published(m)
	c := s.channels[channel]
	ev := map[string]any{
		"type": "message", "subtype": "message_deleted", "channel": channel, "hidden": true,
		"deleted_ts": ts, "previous_message": prev, "ts": s.newTS(), "event_ts": s.newTS(),
		"channel_type": channelType(c),
	}
	payload, due := s.channelEvent(c, ev)
	s.mu.Unlock()
	if !due {
		return nil
	}
	return s.event(ctx, payload, "deletion by "+user+" in "+channel)
}

// Join adds user to channel, invited by inviter ("" for someone who joined
// by themselves), and delivers member_joined_channel when the bot is in
// the channel afterwards: adding the bot (BotUserID) is how an app hears
// it was invited.
func (s *Server) Join(ctx context.Context, channel, user, inviter string) error {
	payload, err := s.join(channel, user, inviter)
	if err != nil || payload == nil {
		return err
	}
	return s.event(ctx, payload, "member_joined_channel "+user+" "+channel)
}

// JoinEnvelope adds user to channel as Join does, but returns the
// member_joined_channel envelope unsent, to Deliver (and Retried) as often
// as Slack would. The envelope is nil when Slack would send no event.
func (s *Server) JoinEnvelope(channel, user, inviter string) (*Envelope, error) {
	payload, err := s.join(channel, user, inviter)
	if err != nil || payload == nil {
		return nil, err
	}
	return &Envelope{
		env:  envelope{EnvelopeID: envelopeID(), Type: "events_api", Payload: payload},
		what: "member_joined_channel " + user + " " + channel,
	}, nil
}

// join adds user to channel and returns the member_joined_channel event
// payload Slack would send for it, nil if none is due.
func (s *Server) join(channel, user, inviter string) (map[string]any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[channel]
	if !ok {
		return nil, fmt.Errorf("slacksim: join: no channel %s", channel)
	}
	if slices.Contains(c.Members, user) {
		return nil, nil
	}
	c.Members = append(slices.Clone(c.Members), user)
	s.channels[channel] = c
	s.bump()
	ct := "C"
	if channelType(c) == "group" {
		ct = "G"
	}
	ev := map[string]any{
		"type": "member_joined_channel", "user": user, "channel": channel, "channel_type": ct,
		"team": s.teamOf(user), "event_ts": s.newTS(),
	}
	if inviter != "" {
		ev["inviter"] = inviter
	}
	payload, due := s.channelEvent(c, ev)
	if !due {
		return nil, nil
	}
	return payload, nil
}

// messageEvent is the message event Slack sends for m; s.mu must be held.
func (s *Server) messageEvent(m *Message, c Channel) map[string]any {
	team := s.teamOf(m.User)
	ev := map[string]any{
		"type": "message", "channel": m.Channel, "user": m.User, "text": m.Text,
		"ts": m.TS, "event_ts": m.TS, "team": team, "user_team": team, "source_team": team,
		"channel_type": channelType(c),
		"blocks": []any{map[string]any{"type": "rich_text", "block_id": randHex(4), "elements": []any{
			map[string]any{"type": "rich_text_section", "elements": []any{map[string]any{"type": "text", "text": m.Text}}},
		}}},
	}
	if m.ThreadTS != "" {
		ev["thread_ts"] = m.ThreadTS
		if p := s.findMessage(m.Channel, m.ThreadTS); p != nil {
			ev["parent_user_id"] = p.User
		}
	}
	if u := s.users[m.User]; u.IsBot {
		ev["bot_id"] = "B" + m.User[1:]
		ev["bot_profile"] = map[string]any{"id": "B" + m.User[1:], "name": u.Name, "team_id": team}
	}
	return ev
}

// channelEvent wraps ev in the event_callback Slack sends for channel c,
// and says whether Slack would send it at all: only for channels the bot
// is in, and with the history scope of the channel's kind. s.mu must be held.
func (s *Server) channelEvent(c Channel, ev map[string]any) (map[string]any, bool) {
	scope := "channels:history"
	if channelType(c) == "group" {
		scope = "groups:history"
	}
	if !slices.Contains(c.Members, s.opts.BotUserID) || !slices.Contains(s.opts.Scopes, scope) {
		return nil, false
	}
	now := s.opts.Now()
	return map[string]any{
		"token": verificationToken, "team_id": s.opts.TeamID, "api_app_id": s.opts.AppID,
		"event": ev, "type": "event_callback", "event_id": s.nextID("Ev"),
		"event_time": now.Unix(), "event_context": "4-" + strconv.FormatInt(now.Unix(), 10),
		"authorizations": []any{map[string]any{
			"enterprise_id": nil, "team_id": s.opts.TeamID, "user_id": s.opts.BotUserID,
			"is_bot": true, "is_enterprise_install": false,
		}},
		"is_ext_shared_channel": c.Shared,
	}, true
}

// teamOf is the team a user belongs to: their own for an external member
// of a shared channel, else the workspace's. s.mu must be held.
func (s *Server) teamOf(user string) string {
	if u, ok := s.users[user]; ok && u.TeamID != "" {
		return u.TeamID
	}
	return s.opts.TeamID
}

// channelType is the event's channel_type: "group" for a private channel.
func channelType(c Channel) string {
	if c.private() {
		return "group"
	}
	return "channel"
}

func init() {
	apiMethods["chat.delete"] = apiMethod{handle: (*Server).chatDelete, scope: "chat:write"}
}

// chatDelete removes one of the bot's own messages, as chat.delete does
// with a bot token.
func (s *Server) chatDelete(r *apiRequest) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessage(r.params["channel"], r.params["ts"])
	switch {
	case m == nil || m.Ephemeral || m.Deleted:
		return nil, "message_not_found"
	case m.User != s.opts.BotUserID:
		return nil, "cant_delete_message"
	}
	m.Deleted = true
	s.published(m)
	return map[string]any{"channel": m.Channel, "ts": m.TS}, ""
}

// UserName is the handle of user, or the id if unknown.
func (s *Server) UserName(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userName(user)
}

// ChannelName is the name of channel, or the id if unknown.
func (s *Server) ChannelName(channel string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.channels[channel]; ok {
		return c.Name
	}
	return channel
}
