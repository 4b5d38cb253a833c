package slackui

import (
	"cmp"
	"slices"
	"strings"

	"github.com/keptbot/kept/model"
)

// A customer's health (model.Customer.HealthOf) is drawn here only, so the
// card, the list, the Home tab, the digest and the team view show it with
// the same mark and words.

// healthMarks are each health's mark: a colour anyone reads at a glance.
var healthMarks = map[model.Health]string{
	model.HealthOnTrack:    "🟢",
	model.HealthDueSoon:    "🟡",
	model.HealthGoingQuiet: "🟠",
	model.HealthNeglected:  "🔴",
}

// HealthBadge is a health as every surface shows it: "🟠 going quiet".
// An unknown health (none computed) shows nothing.
func HealthBadge(h model.Health) string {
	mark, ok := healthMarks[h]
	if !ok {
		return ""
	}
	return mark + " " + string(h)
}

// healthWhy says why, in words, after the badge on the card.
var healthWhy = map[model.HealthReason]string{
	model.ReasonLatePromise: "a promise to them is late",
	model.ReasonSilent:      "past the check-in by a whole cadence, and not a word from them",
	model.ReasonOverdue:     "past the check-in",
	model.ReasonCheckinSoon: "the check-in is due within " + Plural(model.DueSoonDays, "day"),
	model.ReasonPromiseSoon: "a promise to them is due within " + Plural(model.DueSoonDays, "day"),
	model.ReasonDateSoon:    "a date that matters is within " + Plural(model.DateSoonDays, "day"),
}

// HealthLine is the badge and why: "🟠 going quiet: past the check-in".
func HealthLine(h model.Health, why model.HealthReason) string {
	badge := HealthBadge(h)
	if w, ok := healthWhy[why]; ok && badge != "" {
		return "*" + badge + "*: " + w
	}
	return "*" + badge + "*"
}

// HealthMark is a health as a row of a list shows it: the badge, and for
// a neglected customer why, in the card's words: "🔴 neglected (a
// promise to them is late)". The row's own words (last touch, next
// check-in) would not tell why a customer is neglected for a late
// promise; they say enough of the other healths.
func HealthMark(s model.Standing) string {
	badge := HealthBadge(s.Health)
	if w, ok := healthWhy[s.Why]; ok && s.Health == model.HealthNeglected {
		return badge + " (" + w + ")"
	}
	return badge
}

// CustomerQuery is what `/customer list` was asked for: only one health,
// or sorted worst first. The zero value is the whole list, most overdue
// first.
type CustomerQuery struct {
	Health   model.Health // "" for every health
	ByHealth bool
}

// String is the query as typed after `/customer list`, and as the "Next
// page" button carries it.
func (q CustomerQuery) String() string {
	switch {
	case q.Health != "":
		return string(q.Health)
	case q.ByHealth:
		return "by health"
	}
	return ""
}

// ParseCustomerQuery reads what follows `/customer list`: nothing, a
// health ("neglected", "going quiet", "quiet", "due soon", "on track"),
// or "by health".
func ParseCustomerQuery(s string) (CustomerQuery, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	switch s {
	case "":
		return CustomerQuery{}, true
	case "by health", "health":
		return CustomerQuery{ByHealth: true}, true
	case "quiet":
		return CustomerQuery{Health: model.HealthGoingQuiet}, true
	}
	for _, h := range model.HealthOrder {
		if s == string(h) || s == strings.ReplaceAll(string(h), " ", "-") {
			return CustomerQuery{Health: h}, true
		}
	}
	return CustomerQuery{}, false
}

// sortByHealth puts the worst health first; within one, the most overdue.
func sortByHealth(cs []customerHealth) {
	slices.SortStableFunc(cs, func(a, b customerHealth) int {
		return cmp.Compare(b.health.Health.Severity(), a.health.Health.Severity())
	})
}

// customerHealth is a customer with its health, for sorting.
type customerHealth struct {
	c      model.Customer
	health model.Standing
}
