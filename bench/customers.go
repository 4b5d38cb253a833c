package bench

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/store"
)

// customerCadence is every fixture customer's cadence: long enough that a
// claimed customer's next prompt falls after every wave the bench runs.
const customerCadence = 30 * 24 * time.Hour

// customerFixtureRecord is a customer as the store keeps it (store's
// unexported customerRecord in store/customer.go): the customer, its
// prompts-index key, its last prompt and its pending check-in.
type customerFixtureRecord struct {
	store.Customer
	IndexKey   []byte    `json:"index_key,omitempty"`
	LastPrompt time.Time `json:"last_prompt,omitzero"`
	Pending    int64     `json:"pending,omitempty"`
}

// promptIndexKey is the store's prompts key: next prompt, team, 0, key.
func promptIndexKey(at time.Time, team, key string) []byte {
	k := make([]byte, 8, 8+len(team)+1+len(key))
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
	k = append(k, team...)
	k = append(k, 0)
	return append(k, key...)
}

// customerName is fixture customer i's name; its key (store.CustomerKey)
// is the same in lower case, so the keys go in sorted.
func customerName(i int) string { return fmt.Sprintf("Customer %07d", i) }

// addCustomers writes n customers into the store at path (which must
// exist), customer i's next check-in due at base+i*step, in transactions of
// 50,000 with fsync off (a fixture), then syncs once. The layout is
// store/customer.go's: teams/<team>/customers holds CustomerKey(name) ->
// record JSON; the global prompts bucket holds the index.
func addCustomers(path string, n int, base time.Time, step time.Duration) error {
	created := base.Add(-customerCadence).UTC()
	return bulkWrite(path, n, func(tx *bolt.Tx, lo, hi int) error {
		t, err := tx.Bucket([]byte("teams")).CreateBucketIfNotExists([]byte(benchTeam))
		if err != nil {
			return err
		}
		b, err := t.CreateBucketIfNotExists([]byte("customers"))
		if err != nil {
			return err
		}
		prompts, err := tx.CreateBucketIfNotExists([]byte("prompts"))
		if err != nil {
			return err
		}
		for i := lo; i < hi; i++ {
			tier := store.StandardTier
			if i%10 == 0 {
				tier = store.KeyTier
			}
			c := store.Customer{
				Team: benchTeam, Name: customerName(i), Owner: fmt.Sprintf("U%07d", i%1000+1),
				Tier: tier, Cadence: customerCadence, Created: created,
				NextPrompt: base.Add(time.Duration(i) * step).UTC(),
			}
			key := store.CustomerKey(c.Name)
			idx := promptIndexKey(c.NextPrompt, c.Team, key)
			v, err := json.Marshal(customerFixtureRecord{Customer: c, IndexKey: idx})
			if err != nil {
				return err
			}
			if err := b.Put([]byte(key), v); err != nil {
				return err
			}
			if err := prompts.Put(idx, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkCustomers reads a fixture customer back through the store API.
func checkCustomers(path string, n int, base time.Time, step time.Duration) error {
	st, err := store.New(path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	i := n - 1
	c, err := st.Customer(benchTeam, customerName(i))
	if err != nil {
		return fmt.Errorf("fixture customer not readable: %w", err)
	}
	if want := base.Add(time.Duration(i) * step); !c.NextPrompt.Equal(want) || c.Cadence != customerCadence {
		return fmt.Errorf("fixture customer reads back as %+v: the fixture does not match the store's format", c)
	}
	return nil
}

// CustomerTick builds a store with opts.Customers customers (and as many
// open promises, none due) and measures one scheduler tick with nothing
// due and the claim phase of a tick with 1,000 check-ins due, with the
// bytes of the file each read, as TickCost does for promises.
func CustomerTick(ctx context.Context, dir string, opts Options) ([]Row, error) {
	opts.defaults()
	n := opts.Customers
	path := filepath.Join(dir, fmt.Sprintf("customers-%d.db", n))
	t := time.Now()
	if err := buildStore(path, n, fixtureBase, fixtureStep); err != nil {
		return nil, fmt.Errorf("build %d promises: %w", n, err)
	}
	if err := addCustomers(path, n, fixtureBase, fixtureStep); err != nil {
		return nil, fmt.Errorf("build %d customers: %w", n, err)
	}
	if err := checkCustomers(path, n, fixtureBase, fixtureStep); err != nil {
		return nil, err
	}
	opts.logf("tick: built %s customers + %s promises in %s (%s)", count(n), count(n), time.Since(t).Round(time.Millisecond), size(fileSize(path)))

	idleNow := fixtureBase.Add(-time.Minute)
	// Nothing due: ClaimCheckins claims nothing.
	noneDue := func() error {
		st, err := store.New(path, store.Options{})
		if err != nil {
			return err
		}
		if ns, err := st.ClaimCheckins(idleNow, 0); err != nil || len(ns) != 0 {
			st.Close()
			return fmt.Errorf("idle ClaimCheckins claimed %d (err %v), want 0", len(ns), err)
		}
		st.Close()
		return nil
	}
	idleCold, idleTimes, err := idleTicks(ctx, path, opts.Runs, idleNow, noneDue)
	if err != nil {
		return nil, err
	}
	idle := median(idleTimes)
	what := fmt.Sprintf("%s customers (+ %s open promises)", count(n), count(n))
	rows := []Row{{
		Section: "3",
		Measure: "idle tick (nothing due), " + what,
		Result:  fmt.Sprintf("%s; %s of the file read", ms(idle), size(median(idleCold))),
	}}

	// 1,000 check-ins due: run k claims customers k*1000 .. k*1000+999
	// (promises fall due at the same instants; only check-ins are claimed).
	dueTimes, dueBytes, err := dueTicks(path, n, opts.Runs, "check-ins", checkinPhase)
	if err != nil {
		return rows, err
	}
	if len(dueTimes) > 0 {
		rows = append(rows, Row{
			Section: "3",
			Measure: "tick with 1,000 check-ins due (claim phase), " + what,
			Result:  fmt.Sprintf("%s; %s of the file read", ms(median(dueTimes)), size(median(dueBytes))),
		})
	}
	opts.logf("tick: %s customers: idle %s (%s read), 1000 check-ins due %v", count(n), ms(idle), size(median(idleCold)), dueTimes)
	return rows, nil
}

// checkinPhase is the check-in part of scheduler.Tick's claim phase:
// ClaimCheckins in batches until a short one, then the first batch of the
// outbox.
func checkinPhase(st *store.Bolt, now time.Time) (int, error) {
	return claimAll(st, now, "check-ins", func() ([]store.Nudge, error) {
		ns, err := st.ClaimCheckins(now, tickBatch)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			if n.Kind != store.Checkin {
				return nil, fmt.Errorf("claimed a %q nudge, want a check-in", n.Kind)
			}
		}
		return ns, nil
	})
}
