package simweb

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func testViewer(t *testing.T, zone string, now time.Time) viewer {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{"U0ANN": "Ann Archer", "U0BOB": "Bob Brun"}
	return viewer{
		user: "U0ANN", loc: loc, now: now,
		name: func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			return id
		},
		channel: func(id string) string { return map[string]string{"C1": "sales"}[id] },
	}
}

func TestMrkdwn(t *testing.T) {
	now := time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC) // Mon 9:00 in New York
	v := testViewer(t, "America/New_York", now)
	for _, tt := range []struct{ in, want string }{
		{"*bold* and _italic_ and ~gone~", "<b>bold</b> and <i>italic</i> and <s>gone</s>"},
		{"2*3*4 stays", "2*3*4 stays"},
		{"*#42* for *Acme &amp; Sons*", "<b>#42</b> for <b>Acme &amp; Sons</b>"},
		{"a &lt;b&gt; tag", "a &lt;b&gt; tag"},
		{"<script>", `<a class="s-link" href="script" target="_blank" rel="noopener">script</a>`},
		{"run `/promise list` now", `run <code class="s-code">/promise list</code> now`},
		{"`*not bold*`", `<code class="s-code">*not bold*</code>`},
		{"hi <@U0BOB>", `hi <span class="s-mention" data-user="U0BOB">@Bob Brun</span>`},
		{"*<@U0ANN>*", `<b><span class="s-mention s-mention-me" data-user="U0ANN">@Ann Archer</span></b>`},
		{"<@U0BOB|bob> typed", `<span class="s-mention" data-user="U0BOB">@Bob Brun</span> typed`},
		{"in <#C1>", `in <span class="s-mention s-channel">#sales</span>`},
		{"<!here> look", `<span class="s-mention s-mention-me">@here</span> look`},
		{"<https://example.com/a?b=1&amp;c=2|the link>", `<a class="s-link" href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener">the link</a>`},
		{"line one\nline two", "line one<br>line two"},
		{"&gt; quoted\nnot", `<blockquote class="s-quote">quoted</blockquote><br>not`},
		{":white_check_mark: done :nosuch:", "✅ done :nosuch:"},
		{`"><img src=x onerror=alert(1)>`, `&#34;&gt;<a class="s-link" href="img src=x onerror=alert(1)" target="_blank" rel="noopener">img src=x onerror=alert(1)</a>`},
	} {
		if got := v.mrkdwn(tt.in); got != tt.want {
			t.Errorf("mrkdwn(%q)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

// TestDateTokens: the same instant reads differently in each viewer's
// zone, and "today" is the viewer's today, across a DST change too.
func TestDateTokens(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	due := at("2026-11-23T14:05:00Z") // 9:05 in New York, 15:05 in Paris, 19:35 in Kolkata
	for _, tt := range []struct {
		zone, now, format, want string
	}{
		{"America/New_York", "2026-11-23T14:00:00Z", "{date_short_pretty} at {time}", "Today at 9:05 AM"},
		{"Europe/Paris", "2026-11-23T14:00:00Z", "{date_short_pretty} at {time}", "Today at 3:05 PM"},
		{"Asia/Kolkata", "2026-11-23T14:00:00Z", "{date_short_pretty} at {time}", "Today at 7:35 PM"},
		{"America/New_York", "2026-11-22T14:00:00Z", "due {date_short_pretty}", "due tomorrow"},
		{"America/New_York", "2026-11-24T14:00:00Z", "{date_pretty}", "Yesterday"},
		{"America/New_York", "2026-11-30T14:00:00Z", "{date_short_pretty} at {time}", "Nov 23, 2026 at 9:05 AM"},
		{"America/New_York", "2026-11-30T14:00:00Z", "{date_long}", "Monday, November 23rd, 2026"},
		{"America/New_York", "2026-11-30T14:00:00Z", "{date} {date_num} {time_secs}", "November 23rd, 2026 2026-11-23 9:05:00 AM"},
		{"America/New_York", "2026-11-23T15:05:00Z", "{ago}", "1 hour ago"},
		{"America/New_York", "2026-11-23T14:05:00Z", "{unknown} stays", "{unknown} stays"},
		// Sunday 1 Nov 2026, the day New York falls back: 9:05 EST is still "today" at 0:30 EDT.
		{"America/New_York", "2026-11-01T04:30:00Z", "{date_short_pretty} at {time}", "Today at 9:05 AM"},
	} {
		loc, _ := time.LoadLocation(tt.zone)
		d := due
		if strings.HasPrefix(tt.now, "2026-11-01") {
			d = at("2026-11-01T14:05:00Z")
		}
		if got := formatDate(d, tt.format, loc, at(tt.now)); got != tt.want {
			t.Errorf("%s at %s: %q = %q, want %q", tt.zone, tt.now, tt.format, got, tt.want)
		}
	}
	v := testViewer(t, "Europe/Paris", at("2026-11-23T14:00:00Z"))
	got := v.mrkdwn("Due <!date^1795442700^{date_short_pretty} at {time}|Mon 23 Nov 09:05 EST>")
	if !strings.Contains(got, ">Today at 3:05 PM</time>") {
		t.Errorf("a date token for a Paris viewer: %s", got)
	}
	if got := v.mrkdwn("<!date^nope^{time}|the fallback>"); got != "the fallback" {
		t.Errorf("a bad date token shows %q, want its fallback", got)
	}
}

// TestBlocksGolden draws Kept's reminder and Home tab and compares the
// HTML with testdata; -update rewrites it.
func TestBlocksGolden(t *testing.T) {
	v := testViewer(t, "America/New_York", time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC))
	s := surface{viewer: v, people: []option{{Text: text{Text: "Ann Archer"}, Value: "U0ANN"}, {Text: text{Text: "Bob Brun"}, Value: "U0BOB"}}}
	for _, name := range []string{"reminder", "home"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var spec struct {
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(raw, &spec); err != nil {
			t.Fatal(err)
		}
		got, err := s.blocks(spec.Blocks)
		if err != nil {
			t.Fatal(err)
		}
		got = strings.ReplaceAll(got, `<div class="s-block`, "\n"+`<div class="s-block`) + "\n"
		path := filepath.Join("testdata", name+".golden.html")
		if *update {
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("%s: the HTML differs from %s (run with -update and review the diff):\n%s", name, path, got)
		}
	}
}

func TestElements(t *testing.T) {
	s := surface{viewer: testViewer(t, "UTC", time.Now()), people: []option{{Text: text{Text: "Bob Brun"}, Value: "U0BOB"}}}
	for _, tt := range []struct {
		name, json string
		want       []string
	}{
		{"section with fields and a button", `[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"},"fields":[{"type":"mrkdwn","text":"a"},{"type":"plain_text","text":"b"}],"accessory":{"type":"button","text":{"type":"plain_text","text":"Go"},"action_id":"go","value":"v","style":"danger"}}]`,
			[]string{`<b>hi</b>`, `class="s-fields"`, `class="s-btn s-btn-danger"`, `data-action="go"`, `data-value="v"`, `data-block="sim0"`}},
		{"overflow", `[{"type":"actions","block_id":"b1","elements":[{"type":"overflow","action_id":"more","options":[{"text":{"type":"plain_text","text":"Edit"},"value":"e"}]}]}]`,
			[]string{`class="s-overflow"`, `data-block="b1"`, `&#34;text&#34;:&#34;Edit&#34;`}},
		{"static select with an initial option", `[{"type":"actions","elements":[{"type":"static_select","action_id":"s","placeholder":{"type":"plain_text","text":"Pick"},"initial_option":{"text":{"type":"plain_text","text":"One"},"value":"1"},"options":[{"text":{"type":"plain_text","text":"One"},"value":"1"}]}]}]`,
			[]string{`data-selected="1"`, `<span class="s-select-label">One</span>`}},
		{"users select lists the people", `[{"type":"actions","elements":[{"type":"users_select","action_id":"u","placeholder":{"type":"plain_text","text":"Reassign…"}}]}]`,
			[]string{`s-select-empty`, `Reassign…`, `&#34;value&#34;:&#34;U0BOB&#34;`}},
		{"input blocks keep state", `[{"type":"input","block_id":"date","label":{"type":"plain_text","text":"Due date"},"element":{"type":"datepicker","action_id":"value","initial_date":"2026-11-24"}},{"type":"input","block_id":"t","optional":true,"label":{"type":"plain_text","text":"Time"},"hint":{"type":"plain_text","text":"your zone"},"element":{"type":"timepicker","action_id":"value","initial_time":"09:00"}}]`,
			[]string{`type="date"`, `value="2026-11-24"`, `data-state="1"`, `type="time"`, `(optional)`, `class="s-hint">your zone`, `data-optional="false"`}},
		{"text input", `[{"type":"input","block_id":"what","label":{"type":"plain_text","text":"What?"},"element":{"type":"plain_text_input","action_id":"value","multiline":true,"max_length":300,"initial_value":"a <b>"}}]`,
			[]string{`<textarea`, `maxlength="300"`, `a &lt;b&gt;</textarea>`}},
		{"header, divider, context", `[{"type":"header","text":{"type":"plain_text","text":"Kept digest"}},{"type":"divider"},{"type":"context","elements":[{"type":"mrkdwn","text":"_small_"},{"type":"image","image_url":"https://x/y.png","alt_text":"logo"}]}]`,
			[]string{`data-block="sim0">Kept digest</div>`, `<hr>`, `<i>small</i>`, `🖼 logo`}},
		{"multi select", `[{"type":"input","block_id":"m","label":{"type":"plain_text","text":"Who"},"element":{"type":"multi_users_select","action_id":"v","initial_users":["U0BOB"]}}]`,
			[]string{`<select multiple`, `<option value="U0BOB" selected>Bob Brun</option>`}},
		{"an unknown block says so", `[{"type":"video"}]`, []string{`[video block]`}},
	} {
		got, err := s.blocks(json.RawMessage(tt.json))
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %s:\n%s", tt.name, w, got)
			}
		}
	}
	if _, err := s.blocks(json.RawMessage(`{"not":"a list"}`)); err == nil {
		t.Error("blocks that are not a list were drawn")
	}
}
