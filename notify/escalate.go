package notify

import (
	"context"
	"fmt"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
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
	loc := b.cfg.Zone // a channel has no zone of its own
	if isUserTarget(n.To) {
		loc = b.zoneOr(ctx, n.To)
	}
	now := b.cfg.Now()
	fallback, blocks := slackui.Escalation(p, c, loc, now)
	channel, ts, err := b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, promiseNote(p, n.Kind, b.cfg.Zone, now))
	}
	return channel, ts, nil
}
