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
//	teams/<team>/bystate     state 0x00 due (8, ns since 1970) id (8) -> the digest's fields
//
// Its values (the fifth migration) hold what the digest shows of a
// promise, so that the digest decodes no record: decoding a promise's
// JSON took about 10 µs, and a workspace of 50,000 customers has tens of
// thousands late (stateDueValue).
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
		name     []byte
		old      *[]byte
		key, val []byte
	}{
		{bucketByOwner, &r.OwnerKey, ownerKey(r), nil},
		{bucketByCustomer, &r.CustomerIdx, customerIdxKey(r), nil},
		{bucketByState, &r.StateIdx, stateDueKey(r), stateDueValue(&r.Promise)},
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
			if err := b.Put(ix.key, ix.val); err != nil {
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

// stateValueVersion starts a bystate value in the layout stateDueValue
// writes; an entry without one (written by the third migration, before
// values) is read from its record.
const stateValueVersion = 1

// stateDueValue is p's bystate value: what the digest reads of a promise
// besides its team, id, state and due time (which the key holds): owner,
// customer and text as length-prefixed strings, then a flags byte (on
// time, escalated, moved) and, if moved, the first promised time.
func stateDueValue(p *Promise) []byte {
	v := make([]byte, 0, 8+len(p.Owner)+len(p.Customer)+len(p.Text)+9)
	v = append(v, stateValueVersion)
	for _, s := range []string{p.Owner, p.Customer, p.Text} {
		v = binary.AppendUvarint(v, uint64(len(s)))
		v = append(v, s...)
	}
	var flags byte
	if p.OnTime {
		flags |= 1
	}
	if p.Escalated {
		flags |= 2
	}
	if !p.MovedFrom.IsZero() {
		flags |= 4
	}
	v = append(v, flags)
	if !p.MovedFrom.IsZero() {
		v = binary.AppendVarint(v, p.MovedFrom.UnixNano())
	}
	return v
}

// stateDuePromise reads a bystate entry of team back into the fields
// DuePromises promises; ok is false when v is not in stateDueValue's
// layout, and the record must be read instead.
func stateDuePromise(team string, k, v []byte) (p Promise, ok bool) {
	i := bytes.IndexByte(k, 0)
	if i < 0 || len(k) != i+17 || len(v) == 0 || v[0] != stateValueVersion {
		return p, false
	}
	p.Team, p.State = team, State(k[:i])
	p.Due = time.Unix(0, int64(binary.BigEndian.Uint64(k[i+1:]))).UTC()
	p.ID = int64(binary.BigEndian.Uint64(k[i+9:]))
	rest := v[1:]
	for _, s := range []*string{&p.Owner, &p.Customer, &p.Text} {
		n, w := binary.Uvarint(rest)
		if w <= 0 || uint64(len(rest)-w) < n {
			return Promise{}, false
		}
		*s = string(rest[w : w+int(n)])
		rest = rest[w+int(n):]
	}
	if len(rest) == 0 {
		return Promise{}, false
	}
	flags := rest[0]
	p.OnTime, p.Escalated = flags&1 != 0, flags&2 != 0
	if flags&4 != 0 {
		at, w := binary.Varint(rest[1:])
		if w <= 0 {
			return Promise{}, false
		}
		p.MovedFrom = time.Unix(0, at).UTC()
	}
	return p, true
}
