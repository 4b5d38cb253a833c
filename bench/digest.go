package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// digestNow is a Monday 9:00 in New York, as in digest's BenchmarkDigest.
var digestNow = time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)

const benchDay = 24 * time.Hour

// Digest times the team digest (digest.Build, then slackui.DigestBlocks) over
// a real store of opts.DigestCustomers customers and ten times as many
// promises, seeded through the store API as bot's BenchmarkDigest seeds
// it. The figure is the median of opts.Runs runs of a few builds each.
func Digest(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	customers := opts.DigestCustomers
	promises := 10 * customers
	st, err := store.New(filepath.Join(dir, "digest.db"), store.Options{Now: func() time.Time { return digestNow }})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	t := time.Now()
	if err := seedDigest(ctx, st, customers, promises); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
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
				return nil, err
			}
			if len(d.Late) == 0 || len(d.Quiet) == 0 {
				return nil, fmt.Errorf("seeded store gave an empty digest: %+v", d.Week)
			}
			late, quiet = len(d.Late), len(d.Quiet)
			slackui.DigestBlocks(d, loc)
		}
		times = append(times, time.Since(t)/builds)
	}
	opts.logf("digest: %v per build (%d late, %d quiet)", times, late, quiet)
	return []Row{{
		Section: "6",
		Measure: fmt.Sprintf("digest build (BuildDigest + DigestBlocks), %s customers / %s promises", count(customers), count(promises)),
		Result:  fmt.Sprintf("%s per digest (%d late promises, %d quiet customers in it)", ms(median(times)), late, quiet),
	}}, nil
}

// seedDigest fills st as bot's seedStore does, 50 writers at a time so that
// group commit keeps it to seconds: customers touched up to 60 days ago with
// cadences of 7 to 60 days; promises due over the year before and the month
// after digestNow, nine in ten of the past ones kept.
func seedDigest(ctx context.Context, st *store.Bolt, customers, promises int) error {
	parallel := func(n int, fn func(i int) error) error {
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for w := range 50 {
			wg.Go(func() {
				for i := w; i < n; i += 50 {
					if err := ctx.Err(); err != nil {
						errs <- err
						return
					}
					if err := fn(i); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
	name := func(i int) string { return fmt.Sprintf("Customer %04d", i) }
	err := parallel(customers, func(i int) error {
		tier := store.StandardTier
		if i%10 == 0 {
			tier = store.KeyTier
		}
		_, err := st.AddCustomer("", store.Customer{
			Team: benchTeam, Name: name(i), Owner: fmt.Sprintf("U%04d", i%40), Tier: tier,
			Cadence: time.Duration(7+i%54) * benchDay, Created: digestNow.Add(-400 * benchDay),
			LastTouch: digestNow.Add(-time.Duration(i%60) * benchDay),
		})
		return err
	})
	if err != nil {
		return err
	}
	return parallel(promises, func(i int) error {
		due := digestNow.Add(time.Duration(i%395-365)*benchDay + time.Duration(i%24)*time.Hour)
		p, err := st.AddPromise("", store.Promise{
			Team: benchTeam, Text: fmt.Sprintf("send the renewal quote and the revised SOW, version %d", i),
			Customer: name(i % customers), Owner: fmt.Sprintf("U%04d", i%40), Creator: "U0001", Due: due,
		})
		if err != nil || !due.Before(digestNow) || i%10 == 0 {
			return err
		}
		_, err = st.UpdatePromise("", benchTeam, p.ID, func(p *store.Promise) error {
			p.State, p.KeptAt, p.OnTime = store.Kept, due, i%4 != 0
			return nil
		})
		return err
	})
}
