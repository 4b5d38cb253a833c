package model

import (
	"time"
	"unicode/utf8"
)

// Follow-ups that the moment calls for: after a problem is solved, check
// that the fix holds; after a sale, ask how it is going. Kept offers the
// customer's owner a promise for it, once per touch, and records nothing
// unless they accept.

// FollowupPolicy is after how long each kind of touch calls for a
// follow-up; zero or less is none.
type FollowupPolicy struct {
	ProblemSolved time.Duration
	SaleClosed    time.Duration
}

// DefaultFollowups are the follow-ups of the README's settings table.
var DefaultFollowups = FollowupPolicy{ProblemSolved: 7 * 24 * time.Hour, SaleClosed: 30 * 24 * time.Hour}

// Offer is the follow-up promise offered after a touch: what the touch
// was, and the promise it calls for (Text, due at Due in Zone, the
// owner's).
type Offer struct {
	Customer string    `json:"customer"` // display name
	Kind     TouchKind `json:"kind"`
	Note     string    `json:"note,omitempty"`
	TouchAt  time.Time `json:"touch_at"`
	TouchBy  string    `json:"touch_by"`
	Text     string    `json:"text"`
	Due      time.Time `json:"due"`
	Zone     string    `json:"zone"`
}

// followupTexts are what each kind of touch calls for.
var followupTexts = map[TouchKind]string{
	TouchProblemSolved: "Check the fix holds",
	TouchSaleClosed:    "How is it going?",
}

// maxOfferNote bounds how much of the touch's note the promise repeats, so
// the reminder has its context without the whole note.
const maxOfferNote = 120

// OfferFor is the follow-up touch t with c calls for under p, if any: its
// text (with the note for context), due the given days after the touch
// on the calendar of loc (the owner's zone), at 9:00 as a day without a
// time is everywhere, so a DST change between them moves nothing. When
// that has already passed (a touch logged late), it is the next 9:00
// after now.
func OfferFor(c Customer, t Touch, p FollowupPolicy, now time.Time, loc *time.Location) (Offer, bool) {
	after := map[TouchKind]time.Duration{TouchProblemSolved: p.ProblemSolved, TouchSaleClosed: p.SaleClosed}[t.Kind]
	text, ok := followupTexts[t.Kind]
	if !ok || after <= 0 {
		return Offer{}, false
	}
	if note := t.Note; note != "" {
		if utf8.RuneCountInString(note) > maxOfferNote {
			note = string([]rune(note)[:maxOfferNote-1]) + "…"
		}
		text += ": " + note
	}
	return Offer{
		Customer: c.Name, Kind: t.Kind, Note: t.Note, TouchAt: utc(t.At), TouchBy: t.By,
		Text: text, Due: utc(FollowupDue(t.At, after, now, loc)), Zone: loc.String(),
	}, true
}

// FollowupDue is 9:00 on the day whole days after at (after rounded
// down to days, at least one) on loc's calendar, or the next 9:00 after
// now once that has passed.
func FollowupDue(at time.Time, after time.Duration, now time.Time, loc *time.Location) time.Time {
	days := max(int(after/(24*time.Hour)), 1)
	l := at.In(loc)
	due := time.Date(l.Year(), l.Month(), l.Day()+days, 9, 0, 0, 0, loc)
	if due.After(now) {
		return due
	}
	n := now.In(loc)
	due = time.Date(n.Year(), n.Month(), n.Day(), 9, 0, 0, 0, loc)
	if !due.After(now) {
		due = time.Date(n.Year(), n.Month(), n.Day()+1, 9, 0, 0, 0, loc)
	}
	return due
}
