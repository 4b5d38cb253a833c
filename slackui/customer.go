package slackui

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/cadence"
	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// CadenceText is "every 14 days", "every 3 months", "no check-ins".
func CadenceText(d time.Duration) string { return cadence.Text(d) }

func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Day is a date in each reader's zone ("Mon 7 Dec"), with loc's for
// the fallback.
func Day(t, now time.Time, loc *time.Location) string {
	return fmt.Sprintf("<!date^%d^{date_short_pretty}|%s>", t.Unix(), duetime.FormatDay(t, now, loc))
}

// DaysText is "today", "1 day", "16 days".
func DaysText(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if n <= 0 {
		return "less than a day"
	}
	return Plural(n, "day")
}

// DueAt is when a customer is due a touch by its cadence, whether or not
// a prompt went out.
func DueAt(c store.Customer) time.Time { return c.CheckinDue() }

// TouchState is "last touch 16 days ago, 2 days overdue" and the like.
func TouchState(c store.Customer, loc *time.Location, now time.Time) string {
	var s string
	if c.LastTouch.IsZero() {
		s = "no touch yet (added " + Day(c.Created, now, loc) + ")"
	} else {
		s = "last touch " + DaysText(now.Sub(c.LastTouch)) + " ago"
		if now.Sub(c.LastTouch) < 24*time.Hour {
			s = "touched today"
		}
	}
	if c.Cadence <= 0 {
		return s
	}
	switch due := DueAt(c); {
	case now.After(due):
		s += fmt.Sprintf(", *%s overdue*", DaysText(now.Sub(due)))
	default:
		s += ", next due " + Day(due, now, loc)
	}
	return s
}

// upperFirst starts a sentence: touchState's phrases begin in lower case.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// CustomerCard renders `/customer NAME`: its health and why, owner, tier,
// cadence, the last touch and its note, open promises and the last
// touches.
func CustomerCard(c store.Customer, health model.Health, why model.HealthReason, open []store.Promise, touches []store.Touch, loc *time.Location, now time.Time) (string, []slack.Block) {
	state := TouchState(c, loc, now)
	head := fmt.Sprintf("*%s* · %s · %s · owned by %s\n%s\n%s.", Escape(c.Name), c.Tier, CadenceText(c.Cadence), MentionUser(c.Owner), HealthLine(health, why), upperFirst(state))
	blocks := SplitSections(head)
	if !c.LastTouch.IsZero() {
		last := fmt.Sprintf("Last time, %s, %s left no note.", Day(c.LastTouch, now, loc), MentionUser(c.LastBy))
		if c.LastNote != "" {
			last = fmt.Sprintf("Last time, %s, %s: “%s”", Day(c.LastTouch, now, loc), MentionUser(c.LastBy), Note(c.LastNote, 0))
		}
		blocks = append(blocks, SplitSections(last)...)
	}
	if c.Notes != "" {
		blocks = append(blocks, SplitSections("*Notes:* "+Text(c.Notes))...)
	}
	blocks = append(blocks, dateBlocks(c, loc, now)...)
	if len(open) > 0 {
		lines := []string{fmt.Sprintf("*Open promises (%d)*", len(open))}
		for i, p := range open {
			if i == 10 {
				lines = append(lines, fmt.Sprintf("…and %d more.", len(open)-i))
				break
			}
			lines = append(lines, fmt.Sprintf("• %s · due %s · %s", ListSummary(p), Date(p.Due, now, loc), MentionUser(p.Owner)))
		}
		blocks = append(blocks, SplitSections(strings.Join(lines, "\n"))...)
	} else {
		blocks = append(blocks, Context("No open promises."))
	}
	if len(touches) > 0 {
		lines := []string{"*Recent touches*"}
		for _, t := range touches {
			line := fmt.Sprintf("• %s · %s · %s", Day(t.At, now, loc), Escape(string(t.Kind)), MentionUser(t.By))
			if t.Note != "" {
				line += ": “" + Note(t.Note, listTextMax) + "”"
			}
			lines = append(lines, line)
		}
		blocks = append(blocks, SplitSections(strings.Join(lines, "\n"))...)
	}
	name := Escape(Clip(c.Name, listNameMax))
	blocks = append(blocks, Context(fmt.Sprintf("Log a touch: `/touch %s …` · change it: `/customer edit %s every 30d`", name, name)))
	return fmt.Sprintf("%s: %s", name, CadenceText(c.Cadence)), Bound(blocks, MaxMessageBlocks, "…cut to fit one Slack message.")
}

// CustomerList renders `/customer list`, its first page.
func CustomerList(cs []store.Customer, health map[string]model.Standing, q CustomerQuery, loc *time.Location, now time.Time) (string, []slack.Block) {
	return CustomerListPage(cs, health, q, loc, now, 0)
}

// CustomerListPage renders the page of `/customer list` from offset: most
// overdue first, then those due soonest, then the ones without check-ins;
// q keeps one health only, or puts the worst health first. health is each
// customer's, by key (model.TeamHealth).
func CustomerListPage(cs []store.Customer, health map[string]model.Standing, q CustomerQuery, loc *time.Location, now time.Time, offset int) (string, []slack.Block) {
	if len(cs) == 0 {
		return "No customers yet. Add one with `/customer add Acme every 14d tier key`.", nil
	}
	cs = slices.Clone(cs)
	if q.Health != "" {
		cs = slices.DeleteFunc(cs, func(c store.Customer) bool { return health[c.Key()].Health != q.Health })
		if len(cs) == 0 {
			text := fmt.Sprintf("No customer is %s right now. `/customer list by health` shows them all, the worst first.", HealthBadge(q.Health))
			return text, []slack.Block{Section(text)}
		}
	}
	slices.SortStableFunc(cs, func(a, b store.Customer) int {
		if (a.Cadence > 0) != (b.Cadence > 0) {
			if a.Cadence > 0 {
				return -1
			}
			return 1
		}
		if a.Cadence > 0 {
			return DueAt(a).Compare(DueAt(b))
		}
		return 0
	})
	order := "most overdue first"
	if q.ByHealth {
		order = "worst health first"
		rows := make([]customerHealth, len(cs))
		for i, c := range cs {
			rows[i] = customerHealth{c, health[c.Key()]}
		}
		sortByHealth(rows)
		for i := range rows {
			cs[i] = rows[i].c
		}
	}
	var lines []string
	for _, c := range cs {
		tier := ""
		if c.Tier == store.KeyTier {
			tier = " 🔑"
		}
		lines = append(lines, fmt.Sprintf("• *%s*%s · %s · %s · %s · %s", Escape(Clip(c.Name, listNameMax)), tier, HealthMark(health[c.Key()]), MentionUser(c.Owner), CadenceText(c.Cadence), TouchState(c, loc, now)))
	}
	title := fmt.Sprintf("*Customers (%d)*, %s", len(cs), order)
	if q.Health != "" {
		title = fmt.Sprintf("*Customers %s (%d)*, most overdue first", HealthBadge(q.Health), len(cs))
	}
	return fmt.Sprintf("%d customers.", len(cs)), PageFor(title, lines, offset, ActionCustomerPage, q.String())
}

// Action ids of the customer removal confirmation's buttons.
const (
	ActionCustomerRemove = "customer_remove"
	ActionCustomerKeep   = "customer_keep"
)

// ConfirmRemove asks before removing c: a removed customer's touches go too.
func ConfirmRemove(c store.Customer) (string, []slack.Block) {
	text := fmt.Sprintf("Remove *%s* and its logged touches? Its promises stay, with their text.", Escape(c.Name))
	yes := Button(ActionCustomerRemove, store.CustomerKey(c.Name), "Remove "+c.Name)
	yes.Style = slack.StyleDanger
	no := Button(ActionCustomerKeep, store.CustomerKey(c.Name), "Keep it")
	return text, Bound([]slack.Block{Section(text), slack.NewActionBlock(removeBlock, yes, no)}, MaxMessageBlocks, "")
}
