package inbound

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slackui"
)

// pageClicked answers "Next page" on `/customer list`:
// the list as it is now, from the offset the button carries, in place of
// the page shown (through the response_url, as the list is ephemeral),
// after the ack.
func (b *Bot) pageClicked(k click) error {
	ctx, cb, a := k.ctx, k.cb, k.a
	log := b.cfg.Log.With("action", a.ActionID, "user", cb.User.ID, "team", cb.Team.ID)
	offset, query, ok := slackui.ParsePageValue(a.Value)
	q, known := slackui.ParseCustomerQuery(query)
	if !ok || !known {
		log.Warn("page with a bad value", "value", a.Value)
		return errDamagedButton
	}
	b.later(ctx, func(ctx context.Context) {
		loc := b.zoneOr(ctx, cb.User.ID)
		var (
			fallback string
			blocks   []slack.Block
		)
		cs, err := b.store.Customers(cb.Team.ID)
		if err != nil {
			log.Error("list customers", "err", err)
			b.respond(ctx, cb, msgInternal)
			return
		}
		health, err := b.teamHealth(cb.Team.ID, cs)
		if err != nil {
			log.Error("customers' health", "err", err)
			b.respond(ctx, cb, msgInternal)
			return
		}
		fallback, blocks = slackui.CustomerListPage(cs, health, q, loc, b.cfg.Now(), offset)
		if cb.ResponseURL == "" {
			return
		}
		msg := &slack.WebhookMessage{Text: fallback, ReplaceOriginal: true}
		if len(blocks) > 0 {
			msg.Blocks = &slack.Blocks{BlockSet: blocks}
		}
		if err := postResponse(ctx, cb.ResponseURL, msg); err != nil {
			log.Error("next page through the response_url", "err", err)
		}
	})
	return nil
}
