package store

import (
	"testing"
	"time"
)

// TestNextNudgeAfter: the earliest outbox NotBefore strictly after t; sent
// nudges leave the outbox and are not reported.
func TestNextNudgeAfter(t *testing.T) {
	s := openTest(t, "")
	if _, ok, err := s.NextNudgeAfter(t0); err != nil || ok {
		t.Fatalf("empty outbox: found %v, err %v", ok, err)
	}
	s.AddNudge(Nudge{Kind: Reminder, Team: "T1", To: "U1"}) // at t0
	b, _ := s.AddNudge(Nudge{Kind: Reminder, Team: "T1", To: "U2", NotBefore: t0.Add(time.Minute)})
	s.AddNudge(Nudge{Kind: Reminder, Team: "T1", To: "U3", NotBefore: t0.Add(time.Hour)})
	for _, tt := range []struct {
		after, want time.Time
	}{
		{t0.Add(-time.Second), t0},
		{t0, t0.Add(time.Minute)}, // at t is not after t
		{t0.Add(time.Minute - 1), t0.Add(time.Minute)},
		{t0.Add(time.Minute), t0.Add(time.Hour)},
	} {
		got, ok, err := s.NextNudgeAfter(tt.after)
		if err != nil || !ok || !got.Equal(tt.want) {
			t.Errorf("NextNudgeAfter(%v) = %v, %v, %v; want %v", tt.after, got, ok, err, tt.want)
		}
	}
	if err := s.MarkSent(b.ID, "D1", "1.0"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.NextNudgeAfter(t0); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("after the minute's nudge was sent: %v, want %v", got, t0.Add(time.Hour))
	}
	if _, ok, _ := s.NextNudgeAfter(t0.Add(time.Hour)); ok {
		t.Error("found a nudge after the last")
	}
}
