package slackui

import "github.com/keptbot/kept/model"

// Every mention Kept writes is made here, and only of an id of the shape
// Slack makes (model.ValidUser, model.ValidChannel). A stored record is
// not proof: an import once brought an owner of `U0NOPE> <!channel`, and
// written as <@%s> that pinged a whole channel. Anything else is shown as
// escaped text, so it reads as what it is and pings nobody. A test
// (TestNoMentionOutsideSlackui) fails on a mention written anywhere else.

// MentionUser mentions a user id; anything else is shown as text.
func MentionUser(id string) string {
	if model.ValidUser(id) {
		return "<@" + id + ">"
	}
	return Escape(id)
}

// Person is user as a reply to caller names them: "you" when they are
// the caller (no "I'll prompt @ann" to Ann), else a mention.
func Person(user, caller string) string {
	if user == caller && user != "" {
		return "you"
	}
	return MentionUser(user)
}

// MentionChannel links a channel id; anything else is shown as text.
func MentionChannel(id string) string {
	if model.ValidChannel(id) {
		return "<#" + id + ">"
	}
	return Escape(id)
}
