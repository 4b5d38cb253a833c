package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func openTest(t testing.TB, path string) *Bolt {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "kept.db")
	}
	// A short batch delay keeps serial tests fast; fsync stays on.
	s, err := New(path, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func add(t testing.TB, s *Bolt, team, owner string, due time.Time) Promise {
	t.Helper()
	p, err := s.AddPromise("", Promise{Team: team, Text: "send the quote", Owner: owner, Creator: "U0", Due: due})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func kinds(ns []Nudge) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s:%s#%d", n.Kind, n.Team, n.PromiseID))
	}
	return out
}

func TestAddGetList(t *testing.T) {
	s := openTest(t, "")
	ny, _ := time.LoadLocation("America/New_York")
	p1 := add(t, s, "T1", "U1", t0.Add(3*time.Hour).In(ny))
	p2 := add(t, s, "T1", "U2", t0.Add(time.Hour))
	p3 := add(t, s, "T1", "U1", t0.Add(time.Hour))
	if p1.ID != 1 || p2.ID != 2 || p3.ID != 3 {
		t.Fatalf("ids = %d %d %d, want 1 2 3", p1.ID, p2.ID, p3.ID)
	}
	if _, err := s.UpdatePromise("", "T1", 2, func(p *Promise) error { p.State = Kept; return nil }); err != nil {
		t.Fatal(err)
	}

	got, err := s.Promise("T1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Due.Location() != time.UTC || !got.Due.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("Due = %v, want %v in UTC", got.Due, t0.Add(3*time.Hour))
	}
	if got.State != Open || !got.Created.Equal(t0) || got.Text != "send the quote" {
		t.Errorf("got %+v", got)
	}
	if len(got.History) != 1 || got.History[0].Kind != "created" || got.History[0].By != "U0" {
		t.Errorf("history = %+v", got.History)
	}
	if _, err := s.Promise("T1", 99); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing id: err = %v, want ErrNotFound", err)
	}
	if _, err := s.Promise("T9", 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing team: err = %v, want ErrNotFound", err)
	}

	tests := []struct {
		owner string
		state State
		want  []int64
	}{
		{"", "", []int64{2, 3, 1}}, // Due, then ID
		{"U1", "", []int64{3, 1}},
		{"", Open, []int64{3, 1}},
		{"U2", Open, nil},
		{"U2", Kept, []int64{2}},
	}
	for _, tt := range tests {
		ps, err := s.Promises("T1", tt.owner, tt.state)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("Promises(%q, %q) = %v, want %v", tt.owner, tt.state, ids, tt.want)
		}
	}
}

func TestUpdateErrorSavesNothing(t *testing.T) {
	s := openTest(t, "")
	add(t, s, "T1", "U1", t0.Add(time.Hour))
	errNo := errors.New("not yours")
	_, err := s.UpdatePromise("op1", "T1", 1, func(p *Promise) error {
		p.Text, p.Due = "changed", t0.Add(48*time.Hour)
		return errNo
	})
	if !errors.Is(err, errNo) {
		t.Fatalf("err = %v, want %v", err, errNo)
	}
	p, _ := s.Promise("T1", 1)
	if p.Text != "send the quote" || !p.Due.Equal(t0.Add(time.Hour)) {
		t.Errorf("promise changed: %+v", p)
	}
	// Nothing saved includes the op: a retry may succeed.
	if ok, _ := s.Applied("op1"); ok {
		t.Error("op1 recorded although fn failed")
	}
	// The index still points at the old Due.
	ns, _ := s.ClaimDue(t0.Add(time.Hour), Policy{}, 0)
	if len(ns) != 1 {
		t.Errorf("claimed %v, want one reminder", kinds(ns))
	}
	if _, err := s.UpdatePromise("", "T1", 7, func(*Promise) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: err = %v, want ErrNotFound", err)
	}
}

func TestClaimDueLifecycle(t *testing.T) {
	s := openTest(t, "")
	due := t0.Add(time.Hour)
	add(t, s, "T1", "U1", due)
	steps := []struct {
		now  time.Time
		want []string
	}{
		{due.Add(-time.Second), nil},
		{due, []string{"reminder:T1#1"}},
		{due, nil}, // same now twice
		{due.Add(59 * time.Minute), nil},
		{due.Add(time.Hour), []string{"overdue:T1#1"}},
		{due.Add(time.Hour), nil},
		{due.Add(1000 * time.Hour), nil},
	}
	for i, st := range steps {
		ns, err := s.ClaimDue(st.now, Policy{OverdueAfter: time.Hour}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if got := kinds(ns); !slices.Equal(got, st.want) {
			t.Errorf("step %d at %v: claimed %v, want %v", i, st.now, got, st.want)
		}
		for _, n := range ns {
			if n.To != "U1" || n.State != NudgeDue || !n.NotBefore.Equal(st.now) || n.ID == 0 {
				t.Errorf("step %d: nudge %+v", i, n)
			}
		}
	}
	p, _ := s.Promise("T1", 1)
	if !p.Reminded || !p.Overdue {
		t.Errorf("flags: reminded %v overdue %v", p.Reminded, p.Overdue)
	}
	var evs []string
	for _, e := range p.History {
		evs = append(evs, string(e.Kind))
	}
	if want := []string{"created", "reminded", "overdue"}; !slices.Equal(evs, want) {
		t.Errorf("history = %v, want %v", evs, want)
	}
	if all, _ := s.Nudges(""); len(all) != 2 {
		t.Errorf("outbox holds %d nudges, want 2", len(all))
	}
	if n := indexLen(t, s); n != 0 {
		t.Errorf("due index has %d entries after the follow-up, want 0", n)
	}
}

func indexLen(t *testing.T, s *Bolt) int {
	t.Helper()
	var n int
	s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketDue).Stats().KeyN
		return nil
	})
	return n
}

func TestClaimDueOverdueRules(t *testing.T) {
	due := t0.Add(time.Hour)
	tests := []struct {
		name  string
		after time.Duration
		steps []time.Time
		want  [][]string
	}{
		{
			name:  "disabled",
			after: 0,
			steps: []time.Time{due, due.Add(24 * time.Hour)},
			want:  [][]string{{"reminder:T1#1"}, nil},
		},
		{
			// The bot was down past the follow-up time: the reminder goes
			// out alone and the follow-up a full hour later.
			name:  "late reminder",
			after: time.Hour,
			steps: []time.Time{due.Add(3 * time.Hour), due.Add(3 * time.Hour), due.Add(4*time.Hour - time.Second), due.Add(4 * time.Hour)},
			want:  [][]string{{"reminder:T1#1"}, nil, nil, {"overdue:T1#1"}},
		},
		{
			name:  "reminder a tick late keeps Due+after",
			after: time.Hour,
			steps: []time.Time{due.Add(time.Minute), due.Add(time.Hour)},
			want:  [][]string{{"reminder:T1#1"}, {"overdue:T1#1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t, "")
			add(t, s, "T1", "U1", due)
			for i, now := range tt.steps {
				ns, err := s.ClaimDue(now, Policy{OverdueAfter: tt.after}, 0)
				if err != nil {
					t.Fatal(err)
				}
				if got := kinds(ns); !slices.Equal(got, tt.want[i]) {
					t.Errorf("step %d: claimed %v, want %v", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestSnoozeResetsReminded(t *testing.T) {
	s := openTest(t, "")
	due := t0.Add(time.Hour)
	add(t, s, "T1", "U1", due)
	if ns, _ := s.ClaimDue(due, Policy{OverdueAfter: time.Hour}, 0); len(ns) != 1 {
		t.Fatalf("claimed %v, want a reminder", kinds(ns))
	}
	later := due.Add(24 * time.Hour)
	p, err := s.UpdatePromise("", "T1", 1, func(p *Promise) error {
		p.Due = later
		p.History = append(p.History, Event{At: due, Kind: "snoozed", By: "U1"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Reminded || p.Overdue {
		t.Errorf("after snooze: reminded %v overdue %v, want both false", p.Reminded, p.Overdue)
	}
	// The old follow-up time passes quietly; the new Due reminds again.
	for _, now := range []time.Time{due.Add(time.Hour), later.Add(-time.Second)} {
		if ns, _ := s.ClaimDue(now, Policy{OverdueAfter: time.Hour}, 0); len(ns) != 0 {
			t.Errorf("at %v claimed %v, want nothing", now, kinds(ns))
		}
	}
	if ns, _ := s.ClaimDue(later, Policy{OverdueAfter: time.Hour}, 0); !slices.Equal(kinds(ns), []string{"reminder:T1#1"}) {
		t.Errorf("at new Due claimed %v, want a reminder", kinds(ns))
	}
	// An edit that keeps Due keeps the flags and the follow-up.
	p, _ = s.UpdatePromise("", "T1", 1, func(p *Promise) error { p.Text = "send the signed quote"; return nil })
	if !p.Reminded {
		t.Error("text edit reset Reminded")
	}
	if ns, _ := s.ClaimDue(later.Add(time.Hour), Policy{OverdueAfter: time.Hour}, 0); !slices.Equal(kinds(ns), []string{"overdue:T1#1"}) {
		t.Errorf("claimed %v, want the follow-up", kinds(ns))
	}
}

func TestClaimDueSkipsClosed(t *testing.T) {
	s := openTest(t, "")
	due := t0.Add(time.Hour)
	for i := 0; i < 3; i++ {
		add(t, s, "T1", "U1", due)
	}
	s.UpdatePromise("", "T1", 1, func(p *Promise) error { p.State, p.KeptAt, p.OnTime = Kept, t0, true; return nil })
	s.UpdatePromise("", "T1", 2, func(p *Promise) error { p.State = Cancelled; return nil })
	ns, err := s.ClaimDue(due.Add(10*time.Hour), Policy{OverdueAfter: time.Hour}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(ns); !slices.Equal(got, []string{"reminder:T1#3"}) {
		t.Errorf("claimed %v, want only #3", got)
	}
	// Kept after the reminder: no follow-up, and the entry is gone.
	s.UpdatePromise("", "T1", 3, func(p *Promise) error { p.State = Kept; return nil })
	if ns, _ := s.ClaimDue(due.Add(100*time.Hour), Policy{OverdueAfter: time.Hour}, 0); len(ns) != 0 {
		t.Errorf("claimed %v after keeping, want nothing", kinds(ns))
	}
	if n := indexLen(t, s); n != 0 {
		t.Errorf("due index has %d entries, want 0", n)
	}
}

// bulkAdd inserts n promises in one transaction, as AddPromise would, so
// that large fixtures do not pay one fsync each.
func bulkAdd(t testing.TB, s *Bolt, team string, n int, due func(i int) time.Time) {
	t.Helper()
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := promiseBucket(tx, team, true)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			seq, _ := b.NextSequence()
			r := record{Promise: Promise{Team: team, ID: int64(seq), Owner: "U1", Text: "x", Due: due(i), State: Open, Created: t0}}
			if err := save(tx, b, &r, 0); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClaimDueReadsOnlyDue(t *testing.T) {
	s := openTest(t, "")
	bulkAdd(t, s, "T1", 10000, func(i int) time.Time { return t0.Add(time.Hour + time.Duration(i)*time.Second) })
	for i := 0; i < 3; i++ {
		add(t, s, "T2", "U1", t0.Add(-time.Duration(i)*time.Minute))
	}
	before := s.dueVisits.Load()
	ns, err := s.ClaimDue(t0, Policy{OverdueAfter: time.Hour}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 3 {
		t.Errorf("claimed %d, want 3", len(ns))
	}
	if v := s.dueVisits.Load() - before; v != 3 {
		t.Errorf("ClaimDue read %d index entries, want 3", v)
	}
	before = s.dueVisits.Load()
	s.ClaimDue(t0, Policy{OverdueAfter: time.Hour}, 0)
	if v := s.dueVisits.Load() - before; v != 0 {
		t.Errorf("idle ClaimDue read %d index entries, want 0", v)
	}
}

func TestClaimDueLimit(t *testing.T) {
	s := openTest(t, "")
	bulkAdd(t, s, "T1", 5, func(i int) time.Time { return t0 })
	var got int
	for i := 0; i < 3; i++ {
		ns, err := s.ClaimDue(t0, Policy{}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(ns) > 2 {
			t.Fatalf("claimed %d with limit 2", len(ns))
		}
		got += len(ns)
	}
	if got != 5 {
		t.Errorf("claimed %d over three calls, want 5", got)
	}
}

func TestTeamIsolation(t *testing.T) {
	s := openTest(t, "")
	a := add(t, s, "T1", "U1", t0)
	b := add(t, s, "T2", "U9", t0.Add(time.Minute))
	if a.ID != 1 || b.ID != 1 {
		t.Fatalf("ids %d %d, want 1 in each team", a.ID, b.ID)
	}
	s.UpdatePromise("", "T2", 1, func(p *Promise) error { p.Text = "T2's"; return nil })
	if p, _ := s.Promise("T1", 1); p.Text != "send the quote" || p.Owner != "U1" {
		t.Errorf("T1 #1 = %+v", p)
	}
	if ps, _ := s.Promises("T2", "", ""); len(ps) != 1 || ps[0].Text != "T2's" {
		t.Errorf("T2 promises = %+v", ps)
	}
	ns, _ := s.ClaimDue(t0.Add(time.Minute), Policy{}, 0)
	if got := kinds(ns); !slices.Equal(got, []string{"reminder:T1#1", "reminder:T2#1"}) {
		t.Errorf("claimed %v", got)
	}
	if ns[1].To != "U9" {
		t.Errorf("T2 reminder to %q, want U9", ns[1].To)
	}
}

func TestOpDedup(t *testing.T) {
	s := openTest(t, "")
	in := Promise{Team: "T1", Text: "call back", Owner: "U1", Due: t0}
	p1, err := s.AddPromise("env-1", in)
	if err != nil {
		t.Fatal(err)
	}
	add(t, s, "T1", "U1", t0) // #2, so a wrong replay would show
	p2, err := s.AddPromise("env-1", in)
	if !errors.Is(err, ErrDuplicate) {
		t.Fatalf("replay: err = %v, want ErrDuplicate", err)
	}
	if p2.ID != p1.ID || p2.Text != p1.Text {
		t.Errorf("replay returned #%d %q, want #%d", p2.ID, p2.Text, p1.ID)
	}
	if ps, _ := s.Promises("T1", "", ""); len(ps) != 2 {
		t.Errorf("%d promises, want 2", len(ps))
	}

	var calls int
	bump := func(p *Promise) error { calls++; p.Text += "!"; return nil }
	if _, err := s.UpdatePromise("env-2", "T1", 1, bump); err != nil {
		t.Fatal(err)
	}
	p, err := s.UpdatePromise("env-2", "T1", 1, bump)
	if !errors.Is(err, ErrDuplicate) || p.Text != "call back!" || calls != 1 {
		t.Errorf("replayed update: err %v, text %q, fn calls %d", err, p.Text, calls)
	}

	if ok, _ := s.Applied("env-3"); ok {
		t.Error("env-3 applied before MarkApplied")
	}
	if err := s.MarkApplied("env-3"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkApplied("env-3"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("second MarkApplied: %v, want ErrDuplicate", err)
	}
	if ok, _ := s.Applied("env-3"); !ok {
		t.Error("env-3 not applied after MarkApplied")
	}
	if err := s.MarkApplied("env-1"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("MarkApplied of a command's op: %v, want ErrDuplicate", err)
	}

	// A week on, ClaimDue forgets them.
	s.ClaimDue(t0.Add(opsTTL+time.Second), Policy{}, 0)
	for _, op := range []string{"env-1", "env-2", "env-3"} {
		if ok, _ := s.Applied(op); ok {
			t.Errorf("%s still remembered after %v", op, opsTTL)
		}
	}
}

func TestConcurrentAdds(t *testing.T) {
	s := openTest(t, "")
	const n = 50
	var wg sync.WaitGroup
	ids := make([]int64, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Half replay the op of another: exactly 25 promises result.
			p, err := s.AddPromise(fmt.Sprint("env-", i/2), Promise{Team: "T1", Text: "call", Owner: "U1", Due: t0})
			if err != nil && !errors.Is(err, ErrDuplicate) {
				t.Error(err)
			}
			ids[i] = p.ID
		}()
	}
	wg.Wait()
	for i := 0; i < n; i += 2 {
		if ids[i] == 0 || ids[i] != ids[i+1] {
			t.Errorf("env-%d got ids %d and %d", i/2, ids[i], ids[i+1])
		}
	}
	ps, _ := s.Promises("T1", "", "")
	if len(ps) != n/2 || ps[len(ps)-1].ID != n/2 {
		t.Errorf("%d promises, want %d numbered 1..%d", len(ps), n/2, n/2)
	}
}

func TestOutbox(t *testing.T) {
	s := openTest(t, "")
	a, err := s.AddNudge(Nudge{Kind: "digest", Team: "T1", To: "C1", NotBefore: t0.Add(2 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.AddNudge(Nudge{Kind: Reminder, Team: "T1", PromiseID: 1, To: "U1"}) // NotBefore = now = t0
	c, _ := s.AddNudge(Nudge{Kind: Reminder, Team: "T1", PromiseID: 2, To: "U2", NotBefore: t0.Add(time.Hour)})
	if a.ID != 1 || b.ID != 2 || a.State != NudgeDue || !b.NotBefore.Equal(t0) || !a.Created.Equal(t0) {
		t.Fatalf("added %+v, %+v", a, b)
	}

	pending := func(now time.Time, limit int) []int64 {
		t.Helper()
		ns, err := s.PendingNudges(now, limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, n := range ns {
			ids = append(ids, n.ID)
		}
		return ids
	}
	tests := []struct {
		now   time.Time
		limit int
		want  []int64
	}{
		{t0.Add(-time.Second), 0, nil},
		{t0, 0, []int64{b.ID}},
		{t0.Add(2 * time.Minute), 0, []int64{b.ID, a.ID}},
		{t0.Add(2 * time.Minute), 1, []int64{b.ID}},
		{t0.Add(time.Hour), 10, []int64{b.ID, a.ID, c.ID}},
	}
	for _, tt := range tests {
		if got := pending(tt.now, tt.limit); !slices.Equal(got, tt.want) {
			t.Errorf("PendingNudges(%v, %d) = %v, want %v", tt.now.Sub(t0), tt.limit, got, tt.want)
		}
	}

	// b: due → sending (still pending, so a crash retries it) → sent.
	n, err := s.MarkSending(b.ID)
	if err != nil || n.State != NudgeSending || n.Attempts != 1 {
		t.Fatalf("MarkSending = %+v, %v", n, err)
	}
	if got := pending(t0, 0); !slices.Equal(got, []int64{b.ID}) {
		t.Errorf("sending nudge not pending: %v", got)
	}
	if err := s.MarkSent(b.ID, "D1", "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Nudge(b.ID); n.State != NudgeSent || n.Channel != "D1" || n.TS != "1700000000.000100" {
		t.Errorf("sent nudge = %+v", n)
	}
	if _, err := s.MarkSending(b.ID); !errors.Is(err, ErrNotPending) {
		t.Errorf("MarkSending a sent nudge: %v, want ErrNotPending", err)
	}

	// a: sending → retry later → fail.
	s.MarkSending(a.ID)
	if err := s.RetryNudge(a.ID, t0.Add(3*time.Hour), "ratelimited"); err != nil {
		t.Fatal(err)
	}
	if got := pending(t0.Add(time.Hour), 0); !slices.Equal(got, []int64{c.ID}) {
		t.Errorf("after retry, pending = %v, want only %d", got, c.ID)
	}
	if got := pending(t0.Add(3*time.Hour), 0); !slices.Equal(got, []int64{c.ID, a.ID}) {
		t.Errorf("at retry time, pending = %v", got)
	}
	n, _ = s.MarkSending(a.ID)
	if n.Attempts != 2 || n.Error != "ratelimited" {
		t.Errorf("second attempt = %+v", n)
	}
	if err := s.FailNudge(a.ID, "user_not_found"); err != nil {
		t.Fatal(err)
	}
	if got := pending(t0.Add(100*time.Hour), 0); !slices.Equal(got, []int64{c.ID}) {
		t.Errorf("after fail, pending = %v", got)
	}
	if err := s.RetryNudge(a.ID, t0, "again"); !errors.Is(err, ErrNotPending) {
		t.Errorf("retrying a failed nudge: %v, want ErrNotPending", err)
	}
	if _, err := s.Nudge(99); !errors.Is(err, ErrNotFound) {
		t.Errorf("Nudge(99): %v, want ErrNotFound", err)
	}
	if err := s.MarkSent(99, "", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkSent(99): %v, want ErrNotFound", err)
	}
	all, _ := s.Nudges(Reminder)
	if len(all) != 2 {
		t.Errorf("Nudges(reminder) = %d, want 2", len(all))
	}
	var outbox int
	s.db.View(func(tx *bolt.Tx) error { outbox = tx.Bucket(bucketOutbox).Stats().KeyN; return nil })
	if outbox != 1 {
		t.Errorf("outbox index has %d keys, want 1", outbox)
	}
}

func TestBackupAndCheck(t *testing.T) {
	s := openTest(t, "")
	add(t, s, "T1", "U1", t0)
	s.ClaimDue(t0, Policy{OverdueAfter: time.Hour}, 0)
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := s.Backup(&buf)
	if err != nil || n != int64(buf.Len()) || n == 0 {
		t.Fatalf("Backup = %d, %v (buffer %d)", n, err, buf.Len())
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c := openTest(t, path)
	if err := c.Check(); err != nil {
		t.Error(err)
	}
	if p, err := c.Promise("T1", 1); err != nil || !p.Reminded {
		t.Errorf("backup promise = %+v, %v", p, err)
	}
	if ns, _ := c.Nudges(""); len(ns) != 1 {
		t.Errorf("backup has %d nudges, want 1", len(ns))
	}
}

func TestLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kept.db")
	openTest(t, path)
	_, err := New(path, Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "another kept is running") {
		t.Errorf("message %q should name the path and the other kept", msg)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kept.db")
	s, err := New(path, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	add(t, s, "T1", "U1", t0)
	add(t, s, "T1", "U1", t0.Add(time.Hour))
	s.AddPromise("env-1", Promise{Team: "T1", Text: "call", Owner: "U1", Due: t0.Add(2 * time.Hour)})
	s.ClaimDue(t0, Policy{OverdueAfter: 30 * time.Minute}, 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openTest(t, path)
	if ps, _ := s.Promises("T1", "", ""); len(ps) != 3 {
		t.Errorf("%d promises after reopen, want 3", len(ps))
	}
	if _, err := s.AddPromise("env-1", Promise{Team: "T1"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("op forgotten across reopen: %v", err)
	}
	if p := add(t, s, "T1", "U1", t0); p.ID != 4 {
		t.Errorf("next id %d, want 4", p.ID)
	}
	// overdueAfter survives too: an edit before the scheduler's first tick
	// keeps the reminded promise's follow-up indexed.
	s.UpdatePromise("", "T1", 1, func(p *Promise) error { p.Text = "edited"; return nil })
	if ns, _ := s.ClaimDue(t0.Add(30*time.Minute), Policy{OverdueAfter: 30 * time.Minute}, 0); !slices.Contains(kinds(ns), "overdue:T1#1") {
		t.Errorf("claimed %v, want the follow-up of #1", kinds(ns))
	}
}
