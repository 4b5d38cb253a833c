package slackui

import (
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// homeLimit keeps the Home tab within Slack's 100 blocks.
const homeLimit = 25

// Home renders the Home tab: overdue, today and upcoming promises, each
// with Done and Snooze.
func Home(open []store.Promise, loc *time.Location, now time.Time) slack.HomeTabViewRequest {
	y, m, d := now.In(loc).Date()
	endOfToday := time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	var overdue, today, upcoming []store.Promise
	for _, p := range open {
		switch {
		case p.Due.Before(now):
			overdue = append(overdue, p)
		case p.Due.Before(endOfToday):
			today = append(today, p)
		default:
			upcoming = append(upcoming, p)
		}
	}
	blocks := []slack.Block{Header("Your promises")}
	if len(open) == 0 {
		blocks = append(blocks, Section("Nothing open. Record a promise with `/promise Acme: call back tomorrow 3pm`, or from any message's ⋮ menu → *Promise a follow-up*."))
	}
	shown := 0
	for _, group := range []struct {
		title string
		ps    []store.Promise
	}{{"⚠️ Overdue", overdue}, {"📅 Today", today}, {"🗓 Upcoming", upcoming}} {
		if len(group.ps) == 0 {
			continue
		}
		blocks = append(blocks, slack.NewDividerBlock(), Section(fmt.Sprintf("*%s* (%d)", group.title, len(group.ps))))
		for i, p := range group.ps {
			if shown == homeLimit {
				blocks = append(blocks, Context(fmt.Sprintf("…and %d more. `/promise list` shows them all.", len(group.ps)-i)))
				break
			}
			shown++
			text := fmt.Sprintf("%s\nDue %s", ListSummary(p), Date(p.Due, now, loc))
			blocks = append(blocks, Section(text), homeActions(p))
		}
	}
	blocks = Bound(blocks, MaxViewBlocks, "…more in `/promise list`.")
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func homeActions(p store.Promise) *slack.ActionBlock {
	a := actions(p)
	a.BlockID = PromiseBlockOf(p, true).String()
	return a
}
