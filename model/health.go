package model

import (
	"slices"
	"strings"
	"time"
)

// Health is how a relationship stands, at a glance: the one status the
// card, the list, the Home tab and the digest show for a customer.
type Health string

// Healths, from best to worst.
const (
	HealthOnTrack    Health = "on track"
	HealthDueSoon    Health = "due soon"
	HealthGoingQuiet Health = "going quiet"
	HealthNeglected  Health = "neglected"
)

// HealthOrder lists every health, best first.
var HealthOrder = []Health{HealthOnTrack, HealthDueSoon, HealthGoingQuiet, HealthNeglected}

// Severity orders healths: 0 for on track up to 3 for neglected, -1 for
// anything else.
func (h Health) Severity() int {
	for i, x := range HealthOrder {
		if x == h {
			return i
		}
	}
	return -1
}

// HealthReason says which part of the rule decided a customer's health.
type HealthReason string

// Reasons, one per branch of HealthOf.
const (
	ReasonLatePromise HealthReason = "late promise"  // neglected: a promise to them is late
	ReasonSilent      HealthReason = "silent"        // neglected: past the check-in by a whole cadence, and not heard from
	ReasonOverdue     HealthReason = "overdue"       // going quiet: past the check-in
	ReasonCheckinSoon HealthReason = "check-in soon" // due soon: the check-in falls due within DueSoonDays
	ReasonPromiseSoon HealthReason = "promise soon"  // due soon: a promise to them falls due within DueSoonDays
	ReasonDateSoon    HealthReason = "date soon"     // due soon: a date that matters is within DateSoonDays
	ReasonNone        HealthReason = ""              // on track
)

const (
	// DueSoonDays is the window of "due soon", in calendar days counted
	// from today: today and the next two days, time enough to call
	// before the prompt or the promised time.
	DueSoonDays = 3
	// DateSoonDays is how far ahead a date that matters (a renewal, an
	// anniversary) makes a customer due soon.
	DateSoonDays = 14
	// QuietWithout is the cadence a customer without one is held to for
	// its health: the month list ("names with nothing next to them in the
	// last month need action"). It sends no prompt.
	QuietWithout = 30 * 24 * time.Hour
)

// Standing is a customer's health and the reason for it, as HealthOf
// gives them.
type Standing struct {
	Health Health
	Why    HealthReason
}

// HealthFacts are what the health rule reads besides the customer.
type HealthFacts struct {
	// LastHeard is the last time the customer wrote to us in a linked
	// channel; zero if never.
	LastHeard time.Time
	// Promises are the customer's promises; only open ones count.
	Promises []Promise
}

// HealthOf is the one rule of a customer's health at now. Calendar days
// are counted in loc, the workspace's zone, so every surface and every
// reader gets the same answer. The first branch that holds decides:
//
//  1. Neglected: a promise to the customer is still open past its
//     promised time and OnTimeGrace (it can no longer be kept on time);
//     or the customer is past its check-in (CheckinDue) by a whole
//     cadence more, and has not written to us within the last cadence.
//  2. Going quiet: past its check-in. A customer without a cadence is
//     held to QuietWithout from its last touch (or from when it was
//     added), for the health only.
//  3. Due soon: the check-in, or an open promise to the customer, falls
//     due today or in the next DueSoonDays-1 days; or a date that matters
//     (the next occurrence of one of c.Dates) is today or within
//     DateSoonDays after.
//  4. On track: none of these.
//
// A message from the customer does not postpone the check-in (the prompt
// is ours to act on), but it keeps a customer who is past it from being
// called neglected: they are not silent, we are.
func (c Customer) HealthOf(f HealthFacts, loc *time.Location, now time.Time) (Health, HealthReason) {
	if loc == nil {
		loc = time.UTC
	}
	for _, p := range f.Promises {
		if p.State == PromiseOpen && now.After(p.Due.Add(OnTimeGrace)) {
			return HealthNeglected, ReasonLatePromise
		}
	}
	every, due := c.Cadence, c.CheckinDue()
	if every <= 0 {
		every = QuietWithout
		due = later(later(c.Created, c.LastTouch).Add(every), c.SnoozedUntil)
	}
	if !now.Before(due.Add(every)) && (f.LastHeard.IsZero() || now.Sub(f.LastHeard) >= every) {
		return HealthNeglected, ReasonSilent
	}
	if now.After(due) {
		return HealthGoingQuiet, ReasonOverdue
	}
	soon := dayStart(now, loc, DueSoonDays)
	if due.Before(soon) && c.Cadence > 0 {
		return HealthDueSoon, ReasonCheckinSoon
	}
	for _, p := range f.Promises {
		if p.State == PromiseOpen && p.Due.Before(soon) {
			return HealthDueSoon, ReasonPromiseSoon
		}
	}
	today := DayOf(now, loc)
	last := today.AddDays(DateSoonDays)
	for _, d := range c.Dates {
		if o := d.Occurrence(today); !o.IsZero() && !last.Before(o) {
			return HealthDueSoon, ReasonDateSoon
		}
	}
	return HealthOnTrack, ReasonNone
}

// dayStart is midnight in loc, days after today's.
func dayStart(now time.Time, loc *time.Location, days int) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d+days, 0, 0, 0, 0, loc)
}

// TeamHealth is the health of each of cs, and why, by customer key, from the last
// time each was heard from (heard, by customer key) and promises (any of
// the team's; those naming no customer of cs count for nothing).
func TeamHealth(cs []Customer, heard map[string]time.Time, promises []Promise, loc *time.Location, now time.Time) map[string]Standing {
	// Each customer's open promises, as sub-slices of one slice sorted
	// by customer: tens of thousands of small slices, each grown by
	// append, were a third of this.
	type open struct {
		key string
		i   int
	}
	var opens []open
	for i := range promises {
		if p := &promises[i]; p.Customer != "" && p.State == PromiseOpen {
			opens = append(opens, open{CustomerKey(p.Customer), i})
		}
	}
	slices.SortStableFunc(opens, func(a, b open) int { return strings.Compare(a.key, b.key) })
	grouped := make([]Promise, len(opens))
	byCustomer := map[string][]Promise{}
	for lo := 0; lo < len(opens); {
		hi := lo + 1
		for hi < len(opens) && opens[hi].key == opens[lo].key {
			hi++
		}
		for j := lo; j < hi; j++ {
			grouped[j] = promises[opens[j].i]
		}
		byCustomer[opens[lo].key] = grouped[lo:hi:hi]
		lo = hi
	}
	out := make(map[string]Standing, len(cs))
	for _, c := range cs {
		k := c.Key()
		h, why := c.HealthOf(HealthFacts{LastHeard: heard[k], Promises: byCustomer[k]}, loc, now)
		out[k] = Standing{h, why}
	}
	return out
}
