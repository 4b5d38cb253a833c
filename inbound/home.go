package inbound

import (
	"context"
	"sync"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// homeViewers remembers who has opened Kept's Home tab, so that a change
// republishes only the homes someone has looked at, and which leads chose
// the team view there (team.go), so that it is what they see again.
type homeViewers struct {
	mu    sync.Mutex
	users map[string]bool // team/user
	team  map[string]bool // team/user: the team view
}

func (h *homeViewers) setTeam(team, user string, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.team == nil {
		h.team = map[string]bool{}
	}
	h.team[team+"/"+user] = on
}

func (h *homeViewers) onTeam(team, user string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.team[team+"/"+user]
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

// refreshHome republishes user's Home tab if they have opened it.
func (b *Bot) refreshHome(ctx context.Context, team, user string) {
	if b.homes.has(team, user) {
		b.publishHome(ctx, team, user)
	}
}

func (b *Bot) publishHome(ctx context.Context, team, user string) {
	lead := b.mayLead(ctx, user)
	if lead && b.homes.onTeam(team, user) {
		b.publishTeam(ctx, team, user, "") // team.go
		return
	}
	b.homes.add(team, user)
	ps, err := b.store.Promises(team, user, store.Open)
	if err != nil {
		b.cfg.Log.Error("home: list promises", "err", err)
		return
	}
	view := slackui.Home(ps, b.zoneOr(ctx, user), b.cfg.Now())
	if lead {
		// Leads, and only they, have a way to the team view (team.go).
		view.Blocks.BlockSet = append([]slack.Block{slackui.TeamViewButton()}, view.Blocks.BlockSet...)
	}
	blocks := append(view.Blocks.BlockSet, b.customerHome(team, user, b.zoneOr(ctx, user))...) // checkin.go
	blocks = append(blocks, b.waitingHome(team, user, b.zoneOr(ctx, user))...)                 // listen.go
	view.Blocks.BlockSet = slackui.Bound(blocks, slackui.MaxViewBlocks, "…more with `/promise list` and `/customer list`.")
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view}); err != nil {
		b.cfg.Log.Error("home: publish", "user", user, "err", err)
	}
}
