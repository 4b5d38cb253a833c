package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// openWindow opens a store whose batch window is an hour: a write that
// waits for it cannot finish within a test's deadline.
func openWindow(t *testing.T) *Bolt {
	t.Helper()
	s, err := New(filepath.Join(t.TempDir(), "kept.db"), Options{MaxBatchDelay: time.Hour, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
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

// While another command is committing, writes join one group commit.
func TestCommitGroupsUnderConcurrency(t *testing.T) {
	s := openWindow(t)
	const n = 8
	// The batch fires when n calls have gathered, long before the hour.
	s.db.MaxBatchSize = n
	s.committing.Add(1) // another command is committing
	defer s.committing.Add(-1)

	var (
		mu  sync.Mutex
		txs = map[*bolt.Tx]bool{}
		wg  sync.WaitGroup
	)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.write(func(tx *bolt.Tx) error {
				mu.Lock()
				txs[tx] = true
				mu.Unlock()
				b, err := tx.CreateBucketIfNotExists([]byte("committest"))
				if err != nil {
					return err
				}
				return b.Put(fmt.Appendf(nil, "k%d", i), []byte("v"))
			})
		}()
	}
	within(t, "concurrent writes", func() error {
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				return err
			}
		}
		return nil
	})
	if len(txs) != 1 {
		t.Errorf("%d concurrent writes ran in %d transactions, want one group commit", n, len(txs))
	}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("committest"))
		if b == nil {
			return fmt.Errorf("bucket missing")
		}
		for i := range n {
			if b.Get(fmt.Appendf(nil, "k%d", i)) == nil {
				return fmt.Errorf("write %d not committed", i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Real concurrent commands, at the default window, all commit with
// distinct ids.
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
