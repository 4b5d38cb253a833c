package storetest

import (
	"errors"
	"time"

	"github.com/keptbot/kept/model"
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
}
