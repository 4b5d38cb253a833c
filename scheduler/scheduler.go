// Package scheduler turns due promises into nudges and delivers them.
//
// It is a plain ticker loop in the style of miniflux's worker: each tick asks
// the store for what is due (an index read that grows with what is due, not
// with what is stored), records the nudges in the store's outbox in the same
// transaction, and then delivers whatever the outbox holds. Delivery is the
// outbox's job so that a crash, a restart, a rate limit or a Slack outage
// delays a nudge but never loses or repeats it.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/store"
)

// Store is the part of the storage contract the scheduler uses: the
// outbox and the digest's schedule. Every method is required, so a backend
// that lacks one (DeferNudge, NextNudgeAfter, Recheck) does not compile.
type Store interface {
	store.Outbox
	store.Schedule
}

// Deliverer sends one nudge to Slack and says where it landed. It wraps its
// errors in outbox.RetryError, outbox.LaterError or outbox.ErrUnreachable
// so the scheduler knows whether to wait, back off or give up on the
// recipient.
//
// DeliverCheckins sends one recipient's pending check-in prompts (all of
// one team and To) as one message, and says what became of each: carried
// by the message, nothing left to say, or held back (outbox.Batch). An
// error applies to all of them.
type Deliverer interface {
	Deliver(ctx context.Context, n store.Nudge) (channel, ts string, err error)
	DeliverCheckins(ctx context.Context, ns []store.Nudge) (outbox.Batch, error)
}

// Config tunes a Scheduler. Zero values take the defaults.
type Config struct {
	Tick         time.Duration // how often to look for due work; default 30s
	OverdueAfter time.Duration // follow-up delay after a missed due time; 0 disables
	// Escalate is when and to whom a promise still open after its
	// overdue follow-up escalates; the zero value never escalates.
	Escalate    model.Escalation
	Batch       int              // due entries claimed per store transaction; default 500
	Workers     int              // concurrent deliveries; default 4
	MaxAttempts int              // unexplained errors before a nudge is given up as failed; default 12 (outages never give up)
	Now         func() time.Time // clock; default time.Now
	Log         *slog.Logger
	// Observer counts delivery outcomes, for metrics (observe.go); nil
	// means no one.
	Observer Observer
	// Digest is when the channel digest runs (cronspec.Parse); nil never.
	Digest cron.Schedule
	// DigestChannel gets the whole workspace's digest; "" leaves only the
	// channels subscribed with /customer digest subscribe.
	DigestChannel string
	// Dates is how far ahead customer dates are prompted; the zero value
	// means model.DefaultDates.
	Dates model.DatePolicy
}

// Scheduler claims due work and delivers it.
type Scheduler struct {
	store   Store
	deliver Deliverer
	cfg     Config

	mu    sync.Mutex // one tick at a time, whether from the loop or from Tick
	ranAt time.Time  // when the last tick read the outbox; under mu
	pause pause      // workspace-wide Retry-After (pause.go)
}

// New returns a Scheduler; call Run to start it.
func New(st Store, d Deliverer, cfg Config) *Scheduler {
	if cfg.Tick <= 0 {
		cfg.Tick = 30 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
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
	return &Scheduler{store: st, deliver: d, cfg: cfg}
}

// Run ticks until ctx is done. The first tick runs at once so that whatever
// came due while Kept was down goes out on start; then every cfg.Tick, and
// in between when a Retry-After pause ends or a nudge in the outbox comes
// due (NextWake), so that a rate limit costs its Retry-After and no more.
func (s *Scheduler) Run(ctx context.Context) error {
	t := time.NewTimer(s.cfg.Tick)
	defer t.Stop()
	next := s.cfg.Now()
	for {
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("scheduler tick failed", "err", err)
		}
		now := s.cfg.Now()
		next = gridAfter(next, now, s.cfg.Tick)
		t.Reset(max(s.NextWake(next).Sub(now), 0))
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Tick claims everything due now and delivers the outbox. It is what Run
// calls on every tick; tests and `kept sim` call it after moving the clock.
func (s *Scheduler) Tick(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	s.ranAt = now
	s.loadPause()
	if s.quiet(now) {
		return nil
	}
	for {
		claimed, err := s.store.ClaimDue(now, model.Policy{OverdueAfter: s.cfg.OverdueAfter, Escalate: s.cfg.Escalate}, s.cfg.Batch)
		if err != nil {
			return fmt.Errorf("scheduler: claim due: %w", err)
		}
		if len(claimed) < s.cfg.Batch {
			break
		}
	}
	// Check-ins, like the digest, must not hold up the reminders.
	for {
		claimed, err := s.store.ClaimCheckins(now, s.cfg.Batch)
		if err != nil {
			s.cfg.Log.Error("check-ins not claimed, will try again next tick", "err", err)
		}
		if err != nil || len(claimed) < s.cfg.Batch {
			break
		}
	}
	s.claimDates(now) // dates.go
	// A digest that cannot be queued must not hold up the reminders.
	if _, err := s.queueDigests(now); err != nil {
		s.cfg.Log.Error("digest not queued, will try again next tick", "err", err)
	}
	// During a Retry-After pause the outbox is left as it is: every post
	// would be refused.
	for ctx.Err() == nil && !s.paused() {
		pending, err := s.store.PendingNudges(now, s.cfg.Batch)
		if err != nil {
			return fmt.Errorf("scheduler: pending nudges: %w", err)
		}
		if len(pending) == 0 {
			return nil
		}
		s.deliverAll(ctx, pending)
		if len(pending) < s.cfg.Batch {
			return nil
		}
	}
	return nil
}

func (s *Scheduler) deliverAll(ctx context.Context, nudges []store.Nudge) {
	groups := gather(nudges)
	work := make(chan []store.Nudge)
	var wg sync.WaitGroup
	for range min(s.cfg.Workers, len(groups)) {
		wg.Go(func() {
			for g := range work {
				if g[0].Kind == model.NudgeCheckin {
					s.deliverCheckins(ctx, g)
				} else {
					s.deliverOne(ctx, g[0])
				}
			}
		})
	}
feed:
	for _, g := range groups {
		if s.paused() {
			break // Slack said to wait: the rest stay in the outbox untouched
		}
		select {
		case work <- g:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
}

func (s *Scheduler) deliverOne(ctx context.Context, n store.Nudge) {
	log := s.cfg.Log.With("nudge", n.ID, "kind", n.Kind, "team", n.Team)
	if s.paused() {
		return // handed out just before a 429 paused deliveries: left as it is
	}
	if !n.Kind.Known() {
		// Written by a newer Kept, or damaged: no retry can deliver it.
		log.Error("nudge of an unknown kind; giving up on it")
		s.observe(n, "failed")
		if err := s.store.FailNudge(n.ID, fmt.Sprintf("unknown nudge kind %q", n.Kind)); err != nil {
			log.Error("record nudge outcome", "err", err)
		}
		return
	}
	before := n
	n, err := s.store.MarkSending(n.ID)
	if errors.Is(err, store.ErrNotPending) {
		return // sent or given up meanwhile
	}
	if err != nil {
		log.Error("mark nudge sending", "err", err)
		return
	}
	channel, ts, err := s.send(ctx, log, before, &n) // looks first if an attempt may have landed; rechecks
	if errors.Is(err, errStale) {
		log.Info("nudge dropped: what it was for moved on", "reason", n.Error)
		s.observe(n, "skipped")
		return
	}
	if err == nil {
		s.observe(n, sentOutcome(channel))
		if err := s.store.MarkSent(n.ID, channel, ts); err != nil {
			log.Error("mark nudge sent", "err", err)
		}
		return
	}
	if ctx.Err() != nil {
		// Shutting down: leave it in the outbox; the next start retries it.
		return
	}
	s.settle(log, n, err)
}

// settle records a failed delivery attempt at n by what err says: wait,
// back off, give up on the recipient or on the nudge.
func (s *Scheduler) settle(log *slog.Logger, n store.Nudge, err error) {
	var retry *outbox.RetryError
	var later *outbox.LaterError
	switch {
	case errors.As(err, &later):
		log.Debug("nudge waits", "until", later.Until, "reason", later.Reason)
		err = s.store.DeferNudge(n.ID, later.Until, later.Error())
	case errors.Is(err, outbox.ErrTokenDead):
		// Kept's own token, not the recipient: the nudge is still owed,
		// whenever a working token comes (the daemon stops meanwhile).
		log.Error("Slack refuses Kept's token; the nudge waits", "err", err)
		s.observe(n, "retry")
		err = s.store.RetryNudge(n.ID, s.cfg.Now().Add(Backoff(n.Attempts)), err.Error())
	case errors.Is(err, outbox.ErrUnreachable):
		log.Warn("nudge recipient unreachable", "to", n.To, "err", err)
		s.observe(n, "unreachable")
		err = s.store.FailNudge(n.ID, err.Error())
	case errors.As(err, &retry) && retry.After > 0:
		// Before MaxAttempts: a 429 does not count as an attempt.
		log.Info("nudge rate limited", "after", retry.After)
		s.observe(n, "rate_limited")
		err = s.rateLimited(n, retry)
	case errors.As(err, &retry):
		// Slack is down or slow (5xx, timeout): the reminder is still owed.
		// Keep trying at the capped backoff however long the outage lasts;
		// kept_due_backlog shows it growing.
		wait := Backoff(n.Attempts)
		log.Warn("Slack unavailable, will retry", "in", wait, "err", err)
		s.observe(n, "retry")
		err = s.store.RetryNudge(n.ID, s.cfg.Now().Add(wait), err.Error())
	case n.Attempts >= s.cfg.MaxAttempts:
		log.Error("nudge failed for good", "attempts", n.Attempts, "err", err)
		s.observe(n, "failed")
		err = s.store.FailNudge(n.ID, err.Error())
	default:
		wait := Backoff(n.Attempts)
		log.Warn("nudge delivery failed, will retry", "in", wait, "err", err)
		s.observe(n, "retry")
		err = s.store.RetryNudge(n.ID, s.cfg.Now().Add(wait), err.Error())
	}
	if err != nil {
		log.Error("record nudge outcome", "err", err)
	}
}

// Backoff is the wait before attempt n+1: exponential from 2 s, capped at 10
// minutes, with up to 50% jitter so that a Slack outage does not end in a
// thundering herd.
func Backoff(attempts int) time.Duration {
	d := 2 * time.Second << min(max(attempts-1, 0), 9)
	d = min(d, 10*time.Minute)
	return d/2 + rand.N(d/2+1)
}
