package inbound

import (
	"strings"
	"testing"
	"time"

	"github.com/keptbot/kept/model"
)

func TestParseTouchLine(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 14, 30, 0, 0, ny) // a Tuesday
	day := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, ny) }
	tests := []struct {
		rest    string
		kind    model.TouchKind
		at      time.Time
		note    string
		refused string // part of the refusal, "" for none
	}{
		{rest: "called just to talk; they open an office in Lyon", note: "called just to talk; they open an office in Lyon"},
		{rest: "problem solved: fixed the SSO bug", kind: model.TouchProblemSolved, note: "fixed the SSO bug"},
		{rest: "Problem-Solved: fixed it", kind: model.TouchProblemSolved, note: "fixed it"},
		{rest: "sale closed", kind: model.TouchSaleClosed},
		{rest: "renewal: signed for two more years", kind: model.TouchRenewal, note: "signed for two more years"},
		{rest: "yesterday: lunch in Lyon", at: day(11, 30, 9), note: "lunch in Lyon"},
		{rest: "call 2026-11-28: they renew", kind: model.TouchCall, at: day(11, 28, 9), note: "they renew"},
		{rest: "monday 3pm meeting: kickoff", kind: model.TouchMeeting, at: day(11, 30, 15), note: "kickoff"},
		{rest: "email 3 days ago: sent the deck", kind: model.TouchEmail, at: time.Date(2026, 11, 28, 14, 30, 0, 0, ny), note: "sent the deck"},
		{rest: "yesterday", at: day(11, 30, 9)},
		{rest: "called Bob: all fine", note: "called Bob: all fine"},
		{rest: "call with Bob: all fine", note: "call with Bob: all fine"},
		{rest: "note: ask about Lyon: soon", kind: model.TouchNote, note: "ask about Lyon: soon"},
		{rest: "tomorrow: lunch", refused: "still ahead"},
		{rest: "call 2026-12-02: they renew", refused: "still ahead"},
		{rest: "problem solved in 2 days: ok", refused: "still ahead"},
		{rest: "2026-03-08 2:30am: late call", refused: "does not exist"},
	}
	for _, tt := range tests {
		got, err := parseTouchLine(tt.rest, now, ny)
		if tt.refused != "" {
			if err == nil || !strings.Contains(err.Error(), tt.refused) {
				t.Errorf("parseTouchLine(%q) = %+v, %v; want a refusal with %q", tt.rest, got, err, tt.refused)
			}
			continue
		}
		if err != nil || got.kind != tt.kind || !got.at.Equal(tt.at) || got.note != tt.note {
			t.Errorf("parseTouchLine(%q) = %+v, %v; want kind %q at %v note %q", tt.rest, got, err, tt.kind, tt.at, tt.note)
		}
	}
}

func FuzzTouchLine(f *testing.F) {
	for _, s := range []string{"problem solved: fixed the SSO bug", "yesterday: lunch", "call 2026-11-28: they renew", "sale closed", "tomorrow: x", "called Bob: fine", ":", "::", "note:"} {
		f.Add(s, int64(1_796_000_000))
	}
	f.Fuzz(func(t *testing.T, rest string, sec int64) {
		now := time.Unix(1_700_000_000+sec%400_000_000, 0).UTC()
		l, err := parseTouchLine(rest, now, time.UTC)
		if err != nil {
			return
		}
		if l.at.After(now) {
			t.Fatalf("parseTouchLine(%q) dated a touch ahead: %v after %v", rest, l.at, now)
		}
		if l.kind != "" && !l.kind.Known() {
			t.Fatalf("parseTouchLine(%q) gave the unknown kind %q", rest, l.kind)
		}
	})
}
