package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkAddPromise compares committing each command on its own with
// group commit, fsync on throughout. ns/op is the cost of one command; in
// the parallel cases that is wall time divided by commands, i.e. 1/throughput.
func BenchmarkAddPromise(b *testing.B) {
	p := Promise{Team: "T1", Text: "send the quote", Owner: "U1", Creator: "U2", Due: t0.Add(time.Hour)}
	// write is how commands commit: "commit" as the store runs (its own
	// group commit), "update" (one Update each) or "batch" (bbolt's
	// DB.Batch, whose window is delay).
	open := func(b *testing.B, delay time.Duration, write string) *Bolt {
		s, err := New(filepath.Join(b.TempDir(), "kept.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		switch write {
		case "update":
			s.write = s.db.Update
		case "batch":
			s.db.MaxBatchDelay = delay
			s.write = s.db.Batch
		}
		return s
	}
	serial := func(s *Bolt) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if _, err := s.AddPromise("", p); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	parallel := func(s *Bolt) func(*testing.B) {
		return func(b *testing.B) {
			b.SetParallelism(25)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.AddPromise("", p); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
	}
	b.Run("update-serial", func(b *testing.B) { serial(open(b, 0, "update"))(b) })
	b.Run("update-parallel", func(b *testing.B) { parallel(open(b, 0, "update"))(b) })
	// commit-serial is a lone command's latency as the store commits it:
	// nothing else is committing, so it is written at once; batch-serial
	// is the same through DB.Batch, which waits out its window.
	b.Run("commit-serial", func(b *testing.B) { serial(open(b, 0, "commit"))(b) })
	b.Run("commit-parallel", func(b *testing.B) { parallel(open(b, 0, "commit"))(b) })
	for _, d := range []time.Duration{500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond} {
		b.Run(fmt.Sprintf("batch-serial/delay=%v", d), func(b *testing.B) { serial(open(b, d, "batch"))(b) })
		b.Run(fmt.Sprintf("batch-parallel/delay=%v", d), func(b *testing.B) { parallel(open(b, d, "batch"))(b) })
	}
}

// BenchmarkClaimDueIdle is the scheduler's tick when nothing is due among
// 100k stored promises.
func BenchmarkClaimDueIdle(b *testing.B) {
	s := openTest(b, "")
	bulkAdd(b, s, "T1", 100_000, func(i int) time.Time { return t0.Add(time.Hour + time.Duration(i)*time.Second) })
	if _, err := s.ClaimDue(t0, Policy{OverdueAfter: time.Hour}, 100); err != nil { // records overdueAfter
		b.Fatal(err)
	}
	for b.Loop() {
		ns, err := s.ClaimDue(t0, Policy{OverdueAfter: time.Hour}, 100)
		if err != nil || len(ns) != 0 {
			b.Fatal(ns, err)
		}
	}
}
