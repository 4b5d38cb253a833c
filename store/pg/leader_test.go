package pg_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
)

// campaign runs an Elector for holder and returns the term it leads in,
// through a channel, each time it starts leading.
func campaign(t *testing.T, ctx context.Context, url, holder string, lease time.Duration) (terms chan *pg.Term, current *atomic.Pointer[pg.Term]) {
	t.Helper()
	terms = make(chan *pg.Term, 10)
	current = new(atomic.Pointer[pg.Term])
	e := &pg.Elector{URL: url, Holder: holder, Lease: lease, Retry: 50 * time.Millisecond}
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.Run(ctx, func(ctx context.Context, term *pg.Term) error {
			current.Store(term)
			terms <- term
			<-ctx.Done()
			current.Store(nil)
			return nil
		})
	}()
	t.Cleanup(func() { <-done })
	return terms, current
}

func epochOf(p *atomic.Pointer[pg.Term]) func() int64 {
	return func() int64 {
		if t := p.Load(); t != nil {
			return t.Epoch
		}
		return 0
	}
}

func waitTerm(t *testing.T, terms chan *pg.Term, within time.Duration) *pg.Term {
	t.Helper()
	select {
	case term := <-terms:
		return term
	case <-time.After(within):
		t.Fatalf("no term started within %s", within)
		return nil
	}
}

// One replica schedules at a time. When its lock connection is
// terminated, another takes over at once with a higher term, and every
// scheduling write of the old term fails and changes nothing, even from
// a process that has not noticed yet.
func TestOneSchedulerAndFencing(t *testing.T) {
	s, url := openPG(t, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lease := 2 * time.Second
	aTerms, aCur := campaign(t, ctx, url, "a", lease)
	first := waitTerm(t, aTerms, 10*time.Second)
	bTerms, bCur := campaign(t, ctx, url, "b", lease)
	select {
	case <-bTerms:
		t.Fatal("b leads while a holds the term")
	case <-time.After(300 * time.Millisecond):
	}
	a, b := s.Fenced(epochOf(aCur)), s.Fenced(epochOf(bCur))
	if _, err := s.AddPromise("", store.Promise{Team: "T1", Owner: "U1", Text: "x", Due: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ClaimDue(time.Now(), store.Policy{}, 0); !errors.Is(err, pg.ErrFenced) {
		t.Fatalf("a standby claimed: %v, want ErrFenced", err)
	}
	// The old term as a paused process would hold it: its epoch, frozen.
	stale := s.Fenced(func() int64 { return first.Epoch })

	if err := s.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kept scheduler a'`); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	var second *pg.Term
	select {
	case second = <-bTerms:
	case second = <-aTerms:
	case <-time.After(2 * lease):
		t.Fatalf("no takeover within two leases")
	}
	t.Logf("takeover by %s after %s", second.Holder, time.Since(began))
	if second.Epoch <= first.Epoch {
		t.Fatalf("new term %d is not after %d", second.Epoch, first.Epoch)
	}
	if _, err := stale.ClaimDue(time.Now(), store.Policy{}, 0); !errors.Is(err, pg.ErrFenced) {
		t.Fatalf("the old term claimed: %v, want ErrFenced", err)
	}
	leader := a
	if second.Holder == "b" {
		leader = b
	}
	ns, err := leader.ClaimDue(time.Now(), store.Policy{}, 0)
	if err != nil || len(ns) != 1 {
		t.Fatalf("the new term claimed %d (%v), want 1", len(ns), err)
	}
	if _, err := stale.MarkSending(ns[0].ID); !errors.Is(err, pg.ErrFenced) {
		t.Fatalf("the old term started a send: %v, want ErrFenced", err)
	}
	if _, err := leader.MarkSending(ns[0].ID); err != nil {
		t.Fatal(err)
	}
	// Recording a send is not fenced: the message is in Slack.
	if err := stale.MarkSent(ns[0].ID, "D1", "1.1"); err != nil {
		t.Fatal(err)
	}
	info, err := s.Check(ctx)
	if err != nil || info.Term != second.Epoch || info.Holder != second.Holder {
		t.Fatalf("check: %+v, %v; want term %d by %s", info, err, second.Epoch, second.Holder)
	}
}

// A leader that stops pinging (a paused process) loses its term after a
// lease, as the server ends its idle session; its Term stops being Valid
// after half a lease, before another replica can have started; and when
// it wakes, its term ends.
func TestLeaseExpires(t *testing.T) {
	_, url := openPG(t, time.Now)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lease := time.Second
	terms := make(chan *pg.Term, 1)
	ended := make(chan error, 1)
	e := &pg.Elector{URL: url, Holder: "paused", Lease: lease, Retry: time.Hour}
	thaw := pg.Freeze(e)
	go e.Run(ctx, func(ctx context.Context, term *pg.Term) error {
		terms <- term
		<-ctx.Done()
		ended <- context.Cause(ctx)
		return nil
	})
	paused := waitTerm(t, terms, 10*time.Second)
	if !paused.Valid() {
		t.Fatal("a fresh term is not valid")
	}
	began := time.Now()
	bTerms, _ := campaign(t, ctx, url, "b", lease)
	next := waitTerm(t, bTerms, 3*lease)
	took := time.Since(began)
	t.Logf("takeover from a paused leader after %s (lease %s)", took, lease)
	if took < lease/2 {
		t.Fatalf("took over after %s, before half a lease", took)
	}
	if paused.Valid() {
		t.Fatal("the paused leader's term is still valid after another started")
	}
	if next.Epoch <= paused.Epoch {
		t.Fatalf("term %d after %d", next.Epoch, paused.Epoch)
	}
	thaw()
	select {
	case err := <-ended:
		if err == nil {
			t.Fatal("the paused term ended without a cause")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the paused leader did not notice it lost its term")
	}
}
