package scheduler

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/store"
)

type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) Nudged(kind, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, kind+" "+outcome)
}

func TestObserver(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"sent", nil, "reminder sent"},
		{"rate limited", &outbox.RetryError{After: 30 * time.Second, Err: errors.New("429")}, "reminder rate_limited"},
		{"server error", &outbox.RetryError{Err: errors.New("503")}, "reminder retry"},
		{"unreachable", outbox.ErrUnreachable, "reminder unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, st, _, _ := setup(t, tt.err)
			rec := &recorder{}
			s.cfg.Observer = rec
			if _, err := st.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Tick(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rec.got, []string{tt.want}) {
				t.Errorf("observed %v, want [%s]", rec.got, tt.want)
			}
		})
	}
}

func TestObserverGivenUp(t *testing.T) {
	s, st, clk, _ := setup(t, errors.New("boom"), errors.New("boom"))
	rec := &recorder{}
	s.cfg.Observer, s.cfg.MaxAttempts = rec, 2
	if _, err := st.AddNudge(store.Nudge{Kind: store.OverdueNudge, Team: "T1", To: "U1"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Hour)
	}
	if !slices.Equal(rec.got, []string{"overdue retry", "overdue failed"}) {
		t.Errorf("observed %v", rec.got)
	}
}
