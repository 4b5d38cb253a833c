package storetest

import (
	"errors"
	"time"

	"github.com/keptbot/kept/model"
)

// testTouchKinds: every kind a person logs, and the ones Kept writes,
// are stored and read back as they were; an unknown kind is refused and
// stores nothing; a touch dated before the last one is kept but leaves
// the last touch and the next prompt alone.
func testTouchKinds(t T, h Harness) {
	b, _ := open(t, h)
	r(b.AddCustomer("", model.Customer{Team: "T1", Name: "Acme", Owner: "U1", Cadence: 7 * day})).must(t)
	kinds := append(append([]model.TouchKind{}, model.LoggedKinds...), model.TouchPromise, model.TouchPrompt)
	for i, k := range kinds {
		r(b.AddTouch("", model.Touch{Team: "T1", Customer: "Acme", By: "U1", At: t0.Add(-time.Duration(len(kinds)-i) * time.Hour), Kind: k, Note: string(k)})).must(t)
	}
	ts := r(b.Touches("T1", "Acme", 0)).must(t)
	if len(ts) != len(kinds) {
		t.Fatalf("%d touches read back, want %d", len(ts), len(kinds))
	}
	for i, tc := range ts {
		if want := kinds[len(kinds)-1-i]; tc.Kind != want || tc.Note != string(want) {
			t.Errorf("touch %d read back as %q (%q), want %q", i, tc.Kind, tc.Note, want)
		}
	}
	var ve *model.ValidationError
	if _, err := b.AddTouch("", model.Touch{Team: "T1", Customer: "Acme", By: "U1", At: t0, Kind: "gesture"}); !errors.As(err, &ve) {
		t.Errorf("an unknown kind: err %v, want a model.ValidationError", err)
	}
	last := r(b.AddTouch("", model.Touch{Team: "T1", Customer: "Acme", By: "U1", At: t0, Kind: model.TouchProblemSolved, Note: "fixed"})).must(t)
	back := r(b.AddTouch("", model.Touch{Team: "T1", Customer: "Acme", By: "U2", At: t0.Add(-3 * day), Kind: model.TouchMeeting, Note: "kickoff"})).must(t)
	if !back.LastTouch.Equal(last.LastTouch) || !back.NextPrompt.Equal(t0.Add(7*day)) || back.LastNote != "fixed" {
		t.Errorf("after a backfill: %+v; want the last touch and the next prompt of the newer one", back)
	}
	if n := len(r(b.Touches("T1", "Acme", 0)).must(t)); n != len(kinds)+2 {
		t.Errorf("%d touches, want %d (the refused one not stored)", n, len(kinds)+2)
	}
}
