// Package inbound is what Kept does with what arrives from Slack: it listens
// on Socket Mode for slash commands, button clicks, forms and events,
// changes the store, and answers in Slack. What people see is rendered by
// slackui; the nudges the scheduler sends go through notify.
//
// Every handler runs in its own goroutine so that the Socket Mode read loop
// is never blocked: a slow Slack call must not stall pings or other acks.
package inbound

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
	"github.com/keptbot/kept/zones"
)

// Store is the part of the store the bot uses.
type Store interface {
	// Update commits one envelope's writes together (change, promise.go).
	Update(op string, fn func(store.Tx) error) error
	// Applied says whether op (an envelope) already took effect, for a
	// form whose checks would judge a redelivery by what it changed.
	Applied(op string) (bool, error)
	AddPromise(op string, p store.Promise) (store.Promise, error)
	UpdatePromise(op, team string, id int64, fn func(*store.Promise) error) (store.Promise, error)
	Promise(team string, id int64) (store.Promise, error)
	Promises(team, owner string, state store.State) ([]store.Promise, error)
	// PromisesFor lists a customer's open promises from its index, for
	// its card and the context of a prompt about it.
	PromisesFor(team, customer string) ([]store.Promise, error)

	// Customers, touches and check-ins (customer.go, checkin.go).
	AddCustomer(op string, c store.Customer) (store.Customer, error)
	Customer(team, name string) (store.Customer, error)
	UpdateCustomer(op, team, name string, fn func(*store.Customer) error) (store.Customer, error)
	RemoveCustomer(op, team, name string) error
	AddTouch(op string, t store.Touch) (store.Customer, error)
	Touches(team, customer string, limit int) ([]store.Touch, error)
	Nudge(id int64) (store.Nudge, error)
	Customers(team string) ([]store.Customer, error)
	TouchesBetween(team string, from, to time.Time) ([]store.Touch, error)

	// The channel digest (digest.go).
	digest.Source
	Subscribe(team, channel string, scope store.Scope) error
	Unsubscribe(team, channel string) error
	Subscriptions(team string) ([]store.Subscription, error)

	// Customer channels (listen.go).
	Listening
}

// Slack is the part of the Web API the bot calls. *slack.Client has it.
type Slack interface {
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	GetPermalinkContext(ctx context.Context, params *slack.PermalinkParameters) (string, error)
}

// Config tunes a Bot.
type Config struct {
	Zone   *time.Location // fallback when a user's zone is unknown
	Admins []string       // may change anyone's promises and customers, and use the digest
	Leads  []string       // may see, post and subscribe the digest, and open the team view
	// LeadGroups are Slack user groups (S…) whose members are leads too
	// (leads.go).
	LeadGroups []string
	Now        func() time.Time // clock
	Log        *slog.Logger
	// Observer is told what was handled, for metrics (surface.go); nil
	// means no one.
	Observer Observer

	// DigestChannel is the configured digest channel, which
	// /customer digest warns about when Slack refuses it.
	DigestChannel string
	// DigestTrouble says whether Slack refused the last digest for a
	// channel, and with what code (notify.Notifier.DigestTrouble); nil
	// means no warnings.
	DigestTrouble func(channel string) (code string, ok bool)
	// DigestNext is when the scheduled digest runs next after a time, for
	// the answer to /customer digest subscribe; nil leaves it unsaid.
	DigestNext func(time.Time) time.Time
	// OnHello is told the app id each Socket Mode hello carries; nil
	// means no one.
	OnHello func(appID string)

	// KeyCadence and StandardCadence are the keep-in-touch cadences a new
	// customer of each tier gets; 0 means 14 and 45 days.
	KeyCadence, StandardCadence time.Duration
	// Zones is the cache of users' zones, shared with the notifier; nil
	// makes one of the handlers' own.
	Zones *zones.Cache
	// FormSecret keys the signature of forms' private_metadata
	// (metadata.go); the daemon passes the bot token. "" means a random
	// key, valid until the process ends.
	FormSecret string
	// WorkHours gives the working days that "in 3 business days" counts
	// and the hours a customer's message waits in (WaitingAfter); the
	// zero value means workhours.Default.
	WorkHours workhours.Hours

	// Customer channels (listen.go). TouchEvery bounds message touches to
	// one per person per customer per period (0: 4 hours). WaitingAfter is
	// how long, in the owner's WorkHours, a customer's message may go
	// unanswered before the owner is told (0: 4 hours). Excerpt is how
	// many characters of a customer's message are kept (0: none).
	TouchEvery, WaitingAfter time.Duration
	Excerpt                  int

	// Followups is after how long a touch of each kind calls for a
	// follow-up promise (offer.go); the zero value means
	// model.DefaultFollowups, a negative duration none for that kind.
	Followups model.FollowupPolicy
	// Dates is how far ahead dates that matter are prompted, for the
	// answer to `/customer edit Acme renewal …`; the zero value means
	// model.DefaultDates.
	Dates model.DatePolicy
}

// Bot handles everything that arrives from Slack.
type Bot struct {
	store  Store
	api    Slack
	sm     *socketmode.Client
	cfg    Config
	admins map[string]bool
	leads  map[string]bool
	groups leadGroups // members of Config.LeadGroups (leads.go)
	zones  *zones.Cache
	homes  homeViewers

	connected atomic.Bool
	everUp    atomic.Bool // a connection after the first is a reconnect
	inflight  sync.WaitGroup

	// Follow-up work after acks (followup.go): what is pending, and the
	// slots that bound how much runs at once.
	pending pending
	slots   chan struct{}

	metaKey []byte    // signs forms' private_metadata (metadata.go)
	others  forOthers // promises recorded for others, per creator (limit.go)
	listen  Listening // customer channels (listen.go)
	self    identity
	dms     dms          // users' DMs with Kept, for the messages clicks rewrite (caller.go)
	rows    messageLocks // one rewrite of each gathered check-in message at a time (checkins.go)
}

// New returns a Bot reading from sm and calling Slack through api.
func New(st Store, api Slack, sm *socketmode.Client, cfg Config) *Bot {
	if cfg.Zone == nil {
		cfg.Zone = time.UTC
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	if cfg.Zones == nil {
		cfg.Zones = zones.New(api, cfg.Zone, cfg.Now)
	}
	b := &Bot{store: st, api: api, sm: sm, cfg: cfg, admins: map[string]bool{}, zones: cfg.Zones,
		slots: make(chan struct{}, followUpLimit), metaKey: metaKey(cfg.FormSecret), listen: st}
	for _, a := range cfg.Admins {
		b.admins[a] = true
	}
	b.leads = map[string]bool{}
	for _, l := range cfg.Leads {
		b.leads[l] = true
	}
	return b
}

// Connected reports whether the Socket Mode connection is up, for /healthz.
func (b *Bot) Connected() bool { return b.connected.Load() }

// Run connects to Slack and handles events until ctx is done, then waits for
// the handlers in flight so that what was acknowledged is also committed.
func (b *Bot) Run(ctx context.Context) error {
	// The socket outlives ctx until the handlers in flight have acked.
	sockCtx, closeSocket := context.WithCancel(context.WithoutCancel(ctx))
	defer closeSocket()
	runErr := make(chan error, 1)
	go func() { runErr <- b.sm.RunContext(sockCtx) }()
	defer func() {
		// What was acknowledged is committed; what it asked of Slack
		// afterwards gets its deadline to finish.
		b.inflight.Wait()
		drain, cancel := context.WithTimeout(context.Background(), followUpTimeout)
		defer cancel()
		if err := b.Settle(drain); err != nil {
			b.cfg.Log.Warn("shutdown: follow-up work still running", "err", err)
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt := <-b.sm.Events:
			b.dispatch(ctx, evt)
		}
	}
}

func (b *Bot) dispatch(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		// Count the reconnect before saying we are up, so whoever sees
		// Connected also sees the count.
		if b.everUp.Swap(true) {
			b.cfg.Observer.Reconnected()
		}
		b.connected.Store(true)
		b.cfg.Log.Info("connected to Slack")
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect, socketmode.EventTypeConnectionError:
		if b.connected.Swap(false) {
			b.cfg.Log.Info("socket mode connection lost, reconnecting", "event", evt.Type)
		}
		// Every failed try says why and when the next one is, from the
		// first: a Kept that cannot reach Slack must not be silent.
		if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
			b.cfg.Log.Warn("cannot connect to Slack (Socket Mode); trying again", "attempt", ce.Attempt, "err", ce.ErrorObj,
				"next_try", b.cfg.Now().Add(ce.Backoff).Format(time.RFC3339), "in", ce.Backoff.Round(time.Millisecond))
		}
	case socketmode.EventTypeHello:
		// Slack's hello names the app: the digest's links to the App
		// Home need its id, which no Web API answer to a bot token gives.
		if evt.Request != nil && b.cfg.OnHello != nil {
			b.cfg.OnHello(evt.Request.ConnectionInfo.AppID)
		}
	case socketmode.EventTypeInvalidAuth:
		b.cfg.Log.Error("Slack refused the app token (invalid_auth)")
	case socketmode.EventTypeErrorBadMessage:
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			b.inflight.Go(func() { b.ackUnreadable(ctx, bad) })
		}
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		// A handler outlives a shutdown signal long enough to commit and
		// answer what it started; Run waits for it.
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 8*time.Second)
		b.inflight.Go(func() {
			defer cancel()
			b.handle(hctx, evt)
		})
	}
}

// msgUnreadableCommand answers a slash command slack-go could not read.
const msgUnreadableCommand = "Sorry, I couldn't read that command as Slack sent it, so I did nothing. Please try again."

// ackUnreadable acknowledges an envelope slack-go could not read (an
// event type it does not know, a field in a shape it does not expect), so
// that Slack does not send it again and again, nor count Kept as failing
// to answer: an event changes nothing, a slash command is apologised for.
// An unreadable interaction is left unacknowledged: Slack then tells the
// user, and keeps a form open for another try.
func (b *Bot) ackUnreadable(ctx context.Context, bad *socketmode.ErrorBadMessage) {
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
	}
	if json.Unmarshal(bad.Message, &env) != nil || env.EnvelopeID == "" {
		b.cfg.Log.Warn("unreadable Socket Mode message", "err", bad.Cause)
		return
	}
	b.cfg.Log.Warn("unreadable envelope", "type", env.Type, "envelope", env.EnvelopeID, "err", bad.Cause)
	var reply any
	switch env.Type {
	case socketmode.RequestTypeEventsAPI:
	case socketmode.RequestTypeSlashCommands:
		reply = ephemeral(msgUnreadableCommand, slackui.Section(msgUnreadableCommand))
	default:
		return
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 8*time.Second)
	defer cancel()
	if err := b.sm.AckCtx(actx, env.EnvelopeID, reply); err != nil {
		b.cfg.Log.Error("ack failed", "envelope", env.EnvelopeID, "err", err)
	}
	b.cfg.Observer.Handled(env.Type+":unreadable", "unreadable", 0)
}

func (b *Bot) handle(ctx context.Context, evt socketmode.Event) {
	req := *evt.Request
	ctx, queued := withFollowUps(zones.WithMemo(ctx))
	var (
		reply any
		err   error
	)
	start, outcome := time.Now(), ""
	defer func() {
		if r := recover(); r != nil {
			b.cfg.Log.Error("handler panicked", "type", evt.Type, "panic", r)
			reply, outcome = ephemeral(msgInternal), "panic"
		}
		if err := b.sm.AckCtx(ctx, req.EnvelopeID, reply); err != nil {
			b.cfg.Log.Error("ack failed", "envelope", req.EnvelopeID, "err", err)
			outcome = "ack_failed"
		}
		b.cfg.Observer.Handled(kindOf(evt.Data), outcome, time.Since(start))
		// Only now, with the envelope acknowledged, the other Slack calls.
		b.runQueued(queued)
	}()
	// The logger is made only if something is logged (answer).
	log := func() *slog.Logger { return b.cfg.Log.With("type", evt.Type, "envelope", req.EnvelopeID) }
	switch data := evt.Data.(type) {
	case slack.SlashCommand:
		reply, err = b.command(ctx, req.EnvelopeID, data)
		reply, outcome = b.answer(log, reply, err)
	case slack.InteractionCallback:
		reply, err = b.interaction(ctx, req.EnvelopeID, data)
		_, outcome = b.answer(log, nil, err)
	case slackevents.EventsAPIEvent:
		b.event(ctx, data)
		outcome = "ok"
	}
}

func (b *Bot) isAdmin(user string) bool { return b.admins[user] }

// mayChange says whether user may complete, snooze, reassign or cancel p.
func (b *Bot) mayChange(user string, p store.Promise) bool {
	return user == p.Owner || user == p.Creator || b.isAdmin(user)
}

// answer turns a handler's result into the ack and its metrics outcome,
// in one place: a refusal is shown as is and counted by its code;
// anything else is logged and apologised for.
func (b *Bot) answer(log func() *slog.Logger, reply any, err error) (any, string) {
	if err == nil {
		return reply, "ok"
	}
	if r, ok := asRefusal(err); ok {
		log().Info("refused", "code", r.code, "reason", err)
		if r.text != "" && reply == nil {
			reply = ephemeral(r.text, slackui.Section(r.text))
		}
		return reply, string(r.code)
	}
	log().Error("failed", "err", err)
	return ephemeral(msgInternal), "error"
}

// ephemeral is the ack payload of a slash command that only the caller
// sees, shrunk if need be to what slack-go will send (slackui.FitAck).
func ephemeral(text string, blocks ...slack.Block) map[string]any {
	text, blocks = slackui.FitAck(text, blocks)
	m := map[string]any{"response_type": "ephemeral", "text": text}
	if len(blocks) > 0 {
		m["blocks"] = blocks
	}
	return m
}

// unescapeEntities undoes, once, the escaping Slack applies to what people
// type (&amp; &lt; &gt;) in slash commands and message text, so "AT&T" is
// stored as typed and escaped once, on the way out. A mention picked in
// Slack arrives as markup (<@U…|name>) and stays one; markup typed by hand
// arrives escaped, and gets an invisible word joiner after its "<" so that
// it can never pass for a real mention later (slackui.Text).
func unescapeEntities(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	return entities.Replace(typedMarkup.Replace(s))
}

// Both tables are built once, not per command (issue 18).
var (
	typedMarkup = strings.NewReplacer("&lt;@", "&lt;\u2060@", "&lt;#", "&lt;\u2060#")
	entities    = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)
