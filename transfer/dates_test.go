package transfer

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// TestDatesCSV: a customer's dates that matter go out in the dates column
// and come back as they were; a file without the column leaves them, and
// a damaged cell or a date the model refuses is a clear error.
func TestDatesCSV(t *testing.T) {
	src := open(t)
	c := store.Customer{Team: "T1", Name: "Acme", Owner: "U0ANN"}
	for _, d := range []model.CustomerDate{
		{Kind: model.DateRenewal, On: model.Day{Year: 2027, Month: time.March, Day: 1}},
		{Kind: model.DateNamed, Name: "kickoff, \"the\" anniversary", On: model.Day{Month: time.February, Day: 29}},
	} {
		if err := c.SetDate(d, t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := src.AddCustomer("", c); err != nil {
		t.Fatal(err)
	}
	csv := exportAs(t, src, "csv", Customers)
	if !strings.Contains(string(csv), `""kind"":""renewal""`) {
		t.Fatalf("the export has no dates:\n%s", csv)
	}
	dst := open(t)
	if _, err := importInto(t, dst, "customers.csv", csv); err != nil {
		t.Fatal(err)
	}
	got, err := dst.Customer("T1", "acme")
	if err != nil || len(got.Dates) != 2 || got.Dates[0] != c.Dates[0] || got.Dates[1] != c.Dates[1] {
		t.Fatalf("imported %+v, %v; want %+v", got.Dates, err, c.Dates)
	}
	if _, err := importInto(t, dst, "owners.csv", []byte("team,name,owner\nT1,Acme,U0BOB\n")); err != nil {
		t.Fatal(err)
	}
	if got, _ := dst.Customer("T1", "acme"); got.Owner != "U0BOB" || len(got.Dates) != 2 {
		t.Errorf("a file without dates: %+v", got)
	}
	for cell, want := range map[string]string{
		`"[{"`:                       "dates is not the JSON list",
		`"[{""kind"":""renewal""}]"`: "not a date",
	} {
		_, err := importInto(t, dst, "bad.csv", []byte("team,name,owner,dates\nT1,Acme,U0ANN,"+cell+"\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("dates %s: %v; want %q", cell, err, want)
		}
	}
}
