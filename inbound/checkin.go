package inbound

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// Keep-in-touch prompts: the clicks on a prompt's buttons, the "what
// happened?" form, and the Home tab's customer sections. The prompt itself
// is sent by notify and drawn by slackui.

// checkinSnooze is how far "Snooze a week" moves a check-in.
const checkinSnooze = 7 * 24 * time.Hour

// customerAction handles a click on a check-in prompt's buttons and the
// Home tab's "Log a touch". Anyone may log a touch; snoozing a check-in or
// changing its cadence is a change of the customer, its owner's or an
// admin's to make, as from any other surface.
func (b *Bot) customerAction(k click) error {
	ctx, op, cb, a := k.ctx, k.op, k.cb, k.a
	key := a.Value
	if a.ActionID == slackui.ActionCheckinCadence {
		// A menu option's value cannot hold a long name; the block id
		// names the prompt's nudge, and the nudge its customer.
		key = b.nudgeSubject(cb.Team.ID, a.BlockID)
	}
	c, err := b.store.Customer(cb.Team.ID, key)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("That customer has been removed; nothing to do.")
	}
	if err != nil {
		return fmt.Errorf("inbound: customer: %w", err)
	}
	origin := touchOrigin{Key: store.CustomerKey(c.Name), Channel: cb.Container.ChannelID, TS: cb.Container.MessageTs}
	if id, ok := slackui.ParseCheckinBlock(a.BlockID); ok && slackui.HasCheckinRow(cb.Message.Blocks.BlockSet, id) {
		origin.Row = id // a row of the day's gathered check-ins: that row alone changes
	}
	now := b.cfg.Now()
	var change func(c *store.Customer) error
	switch a.ActionID {
	case slackui.ActionCheckinTouch, slackui.ActionHomeTouch:
		b.later(ctx, func(ctx context.Context) {
			if err := b.openTouchModal(ctx, cb.TriggerID, cb.User.ID, c, origin); err != nil {
				b.cfg.Log.Error("open touch modal", "err", err)
			}
		})
		return nil
	case slackui.ActionCheckinSnooze:
		// A week from now, and never before the customer is due a touch
		// (model.Customer.SnoozeCheckin): a click on an old prompt, after a
		// touch or a longer cadence, does not bring the check-in forward.
		change = func(c *store.Customer) error { return modelRefusal(c.SnoozeCheckin(now, checkinSnooze)) }
	case slackui.ActionCheckinCadence:
		d, perr := parseCadence(a.SelectedOption.Value)
		if perr != nil {
			b.cfg.Log.Warn("unknown cadence choice", "value", a.SelectedOption.Value)
			return errDamagedButton
		}
		change = func(c *store.Customer) error { return modelRefusal(c.SetCadence(d)) }
	}
	c, err = b.store.UpdateCustomer(op, cb.Team.ID, c.Name, func(c *store.Customer) error {
		if err := b.mayChangeCustomer(cb.User.ID, *c); err != nil {
			return err
		}
		return change(c)
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("That customer has been removed; nothing to do.")
	case err != nil && !errors.Is(err, store.ErrDuplicate):
		return err
	}
	b.later(ctx, func(ctx context.Context) {
		b.updatePrompt(ctx, cb.Team.ID, origin, c, a.ActionID, cb.User.ID)
		b.refreshHome(ctx, c.Team, c.Owner)
	})
	return nil
}

// nudgeSubject reads a check-in's block id and returns its nudge's subject.
func (b *Bot) nudgeSubject(team, blockID string) string {
	id, ok := slackui.ParseCheckinBlock(blockID)
	if !ok {
		return ""
	}
	n, err := b.store.Nudge(id)
	if err != nil || n.Team != team {
		return ""
	}
	return n.Subject
}

// touchOrigin travels in the touch form's private_metadata: which customer,
// and the prompt to update once the touch is logged.
type touchOrigin struct {
	Key     string `json:"k"`
	Channel string `json:"c,omitempty"`
	TS      string `json:"ts,omitempty"`
	Reply   string `json:"r,omitempty"` // the response_url of /touch, for the confirmation
	// Row is the prompt's nudge when the message is an owner's gathered
	// check-ins (slackui.Checkins): only its row is rewritten.
	Row int64 `json:"row,omitempty"`
}

func (b *Bot) openTouchModal(ctx context.Context, triggerID, user string, c store.Customer, origin touchOrigin) error {
	origin.Key = store.CustomerKey(c.Name)
	today := b.cfg.Now().In(b.zoneOr(ctx, user)).Format(time.DateOnly)
	view := slackui.TouchModal(c, today, b.sealMeta(user, slackui.TouchCallback, origin))
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("inbound: open touch modal: %w", err)
	}
	return nil
}

func (b *Bot) submitTouchModal(ctx context.Context, op string, cb slack.InteractionCallback) any {
	var origin touchOrigin
	if err := b.openMeta(cb.User.ID, cb.View.CallbackID, cb.View.PrivateMetadata, &origin); err != nil {
		return viewErrors(map[string]string{slackui.FieldNote: staleFormText})
	}
	values := viewValues(cb)
	note := strings.TrimSpace(values[slackui.FieldNote].Value)
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(note); {
	case note == "":
		errs[slackui.FieldNote] = "Say in a line what happened, so it is there next time."
	case n > slackui.MaxText:
		errs[slackui.FieldNote] = fmt.Sprintf("Keep it under %d characters.", slackui.MaxText)
	}
	// Slack sends the menu's initial option; a client that sends none
	// means the form's default, a call.
	kind, ok := model.TouchCall, true
	if v := values[slackui.FieldKind].SelectedOption.Value; v != "" {
		kind, ok = model.ParseTouchKind(v)
	}
	if !ok {
		errs[slackui.FieldKind] = "Pick what kind of touch it was."
	}
	now := b.cfg.Now()
	at, why := touchDay(values[slackui.FieldDate].SelectedDate, now, b.zoneOr(ctx, cb.User.ID))
	if why != "" {
		errs[slackui.FieldDate] = why
	}
	if len(errs) > 0 {
		return viewErrors(errs)
	}
	t := store.Touch{Team: cb.Team.ID, Customer: origin.Key, By: cb.User.ID, At: at, Kind: kind, Note: note}
	c, err := b.store.Customer(cb.Team.ID, origin.Key)
	var offer *model.Offer
	if err == nil {
		c, offer, err = b.logTouch(ctx, op, c, t)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return viewErrors(map[string]string{slackui.FieldNote: "That customer has been removed meanwhile."})
	case err != nil && !errors.Is(err, store.ErrDuplicate):
		b.cfg.Log.Error("add touch from modal", "err", err)
		return viewErrors(map[string]string{slackui.FieldNote: "Sorry, I could not save this. Please try again in a minute."})
	}
	b.later(ctx, func(ctx context.Context) {
		if origin.TS != "" {
			b.updatePrompt(ctx, cb.Team.ID, origin, c, slackui.ActionCheckinTouch, cb.User.ID)
		} else if origin.Reply != "" {
			// The response_url of /touch: unlike chat.postEphemeral, it
			// works in a channel Kept is not a member of.
			loc := b.zoneOr(ctx, cb.User.ID)
			text := slackui.TouchLogged(c, t, loc, now) + slackui.OfferAnnounced(offer, c.Owner, cb.User.ID, loc, now)
			msg := &slack.WebhookMessage{Text: text, ResponseType: "ephemeral", Blocks: &slack.Blocks{BlockSet: []slack.Block{slackui.Section(text)}}}
			if err := postResponse(ctx, origin.Reply, msg); err != nil {
				b.cfg.Log.Warn("confirm touch", "err", err)
			}
		}
		b.refreshHome(ctx, c.Team, cb.User.ID)
		if c.Owner != cb.User.ID {
			b.refreshHome(ctx, c.Team, c.Owner)
		}
	})
	return nil
}

// touchDay reads the form's day of a touch in loc: today is now, an
// earlier day 9:00 on it (as a day without a time is everywhere), a day
// ahead is refused with the reason to show under the field.
func touchDay(date string, now time.Time, loc *time.Location) (time.Time, string) {
	if date == "" {
		return now, ""
	}
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return time.Time{}, "Pick a day."
	}
	switch today := now.In(loc).Format(time.DateOnly); {
	case date == today:
		return now, ""
	case date > today:
		return time.Time{}, "That day is ahead; log a touch once it has happened."
	}
	return time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, loc), ""
}

// updatePrompt rewrites a prompt DM after a click: what was done, and no
// more buttons.
func (b *Bot) updatePrompt(ctx context.Context, team string, origin touchOrigin, c store.Customer, action, user string) {
	if origin.Channel == "" || origin.TS == "" || !b.ownDM(ctx, user, origin.Channel) {
		return
	}
	loc := b.zoneOr(ctx, c.Owner)
	var note string
	switch action {
	case slackui.ActionCheckinTouch:
		note = fmt.Sprintf("✅ *Touch logged* by %s", slackui.MentionUser(user))
	case slackui.ActionCheckinSnooze:
		note = "💤 *Snoozed a week*"
	case slackui.ActionCheckinCadence:
		note = "🔁 *Cadence changed* to " + slackui.CadenceText(c.Cadence)
	}
	if c.Cadence > 0 {
		// The same words as the card and the list (slackui.TouchState).
		note += " · " + slackui.TouchState(c, loc, b.cfg.Now())
	}
	if origin.Row != 0 {
		b.updateCheckinRow(ctx, origin, note)
		return
	}
	fallback, blocks := slackui.Checkin(c, 0, loc, b.cfg.Now())
	blocks = append(blocks[:len(blocks)-1], slackui.Context(note))
	if _, _, _, err := b.api.UpdateMessageContext(ctx, origin.Channel, origin.TS, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.cfg.Log.Error("update check-in prompt", "channel", origin.Channel, "err", err)
	}
}

// customerHome is what the Home tab shows of customers for user.
func (b *Bot) customerHome(team, user string, loc *time.Location) []slack.Block {
	now := b.cfg.Now()
	cs, err := b.store.Customers(team)
	if err != nil {
		b.cfg.Log.Error("home: list customers", "err", err)
		return nil
	}
	var mine []store.Customer
	for _, c := range cs {
		if c.Owner == user {
			mine = append(mine, c)
		}
	}
	start := weekStart(now, loc)
	ps, err := b.store.Promises(team, user, "")
	if err != nil {
		b.cfg.Log.Error("home: list promises", "err", err)
	}
	touches, err := b.store.TouchesBetween(team, start, now.Add(time.Nanosecond))
	if err != nil {
		b.cfg.Log.Error("home: list touches", "err", err)
	}
	var week slackui.Week
	for _, p := range ps {
		if !p.KeptAt.Before(start) && !p.KeptAt.IsZero() {
			if p.OnTime {
				week.OnTime++
			} else {
				week.Late++
			}
		}
	}
	for _, t := range touches {
		if t.By == user {
			week.Touches++
		}
	}
	health, err := b.teamHealth(team, mine)
	if err != nil {
		b.cfg.Log.Error("home: customers' health", "err", err)
	}
	return slackui.CustomerHome(mine, health, week, loc, now)
}

// weekStart is Monday 00:00 of now's week in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	back := (int(l.Weekday()) + 6) % 7
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
}
