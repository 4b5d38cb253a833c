package slackui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// An owner's check-ins for the day, gathered in one DM (notify's
// DeliverCheckins): a line per customer going quiet, each with the
// buttons of a single prompt, and a mark on those that are late.

// CheckinRow is one customer of a gathered check-in message.
type CheckinRow struct {
	Customer store.Customer
	Nudge    int64 // the prompt's nudge, which the row's block ids carry
	// Late is the working day the prompt should have reached its owner
	// on, when that is an earlier day than today (model.CheckinLate);
	// zero when on time.
	Late time.Time
}

// checkinRowPrefix starts the block id of a row's section; the row's
// buttons are in the block CheckinBlock(nudge).
const checkinRowPrefix = "checkin_row:"

// CheckinRowBlock is the block id of a gathered message's row for nudge.
func CheckinRowBlock(nudge int64) string { return checkinRowPrefix + strconv.FormatInt(nudge, 10) }

// Checkins renders an owner's check-ins for the day. One customer on
// time is the single prompt (Checkin); otherwise one message lists them,
// the late ones marked with the day they were due.
func Checkins(rows []CheckinRow, loc *time.Location, now time.Time) (string, []slack.Block) {
	if len(rows) == 1 && rows[0].Late.IsZero() {
		return Checkin(rows[0].Customer, rows[0].Nudge, loc, now)
	}
	late := 0
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = Escape(r.Customer.Name)
		if !r.Late.IsZero() {
			late++
		}
	}
	head := fmt.Sprintf("🤝 *Time to check in*, just to talk: %s going quiet.", countText(len(rows), "customer is", "customers are"))
	if late > 0 {
		head = fmt.Sprintf("🤝 *Catching up on check-ins*, just to talk: %s going quiet, %s should have reached you on an earlier day.",
			countText(len(rows), "customer is", "customers are"), lateText(late, len(rows)))
	}
	blocks := []slack.Block{Section(head)}
	for _, r := range rows {
		blocks = append(blocks, checkinRow(r, loc, now), checkinButtons(r.Customer, r.Nudge))
	}
	fallback := Fit("Time to check in with "+joinNames(names)+".", 1000)
	return fallback, Bound(blocks, MaxMessageBlocks, "")
}

func countText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func lateText(late, of int) string {
	switch {
	case late == of && of == 1:
		return "and it"
	case late == of:
		return "and all of them"
	case late == 1:
		return "and 1 of them"
	}
	return "and " + strconv.Itoa(late) + " of them"
}

// joinNames writes "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// checkinRow is a customer's line: how long since the last touch against
// the cadence, late or not, and the last note for context.
func checkinRow(r CheckinRow, loc *time.Location, now time.Time) slack.Block {
	c := r.Customer
	since, what := c.LastTouch, "since the last touch"
	if since.IsZero() {
		since, what = c.Created, "since it was added, no touch logged"
	}
	text := fmt.Sprintf("*%s* · %s %s; you aim for %s.", Escape(Clip(c.Name, listNameMax)), DaysText(now.Sub(since)), what, CadenceText(c.Cadence))
	if !r.Late.IsZero() {
		text += " ⏰ _Late: " + LateSince(r.Late, now, loc) + "._"
	}
	if !c.LastTouch.IsZero() {
		text += "\nLast time, " + Day(c.LastTouch, now, loc) + ", " + MentionUser(c.LastBy)
		if c.LastNote != "" {
			text += ": “" + Note(c.LastNote, 200) + "”"
		} else {
			text += " left no note."
		}
	}
	s := Section(text)
	s.BlockID = CheckinRowBlock(r.Nudge)
	return s
}

// checkinButtons are a prompt's buttons: logged a touch, snooze a week,
// change the cadence. The block id names the prompt's nudge.
func checkinButtons(c store.Customer, nudge int64) slack.Block {
	key := store.CustomerKey(c.Name)
	logged := Button(ActionCheckinTouch, key, "Logged a touch")
	logged.Style = slack.StylePrimary
	snooze := Button(ActionCheckinSnooze, key, "Snooze a week")
	var opts []*slack.OptionBlockObject
	for _, ch := range cadenceChoices {
		opts = append(opts, slack.NewOptionBlockObject(ch.value, Plain(ch.label), nil))
	}
	cadence := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, Plain("Change cadence"), ActionCheckinCadence, opts...)
	return slack.NewActionBlock(CheckinBlock(nudge), logged, snooze, cadence)
}

// LateSince says since when a late prompt was due: "due since Tue"
// within the week, "due since 24 Nov" before.
func LateSince(meant, now time.Time, loc *time.Location) string {
	m := meant.In(loc)
	if now.Sub(meant) < 6*24*time.Hour {
		return "due since " + m.Format("Mon")
	}
	return "due since " + m.Format("2 Jan")
}

// HasCheckinRow reports whether blocks (a message as Slack holds it) are
// a gathered check-in message with a row for nudge.
func HasCheckinRow(blocks []slack.Block, nudge int64) bool {
	_, ok := rowAt(blocks, nudge)
	return ok
}

// CheckinRowDone is blocks, a gathered check-in message as Slack holds
// it, with nudge's buttons replaced by note (what was done): that row
// alone changes, every other row stays as it is, buttons and all. False
// when blocks have no row for nudge.
func CheckinRowDone(blocks []slack.Block, nudge int64, note string) ([]slack.Block, bool) {
	i, ok := rowAt(blocks, nudge)
	if !ok {
		return nil, false
	}
	out := slices.Clone(blocks)
	done := Context(note)
	done.BlockID = CheckinBlock(nudge)
	if i+1 < len(out) && out[i+1].ID() == CheckinBlock(nudge) {
		out[i+1] = done
	} else {
		out = slices.Insert(out, i+1, slack.Block(done))
	}
	return out, true
}

func rowAt(blocks []slack.Block, nudge int64) (int, bool) {
	id := CheckinRowBlock(nudge)
	for i, b := range blocks {
		if b.ID() == id {
			return i, true
		}
	}
	return 0, false
}
