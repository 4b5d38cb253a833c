package slackui

import (
	"fmt"
	"regexp"
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
	b.WriteString(": “" + Text(p.Text) + "”")
	return b.String()
}

// ListSummary is Summary for a line of a list, with the customer's name
// and the text clipped, so that a page of lines fits one message.
func ListSummary(p store.Promise) string {
	var b strings.Builder
	b.WriteString("*" + promiseRef(p) + "*")
	if p.Customer != "" {
		b.WriteString(" for *" + Escape(Clip(p.Customer, listNameMax)) + "*")
	}
	b.WriteString(": “" + Text(Clip(p.Text, listTextMax)) + "”")
	return b.String()
}

// Longest customer name and promise or note text a list line shows, in
// characters as typed.
const (
	listNameMax = 60
	listTextMax = 200
)

func Plain(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, text, true, false)
}

// Section is a mrkdwn section, fitted to Slack's 3,000 characters; text
// that must be kept whole goes through SplitSections instead.
func Section(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, Fit(text, MaxSectionText), false, false), nil, nil)
}

// Context is a context block of mrkdwn texts, each fitted to 3,000
// characters; past Slack's 10 elements the rest share the tenth.
func Context(texts ...string) *slack.ContextBlock {
	if len(texts) > MaxContextItems {
		texts = append(texts[:MaxContextItems-1:MaxContextItems-1], strings.Join(texts[MaxContextItems-1:], " · "))
	}
	var els []slack.MixedElement
	for _, t := range texts {
		els = append(els, slack.NewTextBlockObject(slack.MarkdownType, Fit(t, MaxContextText), false, false))
	}
	return slack.NewContextBlock("", els...)
}

// Header is a header block, fitted to Slack's 150 characters.
func Header(text string) *slack.HeaderBlock {
	return slack.NewHeaderBlock(Plain(FitPlain(text, MaxHeaderText)))
}

// Confirmation is the ephemeral answer to a recorded promise.
func Confirmation(p store.Promise, caller string, loc *time.Location, now time.Time) (string, []slack.Block) {
	who := "I'll remind you"
	if p.Owner != caller {
		who = "I'll remind " + MentionUser(p.Owner)
	}
	due := Date(p.Due, now, loc)
	text := fmt.Sprintf("Got it: %s, due %s. %s then.", Summary(p), due, who)
	if p.Repeat != "" {
		text = fmt.Sprintf("Got it: %s, due %s and then %s. %s each time.", Summary(p), due, Escape(p.Repeat), who)
	}
	fallback := fmt.Sprintf("Got it: %s due %s", promiseRef(p), PlainDate(p.Due, now, loc))
	return fallback, Bound(SplitSections(text), MaxMessageBlocks, "")
}

// WithZoneGuess adds to a confirmation that its time was read in loc, the
// workspace's zone, because Slack could not say the owner's when asked:
// "tomorrow 9am" may then be another hour where they are, and they should
// know which zone Kept used and how to set it right.
func WithZoneGuess(blocks []slack.Block, p store.Promise, caller string, loc *time.Location) []slack.Block {
	whose, where := "your", "you are"
	if p.Owner != caller {
		whose, where = MentionUser(p.Owner)+"'s", "they are"
	}
	note := fmt.Sprintf("🌐 I read the time in %s, the workspace's time zone: Slack didn't tell me %s zone just now. If that's not where %s, `/promise move %d` with the time sets it right.",
		Escape(loc.String()), whose, where, p.ID)
	return Bound(append(blocks, Context(note)), MaxMessageBlocks, "")
}

// Reminder renders the DM for a promise that came due (overdue false) or
// is still open long after (overdue true), with the buttons to act on it.
func Reminder(p store.Promise, overdue bool, loc *time.Location, now time.Time) (string, []slack.Block) {
	head := "⏰ *Time to keep your word.* " + Summary(p)
	fallback := fmt.Sprintf("Reminder: #%d %s", p.ID, Escape(Clip(p.Text, listTextMax)))
	if overdue {
		head = fmt.Sprintf("⚠️ *Still open, %s late.* %s", Lateness(now.Sub(p.Due)), Summary(p))
		fallback = fmt.Sprintf("Overdue: #%d %s", p.ID, Escape(Clip(p.Text, listTextMax)))
	}
	// The whole promise, however long once escaped: it is what the owner
	// must do.
	blocks := append(SplitSections(head), Context(details(p, loc, now)...))
	if p.State == store.Open {
		blocks = append(blocks, actions(p))
	} else {
		blocks = append(blocks, Context(Outcome(p, loc, now)))
	}
	return fallback, Bound(blocks, MaxMessageBlocks, "")
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
		line += " by " + MentionUser(c.LastBy)
	}
	if c.LastNote != "" {
		line += ": “" + Note(c.LastNote, 0) + "”"
	}
	// After the details, before the buttons or the outcome.
	at := len(blocks) - 1
	return fallback, Bound(append(blocks[:at:at], append([]slack.Block{Context(line)}, blocks[at:]...)...), MaxMessageBlocks, "")
}

// details is the context line: when it was due, who recorded it, where.
func details(p store.Promise, loc *time.Location, now time.Time) []string {
	d := "Due " + Date(p.Due, now, loc)
	if !p.MovedFrom.IsZero() {
		d += " (moved from " + Date(p.MovedFrom, now, loc) + ")"
	}
	if p.Snoozed() {
		d += " · reminder snoozed to " + Date(p.ReminderAt(), now, loc)
	}
	d += " · recorded "
	if p.Creator != "" && p.Creator != p.Owner {
		d += "by " + MentionUser(p.Creator) + " "
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
	done := Button(ActionDone, PromiseValue(p.ID), "Done")
	done.Style = slack.StylePrimary
	var opts []*slack.OptionBlockObject
	for _, c := range snoozeChoices {
		opts = append(opts, slack.NewOptionBlockObject(SnoozeValue(p.ID, c.value), slack.NewTextBlockObject(slack.PlainTextType, c.label, false, false), nil))
	}
	snooze := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slack.NewTextBlockObject(slack.PlainTextType, "Snooze…", false, false), ActionSnooze, opts...)
	reassign := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, slack.NewTextBlockObject(slack.PlainTextType, "Reassign…", false, false), ActionReassign)
	return slack.NewActionBlock(PromiseBlockOf(p, false).String(), done, snooze, reassign)
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
	return "💤 *Snoozed* until " + Date(p.ReminderAt(), now, loc) + " · still promised for " + Date(p.Due, now, loc)
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

// SplitSections keeps each section under Slack's 3,000 characters, cut
// at line breaks, or between characters (never inside a token or an
// entity) for a line longer than that: nothing is lost.
func SplitSections(text string) []slack.Block {
	var blocks []slack.Block
	for _, c := range Chunks(text, MaxSectionText) {
		blocks = append(blocks, Section(c))
	}
	return blocks
}

// Escape makes user text inert in Slack's mrkdwn: with &, < and > escaped, a
// typed <!channel> or <@U123> is shown as text and pings nobody.
func Escape(s string) string { return escaper.Replace(s) }

// escaper is built once: a strings.Replacer compiles its table on first
// use, and building one per call was a tenth of a command's CPU (issue 18).
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

var (
	escapedMention = regexp.MustCompile(`&lt;([@#])((?:[UW]|C)[A-Z0-9]{2,})((?:\|[^&<>|]*)?)&gt;`)
	mentionMarkup  = regexp.MustCompile(`<([@#])((?:[UW]|C)[A-Z0-9]{2,})(?:\|([^<>|]*))?>`)
)

// Text is user text for a message only its reader sees (a DM, an
// ephemeral answer, the Home tab): escaped like Escape, except the user and
// channel mentions the user picked in Slack (<@U0BOB|bob>, <#C1|sales>),
// which show as mentions. Inside such a message they notify nobody;
// <!channel>, <!here>, user groups and links stay escaped, so nothing
// typed can broadcast or pass for a link.
func Text(s string) string {
	return escapedMention.ReplaceAllStringFunc(Escape(s), func(m string) string {
		sub := escapedMention.FindStringSubmatch(m)
		if (sub[1] == "@") == strings.HasPrefix(sub[2], "C") {
			return m // @C… or #U…: not a mention Slack makes
		}
		return "<" + sub[1] + sub[2] + sub[3] + ">"
	})
}

// notePermalink is a touch note ending in a Slack permalink, as Kept
// writes one for our side's message in a customer channel ("Wrote in
// <#C…>: https://acme.slack.com/archives/C…/p…"). The link may hold only
// characters that can neither close Slack's link markup nor forge any.
var notePermalink = regexp.MustCompile(`^(.*): (https://[A-Za-z0-9.-]+/archives/[CGD][A-Z0-9]+/p[0-9]+(?:\?[A-Za-z0-9=&._-]+)?)$`)

// Note is a touch's note as every surface shows it: user text (Text),
// clipped to limit characters (0: whole), and a Slack permalink that ends
// it shown as a link, not as a raw URL: "Wrote in #acme-shared
// (<…|message>)".
func Note(s string, limit int) string {
	link := ""
	if m := notePermalink.FindStringSubmatch(s); m != nil {
		s, link = m[1], " (<"+Escape(m[2])+"|message>)"
	}
	if limit > 0 {
		s = Clip(s, limit)
	}
	return Text(s) + link
}

// Unmentioned is user text for a channel (the digest): mentions read as
// @name or #name but are plain text, so a digest pings no one.
func Unmentioned(s string) string {
	return Escape(mentionMarkup.ReplaceAllStringFunc(s, func(m string) string {
		sub := mentionMarkup.FindStringSubmatch(m)
		if sub[3] != "" {
			return sub[1] + sub[3]
		}
		return sub[1] + sub[2]
	}))
}

// MaxText bounds what a promise may say: a promise is a sentence, not a
// document, and Slack sections stop at 3,000 characters.
const MaxText = 2000

// MaxName bounds a customer name: it is shown in lists, cards and button
// labels, and 80 characters is a long company name.
const MaxName = 80
