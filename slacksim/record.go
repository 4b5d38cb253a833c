package slacksim

import (
	"encoding/json"
	"time"

	"github.com/slack-go/slack"
)

// Message is a message as the workspace shows it now (after updates).
type Message struct {
	Channel, TS, User, Text string // User is the poster: BotUserID for the bot's posts
	Blocks                  []slack.Block
	BlocksJSON              json.RawMessage
	Metadata                *slack.SlackMetadata
	Ephemeral               bool
	EphemeralTo             string
	Updates                 int    // chat.update or replace_original calls applied
	ViaResponseURL          bool   // posted or last changed through a response_url
	ViaAck                  bool   // shown by Slack from a slash command's ack payload
	Deleted                 bool   // removed with delete_original
	ThreadTS                string // the thread's parent, for a reply in a thread
	ReplyCount              int    // replies in this message's thread
}

// Call is one Web API request as the simulator received and answered it.
type Call struct {
	Method string
	Params map[string]string // form or query values (token removed), or top-level JSON strings
	Body   json.RawMessage   // the JSON body, for JSON requests
	Status int               // HTTP status answered
	Error  string            // the "error" of an ok:false answer
	At     time.Time
}

// View is one views.open/push/update/publish (or view_submission ack
// response_action) as recorded.
type View struct {
	ID, Hash, UserID, TriggerID string
	Kind                        string // open, push, update or publish
	JSON                        json.RawMessage
	View                        slack.View // JSON decoded, with ID and Hash set
}

// Messages returns every message in post order, each in its current version.
// Ephemeral and deleted messages are included (see Ephemeral, Deleted).
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = *m
	}
	return out
}

// Visible returns what everyone in channel sees posted by the bot:
// its messages there that are neither ephemeral nor deleted. In a shared
// channel that includes the other organisation.
func (s *Server) Visible(channel string) []Message {
	var out []Message
	for _, m := range s.Messages() {
		if m.Channel == channel && m.User == s.opts.BotUserID && !m.Ephemeral && !m.Deleted {
			out = append(out, m)
		}
	}
	return out
}

// DMs returns the messages in the bot's IM channel with user.
func (s *Server) DMs(user string) []Message {
	s.mu.Lock()
	id, ok := s.dmByUser[user]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	var out []Message
	for _, m := range s.Messages() {
		if m.Channel == id {
			out = append(out, m)
		}
	}
	return out
}

// DMChannel returns the bot's IM channel id with user, opening it if needed,
// the same id conversations.open answers.
func (s *Server) DMChannel(user string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dmChannel(user)
}

// Message returns the current version of the message channel/ts.
func (s *Server) Message(channel, ts string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessage(channel, ts); m != nil {
		return *m, true
	}
	return Message{}, false
}

// Calls returns every Web API call in arrival order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Views returns every view operation in order.
func (s *Server) Views() []View {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]View(nil), s.views...)
}

// Subscribe delivers each new or changed message until the returned cancel
// func is called or the server closes. A subscriber that falls more than 256
// messages behind misses messages rather than stalling the workspace.
func (s *Server) Subscribe() (<-chan Message, func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan Message, 256)
	if s.closed {
		close(ch)
		return ch, func() {}
	}
	s.seq++
	id := s.seq
	s.subs[id] = ch
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c, ok := s.subs[id]; ok {
			close(c)
			delete(s.subs, id)
		}
	}
}

// findMessage returns the stored message, or nil; s.mu must be held.
func (s *Server) findMessage(channel, ts string) *Message {
	for i := len(s.messages) - 1; i >= 0; i-- {
		if m := s.messages[i]; m.Channel == channel && m.TS == ts {
			return m
		}
	}
	return nil
}

// addMessage stores m with a fresh ts; s.mu must be held.
func (s *Server) addMessage(m *Message) {
	m.TS = s.newTS()
	s.messages = append(s.messages, m)
	s.published(m)
}

// published tells Wait callers and subscribers about m; s.mu must be held.
func (s *Server) published(m *Message) {
	s.bump()
	for _, ch := range s.subs {
		select {
		case ch <- *m:
		default:
			s.logf("subscriber too slow, dropped message %s/%s", m.Channel, m.TS)
		}
	}
}

// setBlocks stores blocks given as JSON ("" or "null" means none).
func setBlocks(m *Message, raw []byte) error {
	m.Blocks, m.BlocksJSON = nil, nil
	if !hasBlocks(raw) {
		return nil
	}
	var b slack.Blocks
	if err := json.Unmarshal(raw, &b); err != nil {
		return err
	}
	m.Blocks = b.BlockSet
	m.BlocksJSON = append(json.RawMessage(nil), raw...)
	return nil
}

// messageJSON is how Slack shows a stored message in API answers and payloads.
func (s *Server) messageJSON(m *Message, withMetadata bool) map[string]any {
	out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User}
	if m.User == s.opts.BotUserID {
		out["bot_id"] = s.opts.BotID
		out["app_id"] = s.opts.AppID
	}
	if m.BlocksJSON != nil {
		out["blocks"] = m.BlocksJSON
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.ReplyCount > 0 {
		out["thread_ts"], out["reply_count"] = m.TS, m.ReplyCount
	}
	if withMetadata && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	return out
}
