package scheduler

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/store"
)

// fakeSlack answers deliveries from a script of errors, one per call.
type fakeSlack struct {
	mu     sync.Mutex
	script []error
	sent   []int64
	calls  int
}

func (f *fakeSlack) Deliver(ctx context.Context, n store.Nudge) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if len(f.script) > 0 {
		err := f.script[0]
		f.script = f.script[1:]
		if err != nil {
			return "", "", err
		}
	}
	f.sent = append(f.sent, n.ID)
	return "D1", "1.000100", nil
}

// DeliverCheckins is Deliver for one message carrying all of ns.
func (f *fakeSlack) DeliverCheckins(ctx context.Context, ns []store.Nudge) (outbox.Batch, error) {
	ch, ts, err := f.Deliver(ctx, ns[0])
	if err != nil {
		return outbox.Batch{}, err
	}
	b := outbox.Batch{Channel: ch, TS: ts}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range ns {
		b.Sent = append(b.Sent, n.ID)
	}
	f.sent = append(f.sent, b.Sent[1:]...)
	return b, nil
}

func setup(t *testing.T, script ...error) (*Scheduler, *store.Bolt, *clock.Manual, *fakeSlack) {
	t.Helper()
	clk := clock.NewManual(time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC))
	st, err := store.New(filepath.Join(t.TempDir(), "kept.db"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fakeSlack{script: script}
	s := New(st, f, Config{Now: clk.Now, OverdueAfter: 24 * time.Hour, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return s, st, clk, f
}

func TestOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		wantState store.NudgeState
		wantWait  [2]time.Duration // NotBefore - now, within
	}{
		{"sent", nil, store.NudgeSent, [2]time.Duration{}},
		{"rate limited", &outbox.RetryError{After: 30 * time.Second, Err: errors.New("429")}, store.NudgeDue, [2]time.Duration{30 * time.Second, 30 * time.Second}},
		{"server error", &outbox.RetryError{Err: errors.New("503")}, store.NudgeDue, [2]time.Duration{time.Second, 2 * time.Second}},
		{"unknown error", errors.New("boom"), store.NudgeDue, [2]time.Duration{time.Second, 2 * time.Second}},
		{"unreachable", outbox.ErrUnreachable, store.NudgeFailed, [2]time.Duration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, st, clk, _ := setup(t, tt.err)
			n, err := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Tick(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, err := st.Nudge(n.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State != tt.wantState {
				t.Fatalf("state %s, want %s", got.State, tt.wantState)
			}
			if tt.wantState == store.NudgeDue {
				wait := got.NotBefore.Sub(clk.Now())
				if wait < tt.wantWait[0] || wait > tt.wantWait[1] {
					t.Errorf("retry in %v, want between %v and %v", wait, tt.wantWait[0], tt.wantWait[1])
				}
			}
		})
	}
}

func TestRetriedNudgeIsSentOnceWhenDue(t *testing.T) {
	s, st, clk, f := setup(t, &outbox.RetryError{After: time.Minute, Err: errors.New("429")})
	if _, err := st.AddPromise("", store.Promise{Team: "T1", Text: "call", Owner: "U1", Creator: "U1", Due: clk.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	clk.Advance(time.Hour)
	for _, step := range []time.Duration{0, 30 * time.Second, 30 * time.Second, time.Minute} {
		clk.Advance(step)
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.sent) != 1 {
		t.Errorf("sent %d times, want once", len(f.sent))
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	script := make([]error, 20)
	for i := range script {
		script[i] = errors.New("boom")
	}
	s, st, clk, _ := setup(t, script...)
	s.cfg.MaxAttempts = 3
	n, _ := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"})
	for range 5 {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
	}
	got, _ := st.Nudge(n.ID)
	if got.State != store.NudgeFailed || got.Attempts != 3 {
		t.Errorf("after 5 failing ticks: state %s attempts %d, want failed after 3", got.State, got.Attempts)
	}
}

func TestBackoff(t *testing.T) {
	for attempts, want := range map[int][2]time.Duration{
		1:  {time.Second, 2 * time.Second},
		2:  {2 * time.Second, 4 * time.Second},
		5:  {16 * time.Second, 32 * time.Second},
		30: {5 * time.Minute, 10 * time.Minute},
	} {
		for range 50 {
			if got := Backoff(attempts); got < want[0] || got > want[1] {
				t.Fatalf("Backoff(%d) = %v, want within %v", attempts, got, want)
			}
		}
	}
}

// TestOutageNeverGivesUp: however long Slack answers 5xx, a reminder stays
// owed and goes out once Slack is back.
func TestOutageNeverGivesUp(t *testing.T) {
	script := make([]error, 30)
	for i := range script {
		script[i] = &outbox.RetryError{Err: errors.New("503")}
	}
	s, st, clk, f := setup(t, script...)
	n, _ := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"})
	for range 31 {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(11 * time.Minute)
	}
	got, _ := st.Nudge(n.ID)
	if got.State != store.NudgeSent || f.count(n.ID) != 1 {
		t.Errorf("after a 5-hour outage: state %s, sent %d times; want sent once", got.State, f.count(n.ID))
	}
}

func (f *fakeSlack) count(id int64) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.sent {
		if s == id {
			n++
		}
	}
	return n
}
