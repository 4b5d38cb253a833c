package model

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Tier says how much a customer matters; each tier has a default cadence.
type Tier string

// Tiers.
const (
	TierKey      Tier = "key"
	TierStandard Tier = "standard"
)

// Customer is someone the team keeps in touch with.
//
// When a customer is due a touch is CheckinDue, the one rule every surface
// (the prompt, the card, the list, the Home tab, the digest) shows.
// NextPrompt is when the next keep-in-touch prompt goes out: at
// CheckinDue, or a cadence after the last prompt while nobody acts on it.
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
	NextPrompt time.Time     `json:"next_prompt,omitzero"` // zero if Cadence == 0
	// SnoozedUntil is a check-in put off ("Snooze a week"): the customer
	// is not due before it.
	SnoozedUntil time.Time `json:"snoozed_until,omitzero"`
	// LastPrompt is when the last check-in was claimed: a cadence change
	// must not bring the next prompt closer than a cadence after it.
	LastPrompt time.Time `json:"last_prompt,omitzero"`
	// Pending is the last check-in nudge claimed, so that a prompt held
	// back until working hours is not joined by a second one.
	Pending int64 `json:"pending,omitempty"`
	// Dates are the dates that matter (dates.go), in the card's order.
	Dates []CustomerDate `json:"dates,omitempty"`
}

// Validate checks c's fields against the limits every path shares.
func (c Customer) Validate() error {
	switch {
	case c.Team == "":
		return invalid("team", "The team is empty.")
	case c.Tier != "" && c.Tier != TierKey && c.Tier != TierStandard:
		return invalid("tier", "The tier is %q; use key or standard.", c.Tier)
	case c.Cadence < 0 || (c.Cadence > 0 && c.Cadence < MinCadence):
		return invalid("cadence", "The shortest cadence is every day; use 0 for no check-ins.")
	case c.Cadence > MaxCadence:
		return invalid("cadence", "That cadence is far too long; the longest is every 2 years.")
	case utf8.RuneCountInString(c.Notes) > MaxText:
		return invalid("notes", "Those notes are %d characters long; please keep them under %d.", utf8.RuneCountInString(c.Notes), MaxText)
	case utf8.RuneCountInString(c.LastNote) > MaxText:
		return invalid("last_note", "The last note is over %d characters.", MaxText)
	}
	if err := CheckName("name", c.Name); err != nil {
		return err
	}
	if err := checkUser("owner", c.Owner, true); err != nil {
		return err
	}
	if err := c.checkDates(); err != nil {
		return err
	}
	return checkUser("last_by", c.LastBy, false)
}

// NewCustomer is the one constructor of a customer: it tidies the name,
// validates c and schedules its first check-in a cadence after the later
// of its creation and its last touch (an import may bring one).
func NewCustomer(c Customer, now time.Time) (Customer, error) {
	c.Name = DisplayName(c.Name)
	c.Notes = strings.TrimSpace(c.Notes)
	if c.Tier == "" {
		c.Tier = TierStandard
	}
	if err := c.Validate(); err != nil {
		return Customer{}, err
	}
	if c.Created.IsZero() {
		c.Created = now
	}
	c.Created, c.LastTouch = utc(c.Created), utc(c.LastTouch)
	if c.NextPrompt.IsZero() {
		c.NextPrompt = c.CheckinDue()
	}
	c.normalize()
	return c, nil
}

// Key is the name's matching key (CustomerKey).
func (c Customer) Key() string { return CustomerKey(c.Name) }

// CheckinDue is when c is due a touch: a cadence after the later of its
// creation and its last touch, and not before a snooze ends. Zero when c
// has no cadence.
func (c Customer) CheckinDue() time.Time {
	if c.Cadence <= 0 {
		return time.Time{}
	}
	return later(later(c.Created, c.LastTouch).Add(c.Cadence), c.SnoozedUntil)
}

// Overdue reports whether c is past CheckinDue at now.
func (c Customer) Overdue(now time.Time) bool {
	return c.Cadence > 0 && now.After(c.CheckinDue())
}

// Touch applies a logged touch: a newer one than the last becomes the last
// touch, ends any snooze, and the next prompt counts from it; an older one
// (a backfill) changes nothing here.
func (c *Customer) Touch(t Touch) {
	if !c.LastTouch.IsZero() && !t.At.After(c.LastTouch) {
		return
	}
	c.LastTouch, c.LastNote, c.LastBy = utc(t.At), t.Note, t.By
	c.SnoozedUntil = time.Time{}
	c.NextPrompt = c.CheckinDue()
	c.normalize()
}

// SnoozeCheckin puts the check-in off until now+d: c is not due, and not
// prompted, before then.
func (c *Customer) SnoozeCheckin(now time.Time, d time.Duration) error {
	if c.Cadence <= 0 {
		return invalid("cadence", "That customer has no check-ins any more; nothing to snooze.")
	}
	c.SnoozedUntil = utc(now.Add(d))
	c.NextPrompt = c.CheckinDue()
	return nil
}

// SetCadence changes the cadence. The check-in falls due by the new
// cadence; the next prompt comes then, but no sooner than a cadence after
// the last one, so a change never brings a burst of prompts.
func (c *Customer) SetCadence(d time.Duration) error {
	old := *c
	c.Cadence = d
	if err := c.Validate(); err != nil {
		*c = old
		return err
	}
	c.NextPrompt = c.CheckinDue()
	if d > 0 && !c.LastPrompt.IsZero() {
		c.NextPrompt = later(c.NextPrompt, c.LastPrompt.Add(d))
	}
	c.normalize()
	return nil
}

// ClaimCheckin claims the prompt due at now, unless pending (the last one
// claimed is still undelivered). Either way the next prompt moves a
// cadence on, so there is at most one prompt per cadence.
func (c *Customer) ClaimCheckin(now time.Time, pending bool) (Nudge, bool) {
	if c.Cadence <= 0 || c.NextPrompt.IsZero() || c.NextPrompt.After(now) {
		return Nudge{}, false
	}
	meant := c.NextPrompt
	c.NextPrompt = utc(now.Add(c.Cadence))
	if pending {
		return Nudge{}, false
	}
	c.LastPrompt = utc(now)
	return Nudge{Kind: NudgeCheckin, Team: c.Team, Subject: c.Key(), To: c.Owner, State: NudgeDue,
		NotBefore: utc(now), Created: utc(now), For: Claim{Owner: c.Owner, Checkin: c.CheckinDue(), Prompt: utc(meant)}}, true
}

func (c *Customer) normalize() {
	if c.Cadence <= 0 {
		c.Cadence, c.NextPrompt, c.SnoozedUntil = 0, time.Time{}, time.Time{}
	}
	c.NextPrompt, c.SnoozedUntil, c.LastPrompt = utc(c.NextPrompt), utc(c.SnoozedUntil), utc(c.LastPrompt)
}

// TouchKind says how a touch happened.
type TouchKind string

// Touch kinds. The first eight are the ones people log (LoggedKinds);
// promise and prompt are written by Kept itself.
const (
	TouchCall          TouchKind = "call"
	TouchMeeting       TouchKind = "meeting"
	TouchEmail         TouchKind = "email"
	TouchMessage       TouchKind = "message" // also: our side wrote in a linked customer channel
	TouchNote          TouchKind = "note"    // written down, no contact
	TouchProblemSolved TouchKind = "problem solved"
	TouchSaleClosed    TouchKind = "sale closed"
	TouchRenewal       TouchKind = "renewal"
	TouchPromise       TouchKind = "promise" // a promise to the customer was kept
	TouchPrompt        TouchKind = "prompt"  // logged from a check-in prompt, before touches had kinds
)

// LoggedKinds are the kinds a person chooses from when logging a touch, in
// the order the form offers them.
var LoggedKinds = []TouchKind{TouchCall, TouchMeeting, TouchEmail, TouchMessage, TouchNote, TouchProblemSolved, TouchSaleClosed, TouchRenewal}

// Known reports whether k is a kind of touch this version stores: one a
// person logs, or one Kept writes.
func (k TouchKind) Known() bool {
	return k == TouchPromise || k == TouchPrompt || slices.Contains(LoggedKinds, k)
}

// ParseTouchKind reads a kind as people type it: any case, with a space,
// a hyphen or an underscore between the words ("Problem-solved").
func ParseTouchKind(s string) (TouchKind, bool) {
	s = strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), " ")
	k := TouchKind(s)
	return k, slices.Contains(LoggedKinds, k)
}

// Touch is one logged contact with a customer.
type Touch struct {
	Team     string    `json:"team"`
	Customer string    `json:"customer"` // display name
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Kind     TouchKind `json:"kind"`
	Note     string    `json:"note,omitempty"`
}

// NewTouch is the one constructor of a touch; At is now if zero.
func NewTouch(t Touch, now time.Time) (Touch, error) {
	t.Note = strings.TrimSpace(t.Note)
	t.Customer = DisplayName(t.Customer)
	if t.At.IsZero() {
		t.At = now
	}
	t.At = utc(t.At)
	switch {
	case t.Team == "":
		return Touch{}, invalid("team", "The team is empty.")
	case !t.Kind.Known():
		return Touch{}, invalid("kind", "%q is not a kind of touch; use %s.", t.Kind, kindList())
	case utf8.RuneCountInString(t.Note) > MaxText:
		return Touch{}, invalid("note", "That note is %d characters long; please keep it under %d.", utf8.RuneCountInString(t.Note), MaxText)
	}
	if err := CheckName("customer", t.Customer); err != nil {
		return Touch{}, err
	}
	if err := checkUser("by", t.By, false); err != nil {
		return Touch{}, err
	}
	return t, nil
}

// kindList is LoggedKinds in words, for a refusal.
func kindList() string {
	names := make([]string, len(LoggedKinds))
	for i, k := range LoggedKinds {
		names[i] = string(k)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Scope is whose customers and promises a channel's digest covers.
type Scope string

// Digest scopes.
const (
	ScopeAll     Scope = "all"     // the whole workspace
	ScopeMembers Scope = "members" // what the channel's members own
)

// Subscription is a channel that gets the scheduled digest.
type Subscription struct {
	Team    string    `json:"team"`
	Channel string    `json:"channel"`
	Scope   Scope     `json:"scope"`
	Created time.Time `json:"created"`
}

// Settle keeps c's schedule consistent after a change from old made
// without a transition: a cadence changed directly is applied as
// SetCadence would.
func (c *Customer) Settle(old Customer) {
	if c.Cadence != old.Cadence && c.NextPrompt.Equal(old.NextPrompt) {
		_ = c.SetCadence(c.Cadence)
	}
	c.Created, c.LastTouch = utc(c.Created), utc(c.LastTouch)
	c.normalize()
}
