package simweb

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/clock"
	"github.com/keptbot/kept/slacksim"
)

type page struct {
	t     *testing.T
	sim   *slacksim.Server
	srv   *httptest.Server
	clock *clock.Manual
	ticks int
}

func newPage(t *testing.T) *page {
	t.Helper()
	p := &page{t: t, clock: clock.NewManual(time.Date(2026, 11, 23, 13, 55, 0, 0, time.UTC))}
	sim, err := slacksim.New(slacksim.Options{Now: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	p.sim = sim
	for _, u := range []slacksim.User{
		{ID: "U0ANN", Name: "ann", RealName: "Ann Archer", TZ: "America/New_York"},
		{ID: "U0BOB", Name: "bob", RealName: "Bob Brun", TZ: "Europe/Paris"},
		{ID: "U0CARA", Name: "cara", RealName: "Cara Diaz", TZ: "America/Chicago"},
	} {
		sim.AddUser(u)
	}
	sim.AddChannel(slacksim.Channel{ID: "C0SALES", Name: "sales", Members: []string{"U0ANN", "U0BOB", sim.BotUserID()}})
	sim.AddChannel(slacksim.Channel{ID: "C0ACME", Name: "acme-shared", Members: []string{"U0ANN", "U0CARA"}})
	w := New(sim, Options{
		Workspace: "Test", AppName: "Kept",
		People:    []Person{{ID: "U0ANN", Role: "account manager"}, {ID: "U0BOB", Role: "lead"}, {ID: "U0CARA", Role: "customer", Org: "Acme"}},
		Commands:  []Command{{Name: "/promise", Description: "Record a promise", UsageHint: "Acme: call back tomorrow"}},
		Shortcuts: []Shortcut{{Name: "Promise a follow-up", CallbackID: "promise_followup"}},
		Clock:     p.clock,
		Tick:      func(context.Context) error { p.ticks++; return nil },
	})
	p.srv = httptest.NewServer(w)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *page) state(as, conv, tab string) stateJSON {
	p.t.Helper()
	res, err := http.Get(p.srv.URL + "/api/state?as=" + as + "&conv=" + conv + "&tab=" + tab)
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	var st stateJSON
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		p.t.Fatal(err)
	}
	return st
}

func (p *page) post(path string, body map[string]any) map[string]any {
	p.t.Helper()
	b, _ := json.Marshal(body)
	res, err := http.Post(p.srv.URL+path, "application/json", strings.NewReader(string(b)))
	if err != nil {
		p.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		p.t.Fatal(err)
	}
	return out
}

func TestStateShowsWhatEachPersonSees(t *testing.T) {
	p := newPage(t)
	api := slack.New("xoxb-sim", slack.OptionAPIURL(p.sim.URL()))
	if _, err := api.PostEphemeral("C0SALES", "U0ANN", slack.MsgOptionText("for *Ann* only", false)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessage("U0ANN", slack.MsgOptionText("a DM to Ann", false)); err != nil {
		t.Fatal(err)
	}
	p.sim.PostAs("U0BOB", "C0SALES", "hello <@U0ANN>")

	ann := p.state("U0ANN", "", "")
	if ann.Conv == nil || ann.Conv.ID != "C0SALES" {
		t.Fatalf("Ann first sees %+v, want #sales, where the app is", ann.Conv)
	}
	if len(ann.Messages) != 2 || !strings.Contains(ann.Messages[0].HTML, "Only visible to you") || !strings.Contains(ann.Messages[0].HTML, "<b>Ann</b>") {
		t.Errorf("Ann's #sales: %+v", ann.Messages)
	}
	if !strings.Contains(ann.Messages[1].HTML, "s-mention-me") {
		t.Errorf("Ann's own mention is not highlighted: %s", ann.Messages[1].HTML)
	}
	if len(ann.Apps) != 1 || ann.Apps[0].Count != 1 || len(ann.Commands) != 1 || len(ann.Shortcuts) != 1 {
		t.Errorf("Ann's apps %+v, commands %v, shortcuts %v", ann.Apps, ann.Commands, ann.Shortcuts)
	}
	bob := p.state("U0BOB", "C0SALES", "")
	if len(bob.Messages) != 1 {
		t.Errorf("Bob sees %d messages in #sales, want 1 (Ann's ephemeral is hers)", len(bob.Messages))
	}
	if dm := p.state("U0BOB", "@app", ""); dm.Conv == nil || dm.Conv.Kind != "app" || len(dm.Messages) != 0 {
		t.Errorf("Bob's Kept DM: %+v, %d messages", dm.Conv, len(dm.Messages))
	}
	if dm := p.state("U0BOB", ann.Apps[0].ID, ""); dm.Conv == nil || dm.Conv.ID == ann.Apps[0].ID {
		t.Errorf("Bob can open Ann's DM: %+v", dm.Conv)
	}
	cara := p.state("U0CARA", "", "")
	if len(cara.Apps) != 0 || len(cara.Commands) != 0 || len(cara.Shortcuts) != 0 || len(cara.Channels) != 1 || !cara.Channels[0].Shared {
		t.Errorf("the customer sees apps %v, commands %v, shortcuts %v, channels %+v", cara.Apps, cara.Commands, cara.Shortcuts, cara.Channels)
	}
	if cara.Clock.Text != "Mon 23 Nov 2026, 7:55 AM CST" || ann.Clock.Text != "Mon 23 Nov 2026, 8:55 AM EST" {
		t.Errorf("clocks: Cara %q, Ann %q", cara.Clock.Text, ann.Clock.Text)
	}
	if res, _ := http.Get(p.srv.URL + "/api/state?as=U0NOBODY"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a stranger's state: %d", res.StatusCode)
	}
}

// TestThreads: replies are drawn under the message they answer, which
// says how many it has, whatever came in between.
func TestThreads(t *testing.T) {
	p := newPage(t)
	ctx := context.Background()
	parent, err := p.sim.Say(ctx, "U0CARA", "C0ACME", "can you send the price list?")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.sim.Say(ctx, "U0ANN", "C0ACME", "unrelated"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.sim.Reply(ctx, "U0ANN", "C0ACME", parent.TS, "on its way"); err != nil {
		t.Fatal(err)
	}
	st := p.state("U0ANN", "C0ACME", "")
	if len(st.Messages) != 3 {
		t.Fatalf("%d messages", len(st.Messages))
	}
	for i, want := range []string{"price list", "on its way", "unrelated"} {
		if !strings.Contains(st.Messages[i].HTML, want) {
			t.Errorf("message %d is not %q: %s", i, want, st.Messages[i].HTML)
		}
	}
	if !strings.Contains(st.Messages[0].HTML, `class="msg-replies">1 reply`) || !strings.Contains(st.Messages[1].HTML, "msg-reply") {
		t.Errorf("the thread is not drawn as one:\n%s\n%s", st.Messages[0].HTML, st.Messages[1].HTML)
	}
	if !strings.Contains(st.Messages[0].HTML, `class="msg-org">🏢 Acme`) {
		t.Errorf("the customer's message does not say where she is from: %s", st.Messages[0].HTML)
	}
}

func TestSend(t *testing.T) {
	p := newPage(t)
	dm := p.state("U0ANN", "", "").Apps[0].ID
	for _, tt := range []struct {
		as, conv, text, notice string
	}{
		{"U0ANN", "C0SALES", "/nosuch thing", "/nosuch is not a valid command."},
		{"U0CARA", "C0ACME", "/promise Acme: call", "/promise is not a valid command."},
		{"U0ANN", dm, "hello Kept", "Sending messages to this app has been turned off."},
		{"U0BOB", "C0ACME", "let me in", "You are not in that conversation."},
		{"U0ANN", "C0SALES", "/promise Acme: call back", "/promise failed with the error"}, // no app is connected
	} {
		out := p.post("/api/send", map[string]any{"as": tt.as, "conv": tt.conv, "text": tt.text})
		if n, _ := out["notice"].(string); !strings.HasPrefix(n, tt.notice) {
			t.Errorf("%s in %s: %q answers %v, want a notice %q", tt.as, tt.conv, tt.text, out, tt.notice)
		}
	}
	// In #acme-shared, where no app waits for the message event.
	p.post("/api/send", map[string]any{"as": "U0ANN", "conv": "C0ACME", "text": "thanks @cara & <all> (@nobody, cc:@ann)"})
	msgs := p.sim.Messages()
	if got := msgs[len(msgs)-1]; got.User != "U0ANN" || got.Text != "thanks <@U0CARA> &amp; &lt;all&gt; (@nobody, cc:@ann)" {
		t.Errorf("posted %q by %s", got.Text, got.User)
	}
	p.post("/api/send", map[string]any{"as": "U0ANN", "conv": "C0ACME", "text": "(@ann) first, see #sales. Thanks @cara."})
	if got := p.sim.Messages(); got[len(got)-1].Text != "(<@U0ANN>) first, see <#C0SALES>. Thanks <@U0CARA>." {
		t.Errorf("posted %q", got[len(got)-1].Text)
	}
}

func TestMoveClock(t *testing.T) {
	p := newPage(t)
	start := p.clock.Now()
	for _, tt := range []struct {
		body   map[string]any
		notice string
		moved  time.Duration
	}{
		{map[string]any{"as": "U0ANN", "advance": "10m"}, "", 10 * time.Minute},
		{map[string]any{"as": "U0ANN", "advance": "1w"}, "", 7*24*time.Hour + 10*time.Minute},
		{map[string]any{"as": "U0ANN", "advance": "3y"}, "Move the clock by", 7*24*time.Hour + 10*time.Minute},
		{map[string]any{"as": "U0ANN", "to": "2026-11-20T09:00"}, "That is in the past", 7*24*time.Hour + 10*time.Minute},
		{map[string]any{"as": "U0ANN", "to": "soon"}, "Pick a date", 7*24*time.Hour + 10*time.Minute},
		// 9:00 on 1 Dec in Paris, Bob's zone, is 8:00 UTC.
		{map[string]any{"as": "U0BOB", "to": "2026-12-01T09:00"}, "", time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).Sub(start)},
	} {
		out := p.post("/api/clock", tt.body)
		if n, _ := out["notice"].(string); !strings.HasPrefix(n, tt.notice) || (tt.notice == "") != (n == "") {
			t.Errorf("%v answers %v, want notice %q", tt.body, out, tt.notice)
		}
		if got := p.clock.Now().Sub(start); got != tt.moved {
			t.Errorf("after %v the clock moved %v, want %v", tt.body, got, tt.moved)
		}
	}
	if p.ticks != 3 {
		t.Errorf("%d ticks after three moves", p.ticks)
	}
}

func TestEventsStreamChanges(t *testing.T) {
	p := newPage(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.srv.URL+"/api/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	lines := bufio.NewScanner(res.Body)
	next := func() string {
		for lines.Scan() {
			if l := lines.Text(); l != "" {
				return l
			}
		}
		t.Fatalf("the stream ended: %v", lines.Err())
		return ""
	}
	if l := next(); l != "data: 0" {
		t.Fatalf("first event %q", l)
	}
	p.sim.PostAs("U0ANN", "C0SALES", "hi")
	if l := next(); l != "data: 1" {
		t.Errorf("after a message: %q", l)
	}
	p.post("/api/clock", map[string]any{"as": "U0ANN", "advance": "1h"})
	if l := next(); l != "data: 2" {
		t.Errorf("after the clock moved: %q", l)
	}
}

// TestOnlyThePageActs: another site open in the same browser cannot drive
// the workspace with a form post or a cross-origin fetch.
func TestOnlyThePageActs(t *testing.T) {
	p := newPage(t)
	body := `{"as":"U0ANN","advance":"1w"}`
	for name, req := range map[string]func() *http.Request{
		"a form post": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/clock", strings.NewReader(body))
			r.Header.Set("Content-Type", "text/plain")
			return r
		},
		"another origin": func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/clock", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Origin", "http://evil.example")
			return r
		},
	} {
		res, err := http.DefaultClient.Do(req())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, res.StatusCode)
		}
	}
	if p.ticks != 0 {
		t.Error("the clock moved")
	}
	r, _ := http.NewRequest(http.MethodPost, p.srv.URL+"/api/clock", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", p.srv.URL)
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || p.ticks != 1 {
		t.Errorf("the page's own request: %d, %d ticks", res.StatusCode, p.ticks)
	}
}

func TestPageIsServedFromTheBinary(t *testing.T) {
	p := newPage(t)
	for path, want := range map[string]string{
		"/":                "<title>Kept sim</title>",
		"/assets/app.js":   "EventSource",
		"/assets/app.css":  ".s-btn-primary",
		"/favicon.ico":     "<svg",
		"/assets/nope.css": "404",
	} {
		res, err := http.Get(p.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = bufio.NewReader(res.Body).WriteTo(&b)
		res.Body.Close()
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s: %d, lacks %q", path, res.StatusCode, want)
		}
	}
}
