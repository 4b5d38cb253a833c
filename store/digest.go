package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/model"
)

// The channel digest needs three things from the store: when each
// scheduled job last ran (so a restart neither skips nor doubles a run),
// which channels asked for the digest, and the promises it reports on.

var (
	bucketRuns = []byte("runs") // job name -> last run, UnixNano
	bucketSubs = []byte("subs") // team \x00 channel -> Subscription JSON
)

func subKey(team, channel string) []byte { return []byte(team + "\x00" + channel) }

// LastRun returns when the job name last ran, or the zero time if never.
func (s *Bolt) LastRun(name string) (time.Time, error) {
	var t time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		t = lastRun(tx, name)
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: last run %s: %w", name, err)
	}
	return t, nil
}

func lastRun(tx *bolt.Tx, name string) time.Time {
	b := tx.Bucket(bucketRuns)
	if b == nil {
		return time.Time{}
	}
	v := b.Get([]byte(name))
	if len(v) != 8 {
		return time.Time{}
	}
	return time.Unix(0, btoi(v)).UTC()
}

// SetLastRun records that the job name ran at t.
func (s *Bolt) SetLastRun(name string, t time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRuns)
		if err != nil {
			return err
		}
		return b.Put([]byte(name), itob(t.UnixNano()))
	})
	if err != nil {
		return fmt.Errorf("store: set last run %s: %w", name, err)
	}
	return nil
}

// ErrRunMoved is returned by QueueRun when the job's last run is no longer
// the one the caller read: another tick got there first.
var ErrRunMoved = errors.New("store: last run changed meanwhile")

// QueueRun records that the job name ran at at and queues its nudges, in
// one transaction, so a crash can neither lose the run's nudges nor queue
// them twice. It is a compare-and-set: if the recorded last run is not
// prev, nothing changes and ErrRunMoved is returned.
//
// A nudge whose Kind, Team and To match one still in the outbox is not
// queued again: the pending one renders fresh when it is sent, so a channel
// that has been unreachable for weeks gets one digest when it comes back,
// not a backlog. QueueRun returns the nudges it queued.
func (s *Bolt) QueueRun(name string, prev, at time.Time, nudges []Nudge) ([]Nudge, error) {
	var out []Nudge
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = nil
		if got := lastRun(tx, name); !got.Equal(prev) {
			return fmt.Errorf("%w: %s ran at %s, not %s", ErrRunMoved, name, got, prev)
		}
		b, err := tx.CreateBucketIfNotExists(bucketRuns)
		if err != nil {
			return err
		}
		if err := b.Put([]byte(name), itob(at.UnixNano())); err != nil {
			return err
		}
		pending, err := pendingTargets(tx)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		for _, n := range nudges {
			key := target{n.Kind, n.Team, n.To}
			if pending[key] {
				continue
			}
			pending[key] = true
			n.ID, n.Created, n.State = 0, now, NudgeDue
			if n.NotBefore.IsZero() {
				n.NotBefore = now
			}
			if err := putNudge(tx, nil, &n); err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: queue run %s: %w", name, err)
	}
	return out, nil
}

type target struct {
	kind     NudgeKind
	team, to string
}

// pendingTargets lists what the outbox holds. The outbox is what has not
// been delivered yet: small, unless Slack has been down for long.
func pendingTargets(tx *bolt.Tx) (map[target]bool, error) {
	out := map[target]bool{}
	c := tx.Bucket(bucketOutbox).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		n, err := loadNudge(tx, btoi(k[8:16]))
		if err != nil {
			return nil, err
		}
		if n.State.Pending() {
			out[target{n.Kind, n.Team, n.To}] = true
		}
	}
	return out, nil
}

// Subscribe makes channel get the scheduled digest for scope (ScopeAll or
// ScopeMembers), replacing any earlier subscription of that channel.
func (s *Bolt) Subscribe(team, channel string, scope model.Scope) error {
	if team == "" || channel == "" {
		return errors.New("store: subscribe: empty team or channel")
	}
	if scope != ScopeAll && scope != ScopeMembers {
		return fmt.Errorf("store: subscribe: unknown scope %q", scope)
	}
	sub := Subscription{Team: team, Channel: channel, Scope: scope, Created: s.now().UTC()}
	v, err := json.Marshal(sub)
	if err != nil {
		return fmt.Errorf("store: subscribe: %w", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSubs)
		if err != nil {
			return err
		}
		return b.Put(subKey(team, channel), v)
	})
	if err != nil {
		return fmt.Errorf("store: subscribe: %w", err)
	}
	return nil
}

// Unsubscribe stops the scheduled digest in channel. It returns an error
// wrapping ErrNotFound if the channel was not subscribed.
func (s *Bolt) Unsubscribe(team, channel string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubs)
		if b == nil || b.Get(subKey(team, channel)) == nil {
			return fmt.Errorf("%w: subscription %s/%s", ErrNotFound, team, channel)
		}
		return b.Delete(subKey(team, channel))
	})
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("store: unsubscribe: %w", err)
	}
	return err
}

// Subscriptions lists team's digest channels; team "" lists every team's,
// which is what the scheduler needs.
func (s *Bolt) Subscriptions(team string) ([]Subscription, error) {
	var out []Subscription
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSubs)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		var prefix []byte
		if team != "" {
			prefix = subKey(team, "")
		}
		for k, v := c.Seek(prefix); k != nil && strings.HasPrefix(string(k), string(prefix)); k, v = c.Next() {
			var sub Subscription
			if err := json.Unmarshal(v, &sub); err != nil {
				return fmt.Errorf("subscription %q: %w", k, err)
			}
			out = append(out, sub)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: subscriptions: %w", err)
	}
	return out, nil
}

// DuePromises implements the contract's DuePromises through the state
// index (bystate): the open promises due before lateAt, then every
// state's but cancelled due in [from, to), so that it reads what the
// digest reports and not the team's history. It reads them from the
// index's values (stateDueValue), which hold what the digest shows, and
// decodes no record, but for an entry written before the values were.
func (s *Bolt) DuePromises(team string, from, to, lateAt time.Time) ([]Promise, error) {
	var out []Promise
	err := s.db.View(func(tx *bolt.Tx) error {
		t := tx.Bucket(bucketTeams).Bucket([]byte(team))
		if t == nil {
			return nil
		}
		ix, ps := t.Bucket(bucketByState), t.Bucket(bucketPromises)
		if ix == nil || ps == nil {
			return nil
		}
		// First the entries, in a small slice, sorted by due time then id
		// as the contract wants; then the promises, made once each in
		// place (a Promise is some 400 bytes: growing or sorting a slice
		// of tens of thousands of them cost more than reading them).
		type entry struct{ k, v []byte }
		var es []entry
		c := ix.Cursor()
		read := func(state State, lo, hi time.Time) {
			if !lo.Before(hi) {
				return
			}
			end := stateDuePrefix(state, hi, 0)
			for k, v := c.Seek(stateDuePrefix(state, lo, 0)); k != nil && bytes.Compare(k, end) < 0; k, v = c.Next() {
				es = append(es, entry{k, v})
			}
		}
		read(Open, minDue, lateAt)
		// Every state in the index but cancelled, each in turn: the
		// first key of each names it. The open ones due before lateAt
		// are in already.
		for k, _ := c.First(); k != nil; {
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				break // not an index key
			}
			state := State(k[:i])
			switch {
			case state == Open:
				read(state, latest(from, lateAt), to)
			case state != Cancelled:
				read(state, from, to)
			}
			k, _ = c.Seek(append([]byte(state), 1)) // past state's keys
		}
		// A key ends in due time (8) and id (8), both big-endian.
		slices.SortFunc(es, func(a, b entry) int { return bytes.Compare(a.k[len(a.k)-16:], b.k[len(b.k)-16:]) })
		out = make([]Promise, len(es))
		n := 0
		for _, e := range es {
			if p, ok := stateDuePromise(team, e.k, e.v); ok {
				out[n] = p
				n++
				continue
			}
			id := btoi(e.k[len(e.k)-8:])
			rec := ps.Get(itob(id))
			if rec == nil {
				continue // an entry its promise no longer has
			}
			var r withoutHistory
			if err := json.Unmarshal(rec, &r); err != nil {
				if err := s.skipUndecodable(fmt.Errorf("%w: %v", ErrUndecodable, promiseError(team, id, err))); err != nil {
					return err
				}
				continue
			}
			if bytes.Equal(stateDuePrefix(r.State, r.Due, r.ID), e.k) { // else stale
				out[n] = DigestFields(r.Promise)
				n++
			}
		}
		out = out[:n]
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: due promises: %w", err)
	}
	return out, nil
}

// DigestFields is p with only the fields DuePromises returns (the
// contract's list), the others zero: both backends return exactly these,
// whether they read them from an index or from the whole record.
func DigestFields(p Promise) Promise {
	return Promise{Team: p.Team, ID: p.ID, Owner: p.Owner, Customer: p.Customer, Text: p.Text, Due: p.Due,
		MovedFrom: p.MovedFrom, State: p.State, OnTime: p.OnTime, Escalated: p.Escalated}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// withoutHistory decodes a promise but skips its history, which the digest
// never shows and which is most of a long-lived promise's allocations.
type withoutHistory struct {
	Promise
	History skip `json:"history"` // shadows Promise.History
}

// skip is a JSON value read and thrown away.
type skip struct{}

func (*skip) UnmarshalJSON([]byte) error { return nil }

// metaPause is where the latest Retry-After is kept (store.Pauses).
var metaPause = []byte("pause_until")

// SharePause records a Retry-After Slack gave, so that the scheduler of a
// restarted process waits for it too. A pause only ever grows.
func (s *Bolt) SharePause(until time.Time) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(metaPause); v != nil && btoi(v) >= until.UnixNano() {
			return nil
		}
		return meta.Put(metaPause, itob(until.UnixNano()))
	})
	if err != nil {
		return fmt.Errorf("store: share pause: %w", err)
	}
	return nil
}

// SharedPause is the latest Retry-After recorded, zero if none.
func (s *Bolt) SharedPause() (time.Time, error) {
	var at time.Time
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(metaPause); v != nil {
			at = time.Unix(0, btoi(v)).UTC()
		}
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store: shared pause: %w", err)
	}
	return at, nil
}
