// Package pg keeps Kept's promises, outbox and de-duplication records in
// PostgreSQL, so that several kept processes (replicas) can share them. It
// offers the same methods, with the same guarantees, as the bbolt store
// (package store), whose record types it uses:
//
//   - a command returns only after its transaction committed;
//   - an op (a Socket Mode envelope id) is applied once, whichever replica
//     receives it: the ops table's primary key decides, and a second
//     replica that raced the first waits on that key and then answers as a
//     duplicate;
//   - a due promise is claimed once (FOR UPDATE SKIP LOCKED on its row) and
//     its nudge leaves the outbox once.
//
// Records are stored as the JSON the bbolt store writes, next to the
// columns that are indexed or queried (team, owner, state, and the next
// action time in Unix nanoseconds, which keeps the bbolt store's exact
// ordering and comparisons). Index times are nanoseconds, not timestamptz,
// because timestamptz holds microseconds and a due index rounded to them
// would claim a promise up to a microsecond early.
//
// Scheduling is for one replica at a time: see Elect (leader.go) and
// Fenced.
package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/groupcommit"
)

// ErrFenced is returned by a Fenced store's writes once another replica
// has taken over scheduling: the caller has lost its term and must stop.
var ErrFenced = errors.New("pg: another replica schedules now")

const (
	opsTTL      = 7 * 24 * time.Hour
	opsPrunePer = 256
	// opTimeout bounds one store call: a command that cannot commit in
	// this time fails, and Slack retries its envelope.
	opTimeout = 15 * time.Second
)

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// Now is the clock for Created, history stamps and op records; nil means time.Now.
	Now func() time.Time
	// MaxConns bounds the connection pool; 0 means 10.
	MaxConns int32
	// Name is the replica's name, shown as the application_name
	// "kept <Name>" of its connections in pg_stat_activity.
	Name string
	// SendGrace overrides SendGrace; 0 means SendGrace, a negative value
	// none (tests that crash a send on a manual clock).
	SendGrace time.Duration
}

// Store is a Kept database in PostgreSQL. Its methods are safe for
// concurrent use, within a process and across processes.
type Store struct {
	pool         *pgxpool.Pool
	url          string
	now          func() time.Time
	overdueAfter *atomic.Int64
	// datesAhead is the renewal notice ClaimDates was last called with
	// (model.DatePolicy.Ahead), for Quiet; -1 until then.
	datesAhead *atomic.Int64
	sendGrace  time.Duration
	// term, when set, fences the scheduler's writes (Fenced): it returns
	// the term this process holds, 0 for none.
	term func() int64
	// adds is the group commit of new promises (AddPromise), shared
	// with the store's Fenced views.
	adds *groupcommit.Group[*addBatch]
}

// Open connects to the database at url, applies the migrations it lacks
// and returns the store.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pg: %s: %w", Redact(url), err)
	}
	cfg.MaxConns = 10
	if opts.Name != "" {
		cfg.ConnConfig.RuntimeParams["application_name"] = "kept " + opts.Name
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pg: connect to %s: %w", Redact(url), err)
	}
	s := &Store{pool: pool, url: url, now: opts.Now, overdueAfter: new(atomic.Int64), datesAhead: new(atomic.Int64), sendGrace: SendGrace, adds: new(groupcommit.Group[*addBatch])}
	s.datesAhead.Store(-1)
	switch {
	case opts.SendGrace > 0:
		s.sendGrace = opts.SendGrace
	case opts.SendGrace < 0:
		s.sendGrace = 0
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pg: %s: %w", Redact(url), err)
	}
	var v string
	err = pool.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'overdue_after'`).Scan(&v)
	if err == nil {
		var d time.Duration
		if json.Unmarshal([]byte(v), &d) == nil {
			s.overdueAfter.Store(int64(d))
		}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		pool.Close()
		return nil, fmt.Errorf("pg: read settings: %w", err)
	}
	return s, nil
}

// Redact returns url without its password, for messages and logs.
func Redact(url string) string {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return "the database URL"
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}

// Close closes the connection pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Fenced returns a view of s whose scheduling writes (claims, queued runs,
// outbox changes) commit only while term() is the current scheduling term
// (see Elector): without a term (0), or once another replica has taken
// over, they fail with ErrFenced and change nothing. The check and the
// takeover conflict on one row, so no write of an old term can commit
// after a new term began.
func (s *Store) Fenced(term func() int64) *Store {
	c := *s
	c.term = term
	return &c
}

// SetOverdueAfter sets how long after Due an unkept promise gets its
// overdue follow-up; 0 disables follow-ups. ClaimDue also sets it.
func (s *Store) SetOverdueAfter(d time.Duration) { s.overdueAfter.Store(int64(d)) }

func (s *Store) overdue() time.Duration { return time.Duration(s.overdueAfter.Load()) }

// errRollback, returned by a transaction's fn, rolls the transaction back
// without failing the call: fn has recorded why the call failed (a
// missing record, a refused change) for the caller to return.
var errRollback = errors.New("rollback")

// tx runs fn in a read-committed transaction. With fence, a Fenced store
// first checks its term.
func (s *Store) tx(fence bool, fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if fence && s.term != nil {
			if err := checkTerm(ctx, tx, s.term()); err != nil {
				return err
			}
		}
		return fn(ctx, tx)
	})
	if errors.Is(err, errRollback) {
		return nil
	}
	return err
}

// read runs fn on the pool, outside any transaction.
func (s *Store) read(fn func(ctx context.Context, q *pgxpool.Pool) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	return fn(ctx, s.pool)
}

// checkTerm fails with ErrFenced unless epoch is the current term. FOR
// SHARE holds the term row until commit, so a takeover (which updates it)
// waits for this transaction, and every later one of the old term fails.
func checkTerm(ctx context.Context, tx pgx.Tx, epoch int64) error {
	if epoch == 0 {
		return fmt.Errorf("%w (this replica holds no term)", ErrFenced)
	}
	var cur int64
	if err := tx.QueryRow(ctx, `SELECT epoch FROM scheduler WHERE id = 1 FOR SHARE`).Scan(&cur); err != nil {
		return fmt.Errorf("read the scheduling term: %w", err)
	}
	if cur != epoch {
		return fmt.Errorf("%w (term %d, ours was %d)", ErrFenced, cur, epoch)
	}
	return nil
}

func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }

// opRecord is what an applied op remembers: the promise it made or
// changed, if any.
type opRecord struct {
	Team string
	ID   int64
}

// claimOp records op as applied by this transaction. If another
// transaction applied it first (it may be in flight on another replica:
// the insert waits for it), claimOp returns what that one recorded and
// dup. The empty op is never applied.
func claimOp(ctx context.Context, tx pgx.Tx, op string, now time.Time) (prev opRecord, dup bool, err error) {
	if op == "" {
		return prev, false, nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO ops (op, at_ns) VALUES ($1, $2) ON CONFLICT (op) DO NOTHING`, op, nanos(now))
	if err != nil {
		return prev, false, fmt.Errorf("record op: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return prev, false, nil
	}
	// Read committed: this statement sees the other transaction's row.
	err = tx.QueryRow(ctx, `SELECT team, promise_id FROM ops WHERE op = $1`, op).Scan(&prev.Team, &prev.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		// Applied and pruned in between: still a duplicate.
		return prev, true, nil
	}
	if err != nil {
		return prev, true, fmt.Errorf("read op: %w", err)
	}
	return prev, true, nil
}

// setOp records what op made.
func setOp(ctx context.Context, tx pgx.Tx, op string, r opRecord) error {
	if op == "" {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE ops SET team = $2, promise_id = $3 WHERE op = $1`, op, r.Team, r.ID)
	return err
}

// pruneOps forgets at most opsPrunePer ops older than opsTTL. Slack stops
// retrying an envelope within minutes, so a week is generous.
func pruneOps(ctx context.Context, tx pgx.Tx, now time.Time) error {
	_, err := tx.Exec(ctx, `DELETE FROM ops WHERE op IN (SELECT op FROM ops WHERE at_ns <= $1 ORDER BY at_ns LIMIT $2 FOR UPDATE SKIP LOCKED)`,
		nanos(now.Add(-opsTTL)), opsPrunePer)
	return err
}

// Applied reports whether op (an envelope id) was already applied.
func (s *Store) Applied(op string) (bool, error) {
	var ok bool
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		return q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ops WHERE op = $1)`, op).Scan(&ok)
	})
	if err != nil {
		return false, fmt.Errorf("pg: applied: %w", err)
	}
	return ok, nil
}

// MarkApplied records op for callers that mutate nothing but want de-dup.
// It returns store.ErrDuplicate if op was already recorded.
func (s *Store) MarkApplied(op string) error {
	var dup bool
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) (err error) {
		_, dup, err = claimOp(ctx, tx, op, s.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: mark applied: %w", err)
	}
	if dup {
		return store.ErrDuplicate
	}
	return nil
}

// Ping reports whether the database answers and carries Kept's schema,
// for /healthz. It is one indexed read.
func (s *Store) Ping() error {
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		var v int
		return q.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v)
	})
	if err != nil {
		return fmt.Errorf("pg: ping: %w", err)
	}
	return nil
}

// Backlog counts the work due at now and not yet done, as the bbolt
// store's Backlog does, from the three partial indexes.
func (s *Store) Backlog(now time.Time) (int, error) {
	var n int
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		return q.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM promises WHERE next_ns <= $1) +
			(SELECT count(*) FROM customers WHERE next_prompt_ns <= $1) +
			(SELECT count(*) FROM nudges WHERE state IN ('due', 'sending') AND not_before_ns <= $1)`, nanos(now)).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("pg: backlog: %w", err)
	}
	return n, nil
}
