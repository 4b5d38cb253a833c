package inbound

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/cadence"
	"github.com/keptbot/kept/slackui"
	"github.com/keptbot/kept/store"
)

const unitDay = 24 * time.Hour

func TestParseCadence(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration // -1: an error
	}{
		{"every 14d", 14 * unitDay},
		{"every 2w", 14 * unitDay},
		{"every 3 months", 90 * unitDay},
		{"Every 3 Months", 90 * unitDay},
		{"every  1   day", unitDay},
		{"every month", 30 * unitDay},
		{"every week", 7 * unitDay},
		{"every fortnight", 14 * unitDay},
		{"every quarter", 90 * unitDay},
		{"every 2 years", 730 * unitDay},
		{"every 1y", 365 * unitDay},
		{"14d", 14 * unitDay},
		{"monthly", 30 * unitDay},
		{"weekly", 7 * unitDay},
		{"never", 0},
		{"NEVER", 0},
		{"every 0d", -1},
		{"every 0 weeks", -1},
		{"every 3 years", -1},
		{"every 1000 days", -1},
		{"every 99999999999999999999d", -1},
		{"every 12h", -1},
		{"every 3 fortnights", -1}, // not a unit it knows
		{"every -3d", -1},
		{"every", -1},
		{"sometimes", -1},
		{"every 2.5w", -1},
		{"", -1},
	}
	for _, tt := range tests {
		got, err := parseCadence(tt.in)
		switch {
		case tt.want < 0 && err == nil:
			t.Errorf("parseCadence(%q) = %v, want an error", tt.in, got)
		case tt.want < 0:
			var user refusal
			if !errors.As(err, &user) || !strings.Contains(err.Error(), "every 14d") && !strings.Contains(err.Error(), "2 years") {
				t.Errorf("parseCadence(%q) error %q does not show the right form", tt.in, err)
			}
		case err != nil:
			t.Errorf("parseCadence(%q): %v", tt.in, err)
		case got != tt.want:
			t.Errorf("parseCadence(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseCustomerArgs(t *testing.T) {
	tests := []struct {
		in      string
		want    customerArgs
		wantErr string
	}{
		{in: "", want: customerArgs{verb: "help"}},
		{in: "help", want: customerArgs{verb: "help"}},
		{in: "LIST", want: customerArgs{verb: "list"}},
		{in: "Acme", want: customerArgs{verb: "show", name: "Acme"}},
		{in: "  Acme   Corp ", want: customerArgs{verb: "show", name: "Acme   Corp"}},
		{in: "show List", want: customerArgs{verb: "show", name: "List"}},
		{in: "add Acme every 14d tier key owner <@U0ANN|ann>", want: customerArgs{verb: "add", name: "Acme", cadence: 14 * unitDay, setCadence: true, tier: store.KeyTier, owner: "U0ANN"}},
		{in: "add Acme Corp every 3 months", want: customerArgs{verb: "add", name: "Acme Corp", cadence: 90 * unitDay, setCadence: true}},
		{in: "add Acme never", want: customerArgs{verb: "add", name: "Acme", setCadence: true}},
		{in: "add Acme", want: customerArgs{verb: "add", name: "Acme"}},
		{in: "add Acme notes big renewal in March; ask for Jo", want: customerArgs{verb: "add", name: "Acme", notes: "big renewal in March; ask for Jo", setNotes: true}},
		{in: `add "Never Ltd" every week`, want: customerArgs{verb: "add", name: "Never Ltd", cadence: 7 * unitDay, setCadence: true}},
		{in: "add “Tier One” tier standard", want: customerArgs{verb: "add", name: "Tier One", tier: store.StandardTier}},
		{in: "add Tier One", wantErr: "needs quotes"},
		{in: "add Acme & <Sons> 🚀 every 2w", want: customerArgs{verb: "add", name: "Acme & <Sons> 🚀", cadence: 14 * unitDay, setCadence: true}},
		{in: "edit acme every 30d", want: customerArgs{verb: "edit", name: "acme", cadence: 30 * unitDay, setCadence: true}},
		{in: "edit acme owner <@U0BOB>", want: customerArgs{verb: "edit", name: "acme", owner: "U0BOB"}},
		{in: "remove Acme Corp", want: customerArgs{verb: "remove", name: "Acme Corp"}},
		{in: "add", want: customerArgs{verb: "add", form: true}},
		{in: "add every 14d", wantErr: "Which customer?"},
		{in: "add Never Ltd every 2w", want: customerArgs{verb: "add", name: "Never Ltd", cadence: 14 * unitDay, setCadence: true}},
		{in: "add Acme every 0d", wantErr: "A cadence of 0"},
		{in: "add Acme every", wantErr: "couldn't read"},
		{in: "add Acme tier gold", wantErr: "`key` or `standard`"},
		{in: "add Acme owner ann", wantErr: "@-mention"},
		{in: "add Acme owner <@U0ANN|ann>x", wantErr: "@-mention"},
		{in: "add Acme every 2w please", wantErr: "didn't understand “please”"},
		{in: "add " + strings.Repeat("x", 200), wantErr: "200 characters long"},
		{in: "add " + strings.Repeat("é", 81), wantErr: "81 characters long"},
		{in: "edit Acme", want: customerArgs{verb: "edit", name: "Acme", form: true}},
		{in: "edit Acme channel <#C0ACME|acme-shared>", want: customerArgs{verb: "edit", name: "Acme", channels: []string{"C0ACME"}}},
		{in: "edit Acme channels <#C0ACME|acme-shared> <#G0PRIV> every 7d", want: customerArgs{verb: "edit", name: "Acme", channels: []string{"C0ACME", "G0PRIV"}, cadence: 7 * unitDay, setCadence: true}},
		{in: "add Acme channel <#C0ACME|acme-shared>", want: customerArgs{verb: "add", name: "Acme", channels: []string{"C0ACME"}}},
		{in: `add "Channel Partners" tier key`, want: customerArgs{verb: "add", name: "Channel Partners", tier: store.KeyTier}},
		{in: "edit Acme channel acme-shared", wantErr: "Name the channel with a #"},
		{in: "edit Acme channel", wantErr: "Name the channel with a #"},
		{in: "edit Acme channel <@U0BOB>", wantErr: "Name the channel with a #"},
		{in: "remove", wantErr: "Which customer?"},
		{in: `remove "Acme" now`, wantErr: "didn't understand “now”"},
		{in: "add Acme notes " + strings.Repeat("n", 2001), wantErr: "under 2000"},
		// A name cut at a capitalised option word that may be part of it:
		// the refusal says to quote it; a lower-case one reads as meant.
		{in: "edit Acme Contract Services every 30d", wantErr: "If “Acme Contract Services” is the customer's name, put it in quotes: `/customer edit \"Acme Contract Services\" …`."},
		{in: "add Big Date Co every 14d", wantErr: "`/customer add \"Big Date Co\" …`"},
		{in: "add Acme Tier One Systems", wantErr: "`/customer add \"Acme Tier One Systems\" …`"},
		{in: "add Acme tier gold", wantErr: "`key` or `standard`, as in `tier key`."},
	}
	for _, tt := range tests {
		got, err := parseCustomerArgs(tt.in)
		if tt.wantErr != "" {
			var user refusal
			if !errors.As(err, &user) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseCustomerArgs(%.40q) error = %v, want one saying %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseCustomerArgs(%.40q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseCustomerArgs(%.40q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

var customerSeeds = []string{
	"add Acme every 14d tier key owner <@U0ANN|ann>", "add Acme", "Acme", "list", "help", "",
	"edit Acme every 30d", "remove Acme", `add "Never Ltd" never`, "add <!channel> & <!here>",
	"add Acme every 0d", "add " + strings.Repeat("x", 200), "add 🚀 every 2 weeks notes <@U0BOB> hi",
	"add Acme every 99999999999999999999 days", "add “unclosed every 3 months", "edit Acme owner <@U0GONE>",
	"digest", "show \x00", "add a\tb every 1 day",
}

// FuzzCustomerArgs feeds arbitrary /customer arguments to the parser and
// then to the whole command handler. The parser either refuses with a
// message for the user or returns a name and options within bounds; the
// handler never panics, always answers ephemerally and never lets user
// text carry a special mention.
func FuzzCustomerArgs(f *testing.F) {
	for _, s := range customerSeeds {
		f.Add(s)
	}
	b, _ := fuzzBot(f)
	n := 0
	f.Fuzz(func(t *testing.T, text string) {
		a, err := parseCustomerArgs(text)
		if err != nil {
			var user refusal
			if !errors.As(err, &user) {
				t.Errorf("%q: error %v is not for the user", text, err)
			}
		} else {
			switch a.verb {
			case "add", "edit", "show", "remove":
				if a.form && a.verb == "add" && a.name == "" {
					break // the empty form: it names the customer
				}
				if store.CustomerKey(a.name) == "" || utf8.RuneCountInString(a.name) > maxName {
					t.Errorf("%q: name %q", text, a.name)
				}
			case "help", "list":
			default:
				t.Errorf("%q: verb %q", text, a.verb)
			}
			if a.setCadence && a.cadence != 0 && (a.cadence < cadence.Min || a.cadence > cadence.Max) {
				t.Errorf("%q: cadence %v", text, a.cadence)
			}
			if a.tier != "" && a.tier != store.KeyTier && a.tier != store.StandardTier {
				t.Errorf("%q: tier %q", text, a.tier)
			}
			if a.owner != "" && !mention.MatchString("<@"+a.owner+">") {
				t.Errorf("%q: owner %q", text, a.owner)
			}
		}
		n++
		cmd := slack.SlashCommand{TeamID: "T1", ChannelID: "C1", UserID: "U0ANN", Command: "/customer", Text: text, TriggerID: "1.2.3"}
		checkReply(t, text, b.reply(context.Background(), "fuzz-"+strings.Repeat("x", n%3)+text, cmd))
	})
}

var newYork, _ = time.LoadLocation("America/New_York")

// testBot is a Bot on a fresh database with Slack answering yes, at now.
func testBot(t *testing.T, now *time.Time) (*Bot, *store.Bolt) {
	t.Helper()
	st, err := store.New(filepath.Join(t.TempDir(), "kept.db"), store.Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b := New(st, fuzzSlack{}, nil, Config{Now: func() time.Time { return *now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return b, st
}

func (b *Bot) run(text, command string) string {
	cmd := slack.SlashCommand{TeamID: "T1", ChannelID: "C1", UserID: "U0ANN", Command: command, Text: text, TriggerID: "1.2.3"}
	reply, _ := b.reply(context.Background(), "", cmd).(map[string]any)
	s, _ := reply["text"].(string)
	return s
}

func TestTouchCommand(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, newYork)
	b, st := testBot(t, &now)
	for _, name := range []string{"Acme", "Acme Labs", "Globex & <Co>"} {
		if _, err := st.AddCustomer("", store.Customer{Team: "T1", Name: name, Owner: "U0ANN", Cadence: 14 * unitDay}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		text, want, customer, note string
	}{
		{"acme called just to talk; they open an office in Lyon", "Logged a touch with *Acme*", "Acme", "called just to talk; they open an office in Lyon"},
		{"Acme Labs: demo went well", "*Acme Labs*", "Acme Labs", "demo went well"},
		{"GLOBEX & <co> — lunch", "*Globex &amp; &lt;Co&gt;*", "Globex & <Co>", "lunch"},
		{`"Acme" lunch`, "*Acme*", "Acme", "lunch"},
		{"Initech called", "I don't know a customer called *Initech*", "", ""},
		{"", "Log a contact", "", ""},
	}
	for _, tt := range tests {
		if got := b.run(tt.text, "/touch"); !strings.Contains(got, tt.want) {
			t.Errorf("/touch %s = %q, want %q", tt.text, got, tt.want)
		}
		if tt.customer == "" {
			continue
		}
		ts, err := st.Touches("T1", tt.customer, 1)
		if err != nil || len(ts) != 1 || ts[0].Note != tt.note || ts[0].By != "U0ANN" || ts[0].Kind != "call" {
			t.Errorf("/touch %s stored %+v, %v; want note %q", tt.text, ts, err, tt.note)
		}
		now = now.Add(time.Minute)
	}
}

func TestKnownCustomer(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, newYork)
	b, st := testBot(t, &now)
	for _, name := range []string{"Acme", "Acme Labs", "Smith-Jones"} {
		if _, err := st.AddCustomer("", store.Customer{Team: "T1", Name: name, Owner: "U0ANN"}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ named, text, want string }{
		{"ACME", "send the quote", "Acme"},
		{"Initech", "send the quote", "Initech"},
		{"", "call acme labs back tomorrow", "Acme Labs"},
		{"", "call Acme, then lunch", "Acme"},
		{"", "call Acmeville", ""},
		{"", "quote for smith-jones, friday", "Smith-Jones"},
	}
	for _, tt := range tests {
		if got := b.knownCustomer("T1", tt.named, tt.text); got != tt.want {
			t.Errorf("knownCustomer(%q, %q) = %q, want %q", tt.named, tt.text, got, tt.want)
		}
	}
}
func TestCadenceText(t *testing.T) {
	tests := map[time.Duration]string{
		0: "no check-ins", unitDay: "every day", 14 * unitDay: "every 14 days", 30 * unitDay: "every month",
		90 * unitDay: "every 3 months", 365 * unitDay: "every year", 730 * unitDay: "every 2 years", 45 * unitDay: "every 45 days",
	}
	for d, want := range tests {
		if got := slackui.CadenceText(d); got != want {
			t.Errorf("slackui.CadenceText(%v) = %q, want %q", d, got, want)
		}
		// What is shown reads back as the same cadence.
		if d > 0 {
			if back, err := parseCadence(want); err != nil || back != d {
				t.Errorf("parseCadence(%q) = %v, %v; want %v", want, back, err, d)
			}
		}
	}
}

// TestQuoteHintOnlyForCapitals: an option word typed in lower case is an
// option, so its refusal does not suggest it was part of the name.
func TestQuoteHintOnlyForCapitals(t *testing.T) {
	for _, in := range []string{"add Acme tier gold", "edit Acme renewal soon"} {
		if _, err := parseCustomerArgs(in); err == nil || strings.Contains(err.Error(), "put it in quotes") {
			t.Errorf("parseCustomerArgs(%q) = %v; want a refusal without the quoting hint", in, err)
		}
	}
}
