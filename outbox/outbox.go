// Package outbox is the vocabulary a deliverer and the scheduler share
// about one attempt at a nudge: try again later, not before a time, or
// never for this recipient. It has no Slack and no storage in it, so the
// Slack notifier and the scheduler both depend on it and not on each other.
package outbox

import (
	"errors"
	"fmt"
	"time"
)

// ErrUnreachable marks a delivery that can never succeed for this
// recipient (a deactivated user, a bot): retrying would only repeat it.
var ErrUnreachable = errors.New("recipient unreachable")

// ErrTokenDead means Slack no longer accepts Kept's own bot token
// (token_revoked, account_inactive: the app was uninstalled or its token
// revoked). It says nothing of the recipient: no nudge may be given up on
// or rerouted for it. Kept stops and says so; the nudge is sent once the
// token is fixed.
var ErrTokenDead = errors.New("kept's bot token no longer works")

// TokenDead says whether a Slack error code means ErrTokenDead.
func TokenDead(code string) bool {
	return code == "token_revoked" || code == "account_inactive" || code == "invalid_auth" || code == "not_authed"
}

// RetryError asks for the nudge to be tried again after a delay, as Slack's
// Retry-After header does. A zero After means "back off as you see fit".
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryError) Unwrap() error { return e.Err }

// LaterError says a nudge is not for now: its recipient should get it at
// Until (a check-in outside the owner's working hours). Unlike RetryError
// it is no failure, so the attempt does not count, and it holds back no
// other nudge to the same recipient.
type LaterError struct {
	Until  time.Time
	Reason string
}

func (e *LaterError) Error() string {
	return fmt.Sprintf("not before %s: %s", e.Until.UTC().Format(time.RFC3339), e.Reason)
}

// Batch is what became of several nudges delivered as one message (an
// owner's check-ins for the day): those the message carries, all recorded
// with its channel and ts; those with nothing left to say (recorded as
// sent, with no message); and those held back, each to its own time, not
// counted as an attempt.
type Batch struct {
	Channel, TS string
	Sent        []int64
	Skipped     []int64
	Later       map[int64]*LaterError
}
