package inbound

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// Nobody types a NUL, a terminal escape or bytes that are not UTF-8 in
// Slack, but a crafted command, form or button can carry them, and what
// Kept stored would be in every reminder, card and digest after. The
// store keeps text as given (an import keeps what was exported), so the
// check is here, where people's text comes in.

// unreadableText is the refusal of such text, fit for a message or, as
// it names nobody, a form's field.
const unreadableText = "That can't contain control characters or bytes that are not text. Type it again without them."

// unreadable reports whether s holds bytes that are not UTF-8 or a
// control character other than a tab or a line break.
func unreadable(s string) bool {
	return !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
	}) >= 0
}

// unreadableFields are the blocks of a submitted form whose text is
// unreadable, with the refusal to show under each.
func unreadableFields(cb slack.InteractionCallback) formErrors {
	if cb.View.State == nil {
		return nil
	}
	errs := formErrors{}
	for block, actions := range cb.View.State.Values {
		for _, a := range actions {
			if unreadable(a.Value) {
				errs[block] = unreadableText
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
