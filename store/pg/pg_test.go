package pg_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg"
	"github.com/keptbot/kept/store/pg/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// backend is the method set both stores offer, which this package's
// tests hold the PostgreSQL store to, call by call, against bbolt's.
type backend interface {
	AddPromise(op string, p store.Promise) (store.Promise, error)
	UpdatePromise(op, team string, id int64, fn func(*store.Promise) error) (store.Promise, error)
	Promise(team string, id int64) (store.Promise, error)
	Promises(team, owner string, state store.State) ([]store.Promise, error)
	DuePromises(team string, from, to, lateAt time.Time) ([]store.Promise, error)
	ClaimDue(now time.Time, pol store.Policy, limit int) ([]store.Nudge, error)
	AddNudge(n store.Nudge) (store.Nudge, error)
	Nudge(id int64) (store.Nudge, error)
	Nudges(kind store.NudgeKind) ([]store.Nudge, error)
	PendingNudges(now time.Time, limit int) ([]store.Nudge, error)
	NextNudgeAfter(t time.Time) (time.Time, bool, error)
	MarkSending(id int64) (store.Nudge, error)
	MarkSent(id int64, channel, ts string) error
	RetryNudge(id int64, notBefore time.Time, errText string) error
	DeferNudge(id int64, notBefore time.Time, errText string) error
	FailNudge(id int64, errText string) error
	AddCustomer(op string, c store.Customer) (store.Customer, error)
	Customer(team, name string) (store.Customer, error)
	Customers(team string) ([]store.Customer, error)
	UpdateCustomer(op, team, name string, fn func(*store.Customer) error) (store.Customer, error)
	RemoveCustomer(op, team, name string) error
	AddTouch(op string, t store.Touch) (store.Customer, error)
	Touches(team, customer string, limit int) ([]store.Touch, error)
	TouchesBetween(team string, from, to time.Time) ([]store.Touch, error)
	ClaimCheckins(now time.Time, limit int) ([]store.Nudge, error)
	LastRun(name string) (time.Time, error)
	SetLastRun(name string, t time.Time) error
	QueueRun(name string, prev, at time.Time, nudges []store.Nudge) ([]store.Nudge, error)
	Subscribe(team, channel string, scope store.Scope) error
	Unsubscribe(team, channel string) error
	Subscriptions(team string) ([]store.Subscription, error)
	Applied(op string) (bool, error)
	MarkApplied(op string) error
	Backlog(now time.Time) (int, error)
	Export() (store.Dump, error)
	Import(d store.Dump, dryRun bool) (store.ImportReport, error)
	SetOverdueAfter(d time.Duration)
	Ping() error
	Close() error
}

var (
	_ backend = (*store.Bolt)(nil)
	_ backend = (*pg.Store)(nil)
)

// clock is a settable clock shared by both stores of a comparison.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func openPG(t *testing.T, now func() time.Time) (*pg.Store, string) {
	t.Helper()
	url := pgtest.Shared(t).NewDatabase(t)
	s, err := pg.Open(context.Background(), url, pg.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url
}

func openBolt(t *testing.T, now func() time.Time) *store.Bolt {
	t.Helper()
	s, err := store.New(filepath.Join(t.TempDir(), "kept.db"), store.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// class names the sentinel an error wraps, which is what callers test.
func class(err error) string {
	for _, s := range []error{store.ErrDuplicate, store.ErrNotFound, store.ErrExists, store.ErrNotPending, store.ErrRunMoved, errRefused} {
		if errors.Is(err, s) {
			return s.Error()
		}
	}
	var ie *store.ImportError
	if errors.As(err, &ie) {
		return fmt.Sprintf("import error: %s %d", ie.Kind, ie.Index)
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return ""
}

var errRefused = errors.New("refused by fn")

type step struct {
	name string
	at   time.Duration // clock offset from t0 for this step
	do   func(b backend) (any, error)
}

// TestSameAsBolt runs one script of calls on the bbolt store and on the
// PostgreSQL store, on the same clock, and requires the same answer from
// each call: values (as JSON) and the sentinel errors they wrap.
func TestSameAsBolt(t *testing.T) {
	t0 := time.Date(2026, 3, 27, 9, 0, 0, 123456789, time.UTC)
	day := 24 * time.Hour
	promise := func(team, owner, text string, due time.Duration) store.Promise {
		return store.Promise{Team: team, Owner: owner, Creator: owner, Text: text, Customer: "Acme", Due: t0.Add(due), Zone: "Europe/Paris"}
	}
	var sent []int64 // nudge ids handed between steps, the same in both
	steps := []step{
		{"add", 0, func(b backend) (any, error) {
			return b.AddPromise("e1", promise("T1", "U1", "send the deck", time.Hour))
		}},
		{"add again", 0, func(b backend) (any, error) {
			return b.AddPromise("e1", promise("T1", "U1", "send the deck", time.Hour))
		}},
		{"add second", 0, func(b backend) (any, error) {
			return b.AddPromise("e2", promise("T1", "U2", "call back", 2*time.Hour+1))
		}},
		{"add other team", 0, func(b backend) (any, error) { return b.AddPromise("", promise("T2", "U9", "ship it", 3*day)) }},
		{"add no op", 0, func(b backend) (any, error) { return b.AddPromise("", promise("T1", "U1", "later", 10*day)) }},
		{"snooze", time.Minute, func(b backend) (any, error) {
			return b.UpdatePromise("e3", "T1", 2, func(p *store.Promise) error { p.Due = p.Due.Add(time.Hour); return nil })
		}},
		{"snooze again", time.Minute, func(b backend) (any, error) {
			return b.UpdatePromise("e3", "T1", 2, func(p *store.Promise) error { p.Due = p.Due.Add(time.Hour); return nil })
		}},
		{"refused update", time.Minute, func(b backend) (any, error) {
			return b.UpdatePromise("e4", "T1", 1, func(*store.Promise) error { return errRefused })
		}},
		{"refused op not recorded", time.Minute, func(b backend) (any, error) { return b.Applied("e4") }},
		{"update missing", time.Minute, func(b backend) (any, error) {
			return b.UpdatePromise("e5", "T1", 99, func(*store.Promise) error { return nil })
		}},
		{"get", time.Minute, func(b backend) (any, error) { return b.Promise("T1", 2) }},
		{"get missing", time.Minute, func(b backend) (any, error) { return b.Promise("T3", 1) }},
		{"list", time.Minute, func(b backend) (any, error) { return b.Promises("T1", "", "") }},
		{"list owner", time.Minute, func(b backend) (any, error) { return b.Promises("T1", "U1", store.Open) }},
		{"nothing due", 30 * time.Minute, func(b backend) (any, error) {
			return b.ClaimDue(t0.Add(30*time.Minute), store.Policy{OverdueAfter: day}, 0)
		}},
		{"backlog before", time.Hour, func(b backend) (any, error) { return b.Backlog(t0.Add(time.Hour)) }},
		{"claim one", time.Hour, func(b backend) (any, error) { return b.ClaimDue(t0.Add(time.Hour), store.Policy{OverdueAfter: day}, 0) }},
		{"claim again", time.Hour, func(b backend) (any, error) { return b.ClaimDue(t0.Add(time.Hour), store.Policy{OverdueAfter: day}, 0) }},
		{"claim limit", 5 * day, func(b backend) (any, error) { return b.ClaimDue(t0.Add(5*day), store.Policy{OverdueAfter: day}, 1) }},
		{"claim rest", 5 * day, func(b backend) (any, error) { return b.ClaimDue(t0.Add(5*day), store.Policy{OverdueAfter: day}, 0) }},
		{"claim overdue", 6 * day, func(b backend) (any, error) { return b.ClaimDue(t0.Add(6*day), store.Policy{OverdueAfter: day}, 0) }},
		{"history", 6 * day, func(b backend) (any, error) { return b.Promise("T1", 1) }},
		{"pending", 6 * day, func(b backend) (any, error) {
			ns, err := b.PendingNudges(t0.Add(6*day), 0)
			sent = sent[:0]
			for _, n := range ns {
				sent = append(sent, n.ID)
			}
			return ns, err
		}},
		{"pending limit", 6 * day, func(b backend) (any, error) { return b.PendingNudges(t0.Add(6*day), 2) }},
		{"sending", 6 * day, func(b backend) (any, error) { return b.MarkSending(sent[0]) }},
		{"sent", 6 * day, func(b backend) (any, error) { return nil, b.MarkSent(sent[0], "D1", "1.2") }},
		{"sending a sent one", 6 * day, func(b backend) (any, error) { return b.MarkSending(sent[0]) }},
		{"retry", 6 * day, func(b backend) (any, error) { return nil, b.RetryNudge(sent[1], t0.Add(7*day), "5xx") }},
		{"defer", 6 * day, func(b backend) (any, error) {
			if _, err := b.MarkSending(sent[2]); err != nil {
				return nil, err
			}
			return nil, b.DeferNudge(sent[2], t0.Add(8*day), "429")
		}},
		{"fail", 6 * day, func(b backend) (any, error) { return nil, b.FailNudge(sent[3], "gone") }},
		{"fail again", 6 * day, func(b backend) (any, error) { return nil, b.FailNudge(sent[3], "gone") }},
		{"missing nudge", 6 * day, func(b backend) (any, error) { return b.MarkSending(9999) }},
		{"next after", 6 * day, func(b backend) (any, error) {
			at, ok, err := b.NextNudgeAfter(t0.Add(6 * day))
			return []any{at, ok}, err
		}},
		{"next after none", 6 * day, func(b backend) (any, error) {
			at, ok, err := b.NextNudgeAfter(t0.Add(60 * day))
			return []any{at, ok}, err
		}},
		{"add nudge", 6 * day, func(b backend) (any, error) {
			return b.AddNudge(store.Nudge{Kind: "custom", Team: "T1", To: "U1", Subject: "x"})
		}},
		{"nudges", 6 * day, func(b backend) (any, error) { return b.Nudges("") }},
		{"nudges kind", 6 * day, func(b backend) (any, error) { return b.Nudges(store.OverdueNudge) }},
		{"backlog", 6 * day, func(b backend) (any, error) { return b.Backlog(t0.Add(9 * day)) }},

		{"customer", 0, func(b backend) (any, error) {
			return b.AddCustomer("c1", store.Customer{Team: "T1", Name: "  Acme   Corp ", Owner: "U1", Tier: store.KeyTier, Cadence: 7 * day})
		}},
		{"customer again", 0, func(b backend) (any, error) {
			return b.AddCustomer("c1", store.Customer{Team: "T1", Name: "Acme Corp", Owner: "U1"})
		}},
		{"customer taken", 0, func(b backend) (any, error) {
			return b.AddCustomer("c2", store.Customer{Team: "T1", Name: "ACME corp", Owner: "U2"})
		}},
		{"customer two", 0, func(b backend) (any, error) {
			return b.AddCustomer("", store.Customer{Team: "T1", Name: "Zed", Owner: "U2", Cadence: 30 * day})
		}},
		{"customer get", 0, func(b backend) (any, error) { return b.Customer("T1", "acme CORP") }},
		{"customer missing", 0, func(b backend) (any, error) { return b.Customer("T1", "nobody") }},
		{"touch", day, func(b backend) (any, error) {
			return b.AddTouch("t1", store.Touch{Team: "T1", Customer: "acme corp", By: "U1", Kind: "call", Note: "fine"})
		}},
		{"touch again", day, func(b backend) (any, error) {
			return b.AddTouch("t1", store.Touch{Team: "T1", Customer: "acme corp", By: "U1", Kind: "call", Note: "fine"})
		}},
		{"touch backfill", day, func(b backend) (any, error) {
			return b.AddTouch("", store.Touch{Team: "T1", Customer: "Acme Corp", By: "U2", Kind: "note", At: t0.Add(-day)})
		}},
		{"touch unknown", day, func(b backend) (any, error) {
			return b.AddTouch("", store.Touch{Team: "T1", Customer: "nobody", By: "U2", Kind: "note"})
		}},
		{"touches", day, func(b backend) (any, error) { return b.Touches("T1", "ACME CORP", 0) }},
		{"touches limit", day, func(b backend) (any, error) { return b.Touches("T1", "acme corp", 1) }},
		{"touches between", day, func(b backend) (any, error) { return b.TouchesBetween("T1", t0.Add(-2*day), t0.Add(2*day)) }},
		{"cadence", day, func(b backend) (any, error) {
			return b.UpdateCustomer("u1", "T1", "zed", func(c *store.Customer) error { c.Cadence = 2 * day; return nil })
		}},
		{"rename refused", day, func(b backend) (any, error) {
			return b.UpdateCustomer("u2", "T1", "zed", func(c *store.Customer) error { c.Name = "Other"; return nil })
		}},
		{"checkins none", day, func(b backend) (any, error) { return b.ClaimCheckins(t0.Add(day), 0) }},
		{"checkins", 3 * day, func(b backend) (any, error) { return b.ClaimCheckins(t0.Add(3*day), 0) }},
		{"checkins held", 6 * day, func(b backend) (any, error) { return b.ClaimCheckins(t0.Add(6*day), 0) }},
		{"customers", 6 * day, func(b backend) (any, error) { return b.Customers("T1") }},
		{"remove", 6 * day, func(b backend) (any, error) { return nil, b.RemoveCustomer("r1", "T1", "acme corp") }},
		{"remove again", 6 * day, func(b backend) (any, error) { return nil, b.RemoveCustomer("r1", "T1", "acme corp") }},
		{"remove missing", 6 * day, func(b backend) (any, error) { return nil, b.RemoveCustomer("r2", "T1", "acme corp") }},
		{"touches gone", 6 * day, func(b backend) (any, error) { return b.Touches("T1", "acme corp", 0) }},

		{"subscribe", 0, func(b backend) (any, error) { return nil, b.Subscribe("T1", "C2", store.ScopeAll) }},
		{"subscribe other", 0, func(b backend) (any, error) { return nil, b.Subscribe("T1", "C1", store.ScopeMembers) }},
		{"subscribe bad", 0, func(b backend) (any, error) { return nil, b.Subscribe("T1", "C1", "most") }},
		{"subscribe team2", 0, func(b backend) (any, error) { return nil, b.Subscribe("T2", "C1", store.ScopeAll) }},
		{"subscriptions", 0, func(b backend) (any, error) { return b.Subscriptions("T1") }},
		{"subscriptions all", 0, func(b backend) (any, error) { return b.Subscriptions("") }},
		{"unsubscribe", 0, func(b backend) (any, error) { return nil, b.Unsubscribe("T1", "C1") }},
		{"unsubscribe again", 0, func(b backend) (any, error) { return nil, b.Unsubscribe("T1", "C1") }},
		{"never ran", 0, func(b backend) (any, error) { return b.LastRun("digest") }},
		{"queue run", 0, func(b backend) (any, error) {
			return b.QueueRun("digest", time.Time{}, t0, []store.Nudge{{Kind: store.DigestNudge, Team: "T1", To: "C2"}, {Kind: store.DigestNudge, Team: "T1", To: "C2"}})
		}},
		{"queue moved", 0, func(b backend) (any, error) { return b.QueueRun("digest", time.Time{}, t0.Add(day), nil) }},
		{"queue held", 0, func(b backend) (any, error) {
			return b.QueueRun("digest", t0, t0.Add(7*day), []store.Nudge{{Kind: store.DigestNudge, Team: "T1", To: "C2"}, {Kind: store.DigestNudge, Team: "T2", To: "C1"}})
		}},
		{"last run", 0, func(b backend) (any, error) { return b.LastRun("digest") }},
		{"set last run", 0, func(b backend) (any, error) {
			if err := b.SetLastRun("other", t0.Add(time.Nanosecond)); err != nil {
				return nil, err
			}
			return b.LastRun("other")
		}},
		{"due promises", 0, func(b backend) (any, error) { return b.DuePromises("T1", t0, t0.Add(3*time.Hour), t0.Add(2*time.Hour)) }},
		{"keep", 0, func(b backend) (any, error) {
			return b.UpdatePromise("k1", "T1", 1, func(p *store.Promise) error { p.State, p.KeptAt, p.OnTime = store.Kept, t0, true; return nil })
		}},
		{"list kept", 0, func(b backend) (any, error) { return b.Promises("T1", "", store.Kept) }},
		{"mark applied", 0, func(b backend) (any, error) { return nil, b.MarkApplied("m1") }},
		{"mark applied again", 0, func(b backend) (any, error) { return nil, b.MarkApplied("m1") }},
		{"applied", 0, func(b backend) (any, error) { return b.Applied("m1") }},
		{"export", 0, func(b backend) (any, error) { return b.Export() }},
		{"import", 0, func(b backend) (any, error) {
			d, err := b.Export()
			if err != nil {
				return nil, err
			}
			d.Promises[0].Text = "changed"
			d.Promises = append(d.Promises, store.Promise{Team: "T5", ID: 7, Text: "imported", Owner: "U5", Due: t0.Add(day), State: store.Open})
			return b.Import(d, false)
		}},
		{"import dry", 0, func(b backend) (any, error) {
			d, _ := b.Export()
			return b.Import(d, true)
		}},
		{"import invalid", 0, func(b backend) (any, error) {
			return b.Import(store.Dump{Promises: []store.Promise{{Team: "T5", ID: 8, Text: "x", Owner: "U5", Due: t0, State: store.Open}, {Team: "T5"}}}, false)
		}},
		{"import moved the sequence", 0, func(b backend) (any, error) { return b.AddPromise("", promise("T5", "U5", "after import", day)) }},
	}

	clk := &clock{t: t0}
	bolt := openBolt(t, clk.now)
	pgs, _ := openPG(t, clk.now)
	for _, s := range []backend{bolt, pgs} {
		s.SetOverdueAfter(24 * time.Hour)
	}
	for _, st := range steps {
		clk.set(t0.Add(st.at))
		want, wantErr := st.do(bolt)
		wantJSON, _ := json.Marshal(want)
		got, gotErr := st.do(pgs)
		gotJSON, _ := json.Marshal(got)
		if class(gotErr) != class(wantErr) && !(gotErr != nil && wantErr != nil && class(wantErr)[:6] == "error:" && class(gotErr)[:6] == "error:") {
			t.Errorf("%s: error %v, bbolt says %v", st.name, gotErr, wantErr)
		}
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s:\n got %s\nwant %s", st.name, gotJSON, wantJSON)
		}
	}
}
