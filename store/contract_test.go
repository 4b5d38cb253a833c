package store_test

import (
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/storetest"
)

func boltHarness() storetest.Harness {
	return storetest.Harness{
		New: func(t storetest.T, now func() time.Time) storetest.Backend {
			s, err := store.New(filepath.Join(t.TempDir(), "kept.db"), store.Options{Now: now, Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			return s
		},
		Corrupt: func(t storetest.T, b storetest.Backend, team string, id int64) {
			if err := b.(*store.Bolt).CorruptPromise(team, id); err != nil {
				t.Fatalf("corrupt: %v", err)
			}
		},
	}
}

func TestBoltConforms(t *testing.T) {
	storetest.Run(t, boltHarness())
}

// staleless forgets to recheck: it delivers whatever it claimed.
type staleless struct{ storetest.Backend }

func (s staleless) Recheck(id int64, now time.Time) (model.Nudge, error) { return s.Nudge(id) }

// doubleClaim claims without remembering that it did.
type doubleClaim struct{ storetest.Backend }

func (d doubleClaim) ClaimDue(now time.Time, pol store.Policy, limit int) ([]model.Nudge, error) {
	ns, err := d.Backend.ClaimDue(now, pol, limit)
	if err != nil || len(ns) > 0 {
		return ns, err
	}
	return d.Backend.Nudges(model.NudgeReminder)
}

// lastPauseWins keeps the latest Retry-After, not the longest: a short
// one would cut a long pause short.
type lastPauseWins struct {
	storetest.Backend
	until *time.Time
}

func (l lastPauseWins) SharePause(until time.Time) error { *l.until = until; return nil }

func (l lastPauseWins) SharedPause() (time.Time, error) { return *l.until, nil }

// waitsStack opens a second wait where one is open.
type waitsStack struct{ storetest.Backend }

func (w waitsStack) OpenWait(wait store.Wait, n model.Nudge) (store.Wait, error) {
	got, err := w.Backend.OpenWait(wait, n)
	if errors.Is(err, store.ErrWaiting) {
		if _, err := w.Backend.CloseWait(wait.Team, wait.Channel, wait.Thread, ""); err != nil {
			return got, err
		}
		return w.Backend.OpenWait(wait, n)
	}
	return got, err
}

// anyWait closes whichever wait is open, whatever message was named.
type anyWait struct{ storetest.Backend }

func (w anyWait) CloseWait(team, channel, thread, _ string) (store.Wait, error) {
	return w.Backend.CloseWait(team, channel, thread, "")
}

// TestSuiteCatchesBrokenStores proves the suite can fail: each wrapper
// breaks one promise of the contract and the suite names the case.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	h := boltHarness()
	tests := []struct {
		name string
		wrap func(storetest.Backend) storetest.Backend
		want string
	}{
		{"no recheck", func(b storetest.Backend) storetest.Backend { return staleless{b} }, "StaleNudges"},
		{"claims twice", func(b storetest.Backend) storetest.Backend { return doubleClaim{b} }, "PromisesAndDueIndex"},
		{"shortens a pause", func(b storetest.Backend) storetest.Backend { return lastPauseWins{b, new(time.Time)} }, "SharedPause"},
		{"stacks waits", func(b storetest.Backend) storetest.Backend { return waitsStack{b} }, "HeardAndWaits"},
		{"closes any wait", func(b storetest.Backend) storetest.Backend { return anyWait{b} }, "HeardAndWaits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			broken := h
			broken.Corrupt = nil // it needs the real store
			broken.New = func(t storetest.T, now func() time.Time) storetest.Backend { return tt.wrap(h.New(t, now)) }
			err := storetest.Check(broken)
			if err == nil {
				t.Fatalf("the suite passed a store that %s", tt.name)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("the suite failed, but not in %s: %v", tt.want, err)
			}
		})
	}
	if err := storetest.Check(h); err != nil {
		t.Errorf("Check fails the real store: %v", err)
	}
}
