package store

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Ping reports whether the database is open and readable, for /healthz.
// It reads one key, so it is cheap enough to call on every probe.
// Now and then it checks every page (checkPages); once a check has found
// damage, it reports that: the database is unusable, whatever one key says.
func (s *Bolt) Ping() error {
	if err := s.Damaged(); err != nil {
		return err
	}
	if s.pageCheckDue() && s.checking.TryLock() {
		// In the background: on a large database it takes longer than a
		// probe waits. The next probe reports what it found.
		go func() {
			defer s.checking.Unlock()
			_ = s.checkPages()
		}()
	}
	err := safely(s.path, func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketMeta).Get(metaVersion) == nil {
				return errors.New("no schema version")
			}
			return nil
		})
	})
	if errors.Is(err, ErrDamaged) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Backlog counts the work due at now and not yet done: promises whose
// reminder or follow-up has not been claimed, check-ins not yet queued and
// nudges waiting in the outbox. Each index is read only up to now and only
// its keys, so a scrape costs as much as the backlog, not the database.
func (s *Bolt) Backlog(now time.Time) (int, error) {
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
// over, and checks that it is a Kept database this version reads, that its
// pages are sound and that every record decodes: what a backup must pass
// before it replaces anything, and what `kept check` reports. It fails
// with ErrLocked if a kept holds the file, and with an error wrapping
// ErrDamaged, one line, for a file that is not whole.
func Verify(path string) error {
	if err := inspect(path); err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("store: verify %s: %w", path, err)
	}
	db, err := openBolt(path, bolt.Options{ReadOnly: true, Timeout: time.Second})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return fmt.Errorf("%w: %s", ErrLocked, path)
	}
	if errors.Is(err, ErrDamaged) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store: verify %s: %w", path, err)
	}
	defer db.Close()
	err = safely(path, func() error {
		return db.View(func(tx *bolt.Tx) error {
			meta := tx.Bucket(bucketMeta)
			if meta == nil || meta.Get(metaVersion) == nil {
				return errors.New("not a Kept database")
			}
			// An older file is fine: opening it migrates it (after a backup).
			if v := btoi(meta.Get(metaVersion)); v > schemaVersion || v < 1 {
				return fmt.Errorf("schema version %d, this kept understands 1 to %d", v, schemaVersion)
			}
			for err := range tx.Check() {
				return fmt.Errorf("%w: %v; %s", ErrDamaged, err, restoreHint)
			}
			bad, total, err := undecodable(tx, 5)
			if err != nil {
				return err
			}
			if total > 0 {
				return &UndecodableError{Total: total, First: bad}
			}
			return nil
		})
	})
	if errors.Is(err, ErrDamaged) && !strings.HasPrefix(err.Error(), "store:") {
		return fmt.Errorf("store: %s: %w", path, err)
	}
	if err != nil && !errors.Is(err, ErrDamaged) {
		return fmt.Errorf("store: verify %s: %w", path, err)
	}
	return err
}

// UndecodableError says that records in a database do not decode: how
// many, and the first few.
type UndecodableError struct {
	Total int
	First []Undecodable
}

func (e *UndecodableError) Error() string {
	parts := make([]string, len(e.First))
	for i, u := range e.First {
		parts[i] = u.Error()
	}
	more := ""
	if e.Total > len(e.First) {
		more = fmt.Sprintf(" and %d more", e.Total-len(e.First))
	}
	return fmt.Sprintf("%d record(s) do not decode: %s%s", e.Total, strings.Join(parts, "; "), more)
}
