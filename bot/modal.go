package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// The promise modal: opened by `/promise` with no text and by the message
// shortcut, which prefills it with the message and keeps its permalink.
const (
	modalCallback    = "promise_modal"
	snoozeCallback   = "snooze_modal"
	shortcutCallback = "promise_followup"

	fieldCustomer = "customer"
	fieldWhat     = "what"
	fieldDate     = "date"
	fieldTime     = "time"
	fieldOwner    = "owner"
	fieldValue    = "value" // the action id of every input in the modal
)

// modalOrigin travels in the modal's private_metadata: where it was opened,
// so the confirmation goes back there and the promise links its source.
type modalOrigin struct {
	Channel   string `json:"c,omitempty"`
	Permalink string `json:"p,omitempty"`
	Promise   int64  `json:"n,omitempty"`  // snooze modal: which promise
	TS        string `json:"ts,omitempty"` // snooze modal: the reminder to update
}

func (b *Bot) openPromiseModal(ctx context.Context, triggerID, user, text string, origin modalOrigin) error {
	loc := b.zoneOr(ctx, user)
	meta, _ := json.Marshal(origin)
	view := promiseModal(user, text, b.cfg.Now().In(loc), string(meta))
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("bot: open promise modal: %w", err)
	}
	return nil
}

// promiseModal is the form: customer, what, date, time and owner.
func promiseModal(user, text string, now time.Time, meta string) slack.ModalViewRequest {
	customer := slack.NewPlainTextInputBlockElement(plain("Acme"), fieldValue)
	what := slack.NewPlainTextInputBlockElement(plain("Send the renewal quote"), fieldValue)
	what.Multiline = true
	what.MaxLength = maxText
	what.InitialValue = text
	date := slack.NewDatePickerBlockElement(fieldValue)
	date.InitialDate = now.AddDate(0, 0, 1).Format("2006-01-02")
	tm := slack.NewTimePickerBlockElement(fieldValue)
	tm.InitialTime = "09:00"
	owner := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, plain("Who keeps it"), fieldValue)
	owner.InitialUser = user
	customerInput := slack.NewInputBlock(fieldCustomer, plain("Customer"), nil, customer)
	customerInput.Optional = true
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      modalCallback,
		Title:           plain("Promise a follow-up"),
		Submit:          plain("Promise"),
		Close:           plain("Cancel"),
		PrivateMetadata: meta,
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			customerInput,
			slack.NewInputBlock(fieldWhat, plain("What did you promise?"), nil, what),
			slack.NewInputBlock(fieldDate, plain("Due date"), nil, date),
			slack.NewInputBlock(fieldTime, plain("Time (the owner's time zone)"), nil, tm),
			slack.NewInputBlock(fieldOwner, plain("Owner"), nil, owner),
		}},
	}
}

// viewErrors is the ack that keeps the modal open with messages under the
// fields that are wrong.
func viewErrors(errs map[string]string) map[string]any {
	return map[string]any{"response_action": "errors", "errors": errs}
}

// submitPromiseModal validates the modal and records the promise. Invalid
// input keeps the modal open with the error on the right field.
func (b *Bot) submitPromiseModal(ctx context.Context, op string, cb slack.InteractionCallback) any {
	values := viewValues(cb)
	origin := viewOrigin(cb)
	errs := map[string]string{}
	customer := strings.TrimSpace(values[fieldCustomer].Value)
	what := strings.TrimSpace(values[fieldWhat].Value)
	switch {
	case what == "":
		errs[fieldWhat] = "Say what you promised."
	case utf8.RuneCountInString(what) > maxText:
		errs[fieldWhat] = fmt.Sprintf("Keep it under %d characters.", maxText)
	}
	if utf8.RuneCountInString(customer) > 200 {
		errs[fieldCustomer] = "A customer name is at most 200 characters."
	}
	owner := values[fieldOwner].SelectedUser
	if owner == "" {
		owner = cb.User.ID
	}
	loc, err := b.zones.zone(ctx, owner)
	if err != nil {
		var gone errNoSuchUser
		if errors.As(err, &gone) {
			errs[fieldOwner] = "That person is not an active member of this workspace."
		}
		loc = b.cfg.Zone
	}
	due := b.pickedTime(values, loc, errs)
	if len(errs) > 0 {
		return viewErrors(errs)
	}
	p, err := b.store.AddPromise(op, store.Promise{
		Team:      cb.Team.ID,
		Text:      what,
		Customer:  customer,
		Owner:     owner,
		Creator:   cb.User.ID,
		Channel:   origin.Channel,
		Permalink: origin.Permalink,
		Due:       due.UTC(),
		Zone:      loc.String(),
	})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		b.cfg.Log.Error("add promise from modal", "err", err)
		return viewErrors(map[string]string{fieldWhat: "Sorry, I could not save this. Please try again in a minute."})
	}
	// The modal closes on an empty ack; the confirmation goes where it was opened.
	go b.confirmElsewhere(context.WithoutCancel(ctx), p, cb.User.ID, origin.Channel)
	return nil
}

// confirmElsewhere tells the recorder (and a different owner) about a promise
// made through the modal, which has no reply of its own.
func (b *Bot) confirmElsewhere(ctx context.Context, p store.Promise, user, channel string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	fallback, blocks := confirmation(p, user, b.zoneOr(ctx, user))
	opts := []slack.MsgOption{slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)}
	var err error
	if channel != "" {
		_, err = b.api.PostEphemeralContext(ctx, channel, user, opts...)
	} else {
		_, _, err = b.api.PostMessageContext(ctx, user, opts...)
	}
	if err != nil {
		b.cfg.Log.Warn("confirm modal promise", "err", err)
	}
	if p.Owner != user {
		b.tellNewOwner(ctx, p, user)
	}
	b.refreshHome(ctx, p.Team, p.Owner)
}

// tellNewOwner lets someone know a promise is now theirs.
func (b *Bot) tellNewOwner(ctx context.Context, p store.Promise, by string) {
	text := fmt.Sprintf("<@%s> handed you a promise: %s, due %s. I'll remind you then.", by, summary(p), slackDate(p.Due, b.zoneOr(ctx, p.Owner)))
	if _, _, err := b.api.PostMessageContext(ctx, p.Owner, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(section(text))); err != nil {
		b.cfg.Log.Warn("tell new owner", "owner", p.Owner, "err", err)
	}
}

// shortcut is the "Promise a follow-up" message shortcut.
func (b *Bot) shortcut(ctx context.Context, cb slack.InteractionCallback) {
	origin := modalOrigin{Channel: cb.Channel.ID}
	ts := cb.Message.Timestamp
	if ts == "" {
		ts = cb.MessageTs
	}
	if link, err := b.api.GetPermalinkContext(ctx, &slack.PermalinkParameters{Channel: cb.Channel.ID, Ts: ts}); err == nil {
		origin.Permalink = link
	} else {
		b.cfg.Log.Warn("permalink for shortcut", "err", err)
	}
	text := cb.Message.Text
	if utf8.RuneCountInString(text) > maxText {
		text = string([]rune(text)[:maxText-1]) + "…"
	}
	if err := b.openPromiseModal(ctx, cb.TriggerID, cb.User.ID, text, origin); err != nil {
		b.cfg.Log.Error("open modal from shortcut", "err", err)
	}
}

func viewValues(cb slack.InteractionCallback) map[string]slack.BlockAction {
	values := map[string]slack.BlockAction{}
	if cb.View.State != nil {
		for block, actions := range cb.View.State.Values {
			values[block] = actions[fieldValue]
		}
	}
	return values
}

func viewOrigin(cb slack.InteractionCallback) modalOrigin {
	var origin modalOrigin
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &origin)
	return origin
}

// pickedTime reads the date and time pickers as a wall time in loc; what
// is wrong goes into errs under the field's block id.
func (b *Bot) pickedTime(values map[string]slack.BlockAction, loc *time.Location, errs map[string]string) time.Time {
	day, derr := time.ParseInLocation("2006-01-02", values[fieldDate].SelectedDate, loc)
	if derr != nil {
		errs[fieldDate] = "Pick a date."
	}
	clock := values[fieldTime].SelectedTime
	if clock == "" {
		clock = "09:00"
	}
	hm, terr := time.Parse("15:04", clock)
	if terr != nil {
		errs[fieldTime] = "Pick a time."
	}
	if derr != nil || terr != nil {
		return time.Time{}
	}
	t := time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, loc)
	if !t.After(b.cfg.Now()) {
		errs[fieldDate] = "That is in the past. Pick a date and time still to come."
	}
	return t
}

// openSnoozeModal is the reminder's "Pick a time…": a date and a time in
// the owner's zone.
func (b *Bot) openSnoozeModal(ctx context.Context, cb slack.InteractionCallback, p store.Promise) {
	loc := b.zoneOr(ctx, p.Owner)
	meta, _ := json.Marshal(modalOrigin{Channel: cb.Container.ChannelID, TS: cb.Container.MessageTs, Promise: p.ID})
	date := slack.NewDatePickerBlockElement(fieldValue)
	date.InitialDate = b.cfg.Now().In(loc).AddDate(0, 0, 1).Format("2006-01-02")
	tm := slack.NewTimePickerBlockElement(fieldValue)
	tm.InitialTime = "09:00"
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      snoozeCallback,
		Title:           plain("Snooze #" + strconv.FormatInt(p.ID, 10)),
		Submit:          plain("Snooze"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section(summary(p)),
			slack.NewInputBlock(fieldDate, plain("Date"), nil, date),
			slack.NewInputBlock(fieldTime, plain("Time ("+loc.String()+")"), nil, tm),
		}},
	}
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		b.cfg.Log.Error("open snooze modal", "err", err)
	}
}

func (b *Bot) submitSnoozeModal(ctx context.Context, op string, cb slack.InteractionCallback) any {
	origin := viewOrigin(cb)
	p, err := b.store.Promise(cb.Team.ID, origin.Promise)
	if err != nil {
		return viewErrors(map[string]string{fieldDate: "That promise is gone."})
	}
	errs := map[string]string{}
	until := b.pickedTime(viewValues(cb), b.zoneOr(ctx, p.Owner), errs)
	if len(errs) > 0 {
		return viewErrors(errs)
	}
	p, err = b.change(op, cb.Team.ID, p.ID, cb.User.ID, b.snooze(cb.User.ID, until))
	if err != nil {
		var user errReply
		if errors.As(err, &user) {
			return viewErrors(map[string]string{fieldDate: string(user)})
		}
		b.cfg.Log.Error("snooze from modal", "err", err)
		return viewErrors(map[string]string{fieldDate: "Sorry, I could not save this. Please try again in a minute."})
	}
	cb.Container.ChannelID, cb.Container.MessageTs = origin.Channel, origin.TS
	b.updateReminder(ctx, cb, p, actionSnooze)
	b.refreshHome(ctx, p.Team, p.Owner)
	return nil
}
