package inbound

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// usageRE finds the commands a help text shows: `/promise done 42`.
var usageRE = regexp.MustCompile("`(/[a-z]+)(?: ([a-z]+))?(?: ([a-z]+))?")

// TestHelpMatchesRoutes holds each command's help to its routes, both
// ways: every verb the help shows is routed as a verb (not taken as
// text), and every routed verb is in the help.
func TestHelpMatchesRoutes(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			help := c.help()
			shown := map[string]bool{}
			for _, m := range usageRE.FindAllStringSubmatch(help, -1) {
				if m[1] != c.name || m[2] == "" {
					continue
				}
				if _, ok := lookup(c.verbs, m[2]); ok {
					shown[m[2]] = true
					continue
				}
				// Not a verb: then it must be one of the examples of text.
				isExample := false
				for _, e := range c.examples {
					isExample = isExample || strings.HasPrefix(e.usage, m[1]+" "+m[2])
				}
				if !isExample {
					t.Errorf("the help shows `%s %s`, which is neither a verb nor an example", m[1], m[2])
				}
			}
			for _, v := range c.verbs {
				if !shown[v.name] {
					t.Errorf("verb %s is routed but not in the help:\n%s", v.name, help)
				}
				if v.handle == nil && v.sub == nil {
					t.Errorf("verb %s has no handler", v.name)
				}
				if !strings.HasPrefix(v.usage, c.name+" "+v.name) {
					t.Errorf("verb %s's usage %q does not start with it", v.name, v.usage)
				}
				for _, s := range v.sub {
					if s.handle == nil || !strings.Contains(subHelp("", v), s.usage) {
						t.Errorf("%s %s: sub-verb %q has no handler or is not in its help", c.name, v.name, s.name)
					}
				}
			}
			if c.text == nil || c.empty == nil {
				t.Errorf("%s has no handler for text or for no text", c.name)
			}
		})
	}
}

// TestRouteLabels: the metrics label is the verb for a verb, its alias
// included, and "text" for anything else: never what the user typed.
func TestRouteLabels(t *testing.T) {
	tests := []struct{ command, text, want string }{
		{"/promise", "", "/promise"},
		{"/promise", "LIST", "/promise list"},
		{"/promise", "done 4", "/promise done"},
		{"/promise", "Acme: call tomorrow", "/promise text"},
		{"/customer", "ls", "/customer list"},
		{"/customer", "delete Acme", "/customer remove"},
		{"/customer", "digest subscribe all", "/customer digest subscribe"},
		{"/customer", "digest", "/customer digest"},
		{"/customer", "digest whatever", "/customer digest"},
		{"/customer", "Acme", "/customer text"},
		{"/touch", "Acme called", "/touch text"},
		{"/nope", "list", "unknown_command"},
	}
	for _, tt := range tests {
		if got := kindOf(slack.SlashCommand{Command: tt.command, Text: tt.text}); got != tt.want {
			t.Errorf("kindOf(%s %q) = %q, want %q", tt.command, tt.text, got, tt.want)
		}
	}
	for id := range actions {
		cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions}
		cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: id}}
		if got := kindOf(cb); got != "block_actions:"+id {
			t.Errorf("kindOf(click %s) = %q", id, got)
		}
	}
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions}
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: "forged_<!channel>"}}
	if got := kindOf(cb); got != "block_actions:unknown" {
		t.Errorf("an unknown action id became the label %q", got)
	}
}

func TestNotAVerb(t *testing.T) {
	promise, _ := commandNamed("/promise")
	tests := []struct {
		text  string
		meant string // "" for no refusal; "?" for a refusal without a guess
	}{
		{"delete 3", "cancel"},
		{"remove #3", "cancel"},
		{"dnoe 4", "done"},
		{"DNOE 4", "done"},
		{"cancle 2", "cancel"},
		{"snoze", "snooze"},
		{"lsit", "list"},
		{"gvie 3 <@U0BOB>", "give"},
		{"modify 1 send the deck v2 tomorrow", "edit"},
		{"delete the old files tomorrow", ""},
		{"call back tomorrow 3pm", ""},
		{"done 4", ""}, // a verb itself never gets here
		{"Acme: delete 3 tomorrow", ""},
		{"dine 4 tomorrow", "done"},
		{"do 4", ""}, // too short to guess at
	}
	for _, tt := range tests {
		err := promise.notAVerb(tt.text)
		r, refused := asRefusal(err)
		switch {
		case tt.meant == "" && err != nil:
			t.Errorf("notAVerb(%q) refused: %v", tt.text, err)
		case tt.meant == "?" && (!refused || strings.Contains(r.text, "Did you mean")):
			t.Errorf("notAVerb(%q) = %v, want a refusal without a guess", tt.text, err)
		case tt.meant != "" && tt.meant != "?" && (!refused || !strings.Contains(r.text, "`/promise "+tt.meant)):
			t.Errorf("notAVerb(%q) = %v, want a guess of %s", tt.text, err, tt.meant)
		}
		if refused && (r.code != refusedInvalid || !strings.Contains(r.text, "/promise help")) {
			t.Errorf("notAVerb(%q): code %s, no help in %q", tt.text, r.code, r.text)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"done", "done", 0}, {"dnoe", "done", 1}, {"don", "done", 1}, {"doone", "done", 1}, {"dine", "done", 1}, {"snoze", "snooze", 1}, {"cancel", "list", 6}, {"", "ab", 2},
		{"ab", "", 2}, {"ca", "abc", 3}, {"abcdef", "badcfe", 3}, {"reassign", "resasign", 1},
		{strings.Repeat("ab", 20), strings.Repeat("ba", 20), 2}} // longer than the rows kept on the stack
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestOutcomeFromType: the metrics outcome comes from the refusal's code,
// not from the words of the reply, and an internal failure is "error".
func TestOutcomeFromType(t *testing.T) {
	var logs bytes.Buffer
	b := &Bot{cfg: Config{Log: slog.New(slog.NewTextHandler(&logs, nil))}}
	tests := []struct {
		err     error
		outcome string
	}{
		{nil, "ok"},
		{invalid(msgInternal), "invalid"}, // the words do not decide
		{forbidden("Only <@U1> can change it."), "forbidden"},
		{notFound("There is no promise #9 here."), "not_found"},
		{context.DeadlineExceeded, "error"},
	}
	for _, tt := range tests {
		reply, outcome := b.answer(func() *slog.Logger { return b.cfg.Log }, nil, tt.err)
		if outcome != tt.outcome {
			t.Errorf("answer(%v) outcome = %q, want %q", tt.err, outcome, tt.outcome)
		}
		if tt.err != nil && reply == nil {
			t.Errorf("answer(%v) has no reply for the user", tt.err)
		}
	}
}
