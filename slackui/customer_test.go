package slackui

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

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
	_, card := CustomerCard(c, open, touches, newYork, now)
	golden(t, "customer-card", card)
	quietOne := c
	quietOne.Name, quietOne.LastTouch = "Globex", time.Time{}
	fine := c
	fine.Name, fine.LastTouch = "Initech", now.Add(-time.Hour)
	golden(t, "customer-home", CustomerHome([]store.Customer{fine, c, quietOne}, Week{OnTime: 3, Late: 1, Touches: 4}, newYork, now))

	// Every user string is escaped wherever it is shown.
	_, list := CustomerList([]store.Customer{c}, newYork, now)
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
	_, blocks := CustomerList(cs, time.UTC, now)
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
