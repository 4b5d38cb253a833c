package pg

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/store"
)

// Export reads every team's promises (by team, then id), customers (by
// name key) and touches (oldest first) in one repeatable-read
// transaction, so the dump is consistent while replicas keep writing.
func (s *Store) Export() (store.Dump, error) {
	var d store.Dump
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if d.Promises, err = docs[store.Promise](ctx, tx, "promise", `SELECT doc FROM promises ORDER BY team, id`); err != nil {
			return err
		}
		if d.Customers, err = docs[store.Customer](ctx, tx, "customer", `SELECT doc FROM customers ORDER BY team, key`); err != nil {
			return err
		}
		d.Touches, err = docs[store.Touch](ctx, tx, "touch", `SELECT doc FROM touches ORDER BY team, at_ns, seq`)
		return err
	})
	if err != nil {
		return store.Dump{}, fmt.Errorf("pg: export: %w", err)
	}
	return d, nil
}

// Import writes d in one transaction with the bbolt store's rules: all or
// nothing (the first invalid record is a *store.ImportError), idempotent
// (a promise matched by team and id, a customer by name key, a touch by
// all its fields), ids kept and the team's sequence moved past them. With
// dryRun the transaction is rolled back and the report says what would
// have happened.
func (s *Store) Import(d store.Dump, dryRun bool) (store.ImportReport, error) {
	var rep store.ImportReport
	now := s.now().UTC()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	errDryRun := errors.New("dry run")
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rep = store.ImportReport{}
		seen := store.ImportSeen{}
		for i, p := range d.Promises {
			if err := importPromise(ctx, tx, p, seen, &rep.Promises, now, s.overdue()); err != nil {
				return &store.ImportError{Kind: "promise", Index: i, Err: err}
			}
		}
		for i, c := range d.Customers {
			if err := importCustomer(ctx, tx, c, seen, &rep.Customers, now); err != nil {
				return &store.ImportError{Kind: "customer", Index: i, Err: err}
			}
		}
		have := store.TouchSet{}
		for i, t := range d.Touches {
			if err := importTouch(ctx, tx, t, have, &rep.Touches); err != nil {
				return &store.ImportError{Kind: "touch", Index: i, Err: err}
			}
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return rep, nil
	}
	var ie *store.ImportError
	if errors.As(err, &ie) {
		return store.ImportReport{}, ie
	}
	if err != nil {
		return store.ImportReport{}, fmt.Errorf("pg: import: %w", err)
	}
	return rep, nil
}

func importPromise(ctx context.Context, tx pgx.Tx, p store.Promise, seen store.ImportSeen, n *store.Counts, now time.Time, overdueAfter time.Duration) error {
	if err := seen.CheckPromise(p); err != nil {
		return err
	}
	var stored *store.Promise
	old, err := loadRecord(ctx, tx, p.Team, p.ID, true)
	switch {
	case err == nil:
		stored = &old.Promise
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	p, write := store.MergePromise(stored, p, now, n)
	if !write {
		return nil
	}
	r := record{Promise: p}
	if err := save(ctx, tx, &r, overdueAfter); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO teams (team, promise_seq) VALUES ($1, $2)
		ON CONFLICT (team) DO UPDATE SET promise_seq = greatest(teams.promise_seq, $2)`, p.Team, p.ID)
	return err
}

func importCustomer(ctx context.Context, tx pgx.Tx, c store.Customer, seen store.ImportSeen, n *store.Counts, now time.Time) error {
	c, key, err := seen.CheckCustomer(c)
	if err != nil {
		return err
	}
	var stored *store.Customer
	old, err := loadCustomer(ctx, tx, c.Team, key, true)
	switch {
	case err == nil:
		stored = &old.Customer
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	c, write := store.MergeCustomer(stored, c, now, n)
	if !write {
		return nil
	}
	return saveCustomer(ctx, tx, &customerRecord{Customer: c})
}

// importTouch adds t unless an equal touch is stored.
func importTouch(ctx context.Context, tx pgx.Tx, t store.Touch, have store.TouchSet, n *store.Counts) error {
	t, err := store.CheckTouch(t)
	if err != nil {
		return err
	}
	key := store.CustomerKey(t.Customer)
	c, err := loadCustomer(ctx, tx, t.Team, key, false)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("customer %q is not in %s; add it first, or in the same file", t.Customer, t.Team)
	}
	if err != nil {
		return err
	}
	t.Customer, t.At = c.Name, t.At.UTC()
	if !have.Loaded(t.Team, key) {
		stored, err := docs[store.Touch](ctx, tx, "touch", `SELECT doc FROM touches WHERE team = $1 AND customer_key = $2`, t.Team, key)
		if err != nil {
			return err
		}
		for _, old := range stored {
			if err := have.Stored(t.Team, key, old); err != nil {
				return err
			}
		}
	}
	if added, err := have.Add(key, t, n); !added || err != nil {
		return err
	}
	return putTouch(ctx, tx, key, t)
}
