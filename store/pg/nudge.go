package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

func pending(st store.NudgeState) bool { return st == store.NudgeDue || st == store.NudgeSending }

// SendGrace is how long a nudge left in sending stays out of
// PendingNudges: longer than a delivery attempt can last (the Web API
// client's 15 s timeout), so that when one replica takes over from
// another, whatever the old one had in flight has landed in Slack, where
// the new one looks for it, or never will.
const SendGrace = 20 * time.Second

// putNudge writes n, assigning an ID from the nudges sequence if it has
// none.
func putNudge(ctx context.Context, tx pgx.Tx, n *store.Nudge) error {
	return putNudgeAt(ctx, tx, n, 0)
}

// putNudgeAt writes n and, when sendingAt is not zero, records it as the
// start of a delivery attempt.
func putNudgeAt(ctx context.Context, tx pgx.Tx, n *store.Nudge, sendingAt int64) error {
	if n.ID == 0 {
		if err := tx.QueryRow(ctx, `SELECT nextval('nudges_id_seq')`).Scan(&n.ID); err != nil {
			return fmt.Errorf("next nudge id: %w", err)
		}
	}
	q, args, err := nudgeStmt(n, sendingAt)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, q, args...)
	return err
}

// nudgeIDs gives each of ns the next id of the nudges sequence, in one
// round trip.
func nudgeIDs(ctx context.Context, tx pgx.Tx, ns []store.Nudge) error {
	if len(ns) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT nextval('nudges_id_seq') FROM generate_series(1, $1::int)`, len(ns))
	if err != nil {
		return fmt.Errorf("next nudge ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) != len(ns) {
		return fmt.Errorf("next nudge ids: %d for %d nudges: %w", len(ids), len(ns), err)
	}
	slices.Sort(ids)
	for i := range ns {
		ns[i].ID = ids[i]
	}
	return nil
}

// queueNudges queues the writes of ns, which have their ids, in b.
func queueNudges(b *pgx.Batch, ns []store.Nudge) error {
	for i := range ns {
		q, args, err := nudgeStmt(&ns[i], 0)
		if err != nil {
			return err
		}
		b.Queue(q, args...)
	}
	return nil
}

// nudgeStmt is putNudgeAt's statement for a nudge with an id.
func nudgeStmt(n *store.Nudge, sendingAt int64) (string, []any, error) {
	n.NotBefore, n.Created = n.NotBefore.UTC(), n.Created.UTC()
	doc, err := json.Marshal(n)
	if err != nil {
		return "", nil, err
	}
	var since *int64
	if sendingAt != 0 {
		since = &sendingAt
	}
	return `INSERT INTO nudges (id, kind, team, to_id, state, not_before_ns, doc, sending_ns) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (id) DO UPDATE SET to_id = $4, state = $5, not_before_ns = $6, doc = $7, sending_ns = coalesce($8, nudges.sending_ns)`,
		[]any{n.ID, string(n.Kind), n.Team, n.To, string(n.State), nanos(n.NotBefore), doc, since}, nil
}

func decodeNudge(doc []byte) (store.Nudge, error) {
	var n store.Nudge
	err := json.Unmarshal(doc, &n)
	return n, err
}

func queryNudges(ctx context.Context, q querier, sql string, args ...any) ([]store.Nudge, error) {
	return docs[store.Nudge](ctx, q, "nudge", sql, args...)
}

// AddNudge queues n. It assigns ID and Created, State NudgeDue if empty
// and NotBefore now if zero.
func (s *Store) AddNudge(n store.Nudge) (store.Nudge, error) {
	n = model.NewNudge(n, s.now())
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		n.ID = 0
		return putNudge(ctx, tx, &n)
	})
	if err != nil {
		return store.Nudge{}, fmt.Errorf("pg: add nudge: %w", err)
	}
	return n, nil
}

// AddNudge is store.Store.AddNudge inside a unit of work.
func (t *pgTx) AddNudge(n store.Nudge) (store.Nudge, error) {
	n = model.NewNudge(n, t.s.now())
	if err := putNudge(t.ctx, t.tx, &n); err != nil {
		return store.Nudge{}, fmt.Errorf("pg: add nudge: %w", err)
	}
	return n, nil
}

func loadNudge(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, id int64, lock bool) (store.Nudge, error) {
	sql := `SELECT doc FROM nudges WHERE id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var doc []byte
	err := q.QueryRow(ctx, sql, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Nudge{}, fmt.Errorf("%w: nudge %d", store.ErrNotFound, id)
	}
	if err != nil {
		return store.Nudge{}, err
	}
	n, err := decodeNudge(doc)
	if err != nil {
		return n, fmt.Errorf("pg: nudge %d: %w", id, err)
	}
	return n, nil
}

// Nudge returns one nudge, or an error wrapping store.ErrNotFound.
func (s *Store) Nudge(id int64) (store.Nudge, error) {
	var n store.Nudge
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) (err error) {
		n, err = loadNudge(ctx, q, id, false)
		return err
	})
	return n, err
}

// qPending reads the outbox index up to now, a batch at a time.
const (
	qPendingAll = `SELECT doc FROM nudges WHERE state IN ('due', 'sending') AND not_before_ns <= $1
		AND (state = 'due' OR sending_ns IS NULL OR sending_ns <= $2) ORDER BY not_before_ns, id`
	qPending = qPendingAll + ` LIMIT $3`
	// qNextNudge is when the scheduler must wake for the outbox.
	qNextNudge = `SELECT min(not_before_ns) FROM nudges WHERE state IN ('due', 'sending') AND not_before_ns > $1`
)

// PendingNudges returns up to limit outbox nudges (limit <= 0: all) due
// or sending with NotBefore at or before now, oldest NotBefore first. It
// reads the outbox index only up to now. A nudge whose delivery attempt
// began less than SendGrace ago is left out: with one scheduler at a
// time, only a replica that lost its term can have it in flight, and the
// new scheduler must not send it again before that attempt has surely
// ended; then it looks in Slack first (mayHaveLanded).
func (s *Store) PendingNudges(now time.Time, limit int) ([]store.Nudge, error) {
	var out []store.Nudge
	q, args := qPendingAll, []any{nanos(now), nanos(now.Add(-s.sendGrace))}
	if limit > 0 {
		q, args = qPending, append(args, limit)
	}
	err := s.read(func(ctx context.Context, db *pgxpool.Pool) (err error) {
		out, err = queryNudges(ctx, db, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pg: pending nudges: %w", err)
	}
	return out, nil
}

// NextNudgeAfter returns the earliest NotBefore in the outbox after t, if
// any: one probe of the outbox index.
func (s *Store) NextNudgeAfter(t time.Time) (time.Time, bool, error) {
	var at *int64
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		return q.QueryRow(ctx, qNextNudge, nanos(t)).Scan(&at)
	})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("pg: next nudge: %w", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return fromNanos(*at), true, nil
}

// change applies fn to nudge id in one transaction. Unless allowDone, a
// nudge no longer pending is left alone and store.ErrNotPending returned.
// fence says whether the change belongs to the scheduler's term.
func (s *Store) change(id int64, allowDone, fence bool, fn func(*store.Nudge)) (store.Nudge, error) {
	var n store.Nudge
	var failed error
	err := s.tx(fence, func(ctx context.Context, tx pgx.Tx) error {
		old, err := loadNudge(ctx, tx, id, true)
		if errors.Is(err, store.ErrNotFound) {
			failed = err
			return errRollback
		}
		if err != nil {
			return err
		}
		if !allowDone && !pending(old.State) {
			failed = fmt.Errorf("%w: nudge %d is %s", store.ErrNotPending, id, old.State)
			return errRollback
		}
		n = old
		fn(&n)
		var sendingAt int64
		if n.State == store.NudgeSending {
			sendingAt = nanos(s.now())
		}
		return putNudgeAt(ctx, tx, &n, sendingAt)
	})
	if err != nil {
		return store.Nudge{}, fmt.Errorf("pg: nudge %d: %w", id, err)
	}
	if failed != nil {
		return store.Nudge{}, failed
	}
	return n, nil
}

// MarkSending records a delivery attempt; the nudge stays in the outbox
// until MarkSent or FailNudge, so a crash mid-send retries it. Fenced: a
// replica that lost its term cannot start a delivery.
func (s *Store) MarkSending(id int64) (store.Nudge, error) {
	return s.change(id, false, true, func(n *store.Nudge) {
		n.State = store.NudgeSending
		n.Attempts++
	})
}

// MarkSent records where the nudge was delivered and takes it out of the
// outbox. It is not fenced: the message is in Slack whoever records it,
// and recording it is what stops the next term from looking for it.
func (s *Store) MarkSent(id int64, channel, ts string) error {
	_, err := s.change(id, true, false, func(n *store.Nudge) {
		n.State, n.Channel, n.TS, n.Error = store.NudgeSent, channel, ts, ""
	})
	return err
}

// RetryNudge puts the nudge back in the outbox at notBefore. Fenced.
func (s *Store) RetryNudge(id int64, notBefore time.Time, errText string) error {
	_, err := s.change(id, false, true, func(n *store.Nudge) {
		n.State, n.NotBefore, n.Error = store.NudgeDue, notBefore, errText
	})
	return err
}

// DeferNudge puts the nudge back at notBefore like RetryNudge, but takes
// back the attempt MarkSending counted (a 429, a check-in outside working
// hours). Fenced.
func (s *Store) DeferNudge(id int64, notBefore time.Time, errText string) error {
	_, err := s.change(id, false, true, func(n *store.Nudge) {
		n.State, n.NotBefore, n.Error = store.NudgeDue, notBefore, errText
		if n.Attempts > 0 {
			n.Attempts--
		}
	})
	return err
}

// FailNudge gives up on the nudge and takes it out of the outbox. Fenced.
func (s *Store) FailNudge(id int64, errText string) error {
	_, err := s.change(id, false, true, func(n *store.Nudge) {
		n.State, n.Error = store.NudgeFailed, errText
	})
	return err
}

// Nudges lists every nudge of kind ("" = any) in ID order, for tests and
// admin tools.
func (s *Store) Nudges(kind store.NudgeKind) ([]store.Nudge, error) {
	var out []store.Nudge
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) (err error) {
		out, err = queryNudges(ctx, q, `SELECT doc FROM nudges WHERE $1 = '' OR kind = $1 ORDER BY id`, string(kind))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pg: nudges: %w", err)
	}
	return out, nil
}
