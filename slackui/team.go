package slackui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// The team view: the App Home of a lead (KEPT_LEADS) when they choose it,
// with what the digest lists and the buttons to act on it.

// Action ids of the team view and of the lead's way to it.
const (
	ActionTeamView     = "team_view"     // on a lead's own Home: open the team view
	ActionTeamMine     = "team_mine"     // back to the lead's own Home
	ActionTeamRefresh  = "team_refresh"  // draw the team view again, as it is now
	ActionTeamNudge    = "team_nudge"    // DM the owner about a row
	ActionTeamReassign = "team_reassign" // a users_select: give the row to someone
	ActionTeamOpen     = "team_open"     // open the row's customer card
)

// Rows the team view shows of each list before "and N more": with two
// blocks a row (the line, its buttons), the whole stays well under
// Slack's 100 blocks of a Home tab.
const (
	teamLate    = 12
	teamQuiet   = 12
	teamWaiting = 6
	teamOwners  = 25
)

// TeamRow is what a row of the team view acts on: a promise ('p'), a
// customer ('c') or a message waiting on us ('w'), by its promise id or
// customer key. N tells apart two waits of one customer. It is the row's
// buttons' block id, written and read here only.
type TeamRow struct {
	Kind byte
	ID   int64  // for a promise
	Key  string // customer key, for a customer or a wait (and a promise's customer, if any)
	N    int
}

// String is the block id: team:p:ID:KEY, team:c:0:KEY, team:w:N:KEY.
func (r TeamRow) String() string {
	n := r.ID
	if r.Kind == 'w' {
		n = int64(r.N)
	}
	return "team:" + string(r.Kind) + ":" + strconv.FormatInt(n, 10) + ":" + r.Key
}

// ParseTeamRow reads a block id written by TeamRow.String.
func ParseTeamRow(s string) (TeamRow, bool) {
	rest, ok := strings.CutPrefix(s, "team:")
	if !ok || len(rest) < 2 || rest[1] != ':' {
		return TeamRow{}, false
	}
	r := TeamRow{Kind: rest[0]}
	num, key, _ := strings.Cut(rest[2:], ":")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return TeamRow{}, false
	}
	r.Key = key
	switch r.Kind {
	case 'p':
		r.ID = n
		return r, n > 0
	case 'c':
		return r, key != ""
	case 'w':
		r.N = int(n)
		return r, key != ""
	}
	return TeamRow{}, false
}

// TeamCustomer is a customer in the team view, with its health.
type TeamCustomer struct {
	store.Customer
	Health model.Health
	Why    model.HealthReason
}

// TeamWait is a message waiting on us, with its customer's owner.
type TeamWait struct {
	store.Wait
	Owner string
}

// OwnerScore is one owner's line of the scorecard: this week, and the
// four weeks before it, each and together.
type OwnerScore struct {
	Owner string
	Weeks []digest.Score // this week first
}

// Team is what the team view shows.
type Team struct {
	Late      []store.Promise // open past their promised time, longest late first
	Customers []TeamCustomer  // neglected and going quiet, worst first
	Waiting   []TeamWait      // oldest first
	Scores    []OwnerScore
	Starts    []time.Time // the scorecard's weeks, this week first
	Note      string      // what the lead's last click did, mrkdwn, or ""
}

// TeamView renders the team view for a lead, in their zone.
func TeamView(t Team, loc *time.Location, now time.Time) slack.HomeTabViewRequest {
	mine := Button(ActionTeamMine, "", "← My promises")
	refresh := Button(ActionTeamRefresh, "", "Refresh")
	blocks := []slack.Block{
		Header("Team view"),
		Context("For leads · as of " + Date(now, now, loc) + " · the digest's lists, with what to do about them"),
		slack.NewActionBlock("team_nav", mine, refresh),
	}
	if t.Note != "" {
		blocks = append(blocks, Section(t.Note))
	}
	blocks = append(blocks, teamSection("*⏰ Late promises*", "None: every open promise is still on time.", "less late than these", len(t.Late), teamLate, func(i int) (string, *slack.ActionBlock) {
		p := t.Late[i]
		line := fmt.Sprintf("*#%d* · %s · ", p.ID, MentionUser(p.Owner))
		if p.Customer != "" {
			line += "*" + Escape(Clip(p.Customer, digestNameMax)) + "* · "
		}
		line += fmt.Sprintf("“%s” · *%s late*", Unmentioned(Clip(p.Text, digestTextMax)), Lateness(now.Sub(p.Due)))
		return line, teamButtons(TeamRow{Kind: 'p', ID: p.ID, Key: model.CustomerKey(p.Customer)}, p.Customer != "")
	})...)
	quiet := fmt.Sprintf("*%s and %s*", HealthBadge(model.HealthNeglected), HealthBadge(model.HealthGoingQuiet))
	blocks = append(blocks, teamSection(quiet, "None: the team is in touch with every customer.", "`/customer list by health` shows them all", len(t.Customers), teamQuiet, func(i int) (string, *slack.ActionBlock) {
		c := t.Customers[i]
		line := fmt.Sprintf("*%s* · %s · %s · %s", Escape(Clip(c.Name, listNameMax)), HealthMark(model.Standing{Health: c.Health, Why: c.Why}), MentionUser(c.Owner), TouchState(c.Customer, loc, now))
		return line, teamButtons(TeamRow{Kind: 'c', Key: c.Key()}, true)
	})...)
	blocks = append(blocks, teamSection("*"+WaitingMark+" Waiting on us*", "None: no customer's message is waiting for an answer.", "waiting less long", len(t.Waiting), teamWaiting, func(i int) (string, *slack.ActionBlock) {
		w := t.Waiting[i]
		line := fmt.Sprintf("*%s* · %s · %s wrote in %s %s ago", Escape(Clip(w.Customer, digestNameMax)), MentionUser(w.Owner), MentionUser(w.By), MentionChannel(w.Channel), HoursOrDays(now.Sub(w.At)))
		if w.Link != "" {
			line += " · <" + w.Link + "|open>"
		}
		return line, teamButtons(TeamRow{Kind: 'w', Key: model.CustomerKey(w.Customer), N: i}, true)
	})...)

	blocks = append(blocks, slack.NewDividerBlock())
	blocks = append(blocks, SplitSections(scorecardText(t.Scores, t.Starts, loc, now))...)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: Bound(blocks, MaxViewBlocks, "…more than one Home tab holds; `/customer digest` has the rest.")}}
}

// teamSection is a titled list of n rows, each a line and its buttons,
// cut after limit rows with how many more there are (and what they are).
func teamSection(title, none, more string, n, limit int, row func(i int) (string, *slack.ActionBlock)) []slack.Block {
	blocks := []slack.Block{slack.NewDividerBlock(), Section(fmt.Sprintf("%s (%d)", title, n))}
	if n == 0 {
		return append(blocks, Context(none))
	}
	for i := range n {
		if i == limit {
			return append(blocks, Context(fmt.Sprintf("…and %d more, %s.", n-i, more)))
		}
		line, buttons := row(i)
		blocks = append(blocks, Section(line), buttons)
	}
	return blocks
}

// teamButtons are a row's: nudge its owner, reassign it, open its customer.
func teamButtons(row TeamRow, customer bool) *slack.ActionBlock {
	elems := []slack.BlockElement{Button(ActionTeamNudge, row.String(), "Nudge the owner")}
	if row.Kind != 'w' {
		elems = append(elems, slack.NewOptionsSelectBlockElement(slack.OptTypeUser, Plain("Reassign…"), ActionTeamReassign))
	}
	if customer {
		elems = append(elems, Button(ActionTeamOpen, row.Key, "Open the customer"))
	}
	return slack.NewActionBlock(row.String(), elems...)
}

// scorecardText is the scorecard: each owner's week and the four before.
func scorecardText(scores []OwnerScore, starts []time.Time, loc *time.Location, now time.Time) string {
	var b strings.Builder
	b.WriteString("*📊 Scorecard* — ✅ promises kept on time · ⏰ late (kept late, or still open past their time) · ↪️ moved to a new time · 🤝 touches logged")
	if len(starts) > 1 {
		fmt.Fprintf(&b, "\n_This week is since %s; the four before it start %s._", PlainDate(starts[0], now, loc), PlainDate(starts[len(starts)-1], now, loc))
	}
	if len(scores) == 0 {
		b.WriteString("\nNothing kept, late, moved or logged in five weeks.")
	}
	for i, s := range scores {
		if i == teamOwners {
			fmt.Fprintf(&b, "\n…and %d more people.", len(scores)-i)
			break
		}
		var before digest.Score
		for _, w := range s.Weeks[1:] {
			before = before.Add(w)
		}
		fmt.Fprintf(&b, "\n• %s · this week: %s · the four before: %s", MentionUser(s.Owner), scoreText(s.Weeks[0]), scoreText(before))
	}
	return b.String()
}

func scoreText(s digest.Score) string {
	return fmt.Sprintf("✅ %d · ⏰ %d · ↪️ %d · 🤝 %d", s.OnTime, s.Late, s.Moved, s.Touches)
}

// TeamViewButton is the lead's way from their own Home to the team view.
func TeamViewButton() *slack.ActionBlock {
	b := Button(ActionTeamView, "", "👥 Team view")
	b.Style = slack.StylePrimary
	return slack.NewActionBlock("team_open_view", b)
}

// TeamNudge is the DM an owner gets when a lead nudges them about a row
// of the team view: who asked, and the row's own message (a reminder, a
// check-in prompt) with its buttons, or the waiting message.
func TeamNudge(lead, what string) *slack.ContextBlock {
	return Context(fmt.Sprintf("👋 %s asked me to nudge you about %s, from the team view.", MentionUser(lead), what))
}
