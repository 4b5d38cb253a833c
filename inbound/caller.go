package inbound

import (
	"context"
	"sync"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/zones"
)

// mayUse refuses a command or a click from someone who is not a person
// of the workspace it names: a bot user, an account Slack does not know
// or has deactivated, someone of another workspace or organisation (the
// customer's people in a shared channel, or a payload naming another
// team than its user's). Slack sends none of these for a person of ours;
// a crafted or misrouted payload could, and would read or change the
// team's promises and customers. When Slack cannot be asked, the user is
// taken for a member, as everywhere else.
func (b *Bot) mayUse(ctx context.Context, team, user string) error {
	standing, err := b.zones.StandingIn(ctx, user, team)
	if err != nil {
		return nil
	}
	switch standing {
	case zones.Gone:
		return forbidden("I can't find you as an active member of this workspace, so I did nothing.")
	case zones.Bot:
		return forbidden("Kept's commands and buttons are for people, not bots: nothing was done.")
	case zones.Foreign:
		return forbidden("Kept keeps this workspace's promises and customers, and takes commands and clicks only from its own members. You're from another workspace or organisation, so nothing was done.")
	}
	return nil
}

// dmOpener finds Kept's DM with a user; *slack.Client has it.
type dmOpener interface {
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
}

// dms remembers each user's DM with Kept, which never changes.
type dms struct {
	mu sync.Mutex
	of map[string]string
}

// ownDM says whether channel is user's DM with Kept: the only place Kept
// rewrites a message a click (or a form opened by one) names. Every
// message of Kept's with buttons it rewrites went to someone's DM; a
// crafted click whose container names another's message (their
// reminder, a digest post) must not have Kept rewrite it. When Slack
// cannot say, nothing is rewritten: what the click did is done, and
// shows everywhere else.
func (b *Bot) ownDM(ctx context.Context, user, channel string) bool {
	if channel == "" || user == "" {
		return false
	}
	opener, ok := b.api.(dmOpener)
	if !ok {
		return true // a Slack client that cannot tell (tests' fakes)
	}
	b.dms.mu.Lock()
	dm, known := b.dms.of[user]
	b.dms.mu.Unlock()
	if !known {
		ch, _, _, err := opener.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}, ReturnIM: true})
		if err != nil || ch == nil {
			b.cfg.Log.Warn("find a user's DM to check a clicked message", "user", user, "err", err)
			return false
		}
		dm = ch.ID
		b.dms.mu.Lock()
		if b.dms.of == nil {
			b.dms.of = map[string]string{}
		}
		b.dms.of[user] = dm
		b.dms.mu.Unlock()
	}
	if dm != channel {
		b.cfg.Log.Warn("a click names a message outside the clicker's DM; not rewriting it", "user", user, "channel", channel)
		return false
	}
	return true
}
