package model

import (
	"fmt"
	"time"
)

// NudgeKind says what a nudge is about.
type NudgeKind string

// Nudge kinds. A new kind is added here (and Known), and rendered by the
// notifier; Recheck says when one goes stale.
const (
	NudgeReminder NudgeKind = "reminder" // a promise came due
	NudgeOverdue  NudgeKind = "overdue"  // a promise is still open well after
	NudgeDigest   NudgeKind = "digest"   // the channel digest; To is a channel
	NudgeCheckin  NudgeKind = "checkin"  // a keep-in-touch prompt; Subject is the customer key
	NudgeWaiting  NudgeKind = "waiting"  // a customer is waiting on us; Subject is "channel|thread"
	// An escalation: a promise still open well after its overdue
	// follow-up. NudgeEscalation tells a lead (or a channel) To; the
	// owner is told by NudgeEscalated.
	NudgeEscalation NudgeKind = "escalation"
	NudgeEscalated  NudgeKind = "escalated"
	// NudgeChanged tells a promise's creator what someone else did to it
	// (kept, moved, handed over, cancelled); Subject is the range of its
	// history events, "3-5" (ChangeEvents).
	NudgeChanged NudgeKind = "changed"
	// NudgeHandover tells a customer's new owner it is theirs now;
	// Subject is the customer key.
	NudgeHandover NudgeKind = "handover"
	NudgeOffer    NudgeKind = "offer" // a follow-up promise offered after a touch; Subject is the customer key, Offer what is offered
	// NudgeDate prompts a customer's owner ahead of a date that matters
	// (a renewal, an anniversary); Subject is the customer key, For.Date
	// the date's key and For.On the occurrence.
	NudgeDate NudgeKind = "date"
)

// Known reports whether k is a kind this version delivers. An unknown one
// (written by a newer Kept, or damaged) fails at once rather than being
// retried.
func (k NudgeKind) Known() bool {
	switch k {
	case NudgeReminder, NudgeOverdue, NudgeDigest, NudgeCheckin, NudgeWaiting, NudgeEscalation, NudgeEscalated, NudgeChanged, NudgeHandover, NudgeOffer, NudgeDate:
		return true
	}
	return false
}

// AboutPromise reports whether k's subject is a promise.
func (k NudgeKind) AboutPromise() bool {
	return k == NudgeReminder || k == NudgeOverdue || k == NudgeEscalation || k == NudgeEscalated
}

// NudgeState is where a nudge is in the outbox.
type NudgeState string

// Nudge states. Due and sending nudges are in the outbox; the others are
// kept for the record only.
const (
	NudgeDue     NudgeState = "due"
	NudgeSending NudgeState = "sending"
	NudgeSent    NudgeState = "sent"
	NudgeFailed  NudgeState = "failed"
	NudgeDropped NudgeState = "dropped" // stale: what it was for moved on (Recheck)
)

// Pending reports whether a nudge in state st is still owed.
func (st NudgeState) Pending() bool { return st == NudgeDue || st == NudgeSending }

// Claim is what a nudge was claimed for: the promise's round (owner,
// promised time, reminder time, occurrence) or the customer's owner and
// check-in instant, or a customer date's occurrence. At delivery it is compared with the record as it is.
type Claim struct {
	Owner      string    `json:"owner,omitempty"`
	Due        time.Time `json:"due,omitzero"`
	RemindAt   time.Time `json:"remind_at,omitzero"`
	Occurrence int       `json:"occurrence,omitempty"`
	Checkin    time.Time `json:"checkin,omitzero"`
	// Date and On are a date prompt's date (CustomerDate.Key) and
	// occurrence (midnight UTC of its day).
	Date string    `json:"date,omitempty"`
	On   time.Time `json:"on,omitzero"`
	// Prompt is when a check-in prompt was meant to go out (the
	// customer's NextPrompt when it was claimed): after downtime it is
	// claimed late, and this says how late (CheckinLate).
	Prompt time.Time `json:"prompt,omitzero"`
}

// Nudge is a message Kept owes someone, kept until it is delivered.
type Nudge struct {
	ID        int64      `json:"id"` // global sequence
	Kind      NudgeKind  `json:"kind"`
	Team      string     `json:"team"`
	PromiseID int64      `json:"promise_id,omitempty"` // 0 when not about a promise
	Subject   string     `json:"subject,omitempty"`    // free key for other kinds, e.g. a customer key
	To        string     `json:"to"`                   // user or channel id to deliver to
	State     NudgeState `json:"state"`
	Attempts  int        `json:"attempts,omitempty"`
	NotBefore time.Time  `json:"not_before"`
	Created   time.Time  `json:"created"`
	For       Claim      `json:"for,omitzero"`
	Channel   string     `json:"channel,omitempty"` // set when sent
	TS        string     `json:"ts,omitempty"`      // set when sent
	Error     string     `json:"error,omitempty"`   // last error text, or why it was dropped
	By        string     `json:"by,omitempty"`      // who made the change a notice is about
	Offer     *Offer     `json:"offer,omitempty"`   // NudgeOffer only
}

// NewNudge is n as queued at now: a new ID to be assigned, Created now,
// State due unless given, NotBefore now unless given.
func NewNudge(n Nudge, now time.Time) Nudge {
	now = now.UTC()
	n.ID, n.Created = 0, now
	if n.State == "" {
		n.State = NudgeDue
	}
	if n.NotBefore.IsZero() {
		n.NotBefore = now
	}
	return n
}

// Verdict is what becomes of a nudge about to be delivered.
type Verdict struct {
	Drop   bool   // stale: do not deliver
	To     string // deliver to this owner instead ("" keeps To)
	Reason string // why, for the record
}

// RecheckPromise compares a promise nudge with its promise as it is now
// (found false: it was deleted). A nudge for an earlier round (snoozed,
// moved, handed over, that occurrence done) or for a promise no longer
// open is dropped: the new round claims its own nudge, so delivering the
// old one would remind twice, early, or the wrong person.
func RecheckPromise(n Nudge, p Promise, found bool) Verdict {
	switch {
	case !found:
		return Verdict{Drop: true, Reason: "the promise is gone"}
	case p.State != PromiseOpen:
		return Verdict{Drop: true, Reason: "the promise is " + string(p.State)}
	case n.For == (Claim{}):
		return Verdict{} // queued by a Kept before claims were recorded
	case n.For.Occurrence != p.Occurrence:
		return Verdict{Drop: true, Reason: "that occurrence was done"}
	case n.For.Owner != p.Owner:
		return Verdict{Drop: true, Reason: "the promise was handed to " + p.Owner}
	case !n.For.Due.Equal(p.Due):
		return Verdict{Drop: true, Reason: "the promise was moved"}
	case !n.For.RemindAt.Equal(p.RemindAt):
		return Verdict{Drop: true, Reason: "the reminder was snoozed"}
	}
	return Verdict{}
}

// RecheckCheckin compares a check-in prompt with its customer as it is
// now (found false: removed). Touched, snoozed or set to never since: the
// prompt is dropped. A new owner: it goes to them instead, since the
// claim already moved the next prompt a cadence on.
func RecheckCheckin(n Nudge, c Customer, found bool, now time.Time) Verdict {
	switch {
	case !found:
		return Verdict{Drop: true, Reason: "the customer was removed"}
	case c.Cadence <= 0:
		return Verdict{Drop: true, Reason: "the customer has no check-ins any more"}
	case c.LastTouch.After(n.Created):
		return Verdict{Drop: true, Reason: "the customer was touched since"}
	case !c.Overdue(now) && (n.For.Checkin.IsZero() || c.CheckinDue().After(n.For.Checkin)):
		return Verdict{Drop: true, Reason: "the check-in was put off"}
	case c.Owner != n.To:
		return Verdict{To: c.Owner, Reason: "the customer is now owned by " + c.Owner}
	}
	return Verdict{}
}

// noticed are the history events a promise's creator is told of.
var noticed = map[EventKind]bool{EventKept: true, EventMoved: true, EventReassigned: true, EventCancelled: true}

// CreatorNotice is the nudge that tells the creator of a promise what by
// did to it, from before to after: when someone else keeps, moves, hands
// over or cancels a promise they recorded for another. Nothing when the
// creator did it, owns it (or now does: they hear it as its owner), or
// when nothing of that kind happened (a snooze, an edit of the text).
func CreatorNotice(before, after Promise, by string, now time.Time) (Nudge, bool) {
	c := before.Creator
	if c == "" || c == by || c == before.Owner || c == after.Owner || len(after.History) <= len(before.History) {
		return Nudge{}, false
	}
	from, to := len(before.History), len(after.History)
	for _, e := range after.History[from:to] {
		if noticed[e.Kind] {
			return NewNudge(Nudge{Kind: NudgeChanged, Team: after.Team, PromiseID: after.ID, To: c, By: by,
				Subject: fmt.Sprintf("%d-%d", from, to)}, now), true
		}
	}
	return Nudge{}, false
}

// ChangeEvents are the events of p a NudgeChanged is about, those of
// them its creator is told of.
func ChangeEvents(n Nudge, p Promise) []Event {
	var from, to int
	if _, err := fmt.Sscanf(n.Subject, "%d-%d", &from, &to); err != nil || from < 0 || to > len(p.History) || from >= to {
		return nil
	}
	var out []Event
	for _, e := range p.History[from:to] {
		if noticed[e.Kind] {
			out = append(out, e)
		}
	}
	return out
}

// HandoverNotice is the nudge that tells a customer's new owner that by
// handed it to them; nothing if the owner did not change or took it
// themselves.
func HandoverNotice(before, after Customer, by string, now time.Time) (Nudge, bool) {
	if after.Owner == before.Owner || after.Owner == by || after.Owner == "" {
		return Nudge{}, false
	}
	return NewNudge(Nudge{Kind: NudgeHandover, Team: after.Team, Subject: after.Key(), To: after.Owner, By: by}, now), true
}
