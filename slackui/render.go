package slackui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/store"
)

// Rendering is pure: records in, Block Kit out, so that golden files can
// pin down exactly what people see.

// Action ids of the reminder's interactive elements.
const (
	ActionDone     = "promise_done"
	ActionSnooze   = "promise_snooze"
	ActionReassign = "promise_reassign"
)

// SnoozePick is the snooze menu's choice that opens a form for the time.
const SnoozePick = "pick"

// snoozeChoices are the reminder's snooze menu, in the owner's zone.
var snoozeChoices = []struct{ value, label string }{
	{"20m", "20 minutes"},
	{"1h", "1 hour"},
	{"3h", "3 hours"},
	{"tomorrow", "Tomorrow 9:00"},
	{"monday", "Next Monday 9:00"},
	{SnoozePick, "Pick a time…"},
}

// Date writes t with Slack's date token, so each reader sees it in
// their own zone (Slack's token shows the year); the fallback, for
// notifications and clients that do not render tokens, is in loc and shows
// the year whenever it is not now's (duetime.Format).
func Date(t, now time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), duetime.Format(t, now, loc))
}

// PlainDate is for text fallbacks, where tokens are not rendered.
func PlainDate(t, now time.Time, loc *time.Location) string {
	return duetime.Format(t, now, loc)
}

func promiseRef(p store.Promise) string { return "#" + strconv.FormatInt(p.ID, 10) }

// Summary is "#42 for Acme: “send the quote”" with the user text escaped.
func Summary(p store.Promise) string {
	var b strings.Builder
	b.WriteString("*" + promiseRef(p) + "*")
	if p.Customer != "" {
		b.WriteString(" for *" + Escape(p.Customer) + "*")
	}
	b.WriteString(": “" + Escape(p.Text) + "”")
	return b.String()
}

func Plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

func Section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}

func Context(texts ...string) *slack.ContextBlock {
	var els []slack.MixedElement
	for _, t := range texts {
		els = append(els, slack.NewTextBlockObject(slack.MarkdownType, t, false, false))
	}
	return slack.NewContextBlock("", els...)
}

// Confirmation is the ephemeral answer to a recorded promise.
func Confirmation(p store.Promise, caller string, loc *time.Location, now time.Time) (string, []slack.Block) {
	who := "I'll remind you"
	if p.Owner != caller {
		who = "I'll remind <@" + p.Owner + ">"
	}
	due := Date(p.Due, now, loc)
	text := fmt.Sprintf("Got it: %s, due %s. %s then.", Summary(p), due, who)
	if p.Repeat != "" {
		text = fmt.Sprintf("Got it: %s, due %s and then %s. %s each time.", Summary(p), due, Escape(p.Repeat), who)
	}
	fallback := fmt.Sprintf("Got it: %s due %s", promiseRef(p), PlainDate(p.Due, now, loc))
	return fallback, []slack.Block{Section(text)}
}

// Reminder renders the DM for a promise that came due (overdue false) or
// is still open long after (overdue true), with the buttons to act on it.
func Reminder(p store.Promise, overdue bool, loc *time.Location, now time.Time) (string, []slack.Block) {
	head := "⏰ *Time to keep your word.* " + Summary(p)
	fallback := fmt.Sprintf("Reminder: #%d %s", p.ID, Escape(p.Text))
	if overdue {
		head = fmt.Sprintf("⚠️ *Still open, %s late.* %s", Lateness(now.Sub(p.Due)), Summary(p))
		fallback = fmt.Sprintf("Overdue: #%d %s", p.ID, Escape(p.Text))
	}
	blocks := []slack.Block{Section(head), Context(details(p, loc, now)...)}
	if p.State == store.Open {
		blocks = append(blocks, actions(p))
	} else {
		blocks = append(blocks, Context(Outcome(p, loc, now)))
	}
	return fallback, blocks
}

// ReminderWithTouch is Reminder with the last touch of c, the customer p
// names, so the owner has the context of the last conversation in front
// of them; a zero c (no customer, or an unknown one) adds nothing.
func ReminderWithTouch(p store.Promise, c store.Customer, overdue bool, loc *time.Location, now time.Time) (string, []slack.Block) {
	fallback, blocks := Reminder(p, overdue, loc, now)
	if c.LastTouch.IsZero() {
		return fallback, blocks
	}
	line := "Last touch with *" + Escape(c.Name) + "* " + Date(c.LastTouch, now, loc)
	if c.LastBy != "" {
		line += " by <@" + c.LastBy + ">"
	}
	if c.LastNote != "" {
		line += ": “" + Escape(c.LastNote) + "”"
	}
	// After the details, before the buttons or the outcome.
	at := len(blocks) - 1
	return fallback, append(blocks[:at:at], append([]slack.Block{Context(line)}, blocks[at:]...)...)
}

// details is the context line: when it was due, who recorded it, where.
func details(p store.Promise, loc *time.Location, now time.Time) []string {
	d := "Due " + Date(p.Due, now, loc) + " · recorded "
	if p.Creator != "" && p.Creator != p.Owner {
		d += "by <@" + p.Creator + "> "
	}
	d += Date(p.Created, now, loc)
	if p.Permalink != "" && strings.HasPrefix(p.Permalink, "https://") {
		d += " · <" + p.Permalink + "|source message>"
	}
	if p.Repeat != "" {
		d += " · repeats " + Escape(p.Repeat)
	}
	return []string{d}
}

func actions(p store.Promise) *slack.ActionBlock {
	done := slack.NewButtonBlockElement(ActionDone, PromiseValue(p.ID), slack.NewTextBlockObject(slack.PlainTextType, "Done", false, false))
	done.Style = slack.StylePrimary
	var opts []*slack.OptionBlockObject
	for _, c := range snoozeChoices {
		opts = append(opts, slack.NewOptionBlockObject(SnoozeValue(p.ID, c.value), slack.NewTextBlockObject(slack.PlainTextType, c.label, false, false), nil))
	}
	snooze := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slack.NewTextBlockObject(slack.PlainTextType, "Snooze…", false, false), ActionSnooze, opts...)
	reassign := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, slack.NewTextBlockObject(slack.PlainTextType, "Reassign…", false, false), ActionReassign)
	return slack.NewActionBlock(PromiseBlock{ID: p.ID, Owner: p.Owner}.String(), done, snooze, reassign)
}

// Outcome says what became of a promise, for a reminder updated in place.
func Outcome(p store.Promise, loc *time.Location, now time.Time) string {
	switch p.State {
	case store.Kept:
		if p.OnTime {
			return "✅ *Kept, on time* · " + Date(p.KeptAt, now, loc)
		}
		return "✅ *Kept, late* · " + Date(p.KeptAt, now, loc)
	case store.Cancelled:
		return "🚫 *Cancelled*"
	}
	return "💤 *Snoozed* until " + Date(p.Due, now, loc)
}

// Lateness is a rough, human "how late": "3 hours", "2 days".
func Lateness(d time.Duration) string {
	switch {
	case d < time.Hour:
		return Plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		return Plural(int(d.Hours()), "hour")
	}
	return Plural(int(d.Hours()/24), "day")
}

func Plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// SplitSections keeps each section under Slack's 3,000-character limit.
func SplitSections(text string) []slack.Block {
	const limit = 2900
	var blocks []slack.Block
	for len(text) > limit {
		cut := strings.LastIndex(text[:limit], "\n")
		if cut <= 0 {
			cut = limit
		}
		blocks = append(blocks, Section(text[:cut]))
		text = strings.TrimPrefix(text[cut:], "\n")
	}
	return append(blocks, Section(text))
}

// Escape makes user text inert in Slack's mrkdwn: with &, < and > escaped, a
// typed <!channel> or <@U123> is shown as text and pings nobody.
func Escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// MaxText bounds what a promise may say: a promise is a sentence, not a
// document, and Slack sections stop at 3,000 characters.
const MaxText = 2000

// MaxName bounds a customer name: it is shown in lists, cards and button
// labels, and 80 characters is a long company name.
const MaxName = 80
