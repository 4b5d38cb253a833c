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

	"github.com/keptbot/kept/model"
)

// record is a promise as stored, with what the store needs to keep its
// index straight.
type record struct {
	Promise
	// IndexKey is the promise's current entry in the due bucket. Keeping
	// it, rather than recomputing it, means a changed overdueAfter can
	// never strand an entry.
	IndexKey []byte `json:"index_key,omitempty"`
	// OwnerKey and CustomerIdx are its owner and customer index entries
	// (index.go).
	OwnerKey    []byte `json:"owner_key,omitempty"`
	CustomerIdx []byte `json:"customer_idx,omitempty"`
	// StateIdx is its entry in the state and due time index (index.go).
	StateIdx []byte `json:"state_idx,omitempty"`
}

// next is the promise's next action time, if it has one: the model's
// rule, under the last policy the scheduler used.
func (r *record) next(overdueAfter time.Duration) (time.Time, bool) {
	a, ok := r.NextAction(model.Policy{OverdueAfter: overdueAfter})
	return a.At, ok
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
		return nil, r, fmt.Errorf("%w: promise %s/#%d: %v", ErrUndecodable, team, id, err)
	}
	return b, r, nil
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
	r.Promise.Settle(r.Promise) // times in UTC
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
	if err := reindex(tx, r); err != nil {
		return err
	}
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put(itob(r.ID), v)
}

// AddPromise implements Promises.AddPromise.
func (s *Bolt) AddPromise(op string, p Promise) (Promise, error) {
	var out Promise
	err := s.Update(op, func(tx Tx) (err error) {
		out, err = tx.AddPromise(p)
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		err = s.db.View(func(tx *bolt.Tx) error {
			o, _, err := getOp(tx, op)
			if err != nil {
				return err
			}
			_, r, err := loadRecord(tx, o.Team, o.ID)
			out = r.Promise
			return err
		})
		if err == nil {
			err = ErrDuplicate
		}
	}
	return out, err
}

// addPromise is Tx.AddPromise.
func (t *boltTx) AddPromise(p Promise) (Promise, error) {
	p, err := model.NewPromise(p, t.s.now().UTC())
	if err != nil {
		return Promise{}, err
	}
	b, err := promiseBucket(t.tx, p.Team, true)
	if err != nil {
		return Promise{}, fmt.Errorf("store: add promise: %w", err)
	}
	seq, err := b.NextSequence()
	if err != nil {
		return Promise{}, fmt.Errorf("store: add promise: %w", err)
	}
	r := record{Promise: p}
	r.ID = int64(seq)
	if err := save(t.tx, b, &r, t.s.overdue()); err != nil {
		return Promise{}, fmt.Errorf("store: add promise: %w", err)
	}
	t.ref = opRecord{Team: r.Team, ID: r.ID}
	return r.Promise, nil
}

// UpdatePromise implements Promises.UpdatePromise.
func (s *Bolt) UpdatePromise(op, team string, id int64, fn func(*Promise) error) (Promise, error) {
	var out Promise
	err := s.Update(op, func(tx Tx) (err error) {
		out, err = tx.UpdatePromise(team, id, fn)
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		out, err = s.Promise(team, id)
		if err == nil {
			err = ErrDuplicate
		}
	}
	return out, err
}

// UpdatePromise is Tx.UpdatePromise. A change made without a model
// transition is settled (model.Promise.Settle): a new round has no claims.
func (t *boltTx) UpdatePromise(team string, id int64, fn func(*Promise) error) (Promise, error) {
	b, r, err := loadRecord(t.tx, team, id)
	if err != nil {
		return Promise{}, err
	}
	old := r.Promise
	p := old
	p.History = slices.Clip(p.History)
	if err := fn(&p); err != nil {
		return Promise{}, err
	}
	p.Team, p.ID = team, id
	p.Settle(old)
	r.Promise = p
	if err := save(t.tx, b, &r, t.s.overdue()); err != nil {
		return Promise{}, fmt.Errorf("store: update promise %s/#%d: %w", team, id, err)
	}
	return r.Promise, nil
}

// Promise returns one promise, or an error wrapping ErrNotFound.
func (s *Bolt) Promise(team string, id int64) (Promise, error) {
	var p Promise
	err := s.View(func(tx ReadTx) (err error) {
		p, err = tx.Promise(team, id)
		return err
	})
	return p, err
}

// Promises lists a team's promises, filtered by owner ("" = any) and state
// ("" = any), sorted by Due then ID.
func (s *Bolt) Promises(team, owner string, state State) ([]Promise, error) {
	var out []Promise
	err := s.db.View(func(tx *bolt.Tx) error {
		if owner != "" {
			// One person's promises, from the owner index.
			return s.indexed(tx, team, bucketByOwner, indexPrefix(owner, string(state)), func(p Promise) { out = append(out, p) })
		}
		return eachPromise(tx, team, func(id int64, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return s.skipUndecodable(fmt.Errorf("%w: %v", ErrUndecodable, promiseError(team, id, err)))
			}
			if state == "" || r.State == state {
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

func (s *Bolt) overdue() time.Duration { return time.Duration(s.overdueAfter.Load()) }

// ClaimDue queues the nudges that are due at now, in one transaction. It
// walks the due index only up to now, at most limit entries (limit <= 0
// means no bound). For each open promise found it queues what
// model.Promise.Claim says under pol (a reminder, an overdue follow-up,
// an escalation), records it and re-indexes the promise. The nudge is addressed to the owner, due at
// now. Calling it again with the same now queues nothing.
func (s *Bolt) ClaimDue(now time.Time, pol Policy, limit int) ([]Nudge, error) {
	now, overdueAfter := now.UTC(), pol.OverdueAfter
	s.SetOverdueAfter(overdueAfter)
	var out []Nudge
	probe := func(tx *bolt.Tx) bool { return hasWork(tx, now, overdueAfter) }
	err := s.updateIfWork(probe, func(tx *bolt.Tx) error {
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
			ns, err := claim(tx, k, now, pol)
			if err = s.skipUndecodable(err); err != nil {
				return err
			}
			out = append(out, ns...)
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
func claim(tx *bolt.Tx, k []byte, now time.Time, pol Policy) ([]Nudge, error) {
	_, id, team := parseDueKey(k)
	b, r, err := loadRecord(tx, team, id)
	if errors.Is(err, ErrNotFound) || (err == nil && !bytes.Equal(r.IndexKey, k)) {
		// An entry its promise does not point at is stale: drop it.
		return nil, tx.Bucket(bucketDue).Delete(k)
	}
	if err != nil {
		return nil, err
	}
	// When the promise changed or overdueAfter grew since it was
	// indexed, only its index entry moves.
	ns := r.Claim(now, pol)
	if err := save(tx, b, &r, pol.OverdueAfter); err != nil {
		return nil, err
	}
	for i := range ns {
		if err := putNudge(tx, nil, &ns[i]); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

// PromisesFor implements Promises.PromisesFor, from the customer index.
func (s *Bolt) PromisesFor(team, customer string) ([]Promise, error) {
	key := CustomerKey(customer)
	var out []Promise
	err := s.db.View(func(tx *bolt.Tx) error {
		return s.indexed(tx, team, bucketByCustomer, indexPrefix(key, string(Open)), func(p Promise) { out = append(out, p) })
	})
	if err != nil {
		return nil, fmt.Errorf("store: promises for %q: %w", key, err)
	}
	sortByDue(out)
	return out, nil
}
