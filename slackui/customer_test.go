package slackui

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

func sampleCustomer() store.Customer {
	created := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	return store.Customer{
		Team: "T1", Name: "Acme & <Sons> 🚀", Owner: "U0ANN", Tier: store.KeyTier, Cadence: 14 * day,
		Notes: "Renewal in March. <!channel>", Created: created,
		LastTouch: time.Date(2026, 11, 7, 15, 0, 0, 0, time.UTC), LastNote: "they open an office in Lyon <!here>", LastBy: "U0BOB",
		NextPrompt: time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC),
	}
}

func TestCustomerGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	c := sampleCustomer()
	_, checkin := Checkin(c, 7, newYork, now)
	golden(t, "checkin", checkin)
	open := []store.Promise{samplePromise()}
	touches := []store.Touch{
		{Team: "T1", Customer: c.Name, By: "U0BOB", At: c.LastTouch, Kind: "call", Note: c.LastNote},
		{Team: "T1", Customer: c.Name, By: "U0ANN", At: c.Created.Add(48 * time.Hour), Kind: "promise", Note: "send the deck"},
	}
	_, card := CustomerCard(c, model.HealthGoingQuiet, model.ReasonOverdue, open, touches, newYork, now)
	golden(t, "customer-card", card)
	quietOne := c
	quietOne.Name, quietOne.LastTouch = "Globex", time.Time{}
	fine := c
	fine.Name, fine.LastTouch = "Initech", now.Add(-time.Hour)
	all := []store.Customer{fine, c, quietOne}
	health := model.TeamHealth(all, nil, nil, newYork, now)
	golden(t, "customer-home", CustomerHome(all, health, Week{OnTime: 3, Late: 1, Touches: 4}, newYork, now))

	// Every user string is escaped wherever it is shown.
	_, list := CustomerList([]store.Customer{c}, health, CustomerQuery{}, newYork, now)
	for name, blocks := range map[string][]slack.Block{"checkin": checkin, "card": card, "list": list} {
		raw := string(rawJSON(t, blocks, ""))
		for _, bad := range []string{"<!channel>", "<!here>", "<Sons>"} {
			if strings.Contains(raw, bad) {
				t.Errorf("%s carries %s unescaped", name, bad)
			}
		}
	}
}

func TestCustomerList(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	mk := func(name string, cadence time.Duration, lastAgo time.Duration) store.Customer {
		return store.Customer{Name: name, Owner: "U0ANN", Cadence: cadence, Created: now.Add(-100 * day), LastTouch: now.Add(-lastAgo)}
	}
	cs := []store.Customer{
		mk("Never", 0, 50*day),
		mk("Due soon", 14*day, 10*day),   // due in 4 days
		mk("Very late", 14*day, 40*day),  // 26 days overdue
		mk("A bit late", 30*day, 31*day), // 1 day overdue
	}
	health := model.TeamHealth(cs, nil, nil, time.UTC, now)
	_, blocks := CustomerList(cs, health, CustomerQuery{}, time.UTC, now)
	text := blocksText(blocks)
	order := []string{"Very late", "A bit late", "Due soon", "Never"}
	last := -1
	for _, name := range order {
		i := strings.Index(text, "*"+name+"*")
		if i < last {
			t.Errorf("%s is out of order in\n%s", name, text)
		}
		last = i
	}
	if !strings.Contains(text, "26 days overdue") {
		t.Errorf("list does not say how overdue:\n%s", text)
	}
}

func blocksText(blocks []slack.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		if s, ok := bl.(*slack.SectionBlock); ok && s.Text != nil {
			b.WriteString(s.Text.Text + "\n")
		}
	}
	return b.String()
}

// TestCustomerListByHealth: `/customer list by health` puts the worst
// first, `/customer list neglected` keeps only those, and each line shows
// the health with the badge every surface uses.
func TestCustomerListByHealth(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	mk := func(name string, cadence time.Duration, lastAgo time.Duration) store.Customer {
		return store.Customer{Name: name, Owner: "U0ANN", Cadence: cadence, Created: now.Add(-100 * day), LastTouch: now.Add(-lastAgo)}
	}
	cs := []store.Customer{
		mk("Fine", 14*day, day),
		mk("Soon", 14*day, 13*day),
		mk("Quiet", 14*day, 20*day),
		mk("Late promise", 60*day, day),
		mk("Silent", 14*day, 40*day),
	}
	late := store.Promise{Customer: "late PROMISE", State: store.Open, Due: now.Add(-3 * day)}
	health := model.TeamHealth(cs, nil, []store.Promise{late}, time.UTC, now)
	tests := []struct {
		q    CustomerQuery
		want []string // in order
		not  []string
	}{
		{CustomerQuery{ByHealth: true}, []string{"Silent", "Late promise", "Quiet", "Soon", "Fine"}, nil},
		{CustomerQuery{Health: model.HealthNeglected}, []string{"Silent", "Late promise"}, []string{"Quiet", "Soon", "Fine"}},
		{CustomerQuery{Health: model.HealthDueSoon}, []string{"Soon"}, []string{"Quiet", "Silent", "Fine"}},
	}
	for _, tt := range tests {
		t.Run(tt.q.String(), func(t *testing.T) {
			_, blocks := CustomerList(cs, health, tt.q, time.UTC, now)
			text := blocksText(blocks)
			last := -1
			for _, name := range tt.want {
				i := strings.Index(text, "*"+name+"*")
				if i < 0 || i < last {
					t.Errorf("%s missing or out of order in\n%s", name, text)
				}
				last = i
			}
			for _, name := range tt.not {
				if strings.Contains(text, "*"+name+"*") {
					t.Errorf("%s should not be listed:\n%s", name, text)
				}
			}
		})
	}
	_, blocks := CustomerList(cs, health, CustomerQuery{}, time.UTC, now)
	if text := blocksText(blocks); !strings.Contains(text, "*Silent* · 🔴 neglected") || !strings.Contains(text, "*Fine* · 🟢 on track") {
		t.Errorf("lines do not carry the health badge:\n%s", text)
	}
	none := []store.Customer{mk("Fine", 14*day, day)}
	_, blocks = CustomerList(none, model.TeamHealth(none, nil, nil, time.UTC, now), CustomerQuery{Health: model.HealthNeglected}, time.UTC, now)
	if text := blocksText(blocks); !strings.Contains(text, "No customer is 🔴 neglected") {
		t.Errorf("an empty filter says nothing useful:\n%s", text)
	}
}

func TestParseCustomerQuery(t *testing.T) {
	tests := []struct {
		in   string
		want CustomerQuery
		ok   bool
	}{
		{"", CustomerQuery{}, true},
		{"by health", CustomerQuery{ByHealth: true}, true},
		{"  By   Health ", CustomerQuery{ByHealth: true}, true},
		{"neglected", CustomerQuery{Health: model.HealthNeglected}, true},
		{"going quiet", CustomerQuery{Health: model.HealthGoingQuiet}, true},
		{"going-quiet", CustomerQuery{Health: model.HealthGoingQuiet}, true},
		{"quiet", CustomerQuery{Health: model.HealthGoingQuiet}, true},
		{"due soon", CustomerQuery{Health: model.HealthDueSoon}, true},
		{"on track", CustomerQuery{Health: model.HealthOnTrack}, true},
		{"sad", CustomerQuery{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseCustomerQuery(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCustomerQuery(%q) = %+v, %v", tt.in, got, ok)
		}
		if ok {
			if back, _ := ParseCustomerQuery(got.String()); back != got {
				t.Errorf("%q does not round-trip: %+v", tt.in, back)
			}
		}
	}
	if o, q, ok := ParsePageValue(PageValue(25, "going quiet")); o != 25 || q != "going quiet" || !ok {
		t.Errorf("page value round trip = %d %q %v", o, q, ok)
	}
	if o, q, ok := ParsePageValue("25"); o != 25 || q != "" || !ok {
		t.Errorf("an old page value = %d %q %v", o, q, ok)
	}
}

// TestCustomerFormGolden: the customer form, empty for /customer add and
// filled for /customer edit, its linked channels preselected.
func TestCustomerFormGolden(t *testing.T) {
	golden(t, "customer-form-new", CustomerForm(store.Customer{Owner: "U0ANN", Tier: store.StandardTier}, nil, true, "meta"))
	c := sampleCustomer()
	edit := CustomerForm(c, []string{"C0ACME", "G0ACMEPRIV"}, false, "meta")
	golden(t, "customer-form-edit", edit)
	// The name is shown in mrkdwn, escaped; the notes are a plain_text
	// input's value, kept as typed (a plain_text input shows no mention).
	raw := string(rawJSON(t, edit, ""))
	if strings.Contains(raw, "<Sons>") || !strings.Contains(raw, `"initial_value":"Renewal in March. <!channel>"`) {
		t.Errorf("the edit form escapes the wrong field: %s", raw)
	}
	noCadence := c
	noCadence.Cadence = 0
	if raw := string(rawJSON(t, CustomerForm(noCadence, nil, false, ""), "")); !strings.Contains(raw, `"initial_value":"never"`) {
		t.Errorf("a customer without check-ins shows no \"never\": %s", raw)
	}
}
