package scheduler

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keptbot/kept/cronspec"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// quietBolt is the bbolt store with a Quiet probe that says what bbolt
// holds, and counts the questions a tick asks besides.
type quietBolt struct {
	*store.Bolt
	claims atomic.Int64
}

func (q *quietBolt) Quiet(now time.Time, overdueAfter time.Duration) (bool, error) {
	n, err := q.Bolt.Backlog(now)
	return n == 0, err
}

func (q *quietBolt) ClaimDue(now time.Time, pol store.Policy, limit int) ([]store.Nudge, error) {
	q.claims.Add(1)
	return q.Bolt.ClaimDue(now, pol, limit)
}

// With a store that has the probe, a quiet tick asks only it (and the
// digest's run); one with work, or a digest to queue, is a full tick that
// delivers in the same tick.
func TestQuietTick(t *testing.T) {
	_, st, clk, _ := setup(t)
	q := &quietBolt{Bolt: st}
	digest, _, err := cronspec.Parse("0 9 * * MON", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	sent := &fakeSlack{}
	s := New(q, sent, Config{Now: clk.Now, Digest: digest, DigestChannel: "C0SALES", Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	tick := func() {
		t.Helper()
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	tick() // first start: records the digest's run, nothing due (no follow-ups: OverdueAfter 0)
	if n := q.claims.Load(); n != 0 {
		t.Errorf("a quiet tick claimed %d times, want 0", n)
	}
	p, err := st.AddPromise("", model.Promise{Team: "T1", Text: "call back", Owner: "U1", Due: clk.Now().Add(time.Minute), Zone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(p.Due)
	tick()
	if q.claims.Load() == 0 || len(sent.sent) != 1 {
		t.Errorf("a tick with a reminder due: %d claims, %d sent; want a full tick that sends it", q.claims.Load(), len(sent.sent))
	}
	// Monday 9:00: the probe says quiet, but the digest is due, and goes
	// out in this tick.
	clk.Set(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	tick()
	if len(sent.sent) != 2 {
		t.Errorf("after the digest's tick %d sent, want the reminder and the digest", len(sent.sent))
	}
	if ns, _ := st.Nudges(store.DigestNudge); len(ns) != 1 || ns[0].State != store.NudgeSent {
		t.Errorf("digest nudges %+v, want one, sent", ns)
	}
}
