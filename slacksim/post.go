package slacksim

// PostAs records a message typed by a person (not the bot) in channel, so
// that tests and the console can point a message shortcut at it.
func (s *Server) PostAs(user, channel, text string) Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Message{Channel: channel, User: user, Text: text}
	s.addMessage(m)
	return *m
}
