package pg_test

import (
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// Quiet, the idle tick's one read, is quiet exactly when a tick has
// nothing to claim or deliver.
func TestQuiet(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	c := &clock{t: t0}
	s, _ := openPG(t, c.now)
	day := 24 * time.Hour
	quiet := func(step string, at time.Time, want bool) {
		t.Helper()
		got, err := s.Quiet(at, day)
		if err != nil || got != want {
			t.Errorf("%s: Quiet(%s) = %v, %v; want %v", step, at.Format(time.DateTime), got, err, want)
		}
	}
	quiet("a new database: the overdue setting is not recorded yet", t0, false)
	if _, err := s.ClaimDue(t0, store.Policy{OverdueAfter: day}, 0); err != nil {
		t.Fatal(err)
	}
	quiet("empty", t0, true)
	if got, _ := s.Quiet(t0, 2*day); got {
		t.Error("Quiet with another overdue setting than the recorded one: true, want false (ClaimDue records it)")
	}
	p, err := s.AddPromise("", model.Promise{Team: "T1", Text: "call back", Owner: "U1", Due: t0.Add(time.Hour), Zone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	quiet("a promise due later", t0, true)
	quiet("the promise due", p.Due, false)
	if _, err := s.ClaimDue(p.Due, store.Policy{OverdueAfter: day}, 0); err != nil {
		t.Fatal(err)
	}
	quiet("its reminder in the outbox", p.Due, false)
	ns, _ := s.PendingNudges(p.Due, 0)
	if len(ns) != 1 {
		t.Fatalf("outbox %v, want the reminder", ns)
	}
	if err := s.MarkSent(ns[0].ID, "D1", "1.1"); err != nil {
		t.Fatal(err)
	}
	quiet("reminder sent", p.Due, true)
	quiet("its follow-up due", p.Due.Add(day), false)
	if _, err := s.AddCustomer("", model.Customer{Team: "T1", Name: "Acme", Owner: "U1", Tier: model.TierKey, Cadence: 14 * day}); err != nil {
		t.Fatal(err)
	}
	quiet("a check-in due in 14 days", p.Due, true)
	quiet("the check-in due", t0.Add(15*day), false)
	if _, err := s.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1", NotBefore: t0.Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	quiet("a nudge queued for later", p.Due, true)
	quiet("that nudge due", t0.Add(2*time.Hour), false)
}
