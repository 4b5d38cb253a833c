package slackui

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
	"github.com/keptbot/kept/workhours"
)

// datedCustomer is sampleCustomer with one date of each kind, set on 23
// November 2026.
func datedCustomer(t *testing.T) store.Customer {
	t.Helper()
	c := sampleCustomer()
	set := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	for _, d := range []model.CustomerDate{
		{Kind: model.DateRenewal, On: model.Day{Year: 2027, Month: time.March, Day: 1}},
		{Kind: model.DateStart, On: model.Day{Year: 2024, Month: time.February, Day: 29}},
		{Kind: model.DateGoLive, On: model.Day{Year: 2026, Month: time.December, Day: 1}},
		{Kind: model.DateNamed, Name: "Kickoff <!here> anniversary", On: model.Day{Month: time.March, Day: 14}},
	} {
		if err := c.SetDate(d, set); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestCustomerCardDatesGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	c := datedCustomer(t)
	_, card := CustomerCard(c, model.HealthDueSoon, model.ReasonDateSoon, nil, nil, newYork, now)
	golden(t, "customer-card-dates", card)
	text := blocksText(card)
	for _, want := range []string{
		"• Renewal: Mon 1 Mar 2027, in 98 days",
		"• Contract start: Thu 29 Feb 2024; 3 years on Sun 28 Feb 2027, in 97 days",
		"• Go-live: Tue 1 Dec, in 8 days",
		"• Kickoff &lt;!here&gt; anniversary: every 14 Mar, next Sun 14 Mar 2027, in 111 days",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the card lacks %q:\n%s", want, text)
		}
	}
}

func TestDatePromptGolden(t *testing.T) {
	now := time.Date(2027, 3, 8, 14, 0, 0, 0, time.UTC) // Monday 9:00 in New York
	c := datedCustomer(t)
	kickoff, _ := c.Date("kickoff <!here> anniversary")
	renewal, _ := c.Date("renewal")
	start, _ := c.Date("contract start")
	open := []store.Promise{samplePromise()}
	// A key customer's anniversary: the gesture and its buttons.
	_, gesture := DatePromptMessage(DatePrompt{Customer: c, Date: kickoff, On: model.Day{Year: 2027, Month: time.March, Day: 14}, Open: open, Nudge: 9}, newYork, now)
	golden(t, "date-prompt-gesture", gesture)
	if raw := string(rawJSON(t, gesture, "")); !strings.Contains(raw, `"action_id":"gesture_note","value":"9"`) || !strings.Contains(raw, `"action_id":"gesture_call","value":"9"`) || !strings.Contains(raw, "small gesture") || strings.Contains(raw, "<!here>") {
		t.Errorf("the gesture prompt:\n%s", raw)
	}
	// A renewal, a month ahead: no gesture, the context.
	_, renew := DatePromptMessage(DatePrompt{Customer: c, Date: renewal, On: renewal.On}, newYork, time.Date(2027, 1, 29, 14, 0, 0, 0, time.UTC))
	golden(t, "date-prompt-renewal", renew)
	if text := string(rawJSON(t, renew, "")); !strings.Contains(text, "renews on Mon 1 Mar (in 31 days)") || strings.Contains(text, "gesture_") {
		t.Errorf("the renewal prompt:\n%s", text)
	}
	// A standard customer's anniversary: a reason to call, no buttons.
	std := c
	std.Tier = model.TierStandard
	_, plain := DatePromptMessage(DatePrompt{Customer: std, Date: start, On: model.Day{Year: 2027, Month: time.February, Day: 28}}, newYork, time.Date(2027, 2, 22, 14, 0, 0, 0, time.UTC))
	golden(t, "date-prompt-anniversary", plain)
	if text := string(rawJSON(t, plain, "")); !strings.Contains(text, "3 years since Acme &amp; &lt;Sons&gt; 🚀's contract start:* Sun 28 Feb (in 6 days)") || strings.Contains(text, "gesture_") {
		t.Errorf("the anniversary prompt:\n%s", text)
	}
	_, done := GestureDone(DatePrompt{Customer: c, Date: kickoff, On: model.Day{Year: 2027, Month: time.March, Day: 14}, Nudge: 9}, model.TouchCall, "U0BOB", newYork, now)
	golden(t, "date-prompt-gesture-done", done)
	if text := string(rawJSON(t, done, "")); !strings.Contains(text, "✅ *Done*: a call to say thanks, logged as a touch by <@U0BOB>.") || strings.Contains(text, "gesture_") {
		t.Errorf("the gesture done:\n%s", text)
	}
}

// TestDateSetGolden: the answers to `/customer edit Acme renewal …` and
// the like, one section each (a payload slacktypes checks).
func TestDateSetGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	c := datedCustomer(t)
	var blocks []slack.Block
	texts := map[string]string{}
	for _, d := range c.Dates {
		text := DateSet(c, d, "U0BOB", model.DefaultDates, workhours.Default, newYork, now)
		texts[d.Key()] = text
		blocks = append(blocks, Section(text))
	}
	blocks = append(blocks, Section(DateRemoved(model.CustomerDate{Kind: model.DateNamed, Name: "Board <!here> review"})))
	golden(t, "date-set", map[string]any{"text": texts["renewal"], "blocks": blocks})
	for key, want := range map[string]string{
		"renewal":                     "Renewal: Mon 1 Mar 2027. I'll remind <@U0ANN> on Mon 1 Feb 2027.",
		"go-live":                     "Go-live: Tue 1 Dec, every year. I'll remind <@U0ANN> on Mon 30 Nov, the week of Tue 1 Dec.",
		"kickoff <!here> anniversary": "Kickoff &lt;!here&gt; anniversary: 14 Mar, every year. I'll remind <@U0ANN> on Mon 8 Mar 2027, the week of Sun 14 Mar 2027.",
	} {
		if texts[key] != want {
			t.Errorf("%s: %q; want %q", key, texts[key], want)
		}
	}
	// Within the week of an anniversary (or a renewal's notice), today.
	late := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	golive, _ := c.Date("go-live")
	if got := DateSet(c, golive, "U0BOB", model.DefaultDates, workhours.Default, newYork, late); !strings.HasSuffix(got, "I'll remind <@U0ANN> today, the week of Tue 1 Dec.") {
		t.Errorf("on the day: %q", got)
	}
	// After working hours, the next working day.
	evening := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC) // 18:00 in New York
	if got := DateSet(c, golive, "U0BOB", model.DefaultDates, workhours.Default, newYork, evening); !strings.HasSuffix(got, "I'll remind <@U0ANN> on Wed 2 Dec, the week of Tue 1 Dec.") {
		t.Errorf("in the evening: %q", got)
	}
}

// TestCustomerFormDatesGolden: the edit form shows a customer's dates,
// which `/customer edit` changes.
func TestCustomerFormDatesGolden(t *testing.T) {
	v := CustomerForm(datedCustomer(t), nil, false, "meta")
	golden(t, "customer-form-dates", v)
	raw := string(rawJSON(t, v, ""))
	if !strings.Contains(raw, "Dates that matter: Renewal Mon 1 Mar 2027 · Contract start Thu 29 Feb 2024 · Go-live Tue 1 Dec 2026 · Kickoff &lt;!here&gt; anniversary every 14 Mar.") {
		t.Errorf("the form's dates:\n%s", raw)
	}
}
