package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/keptbot/kept/bench"
)

// benchmark runs `kept bench`: the measurements of package bench, printed
// as a Markdown table. It exits 1 if a target is missed, so that a script
// can tell.
func benchmark(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kept bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts bench.Options
	fs.BoolVar(&opts.Quick, "quick", false, "small sizes: about a minute instead of several")
	fs.IntVar(&opts.Runs, "runs", 0, "runs per figure; the table shows the median (default 3)")
	fs.IntVar(&opts.Commands, "commands", 0, "commands per ack-latency run (default 2000, quick 400)")
	fs.IntVar(&opts.Nudges, "nudges", 0, "nudges due in the same minute (default 10000, quick 1500)")
	fs.IntVar(&opts.RatePerMinute, "rate", 0, "chat.postMessage limit per minute in the simulator (default 600)")
	fs.StringVar(&opts.Dir, "dir", "", "directory for the databases (default: a temporary one, removed)")
	fs.StringVar(&opts.Postgres, "postgres", "", "PostgreSQL for the second column: a postgres:// URL whose user may create databases, or none (default: a throwaway cluster from the postgresql package, fsync on)")
	sizes := fs.String("sizes", "", "open-promise counts for the tick, RSS and file size (default 10k,100k,1M; quick 10k,100k)")
	inflight := fs.String("inflight", "", "commands in flight for ack latency (default 1,50,200)")
	only := fs.String("only", "", "comma-separated sections to run: ack,commit,tick,deliver,footprint,digest,home")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the bench process to this file")
	verbose := fs.Bool("v", false, "print progress to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !noArgs("kept bench", fs.Args(), stderr) {
		return 2
	}
	var err error
	if *sizes != "" {
		if opts.Sizes, err = bench.ParseCounts(*sizes); err != nil {
			fmt.Fprintf(stderr, "kept bench: -sizes: %v\n", err)
			return 2
		}
	}
	if *inflight != "" {
		if opts.InFlight, err = bench.ParseCounts(*inflight); err != nil {
			fmt.Fprintf(stderr, "kept bench: -inflight: %v\n", err)
			return 2
		}
	}
	if *only != "" {
		opts.Only = strings.Split(*only, ",")
	}
	if *verbose {
		opts.Progress = stderr
	}
	if exe, err := os.Executable(); err == nil {
		opts.Binary = exe
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "kept bench: %v\n", err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "kept bench: %v\n", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	load := loadAvg()
	rep, err := bench.Run(ctx, opts)
	fmt.Fprintf(stdout, "kept bench on %d CPUs, %s, %s; load average %s before, %s after\n\n",
		runtime.NumCPU(), cpuModel(), runtime.Version(), load, loadAvg())
	rep.Write(stdout)
	if err != nil {
		fmt.Fprintf(stderr, "kept bench: %v\n", err)
		return 1
	}
	if len(rep.Misses()) > 0 {
		return 1
	}
	return 0
}

// loadAvg is the 1-minute load average (bench.LoadAverage), so that a
// reader can tell whether something else was running.
func loadAvg() string {
	if v, ok := bench.LoadAverage(); ok {
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return "?"
}

// cpuModel is the first "model name" in /proc/cpuinfo, if there is one.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
