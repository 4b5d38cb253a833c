package model

import (
	"testing"
	"time"

	"github.com/keptbot/kept/workhours"
)

// TestEscalationClaims walks a promise through its reminder, its overdue
// follow-up and its escalation under several policies.
func TestEscalationClaims(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	due := time.Date(2027, 3, 11, 10, 0, 0, 0, ny) // a Thursday
	on := Escalation{After: 1, Hours: workhours.Default, Zone: time.UTC, To: []string{"U0LEE", "C0ESC"}}
	tests := []struct {
		name      string
		claimPol  Policy // when the overdue follow-up is claimed
		laterPol  Policy // when the escalation comes due
		owner     string
		wantAt    time.Time // zero: never escalates
		wantTo    []string  // the escalation's nudges, the owner's last
		wantEvent string
	}{
		{"on", Policy{OverdueAfter: 24 * time.Hour, Escalate: on}, Policy{OverdueAfter: 24 * time.Hour, Escalate: on}, "U0ANN",
			time.Date(2027, 3, 15, 10, 0, 0, 0, ny), []string{"U0LEE", "C0ESC", "U0ANN"}, "U0LEE, C0ESC"},
		{"the owner is a lead", Policy{OverdueAfter: 24 * time.Hour, Escalate: on}, Policy{OverdueAfter: 24 * time.Hour, Escalate: on}, "U0LEE",
			time.Date(2027, 3, 15, 10, 0, 0, 0, ny), []string{"C0ESC", "U0LEE"}, "C0ESC"},
		{"off", Policy{OverdueAfter: 24 * time.Hour}, Policy{OverdueAfter: 24 * time.Hour}, "U0ANN", time.Time{}, nil, ""},
		{"turned off since", Policy{OverdueAfter: 24 * time.Hour, Escalate: on}, Policy{OverdueAfter: 24 * time.Hour}, "U0ANN",
			time.Date(2027, 3, 15, 10, 0, 0, 0, ny), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Promise{Team: "T1", ID: 1, Text: "call", Owner: tt.owner, Due: due.UTC(), State: PromiseOpen, Zone: "America/New_York"}
			if ns := p.Claim(due, tt.claimPol); len(ns) != 1 || ns[0].Kind != NudgeReminder {
				t.Fatalf("reminder: %+v", ns)
			}
			if ns := p.Claim(due.Add(24*time.Hour), tt.claimPol); len(ns) != 1 || ns[0].Kind != NudgeOverdue {
				t.Fatalf("overdue: %+v", ns)
			}
			a, ok := p.NextAction(tt.laterPol)
			if tt.wantAt.IsZero() {
				if ok {
					t.Fatalf("next action %+v, want none", a)
				}
				return
			}
			if !ok || a.Kind != NudgeEscalation || !a.At.Equal(tt.wantAt) {
				t.Fatalf("next action %+v %v, want an escalation at %v", a, ok, tt.wantAt)
			}
			if ns := p.Claim(tt.wantAt.Add(-time.Second), tt.laterPol); len(ns) != 0 {
				t.Fatalf("claimed early: %+v", ns)
			}
			ns := p.Claim(tt.wantAt, tt.laterPol)
			var to []string
			for _, n := range ns {
				to = append(to, n.To)
			}
			if len(to) != len(tt.wantTo) || (len(ns) > 0 && ns[len(ns)-1].Kind != NudgeEscalated) {
				t.Fatalf("escalation nudges to %v (%+v), want %v", to, ns, tt.wantTo)
			}
			for i := range to {
				if to[i] != tt.wantTo[i] {
					t.Errorf("nudge %d to %s, want %s", i, to[i], tt.wantTo[i])
				}
			}
			last := p.History[len(p.History)-1]
			if tt.wantEvent != "" && (last.Kind != EventEscalated || last.Detail != tt.wantEvent) {
				t.Errorf("last event %+v, want escalated to %s", last, tt.wantEvent)
			}
			if tt.wantEvent == "" && (last.Kind == EventEscalated || p.Escalated) {
				t.Errorf("recorded an escalation nobody was told of: %+v", last)
			}
			if a, ok := p.NextAction(tt.laterPol); ok {
				t.Errorf("after the escalation: next action %+v, want none", a)
			}
		})
	}
}

// TestEscalationNewRound: a snooze after the follow-up starts a new round,
// whose escalation waits for its own follow-up.
func TestEscalationNewRound(t *testing.T) {
	due := time.Date(2027, 3, 11, 15, 0, 0, 0, time.UTC)
	pol := Policy{OverdueAfter: 24 * time.Hour, Escalate: Escalation{After: 1, Hours: workhours.Default, To: []string{"U0LEE"}}}
	p := Promise{Team: "T1", ID: 1, Text: "call", Owner: "U0ANN", Due: due, State: PromiseOpen}
	p.Claim(due, pol)
	p.Claim(due.Add(24*time.Hour), pol)
	if err := p.Snooze("U0ANN", due.Add(48*time.Hour), due.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if a, _ := p.NextAction(pol); a.Kind != NudgeReminder || p.Escalated || !p.EscalateAt.IsZero() {
		t.Errorf("after a snooze: next %+v, escalation state %v %v", a, p.EscalateAt, p.Escalated)
	}
}
