package pg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/groupcommit"
)

// record is a promise as stored: the bbolt store's record without its
// index key, which is the next_ns column here.
type record struct {
	store.Promise
}

// next is the promise's next action time, if it has one: the model's
// rule (model.Promise.NextAction), which the due index follows.
func (r *record) next(overdueAfter time.Duration) (time.Time, bool) {
	a, ok := r.NextAction(model.Policy{OverdueAfter: overdueAfter})
	return a.At, ok
}

func notFound(team string, id int64) error {
	return fmt.Errorf("%w: promise %s/#%d", store.ErrNotFound, team, id)
}

// loadRecord reads team/id, locking its row for the transaction when
// lock is set.
func loadRecord(ctx context.Context, tx pgx.Tx, team string, id int64, lock bool) (record, error) {
	var r record
	q := `SELECT doc FROM promises WHERE team = $1 AND id = $2`
	if lock {
		q += ` FOR UPDATE`
	}
	var doc []byte
	err := tx.QueryRow(ctx, q, team, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, notFound(team, id)
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(doc, &r); err != nil {
		return r, fmt.Errorf("promise %s/#%d: %w", team, id, err)
	}
	return r, nil
}

// save writes r (insert or update) with its next action time.
func save(ctx context.Context, tx pgx.Tx, r *record, overdueAfter time.Duration) error {
	q, args, err := saveStmt(r, overdueAfter)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, q, args...)
	return err
}

// saveStmt is save's statement, for a caller that batches several.
func saveStmt(r *record, overdueAfter time.Duration) (string, []any, error) {
	c, err := columns(r, overdueAfter)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO promises (team, id, owner, state, due_ns, next_ns, doc, customer_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (team, id) DO UPDATE SET owner = $3, state = $4, due_ns = $5, next_ns = $6, doc = $7, customer_key = $8`,
		[]any{c.team, c.id, c.owner, c.state, c.due, c.next, c.doc, c.customerKey}, nil
}

// promiseColumns is a promise's row in the promises table.
type promiseColumns struct {
	team, owner, state string
	id, due            int64
	next               *int64 // NULL when no action is owed
	doc                []byte
	customerKey        string
}

// columns settles r's times in UTC and gives its row.
func columns(r *record, overdueAfter time.Duration) (promiseColumns, error) {
	r.Promise.Settle(r.Promise) // times in UTC
	var next *int64
	if at, ok := r.next(overdueAfter); ok {
		n := nanos(at)
		next = &n
	}
	doc, err := json.Marshal(r)
	if err != nil {
		return promiseColumns{}, err
	}
	return promiseColumns{team: r.Team, owner: r.Owner, state: string(r.State), id: r.ID, due: nanos(r.Due),
		next: next, doc: doc, customerKey: store.CustomerKey(r.Customer)}, nil
}

// addPromise is AddPromise's one statement. The team's number moves only
// for an op not yet applied. Two replicas applying one op at once both
// pass NOT EXISTS; the second's ops insert then waits for the first to
// commit and fails on the key, which rolls its number back, so none is
// skipped. The promise's doc gets its number here, where it is drawn,
// spliced between the two halves of its JSON ($6 and $10, split at the
// id by docAround): jsonb would refuse a \u0000 that json keeps.
const addPromise = `WITH seq AS (
		INSERT INTO teams (team, promise_seq) SELECT $1, 1 WHERE NOT EXISTS (SELECT 1 FROM ops WHERE op = $8)
		ON CONFLICT (team) DO UPDATE SET promise_seq = teams.promise_seq + 1 RETURNING promise_seq
	), applied AS (
		INSERT INTO ops (op, at_ns, team, promise_id) SELECT $8, $9, $1, promise_seq FROM seq WHERE $8 <> ''
	), saved AS (
		INSERT INTO promises (team, id, owner, state, due_ns, next_ns, doc, customer_key)
		SELECT $1, promise_seq, $2, $3, $4, $5, ($6::text || promise_seq || $10::text)::json, $7 FROM seq
	)
	SELECT promise_seq FROM seq`

// AddPromise stores a new promise, as the bbolt store's AddPromise: it
// assigns ID (the team's next), Created (if zero) and State Open, appends
// a "created" event and indexes it. An op already applied returns the
// promise op created and store.ErrDuplicate.
//
// A new promise is one statement (addPromise), written in a group
// commit (groupcommit): alone and at once when no other is being
// written, and otherwise in one transaction with those that arrived
// during the commit in progress. The team's sequence row, which every
// new promise of the team waits on, is then held for one commit and its
// WAL flush per group rather than per promise.
func (s *Store) AddPromise(op string, p store.Promise) (store.Promise, error) {
	now := s.now().UTC()
	p, err := model.NewPromise(p, now)
	if err != nil {
		return store.Promise{}, err
	}
	r := record{Promise: p} // model.NewPromise made it open, created, with its event
	c, err := columns(&r, s.overdue())
	if err != nil {
		return store.Promise{}, fmt.Errorf("pg: add promise: %w", err)
	}
	before, after, err := docAround(c.doc)
	if err != nil {
		return store.Promise{}, fmt.Errorf("pg: add promise: %w", err)
	}
	var applied bool // op was applied before: the statement drew no number
	err = s.adds.Run(s.sendAdds, func(b *addBatch) error {
		b.add(c.team, []any{c.team, c.owner, c.state, c.due, c.next, before, c.customerKey, op, nanos(now), after}, func(row pgx.Row) error {
			err := row.Scan(&r.ID)
			applied = errors.Is(err, pgx.ErrNoRows)
			if applied {
				return nil
			}
			return err
		})
		return nil
	})
	var pe *pgconn.PgError
	switch {
	case err == nil && !applied:
		return r.Promise, nil
	case err == nil, errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == "ops_pkey":
		// After the group's wait, so that its time is not this read's.
		ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
		defer cancel()
		return s.appliedPromise(ctx, op)
	}
	return store.Promise{}, fmt.Errorf("pg: add promise: %w", err)
}

// addBatch is a group of new promises (AddPromise), each one addPromise
// statement, sent to PostgreSQL at once: one round trip and one
// transaction, whose commit is the group's one WAL flush.
type addBatch struct {
	adds []queuedAdd // in the order the group's calls ran
}

type queuedAdd struct {
	team string
	args []any
	scan func(pgx.Row) error
}

// add queues one AddPromise's statement and what reads its answer. Each
// AddPromise adds exactly one, so add i is the group's call i.
func (b *addBatch) add(team string, args []any, scan func(pgx.Row) error) {
	b.adds = append(b.adds, queuedAdd{team: team, args: args, scan: scan})
}

// order is the order the statements are sent in: by team, and within a
// team as the calls came. Each statement locks its team's sequence row
// until the batch commits, so two replicas' batches that took the rows
// of two teams in opposite orders would deadlock (PostgreSQL breaks the
// tie after deadlock_timeout, a second); in one order they queue.
func (b *addBatch) order() []int {
	order := make([]int, len(b.adds))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return strings.Compare(b.adds[i].team, b.adds[j].team) })
	return order
}

// sendAdds runs a group's AddPromise calls and sends what they queued
// as one pipelined batch, which PostgreSQL runs as one implicit
// transaction: a statement the server refuses rolls the whole batch
// back, and is blamed so that its call runs alone and the rest are sent
// again. Any other error (no connection, a timeout, a connection cut
// while reading the answers) is no statement's: the group fails once
// with it, rather than once per call, and need not have rolled back.
func (s *Store) sendAdds(fn func(*addBatch) error) error {
	var b addBatch
	if err := fn(&b); err != nil {
		return err
	}
	order := b.order()
	var batch pgx.Batch
	for _, i := range order {
		batch.Queue(addPromise, b.adds[i].args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	br := s.pool.SendBatch(ctx, &batch)
	for _, i := range order {
		if err := b.adds[i].scan(br.QueryRow()); err != nil {
			_ = br.Close()
			// A query cancelled as the deadline passed (57014) is the
			// group's time running out, not this statement's fault.
			if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code != "57014" && ctx.Err() == nil {
				return &groupcommit.Blamed{Call: i, Err: err}
			}
			return err
		}
	}
	return br.Close()
}

// docAround splits a new promise's doc (its id still 0) around the id's
// value. The id is the doc's second key, after the team: a JSON string
// cannot hold an unescaped quote, so the first `,"id":0,` is that key.
func docAround(doc []byte) (before, after string, err error) {
	const key = `,"id":`
	i := bytes.Index(doc, []byte(key+"0,"))
	if i < 0 {
		return "", "", fmt.Errorf("no id in the promise's doc %.40q", doc)
	}
	return string(doc[:i+len(key)]), string(doc[i+len(key)+1:]), nil
}

// appliedPromise answers an AddPromise whose op was applied before: the
// promise it made, and store.ErrDuplicate.
func (s *Store) appliedPromise(ctx context.Context, op string) (store.Promise, error) {
	var doc []byte
	err := s.pool.QueryRow(ctx, `SELECT p.doc FROM ops o JOIN promises p ON p.team = o.team AND p.id = o.promise_id WHERE o.op = $1`, op).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Promise{}, fmt.Errorf("pg: add promise: op %s applied, its promise is gone: %w", op, store.ErrNotFound)
	}
	if err != nil {
		return store.Promise{}, fmt.Errorf("pg: add promise: read op %s: %w", op, err)
	}
	var r record
	if err := json.Unmarshal(doc, &r); err != nil {
		return store.Promise{}, fmt.Errorf("pg: add promise: op %s: %w", op, err)
	}
	return r.Promise, store.ErrDuplicate
}

// UpdatePromise loads team/id, calls fn on a copy and saves the result
// atomically, re-indexing it, as the bbolt store's UpdatePromise. If fn
// returns an error nothing is saved and that error is returned. A changed
// Due resets Reminded and Overdue. An op already applied returns the
// current promise and store.ErrDuplicate without calling fn.
func (s *Store) UpdatePromise(op, team string, id int64, fn func(*store.Promise) error) (store.Promise, error) {
	var out store.Promise
	var dup bool
	var failed error
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		_, d, err := claimOp(ctx, tx, op, s.now().UTC())
		if err != nil {
			return err
		}
		r, err := loadRecord(ctx, tx, team, id, !d)
		if errors.Is(err, store.ErrNotFound) {
			failed = err
			return errRollback
		}
		if err != nil {
			return err
		}
		if dup = d; dup {
			out = r.Promise
			return nil
		}
		p := r.Promise
		if err := fn(&p); err != nil {
			failed = err
			return errRollback
		}
		p.Team, p.ID = team, id
		p.Settle(r.Promise) // a new round has no claims (model)
		r.Promise = p
		if err := save(ctx, tx, &r, s.overdue()); err != nil {
			return err
		}
		out = r.Promise
		return setOp(ctx, tx, op, opRecord{Team: team, ID: id})
	})
	switch {
	case err != nil:
		return store.Promise{}, fmt.Errorf("pg: update promise %s/#%d: %w", team, id, err)
	case failed != nil:
		return store.Promise{}, failed
	case dup:
		return out, store.ErrDuplicate
	}
	return out, nil
}

// Promise returns one promise, or an error wrapping store.ErrNotFound.
func (s *Store) Promise(team string, id int64) (store.Promise, error) {
	var r record
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) (err error) {
		r, err = loadRecord(ctx, tx, team, id, false)
		return err
	})
	if err != nil {
		return store.Promise{}, err
	}
	return r.Promise, nil
}

// The queries a tick and a command run most, named so that a test can
// hold each to the index it is meant to read (plan_test.go).
const (
	// qPromisesTeam and qPromisesOwner list a team's promises, and an
	// owner's (the Home tab, /promise list) from the owner index.
	qPromisesTeam  = `SELECT doc FROM promises WHERE team = $1 AND ($2 = '' OR state = $2) ORDER BY due_ns, id`
	qPromisesOwner = `SELECT doc FROM promises WHERE team = $1 AND owner = $3 AND ($2 = '' OR state = $2) ORDER BY due_ns, id`
	// qPromisesFor lists a customer's open promises (the customer card).
	qPromisesFor = `SELECT doc FROM promises WHERE team = $1 AND customer_key = $2 AND customer_key <> '' AND state = 'open' ORDER BY due_ns, id`
	// qDuePromises is what the digest reports: the open promises due
	// before $4 (late; promises_open_due holds only open ones, so the
	// team's history is not read), then those of any state but cancelled
	// due in [$2, $3) that the first part did not take (promises_due).
	// One OR would read every promise due before $4 through promises_due.
	qDuePromises = `SELECT doc FROM (
		SELECT id, due_ns, doc FROM promises WHERE team = $1 AND state = 'open' AND due_ns < $4
		UNION ALL
		SELECT id, due_ns, doc FROM promises WHERE team = $1 AND due_ns >= $2 AND due_ns < $3
			AND state <> 'cancelled' AND NOT (state = 'open' AND due_ns < $4)
	) p ORDER BY due_ns, id`
	// qDueWork is an idle tick's one question (Quiet, and ClaimDue
	// before it takes a transaction): the earliest entry of the due
	// index, of the ops' ages, of the prompts index, of the outbox and
	// of the dates index, and the overdue setting, compared in Go. Not "EXISTS (... WHERE
	// next_ns <= $1)": the generic plan of that (which PostgreSQL
	// switches a prepared statement to after five runs) guesses a third
	// of the table matches and reads the table until it finds one, that
	// is all of it when nothing is due. min() has no parameter and is
	// one step into each index.
	qDueWork = `SELECT (SELECT min(next_ns) FROM promises), (SELECT min(at_ns) FROM ops),
			coalesce((SELECT value FROM meta WHERE key = 'overdue_after'), ''),
			(SELECT min(next_prompt_ns) FROM customers),
			(SELECT min(not_before_ns) FROM nudges WHERE state IN ('due', 'sending')),
			(SELECT min(renewal_ns) FROM customers), (SELECT min(anniversary_ns) FROM customers)`
	// qClaimDue reads a batch of the due index and locks its rows.
	qClaimDue    = `SELECT doc FROM promises WHERE next_ns <= $1 ORDER BY next_ns, id, team LIMIT $2 FOR UPDATE SKIP LOCKED`
	qClaimDueAll = `SELECT doc FROM promises WHERE next_ns <= $1 ORDER BY next_ns, id, team FOR UPDATE SKIP LOCKED`
)

// Promises lists a team's promises, filtered by owner ("" = any) and
// state ("" = any), sorted by Due then ID.
func (s *Store) Promises(team, owner string, state store.State) ([]store.Promise, error) {
	// Two statements, not one with "$2 = '' OR owner = $2": a prepared
	// statement's generic plan could not use the owner index for that.
	q, args := qPromisesTeam, []any{team, string(state)}
	if owner != "" {
		q, args = qPromisesOwner, []any{team, string(state), owner}
	}
	out, err := s.promises(false, q, args...)
	if err != nil {
		return nil, fmt.Errorf("pg: promises: %w", err)
	}
	return out, nil
}

// promises runs a query of promise docs.
func (s *Store) promises(withoutHistory bool, q string, args ...any) ([]store.Promise, error) {
	out, err := readDocs[store.Promise](s, "promise", q, args...)
	if withoutHistory {
		for i := range out {
			out[i].History = nil
		}
	}
	return out, err
}

// DuePromises returns what the digest reports on, as the bbolt store's
// DuePromises: team's promises late at lateAt (open, due before it) or due
// in [from, to) in any state but cancelled, by Due then ID, with the
// digest's fields only (store.DigestFields). Two indexes bound what it
// reads (qDuePromises).
func (s *Store) DuePromises(team string, from, to, lateAt time.Time) ([]store.Promise, error) {
	out, err := s.promises(true, qDuePromises, team, nanos(from), nanos(to), nanos(lateAt))
	if err != nil {
		return nil, fmt.Errorf("pg: due promises: %w", err)
	}
	for i := range out {
		out[i] = store.DigestFields(out[i])
	}
	return out, nil
}

// ClaimDue queues the nudges due at now, in one transaction, as the bbolt
// store's ClaimDue: what model.Promise.Claim says under pol (a reminder,
// an overdue follow-up, an escalation). It
// reads the due index up to now, at most limit rows (<= 0: no bound), and
// skips rows another transaction holds. Fenced.
func (s *Store) ClaimDue(now time.Time, pol model.Policy, limit int) ([]store.Nudge, error) {
	now, overdueAfter := now.UTC(), pol.OverdueAfter
	s.SetOverdueAfter(overdueAfter)
	// Most ticks find nothing due: one indexed read, and no transaction
	// that would take the term row and write.
	work, err := s.hasWork(now, overdueAfter)
	if err != nil || !work {
		return nil, err
	}
	var out []store.Nudge
	err = s.tx(true, func(ctx context.Context, tx pgx.Tx) error {
		out = nil
		setting, _ := json.Marshal(overdueAfter)
		if _, err := tx.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('overdue_after', $1)
			ON CONFLICT (key) DO UPDATE SET value = $1 WHERE meta.value <> $1`, string(setting)); err != nil {
			return err
		}
		q, args := qClaimDueAll, []any{nanos(now)}
		if limit > 0 {
			q, args = qClaimDue, append(args, limit)
		}
		recs, err := docs[record](ctx, tx, "promise", q, args...)
		if err != nil {
			return err
		}
		if out, err = claimAll(ctx, tx, recs, now, pol); err != nil {
			return err
		}
		return pruneOps(ctx, tx, now)
	})
	if err != nil {
		return nil, fmt.Errorf("pg: claim due: %w", err)
	}
	return out, nil
}

// work is what qDueWork found to do at now.
type work struct{ claims, checkins, dates, outbox bool }

func (s *Store) work(now time.Time, overdueAfter time.Duration) (work, error) {
	setting, _ := json.Marshal(overdueAfter)
	var next, oldest, prompt, outbox, renewal, anniversary *int64
	var stored string
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) error {
		return q.QueryRow(ctx, qDueWork).Scan(&next, &oldest, &stored, &prompt, &outbox, &renewal, &anniversary)
	})
	if err != nil {
		return work{}, err
	}
	at := func(n *int64, t time.Time) bool { return n != nil && *n <= nanos(t) }
	return work{
		// ClaimDue also prunes old ops and records a changed setting.
		claims:   at(next, now) || at(oldest, now.Add(-opsTTL)) || stored != string(setting),
		checkins: at(prompt, now),
		// A renewal is read a notice ahead; before ClaimDates has said
		// which, any renewal is work, so the first tick claims.
		dates:  at(anniversary, now) || renewal != nil && (s.datesAhead.Load() < 0 || *renewal <= nanos(now)+s.datesAhead.Load()),
		outbox: at(outbox, now),
	}, nil
}

func (s *Store) hasWork(now time.Time, overdueAfter time.Duration) (bool, error) {
	w, err := s.work(now, overdueAfter)
	if err != nil {
		return false, fmt.Errorf("pg: claim due: %w", err)
	}
	return w.claims, nil
}

// Quiet reports, in one round trip, whether a scheduler tick at now has
// nothing to claim and nothing to deliver, so that an idle tick costs one
// read rather than one per question (the scheduler's quietStore).
func (s *Store) Quiet(now time.Time, overdueAfter time.Duration) (bool, error) {
	w, err := s.work(now.UTC(), overdueAfter)
	if err != nil {
		return false, fmt.Errorf("pg: quiet: %w", err)
	}
	return w == work{}, nil
}

// claimAll handles the due promises recs: it queues what each one is owed
// at now under pol (model.Promise.Claim), and moves every index entry
// either way (when the promise changed, or the policy grew, since it was
// indexed, only its entry moves). Its writes go in one round trip, a
// batch, not three per promise: a tick with 1,000 due is bound by round
// trips otherwise.
func claimAll(ctx context.Context, tx pgx.Tx, recs []record, now time.Time, pol model.Policy) ([]store.Nudge, error) {
	var out []store.Nudge
	for i := range recs {
		out = append(out, recs[i].Claim(now, pol)...)
	}
	if err := nudgeIDs(ctx, tx, out); err != nil {
		return nil, err
	}
	var b pgx.Batch
	for i := range recs {
		q, args, err := saveStmt(&recs[i], pol.OverdueAfter)
		if err != nil {
			return nil, err
		}
		b.Queue(q, args...)
	}
	if err := queueNudges(&b, out); err != nil {
		return nil, err
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return nil, err
	}
	return out, nil
}
