package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
)

// Keep-in-touch prompts: the DM a customer's owner gets when its last touch
// is older than its cadence, its buttons, the "what happened?" form, and
// the Home tab's customer sections.

const (
	actionCheckinTouch   = "checkin_touch"
	actionCheckinSnooze  = "checkin_snooze"
	actionCheckinCadence = "checkin_cadence"
	actionHomeTouch      = "customer_touch" // "Log a touch" on the Home tab

	touchCallback = "touch_modal"
	fieldNote     = "note"

	checkinSnooze = 7 * 24 * time.Hour
	// quietWithin is how close to its cadence a customer shows as going
	// quiet on the Home tab: early enough to call before the prompt.
	quietWithin = 2 * 24 * time.Hour
	homeQuiet   = 8
)

// cadenceChoices are the "Change cadence" menu.
var cadenceChoices = []struct{ value, label string }{
	{"7d", "Every week"},
	{"14d", "Every 2 weeks"},
	{"30d", "Every month"},
	{"45d", "Every 6 weeks"},
	{"60d", "Every 2 months"},
	{"90d", "Every 3 months"},
	{"180d", "Every 6 months"},
	{"never", "Never prompt"},
}

// customerInteraction handles the clicks and forms of customers and
// check-ins; ok is false for everything else, which goes to interaction.
func (b *Bot) customerInteraction(ctx context.Context, op string, cb slack.InteractionCallback) (reply any, ok bool) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		acts := cb.ActionCallback.BlockActions
		if len(acts) == 0 {
			return nil, false
		}
		for _, a := range acts {
			if !strings.HasPrefix(a.ActionID, "checkin_") && !strings.HasPrefix(a.ActionID, "customer_") {
				return nil, false
			}
		}
		for _, a := range acts {
			b.customerAction(ctx, op, cb, a)
		}
		return nil, true
	case slack.InteractionTypeViewSubmission:
		if cb.View.CallbackID == touchCallback {
			return b.submitTouchModal(ctx, op, cb), true
		}
	}
	return nil, false
}

func (b *Bot) customerAction(ctx context.Context, op string, cb slack.InteractionCallback, a *slack.BlockAction) {
	switch a.ActionID {
	case actionCustomerRemove, actionCustomerKeep:
		b.removeClicked(ctx, op, cb, a)
		return
	}
	key := a.Value
	if a.ActionID == actionCheckinCadence {
		// A menu option's value cannot hold a long name; the block id
		// names the prompt's nudge, and the nudge its customer.
		key = b.nudgeSubject(cb.Team.ID, a.BlockID)
	}
	c, err := b.store.Customer(cb.Team.ID, key)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = errReply("That customer has been removed; nothing to do.")
		}
		b.tell(ctx, cb, err)
		return
	}
	origin := touchOrigin{Key: store.CustomerKey(c.Name), Channel: cb.Container.ChannelID, TS: cb.Container.MessageTs}
	now := b.cfg.Now()
	switch a.ActionID {
	case actionCheckinTouch, actionHomeTouch:
		if err := b.openTouchModal(ctx, cb.TriggerID, c, origin); err != nil {
			b.cfg.Log.Error("open touch modal", "err", err)
		}
		return
	case actionCheckinSnooze:
		c, err = b.store.UpdateCustomer(op, cb.Team.ID, c.Name, func(c *store.Customer) error {
			if c.Cadence == 0 {
				return errReply("That customer has no check-ins any more; nothing to snooze.")
			}
			c.NextPrompt = now.Add(checkinSnooze)
			return nil
		})
	case actionCheckinCadence:
		d, perr := parseCadence(a.SelectedOption.Value)
		if perr != nil {
			b.cfg.Log.Warn("unknown cadence choice", "value", a.SelectedOption.Value)
			return
		}
		c, err = b.store.UpdateCustomer(op, cb.Team.ID, c.Name, func(c *store.Customer) error {
			c.Cadence = d
			return nil
		})
	default:
		b.cfg.Log.Warn("unknown customer action", "action", a.ActionID)
		return
	}
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		b.tell(ctx, cb, err)
		return
	}
	b.updatePrompt(ctx, cb.Team.ID, origin, c, a.ActionID, cb.User.ID)
	b.refreshHome(ctx, c.Team, c.Owner)
}

// nudgeSubject reads "checkin:<nudge id>" and returns the nudge's subject.
func (b *Bot) nudgeSubject(team, blockID string) string {
	_, idText, _ := strings.Cut(blockID, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
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
}

func (b *Bot) openTouchModal(ctx context.Context, triggerID string, c store.Customer, origin touchOrigin) error {
	origin.Key = store.CustomerKey(c.Name)
	meta, _ := json.Marshal(origin)
	note := slack.NewPlainTextInputBlockElement(plain("Called just to talk; they open an office in Lyon"), fieldValue)
	note.Multiline = true
	note.MaxLength = maxText
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      touchCallback,
		Title:           plain("Log a touch"),
		Submit:          plain("Log it"),
		Close:           plain("Cancel"),
		PrivateMetadata: string(meta),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("*" + escape(c.Name) + "*: what happened? A line is enough to remember the context next time."),
			slack.NewInputBlock(fieldNote, plain("What happened"), nil, note),
		}},
	}
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("bot: open touch modal: %w", err)
	}
	return nil
}

func (b *Bot) submitTouchModal(ctx context.Context, op string, cb slack.InteractionCallback) any {
	var origin touchOrigin
	_ = json.Unmarshal([]byte(cb.View.PrivateMetadata), &origin)
	note := strings.TrimSpace(viewValues(cb)[fieldNote].Value)
	switch n := utf8.RuneCountInString(note); {
	case note == "":
		return viewErrors(map[string]string{fieldNote: "Say in a line what happened, so it is there next time."})
	case n > maxText:
		return viewErrors(map[string]string{fieldNote: fmt.Sprintf("Keep it under %d characters.", maxText)})
	}
	kind := "call"
	if origin.TS != "" {
		kind = "prompt"
	}
	c, err := b.store.AddTouch(op, store.Touch{Team: cb.Team.ID, Customer: origin.Key, By: cb.User.ID, At: b.cfg.Now(), Kind: kind, Note: note})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return viewErrors(map[string]string{fieldNote: "That customer has been removed meanwhile."})
	case err != nil && !errors.Is(err, store.ErrDuplicate):
		b.cfg.Log.Error("add touch from modal", "err", err)
		return viewErrors(map[string]string{fieldNote: "Sorry, I could not save this. Please try again in a minute."})
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if origin.TS != "" {
			b.updatePrompt(ctx, cb.Team.ID, origin, c, actionCheckinTouch, cb.User.ID)
		} else if origin.Reply != "" {
			// The response_url of /touch: unlike chat.postEphemeral, it
			// works in a channel Kept is not a member of.
			text := fmt.Sprintf("Logged a touch with *%s*: “%s”.", escape(c.Name), escape(note))
			msg := &slack.WebhookMessage{Text: text, ResponseType: "ephemeral", Blocks: &slack.Blocks{BlockSet: []slack.Block{section(text)}}}
			if err := postResponse(ctx, origin.Reply, msg); err != nil {
				b.cfg.Log.Warn("confirm touch", "err", err)
			}
		}
		b.refreshHome(ctx, c.Team, cb.User.ID)
		if c.Owner != cb.User.ID {
			b.refreshHome(ctx, c.Team, c.Owner)
		}
	}()
	return nil
}

// updatePrompt rewrites a prompt DM after a click: what was done, and no
// more buttons.
func (b *Bot) updatePrompt(ctx context.Context, team string, origin touchOrigin, c store.Customer, action, user string) {
	if origin.Channel == "" || origin.TS == "" {
		return
	}
	loc := b.zoneOr(ctx, c.Owner)
	var note string
	switch action {
	case actionCheckinTouch:
		note = fmt.Sprintf("✅ *Touch logged* by <@%s>", user)
	case actionCheckinSnooze:
		note = "💤 *Snoozed a week*"
	case actionCheckinCadence:
		note = "🔁 *Cadence changed* to " + cadenceText(c.Cadence)
	}
	if c.Cadence > 0 {
		note += " · next check-in " + slackDay(c.NextPrompt, loc)
	}
	fallback, blocks := Checkin(c, 0, loc, b.cfg.Now())
	blocks = append(blocks[:len(blocks)-1], contextBlock(note))
	if _, _, _, err := b.api.UpdateMessageContext(ctx, origin.Channel, origin.TS, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)); err != nil {
		b.cfg.Log.Error("update check-in prompt", "channel", origin.Channel, "err", err)
	}
}

func (b *Bot) workHours() workhours.Hours {
	if b.cfg.WorkHours.IsZero() {
		return workhours.Default
	}
	return b.cfg.WorkHours
}

// deliverCheckin sends a keep-in-touch prompt, or holds it until the
// owner's working hours, or drops it when it no longer applies.
func (b *Bot) deliverCheckin(ctx context.Context, n store.Nudge) (channel, ts string, err error) {
	c, err := b.store.Customer(n.Team, n.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return "", "", nil // removed since: nothing to say
	}
	if err != nil {
		return "", "", fmt.Errorf("bot: nudge %d: %w", n.ID, err)
	}
	if c.Cadence == 0 || c.LastTouch.After(n.Created) {
		return "", "", nil // touched or set to never since it was queued
	}
	now := b.cfg.Now()
	note := fmt.Sprintf("check-in with *%s* (%s).", escape(c.Name), touchState(c, b.cfg.Zone, now))
	var gone errNoSuchUser
	loc, zerr := b.zones.zone(ctx, n.To)
	if errors.As(zerr, &gone) {
		return b.reroute(ctx, n, "account_inactive", note)
	}
	if loc == nil {
		loc = b.cfg.Zone
	}
	if wh := b.workHours(); !wh.Within(now, loc) {
		next := wh.Next(now, loc)
		return "", "", &scheduler.LaterError{Until: next, Reason: "outside the owner's working hours (" + loc.String() + ")"}
	}
	fallback, blocks := Checkin(c, n.ID, loc, now)
	channel, ts, err = b.postNudge(ctx, n, fallback, blocks)
	if err != nil {
		return b.unreachable(ctx, n, err, note)
	}
	return channel, ts, nil
}

// Checkin renders the keep-in-touch prompt for c: how long since the last
// touch against the cadence, the last note for context, and the buttons.
// nudge is the prompt's nudge id, which its block id carries for the
// cadence menu.
func Checkin(c store.Customer, nudge int64, loc *time.Location, now time.Time) (string, []slack.Block) {
	since, what := c.LastTouch, "since the last touch"
	if since.IsZero() {
		since, what = c.Created, "since it was added, with no touch logged"
	}
	head := fmt.Sprintf("🤝 *Time to check in with %s*, just to talk. It's been %s %s; you aim for %s.",
		escape(c.Name), daysText(now.Sub(since)), what, cadenceText(c.Cadence))
	fallback := fmt.Sprintf("Time to check in with %s: %s %s.", escape(c.Name), daysText(now.Sub(since)), what)
	blocks := []slack.Block{section(head)}
	if !c.LastTouch.IsZero() {
		last := fmt.Sprintf("Last time, %s, <@%s>", slackDay(c.LastTouch, loc), c.LastBy)
		if c.LastNote != "" {
			last += ": “" + escape(c.LastNote) + "”"
		} else {
			last += " left no note."
		}
		blocks = append(blocks, contextBlock(last))
	}
	if c.Notes != "" {
		blocks = append(blocks, contextBlock("Notes: "+escape(truncate(c.Notes, 300))))
	}
	key := store.CustomerKey(c.Name)
	logged := slack.NewButtonBlockElement(actionCheckinTouch, key, plain("Logged a touch"))
	logged.Style = slack.StylePrimary
	snooze := slack.NewButtonBlockElement(actionCheckinSnooze, key, plain("Snooze a week"))
	var opts []*slack.OptionBlockObject
	for _, ch := range cadenceChoices {
		opts = append(opts, slack.NewOptionBlockObject(ch.value, plain(ch.label), nil))
	}
	cadence := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain("Change cadence"), actionCheckinCadence, opts...)
	return fallback, append(blocks, slack.NewActionBlock("checkin:"+strconv.FormatInt(nudge, 10), logged, snooze, cadence))
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
	var week Week
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
	return CustomerHome(mine, week, loc, now)
}

// weekStart is Monday 00:00 of now's week in loc.
func weekStart(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	back := (int(l.Weekday()) + 6) % 7
	return time.Date(l.Year(), l.Month(), l.Day()-back, 0, 0, 0, 0, loc)
}

// Week is a person's week: promises kept on time and late, touches logged.
type Week struct{ OnTime, Late, Touches int }

// CustomerHome renders the Home tab's "Customers going quiet" (mine, past
// or within two days of their cadence, most overdue first, each with a
// button to log a touch) and "My week".
func CustomerHome(mine []store.Customer, week Week, loc *time.Location, now time.Time) []slack.Block {
	var quiet []store.Customer
	for _, c := range mine {
		if c.Cadence > 0 && !now.Before(dueAt(c).Add(-quietWithin)) {
			quiet = append(quiet, c)
		}
	}
	sortByDue(quiet)
	blocks := []slack.Block{slack.NewDividerBlock(), section(fmt.Sprintf("*🤫 Customers going quiet* (%d)", len(quiet)))}
	if len(quiet) == 0 {
		text := "None: you are in touch with all your customers."
		if len(mine) == 0 {
			text = "You own no customers yet. `/customer add NAME every 14d tier key` adds one, and I will remind you to keep in touch."
		}
		blocks = append(blocks, contextBlock(text))
	}
	for i, c := range quiet {
		if i == homeQuiet {
			blocks = append(blocks, contextBlock(fmt.Sprintf("…and %d more. `/customer list` shows them all.", len(quiet)-i)))
			break
		}
		text := fmt.Sprintf("*%s* · %s\n%s", escape(c.Name), cadenceText(c.Cadence), upperFirst(touchState(c, loc, now)))
		if c.LastNote != "" {
			text += "\nLast: “" + escape(truncate(c.LastNote, 200)) + "”"
		}
		s := section(text)
		s.Accessory = slack.NewAccessory(slack.NewButtonBlockElement(actionHomeTouch, store.CustomerKey(c.Name), plain("Log a touch")))
		blocks = append(blocks, s)
	}
	summary := fmt.Sprintf("*📈 My week*\nPromises kept on time: *%d* · kept late: *%d* · touches logged: *%d*", week.OnTime, week.Late, week.Touches)
	return append(blocks, slack.NewDividerBlock(), section(summary))
}

func sortByDue(cs []store.Customer) {
	slices.SortStableFunc(cs, func(a, b store.Customer) int { return dueAt(a).Compare(dueAt(b)) })
}
