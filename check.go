package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/config"
	"github.com/keptbot/kept/store"
)

// manifestYAML is the app manifest, built in so that `kept check` compares
// a workspace's grant with the manifest of this very version.
//
//go:embed manifest.yml
var manifestYAML []byte

// checker prints one line per check and remembers whether any failed.
type checker struct {
	w      io.Writer
	failed bool
}

func (c *checker) ok(format string, a ...any) { fmt.Fprintf(c.w, "ok    "+format+"\n", a...) }
func (c *checker) note(format string, a ...any) {
	fmt.Fprintf(c.w, "note  "+format+"\n", a...)
}
func (c *checker) fail(format string, a ...any) {
	c.failed = true
	fmt.Fprintf(c.w, "FAIL  "+format+"\n", a...)
}

// check verifies what Kept needs before it runs: both tokens, the bot's
// scopes against the manifest's, the digest channel and the database.
func check(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, rest, ok := withFlags("kept check", args, getenv, true, stderr, nil)
	if !ok || !noArgs("kept check", rest, stderr) {
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c := &checker{w: stdout}
	api := slack.New(cfg.BotToken,
		slack.OptionAPIURL(cfg.APIURL),
		slack.OptionAppLevelToken(cfg.AppToken),
		slack.OptionHTTPClient(&http.Client{Timeout: 10 * time.Second}),
	)
	if checkBotToken(ctx, c, api, cfg) {
		checkDigestChannel(ctx, c, api, cfg.DigestChannel)
	}
	checkAppToken(ctx, c, api)
	checkDB(ctx, c, cfg)
	if c.failed {
		fmt.Fprintln(stdout, "\nKept is not ready: fix the FAIL lines above and run `kept check` again.")
		return 1
	}
	fmt.Fprintln(stdout, "\nKept is ready to run.")
	return 0
}

// slackCode is Slack's error code in err, or "".
func slackCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

func checkBotToken(ctx context.Context, c *checker, api *slack.Client, cfg config.Config) bool {
	res, err := api.AuthTestContext(ctx)
	switch code := slackCode(err); {
	case code == "invalid_auth" || code == "not_authed" || code == "token_revoked" || code == "account_inactive":
		c.fail("SLACK_BOT_TOKEN: Slack refused it (%s). Copy the Bot User OAuth Token (xoxb-…) again from OAuth & Permissions; if the app was uninstalled, reinstall it first.", code)
		return false
	case err != nil:
		c.fail("SLACK_BOT_TOKEN: could not ask Slack at %s: %v", cfg.APIURL, err)
		return false
	}
	c.ok("bot token: Kept is @%s in %s (%s)", res.User, res.Team, res.TeamID)
	want := manifestScopes()
	granted := splitScopes(res.Header.Get("X-OAuth-Scopes"))
	var missing, extra []string
	for _, s := range want {
		if !slices.Contains(granted, s) {
			missing = append(missing, s)
		}
	}
	for _, s := range granted {
		if !slices.Contains(want, s) {
			extra = append(extra, s)
		}
	}
	switch {
	case res.Header.Get("X-OAuth-Scopes") == "":
		c.note("scopes: Slack did not list the token's scopes, so they cannot be compared with the manifest")
	case len(missing) > 0:
		c.fail("scopes: the bot token lacks %s. Add them in the app's settings under OAuth & Permissions → Scopes (or update the app from manifest.yml), then reinstall the app to the workspace.", strings.Join(missing, ", "))
	default:
		c.ok("scopes: the bot token has all %d scopes the manifest asks for", len(want))
	}
	if len(extra) > 0 {
		c.note("scopes: also granted, not needed by Kept: %s", strings.Join(extra, ", "))
	}
	// No token can read the app's event subscriptions, so say what they
	// must be: without the message events, customer channels stay silent.
	c.note("events: Slack does not show a token the app's event subscriptions; under Event Subscriptions → Subscribe to bot events they must be %s, as in manifest.yml (customer channels need the message ones)",
		strings.Join(yamlValues(manifestYAML)["settings.event_subscriptions.bot_events.[]"], ", "))
	return true
}

func splitScopes(h string) []string {
	var out []string
	for _, s := range strings.Split(h, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func checkAppToken(ctx context.Context, c *checker, api *slack.Client) {
	_, _, err := api.StartSocketModeContext(ctx)
	switch code := slackCode(err); {
	case err == nil:
		c.ok("app token: Slack will open a Socket Mode connection")
	case code == "invalid_auth" || code == "not_authed" || code == "token_revoked":
		c.fail("SLACK_APP_TOKEN: Slack refused it (%s). Create an app-level token under Basic Information → App-Level Tokens with the connections:write scope.", code)
	case code == "not_allowed_token_type" || code == "missing_scope":
		c.fail("SLACK_APP_TOKEN: Slack will not open Socket Mode with it (%s): give the app-level token the connections:write scope, and turn Socket Mode on in the app's settings.", code)
	default:
		c.fail("SLACK_APP_TOKEN: Socket Mode could not be opened: %v", err)
	}
}

func checkDigestChannel(ctx context.Context, c *checker, api *slack.Client, channel string) {
	switch {
	case channel == "":
		c.note("digest channel: none (KEPT_DIGEST_CHANNEL); reminders for deactivated people fail instead of going there")
		return
	case strings.HasPrefix(channel, "#"):
		c.note("digest channel: %s is a name, which can only be checked by posting; give its id (C…) to have it checked here", channel)
		return
	}
	ch, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
	switch code := slackCode(err); {
	case code == "channel_not_found":
		c.fail("digest channel: %s was not found. Check KEPT_DIGEST_CHANNEL; for a private channel, invite Kept to it first (/invite @Kept).", channel)
	case code == "missing_scope":
		c.fail("digest channel: %s cannot be looked at without the channels:read scope (or groups:read for a private channel); see the scopes line above.", channel)
	case err != nil:
		c.fail("digest channel: could not look %s up: %v", channel, err)
	case ch.IsArchived:
		c.fail("digest channel: #%s (%s) is archived; unarchive it or choose another.", ch.Name, channel)
	case !ch.IsMember:
		c.fail("digest channel: Kept is not in #%s (%s); type /invite @Kept there.", ch.Name, channel)
	default:
		c.ok("digest channel: Kept can post in #%s", ch.Name)
	}
}

func checkDB(ctx context.Context, c *checker, cfg config.Config) {
	if config.Postgres(cfg.DB) {
		checkPG(ctx, c, cfg.DB)
		return
	}
	if _, err := os.Stat(cfg.DB); errors.Is(err, os.ErrNotExist) {
		c.note("database: %s does not exist yet; kept creates it on first start (check that its directory is writable)", cfg.DB)
		return
	}
	err := store.Verify(cfg.DB)
	how := ""
	if errors.Is(err, store.ErrLocked) {
		// A running kept holds it: check the consistent copy it serves.
		dir, derr := os.MkdirTemp("", "kept-check-")
		if derr != nil {
			c.fail("database: %v", derr)
			return
		}
		defer os.RemoveAll(dir)
		snap := dir + "/snapshot.db"
		if _, _, err = snapshot(ctx, cfg, snap); err == nil {
			err = store.Verify(snap)
			how = " (a copy from the running kept)"
		}
	}
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "store: ")
		if !strings.Contains(msg, cfg.DB) {
			msg = cfg.DB + ": " + msg
		}
		c.fail("database: %s", msg)
		return
	}
	c.ok("database: %s is sound%s", cfg.DB, how)
}

// manifestScopes are the bot scopes manifest.yml asks for.
func manifestScopes() []string {
	return yamlValues(manifestYAML)["oauth_config.scopes.bot.[]"]
}

// yamlValues reads the block-style subset of YAML an app manifest is
// written in (maps, lists, scalars, folded text) into the scalar values
// found at each path, such as "features.slash_commands.[].command". It is
// enough to hold the manifest to the code without a YAML dependency.
func yamlValues(data []byte) map[string][]string {
	type frame struct {
		indent int
		key    string
	}
	var stack []frame
	out := map[string][]string{}
	path := func() string {
		keys := make([]string, len(stack))
		for i, f := range stack {
			keys[i] = f.key
		}
		return strings.Join(keys, ".")
	}
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[path()] = append(out[path()], v)
	}
	block := -1 // indent of a folded or literal scalar's key, while in it
	for _, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(stripComment(raw), " \r\t")
		text := strings.TrimLeft(line, " ")
		indent := len(line) - len(text)
		if text == "" || text[0] == '#' {
			continue
		}
		if block >= 0 {
			if indent > block {
				continue
			}
			block = -1
		}
		item := text == "-" || strings.HasPrefix(text, "- ")
		// A list may sit at its key's own indent.
		for len(stack) > 0 {
			top := stack[len(stack)-1]
			if top.indent < indent || (top.indent == indent && item && top.key != "[]") {
				break
			}
			stack = stack[:len(stack)-1]
		}
		if item {
			stack = append(stack, frame{indent, "[]"})
			text = strings.TrimSpace(strings.TrimPrefix(text, "-"))
			indent += 2
			if _, _, ok := cutKey(text); !ok {
				add(text)
				continue
			}
		}
		k, v, ok := cutKey(text)
		if !ok {
			continue
		}
		stack = append(stack, frame{indent, strings.TrimSpace(k)})
		switch v = strings.TrimSpace(v); {
		case v == "":
		case strings.HasPrefix(v, ">") || strings.HasPrefix(v, "|"):
			block = indent
		default:
			add(v)
		}
	}
	return out
}

// cutKey splits "key: value" or "key:"; a colon inside a word, as in
// chat:write, does not make a key.
func cutKey(s string) (key, value string, ok bool) {
	if k, found := strings.CutSuffix(s, ":"); found {
		key = k
	} else if i := strings.Index(s, ": "); i >= 0 {
		key, value = s[:i], s[i+2:]
	} else {
		return "", "", false
	}
	if key == "" || strings.ContainsAny(key[:1], "\"'") {
		return "", "", false
	}
	return key, value, true
}

// stripComment drops a " # comment" that is not inside quotes.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[:i]
		}
	}
	return line
}
