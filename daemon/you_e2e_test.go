package daemon_test

import (
	"testing"
)

// TestRepliesSayYou: a reply that names its caller says "you", not a
// mention of them ("I'll prompt @ann" to Ann); one that names someone
// else still mentions them.
func TestRepliesSayYou(t *testing.T) {
	e := start(t) // Monday 23 Nov 2026 10:00 in Ann's New York
	for _, tt := range []struct {
		user, command, text string
		want, not           []string
	}{
		{ann, "/customer", "add Acme every 14d", []string{"owned by you.", "I'll prompt you to check in"}, []string{"<@U0ANN>"}},
		{ann, "/customer", "add Globex every 14d owner @bob", []string{"owned by <@U0BOB>.", "I'll prompt <@U0BOB> to check in"}, nil},
		{ann, "/customer", "edit Acme every 30d renewal 2027-03-01", []string{"Updated *Acme*: standard, every month, owned by you.", "I'll remind you on Mon 1 Feb 2027."}, []string{"<@U0ANN>"}},
		{bob, "/customer", "edit Globex renewal 2027-03-01", []string{"owned by you.", "I'll remind you on"}, []string{"<@U0BOB>"}},
		{ann, "/promise", "Acme: send the quote friday 5pm", []string{"I'll remind you then."}, []string{"<@U0ANN>"}},
		{ann, "/promise", "move 1 monday 5pm", []string{"I'll remind you then."}, []string{"<@U0ANN>"}},
		{ann, "/promise", "@bob Globex: demo tomorrow 3pm", []string{"I'll remind <@U0BOB> then."}, nil},
		{ann, "/promise", "move 2 wednesday 3pm", []string{"I'll remind <@U0BOB> then."}, nil},
		// Ann recorded #2 for Bob, and takes it back; then gives #1 away.
		{ann, "/promise", "give 2 @ann", []string{"to you. I'll remind you "}, []string{"<@U0ANN>", "them"}},
		{ann, "/promise", "give 1 @bob", []string{"to <@U0BOB>. I'll remind them "}, nil},
	} {
		checkText(t, tt.command+" "+tt.text, replyText(e.cmd(tt.user, tt.command, tt.text)), tt.want, tt.not)
	}
}
