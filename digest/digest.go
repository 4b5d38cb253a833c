// Package digest gathers the channel digest from the store: which customers
// nobody has talked to, which promises are late, and whether the team kept
// its word this week. Rendering it is slackui's; gathering and showing are
// apart so that golden files pin down what people read and the benchmark
// measures what the store costs.
package digest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// Source is what the digest reads of the store; *store.Bolt has it.
type Source interface {
	Customers(team string) ([]store.Customer, error)
	TouchesBetween(team string, from, to time.Time) ([]store.Touch, error)
	DuePromises(team string, from, to, lateAt time.Time) ([]store.Promise, error)
	// TeamWaits lists the customers' messages in their channels that
	// nobody on our side has answered, oldest first.
	TeamWaits(team string) ([]store.Wait, error)
	// TeamHeard is when each customer last wrote to us, by customer key,
	// for their health.
	TeamHeard(team string) (map[string]store.Heard, error)
}

// Digest is what the channel digest reports, ready to render.
type Digest struct {
	Now time.Time
	// Members is true when the digest covers only the customers and
	// promises of a channel's members, not the whole workspace.
	Members bool
	// TeamView, when known, is a link to the lead's team view in Kept's
	// App Home (slack://app?team=…&id=…&tab=home), where "and N more"
	// points.
	TeamView string
	Quiet    []CustomerRow // past their cadence, most urgent first
	Silent   []CustomerRow // no touch in 30 days and not in Quiet
	Late     []LateRow     // open past their due time, longest overdue first
	Waiting  []WaitRow     // customers' messages nobody on our side answered, oldest first
	Week     WeekStats     // the seven days up to Now
	Before   WeekStats     // the seven days before those
}

// WaitRow is a customer's message waiting on us.
type WaitRow struct {
	Customer, Owner, By, Channel string
	At                           time.Time
}

// CustomerRow is a customer in need of attention.
type CustomerRow struct {
	Name, Owner string
	Key         bool
	Touched     bool          // ever touched; if not, Since counts from when it was added
	Since       time.Duration // since the last touch
	Cadence     time.Duration // 0 when it has none
	Past        time.Duration // how long past its check-in (model.Customer.CheckinDue), in Quiet
	Health      model.Health  // model.Customer.HealthOf
	Why         model.HealthReason
	// Heard is when the customer last wrote in its channels, zero if
	// never: a customer we have not called may still be talking to us.
	Heard time.Time
}

// LateRow is a promise still open after its due time.
type LateRow struct {
	ID                    int64
	Owner, Customer, Text string
	Due                   time.Time
	MovedFrom             time.Time // what was first promised, if the promise was moved
	Escalated             bool      // escalated to a lead or channel (KEPT_ESCALATE_AFTER)
}

// WeekStats is how a week went: the promises due in it and what became of
// them, and the touches logged.
type WeekStats struct {
	Due, OnTime, KeptLate, Open, Touches int
	// Moved counts the promises due in the week whose promised time was
	// moved (the customer was told a new time).
	Moved int
}

// Empty reports whether the digest has nothing to say.
func (d Digest) Empty() bool {
	return len(d.Quiet) == 0 && len(d.Silent) == 0 && len(d.Late) == 0 && len(d.Waiting) == 0 && d.Week == (WeekStats{}) && d.Before == (WeekStats{})
}

// Build gathers team's digest at now. owners, when not nil, limits
// it to the customers, promises and touches of those users (a subscribed
// channel's members). loc is the workspace's zone, in which customers'
// health counts its days.
func Build(st Source, team string, owners map[string]bool, now time.Time, loc *time.Location) (Digest, error) {
	d := Digest{Now: now, Members: owners != nil}
	mine := func(user string) bool { return owners == nil || owners[user] }

	customers, err := st.Customers(team)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	waits, err := st.TeamWaits(team)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	// Each customer's key once: case folding tens of thousands of names
	// was a tenth of a large workspace's digest.
	keys := make([]string, len(customers))
	for i, c := range customers {
		keys[i] = c.Key()
	}
	owner := map[string]string{}
	for i, c := range customers {
		if len(waits) == 0 {
			break // the map is only for the waits
		}
		owner[keys[i]] = c.Owner
	}
	for _, w := range waits {
		if o, ok := owner[store.CustomerKey(w.Customer)]; ok && mine(o) {
			d.Waiting = append(d.Waiting, WaitRow{Customer: w.Customer, Owner: o, By: w.By, Channel: w.Channel, At: w.At})
		}
	}
	weekStart, beforeStart := now.Add(-week), now.Add(-2*week)
	// Up to the end of the health's "due soon" window: a promise due in
	// it makes its customer due soon.
	promises, err := st.DuePromises(team, beforeStart, now.AddDate(0, 0, model.DueSoonDays+1), now)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	health, heard, err := teamHealth(st, team, customers, promises, loc, now)
	if err != nil {
		return Digest{}, err
	}
	for i, c := range customers {
		if !mine(c.Owner) {
			continue
		}
		row := CustomerRow{Name: c.Name, Owner: c.Owner, Key: c.Tier == store.KeyTier, Cadence: c.Cadence, Touched: !c.LastTouch.IsZero(), Health: health[keys[i]].Health, Why: health[keys[i]].Why}
		last := c.LastTouch
		if !row.Touched {
			last = c.Created
		}
		row.Since = now.Sub(last)
		row.Heard = heard[keys[i]].At
		switch {
		case c.Overdue(now): // the one rule (model.Customer.CheckinDue): a snooze counts
			row.Past = now.Sub(c.CheckinDue())
			d.Quiet = append(d.Quiet, row)
		case row.Since >= silentAfter:
			d.Silent = append(d.Silent, row)
		}
	}
	// Key customers first; then the furthest past their cadence, or the
	// longest silent.
	slices.SortFunc(d.Quiet, func(a, b CustomerRow) int {
		return cmp.Or(keyFirst(a, b), cmp.Compare(b.Past, a.Past), strings.Compare(a.Name, b.Name))
	})
	slices.SortFunc(d.Silent, func(a, b CustomerRow) int {
		return cmp.Or(keyFirst(a, b), cmp.Compare(b.Since, a.Since), strings.Compare(a.Name, b.Name))
	})

	// DuePromises sorts by due time, so Late comes longest overdue first.
	for _, p := range promises {
		if !mine(p.Owner) {
			continue
		}
		if p.State == store.Open && p.Due.Before(now) {
			d.Late = append(d.Late, LateRow{ID: p.ID, Owner: p.Owner, Customer: p.Customer, Text: p.Text, Due: p.Due, MovedFrom: p.MovedFrom, Escalated: p.Escalated})
		}
		if p.Due.Before(beforeStart) || !p.Due.Before(now) {
			continue
		}
		w := &d.Week
		if p.Due.Before(weekStart) {
			w = &d.Before
		}
		w.Due++
		if !p.MovedFrom.IsZero() {
			w.Moved++
		}
		switch {
		case p.State == store.Open:
			w.Open++
		case p.OnTime:
			w.OnTime++
		default:
			w.KeptLate++
		}
	}
	touches, err := st.TouchesBetween(team, beforeStart, now)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	for _, t := range touches {
		if !mine(t.By) {
			continue
		}
		if t.At.Before(weekStart) {
			d.Before.Touches++
		} else {
			d.Week.Touches++
		}
	}
	return d, nil
}

// teamHealth is every customer's health (model.TeamHealth) from the
// promises read and when each was last heard from.
func teamHealth(st Source, team string, customers []store.Customer, promises []store.Promise, loc *time.Location, now time.Time) (map[string]model.Standing, map[string]store.Heard, error) {
	heard, err := st.TeamHeard(team)
	if err != nil {
		return nil, nil, fmt.Errorf("digest: %w", err)
	}
	at := make(map[string]time.Time, len(heard))
	for k, h := range heard {
		at[k] = h.At
	}
	return model.TeamHealth(customers, at, promises, loc, now), heard, nil
}

func keyFirst(a, b CustomerRow) int {
	switch {
	case a.Key == b.Key:
		return 0
	case a.Key:
		return -1
	}
	return 1
}

const (
	// silentAfter is how long without a touch puts a customer in "Nothing
	// in 30 days".
	silentAfter = 30 * 24 * time.Hour
	// week is the digest's week: the seven days up to it, which on the
	// default Monday 9:00 schedule is the week just ended.
	week = 7 * 24 * time.Hour
)
