// Package notify delivers the nudges the scheduler hands it: reminders and
// overdue follow-ups to a promise's owner, keep-in-touch prompts in the
// owner's working hours, and the channel digest. It implements
// scheduler.Deliverer and scheduler.Finder, speaks the outbox package's
// error vocabulary, and calls Slack through its own narrow interface.
package notify

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
	"github.com/keptbot/kept/zones"
)

// Store is the part of the store the notifier reads.
type Store interface {
	Promise(team string, id int64) (store.Promise, error)
	Customer(team, name string) (store.Customer, error)
	// PromisesFor lists the open promises naming a customer, the context
	// of a date prompt.
	PromisesFor(team, customer string) ([]store.Promise, error)
	digest.Source
	// LastRun and SetLastRun keep when each owner's last check-in message
	// went out (checkins.go): one a working day.
	LastRun(name string) (time.Time, error)
	SetLastRun(name string, t time.Time) error
}

// Slack is the part of the Web API the notifier calls; *slack.Client has
// it. Lookups after a crash (recover.go) and the digest's (digest.go) are
// asked for by type assertion so that fakes of Slack need not have them.
type Slack interface {
	zones.UserInfo
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
}

// Config tunes a Notifier.
type Config struct {
	Zone *time.Location   // fallback when a user's zone is unknown
	Now  func() time.Time // clock
	Log  *slog.Logger
	// DigestChannel receives, with a note, the nudges whose owner cannot
	// be reached (recover.go); "" means they fail, logged as errors.
	DigestChannel string
	// WorkHours is when check-in prompts go out, in each owner's zone;
	// the zero value means workhours.Default (Mon-Fri 09:00-17:00).
	WorkHours workhours.Hours
	// Zones is the cache of users' zones, shared with the inbound
	// handlers; nil makes one of the notifier's own.
	Zones *zones.Cache
	// CheckinsPerDay is how many customers an owner's one check-in
	// message a working day lists (model.PlanCheckins); 0 means
	// model.DefaultCheckinsPerDay.
	CheckinsPerDay int
	// Dates is how far ahead customer dates are prompted (dates.go); the
	// zero value means model.DefaultDates.
	Dates model.DatePolicy
}

// Notifier sends nudges to Slack.
type Notifier struct {
	store Store
	api   Slack
	zones *zones.Cache
	cfg   Config

	// self is auth.test's answer for Kept's token (its workspace, its bot
	// id), for the digest and for recovery; digestTrouble the channels
	// whose last digest Slack refused, with its error code (digest.go).
	self          atomic.Value
	digestTrouble sync.Map
	// appID is Kept's app id, from Socket Mode's hello (SetAppID), for
	// the scheduled digest's link to the team view; "" until then.
	appID atomic.Pointer[string]
}

// SetAppID records the app id Slack's Socket Mode hello named.
func (b *Notifier) SetAppID(id string) {
	if id != "" {
		b.appID.Store(&id)
	}
}

// AppID is the app id last recorded, "" if none yet.
func (b *Notifier) AppID() string {
	if id := b.appID.Load(); id != nil {
		return *id
	}
	return ""
}

// New returns a Notifier reading st and posting through api.
func New(st Store, api Slack, cfg Config) *Notifier {
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Zones == nil {
		cfg.Zones = zones.New(api, cfg.Zone, cfg.Now)
	}
	return &Notifier{store: st, api: api, zones: cfg.Zones, cfg: cfg}
}

// DigestTrouble says whether Slack refused the last digest for channel,
// and with which error code, for the warning /customer digest shows.
func (b *Notifier) DigestTrouble(channel string) (code string, ok bool) {
	v, ok := b.digestTrouble.Load(channel)
	if !ok {
		return "", false
	}
	return v.(string), true
}

// zoneOr is the user's zone, or the workspace's when Slack cannot tell.
func (b *Notifier) zoneOr(ctx context.Context, user string) *time.Location {
	return b.zones.Or(ctx, user)
}
