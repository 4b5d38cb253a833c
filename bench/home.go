package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/store"
)

// homeUser owns 50 open promises in every team size Home measures.
const (
	homeUser     = "U0HOMEUSER"
	homeOpen     = 50
	homeCustomer = "Customer 0000042"
)

// Home times what the Home tab and /promise list read for one person with
// 50 open promises, and what the customer card reads for one customer,
// in teams of 1,000 and 100,000 promises: through the owner and customer
// indexes (the store now), and by reading the whole team as the code did
// before them. The store is written in schema version 1, without the
// indexes, and opened through store.New, so the first migration builds
// them; its time is reported too.
func Home(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	var rows []Row
	for _, n := range []int{1000, 100_000} {
		path := filepath.Join(dir, fmt.Sprintf("home-%d.db", n))
		if err := buildHomeStore(path, n); err != nil {
			return nil, err
		}
		t := time.Now()
		st, err := store.New(path, store.Options{Log: quiet()})
		if err != nil {
			return nil, err
		}
		migrated := time.Since(t)
		mine := func() (int, error) {
			ps, err := st.Promises(benchTeam, homeUser, store.Open)
			return len(ps), err
		}
		scan := func() (int, error) { // the code before the owner index
			ps, err := st.Promises(benchTeam, "", store.Open)
			k := 0
			for _, p := range ps {
				if p.Owner == homeUser {
					k++
				}
			}
			return k, err
		}
		card := func() (int, error) {
			ps, err := st.PromisesFor(benchTeam, homeCustomer)
			return len(ps), err
		}
		for _, m := range []struct {
			what string
			fn   func() (int, error)
		}{
			{"owner index (Home, /promise list): one user's 50 open promises", mine},
			{"team scan, as before the index: one user's 50 open promises", scan},
			{"customer index (customer card): one customer's 10 open promises", card},
		} {
			d, got, err := timeCalls(opts.Runs, m.fn)
			if err != nil {
				st.Close()
				return nil, err
			}
			rows = append(rows, Row{Section: "7. home", Measure: fmt.Sprintf("%s, team of %s", m.what, count(n)), Result: ms(d), Note: fmt.Sprintf("%d found", got)})
		}
		rows = append(rows, Row{Section: "7. home", Measure: fmt.Sprintf("open a schema v1 file of %s promises: backup and index migration", count(n)), Result: ms(migrated)})
		if err := st.Close(); err != nil {
			return nil, err
		}
		opts.logf("home: team of %s done", count(n))
	}
	return rows, nil
}

// timeCalls is the median over runs of the mean time of a call of fn,
// each run calling it up to 100 times or for 200ms, whichever ends first.
func timeCalls(runs int, fn func() (int, error)) (time.Duration, int, error) {
	var times []time.Duration
	var got int
	for range runs {
		t := time.Now()
		calls := 0
		for calls < 100 && (calls == 0 || time.Since(t) < 200*time.Millisecond) {
			n, err := fn()
			if err != nil {
				return 0, 0, err
			}
			got = n
			calls++
		}
		times = append(times, time.Since(t)/time.Duration(calls))
	}
	return median(times), got, nil
}

// buildHomeStore writes n open promises, homeOpen of them homeUser's and
// the rest spread over 1,000 others, with 1 in 100 naming homeCustomer,
// and marks the file schema version 1, as a database from before the
// indexes.
func buildHomeStore(path string, n int) error {
	if err := buildStore(path, n, time.Date(2030, 1, 7, 15, 0, 0, 0, time.UTC), time.Second); err != nil {
		return err
	}
	return bulkWrite(path, 1, func(tx *bolt.Tx, _, _ int) error {
		b := tx.Bucket([]byte("teams")).Bucket([]byte(benchTeam)).Bucket([]byte("promises"))
		for i := 1; i <= n; i++ {
			var r fixtureRecord
			if err := jsonGet(b, int64(i), &r); err != nil {
				return err
			}
			r.Owner = fmt.Sprintf("U0OTHER%04d", i%1000)
			if i%(n/homeOpen) == 0 {
				r.Owner = homeUser
			}
			r.Customer = fmt.Sprintf("Customer %07d", i%(n/10)) // ten promises each, whatever n
			if err := jsonPut(b, int64(i), r); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("version"), be64(1))
	})
}

func jsonGet(b *bolt.Bucket, id int64, v any) error {
	raw := b.Get(be64(uint64(id)))
	if raw == nil {
		return fmt.Errorf("bench: promise #%d missing", id)
	}
	return json.Unmarshal(raw, v)
}

func jsonPut(b *bolt.Bucket, id int64, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(be64(uint64(id)), raw)
}
