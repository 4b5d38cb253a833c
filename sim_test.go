package main

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseAdvance(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"2h": 2 * time.Hour, "30m": 30 * time.Minute, "3d": 72 * time.Hour,
		"2 days": 48 * time.Hour, "90 minutes": 90 * time.Minute, "1 week": 168 * time.Hour, "1 hour": time.Hour,
	} {
		if got, err := parseAdvance(in); err != nil || got != want {
			t.Errorf("parseAdvance(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "-1h", "0 days", "2 fortnights"} {
		if _, err := parseAdvance(in); err == nil {
			t.Errorf("parseAdvance(%q) accepted", in)
		}
	}
}

// consoleOutput is written by the console loop and the goroutine that
// shows the bot's messages as they arrive.
type consoleOutput struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *consoleOutput) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *consoleOutput) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// walk runs kept sim -console with script (starting the clock at at, if
// not "") and checks that its output has every want and that the
// simulated Slack saw no protocol problems: the README's scripted walks.
func walk(t *testing.T, at string, script []string, want []string) {
	t.Helper()
	var out, errs consoleOutput
	env := func(string) string { return "" }
	args := []string{"sim", "-console", "-db", filepath.Join(t.TempDir(), "kept.db")}
	if at != "" {
		args = append(args, "-at", at)
	}
	in := strings.NewReader(strings.Join(script, "\n") + "\n")
	if code := run(args, env, in, &out, &errs); code != 0 {
		t.Fatalf("kept sim exited %d: %s", code, errs.String())
	}
	got := out.String()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("kept sim output lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(errs.String(), "protocol problems") {
		t.Errorf("the simulated Slack saw protocol problems: %s", errs.String())
	}
}

// TestSimWalkthrough is the README's first minute with `kept sim`: record a
// promise, move time, press Done, see nothing left open.
func TestSimWalkthrough(t *testing.T) {
	walk(t, "", []string{
		"/promise Acme: call back in 5 minutes",
		":advance 10m",
		":click done",
		"/promise list",
		":as zed",
		":quit",
	}, []string{
		"Got it: *#1* for *Acme*",
		"It is now",
		"Nothing open.",
		"Who? You can be ann, bob, cid, dee, lee.",
	})
}

// TestSimCustomerChannel: in kept sim a newcomer links the shared channel,
// writes a promise there and gets the offer, and hears, 4 working hours
// after the customer wrote, that Acme is waiting on us.
func TestSimCustomerChannel(t *testing.T) {
	walk(t, "", []string{
		"/customer add Acme",
		":in acme-shared",
		"/customer link Acme",
		":say I'll send you the revised quote tomorrow",
		":customer Hi, can someone resend the invoice?",
		":in nowhere",
		":customer",
		":advance 3d",
		":quit",
	}, []string{
		"Commands and :say now run in #acme-shared.",
		"Linked",
		"(ann wrote in #acme-shared)",
		"Kept → @ann only, in #acme-shared",
		"send them the revised quote",
		"Track it",
		"(cara wrote in #acme-shared)",
		"Which channel?",
		"Say what?",
		"Acme* is waiting on us",
	})
}

// TestSimProblemFollowup is the README's walk through a follow-up in kept
// sim: a problem solved, the offer to check the fix holds, one click to
// promise it, and the reminder a week later at 9:00.
func TestSimProblemFollowup(t *testing.T) {
	walk(t, "2026-11-23T14:00:00Z", []string{
		"/customer add Acme every 14d tier key",
		"/touch Acme problem solved: fixed the SSO bug",
		":advance 1m",
		":click promise",
		":advance 7d",
		":quit",
	}, []string{
		"Logged a touch with *Acme* (problem solved): “fixed the SSO bug”",
		"I'll offer you a follow-up in a DM",
		"Follow up with Acme?",
		"Promise it",
		"Got it: *#1* for *Acme*: “Check the fix holds: fixed the SSO bug”",
		"Time to keep your word",
	})
}

// TestSimAnniversary is the README's walk through a date that matters in
// kept sim: a key customer's kickoff anniversary this week, its prompt
// with a gesture, and Done logging the thank-you note as a touch.
func TestSimAnniversary(t *testing.T) {
	walk(t, "2026-11-23T14:00:00Z", []string{
		"/customer add Acme every 30d tier key",
		`/customer edit Acme date kickoff nov 25`,
		":advance 1m",
		":click done",
		"/customer Acme",
		":quit",
	}, []string{
		"Kickoff: 25 Nov, every year. I'll remind",
		"Acme's kickoff is on Wed 25 Nov (in 2 days)",
		"a small gesture says you noticed",
		"Done: a thank-you note",
		"Thank-you note: the kickoff",
	})
}

// TestSimCheckinClicks: the console names a check-in's cadence menu by
// its options (not as a snooze with no time), picks one, and shows the
// form "Logged a touch" opens.
func TestSimCheckinClicks(t *testing.T) {
	walk(t, "2026-11-23T14:00:00Z", []string{
		"/customer add Acme every 1d tier key",
		":advance 1d",
		":click",
		":click change cadence every 2 weeks",
		":advance 14d",
		":click logged",
		":quit",
	}, []string{
		"Time to check in with Acme",
		":click change cadence every week\n",
		"*Cadence changed* to every 14 days",
		`(Kept opened a form, "Log a touch"`,
	})
}
