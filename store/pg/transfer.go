package pg

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/model"
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
		d = store.Dump{}
		if err := eachDoc(ctx, tx, `SELECT doc FROM promises ORDER BY team, id`, func(doc []byte) error {
			var r record
			if err := json.Unmarshal(doc, &r); err != nil {
				return fmt.Errorf("promise: %w", err)
			}
			d.Promises = append(d.Promises, r.Promise)
			return nil
		}); err != nil {
			return err
		}
		if err := eachDoc(ctx, tx, `SELECT doc FROM customers ORDER BY team, key`, func(doc []byte) error {
			var r customerRecord
			if err := json.Unmarshal(doc, &r); err != nil {
				return fmt.Errorf("customer: %w", err)
			}
			d.Customers = append(d.Customers, r.Customer)
			return nil
		}); err != nil {
			return err
		}
		return eachDoc(ctx, tx, `SELECT doc FROM touches ORDER BY team, at_ns, seq`, func(doc []byte) error {
			var t store.Touch
			if err := json.Unmarshal(doc, &t); err != nil {
				return fmt.Errorf("touch: %w", err)
			}
			d.Touches = append(d.Touches, t)
			return nil
		})
	})
	if err != nil {
		return store.Dump{}, fmt.Errorf("pg: export: %w", err)
	}
	return d, nil
}

func eachDoc(ctx context.Context, tx pgx.Tx, sql string, fn func([]byte) error, args ...any) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
	return rows.Err()
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
		seen := map[string]bool{}
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
		have := map[string]bool{}
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

// same compares two records by their JSON encoding, as the bbolt store.
func same(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func importPromise(ctx context.Context, tx pgx.Tx, p store.Promise, seen map[string]bool, n *store.Counts, now time.Time, overdueAfter time.Duration) error {
	switch {
	case p.Team == "":
		return errors.New("team is empty")
	case p.ID <= 0:
		return fmt.Errorf("id is %d; ids start at 1", p.ID)
	case p.Text == "":
		return errors.New("text is empty")
	case p.Owner == "":
		return errors.New("owner is empty")
	case p.Due.IsZero():
		return errors.New("due is empty")
	case p.State != store.Open && p.State != store.Kept && p.State != store.Cancelled:
		return fmt.Errorf("state is %q; use open, kept or cancelled", p.State)
	}
	// The same limits as the slash command and the form (model.Validate).
	if err := p.Validate(); err != nil {
		return err
	}
	id := fmt.Sprintf("p\x00%s\x00%d", p.Team, p.ID)
	if seen[id] {
		return fmt.Errorf("promise %s #%d appears twice", p.Team, p.ID)
	}
	seen[id] = true
	var r record
	old, err := loadRecord(ctx, tx, p.Team, p.ID, true)
	switch {
	case err == nil:
		if p.Created.IsZero() {
			p.Created = old.Created
		}
		if same(old.Promise, p) {
			n.Unchanged++
			return nil
		}
		n.Updated++
	case errors.Is(err, store.ErrNotFound):
		if p.Created.IsZero() {
			p.Created = now
		}
		n.Added++
	default:
		return err
	}
	r.Promise = p
	if err := save(ctx, tx, &r, overdueAfter); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO teams (team, promise_seq) VALUES ($1, $2)
		ON CONFLICT (team) DO UPDATE SET promise_seq = greatest(teams.promise_seq, $2)`, p.Team, p.ID)
	return err
}

func importCustomer(ctx context.Context, tx pgx.Tx, c store.Customer, seen map[string]bool, n *store.Counts, now time.Time) error {
	c.Name = displayName(c.Name)
	key := store.CustomerKey(c.Name)
	switch {
	case c.Team == "":
		return errors.New("team is empty")
	case key == "":
		return errors.New("name is empty")
	case c.Tier != store.KeyTier && c.Tier != store.StandardTier && c.Tier != "":
		return fmt.Errorf("tier is %q; use key or standard", c.Tier)
	case c.Cadence < 0:
		return fmt.Errorf("cadence is %s; use 0 for never, or a positive duration", c.Cadence)
	}
	if err := c.Validate(); err != nil {
		return err
	}
	id := "c\x00" + c.Team + "\x00" + key
	if seen[id] {
		return fmt.Errorf("customer %q appears twice in %s", c.Name, c.Team)
	}
	seen[id] = true
	var r customerRecord
	old, err := loadCustomer(ctx, tx, c.Team, key, true)
	switch {
	case err == nil:
		if c.Created.IsZero() {
			c.Created = old.Created
		}
		if c.NextPrompt.IsZero() && c.Cadence == old.Cadence {
			c.NextPrompt = old.NextPrompt
		}
		if same(old.Customer, c) {
			n.Unchanged++
			return nil
		}
		r.LastPrompt = old.LastPrompt
		n.Updated++
	case errors.Is(err, store.ErrNotFound):
		n.Added++
	default:
		return err
	}
	if c.Created.IsZero() {
		c.Created = now
	}
	if c.Cadence > 0 && c.NextPrompt.IsZero() {
		c.NextPrompt = later(c.Created, c.LastTouch).Add(c.Cadence)
	}
	r.Customer = c
	return saveCustomer(ctx, tx, &r)
}

// importTouch adds t unless an equal touch is stored. have caches, per
// customer, the encodings of the touches already there.
func importTouch(ctx context.Context, tx pgx.Tx, t store.Touch, have map[string]bool, n *store.Counts) error {
	key := store.CustomerKey(t.Customer)
	switch {
	case t.Team == "":
		return errors.New("team is empty")
	case key == "":
		return errors.New("customer is empty")
	case t.Kind == "":
		return errors.New("kind is empty")
	case t.At.IsZero():
		return errors.New("at is empty")
	}
	t, err := model.NewTouch(t, t.At)
	if err != nil {
		return err
	}
	c, err := loadCustomer(ctx, tx, t.Team, key, false)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("customer %q is not in %s; add it first, or in the same file", t.Customer, t.Team)
	}
	if err != nil {
		return err
	}
	t.Customer, t.At = c.Name, t.At.UTC()
	prefix := t.Team + "\x00" + key + "\x00"
	if !have[prefix] {
		have[prefix] = true
		err := eachDoc(ctx, tx, `SELECT doc FROM touches WHERE team = $1 AND customer_key = $2`, func(doc []byte) error {
			var old store.Touch
			if err := json.Unmarshal(doc, &old); err != nil {
				return err
			}
			// Re-encode, so that what is compared is what Marshal makes
			// of an imported touch.
			enc, err := json.Marshal(old)
			have[prefix+string(enc)] = err == nil
			return err
		}, t.Team, key)
		if err != nil {
			return err
		}
	}
	enc, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if have[prefix+string(enc)] {
		n.Unchanged++
		return nil
	}
	have[prefix+string(enc)] = true
	n.Added++
	return putTouch(ctx, tx, key, t)
}
