package scheduler

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/store"
)

// findingSlack is a fakeSlack that can also look nudges up.
type findingSlack struct {
	*fakeSlack
	mu     sync.Mutex
	landed map[int64]bool // nudges "Slack" already has
	looked []int64
	err    error // answer to every Find, if set
}

func (f *findingSlack) Find(ctx context.Context, n store.Nudge) (string, string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.looked = append(f.looked, n.ID)
	if f.err != nil {
		return "", "", false, f.err
	}
	if f.landed[n.ID] {
		return "D1", "1.000001", true, nil
	}
	return "", "", false, nil
}

func withFinder(t *testing.T, s *Scheduler, fake *fakeSlack) *findingSlack {
	t.Helper()
	f := &findingSlack{fakeSlack: fake, landed: map[int64]bool{}}
	s.deliver = f
	return f
}

// TestSendingNudgeIsLookedUpFirst is the restart after a crash between
// Slack's answer and MarkSent: the nudge is found and not sent again; one
// that Slack never got is sent.
func TestSendingNudgeIsLookedUpFirst(t *testing.T) {
	s, st, _, fake := setup(t)
	f := withFinder(t, s, fake)
	landed, _ := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"})
	lost, _ := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U2"})
	fresh, _ := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U3"})
	for _, id := range []int64{landed.ID, lost.ID} {
		if _, err := st.MarkSending(id); err != nil { // then "killed"
			t.Fatal(err)
		}
	}
	f.landed[landed.ID] = true
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Nudge(landed.ID); got.State != store.NudgeSent || got.TS != "1.000001" {
		t.Errorf("landed nudge: %+v, want sent with the found ts", got)
	}
	for _, id := range []int64{lost.ID, fresh.ID} {
		if got, _ := st.Nudge(id); got.State != store.NudgeSent {
			t.Errorf("nudge %d: %s, want sent", id, got.State)
		}
	}
	if len(fake.sent) != 2 || fake.sent[0] == landed.ID || fake.sent[1] == landed.ID {
		t.Errorf("delivered %v, want the two others once each", fake.sent)
	}
	if len(f.looked) != 2 {
		t.Errorf("looked up %v, want only the two left sending (a fresh nudge costs no lookup)", f.looked)
	}
}

// TestLookupRateLimitedWaits: a 429 while looking does not send blind.
func TestLookupRateLimitedWaits(t *testing.T) {
	s, st, clk, fake := setup(t)
	f := withFinder(t, s, fake)
	f.err = &outbox.RetryError{After: 20 * time.Second, Err: errors.New("429")}
	n, _ := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"})
	if _, err := st.MarkSending(n.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Nudge(n.ID)
	if got.State != store.NudgeDue || !got.NotBefore.Equal(clk.Now().Add(20*time.Second)) || got.Attempts != 1 || len(fake.sent) != 0 {
		t.Fatalf("after a rate-limited lookup: %+v, sent %v", got, fake.sent)
	}
	f.err = nil
	clk.Advance(20 * time.Second)
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Nudge(n.ID); got.State != store.NudgeSent || len(fake.sent) != 1 {
		t.Errorf("after the wait: %+v, sent %v", got, fake.sent)
	}
}

// TestRateLimitStormKeepsAttempts: fifty 429s in a row cost no attempts,
// so the nudge is still delivered with MaxAttempts 3.
func TestRateLimitStormKeepsAttempts(t *testing.T) {
	script := make([]error, 50)
	for i := range script {
		script[i] = &outbox.RetryError{After: time.Second, Err: errors.New("429")}
	}
	s, st, clk, fake := setup(t, script...)
	s.cfg.MaxAttempts = 3
	n, _ := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"})
	for range 51 {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	got, _ := st.Nudge(n.ID)
	if got.State != store.NudgeSent || got.Attempts != 1 || len(fake.sent) != 1 {
		t.Errorf("after 50 429s: state %s attempts %d sent %v; want sent at attempt 1", got.State, got.Attempts, fake.sent)
	}
}
