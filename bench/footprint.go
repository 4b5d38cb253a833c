package bench

import (
	"context"
	"fmt"
	"path/filepath"
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
	sim, err := newSim(nil, users)
	if err != nil {
		return 0, 0, 0, err
	}
	defer sim.Close()
	c, err := startChild(ctx, binary, sim, db)
	if err != nil {
		return 0, 0, 0, err
	}
	defer c.stop()
	if _, _, err := slashBurst(ctx, sim, users, 50, 400); err != nil {
		return 0, 0, 0, err
	}
	hwm, rss, err = procMemory(c.pid())
	return c.start, hwm, rss, err
}
