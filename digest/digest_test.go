package digest_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

// digestNow is Monday 30 November 2026, 9:00 in New York.
var digestNow = time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// BenchmarkDigest builds and renders the digest for a workspace of 5,000
// customers and 50,000 promises in a real store.
func BenchmarkDigest(b *testing.B) {
	st, err := store.New(filepath.Join(b.TempDir(), "kept.db"), store.Options{Now: func() time.Time { return digestNow }})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	seedStore(b, st, 5000, 50000)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		d, err := digest.Build(st, "T1", nil, digestNow, time.UTC)
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Late) == 0 || len(d.Quiet) == 0 {
			b.Fatalf("seeded store gave an empty digest: %+v", d.Week)
		}
		slackui.DigestBlocks(d, time.UTC)
	}
}

// seedStore fills st through its public API, 50 writers at a time so that
// group commit keeps the setup to seconds. Customers are touched up to 60
// days ago with cadences of 7 to 60 days; promises are due over the year
// before and the month after digestNow, nine in ten of the past ones kept.
func seedStore(b *testing.B, st *store.Bolt, customers, promises int) {
	b.Helper()
	parallel := func(n int, fn func(i int) error) {
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for w := range 50 {
			wg.Go(func() {
				for i := w; i < n; i += 50 {
					if err := fn(i); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	name := func(i int) string { return fmt.Sprintf("Customer %04d", i) }
	parallel(customers, func(i int) error {
		tier := store.StandardTier
		if i%10 == 0 {
			tier = store.KeyTier
		}
		_, err := st.AddCustomer("", store.Customer{
			Team: "T1", Name: name(i), Owner: fmt.Sprintf("U%04d", i%40), Tier: tier,
			Cadence: time.Duration(7+i%54) * day, Created: digestNow.Add(-400 * day),
			LastTouch: digestNow.Add(-time.Duration(i%60) * day),
		})
		return err
	})
	parallel(promises, func(i int) error {
		due := digestNow.Add(time.Duration(i%395-365)*day + time.Duration(i%24)*time.Hour)
		p, err := st.AddPromise("", store.Promise{
			Team: "T1", Text: fmt.Sprintf("send the renewal quote and the revised SOW, version %d", i),
			Customer: name(i % customers), Owner: fmt.Sprintf("U%04d", i%40), Creator: "U0001", Due: due,
		})
		if err != nil || !due.Before(digestNow) || i%10 == 0 {
			return err
		}
		_, err = st.UpdatePromise("", "T1", p.ID, func(p *store.Promise) error {
			p.State, p.KeptAt, p.OnTime = store.Kept, due, i%4 != 0
			return nil
		})
		return err
	})
}
