package inbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// promiseAction handles a click on a promise's buttons, in a reminder or
// on the Home tab. The change is committed before the ack; the message is
// rewritten and the Home tabs republished after it. A refusal goes to the
// clicker alone.
func (b *Bot) promiseAction(c click) error {
	ctx, cb, a := c.ctx, c.cb, c.a
	log := b.cfg.Log.With("action", a.ActionID, "user", cb.User.ID, "team", cb.Team.ID)
	// The block id names the promise and the owner the message was for.
	block, ok := slackui.ParsePromiseBlock(a.BlockID)
	id, choice := block.ID, ""
	if a.ActionID != slackui.ActionReassign {
		value := a.Value
		if a.SelectedOption.Value != "" {
			value = a.SelectedOption.Value
		}
		var valueID int64
		valueID, choice, ok = slackui.ParsePromiseValue(value)
		// The block and the value name the same promise in every message
		// Kept draws; a value naming another is not one of its buttons.
		if ok && block.ID != 0 && valueID != block.ID {
			ok = false
		}
		id = valueID
	}
	if !ok {
		log.Warn("action with a bad block id or value", "block", a.BlockID, "value", a.Value)
		return errDamagedButton
	}
	var fn func(*store.Promise) error
	switch a.ActionID {
	case slackui.ActionDone:
		fn = b.keep(cb.User.ID)
	case slackui.ActionReassign:
		if !model.ValidUser(a.SelectedUser) {
			log.Warn("reassign to no user", "user", a.SelectedUser)
			return errDamagedButton
		}
		var err error
		if fn, err = b.reassign(ctx, cb.Team.ID, cb.User.ID, a.SelectedUser); err != nil {
			return err
		}
	case slackui.ActionSnooze:
		p, err := b.store.Promise(cb.Team.ID, id)
		if err != nil {
			return b.lookupError(err, id)
		}
		if err := b.staleOccurrence(ctx, block, p); err != nil {
			return err
		}
		if choice == slackui.SnoozePick {
			// The form shows the promise's text: only to whoever may change it.
			if err := b.mayChangeOpen(cb.User.ID, p); err != nil {
				return err
			}
			b.later(ctx, func(ctx context.Context) { b.openSnoozeModal(ctx, cb, p) })
			return nil
		}
		until, err := snoozeUntil(choice, b.cfg.Now(), b.zoneOr(ctx, p.Owner))
		if err != nil {
			log.Warn("unknown snooze choice", "choice", choice)
			return errDamagedButton
		}
		fn = b.snooze(cb.User.ID, until)
	}
	p, err := b.change(c.op, cb.Team.ID, id, cb.User.ID, func(p *store.Promise) error {
		if block.Owner != "" && block.Owner != p.Owner && p.State == store.Open {
			return conflict(fmt.Sprintf("#%d now belongs to %s, so this message is out of date; nothing changed.", p.ID, slackui.MentionUser(p.Owner)))
		}
		if err := b.staleOccurrence(ctx, block, *p); err != nil {
			return err
		}
		return fn(p)
	})
	if err != nil {
		// A click on an old reminder shows what became of the promise, to
		// whoever may see it: a refused click never puts someone else's
		// promise in the clicker's message.
		if cur, gerr := b.store.Promise(cb.Team.ID, id); gerr == nil && cur.State != store.Open && cb.Container.Type != "view" && b.mayChange(cb.User.ID, cur) {
			b.later(ctx, func(ctx context.Context) { b.updateReminder(ctx, cb, cur, "") })
		}
		return err
	}
	b.later(ctx, func(ctx context.Context) { b.afterChange(ctx, cb, p, a.ActionID) })
	return nil
}

// staleOccurrence refuses a click on the buttons of a series occurrence
// that is behind p: kept already (a second Done, its message not yet
// redrawn, as when Kept stopped between the commit and the redraw), so
// acting would keep or snooze the next occurrence instead.
func (b *Bot) staleOccurrence(ctx context.Context, block slackui.PromiseBlock, p store.Promise) error {
	if !block.Series || p.Repeat == "" || p.State != store.Open || block.Occurrence == p.Occurrence {
		return nil
	}
	return conflict(fmt.Sprintf("That occurrence of #%d is kept already, so this message is out of date; nothing changed. The next one is due %s.",
		p.ID, slackui.Date(p.Due, b.cfg.Now(), b.zoneOr(ctx, p.Owner))))
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
	if channel == "" || ts == "" || !b.ownDM(ctx, cb.User.ID, channel) {
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
		note := slackui.Outcome(p, loc, b.cfg.Now())
		switch {
		case action == slackui.ActionReassign:
			note = "➡️ *Handed to " + slackui.MentionUser(p.Owner) + "*"
		case action == slackui.ActionDone && p.Repeat != "":
			// A series stays open: this occurrence is kept, the next is due.
			kept := "✅ *Kept, on time*"
			if !p.OnTime {
				kept = "✅ *Kept, late*"
			}
			note = kept + " · next one due " + slackui.Date(p.Due, b.cfg.Now(), loc)
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
	var user refusal
	if errors.As(err, &user) {
		text = user.text
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
		// Not a channel the clicker is in (a click forged on someone
		// else's message): Kept's DM with them still reaches them.
		b.cfg.Log.Warn("post ephemeral; answering in a DM", "err", err)
		if _, _, err := b.api.PostMessageContext(ctx, cb.User.ID, slack.MsgOptionText(text, false)); err != nil {
			b.cfg.Log.Error("post refusal to DM", "err", err)
		}
	}
}

// timeChoice answers a press on a time question's button (timeQuestion):
// the chosen command runs as if the clicker had typed it, with the
// clicker's own rights, and its answer replaces the question.
func (b *Bot) timeChoice(k click) error {
	ctx, cb, a := k.ctx, k.cb, k.a
	if a.ActionID == slackui.ActionTimeCancel {
		b.later(ctx, func(ctx context.Context) { b.respond(ctx, cb, "OK, nothing changed.") })
		return nil
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	cmd := slack.SlashCommand{Command: "/promise", Text: a.Value, TeamID: cb.Team.ID, UserID: cb.User.ID, UserName: cb.User.Name, ChannelID: channel}
	// The value was unescaped when the command was first typed: run it as is.
	const via = "time question"
	reply, err := b.route(ctx, k.op, cmd, via)
	answer, _ := b.answer(call{cmd: cmd, base: b.cfg.Log, via: via}.log, reply, err)
	m, _ := answer.(map[string]any)
	text, _ := m["text"].(string)
	blocks, _ := m["blocks"].([]slack.Block)
	if text == "" {
		text = msgInternal
	}
	if len(blocks) == 0 {
		blocks = []slack.Block{slackui.Section(text)}
	}
	b.later(ctx, func(ctx context.Context) {
		if cb.ResponseURL == "" {
			b.tell(ctx, cb, invalid(text))
			return
		}
		msg := &slack.WebhookMessage{Text: text, ReplaceOriginal: true, Blocks: &slack.Blocks{BlockSet: blocks}}
		if err := postResponse(ctx, cb.ResponseURL, msg); err != nil {
			b.cfg.Log.Error("answer a time question through response_url", "err", err)
		}
	})
	return nil
}
