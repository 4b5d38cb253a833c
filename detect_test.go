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

// A line may say who wrote it: the customer's own promises are never
// offered, as in a customer channel, whatever they say.
func TestDetectCommandWhoWrote(t *testing.T) {
	tests := []struct {
		from, in, want string
	}{
		{"", "them: We'll send the signed PO by Friday", "them: We'll send the signed PO by Friday\n  no: the customer wrote it"},
		{"", "Customer: I'll call you tomorrow", "  no: the customer wrote it"},
		{"", "us: I'll send the revised quote by Friday", "us: I'll send the revised quote by Friday\n  yes: send the revised quote, due Fri 27 Nov 2026 09:00 EST"},
		{"", "US: I'll call you tomorrow", "  yes: call them, due Tue 24 Nov 2026 09:00 EST"},
		{"", "Note: I'll call you tomorrow", "  yes: call them"}, // not a side: the whole line is the message
		{"them", "I'll call you tomorrow", "  no: the customer wrote it"},
		{"them", "us: I'll call you tomorrow", "  yes: call them"},
	}
	for _, tt := range tests {
		args := []string{"detect", "-zone", "America/New_York", "-now", "2026-11-23 10:00"}
		if tt.from != "" {
			args = append(args, "-from", tt.from)
		}
		var out, errb bytes.Buffer
		if code := run(args, env(nil), strings.NewReader(tt.in), &out, &errb); code != 0 {
			t.Fatalf("%q: exit %d: %s", tt.in, code, errb.String())
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("-from %q, %q: output lacks %q:\n%s", tt.from, tt.in, tt.want, out.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"detect", "-from", "ours"}, env(nil), strings.NewReader(""), &out, &errb); code != 2 || !strings.Contains(errb.String(), `-from "ours": want us`) {
		t.Errorf("-from ours: exit %d, stderr %q", code, errb.String())
	}
}
