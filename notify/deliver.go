package notify

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/zones"
)

// nudgeEvent is the metadata event type on every message Kept sends for a
// nudge; with the nudge id in its payload, a message can be found again in
// conversations.history after a crash.
const nudgeEvent = "kept_nudge"

// Deliver sends a nudge to Slack. It implements scheduler.Deliverer.
func (b *Notifier) Deliver(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	var (
		fallback string
		blocks   []slack.Block
		note     string // what the digest channel is told if the owner is gone
	)
	switch n.Kind {
	case model.NudgeEscalation:
		return b.deliverEscalation(ctx, n) // to a lead or a channel (escalate.go)
	case model.NudgeChanged, model.NudgeHandover:
		return b.deliverNotice(ctx, n) // to a creator or a new owner (notice.go)
	case store.Reminder, store.OverdueNudge, model.NudgeEscalated:
		p, err := b.store.Promise(n.Team, n.PromiseID)
		if err != nil {
			return "", "", fmt.Errorf("notify: nudge %d: %w", n.ID, err)
		}
		if p.State != store.Open {
			// Kept or cancelled since it was queued: nothing to say.
			return "", "", nil
		}
		note = promiseNote(p, n.Kind, b.cfg.Zone, b.cfg.Now())
		// Slack accepts a DM to a deactivated user without error, so ask.
		var gone zones.NoSuchUserError
		if _, err := b.zones.Zone(ctx, p.Owner); errors.As(err, &gone) {
			return b.reroute(ctx, n, "deactivated", note)
		} else if errors.Is(err, outbox.ErrTokenDead) {
			return "", "", err
		}
		if n.Kind == model.NudgeEscalated {
			fallback, blocks = slackui.Escalated(p, b.zoneOr(ctx, p.Owner), b.cfg.Now())
			break
		}
		fallback, blocks = b.reminder(ctx, p, n.Kind == store.OverdueNudge)
	case store.DigestNudge:
		return b.deliverDigest(ctx, n) // rendered fresh, to a channel (digest.go)
	case store.Checkin:
		return b.deliverCheckin(ctx, n) // held until the owner's working hours (checkin.go)
	case store.Waiting:
		return b.deliverWaiting(ctx, n)
	case model.NudgeOffer:
		return b.deliverOffer(ctx, n) // at once, to the customer's owner (offer.go)
	case model.NudgeDate:
		return b.deliverDate(ctx, n) // on its day, in the owner's working hours (dates.go)
	default:
		return "", "", fmt.Errorf("notify: nudge %d: unknown kind %q", n.ID, n.Kind)
	}
	channel, ts, err = b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, note) // the digest channel, for an owner Slack refuses
	}
	return channel, ts, nil
}

// postNudge posts a nudge's message to n.To, tagged with the nudge's id in
// Slack message metadata so it can be found again after a crash. A
// message Slack refuses for its content (invalid_blocks, msg_too_long) is
// never dropped: it goes again as plain text, pointing to the App Home.
func (b *Notifier) postNudge(ctx context.Context, n store.Nudge, fallback string, blocks []slack.Block) (channel, ts string, err error) {
	return b.post(ctx, n.To, slack.SlackMetadata{
		EventType:    nudgeEvent,
		EventPayload: map[string]any{"nudge_id": n.ID, "kind": string(n.Kind)},
	}, fallback, blocks)
}

// post is postNudge for a message tagged with md.
func (b *Notifier) post(ctx context.Context, to string, md slack.SlackMetadata, fallback string, blocks []slack.Block) (channel, ts string, err error) {
	meta := slack.MsgOptionMetadata(md)
	channel, ts, err = b.api.PostMessageContext(ctx, to,
		slack.MsgOptionText(slackui.Fit(fallback, slackui.MaxMessageText), false),
		slack.MsgOptionBlocks(blocks...), meta)
	var se slack.SlackErrorResponse
	if !asSlackError(err, &se) || !refusedContent[se.Err] {
		return channel, ts, err
	}
	b.cfg.Log.Error("Slack refused a nudge's message; sending it again as plain text",
		"nudge", md.EventPayload["nudge_id"], "kind", md.EventPayload["kind"], "error", se.Err, "problems", se.ResponseMetadata.Messages)
	return b.api.PostMessageContext(ctx, to, slack.MsgOptionText(b.plainNudge(ctx, fallback), false), meta)
}

// refusedContent are Slack's answers to a message whose content it will
// not show; the same message as plain text goes through.
var refusedContent = map[string]bool{
	"invalid_blocks": true, "invalid_blocks_format": true, "msg_too_long": true, "msg_blocks_too_long": true,
}

// plainNudge is a nudge as plain text, for when Slack refused its blocks:
// the fallback, cut to fit, and where to see and act on it in full.
func (b *Notifier) plainNudge(ctx context.Context, fallback string) string {
	home := "Kept's App Home (Kept in your sidebar, then Home)"
	if id, err := b.identity(ctx); err == nil && id.UserID != "" {
		home = "Kept's App Home (" + slackui.MentionUser(id.UserID) + " in your sidebar, then Home)"
	}
	return slackui.Fit(fallback, slackui.MaxSectionText) + "\n\nSlack could not show this message in full; see it and act on it in " + home + "."
}

// deliveryError tells the scheduler how to treat a Slack failure.
func deliveryError(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &outbox.RetryError{After: rl.RetryAfter, Err: err}
	}
	var se slack.SlackErrorResponse
	if asSlackError(err, &se) {
		if outbox.TokenDead(se.Err) {
			// Kept's own install is gone, not the recipient: nothing may
			// be given up on; the nudge waits for the token to be fixed.
			return fmt.Errorf("notify: %w (%s)", outbox.ErrTokenDead, se.Err)
		}
		switch se.Err {
		case "user_not_found", "cannot_dm_bot", "user_disabled", "channel_not_found", "is_archived", "not_in_channel":
			return fmt.Errorf("notify: %w: %s", outbox.ErrUnreachable, se.Err)
		case "internal_error", "fatal_error", "service_unavailable", "request_timeout",
			"ratelimited", "rate_limited", "team_added_to_org", "org_login_required":
			// Slack's trouble, not the nudge's, answered with HTTP 200 and
			// ok:false: an outage like a 5xx, however long it lasts. It may
			// hide a post ("some aspect of the operation succeeded"), so
			// the retry looks first, as after a 5xx.
			return &outbox.RetryError{Err: err}
		}
	}
	var sc slack.StatusCodeError
	if errors.As(err, &sc) && sc.Code >= 500 {
		return &outbox.RetryError{Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		// A timeout or a refused connection: Slack may be back soon.
		return &outbox.RetryError{Err: err}
	}
	return fmt.Errorf("notify: post nudge: %w", err)
}

func asSlackError(err error, se *slack.SlackErrorResponse) bool {
	return errors.As(err, se)
}

// reminder renders p for its owner, with the customer's last touch.
func (b *Notifier) reminder(ctx context.Context, p store.Promise, overdue bool) (string, []slack.Block) {
	var c store.Customer
	if p.Customer != "" {
		c, _ = b.store.Customer(p.Team, p.Customer) // none found: no line
	}
	return slackui.ReminderWithTouch(p, c, overdue, b.zoneOr(ctx, p.Owner), b.cfg.Now())
}
