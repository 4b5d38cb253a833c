package slackui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
)

// Dates that matter: their lines on the customer card, the prompt a
// customer's owner gets ahead of one, and the gesture an anniversary of a
// key customer suggests.

// Action ids of a key customer's anniversary prompt: the gesture is done,
// as a note or as a call. The value is the prompt's nudge id.
const (
	ActionGestureNote = "gesture_note"
	ActionGestureCall = "gesture_call"
)

// CivilDay is a calendar day as text, "Sun 14 Mar", with the year when it
// is not today's. A date that matters is the same day for every reader, so
// it is plain text, not Slack's date token (which converts an instant to
// each reader's zone and could show the day before).
func CivilDay(d model.Day, today model.Day) string {
	if d.Year == 0 {
		return fmt.Sprintf("%d %s", d.Day, d.Month.String()[:3])
	}
	s := d.In(time.UTC).Format("Mon 2 Jan")
	if d.Year != today.Year {
		s += " " + strconv.Itoa(d.Year)
	}
	return s
}

// DaysAway is "today", "tomorrow", "in 12 days", "yesterday", "3 days ago".
func DaysAway(d, today model.Day) string {
	n := int(d.In(time.UTC).Sub(today.In(time.UTC)) / (24 * time.Hour))
	switch {
	case n == 0:
		return "today"
	case n == 1:
		return "tomorrow"
	case n == -1:
		return "yesterday"
	case n < 0:
		return Plural(-n, "day") + " ago"
	}
	return "in " + Plural(n, "day")
}

// DateLabel is a date's label for a sentence's start: "Renewal",
// "Contract start", "Kickoff anniversary" (escaped).
func DateLabel(d model.CustomerDate) string { return upperFirst(Escape(d.Label())) }

// DateLines are the card's lines for c's dates: each with its own day and,
// when it comes back or is ahead, its next occurrence.
func DateLines(c store.Customer, loc *time.Location, now time.Time) []string {
	today := model.DayOf(now, loc)
	var lines []string
	for _, d := range c.Dates {
		line := "• " + DateLabel(d) + ": "
		o := d.Occurrence(today)
		switch {
		case !d.Yearly() && o.IsZero():
			line += CivilDay(d.On, today) + " (gone by; set the next with `renewal …`)"
		case !d.Yearly():
			line += CivilDay(d.On, today) + ", " + DaysAway(o, today)
		case d.On.Year == 0:
			line += "every " + CivilDay(d.On, today) + ", next " + CivilDay(o, today) + ", " + DaysAway(o, today)
		case d.Years(o) == 0:
			line += CivilDay(o, today) + ", " + DaysAway(o, today)
		default:
			line += CivilDay(d.On, today) + "; " + Plural(d.Years(o), "year") + " on " + CivilDay(o, today) + ", " + DaysAway(o, today)
		}
		lines = append(lines, line)
	}
	return lines
}

// DateSet confirms date d of c as set: its day and, for its next
// occurrence, the day its owner will be prompted: the prompt's day, or
// the first working day after it (wh), in loc, the owner's zone (the
// answer to `/customer edit Acme renewal …`).
func DateSet(c store.Customer, d model.CustomerDate, caller string, pol model.DatePolicy, wh workhours.Hours, loc *time.Location, now time.Time) string {
	today := model.DayOf(now, loc)
	s := DateLabel(d) + ": " + CivilDay(d.On, today)
	if d.Yearly() {
		s += ", every year"
	}
	if o := d.Occurrence(today); !o.IsZero() {
		prompt := model.DayOf(d.PromptAt(o, pol, wh, loc, now), loc)
		when := "on " + CivilDay(prompt, today)
		if prompt == today {
			when = "today"
		}
		if d.Yearly() {
			when += ", the week of " + CivilDay(o, today)
		}
		s += fmt.Sprintf(". I'll remind %s %s", Person(c.Owner, caller), when)
	}
	return s + "."
}

// DateRemoved confirms a date removed.
func DateRemoved(d model.CustomerDate) string { return DateLabel(d) + " removed." }

// dateBlocks is the card's section of dates, none if c has none.
func dateBlocks(c store.Customer, loc *time.Location, now time.Time) []slack.Block {
	lines := DateLines(c, loc, now)
	if len(lines) == 0 {
		return nil
	}
	return SplitSections("*Dates that matter*\n" + strings.Join(lines, "\n"))
}

// DatePrompt is what to render a date prompt from: the customer as it is,
// the date and the occurrence the prompt is for, its open promises.
type DatePrompt struct {
	Customer store.Customer
	Date     model.CustomerDate
	On       model.Day
	Open     []store.Promise
	Nudge    int64 // the prompt's nudge, which its gesture buttons carry
}

// DatePromptMessage renders the DM ahead of a date that matters: what and
// when, the context (the last touch and its note, the open promises) and,
// for an anniversary of a key customer, a small gesture with buttons to
// say it is done.
func DatePromptMessage(p DatePrompt, loc *time.Location, now time.Time) (string, []slack.Block) {
	c, d, on := p.Customer, p.Date, p.On
	today := model.DayOf(now, loc)
	name := Escape(c.Name)
	when := CivilDay(on, today) + " (" + DaysAway(on, today) + ")"
	var head, fallback string
	switch years := d.Years(on); {
	case !d.Yearly():
		head = fmt.Sprintf("📅 *%s renews on %s.* A good time to call: hear how it is going before the renewal comes up, not when it does.", name, when)
		fallback = fmt.Sprintf("%s renews on %s.", name, CivilDay(on, today))
	case years > 0:
		head = fmt.Sprintf("🎉 *%s since %s's %s:* %s.", Plural(years, "year"), name, Escape(d.Label()), when)
		fallback = fmt.Sprintf("%s since %s's %s: %s.", Plural(years, "year"), name, Escape(d.Label()), CivilDay(on, today))
	default:
		head = fmt.Sprintf("🎉 *%s's %s is on %s.*", name, Escape(d.Label()), when)
		fallback = fmt.Sprintf("%s's %s is on %s.", name, Escape(d.Label()), CivilDay(on, today))
	}
	blocks := SplitSections(head)
	gesture := c.Gesture(d)
	if gesture {
		blocks = append(blocks, SplitSections(fmt.Sprintf("%s is a key customer: a small gesture says you noticed. Send a thank-you note, or call just to say thanks.", name))...)
	} else if d.Yearly() {
		blocks = append(blocks, SplitSections("A good reason to get in touch, just to talk.")...)
	}
	blocks = append(blocks, Context(lastTouchLine(c, loc, now)))
	blocks = append(blocks, Context(openLine(p.Open, loc, now)))
	if gesture {
		id := strconv.FormatInt(p.Nudge, 10)
		note := Button(ActionGestureNote, id, "Done: a thank-you note")
		note.Style = slack.StylePrimary
		blocks = append(blocks, slack.NewActionBlock("gesture_"+id, note, Button(ActionGestureCall, id, "Done: a call to say thanks")))
	} else {
		blocks = append(blocks, Context(fmt.Sprintf("Log what you do with `/touch %s …`.", Escape(Clip(c.Name, listNameMax)))))
	}
	return Fit(fallback, 1000), Bound(blocks, MaxMessageBlocks, "")
}

// GestureDone is the prompt once its gesture is logged: the same context,
// and in place of the buttons who did what.
func GestureDone(p DatePrompt, kind model.TouchKind, by string, loc *time.Location, now time.Time) (string, []slack.Block) {
	fallback, blocks := DatePromptMessage(p, loc, now)
	what := "a thank-you note"
	if kind == model.TouchCall {
		what = "a call to say thanks"
	}
	return fallback, append(blocks[:len(blocks)-1], Context(fmt.Sprintf("✅ *Done*: %s, logged as a touch by %s.", what, MentionUser(by))))
}

// GestureNote is the note of the touch a gesture logs.
func GestureNote(d model.CustomerDate, on model.Day, kind model.TouchKind) string {
	what := "Thank-you note"
	if kind == model.TouchCall {
		what = "Called to say thanks"
	}
	if y := d.Years(on); y > 0 {
		return fmt.Sprintf("%s: %s since the %s", what, Plural(y, "year"), d.Label())
	}
	return fmt.Sprintf("%s: the %s", what, d.Label())
}

func lastTouchLine(c store.Customer, loc *time.Location, now time.Time) string {
	if c.LastTouch.IsZero() {
		return "No touch logged yet."
	}
	last := fmt.Sprintf("Last touch %s, %s", Day(c.LastTouch, now, loc), MentionUser(c.LastBy))
	if c.LastNote != "" {
		return last + ": “" + Note(c.LastNote, 300) + "”"
	}
	return last + ", no note."
}

func openLine(open []store.Promise, loc *time.Location, now time.Time) string {
	if len(open) == 0 {
		return "No open promises to them."
	}
	lines := []string{fmt.Sprintf("Open promises (%d):", len(open))}
	for i, p := range open {
		if i == 5 {
			lines = append(lines, fmt.Sprintf("…and %d more.", len(open)-i))
			break
		}
		lines = append(lines, fmt.Sprintf("• %s · due %s", ListSummary(p), Date(p.Due, now, loc)))
	}
	return strings.Join(lines, "\n")
}
