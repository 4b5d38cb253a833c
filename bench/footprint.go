package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/keptbot/kept/slacksim"
)

const (
	startTarget = 300 * time.Millisecond
	rssTarget   = 100 << 20
)

// Footprint runs the real binary (opts.Binary run) as a child process
// against the simulator: start-up time from exec to the Socket Mode
// connection, on an empty store and on one with the biggest size's open
// promises, and the child's peak RSS (VmHWM) after its first tick and a
// burst of commands, with the database file's size.
func Footprint(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	n := opts.Sizes[len(opts.Sizes)-1]
	if opts.Binary == "" {
		return []Row{{Section: "5", Measure: "start-up time, peak RSS", Result: "n/a (no kept binary to run)"}}, nil
	}
	big := filepath.Join(dir, "big.db")
	t := time.Now()
	if err := buildStore(big, n, fixtureBase, fixtureStep); err != nil {
		return nil, err
	}
	opts.logf("footprint: built %s promises in %s", count(n), time.Since(t).Round(time.Millisecond))
	var rows []Row
	for _, db := range []struct {
		name, path string
		n          int
	}{{"empty store", filepath.Join(dir, "empty.db"), 0}, {count(n) + " open promises", big, n}} {
		var starts []time.Duration
		var hwms, rsss []int64
		for r := range opts.Runs {
			st, hwm, rss, err := runChild(ctx, opts.Binary, db.path)
			if err != nil {
				return rows, fmt.Errorf("%s: %w", db.name, err)
			}
			starts, hwms, rsss = append(starts, st), append(hwms, hwm), append(rsss, rss)
			opts.logf("footprint: %s run %d: ready in %s, VmHWM %s, VmRSS %s", db.name, r+1, ms(st), size(hwm), size(rss))
		}
		row := Row{Section: "5", Measure: "start-up, exec → socket connected, " + db.name, Result: ms(median(starts))}
		if db.n > 0 {
			row.Target = "< 300 ms"
			row.Miss = median(starts) >= startTarget
		}
		rows = append(rows, row)
		mem := Row{Section: "5", Measure: "peak RSS (VmHWM) after first tick + 400 commands, " + db.name,
			Result: fmt.Sprintf("%s (VmRSS at the end %s)", size(median(hwms)), size(median(rsss)))}
		if db.n > 0 {
			mem.Target = "< 100 MB at 1M"
			mem.Miss = median(hwms) >= rssTarget
		}
		rows = append(rows, mem)
	}
	rows = append(rows, Row{Section: "5", Measure: fmt.Sprintf("database file, %s open promises", count(n)),
		Result: fmt.Sprintf("%s (%d B/promise)", size(fileSize(big)), fileSize(big)/int64(max(n, 1)))})
	return rows, nil
}

// runChild starts `binary run` on db against a fresh simulator, times it to
// the socket connection, sends 400 commands, and reads its memory figures.
func runChild(ctx context.Context, binary, db string) (start time.Duration, hwm, rss int64, err error) {
	users := []slacksim.User{user(1), user(2), user(3)}
	sim, err := slacksim.New(slacksim.Options{TeamID: benchTeam})
	if err != nil {
		return 0, 0, 0, err
	}
	defer sim.Close()
	for _, u := range users {
		sim.AddUser(u)
	}
	sim.AddChannel(slacksim.Channel{ID: benchChannel, Name: "sales", Members: []string{users[0].ID, users[1].ID, users[2].ID}})
	cmd := exec.CommandContext(ctx, binary, "run")
	cmd.Env = childEnv(sim, db)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sim.Wait(wctx, func() bool { return sim.Connections() > 0 }); err != nil {
		return 0, 0, 0, fmt.Errorf("kept did not connect: %w; its stderr: %s", err, stderr.String())
	}
	start = time.Since(began)
	if _, _, err := slashBurst(ctx, sim, users, 50, 400); err != nil {
		return 0, 0, 0, err
	}
	hwm, rss, err = procMemory(cmd.Process.Pid)
	return start, hwm, rss, err
}

// childEnv is the environment of a kept child process on db against sim:
// this process's, without its Slack and Kept settings.
func childEnv(sim *slacksim.Server, db string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLACK_") && !strings.HasPrefix(kv, "KEPT_") {
			env = append(env, kv)
		}
	}
	return append(env, "SLACK_APP_TOKEN=xapp-1-sim", "SLACK_BOT_TOKEN=xoxb-sim",
		"SLACK_API_URL="+sim.URL(), "KEPT_DB="+db, "KEPT_LOG_LEVEL=error")
}

// procMemory reads VmHWM and VmRSS of pid from /proc.
func procMemory(pid int) (hwm, rss int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmHWM":
			hwm = kb << 10
		case "VmRSS":
			rss = kb << 10
		}
	}
	return hwm, rss, nil
}
