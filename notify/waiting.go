package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// waits is what the notifier reads of customer channels: the open
// "waiting on us" item a nudge is about. The store has it; a fake of the
// store may not, and then nothing is waiting.
type waits interface {
	Wait(team, channel, thread string) (store.Wait, error)
}

// deliverWaiting tells the customer's owner that a message of theirs in a
// linked channel has gone unanswered. If our side answered meanwhile (the
// wait is closed), there is nothing to say.
func (b *Notifier) deliverWaiting(ctx context.Context, n store.Nudge) (string, string, error) {
	st, ok := b.store.(waits)
	if !ok {
		return "", "", nil
	}
	channel, thread, _ := strings.Cut(n.Subject, "|")
	w, err := st.Wait(n.Team, channel, thread)
	if errors.Is(err, store.ErrNotFound) || err == nil && w.NudgeID != n.ID {
		return "", "", nil // answered, or handled, since it was queued
	}
	if err != nil {
		return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
	}
	loc := b.zoneOr(ctx, n.To)
	fallback, blocks := slackui.WaitingDM(w, loc, b.cfg.Now())
	channel, ts, err := b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return "", "", deliveryError(err)
	}
	return channel, ts, nil
}
