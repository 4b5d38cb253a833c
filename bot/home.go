package bot

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

// homeViewers remembers who has opened Kept's Home tab, so that a change
// republishes only the homes someone has looked at.
type homeViewers struct {
	mu    sync.Mutex
	users map[string]bool // team/user
}

func (h *homeViewers) add(team, user string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.users == nil {
		h.users = map[string]bool{}
	}
	h.users[team+"/"+user] = true
}

func (h *homeViewers) has(team, user string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.users[team+"/"+user]
}

// homeLimit keeps the Home tab within Slack's 100 blocks.
const homeLimit = 25

// refreshHome republishes user's Home tab if they have opened it.
func (b *Bot) refreshHome(ctx context.Context, team, user string) {
	if b.homes.has(team, user) {
		b.publishHome(ctx, team, user)
	}
}

func (b *Bot) publishHome(ctx context.Context, team, user string) {
	b.homes.add(team, user)
	ps, err := b.store.Promises(team, user, store.Open)
	if err != nil {
		b.cfg.Log.Error("home: list promises", "err", err)
		return
	}
	view := Home(ps, b.zoneOr(ctx, user), b.cfg.Now())
	view.Blocks.BlockSet = append(view.Blocks.BlockSet, b.customerHome(team, user, b.zoneOr(ctx, user))...) // checkin.go
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		b.cfg.Log.Error("home: publish", "user", user, "err", err)
	}
}

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
	blocks := []slack.Block{slack.NewHeaderBlock(plain("Your promises"))}
	if len(open) == 0 {
		blocks = append(blocks, section("Nothing open. Record a promise with `/promise Acme: call back tomorrow 3pm`, or from any message's ⋮ menu → *Promise a follow-up*."))
	}
	shown := 0
	for _, group := range []struct {
		title string
		ps    []store.Promise
	}{{"⚠️ Overdue", overdue}, {"📅 Today", today}, {"🗓 Upcoming", upcoming}} {
		if len(group.ps) == 0 {
			continue
		}
		blocks = append(blocks, slack.NewDividerBlock(), section(fmt.Sprintf("*%s* (%d)", group.title, len(group.ps))))
		for i, p := range group.ps {
			if shown == homeLimit {
				blocks = append(blocks, contextBlock(fmt.Sprintf("…and %d more. `/promise list` shows them all.", len(group.ps)-i)))
				break
			}
			shown++
			text := fmt.Sprintf("%s\nDue %s", summary(p), slackDate(p.Due, loc))
			blocks = append(blocks, section(text), homeActions(p))
		}
	}
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

func homeActions(p store.Promise) *slack.ActionBlock {
	a := actions(p)
	a.BlockID = "home:" + strconv.FormatInt(p.ID, 10) + ":" + p.Owner
	return a
}
