package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/scheduler"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
)

// pgIdleTarget is the bound on PostgreSQL's idle tick at 1M.
const pgIdleTarget = 2 * time.Millisecond

// buildPG writes buildStore's n open promises into the PostgreSQL database
// at url, in the store's layout (store/pg/migrate.go: the record's JSON
// beside its indexed columns), with COPY: a million AddPromise calls would
// take many minutes. The tick then checks that the store claims them.
func buildPG(ctx context.Context, url string, n int, base time.Time, step time.Duration) error {
	st, err := pg.Open(ctx, url, pg.Options{Name: "bench"}) // the schema
	if err != nil {
		return err
	}
	st.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	created := base.Add(-24 * time.Hour).UTC()
	i := 0
	var rowErr error
	_, err = conn.CopyFrom(ctx, pgx.Identifier{"promises"}, []string{"team", "id", "owner", "state", "due_ns", "next_ns", "doc"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i >= n || rowErr != nil {
				return nil, rowErr
			}
			p := samplePromise(i)
			p.ID = int64(i + 1)
			p.Due = base.Add(time.Duration(i) * step).UTC()
			p.Created, p.State = created, store.Open
			p.History = []store.Event{{At: created, Kind: "created", By: p.Creator}}
			doc, err := json.Marshal(p)
			if err != nil {
				rowErr = err
				return nil, err
			}
			i++
			// next_ns is the reminder's time: open and not yet reminded.
			return []any{p.Team, p.ID, p.Owner, string(p.State), p.Due.UnixNano(), p.Due.UnixNano(), doc}, nil
		}))
	if err != nil {
		return fmt.Errorf("copy promises: %w", err)
	}
	overdue, _ := json.Marshal(overdueWait)
	// The team's sequence past the fixture, and the overdue delay a daemon
	// with default settings records on its first tick, so that idle ticks
	// stay read-only; then statistics, as autovacuum would gather them.
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO teams (team, promise_seq) VALUES ($1, $2) ON CONFLICT (team) DO UPDATE SET promise_seq = $2`, []any{benchTeam, n}},
		{`INSERT INTO meta (key, value) VALUES ('overdue_after', $1) ON CONFLICT (key) DO UPDATE SET value = $1`, []any{string(overdue)}},
		{`VACUUM ANALYZE promises`, nil},
	} {
		if _, err := conn.Exec(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("%s: %w", q.sql, err)
		}
	}
	return nil
}

// pgTick measures TickCost's two figures on PostgreSQL, over n fixture
// promises in a database of its own: the idle tick (the whole of
// scheduler.Tick, warm) and the claim phase with 1,000 due.
func pgTick(ctx context.Context, n int, opts Options) (idle time.Duration, due []time.Duration, err error) {
	url, drop, err := opts.pg.newDB(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer drop()
	t := time.Now()
	if err := buildPG(ctx, url, n, fixtureBase, fixtureStep); err != nil {
		return 0, nil, fmt.Errorf("build %d: %w", n, err)
	}
	opts.logf("tick postgres: built %s promises in %s", count(n), time.Since(t).Round(time.Millisecond))
	idleNow := fixtureBase.Add(-time.Minute)
	var idles []time.Duration
	for range opts.Runs {
		st, err := pg.Open(ctx, url, pg.Options{Name: "bench"})
		if err != nil {
			return 0, nil, err
		}
		sch := scheduler.New(st, nopDeliverer{}, scheduler.Config{Now: func() time.Time { return idleNow }, OverdueAfter: overdueWait, Log: quiet()})
		const warm = 200
		if err := sch.Tick(ctx); err != nil { // connections, plans
			st.Close()
			return 0, nil, err
		}
		began := time.Now()
		for range warm {
			if err := sch.Tick(ctx); err != nil {
				st.Close()
				return 0, nil, err
			}
		}
		idles = append(idles, time.Since(began)/warm)
		if ns, err := st.PendingNudges(idleNow.Add(time.Hour), 0); err != nil || len(ns) != 0 {
			st.Close()
			return 0, nil, fmt.Errorf("idle ticks queued %d nudges (err %v), want none", len(ns), err)
		}
		st.Close()
	}
	for k := range opts.Runs {
		if (k+1)*dueWave > n {
			break
		}
		now := fixtureBase.Add(time.Duration((k+1)*dueWave-1) * fixtureStep)
		st, err := pg.Open(ctx, url, pg.Options{Name: "bench"})
		if err != nil {
			return 0, due, err
		}
		began := time.Now()
		claimed, err := claimAll(st, now, "nudges", func() ([]store.Nudge, error) {
			return st.ClaimDue(now, store.Policy{OverdueAfter: overdueWait}, tickBatch)
		})
		d := time.Since(began)
		st.Close()
		if err != nil {
			return 0, due, err
		}
		if claimed != dueWave {
			return 0, due, fmt.Errorf("tick at %s claimed %d nudges, want %d: the fixture does not match the store's layout", now, claimed, dueWave)
		}
		due = append(due, d)
	}
	opts.logf("tick postgres: %s: idle %s, 1000 due %v", count(n), ms(median(idles)), due)
	return median(idles), due, nil
}
