package pg

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/store/pg/pgtest"
)

// TestHotQueryPlans holds the queries every tick and the commonest
// commands run to the indexes they were written for, on a database of
// 20,000 promises, nudges and customers with statistics, of which almost
// nothing is due: PostgreSQL must choose an index scan, not read the
// table, both for the plan it makes for one set of values and for the
// generic plan it falls back to for a statement prepared once (as pgx
// prepares them) and run many times.
func TestHotQueryPlans(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := pgtest.Shared(t).NewDatabase(t)
	s, err := Open(ctx, url, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	now := int64(2_000_000_000_000_000_000)
	fixture := []string{
		// One open promise in ten, each due once; one in a thousand due now.
		`INSERT INTO promises (team, id, owner, state, due_ns, next_ns, customer_key, doc)
		 SELECT 'T1', i, 'U' || (i % 200), CASE WHEN i % 10 = 0 THEN 'open' ELSE 'kept' END,
		        $1::bigint + i::bigint * 1000000000,
		        CASE WHEN i % 10 <> 0 THEN NULL WHEN i % 1000 = 0 THEN $1::bigint - 1 ELSE $1::bigint + i::bigint * 1000000000 END,
		        'customer ' || (i % 500), '{}'
		 FROM generate_series(1::bigint, 20000) i`,
		`INSERT INTO nudges (kind, team, to_id, state, not_before_ns, doc)
		 SELECT 'reminder', 'T1', 'U1', CASE WHEN i % 1000 = 0 THEN 'due' ELSE 'sent' END, $1::bigint - 1000000000::bigint * (20000 - i), '{}'
		 FROM generate_series(1::bigint, 20000) i`,
		`INSERT INTO customers (team, key, next_prompt_ns, doc)
		 SELECT 'T1', 'customer ' || i, $1::bigint + i::bigint * 1000000000, '{}' FROM generate_series(1::bigint, 20000) i`,
		`INSERT INTO ops (op, at_ns) SELECT 'op' || i, $1::bigint - i FROM generate_series(1::bigint, 20000) i`,
	}
	for _, q := range fixture {
		if _, err := conn.Exec(ctx, q, now); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		query string
		args  []any
		reads map[string]string // table -> the index it must be read through
	}{
		// meta holds a few settings: one page, read whole.
		{"idle tick: anything due", qDueWork, nil, map[string]string{"promises": "promises_next", "ops": "ops_age", "customers": "customers_prompt|customers_renewal|customers_anniversary", "nudges": "nudges_outbox"}},
		{"tick: dates due", qDateWork, []any{int64(30 * 24 * time.Hour)}, map[string]string{"customers": "customers_renewal|customers_anniversary"}},
		{"tick: claim renewals", qClaimRenewals, []any{now + int64(30*24*time.Hour), 500}, map[string]string{"customers": "customers_renewal"}},
		{"tick: claim anniversaries", qClaimAnniversaries, []any{now, 500}, map[string]string{"customers": "customers_anniversary"}},
		{"tick: claim due", qClaimDue, []any{now, 500}, map[string]string{"promises": "promises_next"}},
		{"tick: outbox", qPending, []any{now, now - int64(SendGrace), 500}, map[string]string{"nudges": "nudges_outbox"}},
		{"tick: check-ins due", qCheckinWork, nil, map[string]string{"customers": "customers_prompt"}},
		{"tick: next wake", qNextNudge, []any{now}, map[string]string{"nudges": "nudges_outbox"}},
		{"tick: claim check-ins", qClaimCheckins, []any{now, 500}, map[string]string{"customers": "customers_prompt"}},
		{"Home, /promise list: one owner's", qPromisesOwner, []any{"T1", "open", "U7"}, map[string]string{"promises": "promises_owner"}},
		{"customer card: one customer's open", qPromisesFor, []any{"T1", "customer 7"}, map[string]string{"promises": "promises_customer"}},
		// A week of due times among 20,000 seconds' worth: the digest
		// reads the open ones late and the fortnight around now.
		{"digest: late and due promises", qDuePromises, []any{"T1", now + 5000e9, now + 6000e9, now + 5500e9}, map[string]string{"promises": "promises_open_due|promises_due"}},
	} {
		for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
			t.Run(c.name+"/"+mode, func(t *testing.T) {
				plan := explain(t, ctx, conn, mode, c.query, c.args)
				for table, index := range c.reads {
					if got := plan.scans[table]; len(got) == 0 || !all(got, index) {
						t.Errorf("%s is read by %v, want only through %s; plan:\n%s", table, got, index, plan.text)
					}
				}
			})
		}
	}
}

// plan is what explain found: per table, how each scan of it read it
// ("Seq Scan", or the index's name).
type plan struct {
	scans map[string][]string
	text  string
}

// all says whether every scan in xs is one of want's, "a|b".
func all(xs []string, want string) bool {
	for _, x := range xs {
		if !slices.Contains(strings.Split(want, "|"), x) {
			return false
		}
	}
	return true
}

// explain prepares query, runs EXPLAIN EXECUTE with args under
// plan_cache_mode mode, and collects the plan's scans.
func explain(t *testing.T, ctx context.Context, conn *pgx.Conn, mode, query string, args []any) plan {
	t.Helper()
	if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "PREPARE hot AS "+query); err != nil {
		t.Fatalf("prepare: %v", err)
	}
	defer conn.Exec(ctx, "DEALLOCATE hot")
	lits := make([]string, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			lits[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		default:
			lits[i] = fmt.Sprint(v)
		}
	}
	exec := "EXPLAIN (FORMAT JSON) EXECUTE hot"
	if len(lits) > 0 {
		exec += "(" + strings.Join(lits, ", ") + ")"
	}
	var raw []byte
	if err := conn.QueryRow(ctx, exec).Scan(&raw); err != nil {
		t.Fatalf("explain: %v", err)
	}
	var doc []struct{ Plan node }
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc) == 0 {
		t.Fatalf("explain output %s: %v", raw, err)
	}
	p := plan{scans: map[string][]string{}, text: string(raw)}
	var walk func(n node)
	walk = func(n node) {
		if n.Relation != "" {
			how := []string{n.Type}
			if n.Index != "" {
				how = []string{n.Index}
			}
			if n.Type == "Bitmap Heap Scan" { // through its Bitmap Index Scans
				how = bitmapIndexes(n)
			}
			p.scans[n.Relation] = append(p.scans[n.Relation], how...)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(doc[0].Plan)
	return p
}

// bitmapIndexes names the indexes under a Bitmap Heap Scan (its Bitmap
// Index Scans, maybe under a BitmapOr or BitmapAnd).
func bitmapIndexes(n node) []string {
	var out []string
	var walk func(n node)
	walk = func(n node) {
		for _, c := range n.Plans {
			if c.Index != "" {
				out = append(out, c.Index)
			}
			walk(c)
		}
	}
	walk(n)
	if len(out) == 0 {
		return []string{n.Type}
	}
	return out
}

// node is one node of EXPLAIN's JSON.
type node struct {
	Type     string `json:"Node Type"`
	Relation string `json:"Relation Name"`
	Index    string `json:"Index Name"`
	Plans    []node `json:"Plans"`
}
