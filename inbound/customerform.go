package inbound

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// The customer form (slackui.CustomerForm), and the channels a customer is
// linked to from `/customer add|edit … channel #…` and from the form. A
// channel is checked before anything is written: Kept must be in it, and
// it must not belong to another customer.

// customerFormOrigin travels in the form's private_metadata.
type customerFormOrigin struct {
	Key   string `json:"k,omitempty"` // the customer edited; "" adds one
	Reply string `json:"r,omitempty"` // the command's response_url, for the confirmation
	// KeepChannels is set when the form left the customer's channels out
	// (slackui.KeepsChannels): Save then leaves them as they are.
	KeepChannels bool `json:"kc,omitempty"`
	// Shown are the channels the form's picker started with: Save
	// unlinks those of them unpicked, and not one linked since it opened.
	Shown []string `json:"s,omitempty"`
}

// openCustomerForm opens the form for c (new: empty but for its owner).
func (b *Bot) openCustomerForm(ctx context.Context, cmd slack.SlashCommand, c store.Customer, isNew bool) error {
	var channels []string
	origin := customerFormOrigin{Reply: cmd.ResponseURL}
	if !isNew {
		origin.Key = store.CustomerKey(c.Name)
		var err error
		if channels, err = b.listen.CustomerChannels(cmd.TeamID, c.Name); err != nil {
			return fmt.Errorf("inbound: customer channels: %w", err)
		}
	}
	origin.KeepChannels = slackui.KeepsChannels(channels)
	if !origin.KeepChannels {
		origin.Shown = channels
	}
	view := slackui.CustomerForm(c, channels, isNew, b.sealMeta(cmd.UserID, slackui.CustomerFormCallback, origin))
	if _, err := b.api.OpenViewContext(ctx, cmd.TriggerID, view); err != nil {
		return fmt.Errorf("inbound: open customer form: %w", err)
	}
	return nil
}

// customerForm answers `/customer add` and `/customer edit NAME` with
// nothing else: the form, or, if it cannot open, how to say it in a line.
func (b *Bot) customerForm(c call, a customerArgs) (any, error) {
	cmd := c.cmd
	cust, isNew := store.Customer{Owner: cmd.UserID, Tier: store.StandardTier}, a.verb == "add"
	fallback := invalid("Which customer? For example `/customer add Acme every 14d tier key owner @ann`.")
	if !isNew {
		var err error
		if cust, err = b.customerFor(cmd.TeamID, "edit", a.name); err != nil {
			return nil, err
		}
		if err := b.mayChangeCustomer(cmd.UserID, cust); err != nil {
			return nil, err
		}
		fallback = invalid(fmt.Sprintf("What should change? For example `/customer edit %s every 30d`, `tier key`, `owner @bob`, `channel #acme-shared` or `notes …`.", slackui.Escape(cust.Name)))
	}
	if cmd.TriggerID == "" {
		return nil, fallback
	}
	if err := b.openCustomerForm(c.ctx, cmd, cust, isNew); err != nil {
		c.log().Error("open customer form", "err", err)
		return nil, fallback
	}
	return nil, nil
}

// checkChannels refuses, before anything is written, a channel the
// customer named customer ("" for one not yet added) cannot be linked to:
// a DM, one Kept is not in, one that belongs to another customer.
func (b *Bot) checkChannels(ctx context.Context, team, customer string, channels []string, inForm bool) error {
	if len(channels) > slackui.MaxFormChannels {
		return invalid(fmt.Sprintf("Pick at most %d channels here; link more with `/customer link`.", slackui.MaxFormChannels))
	}
	for _, ch := range channels {
		if !strings.HasPrefix(ch, "C") && !strings.HasPrefix(ch, "G") {
			return invalid("A direct message can't belong to a customer: pick the channel where we talk with them.")
		}
		name, err := b.channelReady(ctx, ch, inForm)
		if err != nil {
			return err
		}
		owner, err := b.listen.ChannelCustomer(team, ch)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case err != nil:
			return fmt.Errorf("inbound: customer of channel: %w", err)
		case customer != "" && store.CustomerKey(owner.Name) == store.CustomerKey(customer):
			continue
		case inForm:
			return conflict(fmt.Sprintf("#%s already belongs to %s; a channel belongs to one customer. Unlink it there first.", cmp.Or(name, ch), owner.Name))
		}
		return conflict(fmt.Sprintf("%s already belongs to *%s*; a channel belongs to one customer. Unlink it first with `/customer unlink %s`.", slackui.MentionChannel(ch), slackui.Escape(owner.Name), slackui.MentionChannel(ch)))
	}
	return nil
}

// setChannels links channels to the customer named customer and unlinks
// those of its channels in shown (what a form's picker started with)
// that are not among them: a channel linked since the form opened, by
// `/customer link` or another form, stays linked.
func (b *Bot) setChannels(team, user, customer string, channels, shown []string) error {
	if len(shown) > 0 {
		linked, err := b.listen.CustomerChannels(team, customer)
		if err != nil {
			return fmt.Errorf("inbound: customer channels: %w", err)
		}
		for _, ch := range linked {
			if slices.Contains(channels, ch) || !slices.Contains(shown, ch) {
				continue
			}
			// As /customer unlink does, before the unlink, so that one cut
			// short leaves the channel linked; a DM already sent about one
			// stays until its Handled, which finds it closed.
			if _, err := b.closeWaits(b.cfg.Log, team, ch, customer); err != nil {
				return fmt.Errorf("inbound: unlink: %w", err)
			}
			if _, err := b.listen.UnlinkChannel(team, ch); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("inbound: unlink: %w", err)
			}
		}
	}
	for _, ch := range channels {
		if _, err := b.listen.LinkChannel(team, ch, customer, user); err != nil {
			return fmt.Errorf("inbound: link channel: %w", err)
		}
	}
	return nil
}

// channelsText is " Channels: <#C1>, <#C2>." for a confirmation.
func channelsText(channels []string) string {
	if len(channels) == 0 {
		return ""
	}
	shown := make([]string, len(channels))
	for i, ch := range channels {
		shown[i] = slackui.MentionChannel(ch)
	}
	return " Channels: " + strings.Join(shown, ", ") + "; what our side writes there counts as a touch, and I never post there anything the customer can see."
}

// customerFormInput is what the form says, read and checked.
type customerFormInput struct {
	name       string
	owner      string
	tier       store.Tier
	cadence    string
	notes      string
	channels   []string
	setCadence bool
	// keepNotes and keepChannels say the submission left those fields
	// out (Slack sends every one; a crafted or buggy client may not):
	// they stay as they were, rather than being emptied.
	keepNotes, keepChannels bool
}

// readCustomerForm reads the form; errs says what is wrong, by block.
func (b *Bot) readCustomerForm(ctx context.Context, cb slack.InteractionCallback, isNew bool) (customerFormInput, map[string]string) {
	values := viewValues(cb)
	f := customerFormInput{
		name:     strings.TrimSpace(values[slackui.FieldName].Value),
		owner:    values[slackui.FieldOwner].SelectedUser,
		tier:     store.Tier(values[slackui.FieldTier].SelectedOption.Value),
		cadence:  strings.TrimSpace(values[slackui.FieldCadence].Value),
		notes:    strings.TrimSpace(values[slackui.FieldNotes].Value),
		channels: values[slackui.FieldChannels].SelectedConversations,
	}
	_, sentNotes := values[slackui.FieldNotes]
	_, sentChannels := values[slackui.FieldChannels]
	f.keepNotes, f.keepChannels = !sentNotes, !sentChannels
	errs := map[string]string{}
	fail := func(field string, err error) {
		if r, ok := asRefusal(err); ok {
			errs[field] = r.text
		} else if err != nil {
			b.cfg.Log.Error("customer form", "err", err)
			errs[field] = "Sorry, I could not check this. Please try again in a minute."
		}
	}
	if isNew {
		fail(slackui.FieldName, checkName(f.name, "Acme"))
	}
	if f.owner == "" {
		errs[slackui.FieldOwner] = "Pick who keeps in touch with them."
	} else if err := b.ownerOK(ctx, cb.Team.ID, f.owner); err != nil {
		errs[slackui.FieldOwner] = ownerFormError(err)
		if _, ok := asRefusal(err); !ok {
			b.cfg.Log.Error("customer form", "err", err)
		}
	}
	if f.tier != store.KeyTier && f.tier != store.StandardTier {
		errs[slackui.FieldTier] = "Pick Key or Standard."
	}
	if f.cadence != "" || !isNew {
		f.setCadence = true
		if f.cadence == "" {
			errs[slackui.FieldCadence] = "Say how often, as in every 14d, or never for no prompts."
		} else if _, err := parseCadence(f.cadence); err != nil {
			errs[slackui.FieldCadence] = unescapeEntities(err.Error())
		}
	}
	if n := utf8.RuneCountInString(f.notes); n > slackui.MaxText {
		errs[slackui.FieldNotes] = fmt.Sprintf("Those notes are %d characters long; please keep them under %d.", n, slackui.MaxText)
	}
	return f, errs
}

// submitCustomerForm adds or changes the customer and its channels. What
// is wrong keeps the form open with the error on its field; nothing is
// written until every field is right.
func (b *Bot) submitCustomerForm(ctx context.Context, op string, cb slack.InteractionCallback) any {
	var origin customerFormOrigin
	if err := b.openMeta(cb.User.ID, cb.View.CallbackID, cb.View.PrivateMetadata, &origin); err != nil {
		return viewErrors(map[string]string{slackui.FieldOwner: staleFormText})
	}
	// Slack delivered this submission again: the first took effect and
	// closed the form. Checked again now, against what it changed (a new
	// owner, say), it would be refused and the form shown open again.
	if done, err := b.store.Applied(op); err == nil && done {
		return nil
	}
	isNew, team := origin.Key == "", cb.Team.ID
	f, errs := b.readCustomerForm(ctx, cb, isNew)
	if len(errs) > 0 {
		return viewErrors(errs)
	}
	customer := f.name
	if !isNew {
		c, err := b.store.Customer(team, origin.Key)
		if errors.Is(err, store.ErrNotFound) {
			return viewErrors(map[string]string{slackui.FieldOwner: "That customer has been removed meanwhile."})
		}
		if err == nil {
			err = b.mayChangeCustomer(cb.User.ID, c)
		}
		if r, ok := asRefusal(err); ok {
			return viewErrors(map[string]string{slackui.FieldOwner: r.text})
		}
		customer = c.Name
	}
	if err := b.checkChannels(ctx, team, customer, f.channels, true); err != nil && !origin.KeepChannels && !f.keepChannels {
		if r, ok := asRefusal(err); ok {
			return viewErrors(map[string]string{slackui.FieldChannels: r.text})
		}
		b.cfg.Log.Error("customer form channels", "err", err)
		return viewErrors(map[string]string{slackui.FieldChannels: "Sorry, I could not check these channels. Please try again in a minute."})
	}
	c, before, field, err := b.saveCustomerForm(op, team, cb.User.ID, origin, f)
	if err != nil {
		if r, ok := asRefusal(err); ok {
			return viewErrors(map[string]string{field: r.text})
		}
		b.cfg.Log.Error("save customer form", "err", err)
		return viewErrors(map[string]string{field: "Sorry, I could not save this. Please try again in a minute."})
	}
	verb := "Updated"
	if isNew {
		verb = "Added"
	}
	text := fmt.Sprintf("%s *%s*: %s, %s, owned by %s.", verb, slackui.Escape(c.Name), c.Tier, slackui.CadenceText(c.Cadence), slackui.Person(c.Owner, cb.User.ID)) + channelsText(f.channels)
	b.later(ctx, func(ctx context.Context) {
		if origin.Reply != "" {
			msg := &slack.WebhookMessage{Text: text, ResponseType: "ephemeral", Blocks: &slack.Blocks{BlockSet: slackui.SplitSections(text)}}
			if err := postResponse(ctx, origin.Reply, msg); err != nil {
				b.cfg.Log.Warn("confirm customer form", "err", err)
			}
		}
		b.refreshHome(ctx, team, c.Owner)
		if before.Owner != "" && before.Owner != c.Owner {
			b.refreshHome(ctx, team, before.Owner)
		}
	})
	return nil
}

// saveCustomerForm writes what the form says: the customer, then its
// channels (those picked linked; of those it showed, the rest unlinked).
// A customer handed over tells its new owner, with the change
// (updateCustomer), as `/customer edit … owner` does; before is the
// customer as it was. On a refusal it names the field to show it on.
func (b *Bot) saveCustomerForm(op, team, user string, origin customerFormOrigin, f customerFormInput) (c, before store.Customer, field string, err error) {
	key := origin.Key
	d, _ := parseCadence(f.cadence) // checked by readCustomerForm
	if key == "" {
		c = store.Customer{Team: team, Name: f.name, Owner: f.owner, Tier: f.tier, Notes: f.notes, Cadence: b.tierCadence(f.tier)}
		if f.setCadence {
			c.Cadence = d
		}
		if err := b.notALookalike(team, c.Name); err != nil {
			return c, before, slackui.FieldName, err
		}
		c, err = b.store.AddCustomer(op, c)
		if errors.Is(err, store.ErrExists) {
			return c, before, slackui.FieldName, conflict(fmt.Sprintf("There is already a customer called %s (names match whatever the case).", c.Name))
		}
	} else {
		c, err = b.updateCustomer(op, team, key, user, b.cfg.Now(), func(c *store.Customer) error {
			if err := b.mayChangeCustomer(user, *c); err != nil {
				return err
			}
			before = *c
			c.Owner, c.Tier, c.Cadence = f.owner, f.tier, d
			if !f.keepNotes {
				c.Notes = f.notes
			}
			return nil
		})
		if errors.Is(err, store.ErrNotFound) {
			return c, before, slackui.FieldOwner, conflict("That customer has been removed meanwhile.")
		}
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		if r := modelRefusal(err); r != err {
			return c, before, slackui.FieldOwner, r
		}
		return c, before, slackui.FieldOwner, err
	}
	if origin.KeepChannels || f.keepChannels {
		return c, before, slackui.FieldChannels, nil
	}
	return c, before, slackui.FieldChannels, b.setChannels(team, user, c.Name, f.channels, origin.Shown)
}
