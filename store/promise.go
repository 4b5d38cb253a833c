package store

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// State is where a promise is in its life.
type State string

// Promise states.
const (
	Open      State = "open"
	Kept      State = "kept"
	Cancelled State = "cancelled"
)

// Event is one line of a promise's history.
type Event struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`         // "created", "snoozed", "reassigned", "reminded", "overdue", "kept", "cancelled", "edited"
	By     string    `json:"by,omitempty"` // Slack user id, "" for the system
	Detail string    `json:"detail,omitempty"`
}

// Promise is a commitment made to a customer, owned by one person.
type Promise struct {
	Team      string    `json:"team"`
	ID        int64     `json:"id"` // per-team sequence starting at 1, shown as #ID
	Text      string    `json:"text"`
	Customer  string    `json:"customer,omitempty"`
	Owner     string    `json:"owner"`
	Creator   string    `json:"creator"`
	Channel   string    `json:"channel,omitempty"`
	Permalink string    `json:"permalink,omitempty"`
	Due       time.Time `json:"due"`            // always UTC
	Zone      string    `json:"zone,omitempty"` // owner's IANA zone Due was parsed in, for recurrences
	Repeat    string    `json:"repeat,omitempty"`
	Created   time.Time `json:"created"`
	State     State     `json:"state"`
	KeptAt    time.Time `json:"kept_at,omitzero"`
	OnTime    bool      `json:"on_time,omitempty"`  // kept at or before Due
	Reminded  bool      `json:"reminded,omitempty"` // the reminder for the current Due has been queued
	Overdue   bool      `json:"overdue,omitempty"`  // the overdue follow-up for the current Due has been queued
	History   []Event   `json:"history,omitempty"`
}

// record is a promise as stored, with what the store needs to keep its
// index straight.
type record struct {
	Promise
	// IndexKey is the promise's current entry in the due bucket. Keeping
	// it, rather than recomputing it, means a changed overdueAfter can
	// never strand an entry.
	IndexKey []byte `json:"index_key,omitempty"`
	// RemindedAt is when ClaimDue queued the reminder.
	RemindedAt time.Time `json:"reminded_at,omitzero"`
}

// next is the promise's next action time, if it has one.
func (r *record) next(overdueAfter time.Duration) (time.Time, bool) {
	switch {
	case r.State != Open:
		return time.Time{}, false
	case !r.Reminded:
		return r.Due, true
	case r.Overdue || overdueAfter <= 0:
		return time.Time{}, false
	}
	at := r.Due.Add(overdueAfter)
	// A reminder queued after the follow-up was already due (the bot was
	// down) gets a full overdueAfter before the follow-up rather than both
	// arriving together.
	if !r.RemindedAt.IsZero() && !r.RemindedAt.Before(at) {
		at = r.RemindedAt.Add(overdueAfter)
	}
	return at, true
}

func promiseBucket(tx *bolt.Tx, team string, create bool) (*bolt.Bucket, error) {
	if team == "" {
		return nil, errors.New("store: empty team")
	}
	teams := tx.Bucket(bucketTeams)
	if !create {
		if t := teams.Bucket([]byte(team)); t != nil {
			return filled(t.Bucket(bucketPromises)), nil
		}
		return nil, nil
	}
	t, err := teams.CreateBucketIfNotExists([]byte(team))
	if err != nil {
		return nil, err
	}
	b, err := t.CreateBucketIfNotExists(bucketPromises)
	return filled(b), err
}

// filled sets b to fill its pages to 90 % when they split. Promise ids are
// a sequence, so new promises are appended at the end: at bbolt's default
// of 50 % every page left behind would stay half empty.
func filled(b *bolt.Bucket) *bolt.Bucket {
	if b != nil {
		b.FillPercent = 0.9
	}
	return b
}

func notFound(team string, id int64) error {
	return fmt.Errorf("%w: promise %s/#%d", ErrNotFound, team, id)
}

func loadRecord(tx *bolt.Tx, team string, id int64) (*bolt.Bucket, record, error) {
	var r record
	b, err := promiseBucket(tx, team, false)
	if err != nil {
		return nil, r, err
	}
	if b == nil {
		return nil, r, notFound(team, id)
	}
	v := b.Get(itob(id))
	if v == nil {
		return nil, r, notFound(team, id)
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, r, fmt.Errorf("store: promise %s/#%d: %w", team, id, err)
	}
	return b, r, nil
}

// currentPromise is what a command on promise team/id returns when its op
// was already applied: the promise as it is now and ErrDuplicate, or the
// error loading it, which fails only the command.
func currentPromise(tx *bolt.Tx, team string, id int64) (Promise, error) {
	_, r, err := loadRecord(tx, team, id)
	if err != nil {
		return r.Promise, err
	}
	return r.Promise, ErrDuplicate
}

// eachPromise calls fn with every stored promise of the team, in id order.
func eachPromise(tx *bolt.Tx, team string, fn func(id int64, v []byte) error) error {
	b, err := promiseBucket(tx, team, false)
	if b == nil || err != nil {
		return err
	}
	return b.ForEach(func(k, v []byte) error { return fn(btoi(k), v) })
}

// promiseError says which promise could not be decoded.
func promiseError(team string, id int64, err error) error {
	return fmt.Errorf("promise %s/#%d: %w", team, id, err)
}

// sortByDue sorts promises by Due, then ID.
func sortByDue(ps []Promise) {
	slices.SortFunc(ps, func(a, b Promise) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID))
	})
}

// save writes r and moves its due-index entry to match it.
// minDue and maxDue bound a due time to what the due index can hold.
var (
	minDue = time.Unix(0, 0).UTC()
	maxDue = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

func save(tx *bolt.Tx, b *bolt.Bucket, r *record, overdueAfter time.Duration) error {
	// The due index counts nanoseconds since 1970 in 64 bits: a time
	// outside it would be indexed at 1970 and rewritten by every tick.
	// Every path refuses such a date before it gets here (duetime's and
	// transfer's 100-year limit); this is the store's own guard.
	if r.Due.Before(minDue) || r.Due.After(maxDue) {
		return fmt.Errorf("store: due %s is outside what Kept can schedule (%d to %d)", r.Due.UTC().Format(time.RFC3339), minDue.Year(), maxDue.Year())
	}
	r.Due, r.Created = r.Due.UTC(), r.Created.UTC()
	if !r.KeptAt.IsZero() {
		r.KeptAt = r.KeptAt.UTC()
	}
	var key []byte
	if at, ok := r.next(overdueAfter); ok {
		key = dueKey(at, r.ID, r.Team)
	}
	due := tx.Bucket(bucketDue)
	if r.IndexKey != nil && !bytes.Equal(r.IndexKey, key) {
		if err := due.Delete(r.IndexKey); err != nil {
			return err
		}
	}
	if key != nil {
		if err := due.Put(key, nil); err != nil {
			return err
		}
	}
	r.IndexKey = key
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put(itob(r.ID), v)
}

// AddPromise stores a new promise: it assigns ID, Created (if zero) and
// State Open, clears Reminded and Overdue, appends a "created" event and
// indexes it by Due. op is an idempotency key (a Socket Mode envelope id,
// may be ""); if op was already applied, AddPromise returns the promise op
// created and ErrDuplicate, so the caller can repeat its reply.
func (s *Store) AddPromise(op string, p Promise) (Promise, error) {
	var out Promise
	var soft error
	// Batch may run this twice: everything is recomputed from the tx.
	err := s.write(func(tx *bolt.Tx) error {
		soft = nil
		if o, ok, err := getOp(tx, op); err != nil {
			return err
		} else if ok {
			_, r, err := loadRecord(tx, o.Team, o.ID)
			out, soft = r.Promise, ErrDuplicate
			return err
		}
		b, err := promiseBucket(tx, p.Team, true)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		now := s.now().UTC()
		r := record{Promise: p}
		r.ID, r.State, r.Reminded, r.Overdue = int64(seq), Open, false, false
		if r.Created.IsZero() {
			r.Created = now
		}
		r.History = append(slices.Clip(p.History), Event{At: now, Kind: "created", By: p.Creator})
		if err := save(tx, b, &r, s.overdue()); err != nil {
			return err
		}
		if op != "" {
			if err := putOp(tx, op, opRecord{Team: r.Team, ID: r.ID, At: now}); err != nil {
				return err
			}
		}
		out = r.Promise
		return nil
	})
	if err != nil {
		return Promise{}, fmt.Errorf("store: add promise: %w", err)
	}
	return out, soft
}

// UpdatePromise loads team/id, calls fn on a copy and saves the result
// atomically, re-indexing it. If fn returns an error nothing is saved and
// that error is returned. fn may run more than once (group commit), so it
// must only modify the *Promise it is given.
//
// A changed Due resets Reminded and Overdue. The index key of an open
// promise is its next action time: Due until the reminder is queued, then
// Due+overdueAfter until the follow-up is queued, then none. Team and ID
// cannot be changed.
//
// An op already applied returns the current promise and ErrDuplicate
// without calling fn.
func (s *Store) UpdatePromise(op, team string, id int64, fn func(*Promise) error) (Promise, error) {
	var out Promise
	var soft error
	err := s.write(func(tx *bolt.Tx) error {
		out, soft = Promise{}, nil
		if dup, err := applied(tx, op); dup || err != nil {
			if dup {
				out, soft = currentPromise(tx, team, id)
			}
			return err
		}
		b, r, err := loadRecord(tx, team, id)
		if err != nil {
			soft, err = splitNotFound(err)
			return err
		}
		p := r.Promise
		if err := fn(&p); err != nil {
			soft = err
			return nil
		}
		p.Team, p.ID = team, id
		if !p.Due.Equal(r.Due) {
			p.Reminded, p.Overdue = false, false
			r.RemindedAt = time.Time{}
		}
		r.Promise = p
		if err := save(tx, b, &r, s.overdue()); err != nil {
			return err
		}
		if op != "" {
			if err := putOp(tx, op, opRecord{Team: team, ID: id, At: s.now().UTC()}); err != nil {
				return err
			}
		}
		out = r.Promise
		return nil
	})
	if err != nil {
		return Promise{}, fmt.Errorf("store: update promise %s/#%d: %w", team, id, err)
	}
	return out, soft
}

// Promise returns one promise, or an error wrapping ErrNotFound.
func (s *Store) Promise(team string, id int64) (Promise, error) {
	var r record
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		_, r, err = loadRecord(tx, team, id)
		return err
	})
	return r.Promise, err
}

// Promises lists a team's promises, filtered by owner ("" = any) and state
// ("" = any), sorted by Due then ID.
func (s *Store) Promises(team, owner string, state State) ([]Promise, error) {
	var out []Promise
	err := s.db.View(func(tx *bolt.Tx) error {
		return eachPromise(tx, team, func(id int64, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return promiseError(team, id, err)
			}
			if (owner == "" || r.Owner == owner) && (state == "" || r.State == state) {
				out = append(out, r.Promise)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: promises: %w", err)
	}
	sortByDue(out)
	return out, nil
}

func (s *Store) overdue() time.Duration { return time.Duration(s.overdueAfter.Load()) }

// ClaimDue queues the nudges that are due at now, in one transaction. It
// walks the due index only up to now, at most limit entries (limit <= 0
// means no bound). For each open promise found it queues a Reminder if
// none was queued for the current Due, or else an OverdueNudge once
// overdueAfter has passed; it flips Reminded or Overdue, records the event
// and re-indexes the promise. The nudge is addressed to the owner, due at
// now. Calling it again with the same now queues nothing.
func (s *Store) ClaimDue(now time.Time, overdueAfter time.Duration, limit int) ([]Nudge, error) {
	now = now.UTC()
	s.SetOverdueAfter(overdueAfter)
	// Most ticks find nothing due. A write transaction costs an fsync, so
	// look first in a read-only one.
	var work bool
	err := s.db.View(func(tx *bolt.Tx) error {
		work = hasWork(tx, now, overdueAfter)
		return nil
	})
	if err != nil || !work {
		return nil, err
	}
	var out []Nudge
	err = s.db.Update(func(tx *bolt.Tx) error {
		out = nil
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(metaOverdueAfter); v == nil || btoi(v) != int64(overdueAfter) {
			if err := meta.Put(metaOverdueAfter, itob(int64(overdueAfter))); err != nil {
				return err
			}
		}
		due := tx.Bucket(bucketDue)
		var keys [][]byte
		end := nanos(now)
		c := due.Cursor()
		for k, _ := c.First(); k != nil && upTo(k, end); k, _ = c.Next() {
			s.dueVisits.Add(1)
			keys = append(keys, append([]byte(nil), k...))
			if len(keys) == limit {
				break
			}
		}
		for _, k := range keys {
			n, ok, err := claim(tx, k, now, overdueAfter)
			if err != nil {
				return err
			}
			if ok {
				out = append(out, n)
			}
		}
		return pruneOps(tx, now)
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim due: %w", err)
	}
	return out, nil
}

// hasWork reports whether ClaimDue has anything to write: a due entry, an
// expired op, or a new overdueAfter to remember.
func hasWork(tx *bolt.Tx, now time.Time, overdueAfter time.Duration) bool {
	if k, _ := tx.Bucket(bucketDue).Cursor().First(); k != nil && upTo(k, nanos(now)) {
		return true
	}
	if k, _ := tx.Bucket(bucketOpsAge).Cursor().First(); k != nil && upTo(k, nanos(now.Add(-opsTTL))) {
		return true
	}
	v := tx.Bucket(bucketMeta).Get(metaOverdueAfter)
	return v == nil || btoi(v) != int64(overdueAfter)
}

// claim handles one due-index entry.
func claim(tx *bolt.Tx, k []byte, now time.Time, overdueAfter time.Duration) (Nudge, bool, error) {
	_, id, team := parseDueKey(k)
	b, r, err := loadRecord(tx, team, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !bytes.Equal(r.IndexKey, k)) {
		// An entry its promise does not point at is stale: drop it.
		return Nudge{}, false, tx.Bucket(bucketDue).Delete(k)
	}
	if err != nil {
		return Nudge{}, false, err
	}
	var kind NudgeKind
	// When the promise changed or overdueAfter grew since it was
	// indexed, only its index entry moves.
	if at, ok := r.next(overdueAfter); ok && !at.After(now) {
		if !r.Reminded {
			kind, r.Reminded, r.RemindedAt = Reminder, true, now
			r.History = append(r.History, Event{At: now, Kind: "reminded"})
		} else {
			kind, r.Overdue = OverdueNudge, true
			r.History = append(r.History, Event{At: now, Kind: "overdue"})
		}
	}
	if err := save(tx, b, &r, overdueAfter); err != nil {
		return Nudge{}, false, err
	}
	if kind == "" {
		return Nudge{}, false, nil
	}
	n := Nudge{Kind: kind, Team: team, PromiseID: id, To: r.Owner, State: NudgeDue, NotBefore: now, Created: now}
	err = putNudge(tx, nil, &n)
	return n, err == nil, err
}
