package slackui

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

func TestFit(t *testing.T) {
	date := "<!date^1795816800^{date_short_pretty} at {time}|Fri 27 Nov 17:00 EST>"
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"short", "hello", 10, "hello"},
		{"exact", "hello", 5, "hello"},
		{"runes", "héllo wörld", 6, "héllo…"},
		{"entity kept whole", "ab&amp;cd", 5, "ab…"},
		{"entity fits", "ab&amp;cd", 8, "ab&amp;…"},
		{"token kept whole", "due " + date + " ok", 20, "due…"},
		{"token fits", "due " + date + " ok", 75, "due " + date + "…"},
		{"mention", "call <@U0BOB|bob> now", 12, "call…"},
		{"emoji", strings.Repeat("🙂", 10), 4, "🙂🙂🙂…"},
	}
	for _, tt := range tests {
		got := Fit(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("%s: Fit(%q, %d) = %q, want %q", tt.name, tt.in, tt.max, got, tt.want)
		}
		if n := utf8.RuneCountInString(got); n > tt.max {
			t.Errorf("%s: %d characters, over %d", tt.name, n, tt.max)
		}
	}
}

// FuzzFit: whatever the text, Fit stays within the limit, keeps valid
// UTF-8, and cuts no entity or token in two.
func FuzzFit(f *testing.F) {
	f.Add(Escape(strings.Repeat("&<>", 700)), 3000)
	f.Add("due <!date^1^{time}|x> &amp; <@U1|a>", 10)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 2 || max > 5000 || !utf8.ValidString(s) {
			return
		}
		got := Fit(s, max)
		if utf8.RuneCountInString(got) > max || !utf8.ValidString(got) {
			t.Fatalf("Fit(%q, %d) = %q", s, max, got)
		}
		body := strings.TrimSuffix(got, ellipsis)
		if got != s && !strings.HasPrefix(s, body) {
			t.Fatalf("Fit(%q, %d) = %q is not a prefix", s, max, got)
		}
		if strings.Count(body, "<") != strings.Count(body, ">") && strings.Count(s, "<") == strings.Count(s, ">") && !strings.Contains(s, "<<") && !strings.Contains(s, ">>") {
			t.Fatalf("Fit(%q, %d) = %q cut a token", s, max, got)
		}
	})
}

func TestChunksKeepEverything(t *testing.T) {
	text := Escape(strings.Repeat("&<>", 3000)) + "\nline two " + Date(time.Unix(1795816800, 0), time.Unix(1795816800, 0), newYork) + "\n" + strings.Repeat("x", 100)
	chunks := Chunks(text, MaxSectionText)
	// Chunks drops only the line breaks it cuts at.
	if strings.ReplaceAll(strings.Join(chunks, ""), "\n", "") != strings.ReplaceAll(text, "\n", "") {
		t.Fatalf("chunks lose text")
	}
	for i, c := range chunks {
		if n := utf8.RuneCountInString(c); n > MaxSectionText || n == 0 {
			t.Errorf("chunk %d has %d characters", i, n)
		}
		if strings.HasSuffix(c, "&am") || strings.HasSuffix(c, "&") {
			t.Errorf("chunk %d ends inside an entity: %q", i, c[len(c)-10:])
		}
	}
}

func TestTextMentions(t *testing.T) {
	tests := []struct{ in, dm, channel string }{
		{"ask <@U0BOB|bob> in <#C0SALES|sales>", "ask <@U0BOB|bob> in <#C0SALES|sales>", "ask @bob in #sales"},
		{"ask <@U0BOB>", "ask <@U0BOB>", "ask @U0BOB"},
		{"<!channel> <!here|here> <!subteam^S1|@team>", "&lt;!channel&gt; &lt;!here|here&gt; &lt;!subteam^S1|@team&gt;", "&lt;!channel&gt; &lt;!here|here&gt; &lt;!subteam^S1|@team&gt;"},
		{"<https://evil.example|your bank>", "&lt;https://evil.example|your bank&gt;", "&lt;https://evil.example|your bank&gt;"},
		{"<#U0BOB> <@C0SALES> AT&T", "&lt;#U0BOB&gt; &lt;@C0SALES&gt; AT&amp;T", "#U0BOB @C0SALES AT&amp;T"},
		{"<\u2060@U0BOB|bob> typed by hand", "&lt;\u2060@U0BOB|bob&gt; typed by hand", "&lt;\u2060@U0BOB|bob&gt; typed by hand"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.dm {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.dm)
		}
		if got := Unmentioned(tt.in); got != tt.channel {
			t.Errorf("Unmentioned(%q) = %q, want %q", tt.in, got, tt.channel)
		}
	}
}

func TestBoundAndAck(t *testing.T) {
	long := Escape(strings.Repeat("&<>", 700))
	var blocks []slack.Block
	for range 60 {
		blocks = append(blocks, Section(long), Header(long))
	}
	blocks = Bound(blocks, MaxMessageBlocks, "…and more in the App Home.")
	if len(blocks) != MaxMessageBlocks {
		t.Fatalf("%d blocks", len(blocks))
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n > MaxSectionText {
				t.Errorf("section of %d", n)
			}
		case *slack.HeaderBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n > MaxHeaderText {
				t.Errorf("header of %d", n)
			}
		}
	}
	text, acked := FitAck(long, blocks)
	b, _ := json.Marshal(map[string]any{"response_type": "ephemeral", "text": text, "blocks": acked})
	if len(b) > MaxAckBytes {
		t.Errorf("ack of %d bytes, over %d", len(b), MaxAckBytes)
	}
}

// ackBound never says less than the ack weighs, whatever the text:
// characters JSON escapes to six bytes, invalid UTF-8, U+2028, block
// ids, fields; and it does not guess for blocks it does not know.
func TestAckBoundIsAnUpperBound(t *testing.T) {
	texts := []string{"", "Got it", "<@U1> & <!channel>", "\x00\x01\x1f", "\xff\xfe", "\u2028\u2029", strings.Repeat("<", 500), "“quote” ✅"}
	for i, a := range texts {
		for j, b := range texts {
			section := Section(a)
			section.BlockID = b
			section.Fields = []*slack.TextBlockObject{Plain(b), slack.NewTextBlockObject(slack.MarkdownType, a+b, false, true)}
			blocks := []slack.Block{section, Context(b), slack.NewDividerBlock()}
			payload := map[string]any{"response_type": "ephemeral", "text": a + b, "blocks": blocks}
			wire, err := json.Marshal(payload)
			if err != nil {
				t.Fatal(err)
			}
			n, ok := ackBound(a+b, blocks)
			if !ok || n < len(wire) {
				t.Errorf("texts %d, %d: bound %d (ok %v) under the %d bytes marshalled", i, j, n, ok, len(wire))
			}
		}
	}
	if _, ok := ackBound("x", []slack.Block{Header("x")}); ok {
		t.Error("ackBound gave a bound for a header block, which it does not measure")
	}
}
