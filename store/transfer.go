package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Dump is what `kept export` moves between databases: the records people
// made. The outbox, de-duplication records and schedules are the running
// bot's own state and are left out: an imported promise that is due is
// simply claimed again by the next tick.
type Dump struct {
	Promises  []Promise  `json:"promises"`
	Customers []Customer `json:"customers"`
	Touches   []Touch    `json:"touches"`
}

// Export reads every team's promises (by team, then id), customers (by
// name key) and touches (oldest first) in one read transaction, so the
// dump is consistent while the bot keeps writing.
func (s *Bolt) Export() (Dump, error) {
	var d Dump
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTeams).ForEachBucket(func(team []byte) error {
			t := tx.Bucket(bucketTeams).Bucket(team)
			if err := each(t.Bucket(bucketPromises), func(v []byte) error {
				var r record
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("promise in %s: %w", team, err)
				}
				d.Promises = append(d.Promises, r.Promise)
				return nil
			}); err != nil {
				return err
			}
			if err := each(t.Bucket(bucketCustomers), func(v []byte) error {
				var r customerRecord
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("customer in %s: %w", team, err)
				}
				d.Customers = append(d.Customers, r.Customer)
				return nil
			}); err != nil {
				return err
			}
			return each(t.Bucket(bucketTouches), func(v []byte) error {
				tc, err := decodeTouch(v)
				if err != nil {
					return fmt.Errorf("touch in %s: %w", team, err)
				}
				d.Touches = append(d.Touches, tc)
				return nil
			})
		})
	})
	if err != nil {
		return Dump{}, fmt.Errorf("store: export: %w", err)
	}
	return d, nil
}

func each(b *bolt.Bucket, fn func(v []byte) error) error {
	if b == nil {
		return nil
	}
	return b.ForEach(func(_, v []byte) error { return fn(v) })
}

// Counts says what Import did with one kind of record.
type Counts struct {
	Added, Updated, Unchanged int
}

// ImportReport says what Import did, per kind.
type ImportReport struct {
	Promises, Customers, Touches Counts
}

// ImportError names the record Import refused: its kind ("promise",
// "customer" or "touch") and its index in the Dump's slice of that kind.
type ImportError struct {
	Kind  string
	Index int
	Err   error
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("store: import: %s %d: %v", e.Kind, e.Index+1, e.Err)
}

func (e *ImportError) Unwrap() error { return e.Err }

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import writes d in one transaction: either every record is applied or,
// on the first invalid one, nothing is, and the error is an *ImportError.
// It is idempotent: a promise is matched by team and id, a customer by team
// and name (CustomerKey), a touch by all its fields; a match that is equal
// is left alone, one that differs is replaced. Imported promises keep their
// ids, and the team's sequence moves past them so that new promises do not
// collide. Customers are applied before touches, so a file may bring a
// customer and its touches together. With dryRun, the transaction is rolled
// back and the report says what would have happened.
func (s *Bolt) Import(d Dump, dryRun bool) (ImportReport, error) {
	var rep ImportReport
	now := s.now().UTC()
	err := s.db.Update(func(tx *bolt.Tx) error {
		rep = ImportReport{}
		seen := ImportSeen{}
		for i, p := range d.Promises {
			if err := importPromise(tx, p, seen, &rep.Promises, now, s.overdue()); err != nil {
				return &ImportError{"promise", i, err}
			}
		}
		for i, c := range d.Customers {
			if err := importCustomer(tx, c, seen, &rep.Customers, now); err != nil {
				return &ImportError{"customer", i, err}
			}
		}
		have := TouchSet{}
		for i, t := range d.Touches {
			if err := importTouch(tx, t, have, &rep.Touches); err != nil {
				return &ImportError{"touch", i, err}
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
	var ie *ImportError
	if errors.As(err, &ie) {
		return ImportReport{}, ie
	}
	if err != nil {
		return ImportReport{}, fmt.Errorf("store: import: %w", err)
	}
	return rep, nil
}

// same compares two records by their JSON encoding, which is what is
// stored: time.Time values equal to the instant compare equal whatever
// their location.
func same(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func importPromise(tx *bolt.Tx, p Promise, seen ImportSeen, n *Counts, now time.Time, overdueAfter time.Duration) error {
	if err := seen.CheckPromise(p); err != nil {
		return err
	}
	b, err := promiseBucket(tx, p.Team, true)
	if err != nil {
		return err
	}
	var r, old record
	var stored *Promise
	if v := b.Get(itob(p.ID)); v != nil {
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("stored promise %s #%d: %w", p.Team, p.ID, err)
		}
		stored = &old.Promise
		// Keep the old entry's keys so save can move them.
		r.IndexKey, r.OwnerKey, r.CustomerIdx, r.StateIdx = old.IndexKey, old.OwnerKey, old.CustomerIdx, old.StateIdx
	}
	p, write := MergePromise(stored, p, now, n)
	if !write {
		return nil
	}
	r.Promise = p
	if err := save(tx, b, &r, overdueAfter); err != nil {
		return err
	}
	if uint64(p.ID) > b.Sequence() {
		return b.SetSequence(uint64(p.ID))
	}
	return nil
}

func importCustomer(tx *bolt.Tx, c Customer, seen ImportSeen, n *Counts, now time.Time) error {
	c, key, err := seen.CheckCustomer(c)
	if err != nil {
		return err
	}
	b, err := teamBucket(tx, c.Team, bucketCustomers, true)
	if err != nil {
		return err
	}
	var r, old customerRecord
	var stored *Customer
	if v := b.Get([]byte(key)); v != nil {
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("stored customer %q: %w", key, err)
		}
		stored = &old.Customer
		r.IndexKey, r.DateKeys = old.IndexKey, old.DateKeys
	}
	c, write := MergeCustomer(stored, c, now, n)
	if !write {
		return nil
	}
	r.Customer = c
	return saveCustomer(tx, b, &r)
}

// importTouch adds t unless an equal touch is stored.
func importTouch(tx *bolt.Tx, t Touch, have TouchSet, n *Counts) error {
	t, err := CheckTouch(t)
	if err != nil {
		return err
	}
	key := CustomerKey(t.Customer)
	_, c, err := loadCustomer(tx, t.Team, key)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("customer %q is not in %s; add it first, or in the same file", t.Customer, t.Team)
	}
	if err != nil {
		return err
	}
	t.Customer, t.At = c.Name, t.At.UTC()
	if !have.Loaded(t.Team, key) {
		if err := loadTouchSet(tx, t.Team, key, have); err != nil {
			return err
		}
	}
	if added, err := have.Add(key, t, n); !added || err != nil {
		return err
	}
	return putTouch(tx, key, t)
}

func loadTouchSet(tx *bolt.Tx, team, key string, have TouchSet) error {
	idx, touches, err := touchBuckets(tx, team)
	if idx == nil || touches == nil || err != nil {
		return err
	}
	p := append([]byte(key), 0)
	c := idx.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		v := touches.Get(k[len(p):])
		if v == nil {
			continue
		}
		old, err := decodeTouch(v)
		if err != nil {
			return err
		}
		if err := have.Stored(team, key, old); err != nil {
			return err
		}
	}
	return nil
}
