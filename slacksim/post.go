package slacksim

import "github.com/slack-go/slack"

// PostAs records a message typed by a person (not the bot) in channel, so
// that tests and the console can point a message shortcut at it. Its text
// is stored as Slack stores it, and so shows in payloads: &, < and > as
// entities, @name and #channel as <@U…> and <#C…>.
func (s *Server) PostAs(user, channel, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, User: user, Text: s.escapeTyped(text, false)}
	s.addMessage(m)
	return *m
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
