package inbound

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/zones"
)

// mention matches an escaped user mention as Slack sends it with
// should_escape on: <@U123|ann> or <@U123>.
var mention = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)

const msgInternal = "Sorry, something went wrong on my side and nothing was changed. Please try again in a minute."

const usagePromise = "Try `/promise Acme: send the renewal quote friday 5pm`, or `/promise help`."

// promiseForm is `/promise` alone: the form.
func (b *Bot) promiseForm(c call) (any, error) {
	if err := b.openPromiseModal(c.ctx, c.cmd.TriggerID, c.cmd.UserID, "", "", modalOrigin{Channel: c.cmd.ChannelID}); err != nil {
		c.log().Error("open promise modal", "err", err)
		return nil, unavailable("I couldn't open the form. Record it in one line instead: " + usagePromise)
	}
	return nil, nil
}

// changeVerb is the handler of `/promise done|cancel|snooze N [WHEN]`.
func changeVerb(verb string) func(*Bot, call) (any, error) {
	return func(b *Bot, c call) (any, error) { return b.changeByCommand(c.ctx, c.op, c.cmd, verb, c.args) }
}

func (b *Bot) newPromise(c call) (any, error) {
	ctx, op, cmd := c.ctx, c.op, c.cmd
	// The limits are the model's (model.NewPromise, through AddPromise),
	// the same for the form, the shortcut and import.
	text := strings.TrimSpace(cmd.Text)
	owner := cmd.UserID
	if m := mention.FindStringSubmatch(text); m != nil {
		owner = m[1]
		text = strings.TrimSpace(text[len(m[0]):])
	} else if err := notAMention(text); err != nil && !b.startsWithCustomer(cmd.TeamID, text) {
		return nil, err
	}
	customer, what := splitCustomer(text)
	customer = b.knownCustomer(cmd.TeamID, customer, what) // the stored spelling (customer.go)
	loc, err := b.zones.Zone(ctx, owner)
	zoneGuessed := err != nil
	if err != nil {
		var gone zones.NoSuchUserError
		if errors.As(err, &gone) {
			return nil, notFound(fmt.Sprintf("I can't find an active Slack user %s to own this promise. Name someone who is in this workspace.", slackui.MentionUser(owner)))
		}
		b.cfg.Log.Warn("owner zone unknown, using the workspace zone", "owner", owner, "err", err)
	} else if err := b.notABot(ctx, owner, "keep a promise"); err != nil {
		return nil, err
	} else if err := b.notOurs(ctx, cmd.TeamID, owner); err != nil {
		return nil, err
	}
	ans, err := duetime.Read(what, b.cfg.Now(), loc, b.timeOptions())
	if err != nil {
		return nil, timeError(err, what, usagePromise)
	}
	if ans.Question != nil {
		return timeQuestion(cmd.Text, *ans.Question, ans.Phrase)
	}
	what, due, repeat := ans.What, ans.Due, ans.Repeat
	if strings.TrimSpace(what) == "" {
		return nil, invalid("What did you promise? " + usagePromise)
	}
	if err := b.mayRecordFor(cmd.TeamID, cmd.UserID, owner); err != nil {
		return nil, err
	}
	p, err := b.store.AddPromise(op, store.Promise{
		Team:     cmd.TeamID,
		Text:     what,
		Customer: customer,
		Owner:    owner,
		Creator:  cmd.UserID,
		Channel:  cmd.ChannelID,
		Due:      due.UTC(),
		Zone:     loc.String(),
		Repeat:   repeat,
	})
	if err != nil && !errors.Is(err, store.ErrDuplicate) {
		if r := modelRefusal(err); r != err {
			return nil, r
		}
		return nil, fmt.Errorf("inbound: add promise: %w", err)
	}
	callerLoc := loc
	if owner != cmd.UserID {
		callerLoc = b.zoneOr(ctx, cmd.UserID)
		if !errors.Is(err, store.ErrDuplicate) {
			b.later(ctx, func(ctx context.Context) { b.tellOwner(ctx, p) })
		}
	}
	fallback, blocks := slackui.Confirmation(p, cmd.UserID, callerLoc, b.cfg.Now())
	if zoneGuessed {
		blocks = slackui.WithZoneGuess(blocks, p, cmd.UserID, loc)
	}
	return ephemeral(fallback, blocks...), nil
}

// notAMention refuses text that starts with an @name Slack did not make a
// mention of: nobody of that name is in the workspace (a typo, someone
// gone), and recorded as it is the promise would be the caller's, for a
// customer called "@nope Acme".
func notAMention(text string) error {
	first, _, _ := strings.Cut(text, " ")
	if len(first) < 2 || first[0] != '@' {
		return nil
	}
	return notFound(fmt.Sprintf("I can't find a Slack user %s in this workspace, so I recorded nothing. Pick the person from Slack's @ menu so that it becomes a mention, as in `/promise @ann Acme: call back tomorrow 3pm`.", slackui.Escape(strings.TrimRight(first, ":,"))))
}

// startsWithCustomer says whether text starts with a known customer's
// name ("@Home Realty: call back"), which an @ that Slack made no mention
// of may start as well as an unknown person's @name.
func (b *Bot) startsWithCustomer(team, text string) bool {
	_, _, ok := b.leadingCustomer(team, strings.Fields(text), maxNameWords)
	return ok
}

// splitCustomer takes "Acme: send the quote" apart. The colon must be
// followed by a space (or end the text) so that "call at 15:30" names no one.
func splitCustomer(text string) (customer, rest string) {
	i := strings.Index(text+" ", ": ")
	if i <= 0 || i > 80 {
		return "", text
	}
	return strings.TrimSpace(text[:i]), strings.TrimSpace(text[i+1:])
}

// timeError says why a time was refused: duetime gives the reason in
// words a person can act on ("“last friday” is in the past", "2:30am on
// Sun 14 Mar 2027 does not exist in America/New_York …"), and usage the
// right form of the command it came in.
func timeError(err error, text, usage string) error {
	switch {
	case errors.Is(err, duetime.ErrNoWhat):
		return invalid("What did you promise? " + usagePromise)
	case errors.Is(err, duetime.ErrNoTime) && strings.TrimSpace(text) == "":
		return invalid("What did you promise, and when? " + usagePromise)
	}
	if reason := duetime.Reason(err); reason != "" {
		return invalid(slackui.Escape(reason) + " " + usage)
	}
	return invalid("I couldn't read that: " + slackui.Escape(err.Error()) + ". " + usage)
}

// usageChange is the right form of `/promise snooze|move N WHEN`.
func usageChange(verb string, id int64) string {
	if verb == "move" {
		return fmt.Sprintf("For example `/promise move %d friday 5pm`.", id)
	}
	return fmt.Sprintf("For example `/promise snooze %d tomorrow 9am` or `/promise snooze %d in 2 hours`.", id, id)
}

// timeOptions are the workspace settings time phrases depend on.
func (b *Bot) timeOptions() duetime.Options {
	return duetime.Options{Work: b.cfg.WorkHours}
}

// timeQuestion answers a phrase that reads more than one way ("3/4", or
// "nov 30" gone by this year) with a button for each reading. A button
// carries the command as typed with the phrase replaced by the exact
// time chosen, so pressing it is the same as typing that (timeChoice).
func timeQuestion(text string, q duetime.Question, phrase string) (any, error) {
	base, ok := strings.CutSuffix(strings.TrimSpace(text), phrase)
	values := make([]string, len(q.Choices))
	for i, c := range q.Choices {
		values[i] = base + c.Phrase
	}
	if ok {
		if fallback, blocks, fits := slackui.TimeQuestion(q, values); fits {
			return ephemeral(fallback, blocks...), nil
		}
	}
	var exact []string
	for _, c := range q.Choices {
		exact = append(exact, "“"+c.Phrase+"” ("+c.Label+")")
	}
	return nil, invalid(slackui.Escape(q.Text) + " Write the time exactly: " + strings.Join(exact, " or ") + ".")
}

// zoneOr is the user's zone, or the workspace's when Slack cannot tell.
func (b *Bot) zoneOr(ctx context.Context, user string) *time.Location {
	return b.zones.Or(ctx, user)
}

// changeByCommand is `/promise done|cancel|snooze|move N [WHEN]`.
func (b *Bot) changeByCommand(ctx context.Context, op string, cmd slack.SlashCommand, verb, rest string) (any, error) {
	num, when, _ := strings.Cut(rest, " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(num, "#"), 10, 64)
	if err != nil || id <= 0 {
		form := "`/promise " + verb + " 42`"
		switch verb {
		case "snooze":
			form = "`/promise snooze 42 tomorrow`"
		case "move":
			form = "`/promise move 42 friday 5pm`"
		}
		return nil, invalid("Which promise? Give its number, like " + form + ". `/promise list` shows yours.")
	}
	if extra := strings.TrimSpace(when); extra != "" && (verb == "done" || verb == "cancel") {
		// "done 1 2" or "cancel 4 5": one promise at a time, or a second
		// number would be dropped without a word.
		return nil, invalid(fmt.Sprintf("`/promise %s` takes one promise number and nothing after it; I didn't understand “%s”, so I changed nothing. For example `/promise %s %d`.", verb, slackui.Text(extra), verb, id))
	}
	var change func(p *store.Promise) error
	switch verb {
	case "done":
		change = b.keep(cmd.UserID)
	case "cancel":
		change = b.cancel(cmd.UserID)
	case "snooze", "move":
		when = strings.TrimSpace(when)
		if when == "" && verb == "snooze" {
			return nil, invalid(fmt.Sprintf("Until when? For example `/promise snooze %d tomorrow` or `/promise snooze %d in 2 hours`.", id, id))
		}
		if when == "" {
			return nil, invalid(fmt.Sprintf("To when? Say the new time you told the customer, for example `/promise move %d friday 5pm`.", id))
		}
		p, err := b.store.Promise(cmd.TeamID, id)
		if err != nil {
			return nil, b.lookupError(err, id)
		}
		loc := b.zoneOr(ctx, p.Owner)
		ans, err := duetime.ReadPhrase(when, b.cfg.Now(), loc, b.timeOptions())
		switch {
		case err != nil:
			return nil, timeError(err, when, usageChange(verb, id))
		case ans.Question != nil:
			return timeQuestion(cmd.Text, *ans.Question, ans.Phrase)
		case ans.Repeat != "":
			return nil, invalid(fmt.Sprintf("A %s is to one time, and “%s” repeats. Give one time, such as `/promise %s %d tomorrow 9am`.", verb, slackui.Escape(ans.Phrase), verb, id))
		}
		change = b.snooze(cmd.UserID, ans.Due)
		if verb == "move" {
			change = b.move(cmd.UserID, ans.Due)
		}
	}
	p, err := b.change(op, cmd.TeamID, id, cmd.UserID, change)
	if err != nil {
		return nil, err
	}
	text := b.changedText(p, verb, cmd.UserID, b.zoneOr(ctx, cmd.UserID))
	return ephemeral(text, slackui.Section(text)), nil
}

// mayChangeOpen refuses user a change of p unless they may make it (the
// owner, who recorded it, an admin) and p is still open.
func (b *Bot) mayChangeOpen(user string, p store.Promise) error {
	if !b.mayChange(user, p) {
		if p.Creator == "" || p.Creator == p.Owner {
			return forbidden(fmt.Sprintf("Only %s, who owns #%d, or an admin can change it.", slackui.MentionUser(p.Owner), p.ID))
		}
		return forbidden(fmt.Sprintf("Only %s (who owns #%d), %s (who recorded it) or an admin can change it.", slackui.MentionUser(p.Owner), p.ID, slackui.MentionUser(p.Creator)))
	}
	if p.State != store.Open {
		return conflict(fmt.Sprintf("#%d is already %s; nothing to change. `/promise list` shows what is still open.", p.ID, p.State))
	}
	return nil
}

// change applies fn to promise id after checking that user may change it
// and that it is still open. A keep that names a known customer logs the
// touch, and a change the promise's creator is to hear of queues their
// notice (model.CreatorNotice), in the same unit of work: all commit, or
// none, and a redelivered envelope tells nobody twice.
func (b *Bot) change(op, team string, id int64, user string, fn func(*store.Promise) error) (store.Promise, error) {
	var p store.Promise
	now := b.cfg.Now()
	err := b.store.Update(op, func(tx store.Tx) (err error) {
		var before store.Promise
		p, err = tx.UpdatePromise(team, id, func(p *store.Promise) error {
			if err := b.mayChangeOpen(user, *p); err != nil {
				return err
			}
			before = *p
			return modelRefusal(fn(p))
		})
		if err != nil {
			return err
		}
		if n, ok := model.CreatorNotice(before, p, user, now); ok {
			if _, err := tx.AddNudge(n); err != nil {
				return err
			}
		}
		return touchForPromise(tx, user, p)
	})
	if errors.Is(err, store.ErrDuplicate) {
		p, err = b.store.Promise(team, id) // a redelivered envelope: answer as the first time
	}
	if err != nil {
		return p, b.lookupError(err, id)
	}
	return p, nil
}

// modelRefusal turns the model's refusal of a record or a transition
// into a refusal for the user: the same words on every path.
func modelRefusal(err error) error {
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		// A problem may quote what it refused (an id from the payload):
		// shown in mrkdwn, escaped, it can ping no one.
		return invalid(slackui.Escape(ve.Problem))
	case errors.Is(err, model.ErrNotOpen):
		return conflict("That promise is no longer open; nothing to change.")
	}
	return err
}

func (b *Bot) lookupError(err error, id int64) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(fmt.Sprintf("There is no promise #%d here. `/promise list` shows yours.", id))
	}
	var user refusal
	if errors.As(err, &user) {
		return user
	}
	return fmt.Errorf("inbound: promise #%d: %w", id, err)
}

func (b *Bot) keep(user string) func(*store.Promise) error {
	now := b.cfg.Now()
	return func(p *store.Promise) error { return p.Keep(user, now) }
}

func (b *Bot) cancel(user string) func(*store.Promise) error {
	now := b.cfg.Now()
	return func(p *store.Promise) error { return p.Cancel(user, now) }
}

// snooze moves the reminder; what was promised stays (model.Promise.Snooze).
func (b *Bot) snooze(user string, until time.Time) func(*store.Promise) error {
	now := b.cfg.Now()
	return func(p *store.Promise) error { return p.Snooze(user, until, now) }
}

// move changes what was promised (model.Promise.Move).
func (b *Bot) move(user string, due time.Time) func(*store.Promise) error {
	now := b.cfg.Now()
	return func(p *store.Promise) error { return p.Move(user, due, now) }
}

func (b *Bot) changedText(p store.Promise, verb, caller string, loc *time.Location) string {
	switch {
	case verb == "done" && p.Repeat != "" && p.State == store.Open:
		return fmt.Sprintf("Kept %s. Next one is due %s.", slackui.Summary(p), slackui.Date(p.Due, b.cfg.Now(), loc))
	case verb == "done" && p.OnTime:
		return fmt.Sprintf("Kept, on time: %s. Well done.", slackui.Summary(p))
	case verb == "done":
		return fmt.Sprintf("Kept, late: %s. Better late than never.", slackui.Summary(p))
	case verb == "cancel":
		return fmt.Sprintf("Cancelled %s. I won't remind anyone.", slackui.Summary(p))
	case verb == "move":
		return fmt.Sprintf("Moved %s: now promised for %s (first promised for %s). I'll remind %s then.", slackui.Summary(p), slackui.Date(p.Due, b.cfg.Now(), loc), slackui.Date(p.MovedFrom, b.cfg.Now(), loc), slackui.Person(p.Owner, caller))
	}
	return fmt.Sprintf("Snoozed the reminder for %s until %s; it is still promised for %s.", slackui.Summary(p), slackui.Date(p.ReminderAt(), b.cfg.Now(), loc), slackui.Date(p.Due, b.cfg.Now(), loc))
}

// give is `/promise give 42 @bob`.
func (b *Bot) give(c call) (any, error) {
	ctx, op, cmd, rest := c.ctx, c.op, c.cmd, c.args
	num, who, _ := strings.Cut(rest, " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(num, "#"), 10, 64)
	who = strings.TrimSpace(who)
	m := mention.FindStringSubmatch(who)
	if err != nil || id <= 0 || m == nil {
		return nil, invalid("Give which promise to whom? For example `/promise give 42 @bob`.")
	}
	if extra := strings.TrimSpace(who[len(m[0]):]); extra != "" {
		// "give 4 @bob @cid": one promise, to one person.
		return nil, invalid(fmt.Sprintf("`/promise give` takes one promise number and one person; I didn't understand “%s”, so I changed nothing. For example `/promise give %d @bob`.", slackui.Text(extra), id))
	}
	fn, err := b.reassign(ctx, cmd.TeamID, cmd.UserID, m[1])
	if err != nil {
		return nil, err
	}
	p, err := b.change(op, cmd.TeamID, id, cmd.UserID, fn)
	if err != nil {
		return nil, err
	}
	b.later(ctx, func(ctx context.Context) {
		b.tellNewOwner(ctx, p, cmd.UserID)
		b.refreshHome(ctx, p.Team, p.Owner)
	})
	them := "them"
	if p.Owner == cmd.UserID {
		them = "you"
	}
	text := fmt.Sprintf("Gave %s to %s. I'll remind %s %s.", slackui.Summary(p), slackui.Person(p.Owner, cmd.UserID), them, slackui.Date(p.Due, b.cfg.Now(), b.zoneOr(ctx, cmd.UserID)))
	return ephemeral(text, slackui.Section(text)), nil
}

// notABot refuses a bot user (an app's, or Slackbot) for a person's part,
// role ("keep a promise"): Slack opens no DM with a bot, so its reminders
// and prompts would never arrive. When Slack cannot be asked, the user
// is taken for a person, as their zone is guessed.
func (b *Bot) notABot(ctx context.Context, user, role string) error {
	if bot, err := b.zones.Bot(ctx, user); err == nil && bot {
		return invalid(fmt.Sprintf("%s is a bot, and only a person can %s. Name someone on your team.", slackui.MentionUser(user), role))
	}
	return nil
}

// notOurs refuses as a promise's owner someone of another workspace or
// organisation (the customer's people in a shared channel): its
// reminders carry the customer's last note, which, as for a customer's
// owner (ownerOK), stays on our side. Guests of ours may keep one. When
// Slack cannot be asked, the owner is taken for one of ours.
func (b *Bot) notOurs(ctx context.Context, team, user string) error {
	if s, err := b.zones.StandingIn(ctx, user, team); err == nil && s == zones.Foreign {
		return forbidden(fmt.Sprintf("%s is from another workspace or organisation, so they can't keep a promise of ours: its reminders show what we know of the customer. Name someone on our team.", slackui.MentionUser(user)))
	}
	return nil
}

// reassign makes to the owner. The due instant stays; the reminder is
// rendered in the new owner's zone, and a recurrence follows their clock.
func (b *Bot) reassign(ctx context.Context, team, by, to string) (func(*store.Promise) error, error) {
	loc, err := b.zones.Zone(ctx, to)
	var gone zones.NoSuchUserError
	switch {
	case errors.As(err, &gone):
		return nil, notFound(fmt.Sprintf("I can't find an active Slack user %s to give it to.", slackui.MentionUser(to)))
	case err != nil:
		// Without their zone a series would follow the wrong clock for good.
		b.cfg.Log.Warn("zone of new owner unknown", "user", to, "err", err)
		return nil, unavailable(fmt.Sprintf("I couldn't ask Slack for %s's time zone just now; nothing changed. Please try again in a minute.", slackui.MentionUser(to)))
	}
	if err := b.notABot(ctx, to, "keep a promise"); err != nil {
		return nil, err
	}
	if err := b.notOurs(ctx, team, to); err != nil {
		return nil, err
	}
	now := b.cfg.Now()
	return func(p *store.Promise) error {
		if p.Owner == to { // said here, where who asks is known: "already yours"
			whose := slackui.MentionUser(to) + "'s"
			if to == by {
				whose = "yours"
			}
			return invalid(fmt.Sprintf("#%d is already %s; nothing changed.", p.ID, whose))
		}
		return p.Reassign(by, to, loc.String(), now)
	}, nil
}
