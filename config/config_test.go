package config

import (
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var goodTokens = map[string]string{"SLACK_APP_TOKEN": "xapp-1-abc", "SLACK_BOT_TOKEN": "xoxb-1-abc"}

func with(extra map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range goodTokens {
		m[k] = v
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(goodTokens), true)
	if err != nil {
		t.Fatalf("the defaults do not load: %v", err)
	}
	if c.DB != "kept.db" || c.Tick != 30*time.Second || c.OverdueAfter != 24*time.Hour || c.Zone != time.UTC ||
		c.LogLevel != "info" || c.APIURL != "https://slack.com/api/" || c.MetricsAddr != "" {
		t.Errorf("defaults: %+v", c)
	}
	// Commands that do not talk to Slack need no tokens.
	if _, err := Load(env(nil), false); err != nil {
		t.Errorf("without tokens, not required: %v", err)
	}
}

// TestMessages checks that each bad value is named and comes with its fix.
func TestMessages(t *testing.T) {
	tests := []struct {
		name, value string
		want        []string // all in the one line about name
	}{
		{"SLACK_APP_TOKEN", "xoxb-1-abc", []string{"does not look like a xapp-… token", "App-Level Tokens", "connections:write"}},
		{"SLACK_BOT_TOKEN", "xoxp-1-abc", []string{"does not look like a xoxb-… token", "OAuth & Permissions"}},
		{"SLACK_BOT_TOKEN", "xoxb-1 abc", []string{"does not look like a xoxb-… token"}},
		{"SLACK_API_URL", "slack.com/api", []string{`is "slack.com/api"`, "https://slack.com/api/"}},
		{"KEPT_TICK", "10", []string{`is "10"`, "Go duration", "30s"}},
		{"KEPT_TICK", "100ms", []string{"at least 1s"}},
		{"KEPT_OVERDUE_AFTER", "soon", []string{`is "soon"`, "24h", "at least 1m0s"}},
		{"KEPT_TIMEZONE", "Mars/Olympus", []string{"not a time zone", "Europe/Paris"}},
		{"KEPT_TIMEZONE", "Local", []string{"not a time zone"}},
		{"KEPT_ADMINS", "U012AB3CD, ann", []string{`has "ann"`, "Copy member ID"}},
		{"KEPT_ADMINS", "S012AB3CD", []string{`has "S012AB3CD"`, "Copy member ID"}},
		{"KEPT_LEADS", "U012AB3CD, @leads", []string{`has "@leads"`, "Copy member ID", "Copy group ID"}},
		{"KEPT_LEADS", "S", []string{`has "S"`}},
		{"KEPT_LOG_LEVEL", "verbose", []string{`is "verbose"`, "debug, info, warn or error"}},
		{"KEPT_METRICS_ADDR", "9090", []string{`is "9090"`, ":9090", "127.0.0.1:9090"}},
		{"KEPT_METRICS_ADDR", ":99999", []string{`is ":99999"`}},
		{"KEPT_METRICS_ADDR", "local host:9090", []string{`is "local host:9090"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := Load(env(with(map[string]string{tt.name: tt.value})), true)
			if err == nil {
				t.Fatalf("%s=%q was accepted", tt.name, tt.value)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != 1 {
				t.Fatalf("one bad setting gave %d lines: %q", len(lines), err)
			}
			if !strings.HasPrefix(lines[0], tt.name+" ") {
				t.Errorf("%q does not start with the setting's name", lines[0])
			}
			for _, w := range tt.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("%q lacks %q", lines[0], w)
				}
			}
		})
	}
}

func TestGoodValues(t *testing.T) {
	c, err := Load(env(with(map[string]string{
		"SLACK_API_URL":      "http://127.0.0.1:8080/api",
		"KEPT_TICK":          "1s",
		"KEPT_OVERDUE_AFTER": "0",
		"KEPT_TIMEZONE":      "Europe/Paris",
		"KEPT_ADMINS":        "U012AB3CD, W0ABC,",
		"KEPT_LEADS":         "S0LEADS, U0ANN,,W0BOB",
		"KEPT_METRICS_ADDR":  "127.0.0.1:9090",
	})), true)
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != "http://127.0.0.1:8080/api/" {
		t.Errorf("APIURL %q: slack-go needs the trailing slash", c.APIURL)
	}
	if !slices.Equal(c.Leads, []string{"U0ANN", "W0BOB"}) || !slices.Equal(c.LeadGroups, []string{"S0LEADS"}) {
		t.Errorf("leads %v, lead groups %v", c.Leads, c.LeadGroups)
	}
	if c.OverdueAfter != 0 || c.Zone.String() != "Europe/Paris" || !slices.Equal(c.Admins, []string{"U012AB3CD", "W0ABC"}) || c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("got %+v", c)
	}
}

// TestEveryProblemAtOnce: an admin fixes the whole list in one restart.
func TestEveryProblemAtOnce(t *testing.T) {
	_, err := Load(env(map[string]string{
		"KEPT_TICK":         "fast",
		"KEPT_TIMEZONE":     "Nowhere",
		"KEPT_LOG_LEVEL":    "loud",
		"KEPT_METRICS_ADDR": "metrics",
	}), true)
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{"SLACK_APP_TOKEN is not set", "SLACK_BOT_TOKEN is not set", "KEPT_TICK is", "KEPT_TIMEZONE is", "KEPT_METRICS_ADDR is", "KEPT_LOG_LEVEL is"}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), err)
	}
	for i, w := range want {
		// In Settings order, which is `kept help`'s.
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d is %q, want it to start with %q", i+1, lines[i], w)
		}
	}
	if !strings.Contains(lines[0], "kept sim") {
		t.Errorf("a missing token does not point at `kept sim`: %q", lines[0])
	}
}

func TestFlagName(t *testing.T) {
	for env, flag := range map[string]string{
		"KEPT_DB":           "db",
		"SLACK_API_URL":     "api-url",
		"SLACK_BOT_TOKEN":   "bot-token",
		"KEPT_METRICS_ADDR": "metrics-addr",
	} {
		if got := FlagName(env); got != flag {
			t.Errorf("FlagName(%s) = %q, want %q", env, got, flag)
		}
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(Config) bool
		problem string // a line the error must have, "" for none
	}{
		{"flag beats env", []string{"-db", "flag.db"}, with(map[string]string{"KEPT_DB": "env.db"}),
			func(c Config) bool { return c.DB == "flag.db" }, ""},
		{"env when no flag", nil, with(map[string]string{"KEPT_DB": "env.db"}),
			func(c Config) bool { return c.DB == "env.db" }, ""},
		{"every setting has a flag", []string{"-app-token", "xapp-1-f", "-bot-token", "xoxb-f", "-tick", "1m", "-timezone", "Asia/Kolkata", "-metrics-addr", ":9191"}, nil,
			func(c Config) bool {
				return c.AppToken == "xapp-1-f" && c.BotToken == "xoxb-f" && c.Tick == time.Minute && c.Zone.String() == "Asia/Kolkata" && c.MetricsAddr == ":9191"
			}, ""},
		{"a bad flag is reported like a bad variable", []string{"-tick", "often"}, with(map[string]string{"KEPT_LOG_LEVEL": "loud"}),
			nil, `KEPT_TICK is "often"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("kept", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			getenv := Flags(fs, env(tt.env))
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			c, err := Load(getenv, true)
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) || !strings.Contains(err.Error(), "KEPT_LOG_LEVEL") {
					t.Errorf("error %v, want %q and the variable's problem too", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Errorf("got %+v", c)
			}
		})
	}
	fs := flag.NewFlagSet("kept", flag.ContinueOnError)
	Flags(fs, env(nil))
	for _, s := range Settings {
		if fs.Lookup(FlagName(s.Name)) == nil {
			t.Errorf("%s has no flag", s.Name)
		}
	}
}
