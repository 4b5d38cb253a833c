package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/model"
)

// ErrNotPending is returned when a nudge that was already sent or failed is
// asked to be sent again, so a racing worker cannot deliver it twice.
var ErrNotPending = errors.New("store: nudge is not pending")

// putNudge writes n, assigning an ID if it has none, and moves its outbox
// entry from where old had it.
func putNudge(tx *bolt.Tx, old *Nudge, n *Nudge) error {
	b := tx.Bucket(bucketNudges)
	if n.ID == 0 {
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		n.ID = int64(seq)
	}
	n.NotBefore, n.Created = n.NotBefore.UTC(), n.Created.UTC()
	outbox := tx.Bucket(bucketOutbox)
	if old != nil && old.State.Pending() {
		if err := outbox.Delete(timeKey(old.NotBefore, old.ID)); err != nil {
			return err
		}
	}
	if n.State.Pending() {
		if err := outbox.Put(timeKey(n.NotBefore, n.ID), nil); err != nil {
			return err
		}
	}
	v, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return b.Put(itob(n.ID), v)
}

func loadNudge(tx *bolt.Tx, id int64) (Nudge, error) {
	var n Nudge
	v := tx.Bucket(bucketNudges).Get(itob(id))
	if v == nil {
		return n, fmt.Errorf("%w: nudge %d", ErrNotFound, id)
	}
	if err := json.Unmarshal(v, &n); err != nil {
		return n, fmt.Errorf("%w: nudge %d: %v", ErrUndecodable, id, err)
	}
	return n, nil
}

// AddNudge queues n. It assigns ID and Created, State NudgeDue if empty
// and NotBefore now if zero.
func (s *Bolt) AddNudge(n Nudge) (Nudge, error) {
	n = model.NewNudge(n, s.now())
	err := s.db.Update(func(tx *bolt.Tx) error {
		n.ID = 0
		return putNudge(tx, nil, &n)
	})
	if err != nil {
		return Nudge{}, fmt.Errorf("store: add nudge: %w", err)
	}
	return n, nil
}

// AddNudge is Store.AddNudge inside a unit of work: a message owed
// because of the change the unit makes is queued with it, or not at all.
func (t *boltTx) AddNudge(n Nudge) (Nudge, error) {
	n = model.NewNudge(n, t.s.now())
	if err := putNudge(t.tx, nil, &n); err != nil {
		return Nudge{}, fmt.Errorf("store: add nudge: %w", err)
	}
	return n, nil
}

// Nudge returns one nudge, or an error wrapping ErrNotFound.
func (s *Bolt) Nudge(id int64) (Nudge, error) {
	var n Nudge
	err := s.db.View(func(tx *bolt.Tx) (err error) {
		n, err = loadNudge(tx, id)
		return err
	})
	return n, err
}

// PendingNudges returns up to limit outbox nudges (limit <= 0 means all)
// that are due or sending with NotBefore at or before now, oldest
// NotBefore first. It reads the outbox index only up to now.
func (s *Bolt) PendingNudges(now time.Time, limit int) ([]Nudge, error) {
	var out []Nudge
	err := s.db.View(func(tx *bolt.Tx) error {
		end := nanos(now)
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, _ := c.First(); k != nil && upTo(k, end) && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
			n, err := loadNudge(tx, btoi(k[8:16]))
			if err != nil {
				if err = s.skipUndecodable(err); err != nil {
					return err
				}
				continue
			}
			if n.State.Pending() {
				out = append(out, n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: pending nudges: %w", err)
	}
	return out, nil
}

// NextNudgeAfter returns the earliest NotBefore in the outbox that is after
// t, if any: one seek in the outbox index, so the scheduler can wake for it.
func (s *Bolt) NextNudgeAfter(t time.Time) (time.Time, bool, error) {
	var at uint64
	var found bool
	err := s.db.View(func(tx *bolt.Tx) error {
		seek := make([]byte, 8)
		binary.BigEndian.PutUint64(seek, nanos(t)+1)
		if k, _ := tx.Bucket(bucketOutbox).Cursor().Seek(seek); len(k) >= 8 {
			at, found = binary.BigEndian.Uint64(k), true
		}
		return nil
	})
	if err != nil || !found {
		return time.Time{}, false, err
	}
	return time.Unix(0, int64(at)).UTC(), true, nil
}

// change applies fn to nudge id in one transaction. Unless allowDone, a
// nudge that is no longer pending is left alone and ErrNotPending returned.
func (s *Bolt) change(id int64, allowDone bool, fn func(*Nudge)) (Nudge, error) {
	var n Nudge
	err := s.db.Update(func(tx *bolt.Tx) error {
		old, err := loadNudge(tx, id)
		if err != nil {
			return err
		}
		if !allowDone && !old.State.Pending() {
			return fmt.Errorf("%w: nudge %d is %s", ErrNotPending, id, old.State)
		}
		n = old
		fn(&n)
		return putNudge(tx, &old, &n)
	})
	if err != nil {
		return Nudge{}, err
	}
	return n, nil
}

// MarkSending records a delivery attempt; the nudge stays in the outbox
// until MarkSent or FailNudge, so a crash mid-send retries it.
func (s *Bolt) MarkSending(id int64) (Nudge, error) {
	return s.change(id, false, func(n *Nudge) {
		n.State = NudgeSending
		n.Attempts++
	})
}

// MarkSent records where the nudge was delivered and takes it out of the
// outbox. A nudge that was given up on concurrently is still marked sent:
// that is what happened.
func (s *Bolt) MarkSent(id int64, channel, ts string) error {
	_, err := s.change(id, true, func(n *Nudge) {
		n.State, n.Channel, n.TS, n.Error = NudgeSent, channel, ts, ""
	})
	return err
}

// RetryNudge puts the nudge back in the outbox at notBefore.
func (s *Bolt) RetryNudge(id int64, notBefore time.Time, errText string) error {
	_, err := s.change(id, false, func(n *Nudge) {
		n.State, n.NotBefore, n.Error = NudgeDue, notBefore, errText
	})
	return err
}

// FailNudge gives up on the nudge and takes it out of the outbox.
func (s *Bolt) FailNudge(id int64, errText string) error {
	_, err := s.change(id, false, func(n *Nudge) {
		n.State, n.Error = NudgeFailed, errText
	})
	return err
}

// Nudges lists every nudge of kind ("" = any) in ID order. It scans the
// whole bucket and is meant for tests and admin tools.
func (s *Bolt) Nudges(kind NudgeKind) ([]Nudge, error) {
	var out []Nudge
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNudges).ForEach(func(k, v []byte) error {
			var n Nudge
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("nudge %d: %w", btoi(k), err)
			}
			if kind == "" || n.Kind == kind {
				out = append(out, n)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: nudges: %w", err)
	}
	return out, nil
}

// Recheck implements Outbox.Recheck.
func (s *Bolt) Recheck(id int64, now time.Time) (Nudge, error) {
	var out Nudge
	err := s.db.Update(func(tx *bolt.Tx) error {
		n, err := loadNudge(tx, id)
		if err != nil {
			return err
		}
		out = n
		if !n.State.Pending() {
			return nil
		}
		var v model.Verdict
		switch {
		case n.Kind.AboutPromise() && n.PromiseID != 0:
			_, r, err := loadRecord(tx, n.Team, n.PromiseID)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			v = model.RecheckPromise(n, r.Promise, err == nil)
		case n.Kind == model.NudgeCheckin:
			_, r, err := loadCustomer(tx, n.Team, n.Subject)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			v = model.RecheckCheckin(n, r.Customer, err == nil, now)
		case n.Kind == model.NudgeDate:
			_, r, err := loadCustomer(tx, n.Team, n.Subject)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			v = model.RecheckDate(n, r.Customer, err == nil)
		default:
			return nil
		}
		switch {
		case v.Drop:
			out.State, out.Error = NudgeDropped, v.Reason
		case v.To != "":
			out.To, out.For.Owner = v.To, v.To
		default:
			return nil
		}
		return putNudge(tx, &n, &out)
	})
	if err != nil {
		return Nudge{}, fmt.Errorf("store: recheck nudge %d: %w", id, err)
	}
	return out, nil
}
