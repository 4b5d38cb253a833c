package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// Rendering is pure: records in, Block Kit out, so that golden files can
// pin down exactly what people see.

// Action ids of the reminder's interactive elements.
const (
	actionDone     = "promise_done"
	actionSnooze   = "promise_snooze"
	actionReassign = "promise_reassign"
)

// snoozeChoices are the reminder's snooze menu, in the owner's zone.
var snoozeChoices = []struct{ value, label string }{
	{"20m", "20 minutes"},
	{"1h", "1 hour"},
	{"3h", "3 hours"},
	{"tomorrow", "Tomorrow 9:00"},
	{"monday", "Next Monday 9:00"},
	{"pick", "Pick a time…"},
}

// slackDate writes t with Slack's date token, so each reader sees it in
// their own zone; the fallback (for notifications and old clients) is in loc.
func slackDate(t time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty} at {time}|%s>", t.Unix(), t.In(loc).Format("Mon 2 Jan 15:04 MST"))
}

// plainDate is for text fallbacks, where tokens are not rendered.
func plainDate(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 15:04 MST")
}

func promiseRef(p store.Promise) string { return "#" + strconv.FormatInt(p.ID, 10) }

// summary is "#42 for Acme: “send the quote”" with the user text escaped.
func summary(p store.Promise) string {
	var b strings.Builder
	b.WriteString("*" + promiseRef(p) + "*")
	if p.Customer != "" {
		b.WriteString(" for *" + escape(p.Customer) + "*")
	}
	b.WriteString(": “" + escape(p.Text) + "”")
	return b.String()
}

func plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

func section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
}

func contextBlock(texts ...string) *slack.ContextBlock {
	var els []slack.MixedElement
	for _, t := range texts {
		els = append(els, slack.NewTextBlockObject(slack.MarkdownType, t, false, false))
	}
	return slack.NewContextBlock("", els...)
}

// confirmation is the ephemeral answer to a recorded promise.
func confirmation(p store.Promise, caller string, loc *time.Location) (string, []slack.Block) {
	who := "I'll remind you"
	if p.Owner != caller {
		who = "I'll remind <@" + p.Owner + ">"
	}
	due := slackDate(p.Due, loc)
	text := fmt.Sprintf("Got it: %s, due %s. %s then.", summary(p), due, who)
	if p.Repeat != "" {
		text = fmt.Sprintf("Got it: %s, due %s and then %s. %s each time.", summary(p), due, escape(p.Repeat), who)
	}
	fallback := fmt.Sprintf("Got it: %s due %s", promiseRef(p), plainDate(p.Due, loc))
	return fallback, []slack.Block{section(text)}
}

// Reminder renders the DM for a promise that came due (overdue false) or
// is still open long after (overdue true), with the buttons to act on it.
func Reminder(p store.Promise, overdue bool, loc *time.Location, now time.Time) (string, []slack.Block) {
	head := "⏰ *Time to keep your word.* " + summary(p)
	fallback := fmt.Sprintf("Reminder: #%d %s", p.ID, escape(p.Text))
	if overdue {
		head = fmt.Sprintf("⚠️ *Still open, %s late.* %s", lateness(now.Sub(p.Due)), summary(p))
		fallback = fmt.Sprintf("Overdue: #%d %s", p.ID, escape(p.Text))
	}
	blocks := []slack.Block{section(head), contextBlock(details(p, loc)...)}
	if p.State == store.Open {
		blocks = append(blocks, actions(p))
	} else {
		blocks = append(blocks, contextBlock(outcome(p, loc)))
	}
	return fallback, blocks
}

// details is the context line: when it was due, who recorded it, where.
func details(p store.Promise, loc *time.Location) []string {
	d := "Due " + slackDate(p.Due, loc) + " · recorded "
	if p.Creator != "" && p.Creator != p.Owner {
		d += "by <@" + p.Creator + "> "
	}
	d += slackDate(p.Created, loc)
	if p.Permalink != "" && strings.HasPrefix(p.Permalink, "https://") {
		d += " · <" + p.Permalink + "|source message>"
	}
	if p.Repeat != "" {
		d += " · repeats " + escape(p.Repeat)
	}
	return []string{d}
}

func actions(p store.Promise) *slack.ActionBlock {
	id := strconv.FormatInt(p.ID, 10)
	done := slack.NewButtonBlockElement(actionDone, id, slack.NewTextBlockObject(slack.PlainTextType, "Done", false, false))
	done.Style = slack.StylePrimary
	var opts []*slack.OptionBlockObject
	for _, c := range snoozeChoices {
		opts = append(opts, slack.NewOptionBlockObject(id+":"+c.value, slack.NewTextBlockObject(slack.PlainTextType, c.label, false, false), nil))
	}
	snooze := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slack.NewTextBlockObject(slack.PlainTextType, "Snooze…", false, false), actionSnooze, opts...)
	reassign := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, slack.NewTextBlockObject(slack.PlainTextType, "Reassign…", false, false), actionReassign)
	return slack.NewActionBlock("promise:"+id+":"+p.Owner, done, snooze, reassign)
}

// outcome says what became of a promise, for a reminder updated in place.
func outcome(p store.Promise, loc *time.Location) string {
	switch p.State {
	case store.Kept:
		if p.OnTime {
			return "✅ *Kept, on time* · " + slackDate(p.KeptAt, loc)
		}
		return "✅ *Kept, late* · " + slackDate(p.KeptAt, loc)
	case store.Cancelled:
		return "🚫 *Cancelled*"
	}
	return "💤 *Snoozed* until " + slackDate(p.Due, loc)
}

// lateness is a rough, human "how late": "3 hours", "2 days".
func lateness(d time.Duration) string {
	switch {
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute")
	case d < 48*time.Hour:
		return plural(int(d.Hours()), "hour")
	}
	return plural(int(d.Hours()/24), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// promiseList is `/promise list`.
func promiseList(ps []store.Promise, loc *time.Location, now time.Time) (string, []slack.Block) {
	if len(ps) == 0 {
		return "Nothing open. Record one with `/promise Acme: call back tomorrow 3pm`.", nil
	}
	var lines []string
	for i, p := range ps {
		if i == 40 {
			lines = append(lines, fmt.Sprintf("…and %d more.", len(ps)-i))
			break
		}
		mark := "•"
		if p.Due.Before(now) {
			mark = "⚠️"
		}
		lines = append(lines, fmt.Sprintf("%s %s · due %s", mark, summary(p), slackDate(p.Due, loc)))
	}
	text := fmt.Sprintf("*Your open promises (%d)*\n%s", len(ps), strings.Join(lines, "\n"))
	return fmt.Sprintf("You have %d open promises.", len(ps)), splitSections(text)
}

// splitSections keeps each section under Slack's 3,000-character limit.
func splitSections(text string) []slack.Block {
	const limit = 2900
	var blocks []slack.Block
	for len(text) > limit {
		cut := strings.LastIndex(text[:limit], "\n")
		if cut <= 0 {
			cut = limit
		}
		blocks = append(blocks, section(text[:cut]))
		text = strings.TrimPrefix(text[cut:], "\n")
	}
	return append(blocks, section(text))
}

const helpText = "*Kept remembers what you promise customers and nudges you when it is due.*\n" +
	"• `/promise Acme: send the renewal quote friday 5pm` records a promise; the time is read in your time zone.\n" +
	"• `/promise @ann Acme: call back tomorrow 3pm` makes Ann the owner.\n" +
	"• `/promise list` shows your open promises.\n" +
	"• `/promise done 42`, `/promise snooze 42 tomorrow`, `/promise cancel 42` act on #42.\n" +
	"Times: `in 2 hours`, `tomorrow 3pm`, `friday 5pm`, `dec 3`, `2026-12-01 14:00`. A date without a time means 9:00."
