package inbound

import (
	"strings"
	"testing"

	"github.com/keptbot/kept/model"
)

func TestParseDateOptions(t *testing.T) {
	tests := []struct {
		in    string
		name  string
		dates []dateEdit
		bad   string // part of the refusal
	}{
		{in: "edit Acme renewal 2027-03-01", name: "Acme", dates: []dateEdit{{date: model.CustomerDate{Kind: model.DateRenewal, On: model.Day{Year: 2027, Month: 3, Day: 1}}}}},
		{in: `edit Acme date "kickoff anniversary" mar 14`, name: "Acme", dates: []dateEdit{{date: model.CustomerDate{Kind: model.DateNamed, Name: "kickoff anniversary", On: model.Day{Month: 3, Day: 14}}}}},
		{in: `edit "Acme Corp" contract start 14 march 2024 go-live 2024-06-01 every 30d`, name: "Acme Corp", dates: []dateEdit{
			{date: model.CustomerDate{Kind: model.DateStart, On: model.Day{Year: 2024, Month: 3, Day: 14}}},
			{date: model.CustomerDate{Kind: model.DateGoLive, On: model.Day{Year: 2024, Month: 6, Day: 1}}},
		}},
		{in: "edit Acme Corp renewal none", name: "Acme Corp", dates: []dateEdit{{date: model.CustomerDate{Kind: model.DateRenewal}, remove: true}}},
		{in: `edit Acme date “kickoff anniversary” none`, name: "Acme", dates: []dateEdit{{date: model.CustomerDate{Kind: model.DateNamed, Name: "kickoff anniversary"}, remove: true}}},
		{in: "edit Acme date kickoff feb 29", name: "Acme", dates: []dateEdit{{date: model.CustomerDate{Kind: model.DateNamed, Name: "kickoff", On: model.Day{Month: 2, Day: 29}}}}},
		{in: "add Acme renewal 2027-03-01 tier key", name: "Acme", dates: []dateEdit{{date: model.CustomerDate{Kind: model.DateRenewal, On: model.Day{Year: 2027, Month: 3, Day: 1}}}}},
		{in: "edit Acme renewal 2027-13-01", bad: "can't read “2027-13-01” as a date for `renewal`"},
		{in: "edit Acme renewal", bad: "Give the date after `renewal`"},
		{in: "edit Acme renewal tier key", bad: "can't read “tier key”"},
		{in: `edit Acme date "kickoff mar 14`, bad: "Name the date in quotes"},
		{in: "edit Acme date", bad: "Name the date in quotes"},
		{in: "edit renewal 2027-03-01", bad: "needs quotes"},
	}
	for _, tc := range tests {
		a, err := parseCustomerArgs(tc.in)
		if tc.bad != "" {
			if err == nil || !strings.Contains(err.Error(), tc.bad) {
				t.Errorf("%q: %+v, %v; want a refusal with %q", tc.in, a, err, tc.bad)
			}
			continue
		}
		if err != nil || a.name != tc.name || a.form || len(a.dates) != len(tc.dates) {
			t.Errorf("%q: %+v, %v; want %s with %+v", tc.in, a, err, tc.name, tc.dates)
			continue
		}
		for i := range tc.dates {
			if a.dates[i] != tc.dates[i] {
				t.Errorf("%q: date %d is %+v; want %+v", tc.in, i, a.dates[i], tc.dates[i])
			}
		}
	}
}
