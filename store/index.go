package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Owner and customer indexes, per team (added by the second migration),
// so that the Home tab, /promise list and the customer card read one
// person's or one customer's promises, not the team's:
//
//	teams/<team>/byowner     owner 0x00 state 0x00 id (8) -> nil
//	teams/<team>/bycustomer  CustomerKey 0x00 state 0x00 id (8) -> nil
//
// A record keeps the keys it is indexed under (OwnerKey, CustomerIdx),
// as it keeps its due-index key, so a change always finds the old ones.
//
// The third migration adds one more, so that the digest reads the
// promises it reports (the late ones, the last two weeks' and the next
// few days'), not the team's whole history:
//
//	teams/<team>/bystate     state 0x00 due (8, ns since 1970) id (8) -> nil
var (
	bucketByOwner    = []byte("byowner")
	bucketByCustomer = []byte("bycustomer")
	bucketByState    = []byte("bystate")
)

// stateDueKey is r's entry in bystate.
func stateDueKey(r *record) []byte {
	return stateDuePrefix(r.State, r.Due, r.ID)
}

// stateDuePrefix is where state's promises due at due (with id) sort in
// bystate; id 0 is the first of that instant.
func stateDuePrefix(state State, due time.Time, id int64) []byte {
	k := make([]byte, 0, len(state)+17)
	k = append(k, state...)
	k = append(k, 0)
	k = binary.BigEndian.AppendUint64(k, nanos(due))
	return binary.BigEndian.AppendUint64(k, uint64(id))
}

func ownerKey(r *record) []byte {
	return indexKey(r.Owner, string(r.State), r.ID)
}

func customerIdxKey(r *record) []byte {
	if r.Customer == "" {
		return nil
	}
	return indexKey(CustomerKey(r.Customer), string(r.State), r.ID)
}

func indexKey(a, state string, id int64) []byte {
	k := make([]byte, 0, len(a)+len(state)+10)
	k = append(k, a...)
	k = append(k, 0)
	k = append(k, state...)
	k = append(k, 0)
	return append(k, itob(id)...)
}

func indexPrefix(a, state string) []byte {
	k := append([]byte(a), 0)
	if state != "" {
		k = append(append(k, state...), 0)
	}
	return k
}

// reindex moves r's owner, customer and state index entries to match it.
func reindex(tx *bolt.Tx, r *record) error {
	t, err := tx.Bucket(bucketTeams).CreateBucketIfNotExists([]byte(r.Team))
	if err != nil {
		return err
	}
	for _, ix := range []struct {
		name []byte
		old  *[]byte
		key  []byte
	}{
		{bucketByOwner, &r.OwnerKey, ownerKey(r)},
		{bucketByCustomer, &r.CustomerIdx, customerIdxKey(r)},
		{bucketByState, &r.StateIdx, stateDueKey(r)},
	} {
		b, err := t.CreateBucketIfNotExists(ix.name)
		if err != nil {
			return err
		}
		if *ix.old != nil && !bytes.Equal(*ix.old, ix.key) {
			if err := b.Delete(*ix.old); err != nil {
				return err
			}
		}
		if ix.key != nil {
			if err := b.Put(ix.key, nil); err != nil {
				return err
			}
		}
		*ix.old = ix.key
	}
	return nil
}

// indexed calls fn with each promise of team under prefix in index name,
// reading only those. A promise that cannot be decoded is skipped and
// counted.
func (s *Bolt) indexed(tx *bolt.Tx, team string, name, prefix []byte, fn func(Promise)) error {
	t := tx.Bucket(bucketTeams).Bucket([]byte(team))
	if t == nil {
		return nil
	}
	ix, ps := t.Bucket(name), t.Bucket(bucketPromises)
	if ix == nil || ps == nil {
		return nil
	}
	c := ix.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		id := btoi(k[len(k)-8:])
		v := ps.Get(itob(id))
		if v == nil {
			continue // an entry its promise no longer has; the next save drops it
		}
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			if err := s.skipUndecodable(fmt.Errorf("%w: %v", ErrUndecodable, promiseError(team, id, err))); err != nil {
				return err
			}
			continue
		}
		if !bytes.Equal(r.OwnerKey, k) && !bytes.Equal(r.CustomerIdx, k) {
			continue // stale
		}
		fn(r.Promise)
	}
	return nil
}
