package slackui

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares v, as indented JSON, with testdata/name.golden.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got := rawJSON(t, v, "  ")
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./slackui -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

// rawJSON is v as Slack receives it: without Go's HTML escaping, so that
// what is checked is what is sent.
func rawJSON(t *testing.T, v any, indent string) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	// slack-go's own MarshalJSON methods escape HTML; undo it, since the
	// characters mean the same in JSON and are what Slack reads.
	return []byte(strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(buf.String()))
}

var newYork, _ = time.LoadLocation("America/New_York")

func samplePromise() store.Promise {
	return store.Promise{
		Team: "T1", ID: 42, Text: "send the renewal quote", Customer: "Acme & Sons",
		Owner: "U0ANN", Creator: "U0BOB", Channel: "C1",
		Permalink: "https://kept-sim.slack.com/archives/C1/p1700000000000100",
		Due:       time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC),
		Created:   time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC),
		State:     store.Open, Zone: "America/New_York",
	}
}

func TestReminderGolden(t *testing.T) {
	now := time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	kept := samplePromise()
	kept.State, kept.KeptAt, kept.OnTime = store.Kept, now.Add(5*time.Minute), true
	tests := []struct {
		name    string
		p       store.Promise
		overdue bool
		now     time.Time
	}{
		{"reminder", samplePromise(), false, now},
		{"overdue", samplePromise(), true, now.Add(26 * time.Hour)},
		{"reminder-kept", kept, false, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, blocks := Reminder(tt.p, tt.overdue, newYork, tt.now)
			golden(t, tt.name, map[string]any{"text": text, "blocks": blocks})
		})
	}
}

func TestHomeGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	late, today, later := samplePromise(), samplePromise(), samplePromise()
	late.ID, late.Due = 1, now.Add(-2*time.Hour)
	today.ID, today.Due = 2, now.Add(3*time.Hour)
	later.ID, later.Due = 3, now.Add(72*time.Hour)
	golden(t, "home", Home([]store.Promise{late, today, later}, newYork, now))
}

// TestInjectionIsInert checks that nothing a user types can ping a channel
// or a group or pass for a link: every <, > and & reaches Slack escaped,
// except a user mention picked in Slack, which shows as one (in a message
// only its reader sees, where it notifies nobody).
func TestInjectionIsInert(t *testing.T) {
	p := samplePromise()
	p.Text = "<!channel> <!here> <!subteam^S123|team> <@U999|boss> <https://evil.example|click> & co"
	p.Customer = "<!everyone>"
	now := p.Due
	fallback, blocks := Reminder(p, false, newYork, now)
	blocks = append(blocks, Section(fallback)) // notifications show the fallback
	_, confirm := Confirmation(p, p.Owner, newYork, now)
	_, list := PromiseList(ListPage{Title: yourTitle, Shown: []store.Promise{p}, Total: 1}, newYork, now)
	_, detail := PromiseDetail(p, newYork, now)
	home := Home([]store.Promise{p}, newYork, now).Blocks.BlockSet
	for name, bs := range map[string][]slack.Block{"reminder": blocks, "confirmation": confirm, "list": list, "home": home, "detail": detail} {
		raw := rawJSON(t, bs, "")
		var s string
		for _, frag := range []string{"<!channel>", "<!here>", "<!subteam", "<!everyone>", "<https://evil"} {
			if strings.Contains(string(raw), frag) {
				s += " " + frag
			}
		}
		if s != "" {
			t.Errorf("%s lets through:%s", name, s)
		}
		if !strings.Contains(string(raw), "&lt;!channel&gt;") {
			t.Errorf("%s does not show the text escaped", name)
		}
		if !strings.Contains(string(raw), "<@U999|boss>") {
			t.Errorf("%s does not show the mention as one", name)
		}
	}
}

func TestSlackDate(t *testing.T) {
	due := time.Date(2027, 3, 14, 13, 0, 0, 0, time.UTC) // 9:00 EDT, the first day of DST
	tests := []struct {
		now  time.Time
		want string
	}{
		{time.Date(2027, 1, 2, 9, 0, 0, 0, newYork), "<!date^1805029200^{date_short_pretty} at {time}|Sun 14 Mar 09:00 EDT>"},
		// Not this year: the fallback, which notifications show, says which.
		{time.Date(2026, 12, 1, 9, 0, 0, 0, newYork), "<!date^1805029200^{date_short_pretty} at {time}|Sun 14 Mar 2027 09:00 EDT>"},
	}
	for _, tt := range tests {
		if got := Date(due, tt.now, newYork); got != tt.want {
			t.Errorf("Date(%v) = %q, want %q", tt.now, got, tt.want)
		}
	}
	if got := Day(due, time.Date(2026, 12, 1, 9, 0, 0, 0, newYork), newYork); got != "<!date^1805029200^{date_short_pretty}|Sun 14 Mar 2027>" {
		t.Errorf("Day = %q", got)
	}
}

// TestNextYearConfirmation: a promise due next year says so in the
// confirmation's fallback text and blocks.
// TestZoneGuessGolden: a confirmation whose time was read in the
// workspace's zone says so, for a promise of one's own and for someone
// else's.
func TestZoneGuessGolden(t *testing.T) {
	p := samplePromise()
	_, own := Confirmation(p, p.Owner, time.UTC, p.Due.Add(-time.Hour))
	_, other := Confirmation(p, "U0BOB", time.UTC, p.Due.Add(-time.Hour))
	golden(t, "confirmation-zone-guess", WithZoneGuess(own, p, p.Owner, time.UTC))
	golden(t, "confirmation-zone-guess-other", WithZoneGuess(other, p, "U0BOB", time.UTC))
}

func TestNextYearConfirmation(t *testing.T) {
	p := samplePromise()
	p.Due = time.Date(2027, 1, 5, 14, 0, 0, 0, time.UTC)
	now := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	fallback, blocks := Confirmation(p, p.Owner, newYork, now)
	if !strings.Contains(fallback, "Tue 5 Jan 2027 09:00 EST") || !strings.Contains(string(rawJSON(t, blocks, "")), "Tue 5 Jan 2027") {
		t.Errorf("confirmation %q, %s does not show the year", fallback, rawJSON(t, blocks, ""))
	}
	fallback, _ = Confirmation(p, p.Owner, newYork, p.Due.Add(-time.Hour))
	if strings.Contains(fallback, "2027") {
		t.Errorf("confirmation %q shows this year", fallback)
	}
}

func TestListAndDetailGolden(t *testing.T) {
	now := time.Date(2026, 11, 28, 15, 0, 0, 0, time.UTC)
	late, later := samplePromise(), samplePromise()
	late.ID, later.ID, later.Due = 7, 9, now.Add(48*time.Hour)
	q := ListQuery{Owner: "U0BOB", Overdue: false, Customer: "Acme & Sons"}
	more := ListCursor{Query: q, Offset: ListPageSize}.String()
	text, blocks := PromiseList(ListPage{Title: ListTitle(q, "U0ANN"), Shown: []store.Promise{late, later}, Total: 22, More: more}, newYork, now)
	golden(t, "list-page", map[string]any{"text": text, "blocks": blocks})

	p := samplePromise()
	p.History = []store.Event{
		{At: p.Created, Kind: "created", By: "U0BOB"},
		{At: p.Created.Add(time.Hour), Kind: "snoozed", By: "U0ANN", Detail: "from " + p.Due.Add(-24*time.Hour).Format(time.RFC3339)},
		{At: p.Created.Add(2 * time.Hour), Kind: "reassigned", By: "U0BOB", Detail: "U0CID → U0ANN"},
		{At: p.Created.Add(3 * time.Hour), Kind: "edited", By: "U0ANN", Detail: "<!channel> text"},
		{At: p.Created.Add(4 * time.Hour), Kind: "snoozed", By: "U0ANN", Detail: "until " + p.Due.Add(-2*time.Hour).Format(time.RFC3339)},
		{At: p.Created.Add(5 * time.Hour), Kind: "moved", By: "U0ANN", Detail: "from " + p.Due.Add(-24*time.Hour).Format(time.RFC3339) + " to " + p.Due.Format(time.RFC3339)},
		{At: p.Due, Kind: "reminded"},
		{At: p.Due.Add(time.Hour), Kind: "overdue"},
	}
	text, blocks = PromiseDetail(p, newYork, now)
	golden(t, "detail", map[string]any{"text": text, "blocks": blocks})
}

func TestListCursorRoundTrip(t *testing.T) {
	for _, c := range []ListCursor{
		{},
		{Offset: 40, Query: ListQuery{ByMe: true, Overdue: true}},
		{Offset: 20, Query: ListQuery{Owner: "U0BOB", Customer: "Acme | Sons"}},
	} {
		got, ok := ParseListCursor(c.String())
		if !ok || got != c {
			t.Errorf("ParseListCursor(%q) = %+v, %v; want %+v", c.String(), got, ok, c)
		}
	}
	for _, bad := range []string{"", "x|||", "-1|||", "20|o|U1"} {
		if _, ok := ParseListCursor(bad); ok {
			t.Errorf("ParseListCursor(%q) accepted", bad)
		}
	}
}

// TestNote: a touch's note is escaped user text, except that a Slack
// permalink ending it (a message in a customer channel) is a link with
// readable text, and only a permalink: nothing in it can close or forge
// markup.
func TestNote(t *testing.T) {
	const link = "https://acme.slack.com/archives/C0SHARED/p1795446000000100"
	for _, tt := range []struct{ note, want string }{
		{"Wrote in <#C0SHARED>: " + link, "Wrote in <#C0SHARED> (<" + link + "|message>)"},
		{"Wrote in <#C0SHARED>: " + link + "?thread_ts=1795446000.000100&cid=C0SHARED", "Wrote in <#C0SHARED> (<" + link + "?thread_ts=1795446000.000100&amp;cid=C0SHARED|message>)"},
		{"<!channel> & co: " + link, "&lt;!channel&gt; &amp; co (<" + link + "|message>)"},
		{"called: " + link + "|click>", "called: " + link + "|click&gt;"},
		{"called: https://evil.example/<!here>", "called: https://evil.example/&lt;!here&gt;"},
		{"called <@U0BOB> about it", "called <@U0BOB> about it"},
	} {
		if got := Note(tt.note, 0); got != tt.want {
			t.Errorf("Note(%q) = %q, want %q", tt.note, got, tt.want)
		}
	}
	// Clipped, the link stays whole.
	long := strings.Repeat("x", 300) + ": " + link
	if got := Note(long, 50); !strings.HasSuffix(got, "… (<"+link+"|message>)") || utf8.RuneCountInString(got) > 50+len(link)+20 {
		t.Errorf("clipped: %q", got)
	}
}
