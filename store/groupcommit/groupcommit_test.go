package groupcommit

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// within fails the test if run has not returned by a generous deadline.
// The deadline only catches a hang; nothing is asserted about speed.
func within(t *testing.T, what string, run func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- run() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-ctx.Done():
		t.Fatalf("%s did not return", what)
	}
}

// queued reports whether n commands queued behind the commit in
// progress within a generous deadline. It yields rather than sleeps: the
// writers are runnable.
func queued[T any](g *Group[T], n int) bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if g.Waiting() >= n {
			return true
		}
		runtime.Gosched()
	}
	return false
}

// tx is a test transaction: what its fns wrote, kept only if it commits.
type tx struct {
	id     int
	writes []string
}

// fakeDB commits transactions one at a time, as the leader runs them,
// and keeps each committed transaction's writes.
type fakeDB struct {
	mu        sync.Mutex
	next      int
	committed map[int][]string // tx id → its writes
	// hold, when set, blocks the first transaction until it is closed.
	hold chan struct{}
}

func (db *fakeDB) update(fn func(*tx) error) error {
	db.mu.Lock()
	db.next++
	t := &tx{id: db.next}
	hold := db.hold
	db.hold = nil
	db.mu.Unlock()
	if hold != nil {
		<-hold
	}
	if err := fn(t); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.committed == nil {
		db.committed = map[int][]string{}
	}
	db.committed[t.id] = t.writes
	return nil
}

// Commands that queue behind a commit are written in one transaction;
// the one whose fn fails gets its own error, alone, and the rest commit
// without its writes.
func TestGroupWritesTheQueueTogether(t *testing.T) {
	db := &fakeDB{hold: make(chan struct{})}
	release := db.hold
	var g Group[*tx]
	first := make(chan error, 1)
	go func() {
		first <- g.Run(db.update, func(t *tx) error { t.writes = append(t.writes, "first"); return nil })
	}()
	// Wait until the first commit is the one in progress.
	for {
		db.mu.Lock()
		started := db.next == 1
		db.mu.Unlock()
		if started {
			break
		}
		runtime.Gosched()
	}
	const n = 6
	refused := errors.New("refused")
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = g.Run(db.update, func(t *tx) error {
				if i == 2 {
					t.writes = append(t.writes, "refused")
					return refused
				}
				t.writes = append(t.writes, string(rune('a'+i)))
				return nil
			})
		})
	}
	ok := queued(&g, n)
	close(release)
	if !ok {
		t.Fatalf("%d commands did not queue behind the commit in progress", n)
	}
	within(t, "the queued commands", func() error { wg.Wait(); return <-first })
	for i, err := range errs {
		if i == 2 && !errors.Is(err, refused) || i != 2 && err != nil {
			t.Errorf("command %d: %v", i, err)
		}
	}
	var groups int
	for _, w := range db.committed {
		for _, s := range w {
			if s == "refused" {
				t.Errorf("a failed command's write was committed: %v", w)
			}
		}
		if len(w) == n-1 {
			groups++
		}
	}
	if groups != 1 {
		t.Errorf("committed transactions %v, want the %d that succeeded in one", db.committed, n-1)
	}
}

// When the database itself panics in a group's commit (bbolt on a
// damaged page), every command in that group is answered, the panic
// reaches the leader's caller, and later commands still commit rather
// than queue for ever.
func TestGroupDatabasePanicAnswersTheGroup(t *testing.T) {
	var (
		g          Group[struct{}]
		commits    int
		inside     = make(chan struct{})
		release    = make(chan struct{})
		damagedNow = true
	)
	update := func(fn func(struct{}) error) error {
		commits++ // one commit at a time: the group's leader runs it
		if commits == 1 {
			close(inside)
			<-release
		}
		if err := fn(struct{}{}); err != nil {
			return err
		}
		if commits == 2 && damagedNow {
			panic("damaged page")
		}
		return nil
	}
	nop := func(struct{}) error { return nil }
	first := make(chan error, 1)
	go func() { first <- g.Run(update, nop) }()
	<-inside

	var wg sync.WaitGroup
	errs := make([]error, 2)
	panics := make([]any, 2)
	for i := range 2 {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = g.Run(update, nop)
		})
	}
	ok := queued(&g, 2)
	close(release)
	if !ok {
		t.Fatal("2 writes did not queue behind the commit in progress")
	}
	within(t, "the group that panicked", func() error { wg.Wait(); return <-first })
	var answered, panicked int
	for i := range 2 {
		switch {
		case panics[i] == "damaged page":
			panicked++
		case errs[i] != nil && strings.Contains(errs[i].Error(), "damaged page"):
			answered++
		default:
			t.Errorf("write %d: error %v, panic %v; want the commit's panic as an error or the panic itself", i, errs[i], panics[i])
		}
	}
	if panicked != 1 || answered != 1 {
		t.Errorf("%d leaders panicked and %d followers were answered, want one each", panicked, answered)
	}
	damagedNow = false
	within(t, "a write after the panic", func() error { return g.Run(update, nop) })
}

// An update that learns only after running the fns which call failed
// (a pipeline) blames it: that call gets its own error, alone, and the
// others are written without it.
func TestGroupBlamedCallRunsAlone(t *testing.T) {
	refused := errors.New("refused")
	type pipeline struct{ queued []string }
	var (
		g        Group[*pipeline]
		mu       sync.Mutex
		commits  [][]string
		inside   = make(chan struct{})
		release  = make(chan struct{})
		firstRun = true
	)
	update := func(fn func(*pipeline) error) error {
		p := &pipeline{}
		if err := fn(p); err != nil {
			return err
		}
		mu.Lock()
		wait := firstRun
		firstRun = false
		mu.Unlock()
		if wait {
			close(inside)
			<-release
		}
		for i, q := range p.queued { // the work runs now, after every fn
			if q == "bad" {
				return &Blamed{Call: i, Err: refused}
			}
		}
		mu.Lock()
		commits = append(commits, p.queued)
		mu.Unlock()
		return nil
	}
	queue := func(what string) func(*pipeline) error {
		return func(p *pipeline) error { p.queued = append(p.queued, what); return nil }
	}
	first := make(chan error, 1)
	go func() { first <- g.Run(update, queue("first")) }()
	<-inside
	names := []string{"a", "bad", "b", "c"}
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() { errs[i] = g.Run(update, queue(name)) })
	}
	ok := queued(&g, len(names))
	close(release)
	if !ok {
		t.Fatal("the commands did not queue behind the commit in progress")
	}
	within(t, "the queued commands", func() error { wg.Wait(); return <-first })
	for i, err := range errs {
		if names[i] == "bad" {
			var b *Blamed
			if !errors.Is(err, refused) || !errors.As(err, &b) || b.Call != 0 {
				t.Errorf("the blamed call: %v, want its own error from a run alone", err)
			}
		} else if err != nil {
			t.Errorf("%s: %v", names[i], err)
		}
	}
	var group []string
	for _, c := range commits {
		if len(c) == len(names)-1 {
			group = c
		}
	}
	if len(group) == 0 || strings.Contains(strings.Join(group, ","), "bad") {
		t.Errorf("commits %v, want the three good calls in one", commits)
	}
}
