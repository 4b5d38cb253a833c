package slacksim

import (
	"context"
	"fmt"
	"sync"

	"github.com/slack-go/slack"
)

// Envelope is a request envelope that can be delivered more than once
// under the same envelope_id, as Slack does when it retries an envelope
// whose ack it did not get, or sends one on two connections. Build it with
// SlashCommandEnvelope, ClickEnvelope or SubmitViewEnvelope, send it with
// Deliver.
type Envelope struct {
	env  envelope
	what string

	mu         sync.Mutex
	deliveries int
}

// ID is the envelope_id every delivery carries.
func (e *Envelope) ID() string { return e.env.EnvelopeID }

// SlashCommandEnvelope builds, without sending, the envelope SlashCommand
// would send.
func (s *Server) SlashCommandEnvelope(user, channel, command, text string) *Envelope {
	s.mu.Lock()
	defer s.mu.Unlock()
	payload := s.slashPayload(user, channel, command, text)
	return &Envelope{
		env:  envelope{EnvelopeID: envelopeID(), Type: "slash_commands", Payload: payload, AcceptsResponsePayload: true},
		what: "slash command " + command,
	}
}

// ClickEnvelope builds, without sending, the block_actions envelope Click
// would send for pressing actionID (and value) in msg as user.
func (s *Server) ClickEnvelope(user string, msg Message, actionID, value string) (*Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	payload, err := s.clickPayload(user, msg, actionID, value)
	if err != nil {
		return nil, err
	}
	return &Envelope{
		env:  envelope{EnvelopeID: envelopeID(), Type: "interactive", Payload: payload},
		what: "block_actions " + actionID,
	}, nil
}

// SubmitViewEnvelope builds, without sending, the view_submission
// envelope SubmitView would send. Delivered, it does not close or update
// the modal: a test of redelivery looks at what Kept did, not at the form.
func (s *Server) SubmitViewEnvelope(user, viewID string, values map[string]map[string]slack.BlockAction) (*Envelope, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	payload, err := s.submitPayload(user, viewID, values)
	if err != nil {
		return nil, err
	}
	return &Envelope{
		env:  envelope{EnvelopeID: envelopeID(), Type: "interactive", Payload: payload, AcceptsResponsePayload: true},
		what: "view_submission",
	}, nil
}

// Deliver sends e on the next live connection (round robin, so repeated
// deliveries go to different connections when several are open) and waits
// for its ack. Deliveries after the first carry retry_attempt and
// retry_reason "timeout" when e is an events_api envelope. Deliveries of
// one envelope must not overlap. Unlike SlashCommand it records no protocol
// error when the ack does not come: a test of lost connections expects
// that, and gets ErrNoAck.
func (s *Server) Deliver(ctx context.Context, e *Envelope) (Reply, error) {
	e.mu.Lock()
	n := e.deliveries
	e.deliveries++
	e.mu.Unlock()
	env := e.env
	if env.Type == "events_api" {
		reason := ""
		if n > 0 {
			reason = "timeout"
		}
		env.RetryAttempt, env.RetryReason = &n, &reason
	}
	raw, err := s.exchange(ctx, env)
	if err != nil {
		return Reply{Envelope: env.EnvelopeID}, fmt.Errorf("slacksim: %s (envelope %s, delivery %d): %w", e.what, env.EnvelopeID, n+1, err)
	}
	return decodeReply(env.EnvelopeID, raw), nil
}

// FaultsLeft is how many faults queued with FailNext for method have not
// been used yet. A fault is used when the call arrives, before its Delay,
// so a test can tell that a delayed call is in flight.
func (s *Server) FaultsLeft(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults[method])
}
