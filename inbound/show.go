package inbound

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// `/promise show 42` and `/promise edit 42`.

// promiseNumber reads the "42" (or "#42") of `/promise VERB 42`, which
// must be all there is.
func promiseNumber(verb, args string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(args), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, invalid(fmt.Sprintf("Which promise? Give only its number, like `/promise %s 42`. `/promise list` shows yours.", verb))
	}
	return id, nil
}

// showPromise is `/promise show 42`: to its owner, who recorded it or an
// admin, as for a change; the text of someone else's promise is theirs.
func (b *Bot) showPromise(c call) (any, error) {
	id, err := promiseNumber("show", c.args)
	if err != nil {
		return nil, err
	}
	p, err := b.store.Promise(c.cmd.TeamID, id)
	if err != nil {
		return nil, b.lookupError(err, id)
	}
	if !b.mayChange(c.cmd.UserID, p) {
		return nil, forbidden(fmt.Sprintf("#%d is %s's; only they, whoever recorded it and admins can see it in full.", p.ID, slackui.MentionUser(p.Owner)))
	}
	fallback, blocks := slackui.PromiseDetail(p, b.zoneOr(c.ctx, c.cmd.UserID), b.cfg.Now())
	return ephemeral(fallback, blocks...), nil
}

// editPromise is `/promise edit 42`: the promise form, filled in.
func (b *Bot) editPromise(c call) (any, error) {
	id, err := promiseNumber("edit", c.args)
	if err != nil {
		return nil, err
	}
	p, err := b.store.Promise(c.cmd.TeamID, id)
	if err != nil {
		return nil, b.lookupError(err, id)
	}
	if err := b.mayChangeOpen(c.cmd.UserID, p); err != nil {
		return nil, err
	}
	meta := b.sealMeta(c.cmd.UserID, slackui.EditCallback, modalOrigin{Channel: c.cmd.ChannelID, Promise: p.ID})
	view := slackui.EditModal(p, b.zoneOr(c.ctx, p.Owner), meta)
	if _, err := b.api.OpenViewContext(c.ctx, c.cmd.TriggerID, view); err != nil {
		c.log().Error("open edit form", "err", err)
		return nil, unavailable(fmt.Sprintf("I couldn't open the form. `/promise snooze %d …`, `/promise give %d @someone` and `/promise cancel %d` change it too.", id, id, id))
	}
	return nil, nil
}

// submitEdit saves the edit form. The promise named in the form's signed
// metadata is checked again against the submitter, as any change is.
func (b *Bot) submitEdit(ctx context.Context, op string, cb slack.InteractionCallback) any {
	origin, err := b.viewOrigin(cb)
	if err != nil || origin.Promise == 0 {
		return viewErrors(map[string]string{slackui.FieldWhat: staleFormText})
	}
	was, err := b.store.Promise(cb.Team.ID, origin.Promise)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return viewErrors(map[string]string{slackui.FieldWhat: "That promise is gone."})
	case err != nil:
		b.cfg.Log.Error("edit promise", "err", err)
		return viewErrors(map[string]string{slackui.FieldWhat: "Sorry, I could not save this. Please try again in a minute."})
	}
	f, errs := b.readPromiseForm(ctx, cb, viewValues(cb), &was)
	if len(errs) > 0 {
		return viewErrors(errs)
	}
	var handed bool
	now := b.cfg.Now()
	p, err := b.change(op, cb.Team.ID, origin.Promise, cb.User.ID, func(p *store.Promise) error {
		var changed []string
		if f.what != p.Text {
			changed = append(changed, "what")
			p.Text = f.what
		}
		if f.customer != p.Customer {
			changed = append(changed, "customer")
			p.Customer = b.knownCustomer(p.Team, f.customer, "")
		}
		if !f.due.Equal(p.Due) {
			// A new promised time is a move (model.Promise.Move): in the
			// history and the digest, and the reminder follows it.
			if err := p.Move(cb.User.ID, f.due, now); err != nil {
				return modelRefusal(err)
			}
		}
		if f.owner != p.Owner {
			if err := p.Reassign(cb.User.ID, f.owner, f.loc.String(), now); err != nil {
				return modelRefusal(err)
			}
			handed = true
		}
		p.Zone = f.loc.String()
		if len(changed) == 0 {
			return nil
		}
		p.History = append(p.History, store.Event{At: now, Kind: "edited", By: cb.User.ID, Detail: strings.Join(changed, ", ")})
		return nil
	})
	if err != nil {
		if r, ok := asRefusal(err); ok {
			return viewErrors(map[string]string{slackui.FieldWhat: r.text})
		}
		if errors.Is(err, store.ErrNotFound) {
			return viewErrors(map[string]string{slackui.FieldWhat: "That promise is gone."})
		}
		b.cfg.Log.Error("edit promise", "err", err)
		return viewErrors(map[string]string{slackui.FieldWhat: "Sorry, I could not save this. Please try again in a minute."})
	}
	b.later(ctx, func(ctx context.Context) {
		text := "Saved " + slackui.Summary(p) + ", due " + slackui.Date(p.Due, b.cfg.Now(), b.zoneOr(ctx, cb.User.ID)) + "."
		opts := []slack.MsgOption{slack.MsgOptionText(text, false), slack.MsgOptionBlocks(slackui.Section(text))}
		if _, err := b.api.PostEphemeralContext(ctx, origin.Channel, cb.User.ID, opts...); err != nil {
			b.cfg.Log.Warn("confirm edit", "err", err)
		}
		if handed {
			b.tellNewOwner(ctx, p, cb.User.ID)
		}
		b.refreshHome(ctx, p.Team, p.Owner)
	})
	return nil
}
