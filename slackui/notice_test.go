package slackui

import (
	"testing"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// TestNoticeGolden: what a promise's creator reads when someone else
// keeps, moves, hands over or cancels it, and what a customer's new owner
// reads.
func TestNoticeGolden(t *testing.T) {
	p := samplePromise()
	now := p.Due.Add(-2 * time.Hour)
	moved := p.Due.Add(72 * time.Hour)
	kept := model.Event{At: now, Kind: model.EventKept, By: "U0ANN", Detail: "on time"}
	move := model.Event{At: now, Kind: model.EventMoved, By: "U0ANN", Detail: "from " + p.Due.Format(time.RFC3339) + " to " + moved.Format(time.RFC3339)}
	give := model.Event{At: now, Kind: model.EventReassigned, By: "U0LEE", Detail: "U0ANN → U0CID"}
	cancel := model.Event{At: now, Kind: model.EventCancelled, By: "U0ANN"}
	acme := store.Customer{Team: "T1", Name: "Acme & Sons", Owner: "U0CID", Tier: store.KeyTier, Cadence: 14 * 24 * time.Hour,
		Created: now.Add(-60 * 24 * time.Hour), LastTouch: now.Add(-3 * 24 * time.Hour), LastBy: "U0ANN", LastNote: "<!channel> renewal talk"}
	tests := []struct {
		name   string
		render func() (string, any)
	}{
		{"notice-kept", func() (string, any) { return ChangeNotice(p, []model.Event{kept}, newYork, now) }},
		{"notice-moved-handed", func() (string, any) { return ChangeNotice(p, []model.Event{move, give}, newYork, now) }},
		{"notice-cancelled", func() (string, any) { return ChangeNotice(p, []model.Event{cancel}, newYork, now) }},
		{"notice-handover", func() (string, any) { return HandoverNotice(acme, "U0ANN", newYork, now) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, blocks := tt.render()
			golden(t, tt.name, map[string]any{"text": text, "blocks": blocks})
		})
	}
}
