package pg

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/keptbot/kept/store"
)

// migrations is the schema's history, oldest first: the schema version is
// the number applied, and a database is brought up to len(migrations) at
// Open, all in one transaction (PostgreSQL's DDL is transactional), so a
// failed upgrade leaves the old schema intact. A new migration is appended,
// never edited.
//
// This is one ordered list, the same rule as the bbolt store's, rather
// than goose or golang-migrate: the list is a few statements long, lives
// in the binary, needs no files, CLI or table format of a library's, and
// an advisory lock makes replicas that start together apply it once.
var migrations = []string{
	// 1: the bbolt store's buckets as tables. Every time an index reads is
	// Unix nanoseconds; the partial indexes hold only what is still to do,
	// so a tick reads as many rows as are due, not as are stored.
	`
CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);
CREATE TABLE teams (team text COLLATE "C" PRIMARY KEY, promise_seq bigint NOT NULL DEFAULT 0);
CREATE TABLE promises (
	team    text COLLATE "C" NOT NULL,
	id      bigint NOT NULL,
	owner   text COLLATE "C" NOT NULL,
	state   text   NOT NULL,
	due_ns  bigint NOT NULL,
	next_ns bigint,            -- the next reminder or follow-up; NULL when none is owed
	doc     json   NOT NULL,
	PRIMARY KEY (team, id)
);
CREATE INDEX promises_next ON promises (next_ns, id, team) WHERE next_ns IS NOT NULL;
CREATE INDEX promises_owner ON promises (team, owner, due_ns);
CREATE INDEX promises_due ON promises (team, due_ns);
CREATE TABLE nudges (
	id            bigserial PRIMARY KEY,
	kind          text   NOT NULL,
	team          text COLLATE "C" NOT NULL,
	to_id         text   NOT NULL,
	state         text   NOT NULL,
	not_before_ns bigint NOT NULL,
	doc           json   NOT NULL
);
CREATE INDEX nudges_outbox ON nudges (not_before_ns, id) WHERE state IN ('due', 'sending');
CREATE INDEX nudges_kind ON nudges (kind, id);
CREATE TABLE ops (
	op         text COLLATE "C" PRIMARY KEY,
	at_ns      bigint NOT NULL,
	team       text COLLATE "C" NOT NULL DEFAULT '',
	promise_id bigint NOT NULL DEFAULT 0
);
CREATE INDEX ops_age ON ops (at_ns);
CREATE TABLE customers (
	team           text COLLATE "C" NOT NULL,
	key            text COLLATE "C" NOT NULL,
	next_prompt_ns bigint,     -- NULL when the customer is never prompted
	doc            json NOT NULL,
	PRIMARY KEY (team, key)
);
CREATE INDEX customers_prompt ON customers (next_prompt_ns) WHERE next_prompt_ns IS NOT NULL;
CREATE TABLE touches (
	seq          bigserial PRIMARY KEY,
	team         text COLLATE "C" NOT NULL,
	customer_key text COLLATE "C" NOT NULL,
	at_ns        bigint NOT NULL,
	doc          json   NOT NULL
);
CREATE INDEX touches_time ON touches (team, at_ns, seq);
CREATE INDEX touches_customer ON touches (team, customer_key, at_ns DESC, seq DESC);
CREATE TABLE subs (team text COLLATE "C" NOT NULL, channel text COLLATE "C" NOT NULL, doc json NOT NULL, PRIMARY KEY (team, channel));
CREATE TABLE runs (name text COLLATE "C" PRIMARY KEY, at_ns bigint NOT NULL);
-- The scheduling term: Elect bumps epoch when a replica takes over, and
-- a Fenced store's writes check it. pause_until_ns is Slack's latest
-- Retry-After, shared by every replica.
CREATE TABLE scheduler (
	id             int    PRIMARY KEY CHECK (id = 1),
	epoch          bigint NOT NULL DEFAULT 0,
	holder         text   NOT NULL DEFAULT '',
	since_ns       bigint NOT NULL DEFAULT 0,
	pause_until_ns bigint NOT NULL DEFAULT 0
);
INSERT INTO scheduler (id) VALUES (1);
`,
	// 2: customer channels (issue 15): which channel belongs to which
	// customer, when each customer was last heard from, the messages
	// waiting on us, and who turned promise suggestions off.
	`
CREATE TABLE channel_links (
	team         text COLLATE "C" NOT NULL,
	channel      text COLLATE "C" NOT NULL,
	customer_key text COLLATE "C" NOT NULL,
	doc          json NOT NULL,
	PRIMARY KEY (team, channel)
);
CREATE INDEX channel_links_customer ON channel_links (team, customer_key, channel);
CREATE TABLE heard (
	team         text COLLATE "C" NOT NULL,
	customer_key text COLLATE "C" NOT NULL,
	at_ns        bigint NOT NULL,
	doc          json NOT NULL,
	PRIMARY KEY (team, customer_key)
);
CREATE TABLE waits (
	team         text COLLATE "C" NOT NULL,
	channel      text COLLATE "C" NOT NULL,
	thread       text COLLATE "C" NOT NULL,
	customer_key text COLLATE "C" NOT NULL,
	at_ns        bigint NOT NULL,
	doc          json NOT NULL,
	PRIMARY KEY (team, channel, thread)
);
CREATE INDEX waits_customer ON waits (team, customer_key, at_ns);
CREATE TABLE listen_prefs (team text COLLATE "C" NOT NULL, user_id text COLLATE "C" NOT NULL, PRIMARY KEY (team, user_id));
`,
	// 3: when a nudge's current delivery attempt began, so that a replica
	// taking over does not send again what an older term may still have
	// in flight (see PendingNudges).
	`ALTER TABLE nudges ADD COLUMN sending_ns bigint;`,
	// 4: the customer a promise names, by its key, with an index of the
	// open ones: the customer card and a touch's "open promises" read
	// only that customer's (PromisesFor), not the team's. The key is
	// model.CustomerKey, Go's case folding, so fillCustomerKeys computes
	// it for the promises already stored.
	`
ALTER TABLE promises ADD COLUMN customer_key text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX promises_customer ON promises (team, customer_key, due_ns, id) WHERE state = 'open' AND customer_key <> '';
`,
	// 5: the open promises by due time, so that the digest's late
	// promises are read without the team's kept and cancelled history
	// (qDuePromises).
	`CREATE INDEX promises_open_due ON promises (team, due_ns, id) WHERE state = 'open';`,
	// 6: the customer dates index (issue 16): a customer's pending
	// renewal and its earliest pending anniversary prompt, as
	// model.Customer.DateIndex gives them; fillDateIndex files the dates
	// of customers stored before it.
	`
ALTER TABLE customers ADD COLUMN renewal_ns bigint, ADD COLUMN anniversary_ns bigint;
CREATE INDEX customers_renewal ON customers (renewal_ns) WHERE renewal_ns IS NOT NULL;
CREATE INDEX customers_anniversary ON customers (anniversary_ns) WHERE anniversary_ns IS NOT NULL;
`,
}

// fills are the steps of a migration that SQL cannot take, by migration
// number: each runs after its migration's statements, in the same
// transaction.
var fills = map[int]func(ctx context.Context, tx pgx.Tx) error{
	4: fillCustomerKeys,
	6: fillDateIndex,
}

// fillCustomerKeys sets customer_key on every stored promise that names a
// customer, a few thousand rows per statement.
func fillCustomerKeys(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT team, id, doc->>'customer' FROM promises WHERE coalesce(doc->>'customer', '') <> ''`)
	if err != nil {
		return err
	}
	var teams, keys []string
	var ids []int64
	for rows.Next() {
		var team, customer string
		var id int64
		if err := rows.Scan(&team, &id, &customer); err != nil {
			rows.Close()
			return err
		}
		teams, ids, keys = append(teams, team), append(ids, id), append(keys, store.CustomerKey(customer))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	const chunk = 5000
	for lo := 0; lo < len(ids); lo += chunk {
		hi := min(lo+chunk, len(ids))
		_, err := tx.Exec(ctx, `UPDATE promises p SET customer_key = v.key
			FROM unnest($1::text[], $2::bigint[], $3::text[]) AS v(team, id, key)
			WHERE p.team = v.team AND p.id = v.id`, teams[lo:hi], ids[lo:hi], keys[lo:hi])
		if err != nil {
			return fmt.Errorf("customer keys: %w", err)
		}
	}
	return nil
}

// SchemaVersion is the schema this kept writes.
var SchemaVersion = len(migrations)

// migrateLock is the advisory lock key replicas take while migrating:
// "kept" in ASCII, then 1.
const migrateLock = 0x6b65707401

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return fmt.Errorf("lock for migration: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version int NOT NULL)`); err != nil {
			return fmt.Errorf("schema version table: %w", err)
		}
		v, err := version(ctx, tx)
		if err != nil {
			return err
		}
		if v > len(migrations) {
			return fmt.Errorf("schema version %d, this kept understands %d: upgrade kept", v, len(migrations))
		}
		for i := v; i < len(migrations); i++ {
			if _, err := tx.Exec(ctx, migrations[i]); err != nil {
				return fmt.Errorf("migration %d: %w", i+1, err)
			}
			if fill := fills[i+1]; fill != nil {
				if err := fill(ctx, tx); err != nil {
					return fmt.Errorf("migration %d: %w", i+1, err)
				}
			}
		}
		if v == len(migrations) {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO schema_version VALUES ($1)`, len(migrations))
		return err
	})
}

func version(ctx context.Context, tx pgx.Tx) (int, error) {
	var v int
	err := tx.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
