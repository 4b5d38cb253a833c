package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Ping reports whether the database is open and readable, for /healthz.
// It reads one key, so it is cheap enough to call on every probe.
func (s *Store) Ping() error {
	err := s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta).Get(metaVersion) == nil {
			return errors.New("no schema version")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Backlog counts the work due at now and not yet done: promises whose
// reminder or follow-up has not been claimed, check-ins not yet queued and
// nudges waiting in the outbox. Each index is read only up to now and only
// its keys, so a scrape costs as much as the backlog, not the database.
func (s *Store) Backlog(now time.Time) (int, error) {
	end := nanos(now)
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketDue, bucketPrompts, bucketOutbox} {
			b := tx.Bucket(name)
			if b == nil {
				continue // prompts appears with the first customer
			}
			c := b.Cursor()
			for k, _ := c.First(); k != nil && upTo(k, end); k, _ = c.Next() {
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: backlog: %w", err)
	}
	return n, nil
}

// Verify opens the database file at path read-only, without taking it
// over, and checks that it is a Kept database this version reads and that
// its pages are sound: what a backup must pass before it replaces
// anything. It fails with ErrLocked if a kept holds the file.
func Verify(path string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if err != nil {
		return fmt.Errorf("store: verify %s: %w", path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || meta.Get(metaVersion) == nil {
			return errors.New("not a Kept database")
		}
		if v := btoi(meta.Get(metaVersion)); v != schemaVersion {
			return fmt.Errorf("schema version %d, this kept understands %d", v, schemaVersion)
		}
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
	if err != nil {
		return fmt.Errorf("store: verify %s: %w", path, err)
	}
	return nil
}
