package bench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/store/pg"
	"github.com/keptbot/kept/store/pg/pgtest"
)

// pgSections are the sections with a PostgreSQL column.
var pgSections = []string{"ack", "commit", "tick", "deliver"}

// pgServer is where the PostgreSQL column is measured: a throwaway
// cluster the bench started, or a server the user named. Every measure
// gets a database of its own.
type pgServer struct {
	name  string // for the progress log and the table
	newDB func(ctx context.Context) (url string, drop func(), err error)
	close func()
	// pid is the throwaway cluster's postmaster, whose processes are the
	// bench's own work (pg_ctl leaves it a child of init, not of the
	// bench); 0 for a server the user named.
	pid func() int
}

// startPG starts a throwaway cluster (rawURL "") or connects to rawURL.
// The throwaway cluster syncs its WAL at every commit, as bbolt fsyncs its
// file, so that the two columns pay for durability alike.
func startPG(ctx context.Context, rawURL string) (*pgServer, error) {
	if rawURL == "" {
		c, err := pgtest.Launch(true)
		if err != nil {
			return nil, err
		}
		return &pgServer{
			name:  fmt.Sprintf("throwaway PostgreSQL (%s) on 127.0.0.1:%d, fsync on", c.Bin, c.Port),
			newDB: c.CreateDatabase,
			close: c.Remove,
			pid:   func() int { return postmasterPID(c.Dir) },
		}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-postgres %s is not a postgres:// URL", pg.Redact(rawURL))
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", pg.Redact(rawURL), err)
	}
	conn.Close(cctx)
	var seq atomic.Int64
	return &pgServer{
		name: pg.Redact(rawURL),
		newDB: func(ctx context.Context) (string, func(), error) {
			name := fmt.Sprintf("kept_bench_%d_%d", os.Getpid(), seq.Add(1))
			if err := execOn(ctx, rawURL, "CREATE DATABASE "+name); err != nil {
				return "", nil, fmt.Errorf("the bench creates a database per measure, so %s needs CREATEDB: %w", pg.Redact(rawURL), err)
			}
			v := *u
			v.Path = "/" + name
			return v.String(), func() { _ = execOn(context.Background(), rawURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") }, nil
		},
		close: func() {},
	}, nil
}

func execOn(ctx context.Context, url, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// backendName names db's backend in progress lines.
func backendName(db string) string {
	if config.Postgres(db) {
		return "postgres"
	}
	return "bbolt"
}

// postmasterPID reads the postmaster's pid, the first line of
// postmaster.pid in its data directory; 0 if it is not running.
func postmasterPID(dir string) int {
	b, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}
