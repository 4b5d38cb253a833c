// Package store is Kept's storage: the contract every backend provides
// (contract.go, checked by store/storetest) and its bbolt backend, which
// keeps the promises, their due-time index, the nudge outbox and envelope
// de-duplication in a single file. It knows nothing of Slack: teams, users
// and channels are opaque strings; the rules of a record's life are the
// model package's.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/keptbot/kept/store/groupcommit"
)

var (
	// ErrNotFound is returned for a promise or nudge that does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrLocked is returned by New when another process holds the file.
	ErrLocked = errors.New("store: database is in use by another process")
	// ErrDuplicate is returned when an idempotency key was already applied.
	ErrDuplicate = errors.New("store: operation already applied")
)

const (
	opsTTL      = 7 * 24 * time.Hour
	opsPrunePer = 256 // bound on ops records pruned per ClaimDue
)

var (
	bucketTeams    = []byte("teams")
	bucketPromises = []byte("promises")
	bucketDue      = []byte("due")
	bucketNudges   = []byte("nudges")
	bucketOutbox   = []byte("outbox")
	bucketOps      = []byte("ops")
	bucketOpsAge   = []byte("opsage")
	bucketMeta     = []byte("meta")

	metaVersion      = []byte("version")
	metaOverdueAfter = []byte("overdue_after")
)

// Options tunes New. The zero value is ready to use.
type Options struct {
	// Timeout is how long Open waits for the file lock; 0 means 1s.
	Timeout time.Duration
	// Now is the clock for Created, history stamps and op records; nil means time.Now.
	Now func() time.Time
	// Log is told of damaged records skipped; nil means slog.Default().
	Log *slog.Logger
	// OverdueAfter is the follow-up delay promises are indexed by until
	// the scheduler's first ClaimDue says otherwise; 0 keeps the one the
	// file remembers.
	OverdueAfter time.Duration
}

// Bolt is the bbolt backend of the Store contract. Its methods are safe
// for concurrent use.
type Bolt struct {
	db           *bolt.DB
	now          func() time.Time
	log          *slog.Logger
	overdueAfter atomic.Int64 // time.Duration

	// write commits commands: commit, or db.Update or db.Batch to
	// benchmark the difference.
	write func(func(*bolt.Tx) error) error
	// group is the group commit of commands (commit).
	group groupcommit.Group[*bolt.Tx]

	// dueVisits counts due-index entries ClaimDue has read, so a test can
	// prove an idle tick does not walk future entries.
	dueVisits atomic.Int64

	// The page checks (damage.go): the last one, and the damage found.
	path      string
	checking  sync.Mutex
	lastCheck atomic.Pointer[pageCheck]
	damage    atomic.Pointer[error]
	// undecodable counts the records skipped because they could not be
	// decoded (poison records).
	undecodable atomic.Int64
}

var (
	_ Store    = (*Bolt)(nil)
	_ Admin    = (*Bolt)(nil)
	_ Channels = (*Bolt)(nil)
	_ Pauses   = (*Bolt)(nil)
)

// New opens or creates the database at path. (It is not called Open
// because Open is the State of an unfinished promise.)
func New(path string, opts Options) (*Bolt, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if err := inspect(path); err != nil {
		return nil, err
	}
	db, err := openBolt(path, bolt.Options{Timeout: opts.Timeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s is locked, another kept is running", ErrLocked, path)
	}
	if errors.Is(err, ErrDamaged) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	s := &Bolt{db: db, now: opts.Now, log: opts.Log, path: path}
	s.write = s.commit
	// Pages first when anything is about to be written, so that a damaged
	// file is left as it was found: a migration writes, and opening
	// writes nothing else (init only reads). A file with nothing to
	// migrate is checked page by page only when that is cheap; a larger
	// one's first check is the first Ping's (/healthz), in the background,
	// since walking every page of a million promises takes over a second
	// and maps the whole file (VmHWM 666 MiB at 1M), against a start-up
	// of milliseconds. `kept check` and Verify always walk every page.
	var pending bool
	steps := []func() error{
		func() (err error) {
			pending, err = s.migrationPending()
			return err
		},
		func() error {
			if pending || fileSize(path) <= fullCheckAtOpen {
				return s.checkPages()
			}
			return nil
		},
		func() error { return s.migrate(path) },
		func() error { return db.View(s.init) },
	}
	for _, step := range steps {
		if err := safely(path, step); err != nil {
			db.Close()
			if errors.Is(err, ErrDamaged) {
				return nil, err
			}
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	}
	if opts.OverdueAfter > 0 {
		s.SetOverdueAfter(opts.OverdueAfter)
	}
	return s, nil
}

// updateIfWork runs fn in a write transaction only when probe, in a
// read-only one, finds work to do. Most ticks find nothing due, and a
// write transaction costs an fsync.
func (s *Bolt) updateIfWork(probe func(*bolt.Tx) bool, fn func(*bolt.Tx) error) error {
	var work bool
	if err := s.db.View(func(tx *bolt.Tx) error { work = probe(tx); return nil }); err != nil || !work {
		return err
	}
	return s.db.Update(fn)
}

// commit runs fn in a write transaction, with whatever other commands
// are committing (group): at once when none is, and otherwise in one
// transaction with those that queued during the commit in progress. fn
// may run more than once, so every fn passed to write must be idempotent
// and start from its arguments.
func (s *Bolt) commit(fn func(*bolt.Tx) error) error {
	return s.group.Run(s.db.Update, fn)
}

// fullCheckAtOpen is the largest file New walks page by page when it has
// nothing to migrate: at about 2 ms a MiB (1.4 s for the 650 MiB of a
// million promises on 2 vCPU), 32 MiB costs tens of milliseconds. A var
// so that a test can have a small file take the large file's way.
var fullCheckAtOpen int64 = 32 << 20

// fileSize is the size of the file at path, 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// migrationPending says whether migrate is about to write: the file's
// schema is older than this Kept's (a new file's is 0).
func (s *Bolt) migrationPending() (bool, error) {
	var v int64
	err := s.db.View(func(tx *bolt.Tx) error { v = version(tx); return nil })
	return v < schemaVersion, err
}

// init reads what the file remembers, after migrate.
func (s *Bolt) init(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	// Re-indexing depends on overdueAfter, and commands can arrive before
	// the scheduler's first tick: start from the last value it used.
	if v := meta.Get(metaOverdueAfter); v != nil {
		s.overdueAfter.Store(btoi(v))
	}
	return nil
}

// Close releases the database file, once a page check in flight is done.
func (s *Bolt) Close() error {
	s.checking.Lock()
	defer s.checking.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Check verifies the file's page structure, as after a crash.
func (s *Bolt) Check() error {
	var errs []error
	err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: check: %w", err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("store: check: %w", errors.Join(errs...))
	}
	return nil
}

// Backup writes a consistent copy of the live database to w.
func (s *Bolt) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("store: backup: %w", err)
	}
	return n, nil
}

// SetOverdueAfter sets how long after Due an unkept promise gets its
// overdue follow-up; 0 disables follow-ups. ClaimDue also sets it.
func (s *Bolt) SetOverdueAfter(d time.Duration) { s.overdueAfter.Store(int64(d)) }

// opRecord is what an applied idempotency key remembers.
type opRecord struct {
	Team string    `json:"team,omitempty"`
	ID   int64     `json:"id,omitempty"`
	At   time.Time `json:"at"`
}

// getOp looks op up; the empty op is never applied.
func getOp(tx *bolt.Tx, op string) (opRecord, bool, error) {
	var r opRecord
	if op == "" {
		return r, false, nil
	}
	v := tx.Bucket(bucketOps).Get([]byte(op))
	if v == nil {
		return r, false, nil
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return r, true, fmt.Errorf("store: op %q: %w", op, err)
	}
	return r, true, nil
}

// applied reports whether op was already applied: if so, a command
// returns what it returned the first time, or as near as the store can, and
// ErrDuplicate. A non-nil error fails the transaction.
func applied(tx *bolt.Tx, op string) (bool, error) {
	_, ok, err := getOp(tx, op)
	return ok && err == nil, err
}

// splitNotFound sorts the error of loading a command's record: a missing
// record fails only the command (soft), anything else fails the transaction
// and with it the rest of the group commit (hard).
func splitNotFound(err error) (soft, hard error) {
	if errors.Is(err, ErrNotFound) {
		return err, nil
	}
	return nil, err
}

func putOp(tx *bolt.Tx, op string, r opRecord) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketOps).Put([]byte(op), v); err != nil {
		return err
	}
	return tx.Bucket(bucketOpsAge).Put(opAgeKey(r.At, op), nil)
}

// pruneOps forgets at most opsPrunePer ops older than opsTTL. Slack stops
// retrying an envelope within minutes, so a week is generous.
func pruneOps(tx *bolt.Tx, now time.Time) error {
	limit := nanos(now.Add(-opsTTL))
	age := tx.Bucket(bucketOpsAge)
	var old [][]byte
	c := age.Cursor()
	for k, _ := c.First(); k != nil && upTo(k, limit) && len(old) < opsPrunePer; k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	ops := tx.Bucket(bucketOps)
	for _, k := range old {
		if err := ops.Delete(k[8:]); err != nil {
			return err
		}
		if err := age.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Applied reports whether op (an envelope id) was already applied.
func (s *Bolt) Applied(op string) (bool, error) {
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketOps).Get([]byte(op)) != nil
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: applied: %w", err)
	}
	return ok, nil
}

// MarkApplied records op for callers that mutate nothing but want de-dup.
// It returns ErrDuplicate if op was already recorded.
func (s *Bolt) MarkApplied(op string) error {
	var dup bool
	err := s.db.Update(func(tx *bolt.Tx) error {
		if dup = tx.Bucket(bucketOps).Get([]byte(op)) != nil; dup {
			return nil
		}
		return putOp(tx, op, opRecord{At: s.now().UTC()})
	})
	if err != nil {
		return fmt.Errorf("store: mark applied: %w", err)
	}
	if dup {
		return ErrDuplicate
	}
	return nil
}
