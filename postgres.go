package main

// What the subcommands do when KEPT_DB is a postgres:// URL: the database
// is PostgreSQL's to back up and check; kept reads and writes it through
// the same store the replicas use, while they run.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
)

// dbName is KEPT_DB as it may be shown: a URL without its password.
func dbName(db string) string {
	if config.Postgres(db) {
		return pg.Redact(db)
	}
	return db
}

func openPG(ctx context.Context, url string) (*pg.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return pg.Open(ctx, url, pg.Options{Name: "cli"})
}

// checkPG is `kept check`'s database line on PostgreSQL: it connects,
// reads the schema version and tests the privileges, migrating nothing.
func checkPG(ctx context.Context, c *checker, url string) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, err := pg.Inspect(ctx, url)
	switch {
	case errors.Is(err, pg.ErrNoSchema):
		c.note("database: %s answers, and has no Kept tables yet; the first kept to start creates them (schema version %d), so its user needs CREATE on the schema", pg.Redact(url), pg.SchemaVersion)
	case err != nil:
		c.fail("database: %v", err)
	default:
		term := "no replica has scheduled yet"
		if info.Term > 0 {
			term = fmt.Sprintf("scheduling term %d, last taken by %s", info.Term, info.Holder)
		}
		c.ok("database: PostgreSQL %s, %s as %s, schema version %d, privileges complete; %s", info.Server, info.Database, info.User, info.Version, term)
	}
}

// backupPG explains where a PostgreSQL store's backups come from.
func backupPG(stderr io.Writer, url string) int {
	fmt.Fprintf(stderr, "kept: %s is PostgreSQL: back it up with PostgreSQL's own tools, e.g.\n"+
		"  pg_dump --format=custom --file=kept.dump %q\n"+
		"or base backups with WAL archiving for point-in-time recovery (README: Backups on PostgreSQL).\n"+
		"kept backup copies bbolt files only.\n", pg.Redact(url), pg.Redact(url))
	return 2
}

// migrate is `kept migrate -from FILE`: it copies a bbolt database into
// the PostgreSQL database KEPT_DB names, checks that every record arrived
// and carries over the nudges still owed, so that nothing promised is
// reminded twice or never.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	var from string
	var dryRun bool
	cfg, rest, ok := withFlags("kept migrate", args, getenv, false, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "the bbolt database file to copy (stop the kept that uses it first)")
		fs.BoolVar(&dryRun, "n", false, "dry run: read both databases and say what would be copied, change nothing")
	})
	if !ok {
		return 2
	}
	if len(rest) > 0 || from == "" || !config.Postgres(cfg.DB) {
		fmt.Fprintln(stderr, "kept: usage: KEPT_DB=postgres://… kept migrate [-n] -from kept.db   (copies a bbolt database into PostgreSQL)")
		return 2
	}
	src, err := store.New(from, store.Options{Timeout: 500 * time.Millisecond})
	if errors.Is(err, store.ErrLocked) {
		fmt.Fprintf(stderr, "kept: nothing copied: %s is held by a running kept; stop it first, so that nothing changes in it while it is copied\n", from)
		return 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing copied: %v\n", err)
		return 1
	}
	defer src.Close()
	d, err := src.Export()
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing copied: %v\n", err)
		return 1
	}
	// The outbox is not in an export: copy what is still owed, or a
	// reminder claimed but not yet delivered would be lost.
	owed, err := src.PendingNudges(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), 0) // everything owed, however far ahead
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing copied: %v\n", err)
		return 1
	}
	dst, err := openPG(ctx, cfg.DB)
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing copied: %v\n", err)
		return 1
	}
	defer dst.Close()
	before, err := dst.Export()
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing copied: %v\n", err)
		return 1
	}
	if !dryRun && len(before.Promises)+len(before.Customers)+len(before.Touches) > 0 {
		fmt.Fprintf(stderr, "kept: nothing copied: %s already holds %d promises, %d customers, %d touches; migrate into an empty database (kept import merges files into a used one)\n",
			pg.Redact(cfg.DB), len(before.Promises), len(before.Customers), len(before.Touches))
		return 1
	}
	rep, err := dst.Import(d, dryRun)
	if err != nil {
		fmt.Fprintf(stderr, "kept: nothing copied: %v\n", err)
		return 1
	}
	if dryRun {
		fmt.Fprintf(stdout, "dry run, nothing changed; migrate would copy %d promises, %d customers, %d touches and %d owed nudges from %s to %s\n",
			rep.Promises.Added+rep.Promises.Updated+rep.Promises.Unchanged, rep.Customers.Added+rep.Customers.Updated+rep.Customers.Unchanged,
			rep.Touches.Added+rep.Touches.Unchanged, len(owed), from, pg.Redact(cfg.DB))
		return 0
	}
	for _, n := range owed {
		n.State = store.NudgeDue // a send cut short is tried again, looked up first
		if _, err := dst.AddNudge(n); err != nil {
			fmt.Fprintf(stderr, "kept: records copied, but an owed nudge was not: %v; run kept migrate again into an emptied database\n", err)
			return 1
		}
	}
	after, err := dst.Export()
	if err != nil {
		fmt.Fprintf(stderr, "kept: copied, but could not read it back to verify: %v\n", err)
		return 1
	}
	if len(after.Promises) != len(d.Promises) || len(after.Customers) != len(d.Customers) || len(after.Touches) != len(d.Touches) {
		fmt.Fprintf(stderr, "kept: copied, but the counts differ: %s has %d promises, %d customers, %d touches; PostgreSQL %d, %d, %d\n",
			from, len(d.Promises), len(d.Customers), len(d.Touches), len(after.Promises), len(after.Customers), len(after.Touches))
		return 1
	}
	fmt.Fprintf(stdout, "copied %s to %s and verified: %d promises, %d customers, %d touches, %d owed nudges; start kept with KEPT_DB set to the URL\n",
		filepath.Base(from), pg.Redact(cfg.DB), len(d.Promises), len(d.Customers), len(d.Touches), len(owed))
	return 0
}
