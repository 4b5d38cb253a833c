package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/slacksim"
)

// ackTarget is the bound on p99 at 200 commands in flight.
const ackTarget = 15 * time.Millisecond

// cpuTarget is the bound on the CPU Kept's process spends per
// command at 200 in flight.
const cpuTarget = 50 * time.Microsecond

// loneFactor is the bound on a lone command's p50 ack latency, in
// fdatasyncs of the same disk measured in the same run.
const loneFactor = 3.0

// pgAckFactor is the bound on PostgreSQL's p99 at 200 in flight,
// against bbolt's in the same run.
const pgAckFactor = 1.5

// AckLatency sends /promise commands through the simulator's Socket Mode
// to the real daemon and times each from envelope sent to ack received:
// p50, p99 and max per concurrency level, each the median over runs, with
// the CPU the daemon's process spent per command; on bbolt, then with the
// same load on PostgreSQL. Before each lone-command run it measures the
// disk's fdatasync, the floor a lone command is held to. With
// opts.Binary the daemon is the real binary in its own process, so that
// its CPU is its own; without, it runs in this process beside the
// simulator and the CPU figure is theirs together.
func AckLatency(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	levels, floor, err := ackLevels(ctx, dir, dir, opts)
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
		if pgLevels, _, err = ackLevels(ctx, url, "", opts); err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
	}
	var rows []Row
	if floor.n > 0 {
		rows = append(rows, Row{
			Section: "1",
			Measure: fmt.Sprintf("disk floor: 4 KiB overwrite + fdatasync beside the database (%d per lone-command run)", floor.n),
			Result:  fmt.Sprintf("p50 %s, p99 %s", ms(floor.p50), ms(floor.p99)),
		})
	}
	for i, l := range levels {
		row := Row{
			Section: "1",
			Measure: fmt.Sprintf("/promise ack latency, %d in flight (%d commands/run)", l.inFlight, l.n),
			Result:  l.String(),
		}
		var targets []string
		if l.inFlight == 1 && floor.n > 0 {
			targets = append(targets, fmt.Sprintf("p50 ≤ %.0f× fdatasync p50", loneFactor))
			ratio := float64(l.p50) / float64(max(floor.p50, 1))
			row.Result += fmt.Sprintf(" = %.1f× fdatasync p50", ratio)
			row.Miss = ratio > loneFactor
		}
		if l.inFlight == 200 {
			targets = append(targets, "p99 < 15 ms")
			row.Miss = row.Miss || l.p99 >= ackTarget
			if l.own {
				targets = append(targets, "CPU < 0.05 ms/command")
				row.Miss = row.Miss || l.cpu >= cpuTarget
			}
		}
		row.Miss = row.Miss || l.late > 0
		if pgLevels != nil {
			p := pgLevels[i]
			row.PG = p.String()
			row.PGMiss = p.late > 0
			if l.inFlight == 200 {
				targets = append(targets, fmt.Sprintf("PostgreSQL p99 ≤ %.1f× bbolt's", pgAckFactor))
				row.PGMiss = row.PGMiss || float64(p.p99) > pgAckFactor*float64(l.p99)
				row.PG += fmt.Sprintf(" = %.2f× bbolt's p99", float64(p.p99)/float64(max(l.p99, 1)))
			}
		}
		row.Target = strings.Join(targets, "; ")
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
	// cpu is the CPU time per command (user + system, /proc), of Kept's
	// own process when own, else of the bench process (simulator and
	// Kept together).
	cpu time.Duration
	own bool
}

func (l ackLevel) String() string {
	s := fmt.Sprintf("p50 %s, p99 %s, max %s; %.0f commands/s", ms(l.p50), ms(l.p99), ms(l.max), l.rate)
	if l.own {
		s += fmt.Sprintf("; CPU %s/command in Kept's process", ms(l.cpu))
	} else {
		s += fmt.Sprintf("; CPU %s/command, simulator and Kept together (no kept binary)", ms(l.cpu))
	}
	if l.late > 0 {
		s += fmt.Sprintf("; %d not acked within 3 s", l.late)
	}
	return s
}

// floorStat is the disk's fdatasync floor, medians over the lone runs.
type floorStat struct {
	n        int // syncs per run
	p50, p99 time.Duration
}

// ackDaemon is what ackLevels drives: the simulator, and the process whose
// CPU is counted.
type ackDaemon struct {
	sim  *slacksim.Server
	pid  int
	own  bool // pid is Kept alone
	stop func() error
}

// startAckDaemon starts Kept on db: the real binary in its own process
// when opts.Binary is set, else the daemon in this one.
func startAckDaemon(ctx context.Context, db string, users []slacksim.User, opts Options) (*ackDaemon, error) {
	if opts.Binary == "" {
		k, err := startKept(db, time.Now, users, time.Hour)
		if err != nil {
			return nil, err
		}
		return &ackDaemon{sim: k.sim, pid: os.Getpid(), stop: k.stop}, nil
	}
	sim, err := newSim(nil, users)
	if err != nil {
		return nil, err
	}
	if !config.Postgres(db) {
		db = filepath.Join(db, "kept.db")
	}
	c, err := startChild(ctx, opts.Binary, sim, db, "KEPT_TICK=1h")
	if err != nil {
		sim.Close()
		return nil, err
	}
	var once sync.Once
	return &ackDaemon{sim: sim, pid: c.pid(), own: true, stop: func() error {
		once.Do(func() {
			c.stop()
			sim.Close()
		})
		return nil
	}}, nil
}

// ackLevels measures every level of opts.InFlight on one daemon on db (a
// directory for bbolt, or a postgres:// URL), and, if floorDir is set,
// the fdatasync floor there before each lone-command run.
func ackLevels(ctx context.Context, db, floorDir string, opts Options) ([]ackLevel, floorStat, error) {
	users := []slacksim.User{user(1), user(2), user(3)}
	var floor floorStat
	k, err := startAckDaemon(ctx, db, users, opts)
	if err != nil {
		return nil, floor, err
	}
	defer k.stop()
	// Warm up: connections, the zone cache, the first pages of the file.
	if _, _, err := slashBurst(ctx, k.sim, users, 8, 64); err != nil {
		return nil, floor, err
	}
	var out []ackLevel
	var f50s, f99s []time.Duration
	for _, c := range opts.InFlight {
		n := max(opts.Commands, c)
		if c == 1 {
			n = min(n, 500) // a lone command is one commit; 500 is plenty
		}
		var p50s, p99s, maxs, cpus []time.Duration
		var rates []float64
		late := 0
		for r := range opts.Runs {
			if c == 1 && floorDir != "" {
				floor.n = min(200, max(n, 20))
				syncs, err := fsyncFloor(floorDir, floor.n)
				if err != nil {
					return out, floor, fmt.Errorf("fdatasync floor: %w", err)
				}
				f50s, f99s = append(f50s, percentile(syncs, .50)), append(f99s, percentile(syncs, .99))
			}
			cpu0, err := procCPU(k.pid)
			if err != nil {
				return out, floor, err
			}
			began := time.Now()
			lat, l, err := slashBurst(ctx, k.sim, users, c, n)
			if err != nil {
				return out, floor, err
			}
			took := time.Since(began)
			cpu1, err := procCPU(k.pid)
			if err != nil {
				return out, floor, err
			}
			late += l
			rates = append(rates, float64(n)/took.Seconds())
			p50s = append(p50s, percentile(lat, .50))
			p99s = append(p99s, percentile(lat, .99))
			maxs = append(maxs, lat[len(lat)-1])
			cpus = append(cpus, (cpu1-cpu0)/time.Duration(n))
			opts.logf("ack %s: %d in flight, run %d: p50 %s p99 %s max %s, CPU %s/command", backendName(db), c, r+1, ms(p50s[r]), ms(p99s[r]), ms(maxs[r]), ms(cpus[r]))
		}
		out = append(out, ackLevel{inFlight: c, n: n, p50: median(p50s), p99: median(p99s), max: median(maxs), rate: median(rates), late: late, cpu: median(cpus), own: k.own})
	}
	if len(f50s) > 0 {
		floor.p50, floor.p99 = median(f50s), median(f99s)
		opts.logf("ack: fdatasync floor p50 %s p99 %s", ms(floor.p50), ms(floor.p99))
	}
	for _, err := range k.sim.Errors() {
		if !errors.Is(err, slacksim.ErrNoAck) { // counted as late
			return out, floor, fmt.Errorf("simulator saw protocol errors: %v", err)
		}
	}
	return out, floor, k.stop()
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
