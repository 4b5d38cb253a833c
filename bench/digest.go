package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// digestNow is a Monday 9:00 in New York, as in digest's BenchmarkDigest.
var digestNow = time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)

const benchDay = 24 * time.Hour

// digestTargets are the bounds on a digest's build, by customer
// count (with ten promises each).
var digestTargets = map[int]time.Duration{5000: 50 * time.Millisecond, 50_000: 300 * time.Millisecond}

// Digest times the team digest (digest.Build, then slackui.DigestBlocks)
// over a real store of each of opts.DigestCustomers customers and ten
// times as many promises, seeded through the store's Import (seedDigest;
// BenchmarkDigest in digest/ seeds the same shape through AddCustomer and
// AddPromise). Each figure is the median of opts.Runs runs
// of a few builds each.
func Digest(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	var rows []Row
	for _, customers := range opts.DigestCustomers {
		row, err := digestRow(ctx, dir, customers, opts)
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func digestRow(ctx context.Context, dir string, customers int, opts Options) (Row, error) {
	promises := 10 * customers
	path := filepath.Join(dir, fmt.Sprintf("digest-%d.db", customers))
	st, err := store.New(path, store.Options{Now: func() time.Time { return digestNow }})
	if err != nil {
		return Row{}, err
	}
	defer os.Remove(path)
	defer st.Close()
	t := time.Now()
	if err := seedDigest(ctx, st, customers, promises); err != nil {
		return Row{}, fmt.Errorf("seed: %w", err)
	}
	opts.logf("digest: seeded %s customers, %s promises in %s", count(customers), count(promises), time.Since(t).Round(time.Millisecond))
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		loc = time.UTC
	}
	var times []time.Duration
	var late, quiet int
	for range opts.Runs {
		const builds = 5
		t := time.Now()
		for range builds {
			d, err := digest.Build(st, benchTeam, nil, digestNow, loc)
			if err != nil {
				return Row{}, err
			}
			if len(d.Late) == 0 || len(d.Quiet) == 0 {
				return Row{}, fmt.Errorf("seeded store gave an empty digest: %+v", d.Week)
			}
			late, quiet = len(d.Late), len(d.Quiet)
			slackui.DigestBlocks(d, loc)
		}
		times = append(times, time.Since(t)/builds)
	}
	opts.logf("digest: %s customers: %v per build (%d late, %d quiet)", count(customers), times, late, quiet)
	row := Row{
		Section: "6",
		Measure: fmt.Sprintf("digest build (BuildDigest + DigestBlocks), %s customers / %s promises", count(customers), count(promises)),
		Result:  fmt.Sprintf("%s per digest (%d late promises, %d quiet customers in it)", ms(median(times)), late, quiet),
	}
	if target, ok := digestTargets[customers]; ok {
		row.Target = "< " + ms(target)
		row.Miss = median(times) >= target
	}
	return row, nil
}

// seedDigest fills st through Import a chunk at a time (each chunk one transaction), so that half a million promises
// take seconds: customers touched up to 60 days ago with cadences of 7 to
// 60 days; promises due over the year before and the month after
// digestNow, nine in ten of the past ones kept.
func seedDigest(ctx context.Context, st *store.Bolt, customers, promises int) error {
	const chunk = 20_000
	name := func(i int) string { return fmt.Sprintf("Customer %04d", i) }
	var d store.Dump
	flush := func() error {
		if err := ctx.Err(); err != nil {
			return err
		}
		_, err := st.Import(d, false)
		d = store.Dump{}
		return err
	}
	for i := range customers {
		tier := store.StandardTier
		if i%10 == 0 {
			tier = store.KeyTier
		}
		d.Customers = append(d.Customers, store.Customer{
			Team: benchTeam, Name: name(i), Owner: fmt.Sprintf("U%04d", i%40), Tier: tier,
			Cadence: time.Duration(7+i%54) * benchDay, Created: digestNow.Add(-400 * benchDay),
			LastTouch: digestNow.Add(-time.Duration(i%60) * benchDay),
		})
		if len(d.Customers) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for i := range promises {
		due := digestNow.Add(time.Duration(i%395-365)*benchDay + time.Duration(i%24)*time.Hour)
		created := due.Add(-7 * benchDay)
		if due.After(digestNow) {
			created = digestNow.Add(-7 * benchDay)
		}
		p := store.Promise{
			Team: benchTeam, ID: int64(i + 1), Text: fmt.Sprintf("send the renewal quote and the revised SOW, version %d", i),
			Customer: name(i % customers), Owner: fmt.Sprintf("U%04d", i%40), Creator: "U0001", Due: due,
			Created: created, State: store.Open,
			History: []store.Event{{At: created, Kind: model.EventCreated, By: "U0001"}},
		}
		if due.Before(digestNow) && i%10 != 0 {
			p.State, p.KeptAt, p.OnTime = store.Kept, due, i%4 != 0
			p.History = append(p.History, store.Event{At: due, Kind: model.EventKept, By: p.Owner})
		}
		d.Promises = append(d.Promises, p)
		if len(d.Promises) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}
