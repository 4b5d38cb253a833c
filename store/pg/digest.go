package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/store"
)

// LastRun returns when the job name last ran, or the zero time if never.
// The run record is shared: whichever replica schedules reads the same.
func (s *Store) LastRun(name string) (time.Time, error) {
	var at int64
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		return q.QueryRow(ctx, `SELECT at_ns FROM runs WHERE name = $1`, name).Scan(&at)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("pg: last run %s: %w", name, err)
	}
	return fromNanos(at), nil
}

// SetLastRun records that the job name ran at t.
func (s *Store) SetLastRun(name string, t time.Time) error {
	err := s.tx(true, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO runs (name, at_ns) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET at_ns = $2`, name, nanos(t))
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: set last run %s: %w", name, err)
	}
	return nil
}

// QueueRun records that the job name ran at at and queues its nudges in
// one transaction, as the bbolt store's QueueRun: a compare-and-set on the
// last run (store.ErrRunMoved if it is not prev), and no second nudge for
// a kind, team and recipient still in the outbox. Fenced.
func (s *Store) QueueRun(name string, prev, at time.Time, nudges []store.Nudge) ([]store.Nudge, error) {
	var out []store.Nudge
	var failed error
	err := s.tx(true, func(ctx context.Context, tx pgx.Tx) error {
		out, failed = nil, nil
		var got int64
		err := tx.QueryRow(ctx, `SELECT at_ns FROM runs WHERE name = $1 FOR UPDATE`, name).Scan(&got)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			got = 0
			if !prev.IsZero() {
				failed = fmt.Errorf("%w: %s never ran, not at %s", store.ErrRunMoved, name, prev)
				return errRollback
			}
			// Two first runs at once: the primary key lets one in.
			tag, err := tx.Exec(ctx, `INSERT INTO runs (name, at_ns) VALUES ($1, $2) ON CONFLICT DO NOTHING`, name, nanos(at))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				failed = fmt.Errorf("%w: %s ran meanwhile", store.ErrRunMoved, name)
				return errRollback
			}
		case err != nil:
			return err
		default:
			if !fromNanos(got).Equal(prev) {
				failed = fmt.Errorf("%w: %s ran at %s, not %s", store.ErrRunMoved, name, fromNanos(got), prev)
				return errRollback
			}
			if _, err := tx.Exec(ctx, `UPDATE runs SET at_ns = $2 WHERE name = $1`, name, nanos(at)); err != nil {
				return err
			}
		}
		now := s.now().UTC()
		for _, n := range nudges {
			var held bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM nudges WHERE state IN ('due', 'sending') AND kind = $1 AND team = $2 AND to_id = $3)`,
				string(n.Kind), n.Team, n.To).Scan(&held)
			if err != nil {
				return err
			}
			if held {
				continue
			}
			n.ID, n.Created, n.State = 0, now, store.NudgeDue
			if n.NotBefore.IsZero() {
				n.NotBefore = now
			}
			if err := putNudge(ctx, tx, &n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pg: queue run %s: %w", name, err)
	}
	if failed != nil {
		return nil, fmt.Errorf("pg: queue run %s: %w", name, failed)
	}
	return out, nil
}

// Subscribe makes channel get the scheduled digest for scope
// (store.ScopeAll or store.ScopeMembers), replacing any earlier
// subscription of that channel.
func (s *Store) Subscribe(team, channel string, scope store.Scope) error {
	if team == "" || channel == "" {
		return errors.New("pg: subscribe: empty team or channel")
	}
	if scope != store.ScopeAll && scope != store.ScopeMembers {
		return fmt.Errorf("pg: subscribe: unknown scope %q", scope)
	}
	doc, err := json.Marshal(store.Subscription{Team: team, Channel: channel, Scope: scope, Created: s.now().UTC()})
	if err != nil {
		return fmt.Errorf("pg: subscribe: %w", err)
	}
	err = s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO subs (team, channel, doc) VALUES ($1, $2, $3) ON CONFLICT (team, channel) DO UPDATE SET doc = $3`, team, channel, doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: subscribe: %w", err)
	}
	return nil
}

// Unsubscribe stops the scheduled digest in channel, or returns an error
// wrapping store.ErrNotFound if it was not subscribed.
func (s *Store) Unsubscribe(team, channel string) error {
	var gone int64
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM subs WHERE team = $1 AND channel = $2`, team, channel)
		gone = tag.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: unsubscribe: %w", err)
	}
	if gone == 0 {
		return fmt.Errorf("%w: subscription %s/%s", store.ErrNotFound, team, channel)
	}
	return nil
}

// Subscriptions lists team's digest channels; team "" lists every team's.
func (s *Store) Subscriptions(team string) ([]store.Subscription, error) {
	out, err := readDocs[store.Subscription](s, "subscription", `SELECT doc FROM subs WHERE $1 = '' OR team = $1 ORDER BY team, channel`, team)
	if err != nil {
		return nil, fmt.Errorf("pg: subscriptions: %w", err)
	}
	return out, nil
}

// SharePause records a Retry-After Slack gave the scheduling replica, so
// that whichever replica schedules next waits for it too. A pause only
// ever grows.
func (s *Store) SharePause(until time.Time) error {
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE scheduler SET pause_until_ns = greatest(pause_until_ns, $1) WHERE id = 1`, nanos(until))
		return err
	})
	if err != nil {
		return fmt.Errorf("pg: share pause: %w", err)
	}
	return nil
}

// SharedPause is the latest Retry-After any replica recorded, zero if none.
func (s *Store) SharedPause() (time.Time, error) {
	var ns int64
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		return q.QueryRow(ctx, `SELECT pause_until_ns FROM scheduler WHERE id = 1`).Scan(&ns)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("pg: shared pause: %w", err)
	}
	if ns == 0 {
		return time.Time{}, nil
	}
	return fromNanos(ns), nil
}
