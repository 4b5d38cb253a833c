package store

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestLastRun(t *testing.T) {
	path := t.TempDir() + "/kept.db"
	s := openTest(t, path)
	if got, err := s.LastRun("digest"); err != nil || !got.IsZero() {
		t.Fatalf("LastRun on a new store = %v, %v; want zero", got, err)
	}
	at := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	if err := s.SetLastRun("digest", at); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTest(t, path)
	if got, err := s.LastRun("digest"); err != nil || !got.Equal(at) {
		t.Fatalf("LastRun after reopen = %v, %v; want %v", got, err, at)
	}
	if got, _ := s.LastRun("other"); !got.IsZero() {
		t.Errorf("LastRun(other) = %v, want zero: jobs are separate", got)
	}
}

func TestQueueRun(t *testing.T) {
	s := openTest(t, "")
	prev := time.Date(2026, 11, 16, 14, 0, 0, 0, time.UTC)
	at := prev.Add(7 * 24 * time.Hour)
	if err := s.SetLastRun("digest", prev); err != nil {
		t.Fatal(err)
	}
	nudges := []Nudge{
		{Kind: "digest", Team: "T1", To: "C1", Subject: string(ScopeAll)},
		{Kind: "digest", Team: "T1", To: "C2", Subject: string(ScopeMembers)},
		{Kind: "digest", Team: "T1", To: "C1", Subject: string(ScopeAll)}, // twice in one run
	}
	got, err := s.QueueRun("digest", prev, at, nudges)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].To != "C1" || got[1].To != "C2" || got[0].State != NudgeDue || got[0].ID == 0 {
		t.Fatalf("queued %+v, want C1 and C2 once each", got)
	}
	if last, _ := s.LastRun("digest"); !last.Equal(at) {
		t.Errorf("last run = %v, want %v", last, at)
	}

	// A second tick that read the old last run changes nothing.
	if _, err := s.QueueRun("digest", prev, at, nudges); !errors.Is(err, ErrRunMoved) {
		t.Errorf("second QueueRun from the same prev: err = %v, want ErrRunMoved", err)
	}
	// The next run while C1's digest is still undelivered queues C2 only
	// after C2's went out.
	if err := s.MarkSent(got[1].ID, "C2", "1.0"); err != nil {
		t.Fatal(err)
	}
	next := at.Add(7 * 24 * time.Hour)
	got, err = s.QueueRun("digest", at, next, nudges[:2])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].To != "C2" {
		t.Errorf("queued %+v while C1 is pending, want only C2", got)
	}
	all, _ := s.Nudges("digest")
	if len(all) != 3 {
		t.Errorf("%d digest nudges in all, want 3", len(all))
	}
}

func TestSubscriptions(t *testing.T) {
	s := openTest(t, "")
	steps := []struct {
		do   func() error
		want []string // team/channel/scope for every team
	}{
		{func() error { return s.Subscribe("T1", "C1", ScopeMembers) }, []string{"T1/C1/members"}},
		{func() error { return s.Subscribe("T1", "C2", ScopeAll) }, []string{"T1/C1/members", "T1/C2/all"}},
		{func() error { return s.Subscribe("T2", "C1", ScopeAll) }, []string{"T1/C1/members", "T1/C2/all", "T2/C1/all"}},
		{func() error { return s.Subscribe("T1", "C1", ScopeAll) }, []string{"T1/C1/all", "T1/C2/all", "T2/C1/all"}},
		{func() error { return s.Unsubscribe("T1", "C2") }, []string{"T1/C1/all", "T2/C1/all"}},
	}
	for i, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		subs, err := s.Subscriptions("")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sub := range subs {
			got = append(got, sub.Team+"/"+sub.Channel+"/"+string(sub.Scope))
		}
		if !slices.Equal(got, st.want) {
			t.Errorf("step %d: subscriptions = %v, want %v", i, got, st.want)
		}
	}
	if subs, _ := s.Subscriptions("T2"); len(subs) != 1 || subs[0].Channel != "C1" {
		t.Errorf("Subscriptions(T2) = %+v", subs)
	}
	bad := []struct {
		name string
		err  error
	}{
		{"unknown scope", s.Subscribe("T1", "C3", "everyone")},
		{"empty channel", s.Subscribe("T1", "", ScopeAll)},
		{"not subscribed", s.Unsubscribe("T1", "C9")},
	}
	for _, b := range bad {
		if b.err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
	if err := s.Unsubscribe("T1", "C9"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Unsubscribe of a channel never subscribed: %v, want ErrNotFound", err)
	}
	if subs, _ := s.Subscriptions(""); len(subs) != 2 {
		t.Errorf("bad input changed the subscriptions: %+v", subs)
	}
}

func TestDuePromises(t *testing.T) {
	s := openTest(t, "")
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	type seed struct {
		due   time.Time
		state State
	}
	seeds := []seed{
		{now.Add(-30 * day), Open},     // 1 late, long before the window
		{now.Add(-30 * day), Kept},     // 2 kept long ago: not reported
		{now.Add(-10 * day), Kept},     // 3 in the week before
		{now.Add(-3 * day), Kept},      // 4 this week
		{now.Add(-3 * day), Cancelled}, // 5 cancelled: never reported
		{now.Add(-time.Hour), Open},    // 6 late and this week
		{now.Add(time.Hour), Open},     // 7 not due yet
	}
	for _, sd := range seeds {
		p := add(t, s, "T1", "U1", sd.due)
		if sd.state != Open {
			if _, err := s.UpdatePromise("", "T1", p.ID, func(p *Promise) error { p.State = sd.state; return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
	add(t, s, "T2", "U1", now.Add(-time.Hour)) // another team's

	got, err := s.DuePromises("T1", now.Add(-14*day), now, now)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.ID)
		if p.History != nil || p.Team != "T1" || p.Text == "" {
			t.Errorf("promise %+v: want its fields without history", p)
		}
	}
	if want := []int64{1, 3, 4, 6}; !slices.Equal(ids, want) {
		t.Errorf("DuePromises = %v, want %v", ids, want)
	}
	if got, err := s.DuePromises("T9", now.Add(-14*day), now, now); err != nil || len(got) != 0 {
		t.Errorf("unknown team: %v, %v", got, err)
	}
}

// BenchmarkDuePromises scans 50,000 promises, a few hundred of which the
// digest reports.
func BenchmarkDuePromises(b *testing.B) {
	s := openTest(b, "")
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	seedBig(b, s, "T1", 50000, now)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ps, err := s.DuePromises("T1", now.Add(-14*24*time.Hour), now, now)
		if err != nil || len(ps) == 0 {
			b.Fatal(len(ps), err)
		}
	}
}

// seedBig writes n promises with realistic fields and history, spread over
// a year around now, one in fifty still open and late.
func seedBig(b testing.TB, s *Bolt, team string, n int, now time.Time) {
	b.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		bk, err := promiseBucket(tx, team, true)
		if err != nil {
			return err
		}
		for i := range n {
			seq, _ := bk.NextSequence()
			due := now.Add(time.Duration(i%365-300) * 24 * time.Hour).Add(time.Duration(i%24) * time.Hour)
			p := Promise{
				Team: team, ID: int64(seq), Text: fmt.Sprintf("send the renewal quote and the revised SOW, version %d", i),
				Customer: fmt.Sprintf("Customer %d", i%5000), Owner: fmt.Sprintf("U%04d", i%40), Creator: "U0001",
				Channel: "C0SALES", Permalink: "https://kept.slack.com/archives/C0SALES/p1700000000000100",
				Due: due, Zone: "Europe/Paris", Created: due.Add(-72 * time.Hour), State: Kept, KeptAt: due.Add(-time.Hour), OnTime: true,
				History: []Event{{At: due.Add(-72 * time.Hour), Kind: "created", By: "U0001"}, {At: due, Kind: "reminded"}, {At: due.Add(-time.Hour), Kind: "kept", By: "U0001"}},
			}
			if i%50 == 0 {
				p.State, p.KeptAt, p.OnTime = Open, time.Time{}, false
			}
			r := record{Promise: p}
			if err := save(tx, bk, &r, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// TestDuePromisesReadsEntriesWithoutValues: a state index entry written
// before entries carried the digest's fields (by the third migration) is
// read from its record, with the same fields.
func TestDuePromisesReadsEntriesWithoutValues(t *testing.T) {
	s := openTest(t, "")
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC)
	p, err := s.AddPromise("", Promise{Team: "T1", Text: "send the quote", Customer: "Acme", Owner: "U1", Creator: "U2", Due: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.DuePromises("T1", now.Add(-24*time.Hour), now, now)
	if err != nil || len(before) != 1 {
		t.Fatalf("DuePromises = %v, %v", before, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		ix := tx.Bucket(bucketTeams).Bucket([]byte("T1")).Bucket(bucketByState)
		return ix.Put(stateDuePrefix(Open, p.Due, p.ID), nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	after, err := s.DuePromises("T1", now.Add(-24*time.Hour), now, now)
	if err != nil || len(after) != 1 || !reflect.DeepEqual(after, before) {
		t.Errorf("from the record: %+v (%v), from the index: %+v", after, err, before)
	}
	if after[0].Text != "send the quote" || after[0].Customer != "Acme" || after[0].Creator != "" {
		t.Errorf("DuePromises = %+v, want the digest's fields and no others", after[0])
	}
}
