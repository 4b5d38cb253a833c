package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"
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

// Checkin is the nudge ClaimCheckins queues: a keep-in-touch prompt to a
// customer's owner. Its Subject is the customer's key.
const Checkin NudgeKind = "checkin"

// Tier says how much a customer matters; each tier has a default cadence.
type Tier string

// Tiers.
const (
	KeyTier      Tier = "key"
	StandardTier Tier = "standard"
)

// Customer is someone the team keeps in touch with.
type Customer struct {
	Team       string        `json:"team"`
	Name       string        `json:"name"` // as the user spelled it, for display
	Owner      string        `json:"owner"`
	Tier       Tier          `json:"tier"`
	Cadence    time.Duration `json:"cadence,omitempty"` // 0 = never prompt
	Notes      string        `json:"notes,omitempty"`
	Created    time.Time     `json:"created"`
	LastTouch  time.Time     `json:"last_touch,omitzero"` // zero if never touched
	LastNote   string        `json:"last_note,omitempty"`
	LastBy     string        `json:"last_by,omitempty"`
	NextPrompt time.Time     `json:"next_prompt,omitzero"` // zero if Cadence == 0; indexed
}

// Touch is one logged contact with a customer.
type Touch struct {
	Team     string    `json:"team"`
	Customer string    `json:"customer"` // display name
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"` // "call", "note", "promise", "prompt"
	Note     string    `json:"note,omitempty"`
}

// customerRecord is a customer as stored.
type customerRecord struct {
	Customer
	// IndexKey is the customer's entry in the prompts bucket, kept so that
	// a change can always find and remove the old one.
	IndexKey []byte `json:"index_key,omitempty"`
	// LastPrompt is when the last check-in was queued: a cadence change
	// must not bring the next one closer than a cadence after it.
	LastPrompt time.Time `json:"last_prompt,omitzero"`
	// Pending is the last check-in nudge queued, so that a prompt held
	// back until working hours is not joined by a second one.
	Pending int64 `json:"pending,omitempty"`
}

// CustomerKey is the key a customer name is matched by: trimmed, inner
// runs of space collapsed to one, control characters dropped and Unicode
// simple case folding applied, so that "ACME  Corp" and "acme corp" are the
// same customer.
func CustomerKey(name string) string {
	var b strings.Builder
	for i, word := range strings.Fields(name) {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range word {
			if unicode.IsControl(r) {
				continue
			}
			b.WriteRune(fold(r))
		}
	}
	return b.String()
}

// fold maps r to one member of its case-folding orbit (K, k and the Kelvin
// sign K all become k), as strings.EqualFold compares them.
func fold(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}

// displayName is name trimmed with inner runs of space collapsed: the
// user's spelling, minus what they could not have meant.
func displayName(name string) string { return strings.Join(strings.Fields(name), " ") }

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

func customerNotFound(team, name string) error {
	return fmt.Errorf("%w: customer %s/%q", ErrNotFound, team, name)
}

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
		return nil, r, fmt.Errorf("store: customer %s/%q: %w", team, key, err)
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

// editCustomer runs a command that changes the existing customer team/key
// in one batched transaction: it loads the record, calls edit on it, saves
// it and records op. An op already applied returns the customer as it is
// and ErrDuplicate without calling edit; a missing customer returns an
// error wrapping ErrNotFound. Those and a soft error from edit (nothing is
// saved) fail only the command, as the returned soft error: the rest of
// the DB.Batch commits. A hard error from edit fails the transaction and is
// returned as err. edit may run more than once, so it must work only from
// the record it is given; it returns the time to record op at, or zero for
// now.
func (s *Store) editCustomer(op, team, key string, edit func(tx *bolt.Tx, r *customerRecord) (opAt time.Time, soft, hard error)) (out Customer, soft, err error) {
	err = s.write(func(tx *bolt.Tx) error {
		out, soft = Customer{}, nil
		if dup, err := applied(tx, op); dup || err != nil {
			if dup {
				out, soft = currentCustomer(tx, team, key)
			}
			return err
		}
		b, r, err := loadCustomer(tx, team, key)
		if err != nil {
			soft, err = splitNotFound(err)
			return err
		}
		at, failed, err := edit(tx, &r)
		if failed != nil || err != nil {
			soft = failed
			return err
		}
		if err := saveCustomer(tx, b, &r); err != nil {
			return err
		}
		if op != "" {
			if at.IsZero() {
				at = s.now().UTC()
			}
			if err := putOp(tx, op, opRecord{Team: team, At: at}); err != nil {
				return err
			}
		}
		out = r.Customer
		return nil
	})
	return out, soft, err
}

// saveCustomer writes r and moves its prompts entry to match NextPrompt.
func saveCustomer(tx *bolt.Tx, b *bolt.Bucket, r *customerRecord) error {
	key := CustomerKey(r.Name)
	r.Created = r.Created.UTC()
	if r.Cadence <= 0 {
		r.Cadence, r.NextPrompt = 0, time.Time{}
	}
	for _, t := range []*time.Time{&r.LastTouch, &r.NextPrompt, &r.LastPrompt} {
		if !t.IsZero() {
			*t = t.UTC()
		}
	}
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
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), v)
}

// later is the later of two instants.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// AddCustomer stores a new customer. Name is kept as spelled (trimmed,
// inner spaces collapsed); Created is now if zero; NextPrompt is
// Created+Cadence, or LastTouch+Cadence when the customer comes with a
// later touch (an import), unless it is given. It returns ErrExists if the
// name's key is taken. An op already applied returns the customer it added
// and ErrDuplicate.
func (s *Store) AddCustomer(op string, c Customer) (Customer, error) {
	c.Name = displayName(c.Name)
	key := CustomerKey(c.Name)
	if key == "" {
		return Customer{}, errors.New("store: add customer: empty name")
	}
	var out Customer
	var soft error
	err := s.write(func(tx *bolt.Tx) error {
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
		if r.Created.IsZero() {
			r.Created = now
		}
		if r.Cadence > 0 && r.NextPrompt.IsZero() {
			r.NextPrompt = later(r.Created, r.LastTouch).Add(r.Cadence)
		}
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
func (s *Store) Customer(team, name string) (Customer, error) {
	var r customerRecord
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		_, r, err = loadCustomer(tx, team, CustomerKey(name))
		return err
	})
	return r.Customer, err
}

// Customers lists the team's customers sorted by name key.
func (s *Store) Customers(team string) ([]Customer, error) {
	var out []Customer
	err := s.db.View(func(tx *bolt.Tx) error {
		b, err := teamBucket(tx, team, bucketCustomers, false)
		if b == nil || err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var r customerRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("customer %s/%q: %w", team, k, err)
			}
			out = append(out, r.Customer)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	return out, nil
}

// UpdateCustomer loads the customer matching name, calls fn on a copy and
// saves the result atomically, re-indexing NextPrompt. If fn returns an
// error nothing is saved and that error is returned. fn may run more than
// once (group commit), so it must only modify the *Customer it is given.
//
// fn may respell Name but not change its key, nor Team or Created. If fn
// changes Cadence and leaves NextPrompt alone, NextPrompt is recomputed:
// the new cadence after the last touch (or creation), and no sooner than a
// cadence after the last prompt. A Cadence of 0 clears NextPrompt.
//
// An op already applied returns the current customer and ErrDuplicate
// without calling fn.
func (s *Store) UpdateCustomer(op, team, name string, fn func(*Customer) error) (Customer, error) {
	key := CustomerKey(name)
	out, soft, err := s.editCustomer(op, team, key, func(_ *bolt.Tx, r *customerRecord) (time.Time, error, error) {
		c := r.Customer
		if err := fn(&c); err != nil {
			return time.Time{}, err, nil
		}
		c.Name = displayName(c.Name)
		if CustomerKey(c.Name) != key {
			return time.Time{}, fmt.Errorf("store: update customer %q: a customer cannot be renamed to %q", r.Name, c.Name), nil
		}
		c.Team, c.Created = r.Team, r.Created
		if c.Cadence != r.Cadence && c.NextPrompt.Equal(r.NextPrompt) && c.Cadence > 0 {
			c.NextPrompt = later(later(c.Created, c.LastTouch), r.LastPrompt).Add(c.Cadence)
		}
		r.Customer = c
		return time.Time{}, nil, nil
	})
	if err != nil {
		return Customer{}, fmt.Errorf("store: update customer %s/%q: %w", team, key, err)
	}
	return out, soft
}

// RemoveCustomer deletes the customer matching name, its touches and its
// prompt. Promises that name it keep their text. An error wrapping
// ErrNotFound says there was no such customer; an op already applied
// returns ErrDuplicate.
func (s *Store) RemoveCustomer(op, team, name string) error {
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

// AddTouch logs a touch with the customer t.Customer names and returns the
// customer as updated. At is now if zero; Customer is set to the stored
// spelling. A touch newer than the last one becomes LastTouch, LastNote and
// LastBy, and the next prompt counts from it (NextPrompt = At+Cadence);
// an older one (a backfill) is only recorded. An unknown customer is an
// error wrapping ErrNotFound; an op already applied returns the customer
// and ErrDuplicate.
func (s *Store) AddTouch(op string, t Touch) (Customer, error) {
	key := CustomerKey(t.Customer)
	if t.Kind == "" {
		return Customer{}, errors.New("store: add touch: empty kind")
	}
	out, soft, err := s.editCustomer(op, t.Team, key, func(tx *bolt.Tx, r *customerRecord) (time.Time, error, error) {
		now := s.now().UTC()
		touch := t
		touch.Customer = r.Name
		if touch.At.IsZero() {
			touch.At = now
		}
		touch.At = touch.At.UTC()
		if err := putTouch(tx, key, touch); err != nil {
			return now, nil, err
		}
		if r.LastTouch.IsZero() || touch.At.After(r.LastTouch) {
			r.LastTouch, r.LastNote, r.LastBy = touch.At, touch.Note, touch.By
			if r.Cadence > 0 {
				r.NextPrompt = touch.At.Add(r.Cadence)
			}
		}
		return now, nil, nil
	})
	if err != nil {
		return Customer{}, fmt.Errorf("store: add touch: %w", err)
	}
	return out, soft
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
func (s *Store) Touches(team, customer string, limit int) ([]Touch, error) {
	prefix := append([]byte(CustomerKey(customer)), 0)
	var out []Touch
	err := s.db.View(func(tx *bolt.Tx) error {
		idx, touches, err := touchBuckets(tx, team)
		if idx == nil || touches == nil || err != nil {
			return err
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
			t, err := decodeTouch(touches.Get(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: touches: %w", err)
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
func (s *Store) TouchesBetween(team string, from, to time.Time) ([]Touch, error) {
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
func (s *Store) ClaimCheckins(now time.Time, limit int) ([]Nudge, error) {
	now = now.UTC()
	end := nanos(now)
	// Most ticks find nothing due: look in a read-only transaction first,
	// which costs no fsync.
	var work bool
	err := s.db.View(func(tx *bolt.Tx) error {
		if p := tx.Bucket(bucketPrompts); p != nil {
			k, _ := p.Cursor().First()
			work = k != nil && upTo(k, end)
		}
		return nil
	})
	if err != nil || !work {
		return nil, err
	}
	var out []Nudge
	err = s.db.Update(func(tx *bolt.Tx) error {
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
			if err != nil {
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
	r.NextPrompt = now.Add(r.Cadence)
	held := false
	if r.Pending != 0 {
		if p, err := loadNudge(tx, r.Pending); err == nil && p.State.pending() {
			held = true
		}
	}
	var n Nudge
	if !held {
		n = Nudge{Kind: Checkin, Team: team, Subject: key, To: r.Owner, State: NudgeDue, NotBefore: now, Created: now}
		if err := putNudge(tx, nil, &n); err != nil {
			return Nudge{}, false, err
		}
		r.Pending, r.LastPrompt = n.ID, now
	}
	if err := saveCustomer(tx, b, &r); err != nil {
		return Nudge{}, false, err
	}
	return n, !held, nil
}
