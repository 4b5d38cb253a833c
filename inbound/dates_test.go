package inbound

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
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

// TestGestureClicks: Done on a gesture logs a touch only for a real date
// prompt of this workspace that suggests one, clicked by its owner (or
// an admin); a forged value, another workspace's prompt, a check-in's or
// a standard customer's prompt, or someone else's click log nothing and
// say why.
func TestGestureClicks(t *testing.T) {
	now := time.Date(2027, 3, 8, 9, 0, 0, 0, newYork)
	b, st := testBot(t, &now)
	set := now.AddDate(0, -3, 0)
	for _, c := range []store.Customer{
		{Team: "T1", Name: "Acme", Owner: "U0ANN", Tier: store.KeyTier},
		{Team: "T1", Name: "Globex", Owner: "U0ANN", Tier: store.StandardTier},
		{Team: "T2", Name: "Acme", Owner: "U0ANN", Tier: store.KeyTier},
	} {
		if err := c.SetDate(model.CustomerDate{Kind: model.DateNamed, Name: "kickoff", On: model.Day{Month: time.March, Day: 10}}, set); err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddCustomer("", c); err != nil {
			t.Fatal(err)
		}
	}
	prompts := map[string]store.Nudge{}
	ns, err := st.ClaimDates(now, model.DefaultDates, 0)
	if err != nil || len(ns) != 3 {
		t.Fatalf("claimed %v, %v", ns, err)
	}
	for _, n := range ns {
		prompts[n.Team+"/"+n.Subject] = n
	}
	checkin, err := st.AddNudge(store.Nudge{Kind: model.NudgeCheckin, Team: "T1", Subject: "acme", To: "U0ANN"})
	if err != nil {
		t.Fatal(err)
	}
	press := func(user, value string) error {
		cb := slack.InteractionCallback{Team: slack.Team{ID: "T1"}, User: slack.User{ID: user}}
		return b.gestureDone(click{ctx: context.Background(), op: "op-" + user + value, cb: cb, a: &slack.BlockAction{ActionID: slackui.ActionGestureNote, Value: value}})
	}
	id := func(n store.Nudge) string { return strconv.FormatInt(n.ID, 10) }
	for _, tc := range []struct{ name, user, value, want string }{
		{"not a number", "U0ANN", "abc", "can't find that prompt"},
		{"no such prompt", "U0ANN", "99999", "can't find that prompt"},
		{"a check-in's id", "U0ANN", id(checkin), "can't find that prompt"},
		{"another workspace's prompt", "U0ANN", id(prompts["T2/acme"]), "can't find that prompt"},
		{"a standard customer's prompt", "U0ANN", id(prompts["T1/globex"]), "suggests no gesture"},
		{"someone else", "U0BOB", id(prompts["T1/acme"]), "went to <@U0ANN>, who owns *Acme*"},
	} {
		err := press(tc.user, tc.value)
		var r refusal
		if !errors.As(err, &r) || !strings.Contains(r.text, tc.want) {
			t.Errorf("%s: %v; want a refusal with %q", tc.name, err, tc.want)
		}
	}
	for _, c := range []string{"Acme", "Globex"} {
		if ts, _ := st.Touches("T1", c, 0); len(ts) != 0 {
			t.Fatalf("refused clicks logged %+v", ts)
		}
	}
	if err := press("U0ANN", id(prompts["T1/acme"])); err != nil {
		t.Fatal(err)
	}
	if err := press("U0ANN", id(prompts["T1/acme"])); err != nil {
		t.Fatal(err)
	}
	if ts, _ := st.Touches("T1", "Acme", 0); len(ts) != 1 || ts[0].Kind != model.TouchNote || ts[0].Note != "Thank-you note: the kickoff" {
		t.Errorf("after Ann's Done, twice: %+v; want one note", ts)
	}
	if err := b.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
}
