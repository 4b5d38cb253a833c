package inbound

import (
	"context"

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
