package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// deliverDate sends the prompt ahead of a customer date (a renewal, an
// anniversary) to its owner, with the last touch and the open promises,
// and for a key customer's anniversary a gesture to make. It waits, as a
// LaterError, until the prompt's day has begun in the owner's zone (the
// claim comes as it begins anywhere on Earth) and for their working
// hours. A date removed or changed since the claim has nothing to say
// (the scheduler's Recheck drops it first).
func (b *Notifier) deliverDate(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	c, err := b.store.Customer(n.Team, n.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
	}
	if model.RecheckDate(n, c, true).Drop {
		return "", "", nil // removed or changed since the scheduler's Recheck
	}
	on := model.DayOf(n.For.On, time.UTC)
	d, _ := c.Date(n.For.Date)
	note := fmt.Sprintf("a date that matters for *%s*: the %s, %s.", slackui.Escape(c.Name), slackui.Escape(d.Label()), on)
	loc, ok := b.recipientZone(ctx, n.To)
	if !ok {
		return b.reroute(ctx, n, "deactivated", note)
	}
	now := b.cfg.Now()
	if at := d.PromptAt(on, b.cfg.Dates.OrDefault(), b.cfg.WorkHours.OrDefault(), loc, now); at.After(now) {
		return "", "", &outbox.LaterError{Until: at, Reason: "the prompt's day has not begun, or it is outside working hours, in the owner's zone (" + loc.String() + ")"}
	}
	open, err := b.store.PromisesFor(n.Team, c.Name)
	if err != nil {
		return "", "", fmt.Errorf("notify: nudge %d: open promises: %w", n.ID, err)
	}
	fallback, blocks := slackui.DatePromptMessage(slackui.DatePrompt{Customer: c, Date: d, On: on, Open: open, Nudge: n.ID}, loc, now)
	channel, ts, err = b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, note)
	}
	return channel, ts, nil
}
