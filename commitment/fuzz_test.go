package commitment

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDetect: any text, at any moment, in any of a few zones, gives a
// result without panicking; an offer has a task, a due time after now in
// the writer's zone, and a task made only of the text's own words (plus
// the few Kept substitutes), never longer than the text.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"I'll get back to you tomorrow", "you'll have it by EOD", "let me check and call you Monday",
		"If you need it, I'll send it tomorrow", "Should I call you tomorrow?", "I sent it yesterday",
		"<@U1|a> I'll send the <http://x|quote> by the 15th", "&gt; I'll send it tomorrow", "I'll be out tomorrow",
		"I'll send it tomorrow, ok?", "Will send over tomorrow", "within the hour", "I'll call you at 3",
		"I'll ship by EOD friday", "```code```", ":smile: I'll", "i'll . . . tomorrow", "I'll send it in 999999 years",
		"let me", "you'll", "will", "I'll send it by the 31st", "\u2019ll", "I\u2019ll call you tonight",
	} {
		f.Add(s, int64(1_795_000_000), uint8(1))
	}
	zones := []string{"UTC", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "Pacific/Chatham"}
	f.Fuzz(func(t *testing.T, text string, sec int64, z uint8) {
		loc, err := time.LoadLocation(zones[int(z)%len(zones)])
		if err != nil {
			t.Skip(err)
		}
		if sec < 0 {
			sec = -sec
		}
		now := time.Unix(946_684_800+sec%(200*365*86400), 0).In(loc)
		r := Detect(text, now, loc)
		if !r.Found() {
			if r.Task != "" || !r.Due.IsZero() {
				t.Fatalf("no offer (%s) but task %q due %v", r.Reason, r.Task, r.Due)
			}
			return
		}
		if r.Task == "" || !r.Due.After(now) || r.Due.Location() != loc {
			t.Fatalf("Detect(%q) at %v = %q due %v", text, now, r.Task, r.Due)
		}
		if utf8.ValidString(text) && !utf8.ValidString(r.Task) {
			t.Fatalf("task %q is not valid UTF-8", r.Task)
		}
		if len(r.Task) > len(text)+64 {
			t.Fatalf("task %q longer than the text %q", r.Task, text)
		}
		if strings.ContainsAny(r.Task, "\n") {
			t.Fatalf("task %q spans lines", r.Task)
		}
	})
}
