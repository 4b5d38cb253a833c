package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// deliverOffer offers the customer's owner the follow-up promise a touch
// called for, at once: it answers what someone just did. A customer
// removed since needs no follow-up; one handed over is offered to its new
// owner.
func (b *Notifier) deliverOffer(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	if n.Offer == nil {
		return "", "", fmt.Errorf("notify: nudge %d: an offer without what it offers", n.ID)
	}
	c, err := b.store.Customer(n.Team, n.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
	}
	n.To = c.Owner
	note := fmt.Sprintf("a follow-up offer for *%s*: “%s”.", slackui.Escape(c.Name), slackui.Escape(n.Offer.Text))
	loc, ok := b.recipientZone(ctx, n.To)
	if !ok {
		return b.reroute(ctx, n, "deactivated", note)
	}
	fallback, blocks := slackui.FollowupOffer(*n.Offer, n.ID, n.To, loc, b.cfg.Now())
	channel, ts, err = b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, note)
	}
	return channel, ts, nil
}
