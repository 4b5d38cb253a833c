package pg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// Units of work (store.Store.View and Update): one SQL transaction each,
// the op recorded in the same one.

// pgTx is a store.Tx over one SQL transaction.
type pgTx struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
	ref opRecord
}

var _ store.Tx = (*pgTx)(nil)

// View implements store.Store.View. It runs in a repeatable-read
// transaction, so every read sees one snapshot.
func (s *Store) View(fn func(store.ReadTx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return fn(&pgTx{s: s, ctx: ctx, tx: tx})
	})
}

// Update implements store.Store.Update: fn's writes and op commit
// together; an op already applied returns store.ErrDuplicate without
// calling fn; fn's error rolls everything back.
func (s *Store) Update(op string, fn func(store.Tx) error) error {
	var failed error
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		failed = nil
		_, dup, err := claimOp(ctx, tx, op, s.now().UTC())
		if err != nil {
			return err
		}
		if dup {
			failed = store.ErrDuplicate
			return errRollback
		}
		t := &pgTx{s: s, ctx: ctx, tx: tx}
		if err := fn(t); err != nil {
			failed = err
			return errRollback
		}
		return setOp(ctx, tx, op, t.ref)
	})
	if err != nil {
		return fmt.Errorf("pg: update: %w", err)
	}
	return failed
}

func (t *pgTx) Promise(team string, id int64) (store.Promise, error) {
	r, err := loadRecord(t.ctx, t.tx, team, id, false)
	return r.Promise, err
}

func (t *pgTx) Customer(team, name string) (store.Customer, error) {
	r, err := loadCustomer(t.ctx, t.tx, team, store.CustomerKey(name), false)
	return r.Customer, err
}

func (t *pgTx) Nudge(id int64) (store.Nudge, error) { return loadNudge(t.ctx, t.tx, id, false) }

func (t *pgTx) Touches(team, customer string, limit int) ([]store.Touch, error) {
	q, args := touchesQuery(team, customer, limit)
	return docs[store.Touch](t.ctx, t.tx, "touch", q, args...)
}

// AddPromise is store.Tx.AddPromise; the op remembers the promise.
func (t *pgTx) AddPromise(p store.Promise) (store.Promise, error) {
	p, err := model.NewPromise(p, t.s.now().UTC())
	if err != nil {
		return store.Promise{}, err
	}
	var seq int64
	err = t.tx.QueryRow(t.ctx, `INSERT INTO teams (team, promise_seq) VALUES ($1, 1)
		ON CONFLICT (team) DO UPDATE SET promise_seq = teams.promise_seq + 1 RETURNING promise_seq`, p.Team).Scan(&seq)
	if err != nil {
		return store.Promise{}, fmt.Errorf("next id: %w", err)
	}
	r := record{Promise: p}
	r.ID = seq
	if err := save(t.ctx, t.tx, &r, t.s.overdue()); err != nil {
		return store.Promise{}, err
	}
	t.ref = opRecord{Team: r.Team, ID: r.ID}
	return r.Promise, nil
}

// UpdatePromise is store.Tx.UpdatePromise.
func (t *pgTx) UpdatePromise(team string, id int64, fn func(*store.Promise) error) (store.Promise, error) {
	r, err := loadRecord(t.ctx, t.tx, team, id, true)
	if err != nil {
		return store.Promise{}, err
	}
	p := r.Promise
	if err := fn(&p); err != nil {
		return store.Promise{}, err
	}
	p.Team, p.ID = team, id
	p.Settle(r.Promise)
	r.Promise = p
	if err := save(t.ctx, t.tx, &r, t.s.overdue()); err != nil {
		return store.Promise{}, err
	}
	if t.ref.Team == "" {
		t.ref = opRecord{Team: team, ID: id}
	}
	return r.Promise, nil
}

// UpdateCustomer is store.Tx.UpdateCustomer.
func (t *pgTx) UpdateCustomer(team, name string, fn func(*store.Customer) error) (store.Customer, error) {
	key := store.CustomerKey(name)
	r, err := loadCustomer(t.ctx, t.tx, team, key, true)
	if err != nil {
		return store.Customer{}, err
	}
	if err := applyEdit(&r, key, fn); err != nil {
		return store.Customer{}, err
	}
	if err := saveCustomer(t.ctx, t.tx, &r); err != nil {
		return store.Customer{}, err
	}
	return r.Customer, nil
}

// AddTouch is store.Tx.AddTouch.
func (t *pgTx) AddTouch(touch store.Touch) (store.Customer, error) {
	touch, err := model.NewTouch(touch, t.s.now().UTC())
	if err != nil {
		return store.Customer{}, err
	}
	key := store.CustomerKey(touch.Customer)
	r, err := loadCustomer(t.ctx, t.tx, touch.Team, key, true)
	if err != nil {
		return store.Customer{}, err
	}
	if err := addTouch(t.ctx, t.tx, key, touch, &r); err != nil {
		return store.Customer{}, err
	}
	if err := saveCustomer(t.ctx, t.tx, &r); err != nil {
		return store.Customer{}, err
	}
	return r.Customer, nil
}

// Recheck implements store.Outbox.Recheck with the model's rules
// (model.RecheckPromise, model.RecheckCheckin, model.RecheckDate).
func (s *Store) Recheck(id int64, now time.Time) (store.Nudge, error) {
	var out store.Nudge
	err := s.tx(false, func(ctx context.Context, tx pgx.Tx) error {
		n, err := loadNudge(ctx, tx, id, true)
		if err != nil {
			return err
		}
		out = n
		if !pending(n.State) {
			return nil
		}
		var v model.Verdict
		switch {
		case n.Kind.AboutPromise() && n.PromiseID != 0:
			r, err := loadRecord(ctx, tx, n.Team, n.PromiseID, false)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			v = model.RecheckPromise(n, r.Promise, err == nil)
		case n.Kind == model.NudgeCheckin:
			r, err := loadCustomer(ctx, tx, n.Team, n.Subject, false)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			v = model.RecheckCheckin(n, r.Customer, err == nil, now)
		case n.Kind == model.NudgeDate:
			r, err := loadCustomer(ctx, tx, n.Team, n.Subject, false)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			v = model.RecheckDate(n, r.Customer, err == nil)
		default:
			return nil
		}
		switch {
		case v.Drop:
			out.State, out.Error = store.NudgeDropped, v.Reason
		case v.To != "":
			out.To, out.For.Owner = v.To, v.To
		default:
			return nil
		}
		return putNudge(ctx, tx, &out)
	})
	if err != nil {
		return store.Nudge{}, fmt.Errorf("pg: recheck nudge %d: %w", id, err)
	}
	return out, nil
}

// PromisesFor implements store.Promises.PromisesFor, from the index of
// open promises by customer key (migration 4).
func (s *Store) PromisesFor(team, customer string) ([]store.Promise, error) {
	out, err := s.promises(false, qPromisesFor, team, store.CustomerKey(customer))
	if err != nil {
		return nil, fmt.Errorf("pg: promises for %q: %w", store.CustomerKey(customer), err)
	}
	return out, nil
}
