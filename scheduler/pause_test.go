package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/store"
)

// TestRateLimitPausesAll: a 429 pauses every delivery until Retry-After,
// leaves the nudges not yet tried exactly as they were, and a tick during
// the pause calls Slack for none; when it ends, all go out.
func TestRateLimitPausesAll(t *testing.T) {
	s, st, clk, fake := setup(t, &outbox.RetryError{After: time.Minute, Err: errors.New("429")})
	s.cfg.Workers, s.cfg.Batch = 1, 2 // deterministic order; a pause must end the batch loop
	var before []store.Nudge
	for _, to := range []string{"U1", "U2", "U3", "U4", "U5"} {
		n, err := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: to})
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, n)
		clk.Advance(time.Millisecond) // distinct NotBefore, so the order is known
	}
	start := clk.Now()
	ctx := context.Background()
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if fake.calls != 1 {
		t.Fatalf("Slack called %d times, want once: the 429 pauses the rest", fake.calls)
	}
	first, _ := st.Nudge(before[0].ID)
	if first.State != store.NudgeDue || first.Attempts != 0 || !first.NotBefore.Equal(start.Add(time.Minute)) {
		t.Errorf("the rate-limited nudge: %+v, want due at the pause's end, no attempt counted", first)
	}
	for _, want := range before[1:] {
		if got, _ := st.Nudge(want.ID); got != want {
			t.Errorf("untried nudge changed:\n got %+v\nwant %+v", got, want)
		}
	}
	if !s.paused() {
		t.Fatal("not paused after a 429")
	}

	clk.Advance(30 * time.Second)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if fake.calls != 1 {
		t.Fatalf("a tick during the pause called Slack (%d calls)", fake.calls)
	}

	clk.Set(start.Add(time.Minute))
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(fake.sent) != len(before) {
		t.Fatalf("sent %v after the pause, want all %d", fake.sent, len(before))
	}
	for _, n := range before {
		if got, _ := st.Nudge(n.ID); got.State != store.NudgeSent || got.Attempts != 1 {
			t.Errorf("nudge %d: %s after %d attempts, want sent at the first", n.ID, got.State, got.Attempts)
		}
	}
}

// TestNextWake: Run wakes at the pause's end rather than its next tick,
// for a nudge due before the next tick, and otherwise at the tick.
func TestNextWake(t *testing.T) {
	s, st, clk, _ := setup(t, &outbox.RetryError{After: 40 * time.Second, Err: errors.New("429")})
	ctx := context.Background()
	nextTick := clk.Now().Add(30 * time.Second)
	if got := s.NextWake(nextTick); !got.Equal(nextTick) {
		t.Errorf("nothing to do: wake %v, want the tick %v", got, nextTick)
	}
	if _, err := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Tick(ctx); err != nil { // 429: paused for 40 s
		t.Fatal(err)
	}
	pauseEnd := clk.Now().Add(40 * time.Second)
	for _, tick := range []time.Time{clk.Now().Add(30 * time.Second), clk.Now().Add(time.Hour)} {
		if got, want := s.NextWake(tick), earliestOf(tick, pauseEnd); !got.Equal(want) {
			t.Errorf("paused until %v, next tick %v: wake %v, want %v", pauseEnd, tick, got, want)
		}
	}
	clk.Set(pauseEnd)
	if err := s.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	later := clk.Now().Add(10 * time.Second)
	if _, err := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U2", NotBefore: later}); err != nil {
		t.Fatal(err)
	}
	if got := s.NextWake(clk.Now().Add(30 * time.Second)); !got.Equal(later) {
		t.Errorf("a nudge due in 10 s: wake %v, want %v", got, later)
	}
	if got, tick := s.NextWake(clk.Now().Add(5*time.Second)), clk.Now().Add(5*time.Second); !got.Equal(tick) {
		t.Errorf("a nudge due after the next tick: wake %v, want the tick %v", got, tick)
	}
}

func earliestOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func TestWakeAt(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	var none time.Time
	tests := []struct {
		name                        string
		ran, tick, paused, earliest time.Time
		want                        time.Time
	}{
		{"idle", at(0), at(30), none, none, at(30)},
		{"pause ends before the tick", at(0), at(30), at(20), none, at(20)},
		{"pause ends after the tick", at(0), at(30), at(60), none, at(30)},
		{"pause ended after the tick ran: at once", at(0), at(30), at(1), none, at(1)},
		{"pause over before the tick ran", at(10), at(30), at(5), none, at(30)},
		{"nudge due before the tick", at(0), at(30), none, at(12), at(12)},
		{"nudge due after the tick", at(0), at(30), none, at(45), at(30)},
		{"nudge due during the pause waits for its end", at(0), at(30), at(20), at(12), at(20)},
		{"nudge due after the pause", at(0), at(30), at(20), at(25), at(20)},
		{"pause over, nudge due", at(10), at(30), at(5), at(12), at(12)},
	}
	for _, tt := range tests {
		if got := wakeAt(tt.ran, tt.tick, tt.paused, tt.earliest); !got.Equal(tt.want) {
			t.Errorf("%s: wakeAt = +%v, want +%v", tt.name, got.Sub(t0), tt.want.Sub(t0))
		}
	}
}

func TestGridAfter(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	const p = 30 * time.Second
	for _, tt := range []struct{ prev, now, want time.Duration }{
		{0, 0, 30 * time.Second},                               // just ticked
		{30 * time.Second, 12 * time.Second, 30 * time.Second}, // woke early: the grid tick stays
		{30 * time.Second, 30 * time.Second, 60 * time.Second},
		{30 * time.Second, 95 * time.Second, 120 * time.Second}, // overran: missed ticks skipped
	} {
		if got := gridAfter(t0.Add(tt.prev), t0.Add(tt.now), p); !got.Equal(t0.Add(tt.want)) {
			t.Errorf("gridAfter(+%v, +%v) = +%v, want +%v", tt.prev, tt.now, got.Sub(t0), tt.want)
		}
	}
}
