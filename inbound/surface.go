package inbound

import (
	"slices"
	"time"
)

// What Kept asks of Slack. The app manifest (manifest.yml) must declare
// exactly this: manifest_test.go holds the two together, and `kept check`
// compares a workspace's grant with the manifest.

// Commands are the slash commands Kept answers, each with its verbs, as the
// route table (routes.go) has them.
var Commands map[string][]string

// Shortcuts are the callback ids of the message shortcuts Kept handles.
var Shortcuts []string

// Events are the Events API event types Kept subscribes to.
var Events []string

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
	"DeleteMessageContext":          {"chat.delete", []string{"chat:write"}}, // a waiting-on-us DM, once answered
	"GetPermalinkContext":           {"chat.getPermalink", nil},
	"OpenViewContext":               {"views.open", nil},
	"PublishViewContext":            {"views.publish", nil},
	"OpenConversationContext":       {"conversations.open", []string{"im:write"}},
	"GetConversationInfoContext":    {"conversations.info", []string{"channels:read", "groups:read"}},                        // kept check: the digest channel
	"GetUsersInConversationContext": {"conversations.members", []string{"channels:read", "groups:read"}},                     // the digest: who is in a subscribed channel
	"GetConversationHistoryContext": {"conversations.history", []string{"im:history", "channels:history", "groups:history"}}, // a DM, or a public or private digest channel
	"GetUserGroupMembersContext":    {"usergroups.users.list", []string{"usergroups:read"}},                                  // the members of a lead user group (KEPT_LEADS)
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
	// Handled reports one envelope: its type label (routes.go), its
	// outcome (ok; a refusal's code: invalid, not_found, forbidden,
	// conflict, limited, unavailable; error, panic, ack_failed) and the
	// time from receipt to ack.
	Handled(kind, outcome string, ack time.Duration)
	// Reconnected reports a Socket Mode connection after the first.
	Reconnected()
}

type nopObserver struct{}

func (nopObserver) Handled(string, string, time.Duration) {}
func (nopObserver) Reconnected()                          {}
