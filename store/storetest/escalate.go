package storetest

import (
	"slices"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
)

// testEscalations: an escalation is claimed once, all its nudges in the
// claim's transaction; the time the overdue follow-up fixed survives a
// command's re-index (which knows no escalation policy); a nudge for a
// promise kept since is dropped by Recheck.
func testEscalations(t T, h Harness) {
	b, _ := open(t, h)
	pol := store.Policy{OverdueAfter: day, Escalate: model.Escalation{After: 1, Hours: workhours.Default, Zone: time.UTC, To: []string{"U9", "C9", "U1"}}}
	due := t0.Add(time.Hour)
	p := promise("T1", "U1", due)
	p.Zone = "America/New_York"
	add(t, b, p)
	wantClaims(t, r(b.ClaimDue(due, pol, 0)).must(t), "reminder:T1#1")
	overdue := due.Add(day)
	wantClaims(t, r(b.ClaimDue(overdue, pol, 0)).must(t), "overdue:T1#1")
	at := r(b.Promise("T1", 1)).must(t).EscalateAt
	if want := workhours.Default.AddDays(overdue, 1, mustZone(t, "America/New_York")); !at.Equal(want) {
		t.Fatalf("EscalateAt = %v, want one working day after the follow-up, %v", at, want)
	}
	// A command between the follow-up and the escalation re-indexes the
	// promise without the policy.
	change(t, b, "T1", 1, func(p *model.Promise) error { p.Text = "send the signed quote"; return nil })
	wantClaims(t, r(b.ClaimDue(at.Add(-time.Second), pol, 0)).must(t))
	got := r(b.ClaimDue(at, pol, 0)).must(t)
	var to []string
	for _, n := range got {
		if n.PromiseID != 1 || n.State != model.NudgeDue || n.For.Owner != "U1" {
			t.Errorf("escalation nudge %+v: want due, for #1 as owned by U1", n)
		}
		to = append(to, string(n.Kind)+">"+n.To)
	}
	if want := []string{"escalation>U9", "escalation>C9", "escalated>U1"}; !slices.Equal(to, want) {
		t.Errorf("escalation claimed %v, want %v", to, want)
	}
	wantClaims(t, r(b.ClaimDue(at.Add(30*day), pol, 0)).must(t))
	if n := len(r(b.Nudges(model.NudgeEscalation)).must(t)); n != 2 {
		t.Errorf("%d escalation nudges stored, want 2", n)
	}
	change(t, b, "T1", 1, func(p *model.Promise) error { return p.Keep("U1", at.Add(time.Minute)) })
	for _, n := range got {
		if after := r(b.Recheck(n.ID, at.Add(2*time.Minute))).must(t); after.State != model.NudgeDropped {
			t.Errorf("nudge %d to %s for a kept promise: %s, want dropped", n.ID, n.To, after.State)
		}
	}
}

func mustZone(t T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("zone %s: %v", name, err)
	}
	return loc
}
