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

// TestQuietDates: a date prompt coming due is work for the idle tick's
// probe: an anniversary's at its week's Monday, a renewal's a notice
// ahead, which ClaimDates tells the store (before it has, any renewal is
// work, so the first full tick learns the notice).
func TestQuietDates(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // a Monday
	c := &clock{t: at}
	s, _ := openPG(t, c.now)
	day := 24 * time.Hour
	if _, err := s.ClaimDue(at, store.Policy{OverdueAfter: day}, 0); err != nil {
		t.Fatal(err)
	}
	cust := model.Customer{Team: "T1", Name: "Acme", Owner: "U1"}
	if err := cust.SetDate(model.CustomerDate{Kind: model.DateRenewal, On: model.Day{Year: 2026, Month: time.June, Day: 1}}, at); err != nil {
		t.Fatal(err)
	}
	if err := cust.SetDate(model.CustomerDate{Kind: model.DateNamed, Name: "kickoff", On: model.Day{Month: time.April, Day: 15}}, at); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCustomer("", cust); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		step string
		at   time.Time
		want bool
	}{
		{"a renewal, the notice not known yet", at, false},
	} {
		if got, err := s.Quiet(tc.at, day); err != nil || got != tc.want {
			t.Errorf("%s: Quiet = %v, %v; want %v", tc.step, got, err, tc.want)
		}
	}
	if _, err := s.ClaimDates(at, model.DefaultDates, 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		step string
		at   time.Time
		want bool
	}{
		{"both months ahead", at, true},
		{"the kickoff's week begins somewhere", time.Date(2026, 4, 12, 10, 0, 0, 0, time.UTC), false},
		{"just before", time.Date(2026, 4, 12, 9, 59, 0, 0, time.UTC), true},
	} {
		if got, err := s.Quiet(tc.at, day); err != nil || got != tc.want {
			t.Errorf("%s: Quiet = %v, %v; want %v", tc.step, got, err, tc.want)
		}
	}
	ns, err := s.ClaimDates(time.Date(2026, 4, 12, 10, 0, 0, 0, time.UTC), model.DefaultDates, 0)
	if err != nil || len(ns) != 1 {
		t.Fatalf("claimed %v, %v; want the kickoff's prompt", ns, err)
	}
	if err := s.MarkSent(ns[0].ID, "D1", "1.1"); err != nil {
		t.Fatal(err)
	}
	renewal := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC) // 2 May begins, 30 days ahead of 1 June
	if got, _ := s.Quiet(renewal.Add(-time.Minute), day); !got {
		t.Error("the renewal a minute before its notice: not quiet")
	}
	if got, _ := s.Quiet(renewal, day); got {
		t.Error("the renewal's notice begins: quiet")
	}
}
