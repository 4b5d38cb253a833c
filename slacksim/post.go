package slacksim

import "github.com/slack-go/slack"

// PostAs records a message by a person (not the bot) in channel, so that
// tests and the console can point a message shortcut at it. text is taken
// as Slack stores it (entities, mention markup); PostTyped takes it as the
// person typed it.
func (s *Server) PostAs(user, channel, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, User: user, Text: text}
	s.addMessage(m)
	return *m
}

// PostTyped is PostAs for text as a person typed it: it is stored as
// Slack stores it, and so shows in payloads, with &, < and > as entities
// and @name and #channel of members and channels as <@U…> and <#C…>.
func (s *Server) PostTyped(user, channel, typed string) Message {
	s.mu.Lock()
	text := s.escapeTyped(typed, false)
	s.mu.Unlock()
	return s.PostAs(user, channel, text)
}

// PostWithMetadata records a message that user posted in channel through
// the Web API with their own token, carrying metadata: anyone can, so a
// test can forge the metadata Kept puts on its own posts.
func (s *Server) PostWithMetadata(user, channel, text string, md slack.SlackMetadata) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, User: user, Text: text, Metadata: &md}
	s.addMessage(m)
	return *m
}
