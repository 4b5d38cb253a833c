package pg_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
)

// replicas opens n stores on one database, as n kept processes would.
func replicas(t *testing.T, n int, now func() time.Time) []*pg.Store {
	t.Helper()
	first, url := openPG(t, now)
	out := []*pg.Store{first}
	for range n - 1 {
		s, err := pg.Open(context.Background(), url, pg.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// Slack may deliver one envelope to two connections, held by two
// replicas: the op is applied once, and both answer with the same promise.
// All the envelopes arrive at once, so each replica writes them in groups
// (groupcommit), and a statement that loses the race to another replica
// fails inside a group: that call is run alone, the rest are sent again.
func TestEnvelopeAppliedOnceAcrossReplicas(t *testing.T) {
	rs := replicas(t, 4, time.Now)
	due := time.Now().Add(time.Hour)
	const n = 20
	got := make([][]store.Promise, n)
	errs := make([][]error, n)
	var wg sync.WaitGroup
	for i := range n {
		got[i], errs[i] = make([]store.Promise, len(rs)), make([]error, len(rs))
		op := fmt.Sprintf("env-%d", i)
		for j, r := range rs {
			wg.Go(func() {
				got[i][j], errs[i][j] = r.AddPromise(op, store.Promise{Team: "T1", Owner: "U1", Creator: "U1", Text: "call " + op, Due: due})
			})
		}
	}
	wg.Wait()
	for i := range n {
		op := fmt.Sprintf("env-%d", i)
		fresh := 0
		for j := range rs {
			switch {
			case errs[i][j] == nil:
				fresh++
			case !errors.Is(errs[i][j], store.ErrDuplicate):
				t.Fatalf("%s on replica %d: %v", op, j, errs[i][j])
			}
			if got[i][j].ID != got[i][0].ID || got[i][j].Text != "call "+op {
				t.Fatalf("%s: replica %d answered #%d %q, replica 0 #%d", op, j, got[i][j].ID, got[i][j].Text, got[i][0].ID)
			}
		}
		if fresh != 1 {
			t.Fatalf("%s applied %d times, want once", op, fresh)
		}
	}
	ps, err := rs[0].Promises("T1", "", "")
	if err != nil || len(ps) != 20 {
		t.Fatalf("%d promises stored (%v), want 20", len(ps), err)
	}
}

// Ticks racing on several replicas claim every due promise once, and
// two workers racing on one nudge send it once.
func TestClaimOnceAcrossReplicas(t *testing.T) {
	rs := replicas(t, 3, time.Now)
	now := time.Now()
	for i := range 200 {
		if _, err := rs[i%3].AddPromise("", store.Promise{Team: fmt.Sprintf("T%d", i%4), Owner: "U1", Creator: "U1", Text: "x", Due: now.Add(-time.Duration(i) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for _, r := range rs {
		wg.Go(func() {
			for range 10 {
				ns, err := r.ClaimDue(now, store.Policy{}, 17)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, n := range ns {
					seen[fmt.Sprintf("%s/%d", n.Team, n.PromiseID)]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 200 {
		t.Fatalf("%d promises claimed, want 200", len(seen))
	}
	for k, n := range seen {
		if n != 1 {
			t.Fatalf("%s claimed %d times", k, n)
		}
	}
	pending, err := rs[0].PendingNudges(now, 0)
	if err != nil || len(pending) != 200 {
		t.Fatalf("%d pending (%v), want 200", len(pending), err)
	}
	for _, n := range pending[:20] {
		if _, err := rs[0].MarkSending(n.ID); err != nil {
			t.Fatal(err)
		}
		if err := rs[0].MarkSent(n.ID, "D1", "1"); err != nil {
			t.Fatal(err)
		}
	}
	// A sent nudge is never handed out, nor sent, again by any replica.
	for _, n := range pending[:20] {
		for _, r := range rs {
			if _, err := r.MarkSending(n.ID); !errors.Is(err, store.ErrNotPending) {
				t.Fatalf("MarkSending a sent nudge: %v, want ErrNotPending", err)
			}
		}
	}
	if left, _ := rs[1].PendingNudges(now, 0); len(left) != 180 {
		t.Fatalf("%d left in the outbox, want 180", len(left))
	}
}

// Replicas starting together migrate once; a database newer than this
// kept is refused with a message saying so.
func TestMigrateConcurrentlyAndRefuseNewer(t *testing.T) {
	_, url := openPG(t, time.Now)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			s, err := pg.Open(context.Background(), url, pg.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	s, err := pg.Open(context.Background(), url, pg.Options{})
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Check(context.Background())
	if err != nil || info.Version != pg.SchemaVersion {
		t.Fatalf("check: %+v, %v", info, err)
	}
	if err := s.Exec(context.Background(), `UPDATE schema_version SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := pg.Open(context.Background(), url, pg.Options{}); err == nil {
		t.Fatal("opened a database of a newer schema")
	}
}

// A nudge another replica started sending is not handed out again until
// that attempt has surely ended (SendGrace): a takeover mid-send must not
// post a second copy while the first is still on its way to Slack.
func TestSendingNudgeWaitsOutTheGrace(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 27, 9, 0, 0, 0, time.UTC)}
	s, _ := openPG(t, clk.now)
	n, err := s.AddNudge(store.Nudge{Kind: store.Reminder, Team: "T1", To: "U1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkSending(n.ID); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		after time.Duration
		want  int
	}{{0, 0}, {pg.SendGrace - time.Second, 0}, {pg.SendGrace, 1}} {
		got, err := s.PendingNudges(clk.now().Add(tt.after), 0)
		if err != nil || len(got) != tt.want {
			t.Errorf("%s after MarkSending: %d pending (%v), want %d", tt.after, len(got), err, tt.want)
		}
	}
	// A due one is handed out at once, as before.
	if err := s.DeferNudge(n.ID, clk.now(), "429"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PendingNudges(clk.now(), 0); len(got) != 1 {
		t.Errorf("%d pending after a defer, want 1", len(got))
	}
}

// Replicas adding new promises for several teams at once, each writer
// walking the teams in its own order, all succeed.
func TestAddsAcrossReplicasManyTeams(t *testing.T) {
	rs := replicas(t, 3, time.Now)
	due := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	for w := range 24 {
		r := rs[w%len(rs)]
		wg.Go(func() {
			for i := range 40 {
				team := fmt.Sprintf("T%d", (w*7+i*(w%5+1))%6)
				if _, err := r.AddPromise("", store.Promise{Team: team, Owner: "U1", Creator: "U1", Text: "call back", Due: due}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for k := range 6 {
		ps, err := rs[0].Promises(fmt.Sprintf("T%d", k), "", "")
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range ps {
			if p.ID != int64(i+1) {
				t.Fatalf("T%d: promise %d is #%d: the numbers skip", k, i, p.ID)
			}
		}
		total += len(ps)
	}
	if total != 24*40 {
		t.Errorf("%d promises stored, want %d", total, 24*40)
	}
}
