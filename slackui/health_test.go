package slackui

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// TestNeglectedSaysWhy: a customer neglected only because a promise to it
// is late (its check-in still ahead) is marked so with the card's reason
// in every view that marks it: the card, `/customer list`, the Home tab,
// the team view and the digest; not with its next check-in alone.
func TestNeglectedSaysWhy(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	c := store.Customer{Name: "Acme", Owner: "U0ANN", Cadence: 30 * day, Created: now.Add(-100 * day), LastTouch: now.Add(-2 * day)}
	late := store.Promise{ID: 4, Customer: "Acme", Owner: "U0ANN", State: store.Open, Due: now.Add(-3 * day)}
	health := model.TeamHealth([]store.Customer{c}, nil, []store.Promise{late}, time.UTC, now)
	s := health[c.Key()]
	if s != (model.Standing{Health: model.HealthNeglected, Why: model.ReasonLatePromise}) {
		t.Fatalf("health %+v, want neglected for a late promise", s)
	}
	const why = "a promise to them is late"
	_, card := CustomerCard(c, s.Health, s.Why, []store.Promise{late}, nil, time.UTC, now)
	_, list := CustomerList([]store.Customer{c}, health, CustomerQuery{}, time.UTC, now)
	team := TeamView(Team{Customers: []TeamCustomer{{Customer: c, Health: s.Health, Why: s.Why}}, Starts: digest.WeekStarts(now, time.UTC, 4)}, time.UTC, now)
	row := digest.CustomerRow{Name: c.Name, Owner: c.Owner, Cadence: c.Cadence, Touched: true, Since: 40 * day, Health: s.Health, Why: s.Why}
	_, dig := DigestBlocks(digest.Digest{Now: now, Quiet: []digest.CustomerRow{row}}, time.UTC)
	views := map[string]string{
		"card":      blocksText(card),
		"list":      blocksText(list),
		"home":      blocksText(CustomerHome([]store.Customer{c}, health, Week{}, time.UTC, now)),
		"team view": blocksText(team.Blocks.BlockSet),
		"digest":    blocksText(dig),
	}
	for name, text := range views {
		if !strings.Contains(text, "🔴 neglected") || !strings.Contains(text, why) {
			t.Errorf("%s marks Acme neglected without saying why:\n%s", name, text)
		}
	}
	if text := views["list"]; !strings.Contains(text, HealthMark(s)+" ·") {
		t.Errorf("list line lacks %q:\n%s", HealthMark(s), text)
	}
	// Only neglected says why: the other healths' rows say it already.
	if got := HealthMark(model.Standing{Health: model.HealthGoingQuiet, Why: model.ReasonOverdue}); got != "🟠 going quiet" {
		t.Errorf("going quiet shows %q", got)
	}
}
