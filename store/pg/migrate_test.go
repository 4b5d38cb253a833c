package pg

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/store/pg/pgtest"
)

// TestUpgradeFromSchema1 makes a database as the first release of the
// PostgreSQL store left it (schema version 1, with promises, a nudge in
// the outbox, a customer, touches, a digest subscription and run, an
// applied op), opens it with this kept, which migrates it to the current
// version, and checks that every record reads back as it was written and
// that the store works on it: the customer card finds the customer's
// promises (migration 4 filled their keys), a due promise is claimed, the
// outbox delivers, a duplicate envelope is still a duplicate, the next
// promise gets the next number, and the tables later migrations added are
// there.
func TestUpgradeFromSchema1(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := pgtest.Shared(t).NewDatabase(t)
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	promises := []store.Promise{
		{Team: "T1", ID: 1, Text: "send the renewal quote", Customer: "Acme  Corp", Owner: "U1", Creator: "U1", Due: t0.Add(-time.Hour), Zone: "Europe/Paris", State: store.Open, Created: t0.Add(-day)},
		{Team: "T1", ID: 2, Text: "call back", Customer: "ACME corp", Owner: "U2", Creator: "U1", Due: t0.Add(3 * day), Zone: "UTC", State: store.Open, Created: t0.Add(-day)},
		{Team: "T1", ID: 3, Text: "demo", Customer: "Globex", Owner: "U1", Creator: "U1", Due: t0.Add(-2 * day), Zone: "UTC", State: store.Kept, KeptAt: t0.Add(-2 * day), OnTime: true, Created: t0.Add(-3 * day)},
		{Team: "T1", ID: 4, Text: "no customer", Owner: "U1", Creator: "U1", Due: t0.Add(5 * day), Zone: "UTC", State: store.Open, Created: t0.Add(-day)},
	}
	for i := range promises {
		promises[i].History = []store.Event{{At: promises[i].Created, Kind: "created", By: promises[i].Creator}}
	}
	customer := store.Customer{Team: "T1", Name: "Acme Corp", Owner: "U1", Tier: store.KeyTier, Cadence: 14 * day, Created: t0.Add(-30 * day), LastTouch: t0.Add(-2 * day), NextPrompt: t0.Add(12 * day)}
	touches := []store.Touch{
		{Team: "T1", Customer: "Acme Corp", By: "U1", At: t0.Add(-5 * day), Kind: "call", Note: "fine"},
		{Team: "T1", Customer: "Acme Corp", By: "U2", At: t0.Add(-2 * day), Kind: "email", Note: "sent the deck"},
	}
	owed := store.Nudge{ID: 7, Kind: store.Reminder, Team: "T1", To: "U9", Subject: "x", PromiseID: 9, State: store.NudgeDue, NotBefore: t0.Add(-time.Minute), Created: t0.Add(-time.Minute)}

	// Schema 1, as its kept made it, and the rows its store wrote.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	doc := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	batch := []struct {
		sql  string
		args []any
	}{
		{migrations[0], nil},
		{`CREATE TABLE schema_version (version int NOT NULL); INSERT INTO schema_version VALUES (1)`, nil},
		{`INSERT INTO teams (team, promise_seq) VALUES ('T1', 4)`, nil},
		{`INSERT INTO meta (key, value) VALUES ('overdue_after', '86400000000000')`, nil},
		{`INSERT INTO customers (team, key, next_prompt_ns, doc) VALUES ('T1', 'acme corp', $1, $2)`, []any{nanos(customer.NextPrompt), doc(customer)}},
		{`INSERT INTO nudges (id, kind, team, to_id, state, not_before_ns, doc) VALUES (7, 'reminder', 'T1', 'U9', 'due', $1, $2)`, []any{nanos(owed.NotBefore), doc(owed)}},
		{`SELECT setval('nudges_id_seq', 7)`, nil},
		{`INSERT INTO ops (op, at_ns, team, promise_id) VALUES ('env-1', $1, 'T1', 1)`, []any{nanos(t0.Add(-day))}},
		{`INSERT INTO subs (team, channel, doc) VALUES ('T1', 'C1', $1)`, []any{doc(store.Subscription{Team: "T1", Channel: "C1", Scope: store.ScopeAll, Created: t0.Add(-day)})}},
		{`INSERT INTO runs (name, at_ns) VALUES ('digest', $1)`, []any{nanos(t0.Add(-7 * day))}},
	}
	for _, p := range promises {
		var next any
		if p.State == store.Open {
			next = nanos(p.Due)
		}
		batch = append(batch, struct {
			sql  string
			args []any
		}{`INSERT INTO promises (team, id, owner, state, due_ns, next_ns, doc) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			[]any{p.Team, p.ID, p.Owner, string(p.State), nanos(p.Due), next, doc(p)}})
	}
	for _, tc := range touches {
		batch = append(batch, struct {
			sql  string
			args []any
		}{`INSERT INTO touches (team, customer_key, at_ns, doc) VALUES ('T1', 'acme corp', $1, $2)`, []any{nanos(tc.At), doc(tc)}})
	}
	for _, b := range batch {
		if _, err := conn.Exec(ctx, b.sql, b.args...); err != nil {
			t.Fatalf("schema 1: %s: %v", b.sql, err)
		}
	}
	conn.Close(ctx)

	s, err := Open(ctx, url, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatalf("open a schema 1 database: %v", err)
	}
	defer s.Close()
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("schema version %d (%v) after the upgrade, want %d", v, err, SchemaVersion)
	}

	// Every record as it was written.
	for _, want := range promises {
		got, err := s.Promise("T1", want.ID)
		if err != nil {
			t.Fatalf("promise #%d: %v", want.ID, err)
		}
		if string(doc(got)) != string(doc(want)) {
			t.Errorf("promise #%d after the upgrade:\n got %s\nwant %s", want.ID, doc(got), doc(want))
		}
	}
	if c, err := s.Customer("T1", "acme corp"); err != nil || string(doc(c)) != string(doc(customer)) {
		t.Errorf("customer after the upgrade: %s (%v), want %s", doc(c), err, doc(customer))
	}
	if got, err := s.Touches("T1", "Acme Corp", 0); err != nil || len(got) != 2 || got[0].Note != "sent the deck" || got[1].Note != "fine" {
		t.Errorf("touches after the upgrade: %+v (%v)", got, err)
	}
	if subs, err := s.Subscriptions("T1"); err != nil || len(subs) != 1 || subs[0].Channel != "C1" {
		t.Errorf("subscriptions after the upgrade: %+v (%v)", subs, err)
	}
	if at, err := s.LastRun("digest"); err != nil || !at.Equal(t0.Add(-7*day)) {
		t.Errorf("digest's last run after the upgrade: %s (%v)", at, err)
	}

	// And the store works on it.
	card, err := s.PromisesFor("T1", "acme CORP")
	if err != nil || len(card) != 2 || card[0].ID != 1 || card[1].ID != 2 {
		t.Errorf("PromisesFor(Acme Corp) after the upgrade = %+v (%v), want #1 and #2 (the open ones, both spellings)", card, err)
	}
	if _, err := s.AddPromise("env-1", model.Promise{Team: "T1", Text: "again", Owner: "U1", Due: t0.Add(day), Zone: "UTC"}); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("an envelope applied before the upgrade: %v, want ErrDuplicate", err)
	}
	p, err := s.AddPromise("env-2", model.Promise{Team: "T1", Text: "new after the upgrade", Customer: "acme corp", Owner: "U1", Due: t0.Add(day), Zone: "UTC"})
	if err != nil || p.ID != 5 {
		t.Fatalf("a promise after the upgrade: #%d (%v), want #5", p.ID, err)
	}
	if card, _ := s.PromisesFor("T1", "Acme Corp"); len(card) != 3 {
		t.Errorf("PromisesFor after adding one: %d promises, want 3", len(card))
	}
	claimed, err := s.ClaimDue(t0, model.Policy{OverdueAfter: day}, 0)
	if err != nil || len(claimed) != 1 || claimed[0].PromiseID != 1 {
		t.Fatalf("ClaimDue after the upgrade = %+v (%v), want #1's reminder", claimed, err)
	}
	pending, err := s.PendingNudges(t0, 0)
	if err != nil || len(pending) != 2 || pending[0].ID != 7 {
		t.Fatalf("outbox after the upgrade = %+v (%v), want the owed nudge 7, then #1's", pending, err)
	}
	if _, err := s.MarkSending(7); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(7, "D1", "1.1"); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Nudge(7); err != nil || n.State != store.NudgeSent || n.Subject != "x" {
		t.Errorf("the owed nudge after sending: %+v (%v)", n, err)
	}
	if _, err := s.LinkChannel("T1", "C9", "Acme Corp", "U1"); err != nil {
		t.Errorf("link a channel (migration 2's tables): %v", err)
	}
	if err := s.Ping(); err != nil {
		t.Error(err)
	}
}
