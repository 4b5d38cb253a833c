package inbound

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
)

// Dates that matter in `/customer add|edit`: `renewal 2027-03-01`,
// `contract start 2024-03-14`, `go-live 2025-06-01`,
// `date "kickoff anniversary" mar 14`, and `none` in place of a date to
// remove one. The prompts ahead of them are notify's (dates.go).

// dateEdit is one date set or removed by a command.
type dateEdit struct {
	date   model.CustomerDate // Kind, Name and On
	remove bool
}

// dateWords start a date option; the value is its kind ("date" names one).
var dateWords = map[string]model.DateKind{
	"renewal": model.DateRenewal, "renews": model.DateRenewal,
	"contract": model.DateStart, "go-live": model.DateGoLive, "golive": model.DateGoLive,
	"date": model.DateNamed,
}

const usageDates = "`renewal 2027-03-01`, `contract start 2024-03-14`, `go-live 2025-06-01` or `date \"kickoff anniversary\" mar 14` (`none` in place of the date removes it)"

// readDateOption reads the date option at words[i] (a dateWords word): the
// date edit and how many words after words[i] it used. Its errors are
// refusals that show the right form.
func readDateOption(words []string, i int) (dateEdit, int, error) {
	w := strings.ToLower(words[i])
	kind := dateWords[w]
	e := dateEdit{date: model.CustomerDate{Kind: kind}}
	j := i + 1
	if kind == model.DateStart && j < len(words) && strings.EqualFold(words[j], "start") {
		j++ // "contract start"
	}
	if kind == model.DateNamed {
		name, next, ok := quotedName(words, j)
		if !ok {
			return e, 0, invalid("Name the date in quotes, then give it: `date \"kickoff anniversary\" mar 14`.")
		}
		e.date.Name, j = name, next
	}
	label := w
	if kind == model.DateNamed {
		label = "date \"" + slackui.Escape(e.date.Name) + "\""
	} else if kind == model.DateStart {
		label = "contract start"
	}
	if j < len(words) && strings.EqualFold(words[j], "none") {
		e.remove = true
		return e, j + 1 - i - 1, nil
	}
	// The longest run of words (up to four: "the 14th of march 2027"
	// is five, but "of" and "the" are read too) that reads as a day.
	for n := min(5, len(words)-j); n >= 1; n-- {
		if dateWordAt(words, j, n) {
			continue
		}
		day, err := model.ParseDay(strings.Join(words[j:j+n], " "))
		if err == nil {
			e.date.On = day
			return e, j + n - i - 1, nil
		}
	}
	if j >= len(words) {
		return e, 0, invalid(fmt.Sprintf("Give the date after `%s`, as in `%s 2027-03-01`, or `%s none` to remove it.", label, label, label))
	}
	what := strings.Join(words[j:min(j+3, len(words))], " ")
	return e, 0, invalid(fmt.Sprintf("I can't read “%s” as a date for `%s`. Write it like 2027-03-01, mar 14 or 14 march 2027, or `none` to remove it.", slackui.Escape(what), label))
}

// dateWordAt reports whether words[j:j+n] runs into another option: a
// date phrase stops before it.
func dateWordAt(words []string, j, n int) bool {
	for _, w := range words[j : j+n] {
		lw := strings.ToLower(w)
		if optionWords[lw] && lw != "never" || dateWords[lw] != "" {
			return true
		}
	}
	return false
}

// quotedName reads a date's name at words[j]: a quoted phrase, or one word.
func quotedName(words []string, j int) (name string, next int, ok bool) {
	if j >= len(words) {
		return "", j, false
	}
	r, size := utf8.DecodeRuneInString(words[j])
	closing, quoted := quotes[r]
	if !quoted {
		return words[j], j + 1, true
	}
	var parts []string
	first := words[j][size:]
	for k := j; k < len(words); k++ {
		w := words[k]
		if k == j {
			w = first
		}
		if strings.HasSuffix(w, string(closing)) {
			parts = append(parts, strings.TrimSuffix(w, string(closing)))
			name = strings.TrimSpace(strings.Join(parts, " "))
			return name, k + 1, name != ""
		}
		parts = append(parts, w)
	}
	return "", j, false
}

// applyDates applies the command's date edits to c, all or none: a date
// the model refuses, or one to remove that c does not have, fails the
// whole command.
func applyDates(c *store.Customer, edits []dateEdit, now time.Time) error {
	for _, e := range edits {
		if e.remove {
			if !c.RemoveDate(e.date.Key()) {
				return invalid(fmt.Sprintf("*%s* has no %s date to remove.", slackui.Escape(c.Name), slackui.Escape(e.date.Label())))
			}
			continue
		}
		if err := c.SetDate(e.date, now); err != nil {
			return modelRefusal(err)
		}
	}
	return nil
}

// datesText tells what the command did to the dates, and when the owner
// will hear of each: the answer, to caller, to `/customer edit Acme
// renewal …`.
func datesText(c store.Customer, caller string, edits []dateEdit, pol model.DatePolicy, wh workhours.Hours, loc *time.Location, now time.Time) string {
	var out []string
	for _, e := range edits {
		if e.remove {
			out = append(out, slackui.DateRemoved(e.date))
		} else if d, ok := c.Date(e.date.Key()); ok {
			out = append(out, slackui.DateSet(c, d, caller, pol, wh, loc, now))
		}
	}
	return strings.Join(out, " ")
}

// gestureOp is the op of the touch a gesture's Done logs: one touch per
// prompt, however often, and with whichever of its buttons, it is clicked.
func gestureOp(team string, nudge int64) string {
	return "gesture:" + team + ":" + strconv.FormatInt(nudge, 10)
}

// gestureDone is Done on a key customer's anniversary prompt: a touch of
// the gesture's kind (a thank-you note, a call to say thanks), logged once
// for the prompt, by whoever clicked: the one it went to, the customer's
// owner now or an admin. Anyone else is refused, as on the other buttons
// of a customer's prompts; a button naming no date prompt of this
// workspace finds nothing.
func (b *Bot) gestureDone(k click) error {
	ctx, cb := k.ctx, k.cb
	team, user := cb.Team.ID, cb.User.ID
	lost := notFound("I can't find that prompt any more. Log what you did with `/touch NAME …`.")
	id, err := strconv.ParseInt(k.a.Value, 10, 64)
	if err != nil || id <= 0 {
		return lost
	}
	n, err := b.store.Nudge(id)
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && (n.Team != team || n.Kind != model.NudgeDate):
		return lost
	case err != nil:
		return fmt.Errorf("inbound: gesture: %w", err)
	}
	c, err := b.store.Customer(team, n.Subject)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound("That customer has been removed; nothing to log.")
	case err != nil:
		return fmt.Errorf("inbound: gesture: %w", err)
	}
	if user != n.To && user != c.Owner && !b.isAdmin(user) {
		return forbidden(fmt.Sprintf("This prompt went to %s, who owns *%s*: the gesture is theirs to log. Log a touch of your own with `/touch %s …`.", slackui.MentionUser(n.To), slackui.Escape(c.Name), slackui.Escape(c.Name)))
	}
	on := model.DayOf(n.For.On, time.UTC)
	d, ok := c.Date(n.For.Date)
	if !ok || !d.Occurs(on) {
		return notFound(fmt.Sprintf("That date was changed or removed from *%s* since. Log what you did with `/touch %s …`.", slackui.Escape(c.Name), slackui.Escape(c.Name)))
	}
	if !c.Gesture(d) {
		return invalid(fmt.Sprintf("That prompt suggests no gesture (*%s* is not a key customer now). Log what you did with `/touch %s …`.", slackui.Escape(c.Name), slackui.Escape(c.Name)))
	}
	kind := model.TouchNote
	if k.a.ActionID == slackui.ActionGestureCall {
		kind = model.TouchCall
	}
	t := store.Touch{Team: team, Customer: c.Name, By: user, Kind: kind, Note: slackui.GestureNote(d, on, kind)}
	c, err = b.store.AddTouch(gestureOp(team, id), t)
	if errors.Is(err, store.ErrDuplicate) {
		return nil // logged by the first click, which rewrote the prompt
	}
	if err != nil {
		return fmt.Errorf("inbound: gesture: %w", err)
	}
	b.later(ctx, func(ctx context.Context) {
		if ch, ts := cb.Container.ChannelID, cb.Container.MessageTs; ch != "" && ts != "" && b.ownDM(ctx, user, ch) {
			open, err := b.customerPromises(team, c)
			if err != nil {
				b.cfg.Log.Warn("gesture: open promises", "err", err)
			}
			fallback, blocks := slackui.GestureDone(slackui.DatePrompt{Customer: c, Date: d, On: on, Open: open, Nudge: id}, kind, user, b.zoneOr(ctx, user), b.cfg.Now())
			if _, _, _, err := b.api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText(fallback, false), slack.MsgOptionBlocks(blocks...)); err != nil {
				b.cfg.Log.Warn("update the date prompt", "err", err)
			}
		}
		b.refreshHome(ctx, team, c.Owner)
	})
	return nil
}
