package scheduler

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
)

// TestGather: one unit per check-in recipient of a team, every other
// nudge alone, in the order the first of each came.
func TestGather(t *testing.T) {
	ns := []store.Nudge{
		{ID: 1, Kind: store.Checkin, Team: "T1", To: "U1"},
		{ID: 2, Kind: store.Reminder, Team: "T1", To: "U1"},
		{ID: 3, Kind: store.Checkin, Team: "T2", To: "U1"},
		{ID: 4, Kind: store.Checkin, Team: "T1", To: "U1"},
		{ID: 5, Kind: store.Reminder, Team: "T1", To: "U1"},
		{ID: 6, Kind: store.Checkin, Team: "T1", To: "U2"},
	}
	var got []string
	for _, g := range gather(ns) {
		s := ""
		for _, n := range g {
			s += fmt.Sprint(n.ID)
		}
		got = append(got, s)
	}
	if fmt.Sprint(got) != "[14 2 3 5 6]" {
		t.Errorf("gather = %v, want [14 2 3 5 6]", got)
	}
}

// TestCheckinGroupLookedUpFirst is the restart after a crash between the
// post of an owner's gathered check-ins and their marks: the prompts the
// message carried are found and recorded with it, not sent again; the
// one Slack never got goes in a message of its own.
func TestCheckinGroupLookedUpFirst(t *testing.T) {
	s, st, clk, fake := setup(t)
	f := withFinder(t, s, fake)
	now := clk.Now()
	for i := range 3 {
		c := store.Customer{Team: "T1", Name: fmt.Sprintf("Customer %d", i), Owner: "U1", Cadence: 14 * 24 * time.Hour, Created: now.Add(-15 * 24 * time.Hour)}
		if _, err := st.AddCustomer("", c); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := st.ClaimCheckins(now, 0)
	if err != nil || len(ns) != 3 {
		t.Fatalf("claimed %d, %v", len(ns), err)
	}
	for _, n := range ns {
		if _, err := st.MarkSending(n.ID); err != nil { // then "killed"
			t.Fatal(err)
		}
	}
	f.landed[ns[0].ID], f.landed[ns[1].ID] = true, true // the message carried these two
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, n := range ns[:2] {
		if got, _ := st.Nudge(n.ID); got.State != store.NudgeSent || got.TS != "1.000001" {
			t.Errorf("landed prompt %d: %s in %q, want sent with the found ts", n.ID, got.State, got.TS)
		}
	}
	if got, _ := st.Nudge(ns[2].ID); got.State != store.NudgeSent || got.TS != "1.000100" {
		t.Errorf("lost prompt: %s in %q, want sent anew", got.State, got.TS)
	}
	if len(fake.sent) != 1 || fake.sent[0] != ns[2].ID || fake.calls != 1 {
		t.Errorf("delivered %v in %d calls, want the lost prompt alone, once", fake.sent, fake.calls)
	}
	if len(f.looked) != 3 {
		t.Errorf("looked up %v, want each prompt left sending", f.looked)
	}
}
