package inbound

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// Anyone may record a promise for someone else, which is what a team
// does; but not without bound, and never behind the owner's back. Each
// creator may record forOthersLimit promises for other people in any
// forOthersWindow, and each owner is told who recorded one for them.
const (
	forOthersLimit  = 20
	forOthersWindow = time.Hour
)

// forOthers counts, per team and creator, the promises recorded for
// others in the last window. It is in memory: a restart forgets it, which
// at worst lets a creator start a new hour early.
type forOthers struct {
	mu    sync.Mutex
	times map[string][]time.Time
}

// allow records one more promise for others by creator at now, unless
// they have reached the limit.
func (f *forOthers) allow(team, creator string, now time.Time) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.times == nil {
		f.times = map[string][]time.Time{}
	}
	key := team + "/" + creator
	recent := f.times[key][:0]
	for _, t := range f.times[key] {
		if now.Sub(t) < forOthersWindow {
			recent = append(recent, t)
		}
	}
	if len(recent) >= forOthersLimit {
		f.times[key] = recent
		return false
	}
	f.times[key] = append(recent, now)
	return true
}

// mayRecordFor refuses creator a promise owned by owner when they have
// recorded too many for others lately; a promise of one's own is free.
func (b *Bot) mayRecordFor(team, creator, owner string) error {
	if owner == creator || b.isAdmin(creator) || b.others.allow(team, creator, b.cfg.Now()) {
		return nil
	}
	return limited(fmt.Sprintf("You have recorded %d promises for other people in the last hour, as many as Kept takes; nothing was recorded. Try again later, or ask them to record their own.", forOthersLimit))
}

// tellOwner lets the owner of a promise someone else just recorded know
// who did, so nobody's list fills up unseen.
func (b *Bot) tellOwner(ctx context.Context, p store.Promise) {
	if p.Creator == "" || p.Creator == p.Owner {
		return
	}
	text := fmt.Sprintf("%s recorded a promise for you: %s, due %s. I'll remind you then. Not yours? `/promise give %d @someone` or `/promise cancel %d`.",
		slackui.MentionUser(p.Creator), slackui.Summary(p), slackui.Date(p.Due, b.cfg.Now(), b.zoneOr(ctx, p.Owner)), p.ID, p.ID)
	if _, _, err := b.api.PostMessageContext(ctx, p.Owner, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(slackui.Section(text))); err != nil {
		b.cfg.Log.Warn("tell owner", "owner", p.Owner, "err", err)
	}
}

func limited(text string) error { return refusal{refusedLimited, text} }
