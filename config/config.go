// Package config reads Kept's settings from the environment.
//
// Every setting is declared once, in Settings, with its default and a line of
// help; `kept help` and the README are written from the same list, and Load
// reports every problem at once, each with the fix, so an admin does not
// have to restart the bot once per typo.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is everything Kept can be told.
type Config struct {
	AppToken     string
	BotToken     string
	APIURL       string
	DB           string
	Tick         time.Duration
	OverdueAfter time.Duration
	Zone         *time.Location
	Admins       []string
	LogLevel     string
}

// Setting describes one environment variable.
type Setting struct {
	Name    string
	Default string
	Help    string
	set     func(c *Config, v string) error
}

// Settings lists every environment variable Kept reads, in the order `kept
// help` shows them.
var Settings = []Setting{
	{"SLACK_APP_TOKEN", "", "App-level token (xapp-…) with connections:write, for Socket Mode. Required.", func(c *Config, v string) error {
		return token(&c.AppToken, v, "xapp-", "create one under Basic Information → App-Level Tokens with the connections:write scope")
	}},
	{"SLACK_BOT_TOKEN", "", "Bot token (xoxb-…) from OAuth & Permissions after installing the app. Required.", func(c *Config, v string) error {
		return token(&c.BotToken, v, "xoxb-", "copy the Bot User OAuth Token from OAuth & Permissions")
	}},
	{"SLACK_API_URL", "https://slack.com/api/", "Slack Web API base URL; point it at a local Slack (kept sim) for testing.", func(c *Config, v string) error {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("is %q; set it to an http(s) URL such as https://slack.com/api/", v)
		}
		if !strings.HasSuffix(v, "/") {
			v += "/" // slack-go appends the method name directly
		}
		c.APIURL = v
		return nil
	}},
	{"KEPT_DB", "kept.db", "Path of the bbolt database file. Only one kept process may use it.", func(c *Config, v string) error {
		if v == "" {
			return errors.New("is empty; set it to a file path such as /data/kept.db")
		}
		c.DB = v
		return nil
	}},
	{"KEPT_TICK", "30s", "How often the scheduler looks for due reminders (a Go duration: 1s, 30s, 1m).", func(c *Config, v string) error {
		return duration(&c.Tick, v, time.Second, "30s")
	}},
	{"KEPT_OVERDUE_AFTER", "24h", "When a promise is still open this long after it was due, its owner gets one overdue DM (0 turns it off).", func(c *Config, v string) error {
		if v == "0" {
			c.OverdueAfter = 0
			return nil
		}
		return duration(&c.OverdueAfter, v, time.Minute, "24h")
	}},
	{"KEPT_TIMEZONE", "UTC", "The workspace's time zone (IANA name), used when a user's own zone is unknown.", func(c *Config, v string) error {
		loc, err := time.LoadLocation(v)
		if err != nil || v == "" || v == "Local" {
			return fmt.Errorf("is %q, not a time zone; use an IANA name such as Europe/Paris or America/New_York", v)
		}
		c.Zone = loc
		return nil
	}},
	{"KEPT_ADMINS", "", "Comma-separated Slack user ids (U…) allowed to change anyone's promises.", func(c *Config, v string) error {
		c.Admins = nil
		for _, id := range strings.Split(v, ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if !isUserID(id) {
				return fmt.Errorf("has %q, not a Slack user id; use ids like U012AB3CD (Profile → ⋮ → Copy member ID)", id)
			}
			c.Admins = append(c.Admins, id)
		}
		return nil
	}},
	{"KEPT_LOG_LEVEL", "info", "Log level: debug, info, warn or error.", func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return fmt.Errorf("is %q; use debug, info, warn or error", v)
	}},
}

// Load builds a Config from getenv (os.Getenv in production). requireTokens
// is false for commands that do not talk to Slack. The error, if any, lists
// every problem, one per line.
func Load(getenv func(string) string, requireTokens bool) (Config, error) {
	var c Config
	var errs []error
	for _, s := range Settings {
		v := getenv(s.Name)
		if v == "" {
			if s.Default == "" {
				if requireTokens && strings.HasPrefix(s.Name, "SLACK_") {
					errs = append(errs, fmt.Errorf("%s is not set: %s (or run `kept sim` to try Kept on a local Slack)", s.Name, strings.TrimSuffix(s.Help, " Required.")))
				}
				continue
			}
			v = s.Default
		}
		if err := s.set(&c, v); err != nil {
			errs = append(errs, fmt.Errorf("%s %w", s.Name, err))
		}
	}
	return c, errors.Join(errs...)
}

func token(dst *string, v, prefix, fix string) error {
	if !strings.HasPrefix(v, prefix) || len(v) == len(prefix) || strings.ContainsAny(v, " \t\r\n") {
		return fmt.Errorf("does not look like a %s… token; %s", prefix, fix)
	}
	*dst = v
	return nil
}

func duration(dst *time.Duration, v string, least time.Duration, example string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < least {
		return fmt.Errorf("is %q; use a Go duration of at least %s, such as %s", v, least, example)
	}
	*dst = d
	return nil
}

func isUserID(s string) bool {
	if len(s) < 3 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s[1:] {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
