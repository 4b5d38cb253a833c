// Package zones knows each Slack user's time zone and whether they are
// still an active member, asking users.info and caching the answer. Both
// the inbound handlers and the notifier read due times in the owner's zone,
// never the server's, and share one cache.
package zones

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/outbox"
)

// zoneTTL bounds how stale a cached zone may be: people travel, and a
// reminder for "9:00" must follow them, but users.info is rate limited.
const zoneTTL = time.Hour

// UserInfo is the Web API call the cache makes; *slack.Client has it.
type UserInfo interface {
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
}

// Cache remembers each user's Slack time zone.
type Cache struct {
	api      UserInfo
	fallback *time.Location
	now      func() time.Time

	mu    sync.Mutex
	users map[string]cachedZone
}

type cachedZone struct {
	loc     *time.Location
	deleted bool
	guest   bool     // a guest (single- or multi-channel) account
	bot     bool     // an app's bot user, or Slackbot
	team    string   // the user's own workspace
	name    string   // what Slack shows after an @: the display name, else the real or user name
	teams   []string // on Enterprise Grid, every workspace of the org the user is in
	at      time.Time
}

// New returns a cache asking api, with fallback for users whose zone Slack
// does not say.
func New(api UserInfo, fallback *time.Location, now func() time.Time) *Cache {
	return &Cache{api: api, fallback: fallback, now: now, users: map[string]cachedZone{}}
}

// NoSuchUserError is returned for a user Slack does not know or has
// deactivated: nothing can be promised to them.
type NoSuchUserError struct{ User string }

func (e NoSuchUserError) Error() string { return "no active Slack user " + e.User }

// Zone returns user's time zone, asking Slack when the cached answer is
// missing or old. If Slack cannot be asked, a stale answer or the workspace
// zone is better than refusing the command.
func (z *Cache) Zone(ctx context.Context, user string) (*time.Location, error) {
	z.mu.Lock()
	c, ok := z.users[user]
	z.mu.Unlock()
	if ok && z.now().Sub(c.at) < zoneTTL {
		if c.deleted {
			return nil, NoSuchUserError{user}
		}
		return c.loc, nil
	}
	m, _ := ctx.Value(memoKey{}).(*memo)
	failed := m.failed(user)
	var u *slack.User
	err := failed
	if failed == nil {
		u, err = z.api.GetUserInfoContext(ctx, user)
	}
	if err != nil {
		if isUserGone(err) {
			z.put(user, cachedZone{deleted: true, at: z.now()})
			return nil, NoSuchUserError{user}
		}
		var se slack.SlackErrorResponse
		switch {
		case failed != nil:
		case errors.As(err, &se) && outbox.TokenDead(se.Err):
			err = fmt.Errorf("zones: users.info %s: %w (%s)", user, outbox.ErrTokenDead, se.Err)
		default:
			err = fmt.Errorf("zones: users.info %s: %w", user, err)
		}
		m.fail(user, err)
		if ok && !c.deleted {
			return c.loc, nil
		}
		return z.fallback, err
	}
	if u.Deleted {
		z.put(user, cachedZone{deleted: true, at: z.now()})
		return nil, NoSuchUserError{user}
	}
	loc := z.fallback
	if u.TZ != "" {
		if l, err := duetime.LoadZone(u.TZ); err == nil {
			loc = l
		}
	}
	z.put(user, cachedZone{loc: loc, guest: u.IsRestricted || u.IsUltraRestricted, bot: u.IsBot || user == slackbot, team: u.TeamID,
		name: cmp.Or(u.Profile.DisplayName, u.RealName, u.Name), teams: u.Enterprise.Teams, at: z.now()})
	return loc, nil
}

// Outsider reports whether user is a guest account or belongs to another
// workspace than team: someone who should not read the team's digest. It
// shares the zone's users.info answer and cache.
func (z *Cache) Outsider(ctx context.Context, user, team string) (bool, error) {
	if _, err := z.Zone(ctx, user); err != nil {
		var gone NoSuchUserError
		if errors.As(err, &gone) {
			return false, nil // deactivated: reads nothing
		}
		return false, err
	}
	z.mu.Lock()
	c := z.users[user]
	z.mu.Unlock()
	return c.guest || (c.team != "" && team != "" && c.team != team), nil
}

// slackbot is Slackbot's user id; users.info says it is not a bot.
const slackbot = "USLACKBOT"

// Bot reports whether user is a bot user (an app's, or Slackbot): not a
// person, so nothing can be promised to them, and Slack refuses to open
// a DM with one (cannot_dm_bot), so no reminder would ever reach them.
// It shares the zone's users.info answer and cache.
func (z *Cache) Bot(ctx context.Context, user string) (bool, error) {
	if user == slackbot {
		return true, nil
	}
	if _, err := z.Zone(ctx, user); err != nil {
		var gone NoSuchUserError
		if errors.As(err, &gone) {
			return false, nil
		}
		return false, err
	}
	z.mu.Lock()
	c := z.users[user]
	z.mu.Unlock()
	return c.bot, nil
}

// memo remembers, for one envelope, the users Slack could not be asked
// about: the checks of one command (who calls it, the owner's zone, a
// bot or not) ask once, and take the first failure for the rest.
type memo struct {
	mu    sync.Mutex
	users map[string]error
}

type memoKey struct{}

// WithMemo returns ctx under which a user Slack could not answer about
// is not asked about again: one envelope's handling.
func WithMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &memo{users: map[string]error{}})
}

func (m *memo) failed(user string) error {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.users[user]
}

func (m *memo) fail(user string, err error) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.users[user] = err
	m.mu.Unlock()
}

// Standing is what a user is to a workspace, for who may use Kept.
type Standing int

const (
	Member  Standing = iota // a person of the workspace (a guest too)
	Gone                    // unknown to Slack, or deactivated
	Bot                     // an app's bot user, or Slackbot
	Foreign                 // of another workspace or organisation
)

// StandingIn says what user is to team, from the zone's users.info
// answer and cache; err says Slack could not be asked.
func (z *Cache) StandingIn(ctx context.Context, user, team string) (Standing, error) {
	if user == slackbot {
		return Bot, nil
	}
	if _, err := z.Zone(ctx, user); err != nil {
		var gone NoSuchUserError
		if errors.As(err, &gone) {
			return Gone, nil
		}
		return Member, err
	}
	z.mu.Lock()
	c := z.users[user]
	z.mu.Unlock()
	switch {
	case c.bot:
		return Bot, nil
	case c.team != "" && team != "" && c.team != team && !slices.Contains(c.teams, team):
		return Foreign, nil
	}
	return Member, nil
}

// Name is what Slack shows of user after an @, for text shown as typed
// (a form's error), where a mention would show as its markup; "" when
// Slack cannot tell. It shares the zone's users.info answer and cache.
func (z *Cache) Name(ctx context.Context, user string) string {
	if _, err := z.Zone(ctx, user); err != nil {
		return ""
	}
	z.mu.Lock()
	c := z.users[user]
	z.mu.Unlock()
	return c.name
}

func (z *Cache) put(user string, c cachedZone) {
	z.mu.Lock()
	z.users[user] = c
	z.mu.Unlock()
}

func isUserGone(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	// account_inactive is about Kept's own token, not the user asked for:
	// a deactivated user comes back with deleted set.
	switch se.Err {
	case "user_not_found", "user_not_visible":
		return true
	}
	return false
}

// Or is user's zone, or the fallback when Slack cannot tell.
func (z *Cache) Or(ctx context.Context, user string) *time.Location {
	loc, err := z.Zone(ctx, user)
	if err != nil || loc == nil {
		return z.fallback
	}
	return loc
}
