package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

func promise(team, owner string, due time.Time) model.Promise {
	return model.Promise{Team: team, Text: "send the quote", Owner: owner, Creator: "U0", Due: due}
}

func add(t T, b Backend, p model.Promise) model.Promise {
	t.Helper()
	return r(b.AddPromise("", p)).must(t)
}

func change(t T, b Backend, team string, id int64, fn func(*model.Promise) error) model.Promise {
	t.Helper()
	return r(b.UpdatePromise("", team, id, fn)).must(t)
}

func refs(ns []model.Nudge) map[string]model.Nudge {
	out := map[string]model.Nudge{}
	for _, n := range ns {
		out[fmt.Sprintf("%s:%s#%d", n.Kind, n.Team, n.PromiseID)] = n
	}
	return out
}

func wantClaims(t T, got []model.Nudge, want ...string) {
	t.Helper()
	m := refs(got)
	if len(got) != len(want) || len(m) != len(got) {
		t.Errorf("claimed %v, want %v", keys(m), want)
		return
	}
	for _, w := range want {
		if _, ok := m[w]; !ok {
			t.Errorf("claimed %v, want %v", keys(m), want)
			return
		}
	}
}

func keys(m map[string]model.Nudge) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

const day = 24 * time.Hour

func testPromisesAndDueIndex(t T, h Harness) {
	b, _ := open(t, h)
	p1 := add(t, b, promise("T1", "U1", t0.Add(time.Hour)))
	p2 := add(t, b, promise("T1", "U2", t0.Add(30*time.Minute)))
	p3 := add(t, b, promise("T2", "U1", t0.Add(time.Hour)))
	if p1.ID != 1 || p2.ID != 2 || p3.ID != 1 {
		t.Fatalf("ids %d %d %d, want 1 2 1 (a sequence per team)", p1.ID, p2.ID, p3.ID)
	}
	if p1.State != model.PromiseOpen || !p1.Created.Equal(t0) || len(p1.History) != 1 || p1.History[0].Kind != model.EventCreated {
		t.Errorf("added promise %+v: want open, created at t0, one created event", p1)
	}
	got := r(b.Promise("T1", 1)).must(t)
	if !got.Due.Equal(p1.Due) || got.Due.Location() != time.UTC || got.Text != p1.Text {
		t.Errorf("Promise(T1, 1) = %+v, want %+v with Due in UTC", got, p1)
	}
	for _, ref := range []struct {
		team string
		id   int64
	}{{"T1", 9}, {"T9", 1}} {
		if _, err := b.Promise(ref.team, ref.id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Promise(%s, %d): err %v, want ErrNotFound", ref.team, ref.id, err)
		}
	}
	if _, err := b.AddPromise("", model.Promise{Team: "T1", Owner: "U1", Due: t0}); err == nil {
		t.Errorf("AddPromise without text succeeded; want the model's validation error")
	}
	all := r(b.Promises("T1", "", "")).must(t)
	if len(all) != 2 || all[0].ID != 2 || all[1].ID != 1 {
		t.Errorf("Promises(T1) = %d promises, want #2 then #1 (by Due)", len(all))
	}
	mine := r(b.Promises("T1", "U1", model.PromiseOpen)).must(t)
	if len(mine) != 1 || mine[0].ID != 1 {
		t.Errorf("Promises(T1, U1, open) = %v, want #1", mine)
	}

	const oa = day
	wantClaims(t, r(b.ClaimDue(t0, store.Policy{OverdueAfter: oa}, 0)).must(t))
	claimed := r(b.ClaimDue(t0.Add(45*time.Minute), store.Policy{OverdueAfter: oa}, 0)).must(t)
	wantClaims(t, claimed, "reminder:T1#2")
	if n := claimed[0]; n.To != "U2" || n.State != model.NudgeDue || n.For.Owner != "U2" || !n.For.Due.Equal(p2.Due) || n.ID == 0 {
		t.Errorf("reminder %+v: want to U2, due, claimed for U2 at the promised time, with an id", n)
	}
	wantClaims(t, r(b.ClaimDue(t0.Add(45*time.Minute), store.Policy{OverdueAfter: oa}, 0)).must(t))
	if p := r(b.Promise("T1", 2)).must(t); !p.Reminded || p.History[len(p.History)-1].Kind != model.EventReminded {
		t.Errorf("claimed promise %+v: want Reminded and a reminded event", p)
	}
	wantClaims(t, r(b.ClaimDue(t0.Add(2*time.Hour), store.Policy{OverdueAfter: oa}, 1)).must(t), "reminder:T1#1") // limit 1: T1#1 sorts first by id
	wantClaims(t, r(b.ClaimDue(t0.Add(2*time.Hour), store.Policy{OverdueAfter: oa}, 0)).must(t), "reminder:T2#1")
	change(t, b, "T2", 1, func(p *model.Promise) error { return p.Keep("U1", t0.Add(3*time.Hour)) })
	// The follow-up: OverdueAfter after the promised time, or after a
	// reminder sent later than that.
	wantClaims(t, r(b.ClaimDue(t0.Add(24*time.Hour+29*time.Minute), store.Policy{OverdueAfter: oa}, 0)).must(t))
	wantClaims(t, r(b.ClaimDue(t0.Add(24*time.Hour+31*time.Minute), store.Policy{OverdueAfter: oa}, 0)).must(t), "overdue:T1#2")
	wantClaims(t, r(b.ClaimDue(t0.Add(26*time.Hour), store.Policy{OverdueAfter: oa}, 0)).must(t), "overdue:T1#1")
	wantClaims(t, r(b.ClaimDue(t0.Add(60*day), store.Policy{OverdueAfter: oa}, 0)).must(t))
}

// A promise's text and team come back byte for byte, whatever JSON
// makes of them: a NUL, line and paragraph separators, quotes and
// backslashes, and text that looks like the record's own keys.
func testTextKeptAsTyped(t T, h Harness) {
	b, _ := open(t, h)
	for i, c := range []struct{ team, text string }{
		{"T1", "call back\x00 before noon"},
		{"T1", "line\u2028paragraph\u2029end"},
		{"T1", `send ,"id":0, and "quotes" \ back`},
		{`T"2\`, "café 🎉 ,\"id\":0,"},
	} {
		p := promise(c.team, "U1", t0.Add(time.Duration(i+1)*time.Hour))
		p.Text = c.text
		made := add(t, b, p)
		got := r(b.Promise(c.team, made.ID)).must(t)
		if got.Text != c.text || got.Team != c.team || got.ID != made.ID {
			t.Errorf("promise %q in %q came back as %q in %q, #%d (made #%d)", c.text, c.team, got.Text, got.Team, got.ID, made.ID)
		}
	}
}

func testTransitions(t T, h Harness) {
	b, _ := open(t, h)
	due := t0.Add(time.Hour)
	snoozed := add(t, b, promise("T1", "U1", due))
	wantClaims(t, r(b.ClaimDue(due, store.Policy{}, 0)).must(t), "reminder:T1#1")
	change(t, b, "T1", 1, func(p *model.Promise) error { return p.Snooze("U1", t0.Add(5*time.Hour), t0.Add(70*time.Minute)) })
	wantClaims(t, r(b.ClaimDue(t0.Add(4*time.Hour), store.Policy{}, 0)).must(t))
	wantClaims(t, r(b.ClaimDue(t0.Add(5*time.Hour), store.Policy{}, 0)).must(t), "reminder:T1#1")
	p := change(t, b, "T1", 1, func(p *model.Promise) error { return p.Keep("U1", t0.Add(5*time.Hour+6*time.Minute)) })
	if !p.Due.Equal(snoozed.Due) || p.OnTime || p.State != model.PromiseKept {
		t.Errorf("snoozed then kept late: %+v; want the promised time kept, not on time, kept", p)
	}

	moved := add(t, b, promise("T1", "U1", due))
	p = change(t, b, "T1", moved.ID, func(p *model.Promise) error { return p.Move("U1", t0.Add(48*time.Hour), t0.Add(10*time.Minute)) })
	if !p.Due.Equal(t0.Add(48*time.Hour)) || !p.MovedFrom.Equal(due) || p.History[len(p.History)-1].Kind != model.EventMoved {
		t.Errorf("moved promise %+v: want Due moved, MovedFrom the old time, a moved event", p)
	}
	wantClaims(t, r(b.ClaimDue(t0.Add(2*time.Hour), store.Policy{}, 0)).must(t))
	p = change(t, b, "T1", moved.ID, func(p *model.Promise) error { return p.Keep("U1", t0.Add(47*time.Hour)) })
	if !p.OnTime {
		t.Errorf("moved promise kept before its new time: not on time")
	}

	series := add(t, b, model.Promise{Team: "T1", Text: "weekly report", Owner: "U1", Creator: "U1", Due: due, Zone: "UTC", Repeat: "every monday 10am"})
	p = change(t, b, "T1", series.ID, func(p *model.Promise) error { return p.Keep("U1", due) })
	if p.State != model.PromiseOpen || !p.Due.Equal(due.Add(7*day)) || p.Occurrence != 1 || !p.OnTime {
		t.Errorf("kept one occurrence: %+v; want open, due a week later, occurrence 1, on time", p)
	}
	cancelled := add(t, b, promise("T1", "U1", due))
	change(t, b, "T1", cancelled.ID, func(p *model.Promise) error { return p.Cancel("U1", t0) })
	for _, n := range r(b.ClaimDue(t0.Add(7*day+2*time.Hour), store.Policy{OverdueAfter: time.Hour}, 0)).must(t) {
		if n.PromiseID == cancelled.ID {
			t.Errorf("a cancelled promise was claimed: %+v", n)
		}
	}
}

func testConcurrentClaims(t T, h Harness) {
	b, _ := open(t, h)
	const n = 60
	for i := range n {
		add(t, b, promise(fmt.Sprint("T", i%3), "U1", t0.Add(time.Duration(i)*time.Second)))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range n {
				ns, err := b.ClaimDue(t0.Add(time.Hour), store.Policy{}, 7)
				if err != nil {
					t.Errorf("concurrent ClaimDue: %v", err)
					return
				}
				mu.Lock()
				for k := range refs(ns) {
					seen[k]++
				}
				mu.Unlock()
				if len(ns) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("concurrent ticks claimed %d promises, want %d", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s claimed %d times, want once", k, c)
		}
	}
	if got := len(r(b.Nudges(model.NudgeReminder)).must(t)); got != n {
		t.Errorf("%d reminders in the outbox, want %d", got, n)
	}
}

// New promises added at once, as a group commit writes them together:
// each team's numbers run on without a gap or a repeat, an op sent twice
// at once (one envelope on two connections) makes one promise that both
// are answered with, and one that fails validation fails alone.
func testConcurrentAdds(t T, h Harness) {
	b, _ := open(t, h)
	const n = 90 // ops; each sent twice, every third one without an op
	type answer struct {
		p   model.Promise
		err error
	}
	got := make([][2]answer, n)
	bad := make([]error, n/10)
	var wg sync.WaitGroup
	for i := range n {
		op := fmt.Sprint("env-add-", i)
		if i%3 == 0 {
			op = ""
		}
		p := promise(fmt.Sprint("T", i%3), "U1", t0.Add(time.Duration(i+1)*time.Minute))
		p.Text = fmt.Sprint("call back ", i)
		for k := range 2 {
			wg.Go(func() { got[i][k].p, got[i][k].err = b.AddPromise(op, p) })
		}
		if i%10 == 0 {
			wg.Go(func() {
				_, bad[i/10] = b.AddPromise(fmt.Sprint("env-bad-", i), model.Promise{Team: p.Team, Owner: "U1", Creator: "U0", Due: p.Due})
			})
		}
	}
	wg.Wait()
	ids := map[string]map[int64]string{} // team → id → text
	for i, pair := range got {
		want := fmt.Sprint("call back ", i)
		team := fmt.Sprint("T", i%3)
		if ids[team] == nil {
			ids[team] = map[int64]string{}
		}
		fresh := 0
		for _, a := range pair {
			switch {
			case a.err == nil:
				fresh++
			case !errors.Is(a.err, store.ErrDuplicate) || i%3 == 0:
				t.Fatalf("AddPromise %d: %v", i, a.err)
			}
			if a.p.Text != want || a.p.Team != team {
				t.Errorf("AddPromise %d answered %s #%d %q, want %s %q", i, a.p.Team, a.p.ID, a.p.Text, team, want)
			}
			if prev, ok := ids[team][a.p.ID]; ok && prev != want {
				t.Errorf("%s #%d given to both %q and %q", team, a.p.ID, prev, want)
			}
			ids[team][a.p.ID] = want
		}
		switch {
		case i%3 == 0 && fresh != 2:
			t.Errorf("AddPromise %d without an op: %d of 2 made a promise, want both", i, fresh)
		case i%3 != 0 && (fresh != 1 || pair[0].p.ID != pair[1].p.ID):
			t.Errorf("op %d sent twice at once: %d fresh, #%d and #%d; want one promise for both", i, fresh, pair[0].p.ID, pair[1].p.ID)
		}
	}
	for i, err := range bad {
		if ve := (*model.ValidationError)(nil); !errors.As(err, &ve) {
			t.Errorf("AddPromise without text %d: %v, want a ValidationError", i, err)
		}
	}
	for team, byID := range ids {
		stored := r(b.Promises(team, "", "")).must(t)
		if len(stored) != len(byID) {
			t.Errorf("%s: %d promises stored, %d answered", team, len(stored), len(byID))
		}
		for _, p := range stored {
			if p.ID < 1 || p.ID > int64(len(stored)) {
				t.Errorf("%s: #%d among %d promises: the numbers skip", team, p.ID, len(stored))
			}
			if byID[p.ID] != p.Text {
				t.Errorf("%s #%d stored %q, answered %q", team, p.ID, p.Text, byID[p.ID])
			}
		}
	}
}

func testOutboxStates(t T, h Harness) {
	b, _ := open(t, h)
	n := r(b.AddNudge(model.Nudge{Kind: model.NudgeDigest, Team: "T1", To: "C1", Subject: "all"})).must(t)
	if n.ID == 0 || n.State != model.NudgeDue || !n.NotBefore.Equal(t0) || !n.Created.Equal(t0) {
		t.Fatalf("added nudge %+v: want an id, due, not before now", n)
	}
	later := r(b.AddNudge(model.Nudge{Kind: model.NudgeDigest, Team: "T1", To: "C2", NotBefore: t0.Add(time.Hour)})).must(t)
	pendingIDs := func(at time.Time) []int64 {
		var ids []int64
		for _, p := range r(b.PendingNudges(at, 0)).must(t) {
			ids = append(ids, p.ID)
		}
		return ids
	}
	if got := pendingIDs(t0); len(got) != 1 || got[0] != n.ID {
		t.Errorf("pending at t0 = %v, want [%d]", got, n.ID)
	}
	if at, ok := r2(b.NextNudgeAfter(t0)).must(t); !ok || !at.Equal(t0.Add(time.Hour)) {
		t.Errorf("NextNudgeAfter(t0) = %v %v, want t0+1h", at, ok)
	}
	s := r(b.MarkSending(n.ID)).must(t)
	if s.State != model.NudgeSending || s.Attempts != 1 {
		t.Errorf("after MarkSending: %+v, want sending, attempt 1", s)
	}
	// A sending nudge is still owed (a backend shared by replicas may hold
	// it back from PendingNudges while the send may be in flight).
	if got := r(b.Nudge(n.ID)).must(t); !got.State.Pending() {
		t.Errorf("a sending nudge left the outbox: %s", got.State)
	}
	if err := b.RetryNudge(n.ID, t0.Add(2*time.Hour), "503"); err != nil {
		t.Fatalf("RetryNudge: %v", err)
	}
	if got := pendingIDs(t0.Add(time.Hour)); len(got) != 1 || got[0] != later.ID {
		t.Errorf("pending at t0+1h = %v, want only [%d] (the retry waits)", got, later.ID)
	}
	if got := pendingIDs(t0.Add(3 * time.Hour)); len(got) != 2 || got[0] != later.ID {
		t.Errorf("pending at t0+3h = %v, want [%d %d], oldest NotBefore first", got, later.ID, n.ID)
	}
	r(b.MarkSending(n.ID)).must(t)
	if err := b.DeferNudge(n.ID, t0.Add(2*time.Hour), "429"); err != nil {
		t.Fatalf("DeferNudge: %v", err)
	}
	if got := r(b.Nudge(n.ID)).must(t); got.Attempts != 1 || got.State != model.NudgeDue {
		t.Errorf("after a deferred attempt: %+v, want attempts back to 1, due", got)
	}
	r(b.MarkSending(n.ID)).must(t)
	if err := b.MarkSent(n.ID, "C1", "1.0002"); err != nil {
		t.Fatalf("MarkSent: %v", err)
	}
	if got := r(b.Nudge(n.ID)).must(t); got.State != model.NudgeSent || got.Channel != "C1" || got.TS != "1.0002" {
		t.Errorf("sent nudge %+v: want sent, with where it landed", got)
	}
	if _, err := b.MarkSending(n.ID); !errors.Is(err, store.ErrNotPending) {
		t.Errorf("MarkSending a sent nudge: err %v, want ErrNotPending (no second delivery)", err)
	}
	for name, fn := range map[string]func() error{
		"RetryNudge": func() error { return b.RetryNudge(n.ID, t0, "x") },
		"DeferNudge": func() error { return b.DeferNudge(n.ID, t0, "x") },
		"FailNudge":  func() error { return b.FailNudge(n.ID, "x") },
	} {
		if err := fn(); !errors.Is(err, store.ErrNotPending) {
			t.Errorf("%s on a sent nudge: err %v, want ErrNotPending", name, err)
		}
	}
	if err := b.FailNudge(later.ID, "gone"); err != nil {
		t.Fatalf("FailNudge: %v", err)
	}
	if got := pendingIDs(t0.Add(10 * day)); len(got) != 0 {
		t.Errorf("pending after sent and failed: %v, want none", got)
	}
	if _, ok := r2(b.NextNudgeAfter(t0)).must(t); ok {
		t.Errorf("NextNudgeAfter found a nudge in an empty outbox")
	}
	if _, err := b.Nudge(999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Nudge(999): err %v, want ErrNotFound", err)
	}
}

type result2[A, B any] struct {
	a   A
	b   B
	err error
}

func r2[A, B any](a A, b B, err error) result2[A, B] { return result2[A, B]{a, b, err} }

func (x result2[A, B]) must(t T) (A, B) {
	t.Helper()
	if x.err != nil {
		t.Fatalf("unexpected error: %v", x.err)
	}
	return x.a, x.b
}

func testStaleNudges(t T, h Harness) {
	b, _ := open(t, h)
	due := t0.Add(time.Hour)
	now := due.Add(time.Minute)
	tests := []struct {
		name string
		p    model.Promise
		fn   func(*model.Promise) error
		drop bool
	}{
		{"unchanged", promise("T1", "U1", due), nil, false},
		{"snoozed", promise("T1", "U1", due), func(p *model.Promise) error { return p.Snooze("U1", due.Add(3*time.Hour), now) }, true},
		{"moved", promise("T1", "U1", due), func(p *model.Promise) error { return p.Move("U1", due.Add(48*time.Hour), now) }, true},
		{"reassigned", promise("T1", "U1", due), func(p *model.Promise) error { return p.Reassign("U1", "U2", "", now) }, true},
		{"kept", promise("T1", "U1", due), func(p *model.Promise) error { return p.Keep("U1", now) }, true},
		{"cancelled", promise("T1", "U1", due), func(p *model.Promise) error { return p.Cancel("U1", now) }, true},
		{"occurrence done", model.Promise{Team: "T1", Text: "standup notes", Owner: "U1", Due: due, Zone: "UTC", Repeat: "every day 10am"}, func(p *model.Promise) error { return p.Keep("U1", now) }, true},
	}
	ids := map[string]int64{}
	for _, tt := range tests {
		ids[tt.name] = add(t, b, tt.p).ID
	}
	claimed := refs(r(b.ClaimDue(due, store.Policy{}, 0)).must(t))
	for _, tt := range tests {
		n, ok := claimed[fmt.Sprintf("reminder:T1#%d", ids[tt.name])]
		if !ok {
			t.Fatalf("%s: not claimed", tt.name)
		}
		if tt.fn != nil {
			change(t, b, "T1", ids[tt.name], tt.fn)
		}
		got := r(b.Recheck(n.ID, now)).must(t)
		if dropped := got.State == model.NudgeDropped; dropped != tt.drop {
			t.Errorf("%s: Recheck left the reminder %s (%q); want dropped %v", tt.name, got.State, got.Error, tt.drop)
		}
		if tt.drop && got.Error == "" {
			t.Errorf("%s: dropped without a reason", tt.name)
		}
		if stored := r(b.Nudge(n.ID)).must(t); stored.State != got.State {
			t.Errorf("%s: Recheck returned %s but stored %s", tt.name, got.State, stored.State)
		}
	}
	for _, p := range r(b.PendingNudges(now, 0)).must(t) {
		if p.PromiseID != ids["unchanged"] && p.Kind == model.NudgeReminder && !p.For.Due.Equal(due.Add(48*time.Hour)) {
			if p.To == "U1" {
				t.Errorf("a stale reminder to U1 is still in the outbox: %+v", p)
			}
		}
	}
	// The new owner gets a reminder of their own.
	again := refs(r(b.ClaimDue(now, store.Policy{}, 0)).must(t))
	if n, ok := again[fmt.Sprintf("reminder:T1#%d", ids["reassigned"])]; !ok || n.To != "U2" {
		t.Errorf("after the hand-over, claimed %v; want a reminder to U2", keys(again))
	}

	// Check-ins: re-addressed to a new owner, dropped once touched or put off.
	for _, name := range []string{"Handed", "Touched", "Snoozed"} {
		r(b.AddCustomer("", model.Customer{Team: "T1", Name: name, Owner: "U1", Cadence: day})).must(t)
	}
	prompts := map[string]model.Nudge{}
	for _, n := range r(b.ClaimCheckins(t0.Add(25*time.Hour), 0)).must(t) {
		prompts[n.Subject] = n
	}
	if len(prompts) != 3 {
		t.Fatalf("claimed %d check-ins, want 3", len(prompts))
	}
	at := t0.Add(26 * time.Hour)
	r(b.UpdateCustomer("", "T1", "Handed", func(c *model.Customer) error { c.Owner = "U2"; return nil })).must(t)
	r(b.AddTouch("", model.Touch{Team: "T1", Customer: "Touched", By: "U1", At: at, Kind: model.TouchCall})).must(t)
	r(b.UpdateCustomer("", "T1", "Snoozed", func(c *model.Customer) error { return c.SnoozeCheckin(at, 7*day) })).must(t)
	if got := r(b.Recheck(prompts["handed"].ID, at)).must(t); !got.State.Pending() || got.To != "U2" {
		t.Errorf("check-in after a change of owner: %+v; want pending, to U2", got)
	}
	for _, key := range []string{"touched", "snoozed"} {
		if got := r(b.Recheck(prompts[key].ID, at)).must(t); got.State != model.NudgeDropped {
			t.Errorf("check-in for %s: %s, want dropped", key, got.State)
		}
	}
}

func testCustomersAndCheckins(t T, h Harness) {
	b, _ := open(t, h)
	c := r(b.AddCustomer("", model.Customer{Team: "T1", Name: "  Acme   Corp ", Owner: "U1", Tier: model.TierKey, Cadence: 2 * day})).must(t)
	if c.Name != "Acme Corp" || !c.Created.Equal(t0) || !c.NextPrompt.Equal(t0.Add(2*day)) {
		t.Errorf("added %+v: want the name tidied, created now, first prompt a cadence on", c)
	}
	if _, err := b.AddCustomer("", model.Customer{Team: "T1", Name: "ACME corp", Owner: "U2"}); !errors.Is(err, store.ErrExists) {
		t.Errorf("a second Acme Corp: err %v, want ErrExists", err)
	}
	var ve *model.ValidationError
	if _, err := b.AddCustomer("", model.Customer{Team: "T1", Name: "Bad", Owner: "bob"}); !errors.As(err, &ve) {
		t.Errorf("owner bob: err %v, want a model.ValidationError", err)
	}
	if _, err := b.Customer("T1", "bad"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused customer was stored: %v", err)
	}
	if got := r(b.Customer("T1", "acme  CORP")).must(t); got.Name != "Acme Corp" {
		t.Errorf("lookup by key: %+v", got)
	}
	c = r(b.AddTouch("", model.Touch{Team: "T1", Customer: "acme corp", By: "U2", At: t0.Add(day), Kind: model.TouchCall, Note: "Lyon office"})).must(t)
	if !c.LastTouch.Equal(t0.Add(day)) || c.LastBy != "U2" || c.LastNote != "Lyon office" || !c.NextPrompt.Equal(t0.Add(3*day)) {
		t.Errorf("after a touch: %+v; want last touch, by, note, next prompt a cadence after it", c)
	}
	r(b.AddTouch("", model.Touch{Team: "T1", Customer: "Acme Corp", By: "U1", At: t0.Add(time.Hour), Kind: model.TouchNote})).must(t)
	if got := r(b.Customer("T1", "Acme Corp")).must(t); !got.LastTouch.Equal(t0.Add(day)) {
		t.Errorf("an older touch became the last one: %+v", got)
	}
	ts := r(b.Touches("T1", "ACME CORP", 0)).must(t)
	if len(ts) != 2 || !ts[0].At.Equal(t0.Add(day)) || ts[0].Customer != "Acme Corp" {
		t.Errorf("Touches = %+v, want 2, newest first, under the stored spelling", ts)
	}
	if got := r(b.TouchesBetween("T1", t0, t0.Add(day))).must(t); len(got) != 1 {
		t.Errorf("TouchesBetween(t0, t0+1d) = %d touches, want 1 (end excluded)", len(got))
	}
	if _, err := b.AddTouch("", model.Touch{Team: "T1", Customer: "Nobody", By: "U1", Kind: model.TouchCall}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a touch for an unknown customer: err %v, want ErrNotFound", err)
	}

	if got := r(b.ClaimCheckins(t0.Add(3*day-time.Minute), 0)).must(t); len(got) != 0 {
		t.Errorf("claimed %d check-ins before they were due", len(got))
	}
	meant := r(b.Customer("T1", "Acme Corp")).must(t).NextPrompt
	got := r(b.ClaimCheckins(t0.Add(3*day), 0)).must(t)
	if len(got) != 1 || got[0].Kind != model.NudgeCheckin || got[0].Subject != "acme corp" || got[0].To != "U1" {
		t.Fatalf("ClaimCheckins at the cadence = %+v, want one prompt to U1 for acme corp", got)
	}
	// When it was meant to go out is kept with it: after downtime, what
	// makes a prompt late (model.CheckinLate).
	if stored := r(b.Nudge(got[0].ID)).must(t); !stored.PromptAt().Equal(meant) || !got[0].PromptAt().Equal(meant) {
		t.Errorf("the prompt was meant for %v, stored %v", meant, stored.For.Prompt)
	}
	if again := r(b.ClaimCheckins(t0.Add(3*day), 0)).must(t); len(again) != 0 {
		t.Errorf("claimed the check-in twice")
	}
	if held := r(b.ClaimCheckins(t0.Add(5*day+time.Minute), 0)).must(t); len(held) != 0 {
		t.Errorf("a second prompt was queued while the first is undelivered")
	}
	if err := b.MarkSent(got[0].ID, "D1", "1.1"); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if next := r(b.ClaimCheckins(t0.Add(7*day+time.Minute), 0)).must(t); len(next) != 1 {
		t.Errorf("after the first was delivered, a cadence later: %d prompts, want 1", len(next))
	}
	now := t0.Add(8 * day)
	c = r(b.UpdateCustomer("", "T1", "Acme Corp", func(c *model.Customer) error { return c.SnoozeCheckin(now, 7*day) })).must(t)
	if c.Overdue(now) || !c.NextPrompt.Equal(now.Add(7*day)) {
		t.Errorf("snoozed a week: %+v; want not overdue, next prompt a week on", c)
	}
	c = r(b.UpdateCustomer("", "T1", "Acme Corp", func(c *model.Customer) error { c.Cadence = 30 * day; return nil })).must(t)
	if !c.CheckinDue().Equal(t0.Add(31*day)) || c.NextPrompt.Before(c.CheckinDue()) {
		t.Errorf("cadence set to 30d: due %v, next prompt %v; want due a month after the last touch, prompt not before it", c.CheckinDue(), c.NextPrompt)
	}
	r(b.AddCustomer("", model.Customer{Team: "T1", Name: "Zeta", Owner: "U1"})).must(t)
	r(b.AddCustomer("", model.Customer{Team: "T1", Name: "beta", Owner: "U1"})).must(t)
	cs := r(b.Customers("T1")).must(t)
	if len(cs) != 3 || cs[0].Name != "Acme Corp" || cs[1].Name != "beta" || cs[2].Name != "Zeta" {
		t.Errorf("Customers = %v, want by key", cs)
	}
	if err := b.RemoveCustomer("", "T1", "acme corp"); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if _, err := b.Customer("T1", "Acme Corp"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removed customer still there: %v", err)
	}
	if ts := r(b.Touches("T1", "Acme Corp", 0)).must(t); len(ts) != 0 {
		t.Errorf("removed customer's touches remain: %d", len(ts))
	}
	if err := b.RemoveCustomer("", "T1", "acme corp"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("removing twice: err %v, want ErrNotFound", err)
	}
	if late := r(b.ClaimCheckins(t0.Add(400*day), 0)).must(t); len(late) != 0 {
		t.Errorf("Zeta and beta have no cadence, Acme is gone: claimed %d", len(late))
	}
}

func testIdempotentOps(t T, h Harness) {
	b, _ := open(t, h)
	p1, err := b.AddPromise("env-1", promise("T1", "U1", t0.Add(time.Hour)))
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	p2, err := b.AddPromise("env-1", promise("T1", "U1", t0.Add(time.Hour)))
	if !errors.Is(err, store.ErrDuplicate) || p2.ID != p1.ID || p2.Text != p1.Text {
		t.Errorf("replayed AddPromise: %+v, %v; want promise #%d and ErrDuplicate", p2, err, p1.ID)
	}
	if ps := r(b.Promises("T1", "", "")).must(t); len(ps) != 1 {
		t.Errorf("%d promises after a replay, want 1", len(ps))
	}
	snooze := func(p *model.Promise) error { return p.Snooze("U1", t0.Add(3*time.Hour), t0) }
	r(b.UpdatePromise("env-2", "T1", p1.ID, snooze)).must(t)
	if _, err := b.UpdatePromise("env-2", "T1", p1.ID, snooze); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("replayed UpdatePromise: err %v, want ErrDuplicate", err)
	}
	n := 0
	for _, e := range r(b.Promise("T1", p1.ID)).must(t).History {
		if e.Kind == model.EventSnoozed {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d snoozed events after a replay, want 1", n)
	}
	r(b.AddCustomer("env-3", model.Customer{Team: "T1", Name: "Acme", Owner: "U1"})).must(t)
	if _, err := b.AddCustomer("env-3", model.Customer{Team: "T1", Name: "Acme", Owner: "U1"}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("replayed AddCustomer: err %v, want ErrDuplicate (not ErrExists)", err)
	}
	touch := model.Touch{Team: "T1", Customer: "Acme", By: "U1", At: t0, Kind: model.TouchCall}
	r(b.AddTouch("env-4", touch)).must(t)
	if _, err := b.AddTouch("env-4", touch); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("replayed AddTouch: err %v, want ErrDuplicate", err)
	}
	if ts := r(b.Touches("T1", "Acme", 0)).must(t); len(ts) != 1 {
		t.Errorf("%d touches after a replay, want 1", len(ts))
	}
	if ok := r(b.Applied("env-1")).must(t); !ok {
		t.Errorf("Applied(env-1) = false")
	}
	if ok := r(b.Applied("env-none")).must(t); ok {
		t.Errorf("Applied of an unknown op = true")
	}
	if err := b.MarkApplied("env-5"); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if err := b.MarkApplied("env-5"); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("MarkApplied twice: err %v, want ErrDuplicate", err)
	}
	if err := b.Update("env-1", func(store.Tx) error { t.Errorf("Update ran fn for an applied op"); return nil }); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("Update with an applied op: err %v, want ErrDuplicate", err)
	}
}

func testUnitOfWork(t T, h Harness) {
	b, _ := open(t, h)
	r(b.AddCustomer("", model.Customer{Team: "T1", Name: "Acme", Owner: "U1", Cadence: 14 * day})).must(t)
	p := add(t, b, model.Promise{Team: "T1", Text: "send the quote", Customer: "Acme", Owner: "U1", Due: t0.Add(time.Hour)})
	keptAt := t0.Add(30 * time.Minute)
	err := b.Update("env-keep", func(tx store.Tx) error {
		kept, err := tx.UpdatePromise("T1", p.ID, func(p *model.Promise) error { return p.Keep("U1", keptAt) })
		if err != nil {
			return err
		}
		_, err = tx.AddTouch(model.Touch{Team: "T1", Customer: kept.Customer, By: "U1", At: keptAt, Kind: model.TouchPromise, Note: kept.Text})
		return err
	})
	if err != nil {
		t.Fatalf("keep and touch: %v", err)
	}
	if got := r(b.Promise("T1", p.ID)).must(t); got.State != model.PromiseKept {
		t.Errorf("promise %s after the unit of work, want kept", got.State)
	}
	if c := r(b.Customer("T1", "Acme")).must(t); !c.LastTouch.Equal(keptAt) {
		t.Errorf("customer's last touch %v, want the keep at %v", c.LastTouch, keptAt)
	}
	q := add(t, b, promise("T1", "U1", t0.Add(time.Hour)))
	err = b.Update("env-half", func(tx store.Tx) error {
		if _, err := tx.UpdatePromise("T1", q.ID, func(p *model.Promise) error { return p.Snooze("U1", t0.Add(9*time.Hour), t0) }); err != nil {
			return err
		}
		_, err := tx.AddTouch(model.Touch{Team: "T1", Customer: "Nobody", By: "U1", Kind: model.TouchCall})
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a unit of work failing half-way: err %v, want the ErrNotFound of its second write", err)
	}
	if got := r(b.Promise("T1", q.ID)).must(t); got.Snoozed() {
		t.Errorf("the first write of a failed unit of work was committed: %+v", got)
	}
	if ok := r(b.Applied("env-half")).must(t); ok {
		t.Errorf("the op of a failed unit of work was recorded")
	}
	err = b.View(func(tx store.ReadTx) error {
		if _, err := tx.Promise("T1", p.ID); err != nil {
			return err
		}
		_, err := tx.Customer("T1", "acme")
		return err
	})
	if err != nil {
		t.Errorf("View: %v", err)
	}
}

func testImportExport(t T, h Harness) {
	src, _ := open(t, h)
	r(src.AddCustomer("", model.Customer{Team: "T1", Name: "Acme", Owner: "U1", Cadence: 14 * day})).must(t)
	add(t, src, model.Promise{Team: "T1", Text: "send the quote", Customer: "Acme", Owner: "U1", Creator: "U1", Due: t0.Add(time.Hour)})
	add(t, src, promise("T2", "W2", t0.Add(2*time.Hour)))
	r(src.AddTouch("", model.Touch{Team: "T1", Customer: "Acme", By: "U1", At: t0, Kind: model.TouchCall, Note: "hello"})).must(t)
	d := r(src.Export()).must(t)
	if len(d.Promises) != 2 || len(d.Customers) != 1 || len(d.Touches) != 1 {
		t.Fatalf("Export: %d promises, %d customers, %d touches; want 2 1 1", len(d.Promises), len(d.Customers), len(d.Touches))
	}
	dst, _ := open(t, h)
	rep := r(dst.Import(d, true)).must(t)
	if rep.Promises.Added != 2 || rep.Customers.Added != 1 || rep.Touches.Added != 1 {
		t.Errorf("dry run report %+v, want 2 1 1 added", rep)
	}
	if ps := r(dst.Promises("T1", "", "")).must(t); len(ps) != 0 {
		t.Errorf("a dry run wrote %d promises", len(ps))
	}
	r(dst.Import(d, false)).must(t)
	again := r(dst.Import(d, false)).must(t)
	if again.Promises.Unchanged != 2 || again.Customers.Unchanged != 1 || again.Touches.Unchanged != 1 {
		t.Errorf("re-import report %+v, want everything unchanged", again)
	}
	if got := r(dst.Export()).must(t); len(got.Promises) != 2 || len(got.Customers) != 1 || len(got.Touches) != 1 {
		t.Errorf("after import, export has %d %d %d records", len(got.Promises), len(got.Customers), len(got.Touches))
	}
	next := add(t, dst, promise("T1", "U1", t0.Add(time.Hour)))
	if next.ID != 2 {
		t.Errorf("new promise after import got #%d, want #2 (past the imported ids)", next.ID)
	}
	bad := store.Dump{Promises: []model.Promise{
		{Team: "T3", ID: 1, Text: "fine", Owner: "U1", Due: t0, State: model.PromiseOpen},
		{Team: "T3", ID: 2, Text: "not fine", Owner: "bob", Due: t0, State: model.PromiseOpen},
	}}
	var ie *store.ImportError
	if _, err := dst.Import(bad, false); !errors.As(err, &ie) || ie.Index != 1 {
		t.Errorf("importing an owner id bob: err %v, want an ImportError for record 2", err)
	}
	if ps := r(dst.Promises("T3", "", "")).must(t); len(ps) != 0 {
		t.Errorf("a refused import wrote %d promises", len(ps))
	}
}

func testPoisonRecord(t T, h Harness) {
	if h.Corrupt == nil {
		return
	}
	b, _ := open(t, h)
	bad := add(t, b, promise("T1", "U1", t0.Add(time.Hour)))
	add(t, b, promise("T1", "U1", t0.Add(time.Hour)))
	add(t, b, promise("T2", "U2", t0.Add(time.Hour)))
	h.Corrupt(t, b, "T1", bad.ID)
	got, err := b.ClaimDue(t0.Add(2*time.Hour), store.Policy{}, 0)
	if err != nil {
		t.Fatalf("one damaged promise stopped every team's reminders: %v", err)
	}
	wantClaims(t, got, "reminder:T1#2", "reminder:T2#1")
	if b.Undecodable() == 0 {
		t.Errorf("the damaged record was skipped without being counted")
	}
	if ps, err := b.Promises("T1", "", ""); err != nil || len(ps) != 1 {
		t.Errorf("listing T1 with a damaged record: %d promises, %v; want the other one", len(ps), err)
	}
	if ns := r(b.PendingNudges(t0.Add(2*time.Hour), 0)).must(t); len(ns) != 2 {
		t.Errorf("%d nudges pending, want 2", len(ns))
	}
}

func testDigest(t T, h Harness) {
	b, _ := open(t, h)
	if err := b.Subscribe("T1", "C1", model.ScopeAll); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if err := b.Subscribe("T1", "C2", model.ScopeMembers); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if err := b.Subscribe("T2", "C3", model.ScopeAll); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	if subs := r(b.Subscriptions("T1")).must(t); len(subs) != 2 {
		t.Errorf("T1 has %d subscriptions, want 2", len(subs))
	}
	if subs := r(b.Subscriptions("")).must(t); len(subs) != 3 {
		t.Errorf("all teams: %d subscriptions, want 3", len(subs))
	}
	if err := b.Unsubscribe("T1", "C9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Unsubscribe of an unknown channel: err %v, want ErrNotFound", err)
	}
	if last := r(b.LastRun("digest")).must(t); !last.IsZero() {
		t.Errorf("LastRun of a job never run = %v", last)
	}
	at := t0.Add(time.Hour)
	ns := []model.Nudge{{Kind: model.NudgeDigest, Team: "T1", To: "C1"}, {Kind: model.NudgeDigest, Team: "T1", To: "C1"}}
	queued := r(b.QueueRun("digest", time.Time{}, at, ns)).must(t)
	if len(queued) != 1 {
		t.Errorf("QueueRun queued %d digests for one channel, want 1", len(queued))
	}
	if _, err := b.QueueRun("digest", time.Time{}, at.Add(time.Hour), ns); !errors.Is(err, store.ErrRunMoved) {
		t.Errorf("QueueRun from a stale last run: err %v, want ErrRunMoved", err)
	}
	if again := r(b.QueueRun("digest", at, at.Add(time.Hour), ns)).must(t); len(again) != 0 {
		t.Errorf("a digest still pending was queued again")
	}
	if last := r(b.LastRun("digest")).must(t); !last.Equal(at.Add(time.Hour)) {
		t.Errorf("LastRun = %v, want %v", last, at.Add(time.Hour))
	}
	late := add(t, b, promise("T1", "U1", t0.Add(-48*time.Hour)))
	add(t, b, promise("T1", "U1", t0.Add(48*time.Hour)))
	week := add(t, b, promise("T1", "U1", t0.Add(-24*time.Hour)))
	change(t, b, "T1", week.ID, func(p *model.Promise) error { return p.Keep("U1", t0) })
	got := r(b.DuePromises("T1", t0.Add(-36*time.Hour), t0, t0)).must(t)
	if len(got) != 2 || got[0].ID != late.ID || got[1].ID != week.ID || len(got[1].History) != 0 {
		t.Errorf("DuePromises = %v, want the late one and the kept one in the week, without history", got)
	}
	// Through the state index: an open promise both late and in the
	// window is reported once; one kept before the window, one cancelled
	// in it and another team's are not; one due after lateAt but in the
	// window is; a late one kept since drops out.
	withCustomer := promise("T1", "U1", t0.Add(-12*time.Hour))
	withCustomer.Customer, withCustomer.Text = "Acme & Co", "call back <b>about</b> the quote"
	both := add(t, b, withCustomer)
	old := add(t, b, promise("T1", "U1", t0.Add(-400*24*time.Hour)))
	change(t, b, "T1", old.ID, func(p *model.Promise) error { return p.Keep("U1", t0) })
	gone := add(t, b, promise("T1", "U1", t0.Add(-6*time.Hour)))
	change(t, b, "T1", gone.ID, func(p *model.Promise) error { return p.Cancel("U1", t0) })
	add(t, b, promise("T2", "U1", t0.Add(-6*time.Hour)))
	soon := add(t, b, promise("T1", "U1", t0.Add(time.Hour)))
	got = r(b.DuePromises("T1", t0.Add(-36*time.Hour), t0.Add(2*time.Hour), t0)).must(t)
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.ID)
	}
	if want := []int64{late.ID, week.ID, both.ID, soon.ID}; !slices.Equal(ids, want) {
		t.Errorf("DuePromises = %v, want %v (late, kept in the window, late and in it once, due soon)", ids, want)
	}
	// Each with exactly the fields the digest reads (store.DigestFields),
	// as stored: no more, no fewer.
	utc := func(p model.Promise) model.Promise {
		p.Due, p.MovedFrom = p.Due.UTC(), p.MovedFrom.UTC()
		return p
	}
	for _, p := range got {
		full := r(b.Promise("T1", p.ID)).must(t)
		if want := store.DigestFields(full); !reflect.DeepEqual(utc(p), utc(want)) {
			t.Errorf("DuePromises gave #%d as\n%+v\nwant its digest fields\n%+v", p.ID, p, want)
		}
	}
	change(t, b, "T1", late.ID, func(p *model.Promise) error { return p.Keep("U1", t0) })
	got = r(b.DuePromises("T1", t0.Add(-36*time.Hour), t0.Add(2*time.Hour), t0)).must(t)
	if len(got) != 3 || got[0].ID != week.ID {
		t.Errorf("DuePromises after the late one was kept = %v, want the three others", got)
	}
}
