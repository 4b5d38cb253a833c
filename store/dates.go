package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/model"
)

// The date index: to customer dates what prompts is to check-ins.
//
//	dateprompts (global)  class (1) + at (8) + team + 0x00 + CustomerKey -> nil
//
// A customer has at most one entry per class (model.Customer.DateIndex):
// 'r' at its pending renewal, 'a' at its earliest pending anniversary
// prompt. ClaimDates reads the renewal class up to now plus the notice and
// the anniversary class up to now, so a change of the notice needs no
// re-index. Created on first write.
var bucketDatePrompts = []byte("dateprompts")

const (
	classRenewal     = 'r'
	classAnniversary = 'a'
)

func dateKey(class byte, at time.Time, team, key string) []byte {
	return append([]byte{class}, promptKey(at, team, key)...)
}

// dateKeys are the date index entries of c as it is now.
func dateKeys(c Customer) [][]byte {
	renewal, anniversary := c.DateIndex()
	key := CustomerKey(c.Name)
	var out [][]byte
	if !renewal.IsZero() {
		out = append(out, dateKey(classRenewal, renewal, c.Team, key))
	}
	if !anniversary.IsZero() {
		out = append(out, dateKey(classAnniversary, anniversary, c.Team, key))
	}
	return out
}

// indexDates moves r's date index entries to match its dates.
func indexDates(tx *bolt.Tx, r *customerRecord) error {
	want := dateKeys(r.Customer)
	if len(want) == 0 && len(r.DateKeys) == 0 {
		return nil // most customers: no bucket is made for them
	}
	b, err := tx.CreateBucketIfNotExists(bucketDatePrompts)
	if err != nil {
		return err
	}
	for _, k := range r.DateKeys {
		if !slices.ContainsFunc(want, func(w []byte) bool { return bytes.Equal(w, k) }) {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
	}
	for _, k := range want {
		if err := b.Put(k, nil); err != nil {
			return err
		}
	}
	r.DateKeys = want
	return nil
}

// unindexDates removes r's date index entries (the customer is removed).
func unindexDates(tx *bolt.Tx, r customerRecord) error {
	b := tx.Bucket(bucketDatePrompts)
	if b == nil {
		return nil
	}
	for _, k := range r.DateKeys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// dueDateKeys are the index entries due at now: renewals up to
// now+ahead, anniversaries up to now, at most limit (<= 0: all).
func dueDateKeys(b *bolt.Bucket, now time.Time, ahead time.Duration, limit int) [][]byte {
	var keys [][]byte
	c := b.Cursor()
	for _, class := range []struct {
		id  byte
		end uint64
	}{{classRenewal, nanos(now.Add(ahead))}, {classAnniversary, nanos(now)}} {
		for k, _ := c.Seek([]byte{class.id}); len(k) > 9 && k[0] == class.id && binary.BigEndian.Uint64(k[1:9]) <= class.end; k, _ = c.Next() {
			if limit > 0 && len(keys) == limit {
				return keys
			}
			keys = append(keys, append([]byte(nil), k...))
		}
	}
	return keys
}

// ClaimDates implements Outbox.ClaimDates.
func (s *Bolt) ClaimDates(now time.Time, pol model.DatePolicy, limit int) ([]Nudge, error) {
	now = now.UTC()
	var out []Nudge
	probe := func(tx *bolt.Tx) bool {
		b := tx.Bucket(bucketDatePrompts)
		return b != nil && len(dueDateKeys(b, now, pol.Ahead(), 1)) > 0
	}
	err := s.updateIfWork(probe, func(tx *bolt.Tx) error {
		out = nil
		b := tx.Bucket(bucketDatePrompts)
		for _, k := range dueDateKeys(b, now, pol.Ahead(), limit) {
			ns, err := claimDates(tx, b, k, now, pol)
			if err = s.skipUndecodable(err); err != nil {
				return err
			}
			out = append(out, ns...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: claim dates: %w", err)
	}
	return out, nil
}

// claimDates claims the dates of the customer entry k is for. A customer
// due in both classes is claimed whole at its first entry; saved, it is
// re-indexed, so its second entry is stale when the walk reaches it.
func claimDates(tx *bolt.Tx, b *bolt.Bucket, k []byte, now time.Time, pol model.DatePolicy) ([]Nudge, error) {
	team, key, ok := parsePromptKey(k[1:])
	var cb *bolt.Bucket
	var r customerRecord
	err := ErrNotFound
	if ok {
		cb, r, err = loadCustomer(tx, team, key)
	}
	if errors.Is(err, ErrNotFound) || (err == nil && !slices.ContainsFunc(r.DateKeys, func(w []byte) bool { return bytes.Equal(w, k) })) {
		// An entry its customer does not point at is stale: drop it.
		return nil, b.Delete(k)
	}
	if err != nil {
		return nil, err
	}
	ns := r.ClaimDates(now, pol)
	for i := range ns {
		if err := putNudge(tx, nil, &ns[i]); err != nil {
			return nil, err
		}
	}
	return ns, saveCustomer(tx, cb, &r)
}
