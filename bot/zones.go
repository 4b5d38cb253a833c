package bot

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// zoneTTL bounds how stale a cached zone may be: people travel, and a
// reminder for "9:00" must follow them, but users.info is rate limited.
const zoneTTL = time.Hour

// zoneCache remembers each user's Slack time zone. Due times are parsed in
// the owner's zone, never the server's.
type zoneCache struct {
	api      Slack
	fallback *time.Location
	now      func() time.Time

	mu    sync.Mutex
	users map[string]cachedZone
}

type cachedZone struct {
	loc     *time.Location
	deleted bool
	at      time.Time
}

func newZoneCache(api Slack, fallback *time.Location, now func() time.Time) *zoneCache {
	return &zoneCache{api: api, fallback: fallback, now: now, users: map[string]cachedZone{}}
}

// errNoSuchUser is returned for a user Slack does not know or has
// deactivated: nothing can be promised to them.
type errNoSuchUser struct{ user string }

func (e errNoSuchUser) Error() string { return "no active Slack user " + e.user }

// zone returns user's time zone, asking Slack when the cached answer is
// missing or old. If Slack cannot be asked, a stale answer or the workspace
// zone is better than refusing the command.
func (z *zoneCache) zone(ctx context.Context, user string) (*time.Location, error) {
	z.mu.Lock()
	c, ok := z.users[user]
	z.mu.Unlock()
	if ok && z.now().Sub(c.at) < zoneTTL {
		if c.deleted {
			return nil, errNoSuchUser{user}
		}
		return c.loc, nil
	}
	u, err := z.api.GetUserInfoContext(ctx, user)
	if err != nil {
		if isUserGone(err) {
			z.put(user, cachedZone{deleted: true, at: z.now()})
			return nil, errNoSuchUser{user}
		}
		if ok && !c.deleted {
			return c.loc, nil
		}
		return z.fallback, fmt.Errorf("bot: users.info %s: %w", user, err)
	}
	if u.Deleted {
		z.put(user, cachedZone{deleted: true, at: z.now()})
		return nil, errNoSuchUser{user}
	}
	loc := z.fallback
	if u.TZ != "" {
		if l, err := time.LoadLocation(u.TZ); err == nil {
			loc = l
		}
	}
	z.put(user, cachedZone{loc: loc, at: z.now()})
	return loc, nil
}

func (z *zoneCache) put(user string, c cachedZone) {
	z.mu.Lock()
	z.users[user] = c
	z.mu.Unlock()
}

func isUserGone(err error) bool {
	var se slack.SlackErrorResponse
	if !asSlackError(err, &se) {
		return false
	}
	switch se.Err {
	case "user_not_found", "account_inactive", "user_not_visible":
		return true
	}
	return false
}
