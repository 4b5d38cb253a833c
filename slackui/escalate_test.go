package slackui

import (
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// TestEscalationGolden: what a lead (or a channel) and the owner read
// when a promise escalates, with the customer and without.
func TestEscalationGolden(t *testing.T) {
	p := samplePromise()
	now := p.Due.Add(4*24*time.Hour + 3*time.Hour)
	p.History = append(p.History, model.Event{At: now, Kind: model.EventEscalated, Detail: "U0LEE, C0ESC"})
	acme := store.Customer{Team: "T1", Name: "Acme & Sons", Owner: "U0ANN", Tier: store.KeyTier,
		LastTouch: p.Due.Add(-10 * 24 * time.Hour), LastBy: "U0ANN", LastNote: "asked for <b>a discount</b>"}
	bare := p
	bare.Customer = ""
	tests := []struct {
		name   string
		render func() (string, any)
	}{
		{"escalation", func() (string, any) { return Escalation(p, acme, newYork, now) }},
		{"escalation-no-customer", func() (string, any) { return Escalation(bare, store.Customer{}, time.UTC, now) }},
		{"escalated", func() (string, any) { return Escalated(p, newYork, now) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, blocks := tt.render()
			golden(t, tt.name, map[string]any{"text": text, "blocks": blocks})
		})
	}
}

func TestMentionUserOrChannel(t *testing.T) {
	for in, want := range map[string]string{
		"U0LEE": "<@U0LEE>", "C0ESC": "<#C0ESC>", "G0PRIV": "<#G0PRIV>",
		"<!channel>": "&lt;!channel&gt;", "Cheese": "Cheese",
	} {
		if got := Mention(in); got != want {
			t.Errorf("Mention(%q) = %q, want %q", in, got, want)
		}
	}
}
