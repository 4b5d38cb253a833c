package slacksim

import (
	"regexp"
	"strings"
)

// What people type reaches apps the way Slack stores it: &, < and > as
// entities, and a mention picked from the list (or typed as @name of a
// member) as markup. Slash commands with should_escape get the labelled
// form <@U123|ann> and <#C123|sales>; message text keeps <@U123> and
// <#C123>.

var (
	entityEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	// typedRef is an @name or #channel where Slack recognises one: at the
	// start or after a space or an opening bracket, up to a character
	// that cannot be in a handle.
	typedRef = regexp.MustCompile(`(^|[\s(\[{"'“‘])([@#])([a-z0-9][a-z0-9._-]*)`)
)

// escapeTyped turns text as a person typed it into the text Slack hands
// an app; labelled chooses the slash-command form of references.
// s.mu must be held.
func (s *Server) escapeTyped(text string, labelled bool) string {
	text = entityEscaper.Replace(text)
	return typedRef.ReplaceAllStringFunc(text, func(m string) string {
		sub := typedRef.FindStringSubmatch(m)
		lead, sigil, name := sub[1], sub[2], sub[3]
		// A trailing dot or dash ends the sentence, not the handle.
		trimmed := strings.TrimRight(name, ".-_")
		rest := name[len(trimmed):]
		name = trimmed
		ref := ""
		if sigil == "@" {
			switch name {
			case "here", "channel", "everyone":
				ref = "<!" + name + ">"
			default:
				if id := s.userByName(name); id != "" {
					ref = "<@" + id + ">"
					if labelled {
						ref = "<@" + id + "|" + name + ">"
					}
				}
			}
		} else if id := s.channelByName(name); id != "" {
			ref = "<#" + id + ">"
			if labelled {
				ref = "<#" + id + "|" + name + ">"
			}
		}
		if ref == "" {
			return m
		}
		return lead + ref + rest
	})
}

// userByName is the id of the member with handle name, preferring an
// active one; a deactivated member still resolves, as a mention written
// before they left does. s.mu must be held.
func (s *Server) userByName(name string) string {
	gone := ""
	for id, u := range s.users {
		if strings.EqualFold(u.Name, name) {
			if !u.Deleted {
				return id
			}
			gone = id
		}
	}
	return gone
}

// channelByName is the id of the channel called name; s.mu must be held.
func (s *Server) channelByName(name string) string {
	for id, c := range s.channels {
		if strings.EqualFold(c.Name, name) {
			return id
		}
	}
	return ""
}
