package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/keptbot/kept/model"
)

// The rules of Import that do not depend on where records are kept, so
// that the bbolt store (transfer.go) and the PostgreSQL store
// (store/pg/transfer.go) apply the same ones: what is refused, what
// matches, what a file may leave out, and what counts as a change.

// ImportSeen is the records one Import has met, so that a file naming a
// record twice is refused.
type ImportSeen map[string]bool

// CheckPromise refuses an imported promise the model would not store, or
// one the file already gave.
func (seen ImportSeen) CheckPromise(p Promise) error {
	switch {
	case p.ID <= 0:
		return fmt.Errorf("id is %d; ids start at 1", p.ID)
	case !p.State.Valid():
		return fmt.Errorf("state is %q; use open, kept or cancelled", p.State)
	}
	// The same limits as the slash command and the form (model.Validate).
	if err := p.Validate(); err != nil {
		return err
	}
	id := fmt.Sprintf("p\x00%s\x00%d", p.Team, p.ID)
	if seen[id] {
		return fmt.Errorf("promise %s #%d appears twice", p.Team, p.ID)
	}
	seen[id] = true
	return nil
}

// MergePromise is what Import stores for p, given the promise stored
// under its team and id (nil: none), and whether that is a write; it
// counts the outcome in n. A file that leaves created out keeps the
// stored one, so that importing it again is no change.
func MergePromise(old *Promise, p Promise, now time.Time, n *Counts) (Promise, bool) {
	switch {
	case old == nil:
		if p.Created.IsZero() {
			p.Created = now
		}
		n.Added++
		return p, true
	case p.Created.IsZero():
		p.Created = old.Created
	}
	if same(*old, p) {
		n.Unchanged++
		return p, false
	}
	n.Updated++
	return p, true
}

// CheckCustomer tidies an imported customer's name and refuses one the
// model would not store, or one the file already gave; it returns the
// customer and its key.
func (seen ImportSeen) CheckCustomer(c Customer) (Customer, string, error) {
	c.Name = displayName(c.Name)
	key := CustomerKey(c.Name)
	if err := c.Validate(); err != nil {
		return c, key, err
	}
	id := "c\x00" + c.Team + "\x00" + key
	if seen[id] {
		return c, key, fmt.Errorf("customer %q appears twice in %s", c.Name, c.Team)
	}
	seen[id] = true
	return c, key, nil
}

// MergeCustomer is what Import stores for c, given the customer stored
// under its key (nil: none), and whether that is a write; it counts the
// outcome in n. What a hand-written file leaves out (created, the next
// check-in of an unchanged cadence, the schedule of an unchanged date) is
// kept; a new cadence without a next check-in schedules one, as
// AddCustomer does, and a date without one its next occurrence.
func MergeCustomer(old *Customer, c Customer, now time.Time, n *Counts) (Customer, bool) {
	c.ScheduleDates(old, now)
	if old != nil {
		if c.Created.IsZero() {
			c.Created = old.Created
		}
		if c.NextPrompt.IsZero() && c.Cadence == old.Cadence {
			c.NextPrompt = old.NextPrompt
		}
		if same(*old, c) {
			n.Unchanged++
			return c, false
		}
		n.Updated++
	} else {
		n.Added++
	}
	if c.Created.IsZero() {
		c.Created = now
	}
	if c.Cadence > 0 && c.NextPrompt.IsZero() {
		c.NextPrompt = c.CheckinDue()
	}
	return c, true
}

// CheckTouch validates an imported touch, which must say when it was.
func CheckTouch(t Touch) (Touch, error) {
	if t.At.IsZero() {
		return t, errors.New("at is empty")
	}
	return model.NewTouch(t, t.At)
}

// TouchSet is the touches an Import has found stored or added, per
// customer, by their encoding: a touch is matched by all its fields.
type TouchSet map[string]bool

func touchPrefix(team, key string) string { return team + "\x00" + key + "\x00" }

// Loaded reports whether the customer's stored touches were added to the
// set, and marks them so: the caller loads them when it was not.
func (s TouchSet) Loaded(team, key string) bool {
	p := touchPrefix(team, key)
	if s[p] {
		return true
	}
	s[p] = true
	return false
}

// Stored adds a touch found stored for the customer. It is re-encoded, so
// that what is compared is what Marshal makes of an imported touch.
func (s TouchSet) Stored(team, key string, t Touch) error {
	enc, err := json.Marshal(t)
	if err != nil {
		return err
	}
	s[touchPrefix(team, key)+string(enc)] = true
	return nil
}

// Add counts t in n and reports whether it is new, adding it to the set.
func (s TouchSet) Add(key string, t Touch, n *Counts) (bool, error) {
	enc, err := json.Marshal(t)
	if err != nil {
		return false, err
	}
	k := touchPrefix(t.Team, key) + string(enc)
	if s[k] {
		n.Unchanged++
		return false, nil
	}
	s[k] = true
	n.Added++
	return true, nil
}
