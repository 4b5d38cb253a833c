package notify

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// deliverNotice tells a promise's creator what someone else did to it,
// or a customer's new owner that it is theirs. A notice is news of what
// happened, so it is sent whatever became of the record since; only a
// record deleted meanwhile leaves nothing to say. A recipient Slack cannot
// reach is not rerouted to the digest channel: nothing waits on them.
func (b *Notifier) deliverNotice(ctx context.Context, n store.Nudge) (string, string, error) {
	now, loc := b.cfg.Now(), b.zoneOr(ctx, n.To)
	var (
		fallback string
		blocks   []slack.Block
	)
	switch n.Kind {
	case model.NudgeChanged:
		p, err := b.store.Promise(n.Team, n.PromiseID)
		if errors.Is(err, store.ErrNotFound) {
			return "", "", nil
		}
		if err != nil {
			return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
		}
		events := model.ChangeEvents(n, p)
		if len(events) == 0 {
			return "", "", nil // a history rewritten by an import: nothing to point at
		}
		fallback, blocks = slackui.ChangeNotice(p, events, loc, now)
	default:
		c, err := b.store.Customer(n.Team, n.Subject)
		if errors.Is(err, store.ErrNotFound) {
			return "", "", nil
		}
		if err != nil {
			return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
		}
		fallback, blocks = slackui.HandoverNotice(c, n.By, loc, now)
	}
	channel, ts, err := b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return "", "", deliveryError(err)
	}
	return channel, ts, nil
}
