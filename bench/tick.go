package bench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	ob "github.com/keptbot/kept/outbox"
	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/store"
)

const (
	idleTarget  = time.Millisecond
	tickBatch   = 500 // the scheduler's default claim batch
	dueWave     = 1000
	overdueWait = 24 * time.Hour
)

// fixtureBase is when the first fixture promise is due: far enough ahead
// that a daemon on the real clock finds nothing due in it.
var fixtureBase = time.Date(2031, 1, 6, 9, 0, 0, 0, time.UTC)

// fixtureStep spaces due times one second apart.
const fixtureStep = time.Second

// nopDeliverer accepts every nudge at once: TickCost times the store.
type nopDeliverer struct{}

func (nopDeliverer) Deliver(context.Context, store.Nudge) (string, string, error) {
	return "D0", "1.0", nil
}

func (nopDeliverer) DeliverCheckins(_ context.Context, ns []store.Nudge) (ob.Batch, error) {
	b := ob.Batch{Channel: "D0", TS: "1.0"}
	for _, n := range ns {
		b.Sent = append(b.Sent, n.ID)
	}
	return b, nil
}

// TickCost builds stores of each size and measures one scheduler tick with
// nothing due (the whole tick, as the scheduler runs it) and one with 1,000
// due (the claim phase: the index walk and the claiming transactions,
// delivery excluded), with the bytes of the file each one read.
func TickCost(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	var rows []Row
	for _, n := range opts.Sizes {
		path := filepath.Join(dir, fmt.Sprintf("tick-%d.db", n))
		t := time.Now()
		if err := buildStore(path, n, fixtureBase, fixtureStep); err != nil {
			return rows, fmt.Errorf("build %d: %w", n, err)
		}
		opts.logf("tick: built %s promises in %s (%s)", count(n), time.Since(t).Round(time.Millisecond), size(fileSize(path)))
		r, err := tickRows(ctx, path, n, opts)
		if err == nil && opts.pg != nil {
			err = pgTickRows(ctx, r, n, opts)
		}
		rows = append(rows, r...)
		if err != nil {
			return rows, err
		}
	}
	r, err := CustomerTick(ctx, dir, opts)
	return append(rows, r...), err
}

func tickRows(ctx context.Context, path string, n int, opts Options) ([]Row, error) {
	idleNow := fixtureBase.Add(-time.Minute)
	// Idle: a cold tick on a freshly opened store, for the bytes, then
	// warm ticks, for the time.
	idleCold, idleTimes, err := idleTicks(ctx, path, opts.Runs, idleNow, nil)
	if err != nil {
		return nil, err
	}
	idle := median(idleTimes)
	rows := []Row{{
		Section: "3",
		Measure: fmt.Sprintf("idle tick (nothing due), %s open promises", count(n)),
		Result:  fmt.Sprintf("%s; %s of the file read", ms(idle), size(median(idleCold))),
	}}
	if targetSize(n, opts) {
		rows[0].Target = "< 1 ms at 1M"
		rows[0].Miss = idle >= idleTarget
	}

	// 1,000 due: run k claims promises k*1000 .. k*1000+999.
	dueTimes, dueBytes, err := dueTicks(path, n, opts.Runs, "nudges", claimPhase)
	if err != nil {
		return rows, err
	}
	if len(dueTimes) > 0 {
		rows = append(rows, Row{
			Section: "3",
			Measure: fmt.Sprintf("tick with 1,000 due (claim phase), %s open promises", count(n)),
			Result:  fmt.Sprintf("%s; %s of the file read", ms(median(dueTimes)), size(median(dueBytes))),
		})
	}
	opts.logf("tick: %s: idle %s (%s read), 1000 due %v", count(n), ms(idle), size(median(idleCold)), dueTimes)
	return rows, nil
}

// targetSize says whether the idle tick over n promises is held to its
// target: at 1M, or at the biggest size measured.
func targetSize(n int, opts Options) bool {
	return n == 1_000_000 || n == opts.Sizes[len(opts.Sizes)-1]
}

// pgTickRows fills the PostgreSQL column of tickRows' rows for n promises.
func pgTickRows(ctx context.Context, rows []Row, n int, opts Options) error {
	idle, due, err := pgTick(ctx, n, opts)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	rows[0].PG = ms(idle)
	if targetSize(n, opts) {
		rows[0].Target = "bbolt < 1 ms, PostgreSQL < 2 ms at 1M"
		rows[0].PGMiss = idle >= pgIdleTarget
	}
	if len(due) > 0 && len(rows) > 1 {
		rows[1].PG = ms(median(due))
	}
	return nil
}

// idleTicks measures, runs times over, a scheduler tick at now with
// nothing due on the store at path: a cold tick on a freshly opened store,
// for the bytes of the file it read, then warm ticks, for the time. check,
// if not nil, runs at the start of each run.
func idleTicks(ctx context.Context, path string, runs int, now time.Time, check func() error) ([]int64, []time.Duration, error) {
	var cold []int64
	var times []time.Duration
	for range runs {
		if check != nil {
			if err := check(); err != nil {
				return nil, nil, err
			}
		}
		st, err := store.New(path, store.Options{})
		if err != nil {
			return nil, nil, err
		}
		sch := scheduler.New(st, nopDeliverer{}, scheduler.Config{Now: func() time.Time { return now }, OverdueAfter: overdueWait, Log: quiet()})
		before, _ := mappedBytes(path)
		if err := sch.Tick(ctx); err != nil {
			st.Close()
			return nil, nil, err
		}
		after, _ := mappedBytes(path)
		cold = append(cold, max(0, after-before))
		const warm = 200
		t := time.Now()
		for range warm {
			if err := sch.Tick(ctx); err != nil {
				st.Close()
				return nil, nil, err
			}
		}
		times = append(times, time.Since(t)/warm)
		if err := st.Close(); err != nil {
			return nil, nil, err
		}
	}
	return cold, times, nil
}

// dueTicks times phase on a freshly opened store at path with dueWave of
// the n fixture items due: run k's wave is items k*1000 .. k*1000+999. It
// stops early when n has no more waves; what names the claimed items in
// the error when phase claims other than a wave.
func dueTicks(path string, n, runs int, what string, phase func(*store.Bolt, time.Time) (int, error)) ([]time.Duration, []int64, error) {
	var times []time.Duration
	var read []int64
	for k := range runs {
		if (k+1)*dueWave > n {
			break
		}
		now := fixtureBase.Add(time.Duration((k+1)*dueWave-1) * fixtureStep)
		st, err := store.New(path, store.Options{})
		if err != nil {
			return times, read, err
		}
		before, _ := mappedBytes(path)
		t := time.Now()
		claimed, err := phase(st, now)
		d := time.Since(t)
		after, _ := mappedBytes(path)
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return times, read, err
		}
		if claimed != dueWave {
			return times, read, fmt.Errorf("tick at %s claimed %d %s, want %d: the fixture does not match the store's format", now, claimed, what, dueWave)
		}
		times = append(times, d)
		read = append(read, max(0, after-before))
	}
	return times, read, nil
}

// claimPhase is what scheduler.Tick does before delivering: claim in
// batches until a short one, then read the first batch of the outbox.
func claimPhase(st *store.Bolt, now time.Time) (int, error) {
	return claimAll(st, now, "nudges", func() ([]store.Nudge, error) {
		return st.ClaimDue(now, store.Policy{OverdueAfter: overdueWait}, tickBatch)
	})
}

// outbox is what claimAll reads back, of either backend.
type outbox interface {
	PendingNudges(now time.Time, limit int) ([]store.Nudge, error)
}

// claimAll calls claim until it returns a batch shorter than tickBatch,
// then checks that the first batch of the outbox at now is not empty if
// anything was claimed; what names the claimed items in that error. It
// returns how many were claimed.
func claimAll(st outbox, now time.Time, what string, claim func() ([]store.Nudge, error)) (int, error) {
	total := 0
	for {
		ns, err := claim()
		if err != nil {
			return total, err
		}
		total += len(ns)
		if len(ns) < tickBatch {
			break
		}
	}
	pending, err := st.PendingNudges(now, tickBatch)
	if err != nil {
		return total, err
	}
	if len(pending) == 0 && total > 0 {
		return total, errors.New("claimed " + what + " are not in the outbox")
	}
	return total, nil
}
