package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/zones"
)

// modalOrigin travels in the modal's private_metadata: where it was opened,
// so the confirmation goes back there and the promise links its source.
type modalOrigin struct {
	Channel   string `json:"c,omitempty"`
	Permalink string `json:"p,omitempty"`
	Promise   int64  `json:"n,omitempty"`  // snooze modal: which promise
	TS        string `json:"ts,omitempty"` // snooze modal: the reminder to update; offer: the offer's DM
	Offer     int64  `json:"o,omitempty"`  // a follow-up offer's nudge (offer.go): its op, and its DM to update
}

func (b *Bot) openPromiseModal(ctx context.Context, triggerID, user, customer, text string, origin modalOrigin) error {
	loc := b.zoneOr(ctx, user)
	view := slackui.PromiseModalFilled(user, customer, text, b.prefillDue(text, loc), b.sealMeta(user, slackui.PromiseCallback, origin))
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("inbound: open promise modal: %w", err)
	}
	return nil
}

// prefillDue is when the form starts: the time a message asks for when it
// ends with one Kept reads as a single time ("…by Thursday?"), else
// tomorrow 9:00, in the caller's zone loc.
func (b *Bot) prefillDue(text string, loc *time.Location) time.Time {
	now := b.cfg.Now().In(loc)
	if a, err := duetime.Read(text, now, loc, b.timeOptions()); err == nil && a.Question == nil && a.Repeat == "" {
		return a.Due.In(loc)
	}
	if due, ok := dueInMessage(text, now, loc); ok { // a phrase inside the message
		return due.In(loc)
	}
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 9, 0, 0, 0, loc)
}

// formErrors is the ack that keeps a form open with messages under the
// fields that are wrong, by block id.
type formErrors map[string]string

// MarshalJSON writes the ack payload Slack reads.
func (f formErrors) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"response_action": "errors", "errors": map[string]string(f)})
}

// first is one of the messages, for the log.
func (f formErrors) first() string {
	for _, msg := range f {
		return msg
	}
	return ""
}

func viewErrors(errs map[string]string) formErrors { return formErrors(errs) }

// submitPromiseModal validates the modal and records the promise. Invalid
// input keeps the modal open with the error on the right field.
func (b *Bot) submitPromiseModal(ctx context.Context, op string, cb slack.InteractionCallback) any {
	values := viewValues(cb)
	origin, err := b.viewOrigin(cb)
	if err != nil {
		return viewErrors(map[string]string{slackui.FieldWhat: staleFormText})
	}
	f, errs := b.readPromiseForm(ctx, cb, values, nil)
	if len(errs) > 0 {
		return viewErrors(errs)
	}
	if err := b.mayRecordFor(cb.Team.ID, cb.User.ID, f.owner); err != nil {
		r, _ := asRefusal(err)
		return viewErrors(map[string]string{slackui.FieldOwner: r.text})
	}
	if origin.Offer != 0 {
		op = offerOp(cb.Team.ID, origin.Offer) // one promise per offer, Promise it or Change…
	}
	customer := f.customer
	if customer != "" {
		customer = b.knownCustomer(cb.Team.ID, customer, "") // "acme" files under Acme, as /promise does
	}
	p, err := b.store.AddPromise(op, store.Promise{
		Team:      cb.Team.ID,
		Text:      f.what,
		Customer:  customer,
		Owner:     f.owner,
		Creator:   cb.User.ID,
		Channel:   origin.Channel,
		Permalink: origin.Permalink,
		Due:       f.due.UTC(),
		Zone:      f.loc.String(),
	})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		b.cfg.Log.Error("add promise from modal", "err", err)
		return viewErrors(map[string]string{slackui.FieldWhat: "Sorry, I could not save this. Please try again in a minute."})
	}
	// The modal closes on an empty ack; the confirmation goes where it was
	// opened: in place of the offer it came from, if it came from one.
	b.later(ctx, func(ctx context.Context) {
		if origin.Offer != 0 {
			b.offerTaken(ctx, cb.User.ID, origin.Channel, origin.TS, p)
			b.tellOwner(ctx, p)
			b.refreshHome(ctx, p.Team, p.Owner)
			return
		}
		b.confirmElsewhere(ctx, p, cb.User.ID, origin.Channel)
	})
	return nil
}

// modalFields maps a model field to the form's block that holds it.
var modalFields = map[string]string{
	"text":      slackui.FieldWhat,
	"customer":  slackui.FieldCustomer,
	"owner":     slackui.FieldOwner,
	"due":       slackui.FieldDate,
	"permalink": slackui.FieldWhat,
}

// promiseFields are the promise form's fields, read and checked.
type promiseFields struct {
	customer, what, owner string
	due                   time.Time
	loc                   *time.Location // the owner's
}

// readPromiseForm reads the promise form (new, or the edit of was); what
// is wrong goes into errs under each field's block id. A field the
// submission leaves out (Slack sends every one; a crafted or buggy
// client may not) means what the form started with: for a new promise
// no customer and the submitter as owner, for an edit what was.
func (b *Bot) readPromiseForm(ctx context.Context, cb slack.InteractionCallback, values map[string]slack.BlockAction, was *store.Promise) (promiseFields, map[string]string) {
	errs := map[string]string{}
	f := promiseFields{
		customer: strings.TrimSpace(values[slackui.FieldCustomer].Value),
		what:     strings.TrimSpace(values[slackui.FieldWhat].Value),
		owner:    values[slackui.FieldOwner].SelectedUser,
	}
	if _, sent := values[slackui.FieldCustomer]; !sent && was != nil {
		f.customer = was.Customer
	}
	if _, sent := values[slackui.FieldOwner]; !sent && was != nil {
		f.owner = was.Owner
	}
	if f.owner == "" {
		f.owner = cb.User.ID
	}
	loc, err := b.zones.Zone(ctx, f.owner)
	if err != nil {
		var gone zones.NoSuchUserError
		if errors.As(err, &gone) {
			errs[slackui.FieldOwner] = "That person is not an active member of this workspace."
		}
		loc = b.cfg.Zone
	} else if b.notABot(ctx, f.owner, "keep a promise") != nil {
		// A form's error is plain text: notABot's words mention the bot.
		errs[slackui.FieldOwner] = "That's a bot, and only a person can keep a promise. Pick someone on your team."
	} else if b.notOurs(ctx, cb.Team.ID, f.owner) != nil {
		errs[slackui.FieldOwner] = "They're from another workspace or organisation, so they can't keep a promise of ours: its reminders show what we know of the customer. Pick someone on our team."
	}
	f.loc = loc
	f.due = b.pickedTime(values, loc, errs)
	// The same limits as the slash command and import (model.NewPromise).
	draft := store.Promise{Team: cb.Team.ID, Text: f.what, Customer: f.customer, Owner: f.owner, Creator: cb.User.ID, Due: f.due, Zone: loc.String()}
	if draft.Due.IsZero() {
		draft.Due = b.cfg.Now() // the date's own error is in errs
	}
	var ve *model.ValidationError
	if _, err := model.NewPromise(draft, b.cfg.Now()); errors.As(err, &ve) {
		field, ok := modalFields[ve.Field]
		if !ok {
			field = slackui.FieldWhat
		}
		if errs[field] == "" {
			errs[field] = ve.Problem
		}
	}
	return f, errs
}

// confirmElsewhere tells the recorder (and a different owner) about a promise
// made through the modal, which has no reply of its own.
func (b *Bot) confirmElsewhere(ctx context.Context, p store.Promise, user, channel string) {
	fallback, blocks := slackui.Confirmation(p, user, b.zoneOr(ctx, user), b.cfg.Now())
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
	// A new promise, as /promise @bob makes: who recorded it, and how to give it away.
	b.tellOwner(ctx, p)
	b.refreshHome(ctx, p.Team, p.Owner)
}

// tellNewOwner lets someone know a promise is now theirs.
func (b *Bot) tellNewOwner(ctx context.Context, p store.Promise, by string) {
	text := fmt.Sprintf("%s handed you a promise: %s, due %s. I'll remind you then.", slackui.MentionUser(by), slackui.Summary(p), slackui.Date(p.Due, b.cfg.Now(), b.zoneOr(ctx, p.Owner)))
	if _, _, err := b.api.PostMessageContext(ctx, p.Owner, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(slackui.Section(text))); err != nil {
		b.cfg.Log.Warn("tell new owner", "owner", p.Owner, "err", err)
	}
}

// shortcut is the "Promise a follow-up" message shortcut.
// The form opens after the ack: its trigger lasts 3 seconds, and a slow
// permalink lookup must not make Slack show an error meanwhile.
func (b *Bot) shortcut(ctx context.Context, cb slack.InteractionCallback) {
	b.later(ctx, func(ctx context.Context) { b.openFromShortcut(ctx, cb) })
}

func (b *Bot) openFromShortcut(ctx context.Context, cb slack.InteractionCallback) {
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
	// Message text comes entity-escaped, like a slash command's.
	text := unescapeEntities(cb.Message.Text)
	if utf8.RuneCountInString(text) > slackui.MaxText {
		text = string([]rune(text)[:slackui.MaxText-1]) + "…"
	}
	// The customer, as /promise finds it: the channel's, else one the message names.
	customer := b.knownCustomer(cb.Team.ID, "", text)
	if c, err := b.listen.ChannelCustomer(cb.Team.ID, cb.Channel.ID); err == nil {
		customer = c.Name
	}
	if err := b.openPromiseModal(ctx, cb.TriggerID, cb.User.ID, customer, text, origin); err != nil {
		b.cfg.Log.Error("open modal from shortcut", "err", err)
	}
}

// viewValues are a form's values by block id, its text fields made safe
// (formText).
func viewValues(cb slack.InteractionCallback) map[string]slack.BlockAction {
	values := map[string]slack.BlockAction{}
	if cb.View.State != nil {
		for block, actions := range cb.View.State.Values {
			a := actions[slackui.FieldValue]
			a.Value = formText(a.Value)
			values[block] = a
		}
	}
	return values
}

// labelledRef is the start of mention markup with a label, <@U…| or
// <#C…|: only a slash command's text carries it, Slack's way of writing
// a mention picked there.
var labelledRef = regexp.MustCompile(`<([@#][A-Z0-9]+\|)`)

// formText is what a form's text field holds, as typed: Slack neither
// escapes it nor makes mentions in it, so a labelled mention there
// (<@U0BOB|forged>) was typed by hand, and gets the word joiner typed
// markup gets in a slash command (unescapeEntities), so that it stays
// text wherever it is shown. A bare <@U0BOB> may come from a message the
// shortcut filled the form with, where it was picked in Slack, and shows
// as the mention it was.
func formText(s string) string {
	if !strings.Contains(s, "|") {
		return s
	}
	return labelledRef.ReplaceAllString(s, "<\u2060$1")
}

// viewOrigin reads a form's metadata, signed for its submitter.
func (b *Bot) viewOrigin(cb slack.InteractionCallback) (modalOrigin, error) {
	var origin modalOrigin
	err := b.openMeta(cb.User.ID, cb.View.CallbackID, cb.View.PrivateMetadata, &origin)
	return origin, err
}

// pickedTime reads the date and time pickers as a wall time in loc; what
// is wrong goes into errs under the field's block id.
func (b *Bot) pickedTime(values map[string]slack.BlockAction, loc *time.Location, errs map[string]string) time.Time {
	day, derr := time.ParseInLocation("2006-01-02", values[slackui.FieldDate].SelectedDate, loc)
	if derr != nil {
		errs[slackui.FieldDate] = "Pick a date."
	}
	clock := values[slackui.FieldTime].SelectedTime
	if clock == "" {
		clock = "09:00"
	}
	hm, terr := time.Parse("15:04", clock)
	if terr != nil {
		errs[slackui.FieldTime] = "Pick a time."
	}
	if derr != nil || terr != nil {
		return time.Time{}
	}
	// The same rules as a typed time: a wall time the clocks skip is
	// refused with the reason, never moved an hour.
	exact := day.Format(time.DateOnly) + " " + hm.Format("15:04")
	a, err := duetime.ReadPhrase(exact, b.cfg.Now(), loc, b.timeOptions())
	switch {
	case errors.Is(err, duetime.ErrPast):
		errs[slackui.FieldDate] = "That is in the past. Pick a date and time still to come."
	case err != nil:
		errs[slackui.FieldTime] = duetime.Reason(err)
	}
	return a.Due
}

// openSnoozeModal is the reminder's "Pick a time…": a date and a time in
// the owner's zone.
func (b *Bot) openSnoozeModal(ctx context.Context, cb slack.InteractionCallback, p store.Promise) {
	loc := b.zoneOr(ctx, p.Owner)
	meta := b.sealMeta(cb.User.ID, slackui.SnoozeCallback, modalOrigin{Channel: cb.Container.ChannelID, TS: cb.Container.MessageTs, Promise: p.ID})
	view := slackui.SnoozeModal(p, loc, b.cfg.Now(), string(meta))
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		b.cfg.Log.Error("open snooze modal", "err", err)
	}
}

func (b *Bot) submitSnoozeModal(ctx context.Context, op string, cb slack.InteractionCallback) any {
	origin, err := b.viewOrigin(cb)
	if err != nil {
		return viewErrors(map[string]string{slackui.FieldDate: staleFormText})
	}
	p, err := b.store.Promise(cb.Team.ID, origin.Promise)
	if err != nil {
		return viewErrors(map[string]string{slackui.FieldDate: "That promise is gone."})
	}
	errs := map[string]string{}
	until := b.pickedTime(viewValues(cb), b.zoneOr(ctx, p.Owner), errs)
	if len(errs) > 0 {
		return viewErrors(errs)
	}
	p, err = b.change(op, cb.Team.ID, p.ID, cb.User.ID, b.snooze(cb.User.ID, until))
	if err != nil {
		var user refusal
		if errors.As(err, &user) {
			return viewErrors(map[string]string{slackui.FieldDate: user.text})
		}
		b.cfg.Log.Error("snooze from modal", "err", err)
		return viewErrors(map[string]string{slackui.FieldDate: "Sorry, I could not save this. Please try again in a minute."})
	}
	cb.Container.ChannelID, cb.Container.MessageTs = origin.Channel, origin.TS
	b.later(ctx, func(ctx context.Context) {
		b.updateReminder(ctx, cb, p, slackui.ActionSnooze)
		b.refreshHome(ctx, p.Team, p.Owner)
	})
	return nil
}

// dueInMessage finds a time phrase in a message ("…the quote by
// Thursday?"), for the message shortcut's form: the text is cut after each
// word in turn, last first, and duetime reads the end of each cut, so the
// phrase may sit anywhere. Only times to come count.
func dueInMessage(text string, now time.Time, loc *time.Location) (time.Time, bool) {
	fields := strings.Fields(text)
	const maxWords = 400 // a long message costs no more than this
	for end := len(fields); end > 0 && end > len(fields)-maxWords; end-- {
		cut := strings.TrimRight(strings.Join(fields[:end], " "), "?!.,;:)\"'”’")
		if _, due, _, err := duetime.Split(cut, now, loc); err == nil && due.After(now) {
			return due, true
		}
	}
	return time.Time{}, false
}
