package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/keptbot/kept/duetime"
	"github.com/keptbot/kept/workhours"
)

// PromiseState is where a promise is in its life.
type PromiseState string

// Promise states.
const (
	PromiseOpen      PromiseState = "open"
	PromiseKept      PromiseState = "kept"
	PromiseCancelled PromiseState = "cancelled"
)

// Valid reports whether st is one of the states above.
func (st PromiseState) Valid() bool {
	return st == PromiseOpen || st == PromiseKept || st == PromiseCancelled
}

// EventKind says what happened to a promise.
type EventKind string

// History events.
const (
	EventCreated    EventKind = "created"
	EventSnoozed    EventKind = "snoozed" // the reminder moved; the promised time did not
	EventMoved      EventKind = "moved"   // the promised time moved
	EventReassigned EventKind = "reassigned"
	EventReminded   EventKind = "reminded"
	EventOverdue    EventKind = "overdue"
	EventEscalated  EventKind = "escalated" // Detail: who was told, "U1, C2"
	EventKept       EventKind = "kept"
	EventCancelled  EventKind = "cancelled"
	EventEdited     EventKind = "edited"
)

// Event is one line of a promise's history.
type Event struct {
	At     time.Time `json:"at"`
	Kind   EventKind `json:"kind"`
	By     string    `json:"by,omitempty"` // Slack user id, "" for Kept itself
	Detail string    `json:"detail,omitempty"`
}

// OnTimeGrace is how long after the promised time a promise still counts
// as kept on time: the reminder arrives at the due time, and calling back
// at 3:10 for a 3:00 promise is keeping it.
const OnTimeGrace = time.Hour

// Promise is a commitment made to a customer, owned by one person.
//
// Due is what was promised: the time the customer was told. RemindAt,
// when set, is when the owner is to be reminded instead (a snooze): it
// never changes Due, so "on time" is always measured against what was
// promised. Moving Due is its own act (Move), recorded in the history.
type Promise struct {
	Team      string    `json:"team"`
	ID        int64     `json:"id"` // per-team sequence starting at 1, shown as #ID
	Text      string    `json:"text"`
	Customer  string    `json:"customer,omitempty"`
	Owner     string    `json:"owner"`
	Creator   string    `json:"creator"`
	Channel   string    `json:"channel,omitempty"`
	Permalink string    `json:"permalink,omitempty"`
	Due       time.Time `json:"due"`                // the promised time, UTC
	RemindAt  time.Time `json:"remind_at,omitzero"` // a snoozed reminder, UTC; zero: at Due
	MovedFrom time.Time `json:"moved_from,omitzero"`
	Zone      string    `json:"zone,omitempty"` // owner's IANA zone, for recurrences
	Repeat    string    `json:"repeat,omitempty"`
	// Occurrence counts the kept occurrences of a series: a nudge claimed
	// for one occurrence is stale once it is done.
	Occurrence int          `json:"occurrence,omitempty"`
	Created    time.Time    `json:"created"`
	State      PromiseState `json:"state"`
	KeptAt     time.Time    `json:"kept_at,omitzero"`
	OnTime     bool         `json:"on_time,omitempty"`  // kept by Due + OnTimeGrace
	Reminded   bool         `json:"reminded,omitempty"` // the reminder for the current round is claimed
	Overdue    bool         `json:"overdue,omitempty"`  // the overdue follow-up for the current round is claimed
	RemindedAt time.Time    `json:"reminded_at,omitzero"`
	// EscalateAt is when the current round escalates, set when its
	// overdue follow-up is claimed under an escalation policy; Escalated
	// says that escalation is claimed.
	EscalateAt time.Time `json:"escalate_at,omitzero"`
	Escalated  bool      `json:"escalated,omitempty"`
	History    []Event   `json:"history,omitempty"`
}

// Validate checks p's fields against the limits every path shares.
func (p Promise) Validate() error {
	switch {
	case p.Team == "":
		return invalid("team", "The team is empty.")
	case p.Due.IsZero():
		return invalid("due", "When is it due? Give a time.")
	case p.State != "" && !p.State.Valid():
		return invalid("state", "%q is not a state; use open, kept or cancelled.", p.State)
	case p.Channel != "" && !ValidChannel(p.Channel):
		return invalid("channel", "%q is not a Slack channel id.", p.Channel)
	case p.Permalink != "" && !ValidPermalink(p.Permalink):
		return invalid("permalink", "%q is not a Slack message link.", p.Permalink)
	}
	if err := CheckText("text", "promise", p.Text); err != nil {
		return err
	}
	if p.Customer != "" {
		if err := CheckName("customer", p.Customer); err != nil {
			return err
		}
	}
	if err := checkUser("owner", p.Owner, true); err != nil {
		return err
	}
	if err := checkUser("creator", p.Creator, false); err != nil {
		return err
	}
	if err := checkZone("zone", p.Zone); err != nil {
		return err
	}
	if p.Repeat != "" {
		if _, err := duetime.ParseRecurrence(p.Repeat); err != nil {
			return invalid("repeat", "I can't read %q as a repeating schedule.", p.Repeat)
		}
	}
	return nil
}

// NewPromise is the one constructor of a promise, whichever path it comes
// by: it validates p and returns it open, created at now (unless p says
// when), with its "created" event. The text is kept as given (a command
// trims what it reads; an import keeps what was exported).
func NewPromise(p Promise, now time.Time) (Promise, error) {
	p.Customer = DisplayName(p.Customer)
	p.State = PromiseOpen
	if err := p.Validate(); err != nil {
		return Promise{}, err
	}
	p.ID = 0
	if p.Created.IsZero() {
		p.Created = now
	}
	p.Due, p.Created, p.RemindAt = utc(p.Due), utc(p.Created), utc(p.RemindAt)
	p.resetRound()
	p.History = append(p.History[:len(p.History):len(p.History)], Event{At: utc(now), Kind: EventCreated, By: p.Creator})
	return p, nil
}

// ReminderAt is when the owner is next to be reminded: the snooze's time,
// or the promised time.
func (p Promise) ReminderAt() time.Time {
	if !p.RemindAt.IsZero() {
		return p.RemindAt
	}
	return p.Due
}

// Snoozed reports whether the reminder was moved away from the promised time.
func (p Promise) Snoozed() bool { return !p.RemindAt.IsZero() && !p.RemindAt.Equal(p.Due) }

// Late reports whether p, still open, is past its promised time at now.
func (p Promise) Late(now time.Time) bool { return p.State == PromiseOpen && p.Due.Before(now) }

func (p *Promise) open() error {
	if p.State != PromiseOpen {
		return fmt.Errorf("%w: #%d is %s", ErrNotOpen, p.ID, p.State)
	}
	return nil
}

// resetRound forgets the nudges claimed for the last reminder time: a new
// reminder time, occurrence or owner starts a new round, and any nudge
// still in the outbox for the old one is stale (Recheck).
func (p *Promise) resetRound() {
	p.Reminded, p.Overdue, p.RemindedAt = false, false, time.Time{}
	p.EscalateAt, p.Escalated = time.Time{}, false
}

func (p *Promise) record(at time.Time, kind EventKind, by, detail string) {
	p.History = append(p.History, Event{At: utc(at), Kind: kind, By: by, Detail: detail})
}

// Keep marks p kept by user at now. On time means by Due + OnTimeGrace,
// whatever the snoozes. A series stays open: its next occurrence counts
// from the promised time, not from the click, so it never drifts.
func (p *Promise) Keep(by string, now time.Time) error {
	if err := p.open(); err != nil {
		return err
	}
	onTime := !now.After(p.Due.Add(OnTimeGrace))
	detail := "on time"
	if !onTime {
		detail = "late"
	}
	p.record(now, EventKept, by, detail)
	p.KeptAt, p.OnTime = utc(now), onTime
	if next, ok := p.nextOccurrence(); ok {
		p.Due, p.RemindAt, p.MovedFrom = next, time.Time{}, time.Time{}
		p.Occurrence++
		p.resetRound()
		return nil
	}
	p.State = PromiseKept
	return nil
}

// nextOccurrence is the series' occurrence after Due.
func (p *Promise) nextOccurrence() (time.Time, bool) {
	if p.Repeat == "" {
		return time.Time{}, false
	}
	r, err := duetime.ParseRecurrence(p.Repeat)
	if err != nil {
		return time.Time{}, false
	}
	loc := time.UTC
	if l, err := duetime.LoadZone(p.Zone); err == nil && p.Zone != "" {
		loc = l
	}
	return r.Next(p.Due, loc).UTC(), true
}

// Cancel ends p without keeping it.
func (p *Promise) Cancel(by string, now time.Time) error {
	if err := p.open(); err != nil {
		return err
	}
	p.State = PromiseCancelled
	p.record(now, EventCancelled, by, "")
	return nil
}

// Snooze moves the next reminder to until. The promised time stays: the
// customer was told Due, and on time is measured against it.
func (p *Promise) Snooze(by string, until, now time.Time) error {
	if err := p.open(); err != nil {
		return err
	}
	p.record(now, EventSnoozed, by, "until "+utc(until).Format(time.RFC3339))
	p.RemindAt = utc(until)
	p.resetRound()
	return nil
}

// Move changes what was promised: the customer has been told a new time.
// The reminder follows it, and the history and the digest show the move.
func (p *Promise) Move(by string, due, now time.Time) error {
	if err := p.open(); err != nil {
		return err
	}
	if due.Equal(p.Due) {
		return invalid("due", "#%d is already due then; nothing to move.", p.ID)
	}
	p.record(now, EventMoved, by, "from "+p.Due.Format(time.RFC3339)+" to "+utc(due).Format(time.RFC3339))
	if p.MovedFrom.IsZero() {
		p.MovedFrom = p.Due
	}
	p.Due, p.RemindAt = utc(due), time.Time{}
	p.resetRound()
	return nil
}

// Reassign hands p to another owner, whose zone a series then follows.
// The due instant stays; the new owner has not been reminded yet.
func (p *Promise) Reassign(by, to, zone string, now time.Time) error {
	if err := p.open(); err != nil {
		return err
	}
	if p.Owner == to {
		return invalid("owner", "#%d already belongs to them; nothing changed.", p.ID)
	}
	if err := checkUser("owner", to, true); err != nil {
		return err
	}
	p.record(now, EventReassigned, by, p.Owner+" → "+to)
	p.Owner = to
	if zone != "" {
		p.Zone = zone
	}
	p.resetRound()
	return nil
}

// Policy is what decides the follow-ups, set by the operator.
type Policy struct {
	// OverdueAfter is how long after the reminder an unkept promise gets
	// its overdue follow-up; 0 means none.
	OverdueAfter time.Duration
	// Escalate is when and to whom a promise still open after its
	// overdue follow-up escalates; the zero value never escalates.
	Escalate Escalation
}

// Escalation says when a slipping promise is told to someone other than
// its owner: After working days (of Hours, in the owner's zone) after its
// overdue follow-up, to To.
type Escalation struct {
	After int             // working days; 0 means never
	Hours workhours.Hours // whose days are the working days; zero: none count, every day does
	Zone  *time.Location  // when the promise does not say its owner's zone; nil: UTC
	To    []string        // user or channel ids told
}

// On reports whether e escalates at all.
func (e Escalation) On() bool { return e.After > 0 && len(e.To) > 0 }

// at is when a promise whose overdue follow-up went at overdue escalates:
// After whole working days later on the owner's wall clock (a follow-up
// outside working hours counts from when they next begin), so it follows
// the owner's daylight-saving changes, 10:00 staying 10:00.
func (e Escalation) at(overdue time.Time, zone string) time.Time {
	loc := e.Zone
	if l, err := time.LoadLocation(zone); err == nil && zone != "" {
		loc = l
	}
	if loc == nil {
		loc = time.UTC
	}
	return e.Hours.AddDays(overdue, e.After, loc).UTC()
}

// Action is the next nudge a promise is owed and when.
type Action struct {
	Kind NudgeKind
	At   time.Time
}

// NextAction is the one rule of what an open promise is owed next: its
// reminder at ReminderAt, then, under pol, the overdue follow-up
// OverdueAfter after the later of the promised time and the reminder (a
// reminder sent late, because Kept was down or the promise snoozed, gets
// a full OverdueAfter before its follow-up); then its escalation, if the
// follow-up set one (EscalateAt); then nothing.
func (p Promise) NextAction(pol Policy) (Action, bool) {
	switch {
	case p.State != PromiseOpen:
		return Action{}, false
	case !p.Reminded:
		return Action{NudgeReminder, p.ReminderAt()}, true
	case p.Overdue && !p.EscalateAt.IsZero() && !p.Escalated:
		// Fixed when the follow-up was claimed, so that a command's
		// re-index, which knows no escalation policy, keeps it.
		return Action{NudgeEscalation, p.EscalateAt}, true
	case p.Overdue || pol.OverdueAfter <= 0:
		return Action{}, false
	}
	at := later(p.ReminderAt(), p.Due).Add(pol.OverdueAfter)
	if !p.RemindedAt.IsZero() && !p.RemindedAt.Before(at) {
		at = p.RemindedAt.Add(pol.OverdueAfter)
	}
	return Action{NudgeOverdue, at}, true
}

// Claim takes the action due at now, if any: it records that it is
// claimed and returns its nudges, stamped with what they were claimed
// for. A reminder or follow-up is one nudge to the owner; an escalation
// is one to each of pol.Escalate.To but the owner, and one telling the
// owner. An escalation due after the policy was turned off, or with
// nobody but the owner to tell, is claimed with no nudges and not looked
// at again.
func (p *Promise) Claim(now time.Time, pol Policy) []Nudge {
	a, ok := p.NextAction(pol)
	if !ok || a.At.After(now) {
		return nil
	}
	n := Nudge{Kind: a.Kind, Team: p.Team, PromiseID: p.ID, To: p.Owner, State: NudgeDue, NotBefore: utc(now), Created: utc(now), For: p.round()}
	switch a.Kind {
	case NudgeReminder:
		p.Reminded, p.RemindedAt = true, utc(now)
		p.record(now, EventReminded, "", "")
	case NudgeOverdue:
		p.Overdue = true
		p.record(now, EventOverdue, "", "")
		if pol.Escalate.On() {
			p.EscalateAt = pol.Escalate.at(now, p.Zone)
		}
	case NudgeEscalation:
		ns := p.escalate(n, pol.Escalate)
		if len(ns) == 0 {
			p.EscalateAt = time.Time{} // nobody to tell: not looked at again
		}
		p.Escalated = len(ns) > 0
		return ns
	}
	return []Nudge{n}
}

// escalate makes the escalation's nudges from the owner's one, n, and
// records who was told.
func (p *Promise) escalate(n Nudge, e Escalation) []Nudge {
	var out []Nudge
	var told []string
	for _, to := range e.To {
		if to == p.Owner || slices.Contains(told, to) {
			continue // the owner hears it as the owner
		}
		m := n
		m.To = to
		out = append(out, m)
		told = append(told, to)
	}
	if !e.On() || len(out) == 0 {
		return nil
	}
	n.Kind = NudgeEscalated
	p.record(n.Created, EventEscalated, "", strings.Join(told, ", "))
	return append(out, n)
}

// round is what a promise's nudges are claimed for.
func (p Promise) round() Claim {
	return Claim{Owner: p.Owner, Due: p.Due, RemindAt: p.RemindAt, Occurrence: p.Occurrence}
}

// Settle keeps p's claims consistent after a change from old made without
// a transition (an import, an admin's edit): a new round (owner, promised
// time, reminder time or occurrence) has no claims yet.
func (p *Promise) Settle(old Promise) {
	if !p.round().same(old.round()) {
		p.resetRound()
	}
	p.Due, p.RemindAt, p.Created, p.KeptAt, p.MovedFrom = utc(p.Due), utc(p.RemindAt), utc(p.Created), utc(p.KeptAt), utc(p.MovedFrom)
}

// same compares two claims instant by instant, whatever their locations.
func (c Claim) same(d Claim) bool {
	return c.Owner == d.Owner && c.Occurrence == d.Occurrence && c.Due.Equal(d.Due) && c.RemindAt.Equal(d.RemindAt) && c.Checkin.Equal(d.Checkin)
}
