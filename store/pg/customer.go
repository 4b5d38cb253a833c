package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// customerRecord is a customer as stored, as in the bbolt store.
type customerRecord struct {
	store.Customer // LastPrompt and Pending are the model's now
}

// displayName is the model's tidied name (runs of space collapsed).
func displayName(name string) string { return model.DisplayName(name) }

func customerNotFound(team, name string) error {
	return fmt.Errorf("%w: customer %s/%q", store.ErrNotFound, team, name)
}

type rowQuerier interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}

func loadCustomer(ctx context.Context, q rowQuerier, team, key string, lock bool) (customerRecord, error) {
	var r customerRecord
	sql := `SELECT doc FROM customers WHERE team = $1 AND key = $2`
	if lock {
		sql += ` FOR UPDATE`
	}
	var doc []byte
	err := q.QueryRow(ctx, sql, team, key).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) || key == "" {
		return r, customerNotFound(team, key)
	}
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(doc, &r); err != nil {
		return r, fmt.Errorf("customer %s/%q: %w", team, key, err)
	}
	return r, nil
}

func saveCustomer(ctx context.Context, tx pgx.Tx, r *customerRecord) error {
	q, args, err := customerStmt(r)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, q, args...)
	return err
}

// customerStmt is saveCustomer's statement, for a batch.
func customerStmt(r *customerRecord) (string, []any, error) {
	key := store.CustomerKey(r.Name)
	r.Created = r.Created.UTC()
	if r.Cadence <= 0 {
		r.Cadence, r.NextPrompt = 0, time.Time{}
	}
	for _, t := range []*time.Time{&r.LastTouch, &r.NextPrompt, &r.LastPrompt} {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
	var next *int64
	if !r.NextPrompt.IsZero() {
		n := nanos(r.NextPrompt)
		next = &n
	}
	renewal, anniversary := dateIndex(r.Customer)
	doc, err := json.Marshal(r)
	if err != nil {
		return "", nil, err
	}
	return `INSERT INTO customers (team, key, next_prompt_ns, renewal_ns, anniversary_ns, doc) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (team, key) DO UPDATE SET next_prompt_ns = $3, renewal_ns = $4, anniversary_ns = $5, doc = $6`, []any{r.Team, key, next, renewal, anniversary, doc}, nil
}

// editCustomer runs a command that changes the existing customer team/key
// in one transaction, as the bbolt store's: an op already applied returns
// the customer as it is and store.ErrDuplicate without calling edit; a
// missing customer or a failed edit changes nothing and is returned as
// failed.
func (s *Store) editCustomer(op, team, key string, edit func(ctx context.Context, tx pgx.Tx, r *customerRecord) (failed, err error)) (out store.Customer, failed, err error) {
	err = s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		out, failed = store.Customer{}, nil
		_, dup, err := claimOp(ctx, tx, op, s.now().UTC())
		if err != nil {
			return err
		}
		r, err := loadCustomer(ctx, tx, team, key, !dup)
		if errors.Is(err, store.ErrNotFound) {
			failed = err
			return errRollback
		}
		if err != nil {
			return err
		}
		if dup {
			out, failed = r.Customer, store.ErrDuplicate
			return nil
		}
		if failed, err = edit(ctx, tx, &r); failed != nil || err != nil {
			if err == nil {
				err = errRollback
			}
			return err
		}
		if err := saveCustomer(ctx, tx, &r); err != nil {
			return err
		}
		out = r.Customer
		return setOp(ctx, tx, op, opRecord{Team: team})
	})
	return out, failed, err
}

// AddCustomer stores a new customer, as the bbolt store's AddCustomer. It
// returns store.ErrExists if the name's key is taken; an op already
// applied returns the customer and store.ErrDuplicate.
func (s *Store) AddCustomer(op string, c store.Customer) (store.Customer, error) {
	c, err := model.NewCustomer(c, s.now().UTC())
	if err != nil {
		return store.Customer{}, err
	}
	key := store.CustomerKey(c.Name)
	var out store.Customer
	var failed error
	err = s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		out, failed = store.Customer{}, nil
		now := s.now().UTC()
		_, dup, err := claimOp(ctx, tx, op, now)
		if err != nil {
			return err
		}
		if dup {
			r, err := loadCustomer(ctx, tx, c.Team, key, false)
			if err != nil {
				failed = err
				return errRollback
			}
			out, failed = r.Customer, store.ErrDuplicate
			return nil
		}
		if r, err := loadCustomer(ctx, tx, c.Team, key, true); err == nil {
			out = r.Customer
			failed = fmt.Errorf("%w: customer %q", store.ErrExists, out.Name)
			return errRollback
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		r := customerRecord{Customer: c} // model.NewCustomer scheduled it
		// Two replicas adding the same name at once: the primary key
		// lets one in, and the other finds it taken.
		tag, err := tx.Exec(ctx, `INSERT INTO customers (team, key, doc) VALUES ($1, $2, '{}') ON CONFLICT DO NOTHING`, c.Team, key)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			failed = fmt.Errorf("%w: customer %q", store.ErrExists, c.Name)
			return errRollback
		}
		if err := saveCustomer(ctx, tx, &r); err != nil {
			return err
		}
		out = r.Customer
		return setOp(ctx, tx, op, opRecord{Team: c.Team})
	})
	if err != nil {
		return store.Customer{}, fmt.Errorf("pg: add customer: %w", err)
	}
	return out, failed
}

// Customer returns the team's customer matching name (see
// store.CustomerKey), or an error wrapping store.ErrNotFound.
func (s *Store) Customer(team, name string) (store.Customer, error) {
	var r customerRecord
	err := s.read(func(ctx context.Context, q *pgxpool.Pool) (err error) {
		r, err = loadCustomer(ctx, q, team, store.CustomerKey(name), false)
		return err
	})
	if err != nil {
		return store.Customer{}, err
	}
	return r.Customer, nil
}

// Customers lists the team's customers sorted by name key.
func (s *Store) Customers(team string) ([]store.Customer, error) {
	out, err := readDocs[store.Customer](s, "customer in "+team, `SELECT doc FROM customers WHERE team = $1 ORDER BY key`, team)
	if err != nil {
		return nil, fmt.Errorf("pg: customers: %w", err)
	}
	return out, nil
}

// UpdateCustomer loads the customer matching name, calls fn on a copy and
// saves the result atomically, with the bbolt store's rules: Name may be
// respelled but keep its key; a changed Cadence with NextPrompt left alone
// recomputes NextPrompt; an op already applied returns the current
// customer and store.ErrDuplicate without calling fn.
func (s *Store) UpdateCustomer(op, team, name string, fn func(*store.Customer) error) (store.Customer, error) {
	key := store.CustomerKey(name)
	out, failed, err := s.editCustomer(op, team, key, func(_ context.Context, _ pgx.Tx, r *customerRecord) (error, error) {
		return applyEdit(r, key, fn), nil
	})
	if err != nil {
		return store.Customer{}, fmt.Errorf("pg: update customer %s/%q: %w", team, key, err)
	}
	return out, failed
}

// applyEdit calls fn on a copy of r's customer and takes the result with
// the rules of an update: Name may be respelled but keep key, Team and
// Created stay, a cadence set directly reschedules (model). fn's error,
// or a refused rename, is returned and r left alone.
func applyEdit(r *customerRecord, key string, fn func(*store.Customer) error) error {
	c := r.Customer
	if err := fn(&c); err != nil {
		return err
	}
	c.Name = displayName(c.Name)
	if store.CustomerKey(c.Name) != key {
		return fmt.Errorf("pg: update customer %q: a customer cannot be renamed to %q", r.Name, c.Name)
	}
	c.Team, c.Created = r.Team, r.Created
	c.Settle(r.Customer)
	r.Customer = c
	return nil
}

// RemoveCustomer deletes the customer matching name and its touches. An
// error wrapping store.ErrNotFound says there was none; an op already
// applied returns store.ErrDuplicate.
func (s *Store) RemoveCustomer(op, team, name string) error {
	key := store.CustomerKey(name)
	var failed error
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		failed = nil
		_, dup, err := claimOp(ctx, tx, op, s.now().UTC())
		if err != nil {
			return err
		}
		if dup {
			failed = store.ErrDuplicate
			return nil
		}
		tag, err := tx.Exec(ctx, `DELETE FROM customers WHERE team = $1 AND key = $2`, team, key)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 || key == "" {
			failed = customerNotFound(team, key)
			return errRollback
		}
		_, err = tx.Exec(ctx, `DELETE FROM touches WHERE team = $1 AND customer_key = $2`, team, key)
		if err != nil {
			return err
		}
		return setOp(ctx, tx, op, opRecord{Team: team})
	})
	if err != nil {
		return fmt.Errorf("pg: remove customer %s/%q: %w", team, key, err)
	}
	return failed
}

// AddTouch logs a touch with the customer t.Customer names and returns
// the customer as updated, with the bbolt store's rules: a touch newer
// than the last becomes LastTouch and restarts the cadence, an older one
// is only recorded.
func (s *Store) AddTouch(op string, t store.Touch) (store.Customer, error) {
	t, err := model.NewTouch(t, s.now().UTC())
	if err != nil {
		return store.Customer{}, err
	}
	key := store.CustomerKey(t.Customer)
	out, failed, err := s.editCustomer(op, t.Team, key, func(ctx context.Context, tx pgx.Tx, r *customerRecord) (error, error) {
		return nil, addTouch(ctx, tx, key, t, r)
	})
	if err != nil {
		return store.Customer{}, fmt.Errorf("pg: add touch: %w", err)
	}
	return out, failed
}

// addTouch stores t under the customer's spelling and applies it to r
// (model.Customer.Touch); the caller saves r.
func addTouch(ctx context.Context, tx pgx.Tx, key string, t store.Touch, r *customerRecord) error {
	t.Customer = r.Name
	if err := putTouch(ctx, tx, key, t); err != nil {
		return err
	}
	r.Touch(t)
	return nil
}

func putTouch(ctx context.Context, tx pgx.Tx, key string, t store.Touch) error {
	doc, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO touches (team, customer_key, at_ns, doc) VALUES ($1, $2, $3, $4)`, t.Team, key, nanos(t.At), doc)
	return err
}

// touchesQuery is the statement of Touches, in and out of a transaction.
func touchesQuery(team, customer string, limit int) (string, []any) {
	q := `SELECT doc FROM touches WHERE team = $1 AND customer_key = $2 ORDER BY at_ns DESC, seq DESC`
	args := []any{team, store.CustomerKey(customer)}
	if limit > 0 {
		q += ` LIMIT $3`
		args = append(args, limit)
	}
	return q, args
}

func (s *Store) touches(sql string, args ...any) ([]store.Touch, error) {
	return readDocs[store.Touch](s, "touch", sql, args...)
}

// Touches returns up to limit (<= 0: all) of the customer's touches,
// newest first, from that customer's index.
func (s *Store) Touches(team, customer string, limit int) ([]store.Touch, error) {
	q, args := touchesQuery(team, customer, limit)
	out, err := s.touches(q, args...)
	if err != nil {
		return nil, fmt.Errorf("pg: touches: %w", err)
	}
	return out, nil
}

// TouchesBetween returns the team's touches with from <= At < to, oldest
// first.
func (s *Store) TouchesBetween(team string, from, to time.Time) ([]store.Touch, error) {
	out, err := s.touches(`SELECT doc FROM touches WHERE team = $1 AND at_ns >= $2 AND at_ns < $3 ORDER BY at_ns, seq`, team, nanos(from), nanos(to))
	if err != nil {
		return nil, fmt.Errorf("pg: touches between: %w", err)
	}
	return out, nil
}

// A tick's questions of the prompts index (plan_test.go holds them to it).
const (
	// qCheckinWork is the earliest next prompt: min(), not EXISTS with a
	// parameter, for the reason qDueWork gives.
	qCheckinWork      = `SELECT min(next_prompt_ns) FROM customers`
	qClaimCheckinsAll = `SELECT doc FROM customers WHERE next_prompt_ns <= $1 ORDER BY next_prompt_ns, team, key FOR UPDATE SKIP LOCKED`
	qClaimCheckins    = `SELECT doc FROM customers WHERE next_prompt_ns <= $1 ORDER BY next_prompt_ns, team, key LIMIT $2 FOR UPDATE SKIP LOCKED`
)

// ClaimCheckins queues the keep-in-touch prompts due at now, in one
// transaction, as the bbolt store's ClaimCheckins: one nudge per customer
// whose NextPrompt <= now, none while an earlier one is still in the
// outbox, and NextPrompt moved to now+Cadence. Fenced.
func (s *Store) ClaimCheckins(now time.Time, limit int) ([]store.Nudge, error) {
	now = now.UTC()
	due, err := s.workBy(now, qCheckinWork)
	if err != nil || !due {
		return nil, wrap("pg: claim checkins", err)
	}
	var out []store.Nudge
	err = s.tx(true, func(ctx context.Context, tx pgx.Tx) error {
		out = nil
		q, args := qClaimCheckinsAll, []any{nanos(now)}
		if limit > 0 {
			q, args = qClaimCheckins, append(args, limit)
		}
		recs, err := docs[customerRecord](ctx, tx, "customer", q, args...)
		if err != nil {
			return err
		}
		out, err = claimCheckins(ctx, tx, recs, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pg: claim checkins: %w", err)
	}
	return out, nil
}

// claimCheckins claims the prompts of the due customers recs at now
// (model.Customer.ClaimCheckin: one per cadence, none while the last one
// is pending) and saves them, in at most three round trips whatever
// their number: which of their last prompts are pending, the new
// prompts' ids, and one batch of writes.
func claimCheckins(ctx context.Context, tx pgx.Tx, recs []customerRecord, now time.Time) ([]store.Nudge, error) {
	held, err := stillPending(ctx, tx, recs)
	if err != nil {
		return nil, err
	}
	var out []store.Nudge
	var of []int // the record each of out was claimed from
	for i := range recs {
		if n, ok := recs[i].ClaimCheckin(now, held[recs[i].Pending]); ok {
			out, of = append(out, n), append(of, i)
		}
	}
	err = writeClaims(ctx, tx, recs, out, func() {
		for j := range out {
			recs[of[j]].Pending = out[j].ID
		}
	})
	return out, err
}

// writeClaims stores what a claim made of recs: the nudges out, given
// their ids first (then ided, if not nil, runs: a record may keep its
// nudge's id), and every record saved again, re-indexed. It takes two
// round trips however many there are: the ids, then one batch of writes.
func writeClaims(ctx context.Context, tx pgx.Tx, recs []customerRecord, out []store.Nudge, ided func()) error {
	if err := nudgeIDs(ctx, tx, out); err != nil {
		return err
	}
	if ided != nil {
		ided()
	}
	var b pgx.Batch
	if err := queueNudges(&b, out); err != nil {
		return err
	}
	for i := range recs {
		q, args, err := customerStmt(&recs[i])
		if err != nil {
			return err
		}
		b.Queue(q, args...)
	}
	return tx.SendBatch(ctx, &b).Close()
}

// stillPending is which of recs' last claimed prompts are still in the
// outbox, in one query.
func stillPending(ctx context.Context, tx pgx.Tx, recs []customerRecord) (map[int64]bool, error) {
	var ids []int64
	for _, r := range recs {
		if r.Pending != 0 {
			ids = append(ids, r.Pending)
		}
	}
	held := map[int64]bool{}
	if len(ids) == 0 {
		return held, nil
	}
	rows, err := tx.Query(ctx, `SELECT id FROM nudges WHERE id = ANY($1) AND state IN ('due', 'sending')`, ids)
	if err != nil {
		return nil, fmt.Errorf("pending prompts: %w", err)
	}
	pend, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("pending prompts: %w", err)
	}
	for _, id := range pend {
		held[id] = true
	}
	return held, nil
}
