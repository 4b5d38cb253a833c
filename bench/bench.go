// Package bench measures Kept at workspace scale: how fast a slash command
// is acknowledged, how many commands a second the store commits, what one
// scheduler tick costs over a big store, how nudges go out under Slack's
// rate limit, and how much memory and start-up time the real binary takes.
//
// Every measurement is a function returning rows for one table, each figure
// the median of several runs; `kept bench` prints the table.
package bench

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Options chooses sizes. The zero value is the full run.
type Options struct {
	// Quick shrinks every size so that the whole run takes about a minute.
	Quick bool
	// Runs is how many times each figure is measured; the table shows the
	// median. Default 3.
	Runs int
	// Dir holds the databases; "" means a temporary directory, removed at
	// the end.
	Dir string
	// InFlight are the concurrency levels for ack latency; default 1, 50, 200.
	InFlight []int
	// Commands is how many /promise commands each ack-latency run sends per
	// level; default 2000 (quick 400).
	Commands int
	// Sizes are the open-promise counts of the stores the tick is measured
	// over; default 10k, 100k, 1M (quick 10k, 100k).
	Sizes []int
	// Customers is how many customers the check-in tick is measured over;
	// default 100k (quick too).
	Customers int
	// DigestCustomers are the digest workspaces' customer counts, with
	// ten promises per customer; default 5,000 and 50,000 (quick 5,000).
	DigestCustomers []int
	// Nudges is how many nudges fall due in the same minute; default 10,000
	// (quick 1,500).
	Nudges int
	// RatePerMinute is chat.postMessage's workspace limit in the simulator;
	// default 600.
	RatePerMinute int
	// Binary is the kept executable, run as a child process for start-up
	// time and peak RSS; "" skips those figures.
	Binary string
	// Only, if set, names the sections to run: ack, commit, tick, deliver,
	// footprint, digest, home.
	Only []string
	// Postgres is the server the PostgreSQL column is measured on: ""
	// starts a throwaway cluster from the postgresql package's binaries
	// (store/pg/pgtest), fsync on; "none" leaves the column out; anything
	// else is a postgres:// URL whose user may create databases (the bench
	// creates one per measure and drops it).
	Postgres string
	// Progress receives a line per step; nil discards.
	Progress io.Writer

	pg *pgServer // set by Run unless Postgres is "none"
}

func (o *Options) defaults() {
	def := func(p *int, full, quick int) {
		if *p <= 0 {
			*p = full
			if o.Quick {
				*p = quick
			}
		}
	}
	def(&o.Runs, 3, 3)
	def(&o.Commands, 2000, 400)
	def(&o.Nudges, 10_000, 1_500)
	def(&o.Customers, 100_000, 100_000)
	if len(o.DigestCustomers) == 0 {
		o.DigestCustomers = []int{5000, 50_000}
		if o.Quick {
			o.DigestCustomers = []int{5000}
		}
	}
	def(&o.RatePerMinute, 600, 600)
	if len(o.InFlight) == 0 {
		o.InFlight = []int{1, 50, 200}
	}
	if len(o.Sizes) == 0 {
		o.Sizes = []int{10_000, 100_000, 1_000_000}
		if o.Quick {
			o.Sizes = []int{10_000, 100_000}
		}
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

func (o *Options) want(section string) bool {
	return len(o.Only) == 0 || slices.Contains(o.Only, section)
}

func (o *Options) logf(format string, args ...any) {
	fmt.Fprintf(o.Progress, "bench: "+format+"\n", args...)
}

// Row is one line of the table.
type Row struct {
	Section string // "1. ack latency", ...
	Measure string // what was measured, with its size
	Result  string // the median figure(s) on bbolt; "" when only PostgreSQL has the measure
	Target  string // "" when there is none
	Miss    bool   // the target was missed
	Note    string
	// PG is the same measure on PostgreSQL, same machine, same run, same
	// load driver; "" when it was not taken. PGMiss says it missed its
	// target.
	PG     string
	PGMiss bool
	// Load is the 1-minute load average while the row was measured, low
	// to high, with how many cores other processes kept busy meanwhile;
	// Busy says those were over busyOthers (or, where /proc cannot tell,
	// that the load went above the machine's core count): the figure was
	// taken beside other work and will not reproduce.
	Load string
	Busy bool
}

// Report is the whole table.
type Report struct {
	Rows    []Row
	Elapsed time.Duration
	// Commit is the commit the bench was built from (Go's build
	// information), with "+dirty" for uncommitted changes; Cores is the
	// machine's CPU count, the load average above which it is busy.
	Commit string
	Cores  int
}

// Run takes every measurement Options asks for.
func Run(ctx context.Context, opts Options) (Report, error) {
	opts.defaults()
	began := time.Now()
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "kept-bench-")
		if err != nil {
			return Report{}, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	rep := Report{Commit: Commit(), Cores: runtime.NumCPU()}
	load := startLoad(time.Second)
	defer load.stop()
	if l := load.now(); l > float64(rep.Cores) {
		opts.logf("warning: load average %.2f is above the %d cores before the bench starts: other work is running, and the figures will not reproduce", l, rep.Cores)
	}
	if opts.Postgres != "none" && slices.ContainsFunc(pgSections, opts.want) {
		t := time.Now()
		srv, err := startPG(ctx, opts.Postgres)
		if err != nil {
			return rep, fmt.Errorf("bench: PostgreSQL (-postgres none leaves its column out): %w", err)
		}
		defer srv.close()
		opts.pg = srv
		opts.logf("postgres: %s ready in %s", srv.name, time.Since(t).Round(time.Millisecond))
	}
	steps := []struct {
		name string
		fn   func(context.Context, string, Options) ([]Row, error)
	}{
		{"ack", AckLatency},
		{"commit", CommitRate},
		{"tick", TickCost},
		{"deliver", Delivery},
		{"footprint", Footprint},
		{"digest", Digest},
		{"home", Home},
	}
	for _, s := range steps {
		if !opts.want(s.name) {
			continue
		}
		sub, err := os.MkdirTemp(dir, s.name+"-")
		if err != nil {
			return rep, err
		}
		t := time.Now()
		var roots []int
		if opts.pg != nil && opts.pg.pid != nil {
			roots = append(roots, opts.pg.pid())
		}
		mark, cpu0 := load.mark(), readCPU(roots...)
		rows, err := s.fn(ctx, sub, opts)
		lo, hi := load.since(mark)
		// Busy is other work's CPU when /proc tells it (the load average
		// counts the bench's own processes too), else the load average.
		loadText, busy := fmt.Sprintf("%.2f–%.2f", lo, hi), hi > float64(rep.Cores)
		if others, ok := othersCores(cpu0, readCPU(roots...), rep.Cores); ok {
			loadText += fmt.Sprintf(", others %.2f cores", others)
			busy = others > busyOthers
		}
		for i := range rows {
			rows[i].Load, rows[i].Busy = loadText, busy
		}
		if busy {
			opts.logf("warning: other work shared the CPUs during %s (load average %s on %d cores): its figures will not reproduce", s.name, loadText, rep.Cores)
		}
		rep.Rows = append(rep.Rows, rows...)
		opts.logf("%s done in %s", s.name, time.Since(t).Round(time.Millisecond))
		os.RemoveAll(sub)
		if err != nil {
			return rep, fmt.Errorf("bench %s: %w", s.name, err)
		}
	}
	rep.Elapsed = time.Since(began)
	return rep, nil
}

// Write prints the report as a Markdown table, with a PostgreSQL column
// when any row has one, and on every row the load average it was measured
// at and the commit; then a warning if the machine was busy.
func (r Report) Write(w io.Writer) {
	withPG := slices.ContainsFunc(r.Rows, func(row Row) bool { return row.PG != "" })
	if withPG {
		fmt.Fprintln(w, "| # | Measure | bbolt (median) | PostgreSQL (median) | Target | | Load | Commit |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	} else {
		fmt.Fprintln(w, "| # | Measure | Result (median) | Target | | Load | Commit |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	}
	commit := r.Commit
	if commit == "" {
		commit = "?"
	}
	var busy []string
	for _, row := range r.Rows {
		mark := ""
		switch {
		case row.Target != "" && row.Miss && row.PGMiss:
			mark = "MISS (both)"
		case row.Target != "" && row.Miss:
			mark = "MISS"
			if withPG {
				mark = "MISS (bbolt)"
			}
		case row.Target != "" && row.PGMiss:
			mark = "MISS (PostgreSQL)"
		case row.Target != "":
			mark = "ok"
		}
		res := row.Result
		if row.Note != "" {
			res += " (" + row.Note + ")"
		}
		if res == "" {
			res = "—"
		}
		load := row.Load
		if load == "" {
			load = "?"
		}
		if row.Busy {
			load += " busy"
			if !slices.Contains(busy, row.Section) {
				busy = append(busy, row.Section)
			}
		}
		if withPG {
			pg := row.PG
			if pg == "" {
				pg = "—"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", row.Section, row.Measure, res, pg, row.Target, mark, load, commit)
			continue
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", row.Section, row.Measure, res, row.Target, mark, load, commit)
	}
	if len(busy) > 0 {
		rows, were := "rows", "were"
		if len(busy) == 1 {
			rows, were = "row", "was"
		}
		fmt.Fprintf(w, "\nWARNING: the machine was busy (other processes kept over %.2f of its %d cores busy, or the load average went above %d) while %s %s %s measured: other work shared the CPUs, so those figures are pessimistic and will not reproduce. Re-run on an idle machine before quoting them.\n", busyOthers, r.Cores, r.Cores, rows, strings.Join(busy, ", "), were)
	}
	if r.Elapsed > 0 {
		fmt.Fprintf(w, "\nbench took %s\n", r.Elapsed.Round(time.Second))
	}
}

// Misses lists the rows whose target was missed.
func (r Report) Misses() []Row {
	var out []Row
	for _, row := range r.Rows {
		if row.Miss || row.PGMiss {
			out = append(out, row)
		}
	}
	return out
}

// quiet is the logger handed to the daemon: the bench prints only its table.
func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// median returns the middle value (the lower middle for an even count).
func median[T cmp.Ordered](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// percentile is the q-quantile (0 < q <= 1) of sorted by nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// ms formats d in milliseconds with a sensible precision.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f < 1:
		return fmt.Sprintf("%.3f ms", f)
	case f < 10:
		return fmt.Sprintf("%.2f ms", f)
	}
	return fmt.Sprintf("%.1f ms", f)
}

// size formats a byte count.
func size(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// count formats 1000000 as 1M, 100000 as 100k.
func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// ints parses "1,50,200".
func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var n int
		if _, err := fmt.Sscan(strings.NewReplacer("k", "000", "M", "000000").Replace(f), &n); err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive count", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// ParseCounts parses a comma-separated list of counts such as "10k,100k,1M".
func ParseCounts(s string) ([]int, error) { return ints(s) }
