package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDetectCommand(t *testing.T) {
	in := strings.Join([]string{
		"I'll get back to you tomorrow",
		"",
		"Can you send the quote by Friday?",
		"let me check and call you Monday",
		`Thanks!\nI'll send the deck tonight`,
		"I'll look into it",
	}, "\n")
	var out, errb bytes.Buffer
	code := run([]string{"detect", "-zone", "Europe/Paris", "-now", "2026-03-28 12:00"}, env(nil), strings.NewReader(in), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want := []string{
		"I'll get back to you tomorrow\n  yes: get back to them, due Sun 29 Mar 2026 09:00 CEST\n",
		"Can you send the quote by Friday?\n  no: a question\n",
		"let me check and call you Monday\n  yes: check and call them, due Mon 30 Mar 2026 09:00 CEST\n",
		`Thanks!\nI'll send the deck tonight` + "\n  yes: send the deck, due Sat 28 Mar 2026 20:00 CET\n",
		"I'll look into it\n  no: no time\n",
		"3 of 5 messages would be offered as promises (read at Sat 28 Mar 2026 12:00, Europe/Paris)\n",
	}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}

func TestDetectCommandZoneFromEnvironment(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"detect", "-now", "2026-11-23T15:00:00Z"}, env(map[string]string{"KEPT_TIMEZONE": "America/New_York"}),
		strings.NewReader("I'll call you at 3pm"), &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "due Mon 23 Nov 2026 15:00 EST") {
		t.Errorf("exit %d, output %q, stderr %q", code, out.String(), errb.String())
	}
}

func TestDetectCommandBadFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"detect", "-zone", "Mars/Olympus"}, `-zone "Mars/Olympus" is not a time zone`},
		{[]string{"detect", "-zone", "Local"}, `-zone "Local" is not a time zone`},
		{[]string{"detect", "-now", "tomorrow"}, `-now "tomorrow": want`},
		{[]string{"detect", "I'll call you"}, "messages come on standard input"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		if code := run(tt.args, env(nil), strings.NewReader(""), &out, &errb); code != 2 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tt.args, code, errb.String(), tt.want)
		}
		if out.Len() != 0 {
			t.Errorf("%v: printed %q on a bad flag", tt.args, out.String())
		}
	}
}
