package inbound

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Who the leads are: KEPT_LEADS names users, and user groups (S…) whose
// members Slack lists through usergroups.users.list. A group's members are
// looked up when someone's standing is asked and kept for groupTTL, so a
// person added to the group is a lead within minutes, and a burst of clicks
// costs one call.

// groupTTL is how long a user group's members are trusted before Slack is
// asked again.
const groupTTL = 5 * time.Minute

// groupAPI is what resolving a lead group needs of Slack; *slack.Client
// has it. It is asked for by type assertion so that fakes need not.
var _ groupAPI = (*slack.Client)(nil)

type groupAPI interface {
	GetUserGroupMembersContext(ctx context.Context, userGroup string, options ...slack.GetUserGroupMembersOption) ([]string, error)
}

// leadGroups caches the members of the lead user groups.
type leadGroups struct {
	mu      sync.Mutex
	members map[string]map[string]bool // group -> members
	fetched map[string]time.Time
}

// isLead says whether user is a lead: named in KEPT_LEADS, or a member of
// a user group named there. When Slack cannot be asked, the members last
// seen stand; with none seen, nobody is a lead by that group.
func (b *Bot) isLead(ctx context.Context, user string) bool {
	if b.leads[user] {
		return true
	}
	for _, g := range b.cfg.LeadGroups {
		if b.groupMembers(ctx, g)[user] {
			return true
		}
	}
	return false
}

// mayLead is isLead, or an admin: who may use the digest and the team view.
func (b *Bot) mayLead(ctx context.Context, user string) bool {
	return b.isAdmin(user) || b.isLead(ctx, user)
}

func (b *Bot) groupMembers(ctx context.Context, group string) map[string]bool {
	g := &b.groups
	g.mu.Lock()
	defer g.mu.Unlock()
	now := b.cfg.Now()
	if at, ok := g.fetched[group]; ok && now.Sub(at) < groupTTL && !now.Before(at) {
		return g.members[group]
	}
	api, ok := b.api.(groupAPI)
	if !ok {
		return g.members[group]
	}
	// One lookup at a time per bot: the lock also keeps a burst of clicks
	// from asking Slack once each.
	users, err := api.GetUserGroupMembersContext(ctx, group)
	if err != nil {
		b.cfg.Log.Warn("cannot list the lead user group's members; using the last known", "group", group, "err", err)
		return g.members[group]
	}
	if g.members == nil {
		g.members, g.fetched = map[string]map[string]bool{}, map[string]time.Time{}
	}
	set := make(map[string]bool, len(users))
	for _, u := range users {
		set[u] = true
	}
	g.members[group], g.fetched[group] = set, now
	return set
}
