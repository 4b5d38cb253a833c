package notify

import (
	"context"
	"errors"
	"time"

	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/zones"
)

// recipientZone is to's zone (the workspace's when Slack cannot tell),
// or false when Slack says to is gone (deactivated).
func (b *Notifier) recipientZone(ctx context.Context, to string) (*time.Location, bool) {
	var gone zones.NoSuchUserError
	loc, err := b.zones.Zone(ctx, to)
	if errors.As(err, &gone) {
		return nil, false
	}
	if loc == nil {
		loc = b.cfg.Zone
	}
	return loc, true
}

// deliverCheckin sends one keep-in-touch prompt as DeliverCheckins
// would, or holds it until the owner's working hours (or the next working
// day, when the day's message went out), or drops it when it no longer
// applies. The scheduler gathers prompts itself; this is Deliver's answer
// for one.
func (b *Notifier) deliverCheckin(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	res, err := b.DeliverCheckins(ctx, []store.Nudge{n})
	if err != nil {
		return "", "", err
	}
	if later, ok := res.Later[n.ID]; ok {
		return "", "", later
	}
	return res.Channel, res.TS, nil
}
