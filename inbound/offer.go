package inbound

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// Follow-ups that the moment calls for: a touch whose kind calls for one
// (model.OfferFor) queues, with the touch, an offer to the customer's
// owner, delivered by notify through the outbox. Promise it records the
// promise; Change… opens the promise form filled with it; nothing is
// recorded otherwise. The promise's op is the offer's, so however often a
// click arrives, or both buttons are used, an offer records one promise.

// followups is the policy in force: the configured one, or the defaults.
func (b *Bot) followups() model.FollowupPolicy {
	if b.cfg.Followups == (model.FollowupPolicy{}) {
		return model.DefaultFollowups
	}
	return b.cfg.Followups
}

// logTouch logs t for c and, in the same unit of work, queues the
// follow-up its kind calls for, offered to c's owner: once per touch,
// since an envelope's op is applied once. It returns the customer as the
// touch left it and the offer queued, if any.
func (b *Bot) logTouch(ctx context.Context, op string, c store.Customer, t store.Touch) (store.Customer, *model.Offer, error) {
	// The owner's zone is read before the transaction: no Slack call
	// holds a database transaction open.
	o, ok := model.OfferFor(c, t, b.followups(), b.cfg.Now(), b.zoneOr(ctx, c.Owner))
	var out store.Customer
	err := b.store.Update(op, func(tx store.Tx) error {
		var err error
		if out, err = tx.AddTouch(t); err != nil || !ok {
			return err
		}
		_, err = tx.AddNudge(store.Nudge{Kind: model.NudgeOffer, Team: t.Team, Subject: store.CustomerKey(out.Name), To: out.Owner, Offer: &o})
		return err
	})
	if errors.Is(err, store.ErrDuplicate) {
		// Applied before: the reply is the same, nothing is queued again.
		if out, err = b.store.Customer(t.Team, t.Customer); err == nil {
			err = store.ErrDuplicate
		}
	}
	if !ok {
		return out, nil, err
	}
	return out, &o, err
}

// offerOp is the op of the promise an offer records.
func offerOp(team string, nudge int64) string {
	return "followup:" + team + ":" + strconv.FormatInt(nudge, 10)
}

// offerClicked finds the offer a button names and checks the clicker may
// take it up: whoever it was offered to, or the customer's owner now.
func (b *Bot) offerClicked(team, user, value string) (store.Nudge, model.Offer, error) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return store.Nudge{}, model.Offer{}, invalid("That offer is damaged; record the follow-up with `/promise` instead.")
	}
	n, err := b.store.Nudge(id)
	if errors.Is(err, store.ErrNotFound) || err == nil && (n.Team != team || n.Kind != model.NudgeOffer || n.Offer == nil) {
		return store.Nudge{}, model.Offer{}, notFound("I can't find that offer any more; record the follow-up with `/promise` instead.")
	}
	if err != nil {
		return store.Nudge{}, model.Offer{}, fmt.Errorf("inbound: offer: %w", err)
	}
	if user != n.To && !b.isAdmin(user) {
		if c, err := b.store.Customer(team, n.Subject); err != nil || c.Owner != user {
			return store.Nudge{}, model.Offer{}, forbidden(fmt.Sprintf("This follow-up was offered to %s, who owns the customer.", slackui.MentionUser(n.To)))
		}
	}
	return n, *n.Offer, nil
}

// acceptOffer is Promise it: the promise as offered, owned by whoever
// clicked, and the offer replaced by the confirmation.
func (b *Bot) acceptOffer(k click) error {
	ctx, cb := k.ctx, k.cb
	n, o, err := b.offerClicked(cb.Team.ID, cb.User.ID, k.a.Value)
	if err != nil {
		return err
	}
	loc, now := b.zoneOr(ctx, cb.User.ID), b.cfg.Now()
	if !o.Due.After(now) {
		text := fmt.Sprintf("That follow-up was due %s, which has passed, so I didn't record it. *Change…* picks a new time.", slackui.Date(o.Due, now, loc))
		b.later(ctx, func(ctx context.Context) { b.respond(ctx, cb, text) })
		return nil
	}
	p, err := b.store.AddPromise(offerOp(cb.Team.ID, n.ID), offeredPromise(cb.Team.ID, cb.User.ID, o, loc))
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		if r := modelRefusal(err); r != err {
			return r
		}
		return fmt.Errorf("inbound: accept an offer: %w", err)
	}
	b.later(ctx, func(ctx context.Context) {
		b.offerTaken(ctx, cb.User.ID, cb.Container.ChannelID, cb.Container.MessageTs, p)
		b.refreshHome(ctx, p.Team, p.Owner)
	})
	return nil
}

// offeredPromise is the promise an offer stands for, owned by user.
func offeredPromise(team, user string, o model.Offer, loc *time.Location) store.Promise {
	return store.Promise{Team: team, Text: o.Text, Customer: o.Customer, Owner: user, Creator: user, Due: o.Due.UTC(), Zone: loc.String()}
}

// changeOffer is Change…: the promise form, filled with the offer (and a
// time ahead if its own has passed), which records it under the offer's op.
func (b *Bot) changeOffer(k click) error {
	ctx, cb := k.ctx, k.cb
	n, o, err := b.offerClicked(cb.Team.ID, cb.User.ID, k.a.Value)
	if err != nil {
		return err
	}
	loc := b.zoneOr(ctx, cb.User.ID)
	due := o.Due.In(loc)
	if !due.After(b.cfg.Now()) {
		due = b.prefillDue("", loc)
	}
	origin := modalOrigin{Offer: n.ID, Channel: cb.Container.ChannelID, TS: cb.Container.MessageTs}
	view := slackui.PromiseModalFilled(cb.User.ID, o.Customer, o.Text, due, b.sealMeta(cb.User.ID, slackui.PromiseCallback, origin))
	// The trigger id expires in 3 seconds: the form opens before the ack.
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		return fmt.Errorf("inbound: open the offer's promise form: %w", err)
	}
	return nil
}

// offerTaken replaces the offer in the DM with the promise it recorded.
func (b *Bot) offerTaken(ctx context.Context, user, channel, ts string, p store.Promise) {
	fallback, blocks := slackui.Confirmation(p, user, b.zoneOr(ctx, user), b.cfg.Now())
	if channel == "" || ts == "" || !b.ownDM(ctx, user, channel) {
		return
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.cfg.Log.Warn("update the follow-up offer", "err", err)
	}
}
