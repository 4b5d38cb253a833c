package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keptbot/kept/slacksim"
)

// TestCheck runs `kept check` against the simulator: a healthy setup, and
// each thing an admin gets wrong, said clearly and with a non-zero exit.
func TestCheck(t *testing.T) {
	without := func(scope string) []string {
		return slices.DeleteFunc(slices.Clone(slacksim.DefaultScopes), func(s string) bool { return s == scope })
	}
	tests := []struct {
		name   string
		opts   slacksim.Options
		env    []string
		code   int
		want   []string
		refuse []string // must not be said
	}{
		{"ready", slacksim.Options{}, []string{"KEPT_DIGEST_CHANNEL", "C0SALES"}, 0,
			[]string{"ok    bot token: Kept is @", "ok    scopes: the bot token has all 10 scopes the manifest asks for", "ok    app token", "ok    digest channel: Kept can post in #sales", "ok    database: ", "is sound (a copy from the running kept)", "Kept is ready to run."},
			[]string{"FAIL"}},
		{"missing scope", slacksim.Options{Scopes: without("users:read")}, nil, 1,
			[]string{"FAIL  scopes: the bot token lacks users:read.", "reinstall the app", "Kept is not ready"}, nil},
		{"extra scope is only a note", slacksim.Options{Scopes: append(slices.Clone(slacksim.DefaultScopes), "admin")}, nil, 0,
			[]string{"note  scopes: also granted, not needed by Kept: admin"}, []string{"FAIL"}},
		{"wrong bot token", slacksim.Options{}, []string{"SLACK_BOT_TOKEN", "xoxb-wrong"}, 1,
			[]string{"FAIL  SLACK_BOT_TOKEN: Slack refused it (invalid_auth). Copy the Bot User OAuth Token", "ok    app token"}, []string{"scopes"}},
		{"wrong app token", slacksim.Options{}, []string{"SLACK_APP_TOKEN", "xapp-1-wrong"}, 1,
			[]string{"ok    bot token", "FAIL  SLACK_APP_TOKEN: Slack refused it (invalid_auth). Create an app-level token"}, nil},
		{"digest channel without Kept", slacksim.Options{}, []string{"KEPT_DIGEST_CHANNEL", "C0NOBOT"}, 1,
			[]string{"FAIL  digest channel: Kept is not in #general (C0NOBOT); type /invite @Kept there."}, nil},
		{"digest channel unknown", slacksim.Options{}, []string{"KEPT_DIGEST_CHANNEL", "C0GONE"}, 1,
			[]string{"FAIL  digest channel: C0GONE was not found."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "kept.db")
			sim, d := startKeptAt(t, tt.opts, db)
			sim.AddChannel(slacksim.Channel{ID: "C0SALES", Name: "sales", Members: []string{"U0ANN", "U0KEPTBOT"}})
			sim.AddChannel(slacksim.Channel{ID: "C0NOBOT", Name: "general", Members: []string{"U0ANN"}})
			// The database is the running kept's: check reads a copy.
			code, out, errs := runKept(keptEnv(d, sim, db, tt.env...), "check")
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, r := range tt.refuse {
				if strings.Contains(out, r) {
					t.Errorf("output has %q:\n%s", r, out)
				}
			}
		})
	}
}
