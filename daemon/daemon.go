// Package daemon assembles Kept from its parts: the store, the inbound
// Slack handlers, the notifier and the scheduler. main, `kept sim` and the end-to-end tests all run the
// same assembly, so what is tested is what runs.
package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/cronspec"
	"github.com/keptbot/kept/inbound"
	"github.com/keptbot/kept/metrics"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/notify"
	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/store/pg"
	"github.com/keptbot/kept/workhours"
	"github.com/keptbot/kept/zones"
)

// Daemon is a running Kept.
type Daemon struct {
	Store     Store
	Bot       *inbound.Bot
	Scheduler *scheduler.Scheduler
	log       *slog.Logger

	// Metrics counts what Kept does; ops serves it with /healthz when
	// KEPT_METRICS_ADDR is set, backups /backup on the Unix socket beside
	// the database (ops.go).
	Metrics *metrics.Metrics
	ops     net.Listener
	backups net.Listener
	// replica is set on PostgreSQL, where the scheduler runs only while
	// this process holds the scheduling term.
	replica *replica

	auth authAPI // for the start-up check of the bot token (start.go)
	now  func() time.Time

	token *tokenWatch // closes its channel when Slack refuses Kept's token
}

// Options are what the environment does not say: the clock and the logger.
type Options struct {
	Now func() time.Time
	Log *slog.Logger
	// SendGrace, on PostgreSQL, is how long a nudge another process left
	// in the middle of a send waits before it is looked up in Slack and
	// retried (0: pg.SendGrace; negative: at once, for tests that restart
	// on a manual clock).
	SendGrace time.Duration
}

// New opens the database and builds the parts. It fails fast when another
// process holds the database.
func New(cfg config.Config, opts Options) (*Daemon, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	// config.Load fills DigestCron; a Config built by hand (tests, kept
	// sim) gets the documented default, Mondays 9:00 in its zone.
	digestSpec := cmp.Or(cfg.DigestCron, "0 9 * * MON")
	digest, _, err := cronspec.Parse(digestSpec, cfg.Zone)
	if err != nil {
		return nil, fmt.Errorf("daemon: KEPT_DIGEST_CRON: %w", err)
	}
	st, rep, err := openStore(cfg, opts)
	if err != nil {
		return nil, err
	}
	st.SetOverdueAfter(cfg.OverdueAfter)
	m := metrics.New(func() (int, error) { return st.Backlog(opts.Now()) })
	// Every Web API call, whoever makes it, is counted when it fails, and
	// a dead token stops Kept (Run).
	dead := &tokenWatch{dead: make(chan struct{})}
	httpClient := &http.Client{Timeout: 15 * time.Second, Transport: m.WatchingTransport(nil, dead.see)}
	api := slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionHTTPClient(httpClient),
	)
	sm := socketmode.New(api)
	// One cache of users' zones: a command and the reminder it leads to
	// read the same zone.
	zc := zones.New(api, cfg.Zone, opts.Now)
	n := notify.New(st, api, notify.Config{
		Zone:          cfg.Zone,
		Now:           opts.Now,
		Log:           opts.Log,
		DigestChannel: cfg.DigestChannel,
		WorkHours:     cfg.WorkHours,
		Zones:         zc,

		CheckinsPerDay: cfg.CheckinsPerDay,
		Dates:          model.DatePolicy{RenewalNotice: cfg.RenewalNotice},
	})
	b := inbound.New(st, api, sm, inbound.Config{
		Zone:   cfg.Zone,
		Admins: cfg.Admins,
		Leads:  cfg.Leads,
		// Members of KEPT_LEADS's user groups are leads too.
		LeadGroups: cfg.LeadGroups,
		Now:        opts.Now,
		Log:        opts.Log,
		Observer:   m,

		DigestChannel: cfg.DigestChannel,
		DigestNext:    digest.Next,
		DigestTrouble: n.DigestTrouble,
		OnHello:       n.SetAppID,

		KeyCadence:      cfg.KeyCadence,
		StandardCadence: cfg.StandardCadence,
		Zones:           zc,
		// Forms opened before a restart still verify after it.
		FormSecret: cfg.BotToken,
		WorkHours:  cfg.WorkHours,

		TouchEvery:   cfg.TouchEvery,
		WaitingAfter: cfg.WaitingAfter,
		Excerpt:      cfg.Excerpt,
		Followups:    model.FollowupPolicy{ProblemSolved: cfg.ProblemFollowup, SaleClosed: cfg.SaleFollowup},
		Dates:        model.DatePolicy{RenewalNotice: cfg.RenewalNotice},
	})
	var (
		schedStore scheduler.Store     = st
		deliverer  scheduler.Deliverer = n
	)
	if rep != nil {
		schedStore = rep.store.Fenced(rep.epoch)
		deliverer = termDeliverer{Notifier: n, r: rep, now: opts.Now}
		rep.elector.OnChange = func(t *pg.Term) {
			rep.term.Store(t)
			if t != nil {
				m.Scheduling(true, t.Epoch)
			} else {
				m.Scheduling(false, 0)
			}
		}
		m.Scheduling(false, 0)
	} else {
		m.Scheduling(true, 0)
	}
	sched := scheduler.New(schedStore, deliverer, scheduler.Config{
		Tick:         cfg.Tick,
		OverdueAfter: cfg.OverdueAfter,
		Escalate: model.Escalation{
			After: cfg.EscalateAfter, To: cfg.Escalation(),
			Hours: cmp.Or(cfg.WorkHours, workhours.Default), Zone: cfg.Zone,
		},
		Now:      opts.Now,
		Log:      opts.Log,
		Observer: m,

		Digest:        digest,
		DigestChannel: cfg.DigestChannel,
		Dates:         model.DatePolicy{RenewalNotice: cfg.RenewalNotice},
	})
	d := &Daemon{Store: st, Bot: b, Scheduler: sched, log: opts.Log, Metrics: m, replica: rep, auth: api, now: opts.Now, token: dead}
	if err := d.listen(cfg.MetricsAddr, cfg.DB); err != nil {
		st.Close()
		return nil, err
	}
	return d, nil
}

// Scheduling reports whether this process schedules now, and in which
// term: always, in term 0, with bbolt; while it holds the term with
// PostgreSQL.
func (d *Daemon) Scheduling() (bool, int64) {
	if d.replica == nil {
		return true, 0
	}
	e := d.replica.epoch()
	return e != 0, e
}

// Run serves until ctx is done, then finishes what is in flight and closes
// the database. It returns the first error that stopped a part.
func (d *Daemon) Run(ctx context.Context) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(part string, err error) {
		if err != nil {
			mu.Lock()
			errs = append(errs, fmt.Errorf("%s: %w", part, err))
			mu.Unlock()
			stop()
		}
	}
	// A token that dies while Kept runs stops it, saying why (token.go).
	wg.Go(func() {
		select {
		case <-d.token.dead:
			err := d.token.err()
			d.log.Error("stopping: "+err.Error(), "code", d.token.code)
			fail("slack", err)
		case <-ctx.Done():
		}
	})
	if d.backups != nil {
		wg.Go(func() { fail("backups", d.serveBackups(ctx)) })
	}
	if d.ops != nil {
		wg.Go(func() { fail("metrics", d.serveOps(ctx)) })
	}
	// The bot token first (start.go): nothing connects or delivers with
	// a token Slack refuses. /healthz says "not connected" meanwhile.
	wg.Go(func() {
		if err := d.checkToken(ctx); err != nil {
			fail("slack", err)
			return
		}
		if ctx.Err() != nil {
			return
		}
		wg.Go(func() { fail("bot", d.Bot.Run(ctx)) })
		if d.replica != nil {
			// One replica schedules at a time: this one while it holds
			// the term, and not a moment after it lost it.
			wg.Go(func() {
				fail("scheduler", d.replica.elector.Run(ctx, func(ctx context.Context, _ *pg.Term) error {
					return d.Scheduler.Run(ctx)
				}))
			})
		} else {
			wg.Go(func() { fail("scheduler", d.Scheduler.Run(ctx)) })
		}
	})
	wg.Wait()
	fail("store", d.Store.Close())
	return errors.Join(errs...)
}
