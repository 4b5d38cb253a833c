package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// testCustomerDates: a customer's dates that matter are stored with it
// (added, set, removed in an update), exported and imported as they are;
// a refused date saves nothing.
func testCustomerDates(t T, h Harness) {
	b, _ := open(t, h)
	c := model.Customer{Team: "T1", Name: "Acme", Owner: "U1", Tier: model.TierKey, Cadence: 14 * day}
	if err := c.SetDate(model.CustomerDate{Kind: model.DateStart, On: model.Day{Year: 2024, Month: time.February, Day: 29}}, t0); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	r(b.AddCustomer("", c)).must(t)
	got := r(b.UpdateCustomer("", "T1", "acme", func(c *model.Customer) error {
		return c.SetDate(model.CustomerDate{Kind: model.DateNamed, Name: "Kickoff anniversary", On: model.Day{Month: time.March, Day: 14}}, t0)
	})).must(t)
	if len(got.Dates) != 2 {
		t.Fatalf("after setting a named date: %+v", got.Dates)
	}
	stored := r(b.Customer("T1", "Acme")).must(t)
	if len(stored.Dates) != 2 || stored.Dates[0].Kind != model.DateStart || stored.Dates[0].Next != (model.Day{Year: 2027, Month: time.February, Day: 28}) ||
		stored.Dates[1].Name != "Kickoff anniversary" || stored.Dates[1].Next != (model.Day{Year: 2026, Month: time.March, Day: 14}) {
		t.Errorf("stored dates %+v; want the contract start's next on 28 Feb 2027, the kickoff's on 14 March", stored.Dates)
	}
	_, err := b.UpdateCustomer("", "T1", "Acme", func(c *model.Customer) error {
		c.RemoveDate("kickoff anniversary")
		return c.SetDate(model.CustomerDate{Kind: model.DateRenewal, On: model.Day{Year: 2020, Month: time.January, Day: 1}}, t0)
	})
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		t.Errorf("a renewal gone by: err %v, want a model.ValidationError", err)
	}
	if again := r(b.Customer("T1", "Acme")).must(t); len(again.Dates) != 2 {
		t.Errorf("a refused update removed a date: %+v", again.Dates)
	}
	r(b.UpdateCustomer("", "T1", "Acme", func(c *model.Customer) error { c.RemoveDate("KICKOFF ANNIVERSARY"); return nil })).must(t)
	if after := r(b.Customer("T1", "Acme")).must(t); len(after.Dates) != 1 || after.Dates[0].Kind != model.DateStart {
		t.Errorf("after removing the kickoff: %+v", after.Dates)
	}
	d := r(b.Export()).must(t)
	dst, _ := open(t, h)
	r(dst.Import(d, false)).must(t)
	if in := r(dst.Customer("T1", "Acme")).must(t); len(in.Dates) != 1 || in.Dates[0] != stored.Dates[0] {
		t.Errorf("imported dates %+v; want %+v", in.Dates, stored.Dates[:1])
	}
	// An import that moves the date re-indexes it: nothing is claimed for
	// the old day, the new one is.
	moved := d
	moved.Customers = append([]model.Customer(nil), d.Customers...)
	moved.Customers[0].Dates = nil
	if err := moved.Customers[0].SetDate(model.CustomerDate{Kind: model.DateStart, On: model.Day{Year: 2024, Month: time.June, Day: 3}}, t0); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	r(dst.Import(moved, false)).must(t)
	if got := r(dst.ClaimDates(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), model.DefaultDates, 0)).must(t); len(got) != 1 || !got[0].For.On.Equal(time.Date(2026, 6, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("the new day's prompt after an import: %+v", got)
	}
	if got := r(dst.ClaimDates(time.Date(2027, 2, 22, 0, 0, 0, 0, time.UTC), model.DefaultDates, 0)).must(t); len(got) != 0 {
		t.Errorf("the old day's prompt after an import moved it: %+v", got)
	}
	// A hand-written file gives a date without its schedule: it is
	// prompted all the same, once, and a second import of the file
	// prompts it no second time.
	hand := store.Dump{Customers: []model.Customer{{Team: "T1", Name: "Globex", Owner: "U1", Tier: model.TierStandard,
		Dates: []model.CustomerDate{{Kind: model.DateRenewal, On: model.Day{Year: 2027, Month: time.March, Day: 1}}}}}}
	r(dst.Import(hand, false)).must(t)
	at := time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC) // 28 days ahead: within the 30 days' notice
	if got := r(dst.ClaimDates(at, model.DefaultDates, 0)).must(t); len(got) != 1 || got[0].Subject != "globex" {
		t.Errorf("a renewal imported without its schedule: claimed %+v, want Globex's prompt", got)
	}
	r(dst.Import(hand, false)).must(t)
	if got := r(dst.ClaimDates(at.Add(time.Hour), model.DefaultDates, 0)).must(t); len(got) != 0 {
		t.Errorf("the same file imported again prompted the renewal again: %+v", got)
	}
}

// testDateClaims: a date's prompt is claimed once, when it is due (a
// renewal its notice ahead, read under the notice of the call, an
// anniversary on its week's Monday), by one of several concurrent ticks;
// a prompt whose date was changed or removed since is dropped at
// delivery, one whose customer changed hands goes to the new owner, and a
// removed customer's dates leave the index.
func testDateClaims(t T, h Harness) {
	b, _ := open(t, h) // t0: Monday 2 March 2026
	pol := model.DefaultDates
	set := func(name string, d model.CustomerDate) {
		t.Helper()
		r(b.UpdateCustomer("", "T1", name, func(c *model.Customer) error { return c.SetDate(d, t0) })).must(t)
	}
	const n = 12
	for i := range n {
		name := fmt.Sprint("C", i)
		r(b.AddCustomer("", model.Customer{Team: "T1", Name: name, Owner: "U1", Tier: model.TierKey})).must(t)
		set(name, model.CustomerDate{Kind: model.DateRenewal, On: model.Day{Year: 2026, Month: time.June, Day: 1}})
		set(name, model.CustomerDate{Kind: model.DateNamed, Name: "kickoff", On: model.Day{Month: time.April, Day: 15}}) // a Wednesday
	}
	// 1 June's renewal is prompted 2 May, which begins 1 May 10:00 UTC.
	renewalAt := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	// 15 April's week begins Monday 13 April, 12 April 10:00 UTC.
	kickoffAt := time.Date(2026, 4, 12, 10, 0, 0, 0, time.UTC)
	if got := r(b.ClaimDates(kickoffAt.Add(-time.Minute), pol, 0)).must(t); len(got) != 0 {
		t.Fatalf("claimed %d before any was due", len(got))
	}
	// A longer notice applies at once to the dates already indexed.
	long := model.DatePolicy{RenewalNotice: 60 * day}
	early := r(b.ClaimDates(time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC), long, 1)).must(t)
	if len(early) != 1 || early[0].For.Date != "renewal" {
		t.Fatalf("with 60 days' notice on 2 April, claimed %+v; want one renewal (limit 1)", early)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for range n {
				ns, err := b.ClaimDates(kickoffAt, pol, 3)
				if err != nil {
					t.Errorf("concurrent ClaimDates: %v", err)
					return
				}
				mu.Lock()
				for _, x := range ns {
					seen[x.Subject+"/"+x.For.Date]++
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
		t.Errorf("concurrent ticks claimed %d kickoffs, want %d: %v", len(seen), n, seen)
	}
	for k, c := range seen {
		if c != 1 || !strings.HasSuffix(k, "/kickoff") {
			t.Errorf("%s claimed %d times, want one kickoff each", k, c)
		}
	}
	if again := r(b.ClaimDates(kickoffAt.Add(day), pol, 0)).must(t); len(again) != 0 {
		t.Errorf("claimed again: %+v", again)
	}
	renewals := map[string]model.Nudge{}
	for _, x := range r(b.ClaimDates(renewalAt, pol, 0)).must(t) {
		renewals[x.Subject] = x
	}
	if len(renewals) != n-1 {
		t.Fatalf("claimed %d renewals on their prompt day, want %d (one was claimed early)", len(renewals), n-1)
	}
	if c := r(b.Customer("T1", "C1")).must(t); c.Dates[1].Next != (model.Day{Year: 2027, Month: time.April, Day: 15}) || c.Dates[0].Next != (model.Day{}) {
		t.Errorf("after the claims: %+v; want the kickoff next year, the renewal done", c.Dates)
	}
	at := renewalAt.Add(time.Hour)
	set("C1", model.CustomerDate{Kind: model.DateRenewal, On: model.Day{Year: 2026, Month: time.June, Day: 2}})
	r(b.UpdateCustomer("", "T1", "C2", func(c *model.Customer) error { c.RemoveDate("renewal"); return nil })).must(t)
	r(b.UpdateCustomer("", "T1", "C3", func(c *model.Customer) error { c.Owner = "U2"; return nil })).must(t)
	set("C4", model.CustomerDate{Kind: model.DateRenewal, On: model.Day{Year: 2026, Month: time.June, Day: 1}}) // the same again
	for key, want := range map[string]string{"c1": "the date was changed", "c2": "the date was removed"} {
		if got := r(b.Recheck(renewals[key].ID, at)).must(t); got.State != model.NudgeDropped || got.Error != want {
			t.Errorf("%s's renewal prompt: %s (%q); want dropped, %q", key, got.State, got.Error, want)
		}
	}
	if got := r(b.Recheck(renewals["c3"].ID, at)).must(t); !got.State.Pending() || got.To != "U2" {
		t.Errorf("a prompt for a customer handed over: %+v; want pending, to U2", got)
	}
	if got := r(b.Recheck(renewals["c4"].ID, at)).must(t); !got.State.Pending() {
		t.Errorf("the same renewal set again dropped its prompt: %+v", got)
	}
	// C1's renewal moved a day: a prompt of its own, a day later.
	if got := r(b.ClaimDates(at, pol, 0)).must(t); len(got) != 0 {
		t.Errorf("the moved renewal was prompted early: %+v", got)
	}
	if got := r(b.ClaimDates(renewalAt.Add(day), pol, 0)).must(t); len(got) != 1 || got[0].Subject != "c1" {
		t.Errorf("the moved renewal's own prompt: %+v", got)
	}
	if err := b.RemoveCustomer("", "T1", "C5"); err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
	next := r(b.ClaimDates(time.Date(2027, 4, 11, 10, 0, 0, 0, time.UTC), pol, 0)).must(t)
	if len(next) != n-1 {
		t.Errorf("next year's kickoffs: %d, want %d (C5 was removed)", len(next), n-1)
	}
}

// testDateClaimLimit: limit bounds the entries of both classes together
// (renewals a notice ahead, anniversaries on their week), and what one
// call leaves, the next claims.
func testDateClaimLimit(t T, h Harness) {
	b, _ := open(t, h) // t0: Monday 2 March 2026
	for name, d := range map[string]model.CustomerDate{
		"Renews":  {Kind: model.DateRenewal, On: model.Day{Year: 2026, Month: time.March, Day: 20}},
		"Kickoff": {Kind: model.DateNamed, Name: "kickoff", On: model.Day{Month: time.March, Day: 4}},
	} {
		c := model.Customer{Team: "T1", Name: name, Owner: "U1", Tier: model.TierStandard}
		if err := c.SetDate(d, t0); err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		r(b.AddCustomer("", c)).must(t)
	}
	first := r(b.ClaimDates(t0, model.DefaultDates, 1)).must(t)
	if len(first) != 1 {
		t.Fatalf("limit 1 with a renewal and an anniversary due claimed %+v; want one", first)
	}
	second := r(b.ClaimDates(t0, model.DefaultDates, 1)).must(t)
	if len(second) != 1 || second[0].Subject == first[0].Subject {
		t.Errorf("the next call claimed %+v; want the other customer's prompt", second)
	}
	if rest := r(b.ClaimDates(t0, model.DefaultDates, 1)).must(t); len(rest) != 0 {
		t.Errorf("a third call claimed %+v; want nothing left", rest)
	}
}
