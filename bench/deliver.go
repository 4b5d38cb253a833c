package bench

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store"
)

// deliverTick is the daemon's default KEPT_TICK.
const deliverTick = 30 * time.Second

// deliveryTarget is how far above the rate limit's minimum delivery may take.
const deliveryTarget = 1.05

// Delivery makes opts.Nudges reminders fall due within one minute and has
// the real daemon deliver them to a simulator that limits chat.postMessage
// to opts.RatePerMinute per sliding minute, answering 429 with Retry-After
// beyond it. The clock is real time that the bench pushes ahead whenever
// the daemon would only be waiting for its next wake-up (scheduler.Run's
// tick, or the end of a Retry-After pause), so processing costs
// what it costs and idle minutes cost nothing. It reports the time from the
// first tick to the last message, against the least the limit allows, and
// checks that every nudge arrived exactly once: on bbolt, then on
// PostgreSQL with two replicas, of which the scheduling one delivers.
func Delivery(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	n, limit := opts.Nudges, opts.RatePerMinute
	owners := min(n, 1000)
	row := Row{
		Section: "4",
		Measure: fmt.Sprintf("%s nudges due in one minute, chat.postMessage limited to %d/min, KEPT_TICK %s, %d recipients", count(n), limit, deliverTick, owners),
		Target:  "≤ 1.05× the limit's minimum; 0 lost, 0 duplicated",
	}
	var err error
	row.Result, row.Miss, err = deliver(ctx, opts, []string{dir})
	if err != nil || opts.pg == nil {
		return []Row{row}, err
	}
	url, drop, err := opts.pg.newDB(ctx)
	if err != nil {
		return []Row{row}, err
	}
	defer drop()
	row.PG, row.PGMiss, err = deliver(ctx, opts, []string{url, url})
	if err != nil {
		return []Row{row}, fmt.Errorf("postgres: %w", err)
	}
	row.PG = "2 replicas: " + row.PG
	rows := []Row{row}
	take, err := Takeover(ctx, opts)
	return append(rows, take), err
}

// deliver runs Delivery's measure with one daemon per entry of dbs, all
// on one simulator: one bbolt directory, or replicas of one PostgreSQL
// database. It returns the figure and whether it missed the target.
func deliver(ctx context.Context, opts Options, dbs []string) (string, bool, error) {
	n, limit := opts.Nudges, opts.RatePerMinute
	owners := min(n, 1000)
	users := make([]slacksim.User, owners)
	for i := range users {
		users[i] = user(i + 1)
	}
	clk := clock.NewOffset()
	sim, err := newSim(clk.Now, users)
	if err != nil {
		return "", false, err
	}
	defer sim.Close()
	var replicas []*kept
	defer func() {
		for _, k := range replicas {
			_ = k.stop()
		}
	}()
	for _, db := range dbs {
		k, err := startDaemon(sim, db, clk.Now, time.Hour) // the bench ticks, on the KEPT_TICK grid
		if err != nil {
			return "", false, err
		}
		replicas = append(replicas, k)
	}
	st := replicas[0].d.Store
	// The replica that schedules: the bench ticks its scheduler, as its
	// own Run would.
	leader := func() (*kept, error) {
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			for _, k := range replicas {
				if ok, _ := k.d.Scheduling(); ok {
					return k, nil
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		return nil, errors.New("no replica took the scheduling term within 30s")
	}

	// The promises, due spread over one minute an hour from now.
	due0 := clk.Now().Add(time.Hour).Truncate(time.Minute)
	var next atomic.Int64
	var wg sync.WaitGroup
	var addErr atomic.Pointer[error]
	for range committers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				p := samplePromise(i)
				p.Owner, p.Creator = users[i%owners].ID, users[i%owners].ID
				p.Due = due0.Add(time.Duration(i) * time.Minute / time.Duration(n))
				if _, err := st.AddPromise("", p); err != nil {
					addErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if e := addErr.Load(); e != nil {
		return "", false, *e
	}
	sim.SetRateLimit("chat.postMessage", limit)

	// Tick as the daemon's ticker would, from the end of that minute.
	clk.Advance(due0.Add(time.Minute).Sub(clk.Now()))
	start := clk.Now()
	minimum := time.Duration((n-1)/limit) * time.Minute
	wall := time.Now()
	grid, wake, ticks := start, start, 0
	for {
		if err := ctx.Err(); err != nil {
			return "", false, err
		}
		if d := wake.Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		k, err := leader()
		if err != nil {
			return "", false, err
		}
		if err := k.d.Scheduler.Tick(ctx); err != nil {
			return "", false, err
		}
		ticks++
		got, _, _ := nudgePosts(sim)
		if got >= n {
			break
		}
		// Nothing left in the outbox: the rest were given up on.
		pending, err := st.PendingNudges(start.Add(24*time.Hour), 1)
		if err != nil {
			return "", false, err
		}
		if len(pending) == 0 {
			break
		}
		now := clk.Now()
		if now.Sub(start) > 10*minimum+10*time.Minute {
			return "", false, fmt.Errorf("after %s only %d of %d nudges were delivered", now.Sub(start).Round(time.Second), got, n)
		}
		// As scheduler.Run: the next tick on the grid (those missed while
		// a tick overran are skipped), or sooner when a Retry-After pause
		// ends or a nudge in the outbox comes due.
		grid = start.Add((now.Sub(start)/deliverTick + 1) * deliverTick)
		wake = k.d.Scheduler.NextWake(grid)
		if ticks%10 == 0 {
			opts.logf("deliver %s: %d/%d after %s (simulated)", backendName(dbs[0]), got, n, now.Sub(start).Round(time.Second))
		}
	}
	wallTime := time.Since(wall)
	got, dups, last := nudgePosts(sim)
	nudges, err := st.Nudges("")
	if err != nil {
		return "", false, err
	}
	sent, failed := 0, 0
	for _, nu := range nudges {
		switch nu.State {
		case store.NudgeSent:
			sent++
		case store.NudgeFailed:
			failed++
		}
	}
	var limited int
	for _, c := range sim.Calls() {
		if c.Method == "chat.postMessage" && c.Status == 429 {
			limited++
		}
	}
	took := last.Sub(start)
	if got < n {
		took = clk.Now().Sub(start) // when the last was given up on
	}
	var res string
	miss := false
	lost := n - got
	if minimum > 0 {
		ratio := float64(took) / float64(minimum)
		res = fmt.Sprintf("all out in %s (simulated) = %.2f× the minimum %s", took.Round(time.Second), ratio, minimum)
		if got < n {
			res = fmt.Sprintf("only %d delivered; the rest given up on after %s (simulated); the minimum for all is %s", got, took.Round(time.Second), minimum)
		}
		miss = ratio > deliveryTarget
	} else {
		res = fmt.Sprintf("all out in %s (the limit allows them at once)", took.Round(time.Millisecond))
	}
	res += fmt.Sprintf("; %d lost, %d duplicated, %d failed in the store; %d ticks, %d answers 429; %s wall", lost, dups, failed, ticks, limited, wallTime.Round(time.Second))
	miss = miss || lost != 0 || dups != 0 || failed != 0 || sent != n
	opts.logf("deliver %s: %s", backendName(dbs[0]), res)
	for _, k := range replicas {
		if err := k.stop(); err != nil {
			return res, miss, err
		}
	}
	return res, miss, nil
}

// nudgePosts counts the distinct nudges the simulator received as bot
// messages, how many arrived more than once, and when the last arrived.
func nudgePosts(sim *slacksim.Server) (distinct, dups int, last time.Time) {
	seen := map[string]bool{}
	for _, m := range sim.Messages() {
		if m.Metadata == nil || m.Metadata.EventType != "kept_nudge" {
			continue
		}
		id := fmt.Sprint(m.Metadata.EventPayload["nudge_id"])
		if seen[id] {
			dups++
		}
		seen[id] = true
		if t := tsTime(m.TS); t.After(last) {
			last = t
		}
	}
	return len(seen), dups, last
}

// tsTime parses a message ts ("1700000000.000100").
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, _ := strconv.ParseInt(sec, 10, 64)
	us, _ := strconv.ParseInt(frac, 10, 64)
	return time.Unix(s, us*1000)
}
