package pg

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNoSchema is Check's answer for a database kept has not started on
// yet: the first kept to start creates the schema.
var ErrNoSchema = errors.New("pg: no Kept schema in this database yet")

// Info is what Check found.
type Info struct {
	Server   string // PostgreSQL's version
	User     string
	Database string
	Version  int    // schema version
	Term     int64  // the current scheduling term, 0 if none yet
	Holder   string // the replica holding it, as it named itself
}

// tables are the tables kept reads and writes.
var tables = []string{"meta", "teams", "promises", "nudges", "ops", "customers", "touches", "subs", "runs", "scheduler", "schema_version"}

// Check verifies what `kept check` asks of the database: it answers, its
// schema is the one this kept writes, and the user may read and write
// every table and draw ids from the sequences. A failure says what to do.
func (s *Store) Check(ctx context.Context) (Info, error) {
	var info Info
	err := s.pool.QueryRow(ctx, `SELECT current_setting('server_version'), current_user, current_database()`).Scan(&info.Server, &info.User, &info.Database)
	if err != nil {
		return info, fmt.Errorf("pg: query the server: %w", err)
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('schema_version') IS NOT NULL`).Scan(&exists); err != nil {
		return info, fmt.Errorf("pg: look for the schema: %w", err)
	}
	if !exists {
		return info, ErrNoSchema
	}
	var missing []string
	for _, t := range tables {
		for _, priv := range []string{"SELECT", "INSERT", "UPDATE", "DELETE"} {
			var ok bool
			if err := s.pool.QueryRow(ctx, `SELECT has_table_privilege($1, $2)`, t, priv).Scan(&ok); err != nil {
				return info, fmt.Errorf("pg: privileges on %s: %w", t, err)
			}
			if !ok {
				missing = append(missing, priv+" on "+t)
			}
		}
	}
	for _, seq := range []string{"nudges_id_seq", "touches_seq_seq"} {
		var ok bool
		if err := s.pool.QueryRow(ctx, `SELECT has_sequence_privilege($1, 'USAGE')`, seq).Scan(&ok); err != nil {
			return info, fmt.Errorf("pg: privileges on %s: %w", seq, err)
		}
		if !ok {
			missing = append(missing, "USAGE on "+seq)
		}
	}
	if len(missing) > 0 {
		return info, fmt.Errorf("pg: %s lacks %s: GRANT them (or run kept as the owner of its tables)", info.User, strings.Join(missing, ", "))
	}
	if err := s.pool.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&info.Version); err != nil {
		return info, fmt.Errorf("pg: read the schema version: %w", err)
	}
	if info.Version != SchemaVersion {
		return info, fmt.Errorf("pg: schema version %d, this kept writes %d", info.Version, SchemaVersion)
	}
	err = s.pool.QueryRow(ctx, `SELECT epoch, holder FROM scheduler WHERE id = 1`).Scan(&info.Term, &info.Holder)
	if err != nil {
		return info, fmt.Errorf("pg: read the scheduling term: %w", err)
	}
	return info, nil
}

// Exec runs one statement, for tests and tools.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.pool.Exec(ctx, sql, args...)
	return err
}

// Inspect connects to url without migrating anything and runs Check: what
// `kept check` does, which must change nothing, not even the schema.
func Inspect(ctx context.Context, url string) (Info, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return Info{}, fmt.Errorf("pg: %s: %w", Redact(url), err)
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		return Info{}, fmt.Errorf("pg: connect to %s: %w", Redact(url), err)
	}
	return (&Store{pool: pool}).Check(ctx)
}

// QueryRow runs one query and scans its single row into dest, for tests
// and tools that look at the database kept keeps.
func (s *Store) QueryRow(ctx context.Context, sql string, dest any, args ...any) error {
	return s.pool.QueryRow(ctx, sql, args...).Scan(dest)
}
