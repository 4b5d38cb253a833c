package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestBacklog(t *testing.T) {
	s := openTest(t, "")
	backlog := func(at time.Time) int {
		t.Helper()
		n, err := s.Backlog(at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	add(t, s, "T1", "U1", t0.Add(time.Hour))
	add(t, s, "T1", "U2", t0.Add(2*time.Hour))
	if _, err := s.AddCustomer("", Customer{Team: "T1", Name: "Acme", Owner: "U1", Tier: KeyTier, Cadence: 24 * time.Hour, Created: t0.Add(90*time.Minute - 24*time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Time
		want int
	}{
		{t0, 0},
		{t0.Add(time.Hour), 1},                 // the first reminder
		{t0.Add(90 * time.Minute), 2},          // and the check-in
		{t0.Add(2 * time.Hour), 3},             // and the second reminder
		{t0.Add(2*time.Hour + time.Minute), 3}, // nothing else is due
	}
	for _, tt := range tests {
		if got := backlog(tt.at); got != tt.want {
			t.Errorf("Backlog(t0+%s) = %d, want %d", tt.at.Sub(t0), got, tt.want)
		}
	}
	// Claimed reminders wait in the outbox: still backlog, until sent.
	now := t0.Add(2 * time.Hour)
	ns, err := s.ClaimDue(now, Policy{OverdueAfter: 24 * time.Hour}, 0)
	if err != nil || len(ns) != 2 {
		t.Fatalf("ClaimDue = %v, %v", ns, err)
	}
	if got := backlog(now); got != 3 {
		t.Errorf("after claiming, Backlog = %d, want 3", got)
	}
	for _, n := range ns {
		if _, err := s.MarkSending(n.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkSent(n.ID, "D1", "1.0"); err != nil {
			t.Fatal(err)
		}
	}
	if got := backlog(now); got != 1 {
		t.Errorf("after sending, Backlog = %d, want 1 (the check-in)", got)
	}
}

func TestPingAndVerify(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kept.db")
	s := openTest(t, path)
	if err := s.Ping(); err != nil {
		t.Fatal(err)
	}
	if err := Verify(path); !errors.Is(err, ErrLocked) {
		t.Errorf("Verify of a held database = %v, want ErrLocked", err)
	}
	f, err := os.Create(filepath.Join(dir, "copy.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := Verify(f.Name()); err != nil {
		t.Errorf("Verify of a backup = %v", err)
	}
	s.Close()
	if err := s.Ping(); err == nil {
		t.Error("Ping of a closed database succeeded")
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if err := Verify(junk); err == nil {
		t.Error("Verify accepted junk")
	}
}
