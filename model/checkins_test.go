package model

import (
	"testing"
	"time"

	"github.com/keptbot/kept/workhours"
)

// prompt is a check-in prompt for customer id, meant for at.
func prompt(id int64, at time.Time) Nudge {
	return Nudge{ID: id, Kind: NudgeCheckin, Team: "T1", To: "U0ANN", Created: at.UTC(), For: Claim{Prompt: at.UTC()}}
}

func ids(ns []Nudge) []int64 {
	var out []int64
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPlanCheckins: the day's message lists the longest waiting first, at
// most perDay of them; the rest wait for the next working day's start, on
// the owner's wall clock across the end of daylight saving time.
func TestPlanCheckins(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	wh := workhours.Default
	// Friday 30 Oct 2026 10:00 EDT; New York leaves daylight saving time
	// on Sunday 1 Nov, so Monday 9:00 is 14:00 UTC, not 13:00.
	now := time.Date(2026, 10, 30, 10, 0, 0, 0, ny)
	monday := time.Date(2026, 11, 2, 9, 0, 0, 0, ny)
	if monday.UTC().Hour() != 14 {
		t.Fatalf("Monday 9:00 New York = %v UTC, want 14:00", monday.UTC())
	}
	var ns []Nudge
	for i := int64(1); i <= 7; i++ {
		// Newer ids waited longer: the order is by when each was meant.
		ns = append(ns, prompt(i, now.Add(-time.Duration(i)*time.Hour)))
	}
	tests := []struct {
		name      string
		perDay    int
		lastSent  time.Time
		wantSend  []int64
		wantLater []int64
	}{
		{"cap", 5, time.Time{}, []int64{7, 6, 5, 4, 3}, []int64{2, 1}},
		{"default cap", 0, time.Time{}, []int64{7, 6, 5, 4, 3}, []int64{2, 1}},
		{"room for all", 10, time.Time{}, []int64{7, 6, 5, 4, 3, 2, 1}, nil},
		{"sent yesterday", 3, now.Add(-24 * time.Hour), []int64{7, 6, 5}, []int64{4, 3, 2, 1}},
		{"sent today", 5, now.Add(-time.Hour), nil, []int64{7, 6, 5, 4, 3, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := PlanCheckins(ns, tt.perDay, tt.lastSent, now, wh, ny)
			if !sameIDs(ids(p.Send), tt.wantSend) || !sameIDs(ids(p.Later), tt.wantLater) {
				t.Errorf("send %v later %v, want %v and %v", ids(p.Send), ids(p.Later), tt.wantSend, tt.wantLater)
			}
			if !p.Until.Equal(monday) {
				t.Errorf("later until %v, want Monday 9:00 New York (%v)", p.Until, monday)
			}
		})
	}
	// Spring: the next working day after Friday 6 Mar 2026 is Monday 9 Mar,
	// after the clocks went forward: 13:00 UTC.
	fri := time.Date(2026, 3, 6, 16, 0, 0, 0, ny)
	if got := PlanCheckins(ns, 1, time.Time{}, fri, wh, ny).Until; !got.Equal(time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)) {
		t.Errorf("spring: later until %v, want Monday 13:00 UTC", got)
	}
}

// TestCheckinLate: a prompt is late when the working day it was meant for
// is an earlier day than the one it goes out on, in the owner's zone.
func TestCheckinLate(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	wh := workhours.Default
	at := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, ny) } // Nov 2026: Mon 23 ... Fri 27
	tests := []struct {
		name     string
		meant    time.Time
		now      time.Time
		late     bool
		meantDay time.Time
	}{
		{"on the day", at(24, 10), at(24, 11), false, at(24, 10)},
		{"held overnight", at(24, 3), at(24, 9), false, at(24, 9)},
		{"came due after hours, out next morning", at(24, 18), at(25, 9), false, at(25, 9)},
		{"weekend, out on Monday", time.Date(2026, 11, 28, 12, 0, 0, 0, ny), time.Date(2026, 11, 30, 9, 30, 0, 0, ny), false, time.Date(2026, 11, 30, 9, 0, 0, 0, ny)},
		{"Kept was down two days", at(24, 10), at(26, 10), true, at(24, 10)},
		{"after hours, Kept down the next day", at(24, 18), at(26, 9), true, at(25, 9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meant, late := CheckinLate(prompt(1, tt.meant), tt.now, wh, ny)
			if late != tt.late || !meant.Equal(tt.meantDay) {
				t.Errorf("CheckinLate = %v, %v; want %v, %v", meant, late, tt.meantDay, tt.late)
			}
		})
	}
	// A prompt queued before Kept recorded when it was meant counts from
	// when it was queued.
	old := Nudge{ID: 2, Created: at(24, 10).UTC()}
	if _, late := CheckinLate(old, at(25, 10), wh, ny); !late {
		t.Error("an old prompt queued yesterday is not late")
	}
}

// TestClaimCheckinRecordsWhenMeant: a prompt claimed after downtime
// carries when it was meant to go out.
func TestClaimCheckinRecordsWhenMeant(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	c, err := NewCustomer(Customer{Team: "T1", Name: "Acme", Owner: "U0ANN", Cadence: 14 * 24 * time.Hour, Created: t0}, t0)
	if err != nil {
		t.Fatal(err)
	}
	due := c.NextPrompt
	n, ok := c.ClaimCheckin(due.Add(72*time.Hour), false)
	if !ok || !n.For.Prompt.Equal(due) || !n.PromptAt().Equal(due) {
		t.Fatalf("claimed %v %+v, want one meant for %v", ok, n.For, due)
	}
}
