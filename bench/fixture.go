package bench

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/store"
)

// fixtureRecord is a promise as the store keeps it (store's unexported
// record type): the promise and its due-index key. The bench writes big
// stores in this form directly, many promises per transaction, because a
// million AddPromise calls would take minutes; TickCost then checks that
// the store reads them back and claims them.
type fixtureRecord struct {
	store.Promise
	IndexKey   []byte    `json:"index_key,omitempty"`
	RemindedAt time.Time `json:"reminded_at,omitzero"`
}

// dueIndexKey is the store's due-index key: instant, id, team.
func dueIndexKey(at time.Time, id int64, team string) []byte {
	k := make([]byte, 16, 16+len(team))
	binary.BigEndian.PutUint64(k, uint64(at.UnixNano()))
	binary.BigEndian.PutUint64(k[8:], uint64(id))
	return append(k, team...)
}

// samplePromise is a typical promise: a sentence, a customer, a permalink.
func samplePromise(i int) store.Promise {
	owner := fmt.Sprintf("U%07d", i%1000+1)
	return store.Promise{
		Team:      benchTeam,
		Text:      "send the renewal quote with the revised volume discount",
		Customer:  fmt.Sprintf("Customer %d", i%5000),
		Owner:     owner,
		Creator:   owner,
		Channel:   benchChannel,
		Permalink: fmt.Sprintf("https://kept-sim.slack.com/archives/%s/p17000000%08d", benchChannel, i),
		Due:       time.Date(2030, 1, 7, 15, 0, 0, 0, time.UTC),
		Zone:      "America/New_York",
	}
}

// buildStore writes n open promises into a new store at path, promise i
// due at base+i*step, in transactions of 50,000 with fsync off (only here:
// it is a fixture), then syncs once.
func buildStore(path string, n int, base time.Time, step time.Duration) error {
	st, err := store.New(path, store.Options{}) // buckets and schema version
	if err != nil {
		return err
	}
	if err := st.Close(); err != nil {
		return err
	}
	created := base.Add(-24 * time.Hour).UTC()
	return bulkWrite(path, n, func(tx *bolt.Tx, lo, hi int) error {
		t, err := tx.Bucket([]byte("teams")).CreateBucketIfNotExists([]byte(benchTeam))
		if err != nil {
			return err
		}
		b, err := t.CreateBucketIfNotExists([]byte("promises"))
		if err != nil {
			return err
		}
		b.FillPercent = 0.9 // as the store does (store/promise.go)
		due := tx.Bucket([]byte("due"))
		for i := lo; i < hi; i++ {
			p := samplePromise(i)
			p.ID = int64(i + 1)
			p.Due = base.Add(time.Duration(i) * step).UTC()
			p.Created, p.State = created, store.Open
			p.History = []store.Event{{At: created, Kind: "created", By: p.Creator}}
			key := dueIndexKey(p.Due, p.ID, p.Team)
			v, err := json.Marshal(fixtureRecord{Promise: p, IndexKey: key})
			if err != nil {
				return err
			}
			if err := b.Put(be64(uint64(p.ID)), v); err != nil {
				return err
			}
			if err := due.Put(key, nil); err != nil {
				return err
			}
		}
		if err := b.SetSequence(uint64(hi)); err != nil {
			return err
		}
		// The overdue delay a daemon with default settings records on
		// its first tick, so that its idle ticks stay read-only.
		return tx.Bucket([]byte("meta")).Put([]byte("overdue_after"), be64(uint64(24*time.Hour)))
	})
}

// bulkWrite opens the existing store file at path with bbolt directly,
// fsync off (only for fixtures), calls fill for records [lo, hi) in
// transactions of 50,000 until n are written, then syncs once.
func bulkWrite(path string, n int, fill func(tx *bolt.Tx, lo, hi int) error) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return err
	}
	const chunk = 50_000
	for lo := 0; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		if err := db.Update(func(tx *bolt.Tx) error { return fill(tx, lo, hi) }); err != nil {
			db.Close()
			return err
		}
	}
	if err := db.Sync(); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// mappedBytes is how much of path is resident in this process's memory
// mappings (Rss in /proc/self/smaps): bbolt reads through mmap, so on a
// freshly opened store its growth is what a call read from the file.
func mappedBytes(path string) (int64, error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var total int64
	in := false
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") || strings.Contains(fields[0], "-") {
			// A mapping header: "start-end perms offset dev inode [path]".
			in = len(fields) >= 6 && fields[len(fields)-1] == path
			continue
		}
		if in && fields[0] == "Rss:" && len(fields) >= 2 {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0, err
			}
			total += kb << 10
		}
	}
	return total, sc.Err()
}

// fileSize is the size of the file at path.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
