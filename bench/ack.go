package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keptbot/kept/slacksim"
)

// ackTarget is the bound on p99 at 200 commands in flight.
const ackTarget = 20 * time.Millisecond

// pgAckFactor is the bound on PostgreSQL's p99 at 200 in flight,
// against bbolt's in the same run.
const pgAckFactor = 1.5

// AckLatency sends /promise commands through the simulator's Socket Mode
// to the real daemon and times each from envelope sent to ack received:
// p50, p99 and max per concurrency level, each the median over runs; on
// bbolt, then with the same load on PostgreSQL.
func AckLatency(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	levels, err := ackLevels(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	var pgLevels []ackLevel
	if opts.pg != nil {
		url, drop, err := opts.pg.newDB(ctx)
		if err != nil {
			return nil, err
		}
		defer drop()
		if pgLevels, err = ackLevels(ctx, url, opts); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	var rows []Row
	for i, l := range levels {
		row := Row{
			Section: "1",
			Measure: fmt.Sprintf("/promise ack latency, %d in flight (%d commands/run)", l.inFlight, l.n),
			Result:  l.String(),
		}
		if l.inFlight == 200 {
			row.Target = "p99 < 20 ms"
			row.Miss = l.p99 >= ackTarget
		}
		row.Miss = row.Miss || l.late > 0
		if pgLevels != nil {
			p := pgLevels[i]
			row.PG = p.String()
			row.PGMiss = p.late > 0
			if l.inFlight == 200 {
				row.Target += fmt.Sprintf("; PostgreSQL p99 ≤ %.1f× bbolt's", pgAckFactor)
				row.PGMiss = row.PGMiss || float64(p.p99) > pgAckFactor*float64(l.p99)
				row.PG += fmt.Sprintf(" = %.2f× bbolt's p99", float64(p.p99)/float64(max(l.p99, 1)))
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// ackLevel is one concurrency level's medians.
type ackLevel struct {
	inFlight, n   int
	p50, p99, max time.Duration
	rate          float64
	late          int // commands not acknowledged within the simulator's ack timeout (Slack's 3 s), all runs
}

func (l ackLevel) String() string {
	s := fmt.Sprintf("p50 %s, p99 %s, max %s; %.0f commands/s", ms(l.p50), ms(l.p99), ms(l.max), l.rate)
	if l.late > 0 {
		s += fmt.Sprintf("; %d not acked within 3 s", l.late)
	}
	return s
}

// ackLevels measures every level of opts.InFlight on one daemon on db (a
// directory for bbolt, or a postgres:// URL).
func ackLevels(ctx context.Context, db string, opts Options) ([]ackLevel, error) {
	users := []slacksim.User{user(1), user(2), user(3)}
	k, err := startKept(db, time.Now, users, time.Hour)
	if err != nil {
		return nil, err
	}
	defer k.stop()
	// Warm up: connections, the zone cache, the first pages of the file.
	if _, _, err := slashBurst(ctx, k.sim, users, 8, 64); err != nil {
		return nil, err
	}
	var out []ackLevel
	for _, c := range opts.InFlight {
		n := max(opts.Commands, c)
		if c == 1 {
			n = min(n, 500) // a lone command is one fsync; 500 is plenty
		}
		var p50s, p99s, maxs []time.Duration
		var rates []float64
		late := 0
		for r := range opts.Runs {
			began := time.Now()
			lat, l, err := slashBurst(ctx, k.sim, users, c, n)
			if err != nil {
				return out, err
			}
			late += l
			rates = append(rates, float64(n)/time.Since(began).Seconds())
			p50s = append(p50s, percentile(lat, .50))
			p99s = append(p99s, percentile(lat, .99))
			maxs = append(maxs, lat[len(lat)-1])
			opts.logf("ack %s: %d in flight, run %d: p50 %s p99 %s max %s", backendName(db), c, r+1, ms(p50s[r]), ms(p99s[r]), ms(maxs[r]))
		}
		out = append(out, ackLevel{inFlight: c, n: n, p50: median(p50s), p99: median(p99s), max: median(maxs), rate: median(rates), late: late})
	}
	for _, err := range k.sim.Errors() {
		if !errors.Is(err, slacksim.ErrNoAck) { // counted as late
			return out, fmt.Errorf("simulator saw protocol errors: %v", err)
		}
	}
	return out, k.stop()
}

// slashBurst sends n commands from c concurrent senders (a closed loop: each
// sender waits for its ack before sending the next) and returns the
// latencies, sorted, and how many were not acknowledged within the
// simulator's ack timeout (counted at that timeout: an overloaded machine
// is a figure, not a failure of the bench).
func slashBurst(ctx context.Context, sim *slacksim.Server, users []slacksim.User, c, n int) ([]time.Duration, int, error) {
	var (
		next  atomic.Int64
		mu    sync.Mutex
		lat   = make([]time.Duration, 0, n)
		late  int
		first error
		wg    sync.WaitGroup
	)
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				u := users[i%len(users)]
				text := fmt.Sprintf("Acme %d: call back about the renewal quote tomorrow 3pm", i)
				rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
				t := time.Now()
				r, err := sim.SlashCommand(rctx, u.ID, benchChannel, "/promise", text)
				d := time.Since(t)
				cancel()
				if err == nil && !strings.Contains(r.Text, "Got it") {
					err = fmt.Errorf("unexpected reply %q", r.Text)
				}
				mu.Lock()
				if errors.Is(err, slacksim.ErrNoAck) {
					late++
					err = nil
				}
				if err != nil && first == nil {
					first = err
				}
				lat = append(lat, d)
				mu.Unlock()
				if err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, late, first
}
