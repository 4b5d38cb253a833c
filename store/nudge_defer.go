package store

import "time"

// DeferNudge puts a nudge back in the outbox at notBefore like RetryNudge,
// but takes back the attempt MarkSending counted: Slack refused the call
// before reading it (a 429), which says nothing about whether the nudge
// can be delivered, so a rate-limit storm must not use up its attempts.
func (s *Bolt) DeferNudge(id int64, notBefore time.Time, errText string) error {
	_, err := s.change(id, false, func(n *Nudge) {
		n.State, n.NotBefore, n.Error = NudgeDue, notBefore, errText
		if n.Attempts > 0 {
			n.Attempts--
		}
	})
	return err
}
