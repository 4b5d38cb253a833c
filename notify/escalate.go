package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/zones"
)

// deliverEscalation tells a lead (or a channel, n.To) that a promise is
// slipping. Kept or cancelled since it was queued: nothing to say (the
// scheduler's recheck drops it before, this is the last look).
func (b *Notifier) deliverEscalation(ctx context.Context, n store.Nudge) (string, string, error) {
	p, err := b.store.Promise(n.Team, n.PromiseID)
	if err != nil {
		return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
	}
	if p.State != store.Open {
		return "", "", nil
	}
	var c store.Customer
	if p.Customer != "" {
		c, _ = b.store.Customer(p.Team, p.Customer) // none found: no line
	}
	now := b.cfg.Now()
	note := promiseNote(p, n.Kind, b.cfg.Zone, now)
	loc := b.cfg.Zone // a channel has no zone of its own
	if isUserTarget(n.To) {
		// Slack accepts a DM to a deactivated user without error, so ask:
		// a lead who left must not swallow the escalation.
		var gone zones.NoSuchUserError
		l, err := b.zones.Zone(ctx, n.To)
		switch {
		case errors.As(err, &gone):
			return b.reroute(ctx, n, "deactivated", note)
		case errors.Is(err, outbox.ErrTokenDead):
			return "", "", err
		case l != nil:
			loc = l
		}
	}
	fallback, blocks := slackui.Escalation(p, c, loc, now)
	channel, ts, err := b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, note)
	}
	return channel, ts, nil
}
