package store

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const day = 24 * time.Hour

func addCustomer(t *testing.T, s *Bolt, team, name string, cadence time.Duration) Customer {
	t.Helper()
	c, err := s.AddCustomer("", Customer{Team: team, Name: name, Owner: "U1", Tier: KeyTier, Cadence: cadence})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCustomerKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Acme", "ACME"},
		{"  Acme   Corp ", "acme corp"},
		{"Straße", "STRASSE"}, // simple folding: ß is not ss, so these differ
		{"Kelvin", "\u212aelvin"},
		{"Σίσυφος", "ΣΊΣΥΦΟΣ"},
		{"ACME\tLtd", "acme ltd"},
		{"Ac\u0000me", "acme"},
	}
	for i, tt := range tests {
		same := CustomerKey(tt.a) == CustomerKey(tt.b)
		if want := i != 2; same != want {
			t.Errorf("CustomerKey(%q)=%q, CustomerKey(%q)=%q: same=%v, want %v", tt.a, CustomerKey(tt.a), tt.b, CustomerKey(tt.b), same, want)
		}
	}
	if got := CustomerKey("  Acme   Corp "); got != "acme corp" {
		t.Errorf("CustomerKey = %q, want %q", got, "acme corp")
	}
}

func TestAddCustomer(t *testing.T) {
	s := openTest(t, "")
	c := addCustomer(t, s, "T1", "  Acme   & Sons ", 14*day)
	if c.Name != "Acme & Sons" || !c.Created.Equal(t0) || !c.NextPrompt.Equal(t0.Add(14*day)) {
		t.Fatalf("added %+v", c)
	}
	// The same name in another case is taken; another team may have it.
	_, err := s.AddCustomer("", Customer{Team: "T1", Name: "ACME & sons", Owner: "U2"})
	if !errors.Is(err, ErrExists) {
		t.Errorf("duplicate in another case: err = %v, want ErrExists", err)
	}
	if _, err := s.AddCustomer("", Customer{Team: "T2", Name: "Acme & Sons", Owner: "U2"}); err != nil {
		t.Errorf("same name in another team: %v", err)
	}
	if _, err := s.AddCustomer("", Customer{Team: "T1", Name: "   ", Owner: "U2"}); err == nil {
		t.Errorf("empty name accepted")
	}
	got, err := s.Customer("T1", "acme & SONS")
	if err != nil || got.Owner != "U1" {
		t.Errorf("Customer = %+v, %v", got, err)
	}
	if _, err := s.Customer("T1", "Globex"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown customer: err = %v", err)
	}
	if _, err := s.Customer("T3", "Acme & Sons"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown team: err = %v", err)
	}
	// A cadence of 0 is never prompted and not indexed.
	never := addCustomer(t, s, "T1", "Initech", 0)
	if !never.NextPrompt.IsZero() {
		t.Errorf("never: NextPrompt = %v", never.NextPrompt)
	}
	addCustomer(t, s, "T1", "globex", day)
	cs, err := s.Customers("T1")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	if want := []string{"Acme & Sons", "globex", "Initech"}; !slices.Equal(names, want) {
		t.Errorf("Customers = %q, want %q", names, want)
	}
	if n := promptLen(t, s); n != 2 { // T1's Acme & Sons and globex; T2's Acme has no cadence
		t.Errorf("%d prompt index entries, want 2", n)
	}
}

func promptLen(t *testing.T, s *Bolt) int {
	t.Helper()
	var n int
	if err := s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketPrompts); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCustomerOpDedup(t *testing.T) {
	s := openTest(t, "")
	c, err := s.AddCustomer("env1", Customer{Team: "T1", Name: "Acme", Owner: "U1", Cadence: day})
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.AddCustomer("env1", Customer{Team: "T1", Name: "Acme", Owner: "U1", Cadence: day})
	if !errors.Is(err, ErrDuplicate) || again.Name != c.Name {
		t.Errorf("replayed add: %+v, %v", again, err)
	}
	touch := Touch{Team: "T1", Customer: "acme", By: "U1", At: t0.Add(time.Hour), Kind: "call", Note: "hi"}
	if _, err := s.AddTouch("env2", touch); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddTouch("env2", touch); !errors.Is(err, ErrDuplicate) {
		t.Errorf("replayed touch: err = %v", err)
	}
	if ts, _ := s.Touches("T1", "Acme", 0); len(ts) != 1 {
		t.Errorf("%d touches after a replay, want 1", len(ts))
	}
	calls := 0
	for range 2 {
		_, err = s.UpdateCustomer("env3", "T1", "Acme", func(c *Customer) error { calls++; c.Notes += "x"; return nil })
	}
	if got, _ := s.Customer("T1", "Acme"); got.Notes != "x" || !errors.Is(err, ErrDuplicate) {
		t.Errorf("replayed update: notes %q, err %v", got.Notes, err)
	}
	if err := s.RemoveCustomer("env4", "T1", "Acme"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveCustomer("env4", "T1", "Acme"); !errors.Is(err, ErrDuplicate) {
		t.Errorf("replayed remove: err = %v", err)
	}
}

func TestUpdateCustomer(t *testing.T) {
	s := openTest(t, "")
	addCustomer(t, s, "T1", "Acme", 14*day)
	tests := []struct {
		name    string
		fn      func(*Customer) error
		wantErr bool
		check   func(Customer) bool
	}{
		{"fn error saves nothing", func(c *Customer) error { c.Owner = "U9"; return errors.New("no") }, true,
			func(c Customer) bool { return c.Owner == "U1" }},
		{"respell", func(c *Customer) error { c.Name = "ACME"; return nil }, false,
			func(c Customer) bool { return c.Name == "ACME" }},
		{"rename refused", func(c *Customer) error { c.Name = "Globex"; return nil }, true,
			func(c Customer) bool { return c.Name == "ACME" }},
		{"team and created stay", func(c *Customer) error { c.Team, c.Created = "T2", time.Time{}; return nil }, false,
			func(c Customer) bool { return c.Team == "T1" && c.Created.Equal(t0) }},
		{"cadence recomputes the next prompt", func(c *Customer) error { c.Cadence = 30 * day; return nil }, false,
			func(c Customer) bool { return c.NextPrompt.Equal(t0.Add(30 * day)) }},
		{"an explicit next prompt wins", func(c *Customer) error { c.NextPrompt = t0.Add(7 * day); return nil }, false,
			func(c Customer) bool { return c.NextPrompt.Equal(t0.Add(7 * day)) }},
		{"never clears the prompt", func(c *Customer) error { c.Cadence = 0; return nil }, false,
			func(c Customer) bool { return c.NextPrompt.IsZero() && c.Cadence == 0 }},
	}
	for _, tt := range tests {
		_, err := s.UpdateCustomer("", "T1", "acme", tt.fn)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v", tt.name, err)
		}
		got, err := s.Customer("T1", "Acme")
		if err != nil || !tt.check(got) {
			t.Errorf("%s: customer = %+v, %v", tt.name, got, err)
		}
	}
	if n := promptLen(t, s); n != 0 {
		t.Errorf("%d prompt entries after cadence never, want 0", n)
	}
	if _, err := s.UpdateCustomer("", "T1", "Globex", func(*Customer) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("update unknown: err = %v", err)
	}
}

func TestTouches(t *testing.T) {
	s := openTest(t, "")
	addCustomer(t, s, "T1", "Acme", 14*day)
	addCustomer(t, s, "T1", "Acme Two", 14*day)
	addCustomer(t, s, "T2", "Acme", 14*day)
	for i, tc := range []struct {
		team, customer, note string
		at                   time.Time
	}{
		{"T1", "acme", "first", t0.Add(1 * day)},
		{"T1", "ACME", "third", t0.Add(3 * day)},
		{"T1", "Acme", "second, logged late", t0.Add(2 * day)},
		{"T1", "Acme Two", "other customer", t0.Add(2 * day)},
		{"T2", "Acme", "other team", t0.Add(2 * day)},
	} {
		if _, err := s.AddTouch("", Touch{Team: tc.team, Customer: tc.customer, By: "U1", At: tc.at, Kind: "call", Note: tc.note}); err != nil {
			t.Fatalf("touch %d: %v", i, err)
		}
	}
	c, _ := s.Customer("T1", "Acme")
	// The backdated touch is recorded but does not become the last one.
	if !c.LastTouch.Equal(t0.Add(3*day)) || c.LastNote != "third" || !c.NextPrompt.Equal(t0.Add(17*day)) {
		t.Errorf("after touches: %+v", c)
	}
	ts, err := s.Touches("T1", "acme", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 2 || ts[0].Note != "third" || ts[1].Note != "second, logged late" || ts[0].Customer != "Acme" {
		t.Errorf("Touches(limit 2) = %+v", ts)
	}
	if ts, _ := s.Touches("T1", "Acme Two", 0); len(ts) != 1 || ts[0].Note != "other customer" {
		t.Errorf("Acme Two touches = %+v", ts)
	}
	week, err := s.TouchesBetween("T1", t0.Add(2*day), t0.Add(3*day))
	if err != nil {
		t.Fatal(err)
	}
	if len(week) != 2 || week[0].At.After(week[1].At) {
		t.Errorf("TouchesBetween = %+v, want the two touches of day 2", week)
	}
	if _, err := s.AddTouch("", Touch{Team: "T1", Customer: "Globex", By: "U1", Kind: "call"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("touch for an unknown customer: err = %v", err)
	}
	// Removal takes the touches with it, and only that customer's.
	if err := s.RemoveCustomer("", "T1", "ACME"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Customer("T1", "Acme"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after remove: err = %v", err)
	}
	if ts, _ := s.Touches("T1", "Acme", 0); len(ts) != 0 {
		t.Errorf("removed customer still has %d touches", len(ts))
	}
	if ts, _ := s.Touches("T1", "Acme Two", 0); len(ts) != 1 {
		t.Errorf("Acme Two lost its touches: %d", len(ts))
	}
	if ts, _ := s.Touches("T2", "Acme", 0); len(ts) != 1 {
		t.Errorf("T2's Acme lost its touches: %d", len(ts))
	}
	if err := s.RemoveCustomer("", "T1", "Acme"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove twice: err = %v", err)
	}
	if n := promptLen(t, s); n != 2 {
		t.Errorf("%d prompt entries, want 2", n)
	}
}

func TestClaimCheckins(t *testing.T) {
	s := openTest(t, "")
	addCustomer(t, s, "T1", "Acme", 14*day)
	addCustomer(t, s, "T1", "Globex", 30*day)
	addCustomer(t, s, "T1", "Initech", 0)

	claim := func(at time.Time) []string {
		t.Helper()
		ns, err := s.ClaimCheckins(at, 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range ns {
			if n.Kind != Checkin || n.To != "U1" || n.Team != "T1" {
				t.Errorf("nudge %+v", n)
			}
			out = append(out, n.Subject)
		}
		return out
	}
	send := func(subject string) {
		t.Helper()
		ns, _ := s.Nudges(Checkin)
		for _, n := range ns {
			if n.Subject == subject && n.State.Pending() {
				if err := s.MarkSent(n.ID, "D1", "1.1"); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if got := claim(t0.Add(14*day - time.Second)); got != nil {
		t.Fatalf("claimed %q before the cadence passed", got)
	}
	if got := claim(t0.Add(14 * day)); !slices.Equal(got, []string{"acme"}) {
		t.Fatalf("claimed %q at 14 days, want acme", got)
	}
	if got := claim(t0.Add(14 * day)); got != nil {
		t.Fatalf("claimed %q twice", got)
	}
	// Held back (still in the outbox) past another cadence: no second prompt.
	if got := claim(t0.Add(28 * day)); got != nil {
		t.Fatalf("claimed %q while the first prompt is still pending", got)
	}
	send("acme")
	if got := claim(t0.Add(31 * day)); !slices.Equal(got, []string{"globex"}) {
		t.Fatalf("claimed %q at 31 days, want globex", got)
	}
	send("globex")
	// Acme's next prompt is a cadence after the one skipped at day 28.
	if got := claim(t0.Add(42 * day)); !slices.Equal(got, []string{"acme"}) {
		t.Fatalf("claimed %q at 42 days, want acme", got)
	}
	send("acme")
	// A touch resets the cadence.
	if _, err := s.AddTouch("", Touch{Team: "T1", Customer: "Acme", By: "U1", At: t0.Add(50 * day), Kind: "call"}); err != nil {
		t.Fatal(err)
	}
	if got := claim(t0.Add(56 * day)); got != nil {
		t.Fatalf("claimed %q after a touch", got)
	}
	if got := claim(t0.Add(64 * day)); !slices.Equal(got, []string{"globex", "acme"}) {
		t.Fatalf("claimed %q at 64 days, want globex (due day 61) then acme (day 64)", got)
	}
	send("acme")
	// A removed customer's stale entry is dropped, not claimed.
	if err := s.RemoveCustomer("", "T1", "Globex"); err != nil {
		t.Fatal(err)
	}
	if got := claim(t0.Add(365 * day)); !slices.Equal(got, []string{"acme"}) {
		t.Fatalf("claimed %q after removing Globex", got)
	}
}

func TestClaimCheckinsReadsOnlyDue(t *testing.T) {
	s := openTest(t, "")
	for i := range 50 {
		addCustomer(t, s, "T1", fmt.Sprintf("Customer %02d", i), time.Duration(i+1)*day)
	}
	ns, err := s.ClaimCheckins(t0.Add(3*day), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 {
		t.Fatalf("limit 2 claimed %d", len(ns))
	}
	ns, err = s.ClaimCheckins(t0.Add(3*day), 0)
	if err != nil || len(ns) != 1 {
		t.Fatalf("second call claimed %d (%v), want the third due customer", len(ns), err)
	}
	// An idle tick opens no write transaction.
	before := s.db.Stats().TxN
	if ns, err := s.ClaimCheckins(t0.Add(3*day), 0); err != nil || len(ns) != 0 {
		t.Fatalf("idle claim: %d, %v", len(ns), err)
	}
	if s.db.Stats().TxN-before != 1 {
		t.Errorf("idle claim used %d transactions, want 1 read", s.db.Stats().TxN-before)
	}
}

// TestMissingCustomerError: the lazily worded not-found error reads as the
// fmt.Errorf it replaced and still wraps ErrNotFound.
func TestMissingCustomerError(t *testing.T) {
	s := openTest(t, "")
	_, err := s.Customer("T1", "Acme & Co")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Customer of a missing name: %v, want ErrNotFound", err)
	}
	if want := `store: not found: customer T1/"acme & co"`; err.Error() != want {
		t.Errorf("error reads %q, want %q", err, want)
	}
}
