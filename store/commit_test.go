package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openWindow opens a store whose bbolt batch window is an hour: a write
// that went through DB.Batch could not finish within a test's deadline.
func openWindow(t *testing.T) *Bolt {
	t.Helper()
	s, err := New(filepath.Join(t.TempDir(), "kept.db"), Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	s.db.MaxBatchDelay = time.Hour
	t.Cleanup(func() { s.Close() })
	return s
}

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
		t.Fatalf("%s waited for the batch window (an hour): a lone command must commit at once", what)
	}
}

func TestCommitLoneWriteSkipsBatchWindow(t *testing.T) {
	s := openWindow(t)
	var p Promise
	within(t, "lone AddPromise", func() (err error) {
		p, err = s.AddPromise("", Promise{Team: "T1", Text: "send the quote", Owner: "U1", Creator: "U2", Due: t0.Add(time.Hour)})
		return err
	})
	got, err := s.Promise("T1", p.ID)
	if err != nil || got.Text != "send the quote" {
		t.Fatalf("after a lone write: %+v, %v", got, err)
	}
	// One after another, each is alone again.
	for i := range 3 {
		within(t, fmt.Sprintf("serial AddPromise %d", i), func() error {
			_, err := s.AddPromise("", Promise{Team: "T1", Text: "call back", Owner: "U1", Creator: "U2", Due: t0.Add(time.Hour)})
			return err
		})
	}
}

// queued reports whether n commands queued behind the commit in
// progress within a generous deadline. It yields rather than sleeps: the
// writers are runnable.
func queued(g interface{ Waiting() int }, n int) bool {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if g.Waiting() >= n {
			return true
		}
		runtime.Gosched()
	}
	return false
}

// Commands that arrive while a commit is being written are written
// together when it is done, in one transaction; one whose fn fails gets
// its own error and the rest commit without it.
func TestCommitGroupsWhatQueuedDuringACommit(t *testing.T) {
	s := openWindow(t)
	put := func(tx *bolt.Tx, key string) error {
		b, err := tx.CreateBucketIfNotExists([]byte("committest"))
		if err != nil {
			return err
		}
		return b.Put([]byte(key), []byte("v"))
	}
	// The first command holds the commit until released.
	inside, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.write(func(tx *bolt.Tx) error {
			close(inside)
			<-release
			return put(tx, "first")
		})
	}()
	<-inside

	const n = 8
	refused := errors.New("refused")
	var (
		mu  sync.Mutex
		txs = map[int]bool{} // the transactions the n writes ran in
		wg  sync.WaitGroup
	)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			errs[i] = s.write(func(tx *bolt.Tx) error {
				if i == 3 {
					return refused
				}
				mu.Lock()
				txs[tx.ID()] = true
				mu.Unlock()
				return put(tx, fmt.Sprintf("k%d", i))
			})
		})
	}
	ok := queued(&s.group, n)
	close(release)
	if !ok {
		t.Fatalf("%d writes did not queue behind the commit in progress", n)
	}
	within(t, "queued writes", func() error {
		wg.Wait()
		return <-first
	})
	for i, err := range errs {
		switch {
		case i == 3 && !errors.Is(err, refused):
			t.Errorf("write %d: %v, want its own error", i, err)
		case i != 3 && err != nil:
			t.Errorf("write %d: %v", i, err)
		}
	}
	if len(txs) != 1 {
		t.Errorf("%d writes queued behind one commit ran in %d transactions, want one group commit", n-1, len(txs))
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("committest"))
		for i := range n {
			if got := b.Get(fmt.Appendf(nil, "k%d", i)) != nil; got != (i != 3) {
				return fmt.Errorf("write %d stored: %v", i, got)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Real concurrent commands all commit, with distinct ids.
func TestCommitConcurrentAddsAllCommit(t *testing.T) {
	s, err := New(filepath.Join(t.TempDir(), "kept.db"), Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const n = 50
	ids := make(chan int64, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := s.AddPromise("", Promise{Team: "T1", Text: "send the quote", Owner: "U1", Creator: "U2", Due: t0.Add(time.Hour)})
			if err != nil {
				t.Error(err)
				return
			}
			ids <- p.ID
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[int64]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("id %d given twice", id)
		}
		seen[id] = true
	}
	open, err := s.Promises("T1", "U1", Open)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != n || len(open) != n {
		t.Fatalf("%d ids, %d open promises stored, want %d", len(seen), len(open), n)
	}
}

// A lone command whose fn fails runs once: it was alone already.
func TestCommitLoneFailureRunsOnce(t *testing.T) {
	s := openWindow(t)
	runs := 0
	refused := errors.New("refused")
	if err := s.write(func(*bolt.Tx) error { runs++; return refused }); !errors.Is(err, refused) || runs != 1 {
		t.Fatalf("lone failing write: %v after %d runs, want its error after one", err, runs)
	}
}

// A command that panics inside a group panics in its own caller, alone;
// the others commit, and the store goes on committing.
func TestCommitPanicInAGroupIsItsOwn(t *testing.T) {
	s := openWindow(t)
	inside, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- s.write(func(*bolt.Tx) error { close(inside); <-release; return nil })
	}()
	<-inside
	var wg sync.WaitGroup
	var panicked any
	errs := make([]error, 3)
	for i := range 3 {
		wg.Go(func() {
			if i == 1 {
				defer func() { panicked = recover() }()
			}
			errs[i] = s.write(func(tx *bolt.Tx) error {
				if i == 1 {
					panic("a bug in one command")
				}
				b, err := tx.CreateBucketIfNotExists([]byte("committest"))
				if err != nil {
					return err
				}
				return b.Put(fmt.Appendf(nil, "k%d", i), []byte("v"))
			})
		})
	}
	ok := queued(&s.group, 3)
	close(release)
	if !ok {
		t.Fatal("3 writes did not queue behind the commit in progress")
	}
	within(t, "queued writes", func() error { wg.Wait(); return <-first })
	if panicked != "a bug in one command" {
		t.Errorf("the panicking command's caller recovered %v, want its panic", panicked)
	}
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("the others: %v, %v; want both committed", errs[0], errs[2])
	}
	within(t, "a write after the panic", func() error {
		return s.write(func(tx *bolt.Tx) error { return tx.Bucket([]byte("committest")).Put([]byte("after"), []byte("v")) })
	})
}
