package bot

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/store"
)

// nudgeEvent is the metadata event type on every message Kept sends for a
// nudge; with the nudge id in its payload, a message can be found again in
// conversations.history after a crash.
const nudgeEvent = "kept_nudge"

// Deliver sends a nudge to Slack. It implements scheduler.Deliverer.
func (b *Bot) Deliver(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	var (
		fallback string
		blocks   []slack.Block
		note     string // what the digest channel is told if the owner is gone
	)
	switch n.Kind {
	case store.Reminder, store.OverdueNudge:
		p, err := b.store.Promise(n.Team, n.PromiseID)
		if err != nil {
			return "", "", fmt.Errorf("bot: nudge %d: %w", n.ID, err)
		}
		if p.State != store.Open {
			// Kept or cancelled since it was queued: nothing to say.
			return "", "", nil
		}
		note = promiseNote(p, n.Kind, b.cfg.Zone)
		// Slack accepts a DM to a deactivated user without error, so ask.
		var gone errNoSuchUser
		if _, err := b.zones.zone(ctx, p.Owner); errors.As(err, &gone) {
			return b.reroute(ctx, n, "account_inactive", note)
		}
		fallback, blocks = b.reminder(ctx, p, n.Kind == store.OverdueNudge)
	case store.DigestNudge:
		return b.deliverDigest(ctx, n) // rendered fresh, to a channel (digest.go)
	case store.Checkin:
		return b.deliverCheckin(ctx, n) // held until the owner's working hours (checkin.go)
	default:
		return "", "", fmt.Errorf("bot: nudge %d: unknown kind %q", n.ID, n.Kind)
	}
	channel, ts, err = b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, note) // the digest channel, for an owner Slack refuses
	}
	return channel, ts, nil
}

// postNudge posts a nudge's message to n.To, tagged with the nudge's id in
// Slack message metadata so it can be found again after a crash.
func (b *Bot) postNudge(ctx context.Context, n store.Nudge, fallback string, blocks []slack.Block) (channel, ts string, err error) {
	return b.api.PostMessageContext(ctx, n.To,
		slack.MsgOptionText(fallback, false),
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionMetadata(slack.SlackMetadata{
			EventType:    nudgeEvent,
			EventPayload: map[string]any{"nudge_id": n.ID, "kind": string(n.Kind)},
		}),
	)
}

// deliveryError tells the scheduler how to treat a Slack failure.
func deliveryError(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &scheduler.RetryError{After: rl.RetryAfter, Err: err}
	}
	var se slack.SlackErrorResponse
	if asSlackError(err, &se) {
		switch se.Err {
		case "user_not_found", "account_inactive", "cannot_dm_bot", "user_disabled", "channel_not_found", "is_archived", "not_in_channel":
			return fmt.Errorf("bot: %w: %s", scheduler.ErrUnreachable, se.Err)
		}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 500 {
		return &scheduler.RetryError{Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		// A timeout or a refused connection: Slack may be back soon.
		return &scheduler.RetryError{Err: err}
	}
	return fmt.Errorf("bot: post nudge: %w", err)
}

func asSlackError(err error, se *slack.SlackErrorResponse) bool {
	return errors.As(err, se)
}

// reminder renders p for its owner, with the customer's last touch so the
// owner has the context of the last conversation in front of them.
func (b *Bot) reminder(ctx context.Context, p store.Promise, overdue bool) (string, []slack.Block) {
	loc := b.zoneOr(ctx, p.Owner)
	fallback, blocks := Reminder(p, overdue, loc, b.cfg.Now())
	if p.Customer == "" {
		return fallback, blocks
	}
	c, err := b.store.Customer(p.Team, p.Customer)
	if err != nil || c.LastTouch.IsZero() {
		return fallback, blocks
	}
	line := "Last touch with *" + escape(c.Name) + "* " + slackDate(c.LastTouch, loc)
	if c.LastBy != "" {
		line += " by <@" + c.LastBy + ">"
	}
	if c.LastNote != "" {
		line += ": “" + escape(c.LastNote) + "”"
	}
	// After the details, before the buttons or the outcome.
	at := len(blocks) - 1
	return fallback, append(blocks[:at:at], append([]slack.Block{contextBlock(line)}, blocks[at:]...)...)
}
