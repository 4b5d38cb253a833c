package storetest

import (
	"errors"
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

// testNudgeInUnit: a nudge queued in a unit of work commits with its
// change, or not at all, and once per op.
func testNudgeInUnit(t T, h Harness) {
	b, _ := open(t, h)
	add(t, b, promise("T1", "U1", t0.Add(time.Hour)))
	notice := model.Nudge{Kind: model.NudgeChanged, Team: "T1", PromiseID: 1, To: "U0", By: "U1", Subject: "1-2"}
	refused := errors.New("refused")
	unit := func(op string, fail bool) error {
		return b.Update(op, func(tx store.Tx) error {
			if _, err := tx.UpdatePromise("T1", 1, func(p *model.Promise) error { return p.Cancel("U1", t0) }); err != nil {
				return err
			}
			n, err := tx.AddNudge(notice)
			if err == nil && (n.ID == 0 || n.State != model.NudgeDue || n.NotBefore.IsZero()) {
				t.Errorf("queued in a unit: %+v, want an id, due, not before now", n)
			}
			if fail {
				return refused
			}
			return err
		})
	}
	if err := unit("op-1", true); !errors.Is(err, refused) {
		t.Fatalf("failing unit: %v", err)
	}
	if ns := r(b.Nudges(model.NudgeChanged)).must(t); len(ns) != 0 || r(b.Promise("T1", 1)).must(t).State != model.PromiseOpen {
		t.Fatalf("a unit that failed left %d nudges or its change", len(ns))
	}
	if err := unit("op-2", false); err != nil {
		t.Fatalf("unit: %v", err)
	}
	if err := unit("op-2", false); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("the same op again: %v, want ErrDuplicate", err)
	}
	ns := r(b.Nudges(model.NudgeChanged)).must(t)
	if len(ns) != 1 || ns[0].By != "U1" || ns[0].Subject != "1-2" {
		t.Fatalf("after the unit and its duplicate: %+v, want the one notice", ns)
	}
	if got := r(b.PendingNudges(t0.Add(time.Minute), 0)).must(t); len(got) != 1 || got[0].ID != ns[0].ID {
		t.Errorf("pending = %+v, want the notice", got)
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
