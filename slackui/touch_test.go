package slackui

import (
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

func TestTouchModalGolden(t *testing.T) {
	c := sampleCustomer()
	v := TouchModal(c, "2026-11-23", "meta")
	golden(t, "touch-modal", v)
	raw := string(rawJSON(t, v, ""))
	for _, k := range []string{`"value":"problem solved"`, `"value":"sale closed"`, `"value":"renewal"`, `"initial_date":"2026-11-23"`} {
		if !strings.Contains(raw, k) {
			t.Errorf("the touch form lacks %s", k)
		}
	}
	if strings.Contains(raw, "<Sons>") {
		t.Error("the customer's name is not escaped in the form")
	}
}

func TestTouchLoggedGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	c := sampleCustomer()
	c.LastTouch, c.LastNote = now, "fixed the SSO bug"
	older := sampleCustomer() // its last touch, 7 November, is later than the backfill below
	offer := &model.Offer{Text: "Check the fix holds: fixed the SSO bug <!here>", Due: time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)}
	dated := store.Touch{Kind: "problem solved", At: now.Add(-24 * time.Hour), Note: "fixed the SSO bug <!here>"}
	cases := []struct{ name, text string }{
		{"call now", TouchLogged(c, store.Touch{Kind: store.TouchCall, At: now, Note: "called just to talk"}, newYork, now)},
		{"problem solved, dated", TouchLogged(c, dated, newYork, now)},
		{"problem solved, offered to the owner", TouchLogged(c, dated, newYork, now) + OfferAnnounced(offer, "U0ANN", "U0CID", newYork, now)},
		{"sale closed, no note", TouchLogged(c, store.Touch{Kind: "sale closed", At: now}, newYork, now)},
		{"older than the last", TouchLogged(older, store.Touch{Kind: "meeting", At: time.Date(2026, 11, 2, 14, 0, 0, 0, time.UTC), Note: "kickoff"}, newYork, now)},
	}
	// One message, a section per case, so the golden is a payload Slack's
	// types check (slacktypes).
	texts := map[string]string{}
	var blocks []slack.Block
	for _, tc := range cases {
		texts[tc.name] = tc.text
		blocks = append(blocks, Section(tc.text))
	}
	golden(t, "touch-logged", map[string]any{"text": cases[0].text, "blocks": blocks})
	if got := texts["call now"]; strings.Contains(got, "(") {
		t.Errorf("a call just now names its kind or time: %q", got)
	}
	if got := texts["older than the last"]; !strings.Contains(got, "older than the last touch") {
		t.Errorf("a backfilled touch does not say the check-in stays: %q", got)
	}
	if got := texts["problem solved, offered to the owner"]; !strings.Contains(got, "I'll offer <@U0ANN>, who owns it, a follow-up") || strings.Contains(got, "<!here>") {
		t.Errorf("the offer is not announced to whoever logged it, escaped: %q", got)
	}
	if strings.Contains(texts["problem solved, dated"], "<!here>") {
		t.Error("the note is not escaped")
	}
}

func TestFollowupOfferGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	o := model.Offer{Customer: "Acme & <Sons> 🚀", Kind: model.TouchProblemSolved, Note: "fixed the SSO bug <!channel>", TouchAt: now, TouchBy: "U0CID",
		Text: "Check the fix holds: fixed the SSO bug <!channel>", Due: time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC), Zone: "America/New_York"}
	text, blocks := FollowupOffer(o, 42, "U0ANN", newYork, now)
	golden(t, "followup-offer", map[string]any{"text": text, "blocks": blocks})
	raw := string(rawJSON(t, blocks, ""))
	for _, bad := range []string{"<!channel>", "<Sons>"} {
		if strings.Contains(raw, bad) || strings.Contains(text, bad) {
			t.Errorf("the offer shows %s unescaped", bad)
		}
	}
	for _, want := range []string{`"action_id":"offer_accept","value":"42"`, `"action_id":"offer_change","value":"42"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("the offer lacks %s", want)
		}
	}
	// Offered to whoever logged it: "You logged".
	if _, own := FollowupOffer(o, 42, "U0CID", newYork, now); !strings.Contains(string(rawJSON(t, own, "")), "You logged") {
		t.Error("the offer to whoever logged the touch does not say \"You logged\"")
	}
	if OfferAnnounced(nil, "U0ANN", "U0ANN", newYork, now) != "" {
		t.Error("no offer announced something")
	}
}
