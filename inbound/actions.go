package inbound

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

func (b *Bot) interaction(ctx context.Context, op string, cb slack.InteractionCallback) any {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			b.blockAction(ctx, op, cb, a)
		}
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case slackui.PromiseCallback:
			return b.submitPromiseModal(ctx, op, cb)
		case slackui.SnoozeCallback:
			return b.submitSnoozeModal(ctx, op, cb)
		}
	case slack.InteractionTypeMessageAction:
		if cb.CallbackID == slackui.ShortcutCallback {
			b.shortcut(ctx, cb)
		}
	}
	return nil
}

// blockAction handles a click on a reminder. The click is answered by
// updating the message in place; refusals go to the clicker alone.
func (b *Bot) blockAction(ctx context.Context, op string, cb slack.InteractionCallback, a *slack.BlockAction) {
	log := b.cfg.Log.With("action", a.ActionID, "user", cb.User.ID, "team", cb.Team.ID)
	value := a.Value
	if a.SelectedOption.Value != "" {
		value = a.SelectedOption.Value
	}
	// The block id names the promise and the owner the message was for.
	_, blockRef, _ := strings.Cut(a.BlockID, ":")
	_, shownOwner, _ := strings.Cut(blockRef, ":")
	if a.ActionID == slackui.ActionReassign {
		value = blockRef
	}
	idText, choice, _ := strings.Cut(value, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		log.Warn("action with a bad value", "value", value)
		return
	}
	var fn func(*store.Promise) error
	switch a.ActionID {
	case slackui.ActionDone:
		fn = b.keep(cb.User.ID)
	case slackui.ActionReassign:
		fn, err = b.reassign(ctx, cb.User.ID, a.SelectedUser)
		if err != nil {
			b.tell(ctx, cb, err)
			return
		}
	case slackui.ActionSnooze:
		p, err := b.store.Promise(cb.Team.ID, id)
		if err != nil {
			b.tell(ctx, cb, b.lookupError(err, id))
			return
		}
		if choice == "pick" {
			b.openSnoozeModal(ctx, cb, p)
			return
		}
		until, err := snoozeUntil(choice, b.cfg.Now(), b.zoneOr(ctx, p.Owner))
		if err != nil {
			log.Warn("unknown snooze choice", "choice", choice)
			return
		}
		fn = b.snooze(cb.User.ID, until)
	default:
		log.Warn("unknown action")
		return
	}
	p, err := b.change(op, cb.Team.ID, id, cb.User.ID, func(p *store.Promise) error {
		if shownOwner != "" && shownOwner != p.Owner && p.State == store.Open {
			return errReply(fmt.Sprintf("#%d now belongs to <@%s>, so this message is out of date; nothing changed.", p.ID, p.Owner))
		}
		return fn(p)
	})
	if err != nil {
		b.tell(ctx, cb, err)
		// A click on an old reminder shows what became of the promise.
		if cur, gerr := b.store.Promise(cb.Team.ID, id); gerr == nil && cur.State != store.Open && cb.Container.Type != "view" {
			b.updateReminder(ctx, cb, cur, "")
		}
		return
	}
	b.afterChange(ctx, cb, p, a.ActionID)
}

// afterChange shows the result of a click: the reminder updated in place,
// the Home tab republished, a new owner told.
func (b *Bot) afterChange(ctx context.Context, cb slack.InteractionCallback, p store.Promise, action string) {
	if cb.Container.Type != "view" {
		b.updateReminder(ctx, cb, p, action)
	}
	if action == slackui.ActionReassign {
		b.tellNewOwner(ctx, p, cb.User.ID)
	}
	b.refreshHome(ctx, p.Team, cb.User.ID)
	if p.Owner != cb.User.ID {
		b.refreshHome(ctx, p.Team, p.Owner)
	}
}

// snoozeUntil turns a snooze menu choice into a time in the owner's zone.
func snoozeUntil(choice string, now time.Time, loc *time.Location) (time.Time, error) {
	switch choice {
	case "20m":
		return now.Add(20 * time.Minute), nil
	case "1h":
		return now.Add(time.Hour), nil
	case "3h":
		return now.Add(3 * time.Hour), nil
	case "tomorrow":
		return duetime.Parse("tomorrow 9am", now, loc)
	case "monday":
		return duetime.Parse("next monday 9am", now, loc)
	}
	return time.Time{}, fmt.Errorf("inbound: unknown snooze choice %q", choice)
}

// updateReminder rewrites the clicked message to show the promise as it now
// stands ("Kept, on time", "Snoozed until …").
func (b *Bot) updateReminder(ctx context.Context, cb slack.InteractionCallback, p store.Promise, action string) {
	channel, ts := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	if channel == "" || ts == "" {
		return
	}
	loc := b.zoneOr(ctx, p.Owner)
	var c store.Customer
	if p.Customer != "" {
		c, _ = b.store.Customer(p.Team, p.Customer) // none found: no line
	}
	fallback, blocks := slackui.ReminderWithTouch(p, c, false, loc, b.cfg.Now())
	if p.State == store.Open {
		// Snoozed or handed over: a new reminder comes later, to the owner;
		// this copy no longer needs buttons.
		note := slackui.Outcome(p, loc)
		switch {
		case action == slackui.ActionReassign:
			note = "➡️ *Handed to <@" + p.Owner + ">*"
		case action == slackui.ActionDone && p.Repeat != "":
			// A series stays open: this occurrence is kept, the next is due.
			kept := "✅ *Kept, on time*"
			if !p.OnTime {
				kept = "✅ *Kept, late*"
			}
			note = kept + " · next one due " + slackui.Date(p.Due, loc)
		}
		blocks = append(blocks[:len(blocks)-1], slackui.Context(note))
	}
	if _, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.cfg.Log.Error("update reminder", "channel", channel, "ts", ts, "err", err)
	}
}

// tell answers the clicker privately, in the channel of the click.
func (b *Bot) tell(ctx context.Context, cb slack.InteractionCallback, err error) {
	text := msgInternal
	var user errReply
	if errors.As(err, &user) {
		text = string(user)
	} else {
		b.cfg.Log.Error("action failed", "err", err)
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	if channel == "" {
		// A click on the Home tab has no channel: answer in Kept's DM.
		if _, _, err := b.api.PostMessageContext(ctx, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
			b.cfg.Log.Error("post refusal to DM", "err", err)
		}
		return
	}
	if _, err := b.api.PostEphemeralContext(ctx, channel, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
		b.cfg.Log.Error("post ephemeral", "err", err)
	}
}
