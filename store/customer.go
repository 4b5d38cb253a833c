package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/model"
)

// Customers live per team, next to its promises:
//
//	teams/<team>/customers  CustomerKey(name) -> customerRecord JSON
//	teams/<team>/touches    at (8, big-endian) + seq (8) -> Touch JSON
//	teams/<team>/touchidx   CustomerKey + 0x00 + at + seq -> nil
//	prompts (global)        NextPrompt (8) + team + 0x00 + CustomerKey -> nil
//
// touches is in time order for the digest's week; touchidx gives one
// customer's touches newest first without reading the others'; prompts is
// to check-ins what the due bucket is to reminders. All are created on
// first write, so a database from before customers existed opens as is.
var (
	bucketCustomers = []byte("customers")
	bucketTouches   = []byte("touches")
	bucketTouchIdx  = []byte("touchidx")
	bucketPrompts   = []byte("prompts")
)

// ErrExists is returned when a customer name is already taken in the team
// (names match case-insensitively).
var ErrExists = errors.New("store: already exists")

// customerRecord is a customer as stored.
type customerRecord struct {
	Customer
	// IndexKey is the customer's entry in the prompts bucket, kept so that
	// a change can always find and remove the old one.
	IndexKey []byte `json:"index_key,omitempty"`
	// DateKeys are its entries in the dateprompts bucket (dates.go).
	DateKeys [][]byte `json:"date_keys,omitempty"`
}

func displayName(name string) string { return model.DisplayName(name) }

func teamBucket(tx *bolt.Tx, team string, name []byte, create bool) (*bolt.Bucket, error) {
	if team == "" {
		return nil, errors.New("store: empty team")
	}
	teams := tx.Bucket(bucketTeams)
	if !create {
		if t := teams.Bucket([]byte(team)); t != nil {
			return t.Bucket(name), nil
		}
		return nil, nil
	}
	t, err := teams.CreateBucketIfNotExists([]byte(team))
	if err != nil {
		return nil, err
	}
	return t.CreateBucketIfNotExists(name)
}

func promptKey(at time.Time, team, key string) []byte {
	k := make([]byte, 8, 8+len(team)+1+len(key))
	binary.BigEndian.PutUint64(k, nanos(at))
	k = append(k, team...)
	k = append(k, 0)
	return append(k, key...)
}

func parsePromptKey(k []byte) (team, key string, ok bool) {
	if len(k) < 9 {
		return "", "", false
	}
	t, c, ok := bytes.Cut(k[8:], []byte{0})
	return string(t), string(c), ok
}

func customerNotFound(team, name string) error { return missingCustomer{team, name} }

// missingCustomer is ErrNotFound for one customer, worded only if read: a
// /promise naming a customer not yet recorded looks it up and misses, and
// formatting the error up front was 8 % of the command's CPU in Kept
// (issue 18's profile), for a message almost never shown.
type missingCustomer struct{ team, name string }

func (e missingCustomer) Error() string {
	return fmt.Sprintf("%v: customer %s/%q", ErrNotFound, e.team, e.name)
}

func (e missingCustomer) Unwrap() error { return ErrNotFound }

func loadCustomer(tx *bolt.Tx, team, key string) (*bolt.Bucket, customerRecord, error) {
	var r customerRecord
	b, err := teamBucket(tx, team, bucketCustomers, false)
	if err != nil {
		return nil, r, err
	}
	var v []byte
	if b != nil && key != "" {
		v = b.Get([]byte(key))
	}
	if v == nil {
		return nil, r, customerNotFound(team, key)
	}
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, r, fmt.Errorf("%w: customer %s/%q: %v", ErrUndecodable, team, key, err)
	}
	return b, r, nil
}

// currentCustomer is what a command on customer team/key returns when its
// op was already applied: the customer as it is now and ErrDuplicate, or
// the error loading it, which fails only the command.
func currentCustomer(tx *bolt.Tx, team, key string) (Customer, error) {
	_, r, err := loadCustomer(tx, team, key)
	if err != nil {
		return r.Customer, err
	}
	return r.Customer, ErrDuplicate
}

// saveCustomer writes r and moves its prompts entry to match NextPrompt.
func saveCustomer(tx *bolt.Tx, b *bolt.Bucket, r *customerRecord) error {
	key := CustomerKey(r.Name)
	r.Customer.Settle(r.Customer) // times in UTC, no schedule without a cadence
	var idx []byte
	if !r.NextPrompt.IsZero() {
		idx = promptKey(r.NextPrompt, r.Team, key)
	}
	prompts, err := tx.CreateBucketIfNotExists(bucketPrompts)
	if err != nil {
		return err
	}
	if r.IndexKey != nil && !bytes.Equal(r.IndexKey, idx) {
		if err := prompts.Delete(r.IndexKey); err != nil {
			return err
		}
	}
	if idx != nil {
		if err := prompts.Put(idx, nil); err != nil {
			return err
		}
	}
	r.IndexKey = idx
	if err := indexDates(tx, r); err != nil {
		return err
	}
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), v)
}

// AddCustomer stores a new customer. Name is kept as spelled (trimmed,
// inner spaces collapsed); Created is now if zero; NextPrompt is
// Created+Cadence, or LastTouch+Cadence when the customer comes with a
// later touch (an import), unless it is given. It returns ErrExists if the
// name's key is taken. An op already applied returns the customer it added
// and ErrDuplicate.
func (s *Bolt) AddCustomer(op string, c Customer) (Customer, error) {
	c, err := model.NewCustomer(c, s.now().UTC())
	if err != nil {
		return Customer{}, err
	}
	key := CustomerKey(c.Name)
	var out Customer
	var soft error
	err = s.write(func(tx *bolt.Tx) error {
		out, soft = Customer{}, nil
		if dup, err := applied(tx, op); dup || err != nil {
			if dup {
				out, soft = currentCustomer(tx, c.Team, key)
			}
			return err
		}
		b, err := teamBucket(tx, c.Team, bucketCustomers, true)
		if err != nil {
			return err
		}
		if v := b.Get([]byte(key)); v != nil {
			var r customerRecord
			if err := json.Unmarshal(v, &r); err == nil {
				out = r.Customer
			}
			soft = fmt.Errorf("%w: customer %q", ErrExists, out.Name)
			return nil
		}
		now := s.now().UTC()
		r := customerRecord{Customer: c}
		if err := saveCustomer(tx, b, &r); err != nil {
			return err
		}
		if op != "" {
			if err := putOp(tx, op, opRecord{Team: c.Team, At: now}); err != nil {
				return err
			}
		}
		out = r.Customer
		return nil
	})
	if err != nil {
		return Customer{}, fmt.Errorf("store: add customer: %w", err)
	}
	return out, soft
}

// Customer returns the team's customer matching name (see CustomerKey), or
// an error wrapping ErrNotFound.
func (s *Bolt) Customer(team, name string) (Customer, error) {
	var r customerRecord
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		_, r, err = loadCustomer(tx, team, CustomerKey(name))
		return err
	})
	return r.Customer, err
}

// Customers lists the team's customers sorted by name key.
func (s *Bolt) Customers(team string) ([]Customer, error) {
	var out []Customer
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := teamBucket(tx, team, bucketCustomers, false)
		if b == nil || err != nil {
			return err
		}
		// The slice of customers is made once, at its size: a Customer is
		// a few hundred bytes, and growing a slice of 50,000 of them cost
		// a sixth of reading them.
		// The records are decoded on every CPU when there are many: a
		// digest of 50,000 customers spent half its time here.
		type raw struct{ k, v []byte }
		var rs []raw
		if err := b.ForEach(func(k, v []byte) error { rs = append(rs, raw{k, v}); return nil }); err != nil {
			return err
		}
		cs := make([]Customer, len(rs))
		errs := make([]error, len(rs))
		workers := min(runtime.GOMAXPROCS(0), len(rs)/2048+1)
		var wg sync.WaitGroup
		for w := range workers {
			lo, hi := w*len(rs)/workers, (w+1)*len(rs)/workers
			wg.Go(func() {
				for i := lo; i < hi; i++ {
					var r customerRecord
					errs[i] = json.Unmarshal(rs[i].v, &r)
					cs[i] = r.Customer
				}
			})
		}
		wg.Wait()
		out = cs[:0]
		for i := range rs {
			if errs[i] != nil {
				if err := s.skipUndecodable(fmt.Errorf("%w: customer %s/%q: %v", ErrUndecodable, team, rs[i].k, errs[i])); err != nil {
					return err
				}
				continue
			}
			out = append(out, cs[i])
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	return out, nil
}

// UpdateCustomer implements Customers.UpdateCustomer.
func (s *Bolt) UpdateCustomer(op, team, name string, fn func(*Customer) error) (Customer, error) {
	var out Customer
	err := s.Update(op, func(tx Tx) (err error) {
		out, err = tx.UpdateCustomer(team, name, fn)
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		return s.current(team, name)
	}
	return out, err
}

// current is what a command on a customer returns when its op was already
// applied: the customer as it is now and ErrDuplicate.
func (s *Bolt) current(team, name string) (Customer, error) {
	c, err := s.Customer(team, name)
	if err != nil {
		return c, err
	}
	return c, ErrDuplicate
}

// UpdateCustomer is Tx.UpdateCustomer. A change made without a model
// transition is settled (model.Customer.Settle): a cadence set directly
// reschedules as SetCadence would.
func (t *boltTx) UpdateCustomer(team, name string, fn func(*Customer) error) (Customer, error) {
	key := CustomerKey(name)
	b, r, err := loadCustomer(t.tx, team, key)
	if err != nil {
		return Customer{}, err
	}
	c := r.Customer
	if err := fn(&c); err != nil {
		return Customer{}, err
	}
	c.Name = displayName(c.Name)
	if CustomerKey(c.Name) != key {
		return Customer{}, fmt.Errorf("store: update customer %q: a customer cannot be renamed to %q", r.Name, c.Name)
	}
	c.Team, c.Created = r.Team, r.Created
	c.Settle(r.Customer)
	r.Customer = c
	if err := saveCustomer(t.tx, b, &r); err != nil {
		return Customer{}, fmt.Errorf("store: update customer %s/%q: %w", team, key, err)
	}
	return r.Customer, nil
}

func (t *boltTx) Customer(team, name string) (Customer, error) {
	_, r, err := loadCustomer(t.tx, team, CustomerKey(name))
	return r.Customer, err
}

// RemoveCustomer deletes the customer matching name, its touches and its
// prompt. Promises that name it keep their text. An error wrapping
// ErrNotFound says there was no such customer; an op already applied
// returns ErrDuplicate.
func (s *Bolt) RemoveCustomer(op, team, name string) error {
	key := CustomerKey(name)
	var soft error
	err := s.write(func(tx *bolt.Tx) error {
		soft = nil
		if dup, err := applied(tx, op); dup || err != nil {
			if dup {
				soft = ErrDuplicate
			}
			return err
		}
		b, r, err := loadCustomer(tx, team, key)
		if err != nil {
			soft, err = splitNotFound(err)
			return err
		}
		if r.IndexKey != nil {
			if err := tx.Bucket(bucketPrompts).Delete(r.IndexKey); err != nil {
				return err
			}
		}
		if err := unindexDates(tx, r); err != nil {
			return err
		}
		if err := deleteTouches(tx, team, key); err != nil {
			return err
		}
		if err := b.Delete([]byte(key)); err != nil {
			return err
		}
		if op != "" {
			return putOp(tx, op, opRecord{Team: team, At: s.now().UTC()})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: remove customer %s/%q: %w", team, key, err)
	}
	return soft
}

// touchBuckets returns the team's touch index and touches, either nil if
// the team has none yet.
func touchBuckets(tx *bolt.Tx, team string) (idx, touches *bolt.Bucket, err error) {
	idx, err = teamBucket(tx, team, bucketTouchIdx, false)
	if err != nil {
		return nil, nil, err
	}
	touches, err = teamBucket(tx, team, bucketTouches, false)
	return idx, touches, err
}

func deleteTouches(tx *bolt.Tx, team, key string) error {
	idx, touches, err := touchBuckets(tx, team)
	if idx == nil || err != nil {
		return err
	}
	prefix := append([]byte(key), 0)
	var keys [][]byte
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, append([]byte(nil), k...))
	}
	for _, k := range keys {
		if touches != nil {
			if err := touches.Delete(k[len(prefix):]); err != nil {
				return err
			}
		}
		if err := idx.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// AddTouch implements Customers.AddTouch.
func (s *Bolt) AddTouch(op string, t Touch) (Customer, error) {
	var out Customer
	err := s.Update(op, func(tx Tx) (err error) {
		out, err = tx.AddTouch(t)
		return err
	})
	if errors.Is(err, ErrDuplicate) {
		return s.current(t.Team, t.Customer)
	}
	return out, err
}

// AddTouch is Tx.AddTouch: the touch is stored under the customer's
// spelling and applied to it (model.Customer.Touch).
func (t *boltTx) AddTouch(touch Touch) (Customer, error) {
	touch, err := model.NewTouch(touch, t.s.now().UTC())
	if err != nil {
		return Customer{}, err
	}
	key := CustomerKey(touch.Customer)
	b, r, err := loadCustomer(t.tx, touch.Team, key)
	if err != nil {
		return Customer{}, err
	}
	touch.Customer = r.Name
	if err := putTouch(t.tx, key, touch); err != nil {
		return Customer{}, fmt.Errorf("store: add touch: %w", err)
	}
	r.Touch(touch)
	if err := saveCustomer(t.tx, b, &r); err != nil {
		return Customer{}, fmt.Errorf("store: add touch: %w", err)
	}
	return r.Customer, nil
}

func putTouch(tx *bolt.Tx, key string, t Touch) error {
	touches, err := teamBucket(tx, t.Team, bucketTouches, true)
	if err != nil {
		return err
	}
	idx, err := teamBucket(tx, t.Team, bucketTouchIdx, true)
	if err != nil {
		return err
	}
	seq, err := touches.NextSequence()
	if err != nil {
		return err
	}
	k := timeKey(t.At, int64(seq))
	v, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := touches.Put(k, v); err != nil {
		return err
	}
	ik := append(append([]byte(key), 0), k...)
	return idx.Put(ik, nil)
}

// Touches returns up to limit (<= 0: all) of the customer's touches,
// newest first. It reads only that customer's.
func (s *Bolt) Touches(team, customer string, limit int) ([]Touch, error) {
	var out []Touch
	err := s.View(func(tx ReadTx) (err error) {
		out, err = tx.Touches(team, customer, limit)
		return err
	})
	return out, err
}

func (t *boltTx) Touches(team, customer string, limit int) ([]Touch, error) {
	prefix := append([]byte(CustomerKey(customer)), 0)
	var out []Touch
	idx, touches, err := touchBuckets(t.tx, team)
	if idx == nil || touches == nil || err != nil {
		return nil, err
	}
	c := idx.Cursor()
	// Seek past the last key with the prefix, then walk back.
	end := append(append([]byte(nil), prefix...), bytes.Repeat([]byte{0xff}, 17)...)
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix) && (limit <= 0 || len(out) < limit); k, _ = c.Prev() {
		tc, err := decodeTouch(touches.Get(k[len(prefix):]))
		if err != nil {
			return nil, fmt.Errorf("store: touches: %w", err)
		}
		out = append(out, tc)
	}
	return out, nil
}

func decodeTouch(v []byte) (Touch, error) {
	var t Touch
	if v == nil {
		return t, errors.New("touch index points at nothing")
	}
	err := json.Unmarshal(v, &t)
	return t, err
}

// TouchesBetween returns the team's touches with from <= At < to, all
// customers, oldest first. It reads only that span.
func (s *Bolt) TouchesBetween(team string, from, to time.Time) ([]Touch, error) {
	var out []Touch
	err := s.db.View(func(tx *bolt.Tx) error {
		touches, err := teamBucket(tx, team, bucketTouches, false)
		if touches == nil || err != nil {
			return err
		}
		end := nanos(to)
		c := touches.Cursor()
		for k, v := c.Seek(timeKey(from, 0)); k != nil && binary.BigEndian.Uint64(k) < end; k, v = c.Next() {
			t, err := decodeTouch(v)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: touches between: %w", err)
	}
	return out, nil
}

// ClaimCheckins queues the keep-in-touch prompts due at now, in one
// transaction. It reads the prompts index only up to now, at most limit
// entries (<= 0: no bound). For each customer whose NextPrompt <= now it
// queues one nudge {Kind: Checkin, Team, Subject: customer key, To: owner}
// and moves NextPrompt to now+Cadence, so there is at most one prompt per
// cadence period; a touch resets it. While an earlier prompt for the same
// customer is still in the outbox (held back until working hours), no
// second one is queued.
func (s *Bolt) ClaimCheckins(now time.Time, limit int) ([]Nudge, error) {
	now = now.UTC()
	end := nanos(now)
	var out []Nudge
	probe := func(tx *bolt.Tx) bool {
		p := tx.Bucket(bucketPrompts)
		if p == nil {
			return false
		}
		k, _ := p.Cursor().First()
		return k != nil && upTo(k, end)
	}
	err := s.updateIfWork(probe, func(tx *bolt.Tx) error {
		out = nil
		prompts := tx.Bucket(bucketPrompts)
		var keys [][]byte
		c := prompts.Cursor()
		for k, _ := c.First(); k != nil && upTo(k, end); k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
			if len(keys) == limit {
				break
			}
		}
		for _, k := range keys {
			n, ok, err := claimCheckin(tx, k, now)
			if err = s.skipUndecodable(err); err != nil {
				return err
			}
			if ok {
				out = append(out, n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim checkins: %w", err)
	}
	return out, nil
}

func claimCheckin(tx *bolt.Tx, k []byte, now time.Time) (Nudge, bool, error) {
	team, key, ok := parsePromptKey(k)
	var b *bolt.Bucket
	var r customerRecord
	err := ErrNotFound
	if ok {
		b, r, err = loadCustomer(tx, team, key)
	}
	if errors.Is(err, ErrNotFound) || (err == nil && !bytes.Equal(r.IndexKey, k)) {
		// An entry its customer does not point at is stale: drop it.
		return Nudge{}, false, tx.Bucket(bucketPrompts).Delete(k)
	}
	if err != nil {
		return Nudge{}, false, err
	}
	held := false
	if r.Pending != 0 {
		if p, err := loadNudge(tx, r.Pending); err == nil && p.State.Pending() {
			held = true
		}
	}
	n, ok := r.ClaimCheckin(now, held)
	if ok {
		if err := putNudge(tx, nil, &n); err != nil {
			return Nudge{}, false, err
		}
		r.Pending = n.ID
	}
	if err := saveCustomer(tx, b, &r); err != nil {
		return Nudge{}, false, err
	}
	return n, ok, nil
}
