package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ErrUndecodable marks a stored record that cannot be decoded (a poison
// record). Work over many records skips such a record and counts it
// (Undecodable) rather than fail.
var ErrUndecodable = errors.New("store: record cannot be decoded")

// boltTx is a Tx over one bbolt transaction.
type boltTx struct {
	s   *Bolt
	tx  *bolt.Tx
	ref opRecord // what the op of the unit of work remembers
}

var _ Tx = (*boltTx)(nil)

// View implements Store.View.
func (s *Bolt) View(fn func(ReadTx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&boltTx{s: s, tx: tx}) })
}

// Update implements Store.Update. It commits in a group (commit): a failing
// fn is taken out of the group and run alone, so its error rolls back only
// its own writes.
func (s *Bolt) Update(op string, fn func(Tx) error) error {
	return s.write(func(tx *bolt.Tx) error {
		if dup, err := applied(tx, op); err != nil {
			return err
		} else if dup {
			return ErrDuplicate
		}
		t := &boltTx{s: s, tx: tx}
		if err := fn(t); err != nil {
			return err
		}
		if op == "" {
			return nil
		}
		t.ref.At = s.now().UTC()
		if err := putOp(tx, op, t.ref); err != nil {
			return fmt.Errorf("store: record op: %w", err)
		}
		return nil
	})
}

// skipUndecodable counts and logs a record skipped because err says it
// could not be decoded; any other error is returned as it is.
func (s *Bolt) skipUndecodable(err error) error {
	if !errors.Is(err, ErrUndecodable) {
		return err
	}
	s.undecodable.Add(1)
	s.log.Error("skipping a record that cannot be decoded; the rest goes on", "err", err)
	return nil
}

// Undecodable implements Admin.Undecodable.
func (s *Bolt) Undecodable() int64 { return s.undecodable.Load() }

func (t *boltTx) Promise(team string, id int64) (Promise, error) {
	_, r, err := loadRecord(t.tx, team, id)
	return r.Promise, err
}

func (t *boltTx) Nudge(id int64) (Nudge, error) { return loadNudge(t.tx, id) }

// CorruptPromise overwrites the stored promise team/id with bytes that do
// not decode, as a damaged or hand-edited file would hold: for tests of
// what survives a poison record.
func (s *Bolt) CorruptPromise(team string, id int64) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		b, err := promiseBucket(tx, team, false)
		if err != nil || b == nil {
			return fmt.Errorf("store: corrupt %s/#%d: %w", team, id, ErrNotFound)
		}
		return b.Put(itob(id), []byte(`{"team":`))
	})
}
