package bench

import (
	"context"
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
// checks that every nudge arrived exactly once.
func Delivery(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	n, limit := opts.Nudges, opts.RatePerMinute
	owners := min(n, 1000)
	users := make([]slacksim.User, owners)
	for i := range users {
		users[i] = user(i + 1)
	}
	clk := clock.NewOffset()
	k, err := startKept(dir, clk.Now, users, time.Hour) // the bench ticks, on the KEPT_TICK grid
	if err != nil {
		return nil, err
	}
	defer k.stop()

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
				if _, err := k.d.Store.AddPromise("", p); err != nil {
					addErr.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if e := addErr.Load(); e != nil {
		return nil, *e
	}
	k.sim.SetRateLimit("chat.postMessage", limit)

	// Tick as the daemon's ticker would, from the end of that minute.
	clk.Advance(due0.Add(time.Minute).Sub(clk.Now()))
	start := clk.Now()
	minimum := time.Duration((n-1)/limit) * time.Minute
	wall := time.Now()
	grid, wake, ticks := start, start, 0
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if d := wake.Sub(clk.Now()); d > 0 {
			clk.Advance(d)
		}
		if err := k.d.Scheduler.Tick(ctx); err != nil {
			return nil, err
		}
		ticks++
		got, _, _ := nudgePosts(k.sim)
		if got >= n {
			break
		}
		// Nothing left in the outbox: the rest were given up on.
		pending, err := k.d.Store.PendingNudges(start.Add(24*time.Hour), 1)
		if err != nil {
			return nil, err
		}
		if len(pending) == 0 {
			break
		}
		now := clk.Now()
		if now.Sub(start) > 10*minimum+10*time.Minute {
			return nil, fmt.Errorf("after %s only %d of %d nudges were delivered", now.Sub(start).Round(time.Second), got, n)
		}
		// As scheduler.Run: the next tick on the grid (those missed while
		// a tick overran are skipped), or sooner when a Retry-After pause
		// ends or a nudge in the outbox comes due.
		grid = start.Add((now.Sub(start)/deliverTick + 1) * deliverTick)
		wake = k.d.Scheduler.NextWake(grid)
		if ticks%10 == 0 {
			opts.logf("deliver: %d/%d after %s (simulated)", got, n, now.Sub(start).Round(time.Second))
		}
	}
	wallTime := time.Since(wall)
	got, dups, last := nudgePosts(k.sim)
	nudges, err := k.d.Store.Nudges("")
	if err != nil {
		return nil, err
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
	for _, c := range k.sim.Calls() {
		if c.Method == "chat.postMessage" && c.Status == 429 {
			limited++
		}
	}
	took := last.Sub(start)
	if got < n {
		took = clk.Now().Sub(start) // when the last was given up on
	}
	row := Row{
		Section: "4",
		Measure: fmt.Sprintf("%s nudges due in one minute, chat.postMessage limited to %d/min, KEPT_TICK %s, %d recipients", count(n), limit, deliverTick, owners),
		Target:  "≤ 1.05× the limit's minimum; 0 lost, 0 duplicated",
	}
	lost := n - got
	if minimum > 0 {
		ratio := float64(took) / float64(minimum)
		row.Result = fmt.Sprintf("all out in %s (simulated) = %.2f× the minimum %s", took.Round(time.Second), ratio, minimum)
		if got < n {
			row.Result = fmt.Sprintf("only %d delivered; the rest given up on after %s (simulated); the minimum for all is %s", got, took.Round(time.Second), minimum)
		}
		row.Miss = ratio > deliveryTarget
	} else {
		row.Result = fmt.Sprintf("all out in %s (the limit allows them at once)", took.Round(time.Millisecond))
	}
	row.Result += fmt.Sprintf("; %d lost, %d duplicated, %d failed in the store; %d ticks, %d answers 429; %s wall", lost, dups, failed, ticks, limited, wallTime.Round(time.Second))
	row.Miss = row.Miss || lost != 0 || dups != 0 || failed != 0 || sent != n
	opts.logf("deliver: %s", row.Result)
	return []Row{row}, k.stop()
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
