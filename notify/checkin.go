package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
	"github.com/keptbot/kept/zones"
)

func (b *Notifier) workHours() workhours.Hours {
	if b.cfg.WorkHours.IsZero() {
		return workhours.Default
	}
	return b.cfg.WorkHours
}

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

// deliverCheckin sends a keep-in-touch prompt, or holds it until the
// owner's working hours, or drops it when it no longer applies.
func (b *Notifier) deliverCheckin(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	c, err := b.store.Customer(n.Team, n.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil // removed since: nothing to say
	}
	if err != nil {
		return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
	}
	if c.Cadence == 0 || c.LastTouch.After(n.Created) {
		return "", "", nil // touched or set to never since it was queued
	}
	now := b.cfg.Now()
	note := fmt.Sprintf("check-in with *%s* (%s).", slackui.Escape(c.Name), slackui.TouchState(c, b.cfg.Zone, now))
	loc, ok := b.recipientZone(ctx, n.To)
	if !ok {
		return b.reroute(ctx, n, "deactivated", note)
	}
	if wh := b.workHours(); !wh.Within(now, loc) {
		next := wh.Next(now, loc)
		return "", "", &outbox.LaterError{Until: next, Reason: "outside the owner's working hours (" + loc.String() + ")"}
	}
	fallback, blocks := slackui.Checkin(c, n.ID, loc, now)
	channel, ts, err = b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, note)
	}
	return channel, ts, nil
}
