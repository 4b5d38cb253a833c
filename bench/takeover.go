package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/slacksim"
	"github.com/keptbot/kept/store/pg"
)

// Takeover runs two replicas of the real binary on one PostgreSQL
// database against the simulator, SIGKILLs the one that schedules and
// times how long until the other holds the scheduling term: from the kill
// to the new term's row in the scheduler table. It does so opts.Runs
// times, starting a fresh standby after each kill. The lease is the
// default, pg.DefaultLease; the target is twice it.
func Takeover(ctx context.Context, opts Options) (Row, error) {
	opts.defaults()
	row := Row{
		Section: "4",
		Measure: fmt.Sprintf("scheduling takeover after SIGKILL of the scheduling replica, 2 replicas, KEPT_LEASE %s", pg.DefaultLease),
		Target:  fmt.Sprintf("≤ 2× the lease (%s)", 2*pg.DefaultLease),
	}
	if opts.Binary == "" {
		row.PG = "n/a (no kept binary to run)"
		return row, nil
	}
	url, drop, err := opts.pg.newDB(ctx)
	if err != nil {
		return row, err
	}
	defer drop()
	users := []slacksim.User{user(1), user(2)}
	sim, err := newSim(time.Now, users)
	if err != nil {
		return row, err
	}
	defer sim.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return row, err
	}
	defer conn.Close(context.Background())
	host, _ := os.Hostname()
	procs := map[string]*exec.Cmd{} // host:pid, as a replica names itself in the scheduler table
	var logs bytes.Buffer
	defer func() {
		for _, c := range procs {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	}()
	spawn := func() error {
		cmd := exec.CommandContext(ctx, opts.Binary, "run")
		cmd.Env = childEnv(sim, url)
		cmd.Stderr = &logs
		if err := cmd.Start(); err != nil {
			return err
		}
		procs[host+":"+strconv.Itoa(cmd.Process.Pid)] = cmd
		return nil
	}
	// term is the current term and its holder, if that replica is alive.
	term := func() (int64, string, error) {
		var epoch int64
		var holder string
		err := conn.QueryRow(ctx, `SELECT epoch, holder FROM scheduler WHERE id = 1`).Scan(&epoch, &holder)
		return epoch, holder, err
	}
	waitTerm := func(after int64, within time.Duration) (int64, string, error) {
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			e, h, err := term()
			if err != nil {
				return 0, "", err
			}
			if _, alive := procs[h]; e > after && alive {
				return e, h, nil
			}
			time.Sleep(5 * time.Millisecond)
		}
		return 0, "", fmt.Errorf("no replica took the scheduling term within %s; logs:\n%s", within, logs.String())
	}
	for range 2 {
		if err := spawn(); err != nil {
			return row, err
		}
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	err = sim.Wait(wctx, func() bool { return sim.Connections() >= 2 })
	cancel()
	if err != nil {
		return row, fmt.Errorf("replicas did not connect: %w; logs:\n%s", err, logs.String())
	}
	epoch, holder, err := waitTerm(0, 30*time.Second)
	if err != nil {
		return row, err
	}
	var takes []time.Duration
	for r := range opts.Runs {
		// Both replicas up: the one to kill leads, the other stands by.
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := sim.Wait(wctx, func() bool { return sim.Connections() >= 2 })
		cancel()
		if err != nil {
			return row, errors.New("the standby did not connect")
		}
		victim := procs[holder]
		killed := time.Now()
		if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
			return row, err
		}
		_ = victim.Wait()
		delete(procs, holder)
		e, h, err := waitTerm(epoch, 4*pg.DefaultLease)
		if err != nil {
			return row, err
		}
		takes = append(takes, time.Since(killed))
		opts.logf("takeover run %d: term %d (%s) → %d (%s) in %s", r+1, epoch, holder, e, h, ms(takes[r]))
		epoch, holder = e, h
		if err := spawn(); err != nil {
			return row, err
		}
	}
	t := median(takes)
	row.PG = fmt.Sprintf("%s (max %s of %d kills)", ms(t), ms(maxOf(takes)), len(takes))
	row.PGMiss = t > 2*pg.DefaultLease
	return row, nil
}

func maxOf(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
