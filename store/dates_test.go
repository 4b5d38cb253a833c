package store

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/keptbot/kept/model"
)

// TestMigrateDatesIndex: a customer stored with dates before the date
// index existed (schema version 3) is indexed by migration 4, so its
// anniversary is prompted.
func TestMigrateDatesIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kept.db")
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	opts := Options{Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)}
	s, err := New(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := model.Customer{Team: "T1", Name: "Acme", Owner: "U1"}
	if err := c.SetDate(model.CustomerDate{Kind: model.DateNamed, Name: "kickoff", On: model.Day{Month: time.April, Day: 15}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCustomer("", c); err != nil {
		t.Fatal(err)
	}
	// As a version 3 file had it: the dates in the record, no index.
	err = s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bucketDatePrompts); err != nil {
			return err
		}
		b, r, err := loadCustomer(tx, "T1", "acme")
		if err != nil {
			return err
		}
		r.DateKeys = nil
		v, _ := json.Marshal(r)
		if err := b.Put([]byte("acme"), v); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(metaVersion, itob(3))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = New(path, opts); err != nil {
		t.Fatalf("open a version 3 file: %v", err)
	}
	defer s.Close()
	ns, err := s.ClaimDates(time.Date(2026, 4, 12, 10, 0, 0, 0, time.UTC), model.DefaultDates, 0)
	if err != nil || len(ns) != 1 || ns[0].For.Date != "kickoff" {
		t.Errorf("after the migration, claimed %+v, %v; want the kickoff's prompt", ns, err)
	}
}

// TestImportKeepsDateIndex: an import that moves a customer's date leaves
// the date index holding exactly the entries its record points at, no
// stale entry for the old day (which a claim would only clear later).
func TestImportKeepsDateIndex(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, err := New(filepath.Join(t.TempDir(), "kept.db"), Options{Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := model.Customer{Team: "T1", Name: "Acme", Owner: "U1"}
	if err := c.SetDate(model.CustomerDate{Kind: model.DateStart, On: model.Day{Year: 2024, Month: time.February, Day: 29}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddCustomer("", c); err != nil {
		t.Fatal(err)
	}
	c.Dates = nil
	if err := c.SetDate(model.CustomerDate{Kind: model.DateStart, On: model.Day{Year: 2024, Month: time.June, Day: 3}}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(Dump{Customers: []model.Customer{c}}, false); err != nil {
		t.Fatal(err)
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		_, r, err := loadCustomer(tx, "T1", "acme")
		if err != nil {
			return err
		}
		var index [][]byte
		err = tx.Bucket(bucketDatePrompts).ForEach(func(k, _ []byte) error {
			index = append(index, append([]byte(nil), k...))
			return nil
		})
		if len(index) != len(r.DateKeys) || len(index) != 1 || !bytes.Equal(index[0], r.DateKeys[0]) {
			t.Errorf("the date index holds %q; the record points at %q", index, r.DateKeys)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
