package slackui

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/digest"
	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

func TestMention(t *testing.T) {
	tests := []struct {
		name, id, user, channel string
	}{
		{"user", "U0ANN", "<@U0ANN>", "U0ANN"},
		{"enterprise user", "W0ANN", "<@W0ANN>", "W0ANN"},
		{"channel", "C0SALES", "C0SALES", "<#C0SALES>"},
		{"private channel", "G0SALES", "G0SALES", "<#G0SALES>"},
		{"empty", "", "", ""},
		{"closes the mention", "U0NOPE> <!channel", "U0NOPE&gt; &lt;!channel", "U0NOPE&gt; &lt;!channel"},
		{"a label", "U0ANN|boss", "U0ANN|boss", "U0ANN|boss"},
		{"lower case", "u0ann", "u0ann", "u0ann"},
		{"a special mention", "!here", "!here", "!here"},
		{"trailing space", "C0SALES ", "C0SALES ", "C0SALES "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MentionUser(tt.id); got != tt.user {
				t.Errorf("MentionUser(%q) = %q, want %q", tt.id, got, tt.user)
			}
			if got := MentionChannel(tt.id); got != tt.channel {
				t.Errorf("MentionChannel(%q) = %q, want %q", tt.id, got, tt.channel)
			}
		})
	}
}

// TestRogueIDsPingNobody renders every surface that names a person or a
// channel from records whose ids are not ids (as an import once brought
// in): nothing may come out as a live mention.
func TestRogueIDsPingNobody(t *testing.T) {
	const user, channel = "U0NOPE> <!channel", "C0NOPE> <!here"
	now := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	loc := time.UTC
	p := store.Promise{Team: "T1", ID: 7, Text: "send the quote", Customer: "Acme", Owner: user, Creator: user,
		Channel: channel, Due: now.Add(-time.Hour), Created: now.Add(-48 * time.Hour), State: store.Open,
		History: []store.Event{{At: now.Add(-48 * time.Hour), Kind: "created", By: user}, {At: now.Add(-time.Hour), Kind: "reassigned", By: user, Detail: user + " → " + user}}}
	c := store.Customer{Team: "T1", Name: "Acme", Owner: user, LastBy: user, LastNote: "called", Tier: store.KeyTier,
		Cadence: 14 * 24 * time.Hour, Created: now.AddDate(0, -3, 0), LastTouch: now.AddDate(0, 0, -20)}
	w := store.Wait{Team: "T1", Customer: "Acme", Channel: channel, By: user, At: now.Add(-5 * time.Hour)}
	blocks := func(_ string, b []slack.Block) any { return b }
	surfaces := map[string]any{
		"reminder":      blocks(Reminder(p, true, loc, now)),
		"with touch":    blocks(ReminderWithTouch(p, c, false, loc, now)),
		"confirmation":  blocks(Confirmation(p, "U0ANN", loc, now)),
		"zone guessed":  func() any { _, b := Confirmation(p, "U0ANN", loc, now); return WithZoneGuess(b, p, "U0ANN", loc) }(),
		"detail":        blocks(PromiseDetail(p, loc, now)),
		"list":          blocks(PromiseList(ListPage{Title: ListTitle(ListQuery{Owner: user}, "U0ANN"), Shown: []store.Promise{p}, Total: 1}, loc, now)),
		"card":          blocks(CustomerCard(c, model.HealthNeglected, model.ReasonLatePromise, []store.Promise{p}, []store.Touch{{Team: "T1", Customer: "Acme", By: user, At: now, Kind: "call"}}, loc, now)),
		"customer list": blocks(CustomerList([]store.Customer{c}, map[string]model.Standing{"acme": {Health: model.HealthNeglected, Why: model.ReasonLatePromise}}, CustomerQuery{}, loc, now)),
		"team view": TeamView(Team{Late: []store.Promise{p}, Customers: []TeamCustomer{{Customer: c, Health: model.HealthNeglected}},
			Waiting: []TeamWait{{Wait: w, Owner: user}}, Scores: []OwnerScore{{Owner: user, Weeks: make([]digest.Score, 5)}}, Starts: digest.WeekStarts(now, loc, 4)}, loc, now).Blocks.BlockSet,
		"checkin":      blocks(Checkin(c, 1, loc, now)),
		"waiting":      blocks(WaitingDM(w, loc, now)),
		"question":     blocks(ChannelQuestion(channel, "", []store.Customer{c})),
		"listen lines": ListenLines([]string{channel}, store.Heard{At: now, By: user, Channel: channel}, []store.Wait{w}, loc, now),
		"digest": blocks(DigestBlocks(digest.Digest{Now: now,
			Quiet:   []digest.CustomerRow{{Name: "Acme", Owner: user, Touched: true, Since: 20 * 24 * time.Hour, Cadence: 14 * 24 * time.Hour}},
			Late:    []digest.LateRow{{ID: 7, Owner: user, Text: "x", Due: now.Add(-time.Hour)}},
			Waiting: []digest.WaitRow{{Customer: "Acme", Owner: user, By: user, Channel: channel, At: now.Add(-time.Hour)}},
		}, loc)),
	}
	for name, s := range surfaces {
		for _, text := range mrkdwnTexts(t, s) {
			for _, live := range []string{"<!channel", "<!here", "<@U0NOPE", "<#C0NOPE"} {
				if strings.Contains(text, live) {
					t.Errorf("%s renders %q from a rogue id: %s", name, live, text)
				}
			}
		}
	}
}

// mrkdwnTexts is every "text" string in v's JSON (a block id or a button
// value is not shown, so cannot ping), and every string if v is a list of
// lines.
func mrkdwnTexts(t *testing.T, v any) []string {
	if lines, ok := v.([]string); ok {
		return lines
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(js, &tree); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(n any) {
		switch n := n.(type) {
		case map[string]any:
			for k, v := range n {
				if s, ok := v.(string); ok && k == "text" {
					out = append(out, s)
				}
				walk(v)
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(tree)
	if len(out) == 0 {
		t.Fatalf("no text in %s", js)
	}
	return out
}

// TestNoMentionOutsideSlackui fails on a mention written by hand (a
// "<@" or "<#" in a string literal) anywhere in Kept's own code but
// mention.go: MentionUser and MentionChannel are the one way to write
// one. Patterns that read mentions (regexp.MustCompile) are allowed; the
// simulator renders Slack's side and is not Kept's output.
func TestNoMentionOutsideSlackui(t *testing.T) {
	root := filepath.Join("..")
	skip := map[string]bool{"slacksim": true, "simweb": true, "testdata": true, "slacktypes": true, "node_modules": true}
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (skip[d.Name()] || (strings.HasPrefix(d.Name(), ".") && path != root)):
			return filepath.SkipDir
		case d.IsDir(), !strings.HasSuffix(path, ".go"), strings.HasSuffix(path, "_test.go"), filepath.Base(path) == "mention.go" && filepath.Base(filepath.Dir(path)) == "slackui":
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "MustCompile" {
					return false
				}
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if strings.Contains(s, "<@") || strings.Contains(s, "<#") {
				t.Errorf("%s: %s writes a mention by hand; use slackui.MentionUser or slackui.MentionChannel", fset.Position(lit.Pos()), lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files; is the walk rooted at the module?", checked)
	}
}

// TestPerson: the caller is "you"; anyone else is mentioned.
func TestPerson(t *testing.T) {
	for _, tt := range []struct{ user, caller, want string }{
		{"U0ANN", "U0ANN", "you"},
		{"U0BOB", "U0ANN", "<@U0BOB>"},
		{"", "", ""},
	} {
		if got := Person(tt.user, tt.caller); got != tt.want {
			t.Errorf("Person(%q, %q) = %q, want %q", tt.user, tt.caller, got, tt.want)
		}
	}
}
