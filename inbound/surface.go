package inbound

import (
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/keptbot/kept/slackui"
)

// What Kept asks of Slack. The app manifest (manifest.yml) must declare
// exactly this: manifest_test.go holds the two together, and `kept check`
// compares a workspace's grant with the manifest.

// Commands are the slash commands Kept answers, each with the first words
// it treats as subcommands; the subcommand names the metrics label, and
// anything else typed is labelled "text".
var Commands = map[string][]string{
	"/promise":  {"help", "list", "give", "done", "cancel", "snooze"},
	"/customer": {"help", "list", "add", "edit", "remove", "show", "digest"},
	"/touch":    {"help"},
}

// Shortcuts are the callback ids of the message shortcuts Kept handles.
var Shortcuts = []string{slackui.ShortcutCallback}

// Events are the Events API event types Kept subscribes to.
var Events = []string{"app_home_opened"}

// APIMethod is a Web API method and the bot token scopes Kept needs for it.
type APIMethod struct {
	Name   string
	Scopes []string
}

// APIMethods maps every slack-go client method Kept calls, anywhere, to
// the Web API method and the bot scopes it needs. The manifest's scopes are
// "commands" (slash commands and shortcuts) plus the union of these.
var APIMethods = map[string]APIMethod{
	"AuthTestContext":               {"auth.test", nil},
	"StartSocketModeContext":        {"apps.connections.open", nil}, // app-level token, connections:write
	"GetUserInfoContext":            {"users.info", []string{"users:read"}},
	"PostMessageContext":            {"chat.postMessage", []string{"chat:write"}},
	"PostEphemeralContext":          {"chat.postEphemeral", []string{"chat:write"}},
	"UpdateMessageContext":          {"chat.update", []string{"chat:write"}},
	"GetPermalinkContext":           {"chat.getPermalink", nil},
	"OpenViewContext":               {"views.open", nil},
	"PublishViewContext":            {"views.publish", nil},
	"OpenConversationContext":       {"conversations.open", []string{"im:write"}},
	"GetConversationInfoContext":    {"conversations.info", []string{"channels:read", "groups:read"}},                        // kept check: the digest channel
	"GetUsersInConversationContext": {"conversations.members", []string{"channels:read", "groups:read"}},                     // the digest: who is in a subscribed channel
	"GetConversationHistoryContext": {"conversations.history", []string{"im:history", "channels:history", "groups:history"}}, // a DM, or a public or private digest channel
}

// Scopes is the bot token scope list the manifest must grant, sorted.
func Scopes() []string {
	scopes := []string{"commands"}
	for _, m := range APIMethods {
		scopes = append(scopes, m.Scopes...)
	}
	slices.Sort(scopes)
	return slices.Compact(scopes)
}

// Observer is told what the bot handled; *metrics.Metrics implements it.
type Observer interface {
	// Handled reports one envelope: its type label, its outcome (ok,
	// error, panic, ack_failed) and the time from receipt to ack.
	Handled(kind, outcome string, ack time.Duration)
	// Reconnected reports a Socket Mode connection after the first.
	Reconnected()
}

type nopObserver struct{}

func (nopObserver) Handled(string, string, time.Duration) {}
func (nopObserver) Reconnected()                          {}

func (b *Bot) observe(data any, reply any, outcome string, took time.Duration) {
	if outcome == "" {
		outcome = "ok"
		if m, ok := reply.(map[string]any); ok && m["text"] == msgInternal {
			outcome = "error"
		}
	}
	b.cfg.Observer.Handled(kindOf(data), outcome, took)
}

// kindOf names what an envelope carried with a label of bounded
// cardinality: what users type never becomes a label.
func kindOf(data any) string {
	switch d := data.(type) {
	case slack.SlashCommand:
		verbs, ok := Commands[d.Command]
		if !ok {
			return "unknown_command"
		}
		verb, _, _ := strings.Cut(strings.TrimSpace(d.Text), " ")
		verb = strings.ToLower(verb)
		switch {
		case verb == "":
			return d.Command
		case slices.Contains(verbs, verb):
			return d.Command + " " + verb
		}
		return d.Command + " text"
	case slack.InteractionCallback:
		switch d.Type {
		case slack.InteractionTypeBlockActions:
			if len(d.ActionCallback.BlockActions) > 0 {
				return "block_actions:" + d.ActionCallback.BlockActions[0].ActionID
			}
		case slack.InteractionTypeViewSubmission:
			return "view_submission:" + d.View.CallbackID
		case slack.InteractionTypeMessageAction:
			return "shortcut:" + d.CallbackID
		}
		return string(d.Type)
	case slackevents.EventsAPIEvent:
		return "event:" + d.InnerEvent.Type
	}
	return "other"
}
