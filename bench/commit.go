package bench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
)

// batchDelay is DB.Batch's window as the store set it before it had its
// own group commit (store/group.go), for the row that compares the two.
const batchDelay = time.Millisecond

// committers is how many goroutines commit at once: enough to saturate
// group commit, as a burst of slash commands does.
const committers = 64

// CommitRate measures commands committed per second at saturation, fsync
// on: store.AddPromise (the store's group commit, as the bot runs it)
// against its core writes (updateOne) each in its own db.Update, one fsync
// per command.
func CommitRate(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	window := 2 * time.Second
	if opts.Quick {
		window = time.Second
	}
	p := samplePromise(0)
	st, err := store.New(filepath.Join(dir, "batch.db"), store.Options{})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var seq atomic.Int64
	batch := func() error {
		_, err := st.AddPromise(fmt.Sprintf("op-%d", seq.Add(1)), p)
		return err
	}
	db, err := bolt.Open(filepath.Join(dir, "update.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.MaxBatchDelay = batchDelay
	update := func() error { return updateOne(db.Update, p, fmt.Sprintf("op-%d", seq.Add(1))) }
	batchAlone := func() error { return updateOne(db.Batch, p, fmt.Sprintf("op-%d", seq.Add(1))) }

	var rows []Row
	var rates [2][]float64
	for r := range opts.Runs {
		for i, fn := range []func() error{batch, update} {
			rate, err := saturate(ctx, fn, committers, window)
			if err != nil {
				return nil, err
			}
			rates[i] = append(rates[i], rate)
		}
		opts.logf("commit: run %d: batch %.0f/s, update %.0f/s", r+1, rates[0][r], rates[1][r])
	}
	b, u := median(rates[0]), median(rates[1])
	lone, err := loneCommits(ctx, dir, opts, batch, update, batchAlone)
	if err != nil {
		return nil, err
	}
	rows = append(rows, lone)
	rows = append(rows,
		Row{Section: "2", Measure: fmt.Sprintf("commands committed/s, group commit (store.AddPromise), %d writers", committers),
			Result: fmt.Sprintf("%.0f/s (%.1f× baseline)", b, b/u)},
		Row{Section: "2", Measure: fmt.Sprintf("commands committed/s, one fsync each (db.Update), %d writers", committers),
			Result: fmt.Sprintf("%.0f/s", u)},
	)
	if opts.pg != nil {
		rate, err := pgCommitRate(ctx, window, opts)
		if err != nil {
			return rows, fmt.Errorf("postgres: %w", err)
		}
		rows[1].PG = fmt.Sprintf("%.0f/s (pg.Store.AddPromise: the same group commit, one transaction and WAL flush a group)", rate)
	}
	return rows, nil
}

// pgCommitRate is CommitRate's figure on PostgreSQL: the store's
// AddPromise, as the bot runs it, from committers goroutines.
func pgCommitRate(ctx context.Context, window time.Duration, opts Options) (float64, error) {
	url, drop, err := opts.pg.newDB(ctx)
	if err != nil {
		return 0, err
	}
	defer drop()
	st, err := pg.Open(ctx, url, pg.Options{Name: "bench"})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	p := samplePromise(0)
	var seq atomic.Int64
	var rates []float64
	for r := range opts.Runs {
		rate, err := saturate(ctx, func() error {
			_, err := st.AddPromise(fmt.Sprintf("op-%d", seq.Add(1)), p)
			return err
		}, committers, window)
		if err != nil {
			return 0, err
		}
		rates = append(rates, rate)
		opts.logf("commit postgres: run %d: %.0f/s", r+1, rate)
	}
	return median(rates), nil
}

// saturate runs fn from c goroutines for window and returns calls per second.
func saturate(ctx context.Context, fn func() error, c int, window time.Duration) (float64, error) {
	var (
		n     atomic.Int64
		first atomic.Pointer[error]
		wg    sync.WaitGroup
	)
	deadline := time.Now().Add(window)
	began := time.Now()
	for range c {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if err := fn(); err != nil {
					first.CompareAndSwap(nil, &err)
					return
				}
				n.Add(1)
			}
		})
	}
	wg.Wait()
	if e := first.Load(); e != nil {
		return 0, *e
	}
	return float64(n.Load()) / time.Since(began).Seconds(), ctx.Err()
}

// loneWindow is how much a lone commit may take over db.Update's before
// it counts as waiting for the group-commit window (1 ms).
const loneWindow = 250 * time.Microsecond

// loneCommits times commits one at a time, nothing else committing, fsync
// on: the store's AddPromise as the bot runs it, which should commit at
// once; its core writes (updateOne) in a db.Update; and through DB.Batch alone, which
// waits out its window first. It measures the disk's fdatasync floor
// beside them in the same run.
func loneCommits(ctx context.Context, dir string, opts Options, commit, update, batch func() error) (Row, error) {
	const n = 200
	var floors, commits, updates, batches []time.Duration
	for range opts.Runs {
		syncs, err := fsyncFloor(dir, n)
		if err != nil {
			return Row{}, fmt.Errorf("fdatasync floor: %w", err)
		}
		floors = append(floors, percentile(syncs, .5))
		for _, m := range []struct {
			fn  func() error
			p50 *[]time.Duration
		}{{commit, &commits}, {update, &updates}, {batch, &batches}} {
			lat := make([]time.Duration, 0, n)
			for range n {
				if err := ctx.Err(); err != nil {
					return Row{}, err
				}
				t := time.Now()
				if err := m.fn(); err != nil {
					return Row{}, err
				}
				lat = append(lat, time.Since(t))
			}
			slices.Sort(lat)
			*m.p50 = append(*m.p50, percentile(lat, .5))
		}
	}
	f, c, u, b := median(floors), median(commits), median(updates), median(batches)
	opts.logf("commit: lone p50: AddPromise %s, db.Update %s, DB.Batch alone %s; fdatasync %s", ms(c), ms(u), ms(b), ms(f))
	return Row{
		Section: "2",
		Measure: fmt.Sprintf("a lone command's commit, nothing else committing (AddPromise, %d per run)", n),
		Result: fmt.Sprintf("p50 %s = %.1f× fdatasync p50 (%s, same run; bbolt syncs twice per commit); its core writes in db.Update %s, through DB.Batch alone %s",
			ms(c), float64(c)/float64(max(f, 1)), ms(f), ms(u), ms(b)),
		Target: "no batch window: ≤ db.Update's + 0.25 ms",
		Miss:   c > u+loneWindow,
	}, nil
}

// updateOne writes the core of what AddPromise writes (the promise
// record, its due index entry and the envelope's de-dup record with its
// age entry; not the owner, customer and state indexes, so AddPromise
// does a little more), in one write transaction of commit (db.Update: the
// one-fsync-per-command baseline; or db.Batch).
func updateOne(commit func(func(*bolt.Tx) error) error, p store.Promise, op string) error {
	return commit(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("promises"))
		if err != nil {
			return err
		}
		id, err := b.NextSequence()
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		p.ID, p.Created, p.State = int64(id), now, store.Open
		p.History = []store.Event{{At: now, Kind: "created", By: p.Creator}}
		key := dueIndexKey(p.Due, p.ID, p.Team)
		v, err := json.Marshal(fixtureRecord{Promise: p, IndexKey: key})
		if err != nil {
			return err
		}
		if err := b.Put(be64(id), v); err != nil {
			return err
		}
		due, err := tx.CreateBucketIfNotExists([]byte("due"))
		if err != nil {
			return err
		}
		if err := due.Put(key, nil); err != nil {
			return err
		}
		ops, err := tx.CreateBucketIfNotExists([]byte("ops"))
		if err != nil {
			return err
		}
		rec, _ := json.Marshal(map[string]any{"team": p.Team, "id": p.ID, "at": now})
		if err := ops.Put([]byte(op), rec); err != nil {
			return err
		}
		age, err := tx.CreateBucketIfNotExists([]byte("opsage"))
		if err != nil {
			return err
		}
		return age.Put(append(be64(uint64(now.UnixNano())), op...), nil)
	})
}

func be64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}
