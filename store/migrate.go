package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// migration is one step of the schema. The schema version of a file is
// the number of steps applied to it.
type migration struct {
	name  string
	apply func(tx *bolt.Tx) error
}

// migrations is the bbolt schema, in order. Add new steps at the end;
// never edit, reorder or remove one that has shipped: a file at version n
// has had exactly the first n applied.
var migrations = []migration{
	{"the first schema: promises, due index, outbox, ops", createBuckets},
	{"owner and customer indexes", indexOwnersAndCustomers},
	{"state and due time index, for the digest", indexStates},
	{"customer dates index", indexCustomerDates},
	{"the digest's fields in the state index", stateValues},
}

// schemaVersion is what this Kept writes and reads.
var schemaVersion = int64(len(migrations))

func createBuckets(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketTeams, bucketDue, bucketNudges, bucketOutbox, bucketOps, bucketOpsAge, bucketMeta} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// indexOwnersAndCustomers indexes every promise by owner and by customer
// (index.go). A promise that cannot be decoded is left as it is: it was
// not readable before either.
func indexOwnersAndCustomers(tx *bolt.Tx) error {
	return reindexPromises(tx, [][]byte{bucketByOwner, bucketByCustomer}, func(r *record) [][]byte {
		r.OwnerKey, r.CustomerIdx = ownerKey(r), customerIdxKey(r)
		return [][]byte{r.OwnerKey, r.CustomerIdx}
	})
}

// indexStates indexes every promise by state and due time (index.go),
// and has each record remember its entry. A promise that cannot be
// decoded is left as it is.
func indexStates(tx *bolt.Tx) error {
	return reindexPromises(tx, [][]byte{bucketByState}, func(r *record) [][]byte {
		r.StateIdx = stateDueKey(r)
		return [][]byte{r.StateIdx}
	})
}

// reindexPromises builds new indexes of every team's promises: keys sets
// a record's entries (it remembers them) and returns them, one per bucket
// of buckets, nil for none. Each index is written in key order, which
// bbolt appends rather than inserts, into its bucket filled to 90 %; then
// every record is saved again, in id order. Records that cannot be
// decoded are left as they are.
func reindexPromises(tx *bolt.Tx, buckets [][]byte, keys func(*record) [][]byte) error {
	return tx.Bucket(bucketTeams).ForEachBucket(func(team []byte) error {
		t := tx.Bucket(bucketTeams).Bucket(team)
		ps := t.Bucket(bucketPromises)
		if ps == nil {
			return nil
		}
		var rs []record
		err := ps.ForEach(func(_, v []byte) error {
			var r record
			if json.Unmarshal(v, &r) == nil {
				rs = append(rs, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		entries := make([][][]byte, len(buckets))
		for i := range rs {
			for j, k := range keys(&rs[i]) {
				if k != nil {
					entries[j] = append(entries[j], k)
				}
			}
		}
		for j, name := range buckets {
			b, err := t.CreateBucketIfNotExists(name)
			if err != nil {
				return err
			}
			b.FillPercent = 0.9
			slices.SortFunc(entries[j], bytes.Compare)
			for _, k := range entries[j] {
				if err := b.Put(k, nil); err != nil {
					return err
				}
			}
		}
		filled(ps)
		for _, r := range rs { // in id order, as ForEach read them
			v, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if err := ps.Put(itob(r.ID), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// indexCustomerDates indexes the dates of customers stored before the
// date index existed (dates.go): each customer with dates is saved again,
// which files them. One that cannot be decoded is left as it is.
func indexCustomerDates(tx *bolt.Tx) error {
	return tx.Bucket(bucketTeams).ForEachBucket(func(team []byte) error {
		cs := tx.Bucket(bucketTeams).Bucket(team).Bucket(bucketCustomers)
		if cs == nil {
			return nil
		}
		var rs []customerRecord
		err := cs.ForEach(func(_, v []byte) error {
			var r customerRecord
			if json.Unmarshal(v, &r) == nil && len(r.Dates) > 0 {
				rs = append(rs, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for i := range rs {
			if err := saveCustomer(tx, cs, &rs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// stateValues gives every state index entry its value (stateDueValue),
// from its promise, in key order. A promise that cannot be decoded, or
// whose entry is not its own, is left as it is: DuePromises reads the
// record of an entry without a value.
func stateValues(tx *bolt.Tx) error {
	return tx.Bucket(bucketTeams).ForEachBucket(func(team []byte) error {
		t := tx.Bucket(bucketTeams).Bucket(team)
		ps, ix := t.Bucket(bucketPromises), t.Bucket(bucketByState)
		if ps == nil || ix == nil {
			return nil
		}
		type entry struct{ k, v []byte }
		var es []entry
		err := ps.ForEach(func(_, v []byte) error {
			var r record
			if json.Unmarshal(v, &r) == nil && r.StateIdx != nil {
				es = append(es, entry{r.StateIdx, stateDueValue(&r.Promise)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		slices.SortFunc(es, func(a, b entry) int { return bytes.Compare(a.k, b.k) })
		for _, e := range es {
			// Put only over an entry there is (a Get of an entry whose
			// value is empty cannot tell it from a missing one).
			if k, _ := ix.Cursor().Seek(e.k); !bytes.Equal(k, e.k) {
				continue
			}
			if err := ix.Put(e.k, e.v); err != nil {
				return err
			}
		}
		return nil
	})
}

// version reads the file's schema version: 0 for a new file.
func version(tx *bolt.Tx) int64 {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return 0
	}
	v := meta.Get(metaVersion)
	if len(v) != 8 {
		return 0
	}
	return btoi(v)
}

// migrate brings the file at path up to schemaVersion: after a backup copy
// of it (unless it is new), every pending step in one transaction, so a
// crash leaves it either as it was or fully migrated. A file from a newer
// Kept is refused.
func (s *Bolt) migrate(path string) error {
	var from int64
	if err := s.db.View(func(tx *bolt.Tx) error { from = version(tx); return nil }); err != nil {
		return err
	}
	switch {
	case from > schemaVersion:
		return fmt.Errorf("schema version %d is newer than this kept understands (%d); run the newer kept", from, schemaVersion)
	case from == schemaVersion:
		return nil
	case from > 0:
		backup, err := s.backupBeforeMigrating(path, from)
		if err != nil {
			return fmt.Errorf("back up before migrating from schema version %d: %w", from, err)
		}
		s.log.Info("migrating the database", "from", from, "to", schemaVersion, "backup", backup)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		for i := from; i < schemaVersion; i++ {
			if err := migrations[i].apply(tx); err != nil {
				return fmt.Errorf("migration %d (%s): %w", i+1, migrations[i].name, err)
			}
		}
		return tx.Bucket(bucketMeta).Put(metaVersion, itob(schemaVersion))
	})
}

// backupBeforeMigrating writes a consistent copy of the file next to it,
// named for the version it holds, and returns its path.
func (s *Bolt) backupBeforeMigrating(path string, from int64) (string, error) {
	name := fmt.Sprintf("%s.schema-v%d.%s.bak", path, from, s.now().UTC().Format("20060102T150405Z"))
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := s.Backup(f); err != nil {
		f.Close()
		os.Remove(name)
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	return name, f.Close()
}
