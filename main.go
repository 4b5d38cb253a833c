// Command kept is a Slack bot that makes a customer-facing team keep its
// word. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/daemon"
	"github.com/keptbot/kept/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// gcPercent and gcSoftLimit are how the running bot collects garbage
// unless GOGC or GOMEMLIMIT say otherwise. Kept's live heap is a few MiB
// (the store is the mapped file, not the heap), so Go's default of
// collecting when the heap doubles ran a collection every few hundred
// commands: at 200 commands in flight GOGC=400 took Kept's CPU per
// command from 0.17-0.23 to 0.14-0.18 ms (three pairs of kept bench runs
// on a shared 2-core machine; the README has them), with peak RSS still
// far under 100 MB. The soft limit has the
// collector work harder before a burst (a digest of tens of thousands
// of customers) makes the heap five times what it keeps.
const (
	gcPercent   = 400
	gcSoftLimit = 256 << 20
)

// tuneGC sets gcPercent and gcSoftLimit where the environment does not
// choose.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcSoftLimit)
	}
}

// run is the whole program, so that tests can call it in-process.
func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "run"
	// `kept -db x.db` runs the bot with flags (config.Flags).
	if len(args) > 0 && (!strings.HasPrefix(args[0], "-") || args[0] == "-h" || args[0] == "--help") {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "run":
		fs := flag.NewFlagSet("kept", flag.ContinueOnError)
		fs.SetOutput(stderr)
		getenv = config.Flags(fs, getenv)
		if err := fs.Parse(args); err != nil {
			return 2
		}
		if rest := fs.Args(); len(rest) > 0 {
			// `kept -db x.db export` must not start a live bot.
			if isCommand(rest[0]) {
				fmt.Fprintf(stderr, "kept: flags go after the command: kept %s %s\n", rest[0], strings.Join(args[:len(args)-len(rest)], " "))
			} else {
				fmt.Fprintf(stderr, "kept: unexpected argument %q; `kept help` lists the commands and settings\n", rest[0])
			}
			return 2
		}
		tuneGC(getenv)
		return serve(ctx, getenv, stderr)
	case "check":
		return check(ctx, args, getenv, stdout, stderr)
	case "backup":
		return backup(ctx, args, getenv, stdout, stderr)
	case "export":
		return export(ctx, args, getenv, stdout, stderr)
	case "import":
		return importFile(args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "health":
		return health(ctx, args, getenv, stdout, stderr)
	case "sim":
		return simulate(ctx, args, getenv, stdin, stdout, stderr)
	case "bench":
		return benchmark(ctx, args, stdout, stderr)
	case "detect":
		return detect(args, getenv, stdin, stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "kept: unknown command %q; `kept help` lists them\n", cmd)
	return 2
}

// commands are what `kept COMMAND` accepts: the cases of run's switch.
var commands = []string{"run", "check", "backup", "export", "import", "migrate", "health", "sim", "bench", "detect", "help"}

func isCommand(s string) bool { return slices.Contains(commands, s) }

func serve(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	cfg, err := config.Load(getenv, true)
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(stderr, "kept: "+line)
		}
		return 2
	}
	log := newLogger(stderr, cfg.LogLevel)
	d, err := daemon.New(cfg, daemon.Options{Log: log})
	if err != nil {
		if errors.Is(err, store.ErrLocked) {
			fmt.Fprintf(stderr, "kept: %s is in use by another kept process; stop it first, or set KEPT_DB to another file\n", cfg.DB)
			return 1
		}
		fmt.Fprintf(stderr, "kept: %v\n", err)
		return 1
	}
	log.Info("kept starting", "db", dbName(cfg.DB), "api", cfg.APIURL, "tick", cfg.Tick)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var runErr error
	select {
	case runErr = <-done:
	case <-ctx.Done():
		log.Info("stopping: finishing what is in flight")
		select {
		case runErr = <-done:
		case <-time.After(shutdownGrace):
			// Committed work is safe in the database; whatever is still
			// in flight was not acknowledged, so Slack shows the user an
			// error rather than a false confirmation.
			log.Error("kept did not stop in time; exiting anyway", "grace", shutdownGrace)
			return 1
		}
	}
	if runErr != nil {
		log.Error("kept stopped", "err", runErr)
		return 1
	}
	log.Info("kept stopped")
	return 0
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func usage(w io.Writer) {
	fmt.Fprint(w, `kept — remembers what your team promised customers, and nudges.

Usage:
  kept            run the bot (needs SLACK_APP_TOKEN and SLACK_BOT_TOKEN)
  kept sim        try Kept in a small Slack in your browser, no workspace needed
                  (-open opens the page, -addr where it listens, -console a text prompt instead)
  kept bench      measure Kept (ack latency, store, scheduler, memory); -quick for a short run
  kept check      verify the tokens, the scopes against the manifest, the digest channel and the database
  kept backup FILE               a consistent copy of the database, also while kept runs
  kept export [-format json|csv] [-kind promises|customers|touches] [-o FILE]
  kept import [-n] [-team T…] FILE   a kept export or a CSV; all or nothing, idempotent; -n: dry run
  kept migrate [-n] -from FILE   copy a bbolt database into the PostgreSQL one KEPT_DB names, and verify
  kept detect [-zone Z] [-now T] [-from us|them] < FILE   which messages Kept would offer to track as promises
                  (a line may start with "us:" or "them:", who wrote it)
  kept health     exit 0 if the running kept is ready (/healthz), for a container HEALTHCHECK
  kept help       this text

Settings (environment variables; every one is also a flag: KEPT_DB is -db,
SLACK_API_URL is -api-url, and so on; flags win):
`)
	for _, s := range config.Settings {
		def := s.Default
		if def == "" {
			def = "(none)"
		}
		fmt.Fprintf(w, "  %-20s default %s\n      %s\n", s.Name, def, s.Help)
	}
}

// shutdownGrace bounds how long a stop may take after SIGTERM.
const shutdownGrace = 10 * time.Second
