package slackui

import "testing"

func TestPlainText(t *testing.T) {
	names := map[string]string{"U0CID": "cid"}
	name := func(id string) string { return names[id] }
	for in, want := range map[string]string{
		"Only <@U0CID> (who owns #1), <@U0ANN|ann> or an admin can change it.":                        "Only @cid (who owns #1), @ann or an admin can change it.",
		"Only <@U0NOPE>, who owns *AT&amp;T*, can. Try `/touch AT&amp;T …`.":                          "Only @U0NOPE, who owns AT&T, can. Try /touch AT&T ….",
		"<#C0ACME|acme-shared> and <#C0X> belong to another.":                                         "#acme-shared and that channel belong to another.",
		"due <!date^1764000000^{date_short}|Tue 24 Nov> at <https://x.example|the link>, not <!here>": "due Tue 24 Nov at the link, not @here",
		"2 * 3 is &lt;@U1&gt;, as typed":                                                              "2 * 3 is <@U1>, as typed",
	} {
		if got := PlainText(in, name); got != want {
			t.Errorf("PlainText(%q) = %q, want %q", in, got, want)
		}
	}
}
