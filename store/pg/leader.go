package pg

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// schedulerLock is the session advisory lock the scheduling replica holds:
// "kept" in ASCII, then 2.
const schedulerLock = 0x6b65707402

// DefaultLease is how long a scheduling replica that stopped answering
// (paused, partitioned) keeps its term before PostgreSQL ends its session
// and another replica takes over. A replica that dies outright, or whose
// connection is terminated, loses its term at once.
const DefaultLease = 10 * time.Second

// Term is one replica's turn at scheduling, from the moment it took the
// lock until its connection is lost.
type Term struct {
	Epoch  int64
	Holder string
	lease  time.Duration
	ok     atomic.Int64 // monotonic nanoseconds since start of the last confirmed ping
	start  time.Time
}

// Valid reports whether the term was confirmed within half a lease. A
// replica checks it before every send: after a pause longer than that
// (SIGSTOP, a frozen VM) it cannot know whether another replica has taken
// over, so it must not post.
func (t *Term) Valid() bool {
	return time.Since(t.start) < time.Duration(t.ok.Load())+t.lease/2
}

func (t *Term) confirm() { t.ok.Store(int64(time.Since(t.start))) }

// Elector campaigns for the scheduling term on a connection of its own.
type Elector struct {
	URL    string
	Holder string        // who is asking, for the scheduler table and logs
	Lease  time.Duration // 0 means DefaultLease
	Log    *slog.Logger
	// Retry is how often a standby tries for the lock; 0 means a tenth
	// of the lease (one second by default).
	Retry time.Duration
	// OnChange, if set, is told when this replica starts (a term) and
	// stops (nil) scheduling, for metrics.
	OnChange func(*Term)

	beforePing func() // a test's stand-in for a paused process
}

// Run campaigns until ctx is done. Whenever this replica holds the lock
// it calls lead with a context that ends the moment the term is lost (the
// lock connection fails a ping or is closed) and the term; when lead
// returns, the term is given up and the campaign goes on.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context, t *Term) error) error {
	lease := e.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	retry := e.Retry
	if retry <= 0 {
		retry = lease / 10
	}
	log := e.Log
	if log == nil {
		log = slog.Default()
	}
	for ctx.Err() == nil {
		err := e.term(ctx, lease, log, lead)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			log.Warn("scheduling term ended", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
	return nil
}

// term connects, takes the lock if it is free, and leads while it holds it.
func (e *Elector) term(ctx context.Context, lease time.Duration, log *slog.Logger, lead func(context.Context, *Term) error) error {
	cfg, err := pgx.ParseConfig(e.URL)
	if err != nil {
		return fmt.Errorf("the database URL: %w", err)
	}
	cfg.RuntimeParams["application_name"] = "kept scheduler " + e.Holder
	cctx, cancel := context.WithTimeout(ctx, lease)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("connect for the scheduling lock: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx) // closing the session releases the lock
	}()
	// The server ends a session idle for longer than a lease, and with it
	// the lock: a leader that stopped pinging (paused, cut off) cannot
	// hold the term beyond that, whatever the network does.
	if _, err := conn.Exec(ctx, fmt.Sprintf("SET idle_session_timeout = %d", lease.Milliseconds())); err != nil {
		return fmt.Errorf("set the lease: %w", err)
	}
	retry := e.Retry
	if retry <= 0 {
		retry = lease / 10
	}
	for {
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, schedulerLock).Scan(&got); err != nil {
			return fmt.Errorf("try the scheduling lock: %w", err)
		}
		if got {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(retry):
		}
	}
	t := &Term{Holder: e.Holder, lease: lease, start: time.Now()}
	err = conn.QueryRow(ctx, `UPDATE scheduler SET epoch = epoch + 1, holder = $1, since_ns = $2 WHERE id = 1 RETURNING epoch`,
		e.Holder, time.Now().UnixNano()).Scan(&t.Epoch)
	if err != nil {
		return fmt.Errorf("start a scheduling term: %w", err)
	}
	t.confirm()
	log.Info("this replica schedules now", "term", t.Epoch, "holder", e.Holder)
	if e.OnChange != nil {
		e.OnChange(t)
		defer e.OnChange(nil)
	}
	tctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	done := make(chan error, 1)
	go func() { done <- lead(tctx, t) }()
	tick := time.NewTicker(lease / 5)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
		}
		if e.beforePing != nil {
			e.beforePing()
		}
		pctx, cancel := context.WithTimeout(ctx, lease/4)
		at := time.Since(t.start)
		err := conn.Ping(pctx)
		cancel()
		if err != nil || ctx.Err() != nil {
			if ctx.Err() == nil {
				err = fmt.Errorf("term %d lost: %w", t.Epoch, err)
				log.Warn("this replica stops scheduling", "term", t.Epoch, "err", err)
			}
			lost(err)
			<-done
			return err
		}
		t.ok.Store(int64(at))
	}
}
