package slackui

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// Keep-in-touch prompts (the DM a customer's owner gets when its last
// touch is older than its cadence) and the Home tab's customer sections.

const (
	ActionCheckinTouch   = "checkin_touch"
	ActionCheckinSnooze  = "checkin_snooze"
	ActionCheckinCadence = "checkin_cadence"
	ActionHomeTouch      = "customer_touch" // "Log a touch" on the Home tab

	TouchCallback = "touch_modal"
	FieldNote     = "note"
	FieldKind     = "kind"

	// homeQuiet bounds the customers the Home tab lists.
	homeQuiet = 8
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
		Escape(c.Name), DaysText(now.Sub(since)), what, CadenceText(c.Cadence))
	fallback := fmt.Sprintf("Time to check in with %s: %s %s.", Escape(c.Name), DaysText(now.Sub(since)), what)
	blocks := SplitSections(head)
	fallback = Fit(fallback, 1000) // escaped: never cut inside an &amp;
	if !c.LastTouch.IsZero() {
		last := fmt.Sprintf("Last time, %s, %s", Day(c.LastTouch, now, loc), MentionUser(c.LastBy))
		if c.LastNote != "" {
			last += ": “" + Note(c.LastNote, 0) + "”"
		} else {
			last += " left no note."
		}
		blocks = append(blocks, Context(last))
	}
	if c.Notes != "" {
		blocks = append(blocks, Context("Notes: "+Escape(Truncate(c.Notes, 300))))
	}
	blocks = append(blocks, checkinButtons(c, nudge))
	return fallback, Bound(blocks, MaxMessageBlocks, "")
}

// Week is a person's week: promises kept on time and late, touches logged.
type Week struct{ OnTime, Late, Touches int }

// CustomerHome renders the Home tab's "Customers needing you" (mine whose
// health, by key in health, is other than on track: the worst first, then
// the most overdue, each with a button to log a touch) and "My week".
func CustomerHome(mine []store.Customer, health map[string]model.Standing, week Week, loc *time.Location, now time.Time) []slack.Block {
	var rows []customerHealth
	for _, c := range mine {
		if h := health[c.Key()]; h.Health != "" && h.Health != model.HealthOnTrack {
			rows = append(rows, customerHealth{c, h})
		}
	}
	slices.SortStableFunc(rows, func(a, b customerHealth) int { return DueAt(a.c).Compare(DueAt(b.c)) })
	sortByHealth(rows)
	blocks := []slack.Block{slack.NewDividerBlock(), Section(fmt.Sprintf("*🤝 Customers needing you* (%d)", len(rows)))}
	if len(rows) == 0 {
		text := "None: all your customers are " + HealthBadge(model.HealthOnTrack) + "."
		if len(mine) == 0 {
			text = "You own no customers yet. `/customer add NAME every 14d tier key` adds one, and I will remind you to keep in touch."
		}
		blocks = append(blocks, Context(text))
	}
	for i, r := range rows {
		if i == homeQuiet {
			blocks = append(blocks, Context(fmt.Sprintf("…and %d more. `/customer list by health` shows them all.", len(rows)-i)))
			break
		}
		c := r.c
		text := fmt.Sprintf("*%s* · %s · %s\n%s", Escape(Clip(c.Name, listNameMax)), HealthMark(r.health), CadenceText(c.Cadence), upperFirst(TouchState(c, loc, now)))
		if c.LastNote != "" {
			text += "\nLast: “" + Note(c.LastNote, 200) + "”"
		}
		s := Section(text)
		s.Accessory = slack.NewAccessory(Button(ActionHomeTouch, store.CustomerKey(c.Name), "Log a touch"))
		blocks = append(blocks, s)
	}
	summary := fmt.Sprintf("*📈 My week*\nPromises kept on time: *%d* · kept late: *%d* · touches logged: *%d*", week.OnTime, week.Late, week.Touches)
	return append(blocks, slack.NewDividerBlock(), Section(summary))
}

// TouchLogged confirms touch t to whoever logged it, with c as the touch
// left it: the kind and the time when they are not "a call, just now",
// the note, when the next check-in is, and why it did not move when the
// touch is older than the last one.
func TouchLogged(c store.Customer, t store.Touch, loc *time.Location, now time.Time) string {
	var about []string
	if t.Kind != store.TouchCall {
		about = append(about, string(t.Kind))
	}
	if now.Sub(t.At) >= time.Minute {
		about = append(about, Date(t.At, now, loc))
	}
	text := "Logged a touch with *" + Escape(c.Name) + "*"
	if len(about) > 0 {
		text += " (" + strings.Join(about, ", ") + ")"
	}
	if t.Note != "" {
		text += ": “" + Note(t.Note, 0) + "”"
	}
	text += "."
	if c.LastTouch.After(t.At) {
		text += " It is older than the last touch (" + Day(c.LastTouch, now, loc) + "), which the check-ins still count from."
	}
	if c.Cadence > 0 {
		text += " Next check-in " + Day(c.CheckinDue(), now, loc) + "."
	}
	return text
}
