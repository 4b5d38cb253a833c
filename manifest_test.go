package main

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/inbound"
	"github.com/keptbot/kept/slacksim"
)

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func TestYAMLValues(t *testing.T) {
	doc := `# comment
a:
  b: "quoted: value"
  text: >-
    folded: not a key
    more
  list:  # a comment
    - chat:write   # another, with: a colon
    - 'x'
  same:
  - one
  maps:
    - k: v1
      other: o1
    - k: v2
c: 3
`
	got := yamlValues([]byte(doc))
	want := map[string][]string{
		"a.b":             {"quoted: value"},
		"a.list.[]":       {"chat:write", "x"},
		"a.same.[]":       {"one"},
		"a.maps.[].k":     {"v1", "v2"},
		"a.maps.[].other": {"o1"},
		"c":               {"3"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("yamlValues:\ngot  %v\nwant %v", got, want)
	}
}

// TestManifestMatchesHandlers holds manifest.yml to what the bot handles
// and calls, both ways: a command in the manifest that the bot ignores, or
// a scope asked for and never used, fails as surely as the reverse.
func TestManifestMatchesHandlers(t *testing.T) {
	m := yamlValues(manifestYAML)
	tests := []struct {
		what       string
		manifest   []string
		handled    []string
		manifestAt string
	}{
		{"slash commands", m["features.slash_commands.[].command"], mapKeys(inbound.Commands), "features.slash_commands"},
		{"shortcuts", m["features.shortcuts.[].callback_id"], inbound.Shortcuts, "features.shortcuts"},
		{"events", m["settings.event_subscriptions.bot_events.[]"], inbound.Events, "settings.event_subscriptions.bot_events"},
		{"bot scopes", m["oauth_config.scopes.bot.[]"], inbound.Scopes(), "oauth_config.scopes.bot"},
	}
	for _, tt := range tests {
		t.Run(tt.what, func(t *testing.T) {
			if len(tt.manifest) == 0 {
				t.Fatalf("manifest.yml has no %s", tt.manifestAt)
			}
			got, want := sorted(tt.manifest), sorted(tt.handled)
			if !slices.Equal(got, want) {
				t.Errorf("manifest.yml %s = %v, the bot has %v", tt.manifestAt, got, want)
			}
		})
	}
	for path, want := range map[string]string{
		"settings.socket_mode_enabled":         "true",
		"settings.interactivity.is_enabled":    "true",
		"features.app_home.home_tab_enabled":   "true",
		"features.bot_user.display_name":       "Kept",
		"settings.token_rotation_enabled":      "false",
		"display_information.background_color": "#2c2d30",
	} {
		if got := m[path]; len(got) != 1 || got[0] != want {
			t.Errorf("manifest.yml %s = %v, want %s", path, got, want)
		}
	}
	commands := m["features.slash_commands.[].command"]
	for _, field := range []string{"description", "usage_hint", "should_escape"} {
		if got := m["features.slash_commands.[]."+field]; len(got) != len(commands) {
			t.Errorf("manifest.yml: %d slash commands but %d have %s", len(commands), len(got), field)
		}
	}
	for _, v := range m["features.slash_commands.[].should_escape"] {
		if v != "true" {
			t.Errorf("manifest.yml: should_escape is %s; Kept parses escaped <@U…> mentions", v)
		}
	}
}

func mapKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAPIMethodsDeclared finds every call to a Slack Web API method in
// Kept's own code and holds it to inbound.APIMethods, whose scopes make the
// manifest's: a new call cannot slip in without its scope, and a method no
// longer called takes its scope out.
func TestAPIMethodsDeclared(t *testing.T) {
	client := reflect.TypeFor[*slack.Client]()
	isAPI := func(name string) bool {
		_, ok := client.MethodByName(name)
		if !ok {
			return false
		}
		// Web API methods come in pairs, X and XContext; Debug and the
		// like do not.
		_, ctxVariant := client.MethodByName(name + "Context")
		return strings.HasSuffix(name, "Context") || ctxVariant
	}
	called := map[string]string{} // method → first file:line
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// slacksim is the other side of the wire; testdata is data.
			if path == "slacksim" || d.Name() == "testdata" || (path != "." && strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && isAPI(sel.Sel.Name) {
				if _, seen := called[sel.Sel.Name]; !seen {
					called[sel.Sel.Name] = fset.Position(call.Pos()).String()
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, at := range called {
		if _, ok := inbound.APIMethods[name]; !ok {
			t.Errorf("%s calls %s, which inbound.APIMethods (inbound/surface.go) does not declare with its scopes", at, name)
		}
	}
	for name, m := range inbound.APIMethods {
		if _, ok := called[name]; !ok {
			t.Errorf("inbound.APIMethods declares %s (%s) but nothing calls it: remove it, and its scopes from manifest.yml", name, m.Name)
		}
	}
}

// TestManifestCommandsAnswered drives every command, shortcut and event of
// the manifest through the simulator, to show the bot really handles them,
// and one command that is not in it, to show that this test can tell.
func TestManifestCommandsAnswered(t *testing.T) {
	sim, _ := startKept(t, slacksim.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m := yamlValues(manifestYAML)
	unknown := "I don't know the command"
	for _, cmd := range append(m["features.slash_commands.[].command"], "/notkept") {
		r, err := sim.SlashCommand(ctx, "U0ANN", "C0SALES", cmd, "help")
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		answered := !strings.Contains(r.Text+string(r.Payload), unknown)
		if inManifest := cmd != "/notkept"; answered != inManifest {
			t.Errorf("%s help: answered %v, in the manifest %v; reply %q", cmd, answered, inManifest, r.Text)
		}
	}
	msg := sim.PostAs("U0ANN", "C0SALES", "Can you send the quote by Friday?")
	for _, id := range m["features.shortcuts.[].callback_id"] {
		before := countCalls(sim, "views.open")
		if _, err := sim.MessageShortcut(ctx, "U0ANN", id, msg); err != nil {
			t.Fatalf("shortcut %s: %v", id, err)
		}
		if err := sim.Wait(ctx, func() bool { return countCalls(sim, "views.open") > before }); err != nil {
			t.Errorf("shortcut %s opened no form", id)
		}
	}
	// A customer with a shared public channel and a private one, for the
	// message events; Kept is invited to the public one by Ann.
	sim.AddUser(slacksim.User{ID: "U0CARA", Name: "cara", TZ: "Europe/London", TeamID: "T0ACME"})
	sim.AddChannel(slacksim.Channel{ID: "C0ACME", Name: "acme-shared", Members: []string{"U0ANN", "U0CARA"}, Shared: true})
	sim.AddChannel(slacksim.Channel{ID: "G0ACME", Name: "acme-deal", Members: []string{"U0ANN", "U0KEPTBOT"}, Private: true})
	if _, err := sim.SlashCommand(ctx, "U0ANN", "C0SALES", "/customer", "add Acme"); err != nil {
		t.Fatal(err)
	}
	offers := func(channel string) int {
		n := 0
		for _, c := range sim.Calls() {
			if c.Method == "chat.postEphemeral" && c.Params["channel"] == channel && c.Error == "" {
				n++
			}
		}
		return n
	}
	for _, ev := range m["settings.event_subscriptions.bot_events.[]"] {
		switch ev {
		case "member_joined_channel":
			if err := sim.Join(ctx, "C0ACME", "U0KEPTBOT", "U0ANN"); err != nil {
				t.Fatal(err)
			}
			if err := sim.Wait(ctx, func() bool { return len(sim.DMs("U0ANN")) > 0 }); err != nil {
				t.Errorf("member_joined_channel: Kept did not ask Ann which customer the shared channel is for")
			}
		case "message.channels", "message.groups":
			ch := map[string]string{"message.channels": "C0ACME", "message.groups": "G0ACME"}[ev]
			if ev == "message.channels" {
				_ = sim.Join(ctx, ch, "U0KEPTBOT", "U0ANN")
			}
			if r, err := sim.SlashCommand(ctx, "U0ANN", ch, "/customer", "link Acme"); err != nil || !strings.Contains(r.Text, "Linked") {
				t.Fatalf("link %s: %v %q", ch, err, r.Text)
			}
			if _, err := sim.Say(ctx, "U0ANN", ch, "I'll send you the revised quote tomorrow"); err != nil {
				t.Fatal(err)
			}
			if err := sim.Wait(ctx, func() bool { return offers(ch) > 0 }); err != nil {
				t.Errorf("%s: no offer to track the promise written in %s", ev, ch)
			}
		case "app_home_opened":
			if err := sim.OpenHome(ctx, "U0ANN"); err != nil {
				t.Fatal(err)
			}
			if err := sim.Wait(ctx, func() bool { return countCalls(sim, "views.publish") > 0 }); err != nil {
				t.Errorf("app_home_opened published no Home tab")
			}
		default:
			t.Errorf("event %s is in the manifest but this test cannot send it; add a case", ev)
		}
	}
}

func countCalls(sim *slacksim.Server, method string) int {
	n := 0
	for _, c := range sim.Calls() {
		if c.Method == method && c.Error == "" {
			n++
		}
	}
	return n
}
