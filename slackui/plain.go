package slackui

import (
	"regexp"
	"strings"
)

// Slack shows some text as typed, without mrkdwn: a form's errors
// (response_action "errors") among them. Kept's refusals are written in
// mrkdwn for messages, so where one goes under a form's field it is
// turned into plain words first.

var (
	plainUser    = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|([^<>]*))?>`)
	plainChannel = regexp.MustCompile(`<#([CG][A-Z0-9]+)(?:\|([^<>]*))?>`)
	plainOther   = regexp.MustCompile(`<([^<>|]*)(?:\|([^<>]*))?>`)
	plainBold    = regexp.MustCompile("\\*([^*\n]+)\\*")
	plainCode    = regexp.MustCompile("`([^`\n]+)`")
	unescaper    = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// PlainText is mrkdwn s in plain words: a user mention as @name (name
// says what Slack shows after the @; "" leaves the id), a channel as
// #name, a date or a link as its label, bold and code marks dropped, and
// the entities of escaped text undone, as plain text shows them as typed.
func PlainText(s string, name func(user string) string) string {
	s = plainUser.ReplaceAllStringFunc(s, func(m string) string {
		sub := plainUser.FindStringSubmatch(m)
		if sub[2] != "" {
			return "@" + strings.TrimPrefix(sub[2], "@")
		}
		if n := name(sub[1]); n != "" {
			return "@" + n
		}
		return "@" + sub[1]
	})
	s = plainChannel.ReplaceAllStringFunc(s, func(m string) string {
		sub := plainChannel.FindStringSubmatch(m)
		if sub[2] != "" {
			return "#" + sub[2]
		}
		return "that channel"
	})
	s = plainOther.ReplaceAllStringFunc(s, func(m string) string {
		sub := plainOther.FindStringSubmatch(m)
		switch {
		case sub[2] != "":
			return sub[2]
		case strings.HasPrefix(sub[1], "!"):
			return "@" + strings.TrimPrefix(sub[1], "!")
		}
		return sub[1]
	})
	s = plainBold.ReplaceAllString(s, "$1")
	s = plainCode.ReplaceAllString(s, "$1")
	return unescaper.Replace(s)
}
