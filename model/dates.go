package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/keptbot/kept/workhours"
)

// Dates that matter (issue 16): a customer's renewal, the anniversaries
// of its contract start and go-live, and any date the team names. Kept
// prompts the owner ahead of each occurrence, once: a renewal
// DatePolicy.RenewalNotice before it, an anniversary on the week of it.

// DateKind says what a customer date is.
type DateKind string

// Date kinds. A renewal happens once (the next one is set when it is
// known); the others come back every year.
const (
	DateRenewal DateKind = "renewal"
	DateStart   DateKind = "contract start"
	DateGoLive  DateKind = "go-live"
	DateNamed   DateKind = "named" // Name says what it is
)

// MaxDates bounds a customer's dates, so a card stays readable.
const MaxDates = 10

// MaxDateName bounds a named date's name.
const MaxDateName = 60

// Day is a calendar day with no zone: a date that matters is the same day
// wherever its owner is. Year is 0 for a yearly date given without one
// ("mar 14"). As text it is 2027-03-01, or --03-14 without a year (ISO
// 8601's form).
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// DayOf is t's calendar day in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day{y, m, d}
}

// IsZero reports whether d is no day.
func (d Day) IsZero() bool { return d == Day{} }

// In is midnight at the start of d in loc.
func (d Day) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays is the day n days after d (before, if n < 0).
func (d Day) AddDays(n int) Day { return DayOf(d.In(time.UTC).AddDate(0, 0, n), time.UTC) }

// Before reports whether d is an earlier day than e.
func (d Day) Before(e Day) bool { return d.Compare(e) < 0 }

// Compare is -1, 0 or +1 as d is before, the same as or after e.
func (d Day) Compare(e Day) int {
	if c := d.Year - e.Year; c != 0 {
		return sign(c)
	}
	if c := int(d.Month) - int(e.Month); c != 0 {
		return sign(c)
	}
	return sign(d.Day - e.Day)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// The day boundaries the world over: the first place where a day starts
// is UTC+14 (Kiribati), the last where it ends UTC-12. Claims are made
// when a day has started somewhere, then held until it has in the
// owner's zone; a day is past once it has ended everywhere.
const (
	earliestZone = 14 * time.Hour
	latestZone   = 12 * time.Hour
)

// StartsAnywhere is when d first begins somewhere on Earth.
func (d Day) StartsAnywhere() time.Time { return d.In(time.UTC).Add(-earliestZone) }

// EndsEverywhere is when d has ended everywhere on Earth.
func (d Day) EndsEverywhere() time.Time { return d.In(time.UTC).Add(24*time.Hour + latestZone) }

// Today is the earliest day that is still today somewhere at now: a date
// on it has not passed for everyone yet.
func Today(now time.Time) Day { return DayOf(now.Add(-latestZone), time.UTC) }

// String is the day as ISO 8601: 2027-03-01, or --03-14 without a year.
func (d Day) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year == 0 {
		return fmt.Sprintf("--%02d-%02d", int(d.Month), d.Day)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText writes d as String does.
func (d Day) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads what MarshalText writes.
func (d *Day) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "" {
		*d = Day{}
		return nil
	}
	if rest, ok := strings.CutPrefix(s, "--"); ok {
		t, err := time.Parse("2006-01-02", "2000-"+rest) // a leap year: --02-29 is a day
		if err != nil {
			return fmt.Errorf("model: day %q: %w", s, err)
		}
		*d = Day{0, t.Month(), t.Day()}
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("model: day %q: %w", s, err)
	}
	*d = DayOf(t, time.UTC)
	return nil
}

// inYear is d's day in year y: Feb 29 falls on Feb 28 in a year without
// one, so a leap-day anniversary is marked every year, a day early rather
// than a day late (the day after would be in another month).
func (d Day) inYear(y int) Day {
	if d.Month == time.February && d.Day == 29 && !isLeap(y) {
		return Day{y, time.February, 28}
	}
	return Day{y, d.Month, d.Day}
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// weekStart is the Monday of d's week (weeks start on Monday, as
// working weeks do).
func (d Day) weekStart() Day {
	wd := d.In(time.UTC).Weekday()
	return d.AddDays(-((int(wd) + 6) % 7))
}

// CustomerDate is one date that matters for a customer.
type CustomerDate struct {
	Kind DateKind `json:"kind"`
	Name string   `json:"name,omitempty"` // what a named date is, as typed
	On   Day      `json:"on"`             // the date; Year 0 for a yearly one given without
	// Next is the occurrence the next prompt is for, zero when none is
	// owed (a renewal prompted, or gone by). Prompted is the last
	// occurrence a prompt was claimed for: a prompt still on its way is
	// for it, or is stale (RecheckDate).
	Next     Day `json:"next,omitzero"`
	Prompted Day `json:"prompted,omitzero"`
}

// Label is what the date is, in words: "renewal", "go-live" or the name.
func (d CustomerDate) Label() string {
	if d.Kind == DateNamed {
		return d.Name
	}
	return string(d.Kind)
}

// Key is what tells a customer's dates apart: the label, folded as a
// customer name is.
func (d CustomerDate) Key() string { return CustomerKey(d.Label()) }

// Yearly reports whether d comes back every year: all but a renewal.
func (d CustomerDate) Yearly() bool { return d.Kind != DateRenewal }

// Occurrence is the first occurrence of d on or after from, zero if none:
// a renewal occurs once; a yearly date on its day each year from its
// year (from any year if it has none), Feb 29 on Feb 28 in other years.
func (d CustomerDate) Occurrence(from Day) Day {
	if !d.Yearly() {
		if d.On.Before(from) {
			return Day{}
		}
		return d.On
	}
	y := max(from.Year, d.On.Year)
	if o := d.On.inYear(y); !o.Before(from) {
		return o
	}
	return d.On.inYear(y + 1)
}

// Occurs reports whether day is an occurrence of d.
func (d CustomerDate) Occurs(day Day) bool { return !day.IsZero() && d.Occurrence(day) == day }

// Years is how many years occurrence o is after d's own date: 3 for the
// third anniversary of a go-live, 0 for the date itself or a date with no
// year.
func (d CustomerDate) Years(o Day) int {
	if d.On.Year == 0 {
		return 0
	}
	return o.Year - d.On.Year
}

// DatePolicy is how far ahead dates are prompted.
type DatePolicy struct {
	// RenewalNotice is how long before a renewal its owner hears of it,
	// in whole days; an anniversary is prompted on the Monday of its week.
	RenewalNotice time.Duration
}

// DefaultDates is the policy when none is configured: 30 days' notice of a
// renewal.
var DefaultDates = DatePolicy{RenewalNotice: 30 * 24 * time.Hour}

// OrDefault is p, or DefaultDates when p is the zero policy (none
// configured).
func (p DatePolicy) OrDefault() DatePolicy {
	if p == (DatePolicy{}) {
		return DefaultDates
	}
	return p
}

// Ahead is how far past now a store reads its renewal index for
// ClaimDates: the notice in whole days, as PromptDay counts it.
func (p DatePolicy) Ahead() time.Duration { return time.Duration(p.noticeDays()) * 24 * time.Hour }

// noticeDays is p's renewal notice in whole days.
func (p DatePolicy) noticeDays() int {
	if p.RenewalNotice <= 0 {
		return 0
	}
	return int(p.RenewalNotice / (24 * time.Hour))
}

// PromptDay is the day the prompt for occurrence o of d goes out, in its
// owner's zone: RenewalNotice before a renewal, the Monday of the week
// of an anniversary.
func (d CustomerDate) PromptDay(o Day, p DatePolicy) Day {
	if d.Yearly() {
		return o.weekStart()
	}
	return o.AddDays(-p.noticeDays())
}

// PromptAt is when occurrence o of d reaches its owner, in loc, under p:
// its prompt day's start there, or now once that has begun, in the
// owner's working hours wh.
func (d CustomerDate) PromptAt(o Day, p DatePolicy, wh workhours.Hours, loc *time.Location, now time.Time) time.Time {
	from := d.PromptDay(o, p).In(loc)
	if from.Before(now) {
		from = now
	}
	return wh.Next(from, loc)
}

// indexDay is the day a store's date index files d under, the same under
// any policy: a renewal's own day (the store reads that index a notice
// ahead), the week's Monday of an anniversary.
func (d CustomerDate) indexDay() Day {
	if d.Yearly() {
		return d.Next.weekStart()
	}
	return d.Next
}

// DateIndex is what a store indexes of c's dates for ClaimDates: the
// earliest pending renewal and the earliest pending anniversary prompt,
// as the instants their days first begin anywhere; zero for none. A
// store reads the renewal index up to now plus the notice and the
// anniversary index up to now, so a change of the notice applies at once
// without re-indexing.
func (c Customer) DateIndex() (renewal, anniversary time.Time) {
	for _, d := range c.Dates {
		if d.Next.IsZero() {
			continue
		}
		at := d.indexDay().StartsAnywhere()
		slot := &anniversary
		if !d.Yearly() {
			slot = &renewal
		}
		if slot.IsZero() || at.Before(*slot) {
			*slot = at
		}
	}
	return renewal, anniversary
}

// ParseDay reads a date as people type it: 2027-03-01, mar 14, 14 march,
// march 14 2027, 14 mar 2027 (a comma or "the" and ordinals are fine:
// "March 14th, 2027"). Without a year, Year is 0.
func ParseDay(s string) (Day, error) {
	refuse := func() (Day, error) {
		return Day{}, invalid("date", "I can't read “%s” as a date. Write it like 2027-03-01, mar 14 or 14 march 2027.", s)
	}
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return DayOf(t, time.UTC), nil
	}
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	words = slices.DeleteFunc(words, func(w string) bool { return w == "the" || w == "of" })
	var d Day
	for _, w := range words {
		if m, ok := monthNames[w]; ok && d.Month == 0 {
			d.Month = m
			continue
		}
		n, ok := dayNumber(w)
		switch {
		case ok && d.Day == 0 && n >= 1 && n <= 31 && len(w) <= 4:
			d.Day = n
		case ok && d.Year == 0 && len(w) == 4 && n >= 1900 && n <= 2999:
			d.Year = n
		default:
			return refuse()
		}
	}
	if d.Month == 0 || d.Day == 0 {
		return refuse()
	}
	y := d.Year
	if y == 0 {
		y = 2000 // a leap year: Feb 29 without a year is a day
	}
	if t := (Day{y, d.Month, d.Day}).In(time.UTC); t.Day() != d.Day {
		return Day{}, invalid("date", "%s has no day %d.", d.Month, d.Day)
	}
	return d, nil
}

// dayNumber reads 14, 14th, 1st, 2nd, 3rd.
func dayNumber(w string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if t, ok := strings.CutSuffix(w, suf); ok && t != "" {
			w = t
			break
		}
	}
	n, err := strconv.Atoi(w)
	return n, err == nil && n > 0
}

var monthNames = func() map[string]time.Month {
	m := map[string]time.Month{"sept": time.September}
	for mo := time.January; mo <= time.December; mo++ {
		name := strings.ToLower(mo.String())
		m[name], m[name[:3]] = mo, mo
	}
	return m
}()

// SetDate adds d to c's dates, or replaces the date with its key: its next
// occurrence from now on is prompted, once. The same date set again
// changes nothing (a prompt already claimed for it stands). A renewal
// that has passed everywhere, a renewal without a year, an empty or long
// name, or too many dates is refused.
func (c *Customer) SetDate(d CustomerDate, now time.Time) error {
	d.Name = strings.Join(strings.Fields(d.Name), " ")
	if d.Kind != DateNamed {
		d.Name = ""
	}
	switch {
	case d.Kind != DateRenewal && d.Kind != DateStart && d.Kind != DateGoLive && d.Kind != DateNamed:
		return invalid("date", "%q is not a kind of date; use renewal, contract start, go-live or a named date.", d.Kind)
	case d.Kind == DateNamed && CustomerKey(d.Name) == "":
		return invalid("date", "Name the date, as in `date \"kickoff anniversary\" mar 14`.")
	case utf8.RuneCountInString(d.Name) > MaxDateName:
		return invalid("date", "That date's name is %d characters long; please keep it under %d.", utf8.RuneCountInString(d.Name), MaxDateName)
	case strings.IndexFunc(d.Name, unicode.IsControl) >= 0:
		return invalid("date", "A date's name can't contain control characters.")
	case d.On.Month < time.January || d.On.Month > time.December || d.On.Day < 1 || d.On.Day > 31:
		return invalid("date", "That is not a date.")
	case d.Kind == DateRenewal && d.On.Year == 0:
		return invalid("date", "A renewal happens on one day: give its year, as in `renewal 2027-03-01`.")
	case d.Kind == DateRenewal && d.On.Before(Today(now)):
		return invalid("date", "That renewal date, %s, has passed. Give the next renewal, or `renewal none` to clear it.", d.On)
	}
	if d.Kind == DateNamed {
		for _, k := range []DateKind{DateRenewal, DateStart, DateGoLive} {
			if d.Key() == CustomerKey(string(k)) {
				return invalid("date", "“%s” is a date of its own: set it with `%s …`, not as a named date.", d.Name, k)
			}
		}
	}
	i := c.dateIndex(d.Key())
	if i >= 0 && c.Dates[i].Kind == d.Kind && c.Dates[i].On == d.On {
		c.Dates[i].Name = d.Name // a respelling is no new date
		return nil
	}
	if i < 0 && len(c.Dates) >= MaxDates {
		return invalid("date", "A customer can have up to %d dates; remove one first (`date \"…\" none`).", MaxDates)
	}
	d.Prompted = Day{}
	d.Next = d.Occurrence(Today(now))
	if i >= 0 {
		c.Dates[i] = d
	} else {
		c.Dates = append(c.Dates, d)
	}
	c.sortDates()
	return nil
}

// ScheduleDates schedules dates that came from outside (an import): a
// date the stored customer before (nil: none) has unchanged keeps its
// schedule there, so that a file cannot prompt an occurrence again; any
// other that has no next occurrence to prompt and was never prompted, or
// whose next one is not an occurrence of it, gets its next occurrence
// from now, as SetDate does.
func (c *Customer) ScheduleDates(before *Customer, now time.Time) {
	c.Dates = slices.Clone(c.Dates) // the caller's records stay as they are
	for i := range c.Dates {
		d := &c.Dates[i]
		if before != nil {
			if old, ok := before.Date(d.Key()); ok && old.Kind == d.Kind && old.On == d.On {
				d.Next, d.Prompted = old.Next, old.Prompted
				continue
			}
		}
		if (d.Next.IsZero() && d.Prompted.IsZero()) || (!d.Next.IsZero() && !d.Occurs(d.Next)) {
			d.Next = d.Occurrence(Today(now))
		}
	}
	c.sortDates()
}

// checkDates holds c's dates, however they came (an import), to what
// SetDate allows, but for a renewal gone by, which is a record.
func (c Customer) checkDates() error {
	if len(c.Dates) > MaxDates {
		return invalid("dates", "A customer can have up to %d dates; this one has %d.", MaxDates, len(c.Dates))
	}
	seen := map[string]bool{}
	for _, d := range c.Dates {
		probe := Customer{}
		if err := probe.SetDate(d, time.Time{}); err != nil {
			return err
		}
		if seen[d.Key()] {
			return invalid("dates", "The date “%s” is given twice.", d.Label())
		}
		seen[d.Key()] = true
	}
	return nil
}

// RemoveDate removes the date with key (CustomerDate.Key); false if c
// has none. A prompt for it still on its way is dropped (RecheckDate).
func (c *Customer) RemoveDate(key string) bool {
	i := c.dateIndex(CustomerKey(key))
	if i < 0 {
		return false
	}
	c.Dates = slices.Delete(c.Dates, i, i+1)
	if len(c.Dates) == 0 {
		c.Dates = nil
	}
	return true
}

// Date is c's date with key.
func (c Customer) Date(key string) (CustomerDate, bool) {
	if i := c.dateIndex(CustomerKey(key)); i >= 0 {
		return c.Dates[i], true
	}
	return CustomerDate{}, false
}

func (c Customer) dateIndex(key string) int {
	return slices.IndexFunc(c.Dates, func(d CustomerDate) bool { return d.Key() == key })
}

// sortDates keeps the kinds first (renewal, contract start, go-live), then
// the named dates by name: the order the card shows them in.
func (c *Customer) sortDates() {
	rank := map[DateKind]int{DateRenewal: 0, DateStart: 1, DateGoLive: 2, DateNamed: 3}
	slices.SortStableFunc(c.Dates, func(a, b CustomerDate) int {
		if r := rank[a.Kind] - rank[b.Kind]; r != 0 {
			return r
		}
		return strings.Compare(a.Key(), b.Key())
	})
}

// ClaimDates claims the date prompts due at now under p: each date whose
// next occurrence's prompt day has begun somewhere gets one nudge, and its
// next occurrence moves on (a renewal's to none), so each occurrence is
// prompted once however often this runs. An occurrence that ended
// everywhere before it was claimed (Kept was down through it) is passed
// over: a prompt for a day gone by is no help.
func (c *Customer) ClaimDates(now time.Time, p DatePolicy) []Nudge {
	now = now.UTC()
	var out []Nudge
	for i := range c.Dates {
		d := &c.Dates[i]
		for !d.Next.IsZero() && !now.Before(d.PromptDay(d.Next, p).StartsAnywhere()) {
			o := d.Next
			d.Next = Day{}
			if d.Yearly() {
				d.Next = d.Occurrence(o.AddDays(1))
			}
			if !now.Before(o.EndsEverywhere()) {
				continue
			}
			d.Prompted = o
			out = append(out, Nudge{Kind: NudgeDate, Team: c.Team, Subject: c.Key(), To: c.Owner, State: NudgeDue,
				NotBefore: now, Created: now, For: Claim{Owner: c.Owner, Date: d.Key(), On: o.In(time.UTC)}})
		}
	}
	return out
}

// RecheckDate compares a date prompt with its customer as it is now
// (found false: removed): a date removed or changed since the claim drops
// it (a changed date claims its own); a new owner gets it instead.
func RecheckDate(n Nudge, c Customer, found bool) Verdict {
	if !found {
		return Verdict{Drop: true, Reason: "the customer was removed"}
	}
	d, ok := c.Date(n.For.Date)
	switch on := DayOf(n.For.On, time.UTC); {
	case !ok:
		return Verdict{Drop: true, Reason: "the date was removed"}
	case d.Prompted != on || !d.Occurs(on):
		return Verdict{Drop: true, Reason: "the date was changed"}
	case c.Owner != n.To:
		return Verdict{To: c.Owner, Reason: "the customer is now owned by " + c.Owner}
	}
	return Verdict{}
}

// Gesture reports whether a prompt for d calls for a small gesture (a
// thank-you note, a call just to say thanks): an anniversary of a key
// customer, when doing something more than expected counts most.
func (c Customer) Gesture(d CustomerDate) bool { return c.Tier == TierKey && d.Yearly() }
