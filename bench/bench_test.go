package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/store/pg/pgtest"
)

// TestQuickTiny runs every measurement at toy sizes: it proves the bench
// runs end to end (and that its fixtures match the store's format), not
// how fast anything is.
func TestQuickTiny(t *testing.T) {
	// The deadline only catches a hang: on a loaded machine the toy run
	// takes well over its idle 10 s, and that is not a failure.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	opts := tiny(t)
	opts.Postgres = "none" // TestQuickTinyPostgres
	_, out := runTable(ctx, t, opts)
	for _, want := range []string{
		"1 in flight", "5 in flight", "group commit", "idle tick", "1,000 due",
		"30 nudges", "0 lost, 0 duplicated, 0 failed", "n/a (no kept binary", "digest",
		"idle tick (nothing due), 3k customers", "1,000 check-ins due",
		"| Load | Commit |", "disk floor: 4 KiB overwrite + fdatasync", "p50 ≤ 3× fdatasync p50",
		"simulator and Kept together (no kept binary)", "a lone command's commit, nothing else committing",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

// TestQuickTinyPostgres runs the measures with a PostgreSQL column at toy
// sizes on a throwaway cluster: the column is filled, its fixtures match
// the store's layout, two replicas deliver every nudge once.
func TestQuickTinyPostgres(t *testing.T) {
	pgtest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a hang, not a slow machine
	defer cancel()
	opts := tiny(t)
	opts.Only = []string{"ack", "commit", "tick", "deliver"}
	rep, out := runTable(ctx, t, opts)
	pgCells := 0
	for _, row := range rep.Rows {
		if row.PG != "" {
			pgCells++
		}
		if strings.Contains(row.PG, "pg.Store.AddPromise") && !strings.Contains(row.Measure, "group commit") {
			t.Errorf("PostgreSQL's commit rate is on the wrong row: %s", row.Measure)
		}
	}
	// ack ×2, commit, idle and due tick, delivery, takeover.
	if pgCells != 7 {
		t.Errorf("%d rows have a PostgreSQL figure, want 7", pgCells)
	}
	for _, want := range []string{
		"| PostgreSQL (median) |", "2 replicas: all out in", "0 lost, 0 duplicated, 0 failed",
		"takeover after SIGKILL", "n/a (no kept binary",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

// tiny is the toy sizes of the quick tests.
func tiny(t *testing.T) Options {
	return Options{
		Quick:           true,
		Runs:            1,
		Dir:             t.TempDir(),
		InFlight:        []int{1, 5},
		Commands:        20,
		Sizes:           []int{2000},
		Customers:       3000,
		DigestCustomers: []int{200},
		Nudges:          30,
		RatePerMinute:   20,
		Progress:        tlog{t},
	}
}

func TestStats(t *testing.T) {
	d := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if p := percentile(d, .5); p != 5 {
		t.Errorf("p50 = %v, want 5", p)
	}
	if p := percentile(d, .99); p != 10 {
		t.Errorf("p99 = %v, want 10", p)
	}
	if m := median([]int{3, 1, 2}); m != 2 {
		t.Errorf("median = %d, want 2", m)
	}
	if n, err := ParseCounts("10k, 1M,5"); err != nil || len(n) != 3 || n[0] != 10_000 || n[1] != 1_000_000 || n[2] != 5 {
		t.Errorf("ParseCounts = %v, %v", n, err)
	}
}

// runTable runs the bench and returns its report and the table it writes,
// logged for whoever reads the test's output.
func runTable(ctx context.Context, t *testing.T, opts Options) (Report, string) {
	t.Helper()
	rep, err := Run(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.Write(&out)
	t.Log("\n" + out.String())
	return rep, out.String()
}
