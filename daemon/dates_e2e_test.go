package daemon_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/keptbot/kept/model"
)

// TestCustomerDatesCommand: /customer edit sets and removes a customer's
// dates that matter, says when the owner will hear of each, and shows them
// on the card; bad input gets an ephemeral refusal and changes nothing.
func TestCustomerDatesCommand(t *testing.T) {
	e := start(t) // Monday 23 Nov 2026 10:00 in Ann's New York
	e.cmd(ann, "/customer", "add Acme every 30d tier key")
	r := e.cmd(ann, "/customer", "edit Acme renewal 2027-03-01")
	if got := replyText(r); r.ResponseType != "ephemeral" || !strings.Contains(got, "Renewal: Mon 1 Mar 2027. I'll remind <@U0ANN> on Sat 30 Jan 2027.") {
		t.Fatalf("renewal answered %q (%s)", got, r.ResponseType)
	}
	r = e.cmd(ann, "/customer", `edit Acme date "kickoff anniversary" mar 14 contract start 2024-02-29`)
	for _, want := range []string{
		"Kickoff anniversary: 14 Mar, every year. I'll remind <@U0ANN> on Mon 8 Mar 2027, the week of Sun 14 Mar 2027.",
		"Contract start: Thu 29 Feb 2024, every year. I'll remind <@U0ANN> on Mon 22 Feb 2027, the week of Sun 28 Feb 2027.",
	} {
		if got := replyText(r); !strings.Contains(got, want) {
			t.Errorf("dates answered %q; want %q", got, want)
		}
	}
	c := e.customer("acme")
	if len(c.Dates) != 3 || c.Dates[0].Kind != model.DateRenewal || c.Dates[1].Kind != model.DateStart || c.Dates[2].Name != "kickoff anniversary" {
		t.Fatalf("stored dates %+v", c.Dates)
	}
	card := replyText(e.cmd(bob, "/customer", "Acme"))
	for _, want := range []string{"*Dates that matter*", "• Renewal: Mon 1 Mar 2027, in 98 days", "• Kickoff anniversary: every 14 Mar, next Sun 14 Mar 2027"} {
		if !strings.Contains(card, want) {
			t.Errorf("the card lacks %q:\n%s", want, card)
		}
	}

	before := e.customer("acme")
	for _, tc := range []struct{ user, text, want string }{
		{ann, "edit Acme renewal 2026-11-01", "That renewal date, 2026-11-01, has passed"},
		{ann, "edit Acme renewal 2027-13-01", "I can't read “2027-13-01” as a date for `renewal`"},
		{ann, "edit Acme renewal", "Give the date after `renewal`"},
		{ann, `edit Acme date "go-live day" none`, "*Acme* has no go-live day date to remove."},
		{ann, "edit Acme renewal none date renewal mar 3", "is a date of its own"},
		{ann, `edit Acme date "kickoff anniversary" feb 30`, "I can't read “feb 30” as a date"},
		{bob, "edit Acme renewal 2027-04-01", "Only <@U0ANN>, who owns *Acme*, or an admin can change"},
	} {
		r := e.cmd(tc.user, "/customer", tc.text)
		if got := replyText(r); r.ResponseType != "ephemeral" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: answered %q (%s); want %q", tc.text, got, r.ResponseType, tc.want)
		}
	}
	if after := e.customer("acme"); !reflect.DeepEqual(after.Dates, before.Dates) {
		t.Errorf("bad input changed the dates: %+v, was %+v", after.Dates, before.Dates)
	}

	r = e.cmd(ann, "/customer", `edit Acme renewal none date “Kickoff Anniversary” none`)
	if got := replyText(r); !strings.Contains(got, "Renewal removed. Kickoff Anniversary removed.") {
		t.Errorf("removal answered %q", got)
	}
	if c := e.customer("acme"); len(c.Dates) != 1 || c.Dates[0].Kind != model.DateStart {
		t.Errorf("after removing two: %+v", c.Dates)
	}
}
