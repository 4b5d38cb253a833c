package store

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// copyFile copies testdata's database of an older format to a temp dir.
func copyFile(t *testing.T, src string) string {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	dst := filepath.Join(t.TempDir(), "kept.db")
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestMigrateV1 opens testdata/v1.db, written by Kept before the
// migrations list (schema version 1: two teams, promises open, kept and
// cancelled, a series, two customers, a touch, claimed reminders and a
// check-in, a digest subscription), and checks that it is backed up,
// migrated in place and reads as before, now through the new indexes.
func TestMigrateV1(t *testing.T) {
	path := copyFile(t, filepath.Join("testdata", "v1.db"))
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s, err := New(path, Options{Now: func() time.Time { return now }, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open a v1 database: %v", err)
	}
	var v int64
	if err := s.db.View(func(tx *bolt.Tx) error { v = version(tx); return nil }); err != nil || v != schemaVersion {
		t.Fatalf("schema version %d after opening, want %d", v, schemaVersion)
	}
	backups, _ := filepath.Glob(path + ".schema-v1.*.bak")
	if len(backups) != 1 {
		t.Fatalf("backups before migrating: %v, want one", backups)
	}
	if err := Verify(backups[0]); err != nil {
		t.Errorf("the backup does not verify: %v", err)
	}

	all, err := s.Promises("T1", "", "")
	if err != nil || len(all) != 4 {
		t.Fatalf("T1 has %d promises after migrating (%v), want 4", len(all), err)
	}
	mine, err := s.Promises("T1", "U1", Open)
	if err != nil || len(mine) != 2 {
		t.Errorf("Promises(T1, U1, open) through the owner index: %d (%v), want 2", len(mine), err)
	}
	if kept, _ := s.Promises("T1", "U2", Kept); len(kept) != 1 || kept[0].Text != "ship the fix" {
		t.Errorf("U2's kept promises: %+v", kept)
	}
	acme, err := s.PromisesFor("T1", "ACME")
	if err != nil || len(acme) != 1 || acme[0].Text != "send the renewal quote" {
		t.Errorf("open promises for Acme through the customer index: %+v (%v), want the renewal quote", acme, err)
	}
	// The digest's read, through the state index the third migration
	// built: every promise but the cancelled ones, in a window over all.
	var uncancelled []int64
	for _, p := range all {
		if p.State != Cancelled {
			uncancelled = append(uncancelled, p.ID)
		}
	}
	due, err := s.DuePromises("T1", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC), now)
	if err != nil || len(due) != len(uncancelled) || len(uncancelled) == len(all) {
		t.Errorf("DuePromises through the state index: %+v (%v), want %v", due, err, uncancelled)
	}
	if series, err := s.Promises("T2", "W9", Open); err != nil || len(series) != 1 || series[0].Repeat == "" {
		t.Errorf("T2's series: %+v (%v)", series, err)
	}
	cs, err := s.Customers("T1")
	if err != nil || len(cs) != 2 || cs[0].Name != "Acme" || cs[0].LastNote != "they open an office in Lyon" {
		t.Errorf("customers after migrating: %+v (%v)", cs, err)
	}
	if subs, err := s.Subscriptions("T1"); err != nil || len(subs) != 1 {
		t.Errorf("subscriptions: %+v (%v)", subs, err)
	}
	ns, err := s.Nudges("")
	if err != nil || len(ns) == 0 {
		t.Errorf("nudges after migrating: %d (%v)", len(ns), err)
	}
	// New writes go on from the old sequence and keep the indexes.
	p, err := s.AddPromise("", Promise{Team: "T1", Text: "call back", Owner: "U1", Due: now.Add(time.Hour)})
	if err != nil || p.ID != 5 {
		t.Fatalf("a new promise after migrating: #%d, %v; want #5", p.ID, err)
	}
	if mine, _ := s.Promises("T1", "U1", Open); len(mine) != 3 {
		t.Errorf("U1 has %d open promises after adding one, want 3", len(mine))
	}
	if _, err := s.UpdatePromise("", "T1", p.ID, func(p *Promise) error { return p.Reassign("U1", "U2", "", now) }); err != nil {
		t.Fatal(err)
	}
	if mine, _ := s.Promises("T1", "U1", Open); len(mine) != 2 {
		t.Errorf("after a hand-over the owner index still lists it under U1: %d", len(mine))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Opening it again migrates nothing and copies nothing.
	s, err = New(path, Options{Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if backups, _ := filepath.Glob(path + ".schema-v*.bak"); len(backups) != 1 {
		t.Errorf("reopening made another backup: %v", backups)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kept.db")
	s := openTest(t, path)
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaVersion, itob(schemaVersion+1)) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := New(path, Options{}); err == nil {
		t.Fatal("opened a database from a newer Kept")
	}
}
