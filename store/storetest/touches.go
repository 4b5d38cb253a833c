package storetest

import (
	"errors"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
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

// testNudgeInUnitOfWork: a nudge queued in a unit of work commits with
// the touch beside it, or not at all, and once per op.
func testNudgeInUnitOfWork(t T, h Harness) {
	b, _ := open(t, h)
	r(b.AddCustomer("", model.Customer{Team: "T1", Name: "Acme", Owner: "U1"})).must(t)
	offer := &model.Offer{Customer: "Acme", Kind: model.TouchProblemSolved, TouchAt: t0, TouchBy: "U2", Text: "Check the fix holds", Due: t0.Add(7 * day), Zone: "UTC"}
	unit := func(fail bool) func(store.Tx) error {
		return func(tx store.Tx) error {
			if _, err := tx.AddTouch(model.Touch{Team: "T1", Customer: "Acme", By: "U2", At: t0, Kind: model.TouchProblemSolved}); err != nil {
				return err
			}
			n, err := tx.AddNudge(model.Nudge{Kind: model.NudgeOffer, Team: "T1", Subject: "acme", To: "U1", Offer: offer})
			if err != nil {
				return err
			}
			if n.ID == 0 || n.State != model.NudgeDue || !n.NotBefore.Equal(t0) || !n.Created.Equal(t0) {
				t.Errorf("queued in a unit of work: %+v; want an id, due now", n)
			}
			if fail {
				return errors.New("refused")
			}
			return nil
		}
	}
	if err := b.Update("op-fail", unit(true)); err == nil {
		t.Fatalf("a failing unit of work committed")
	}
	if got := r(b.Nudges(model.NudgeOffer)).must(t); len(got) != 0 {
		t.Errorf("a rolled-back unit of work queued %d nudges", len(got))
	}
	if err := b.Update("op-1", unit(false)); err != nil {
		t.Fatalf("a unit of work with a nudge: %v", err)
	}
	if err := b.Update("op-1", unit(false)); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("the same op again: %v, want ErrDuplicate", err)
	}
	got := r(b.Nudges(model.NudgeOffer)).must(t)
	if len(got) != 1 || got[0].Offer == nil || *got[0].Offer != *offer || got[0].Subject != "acme" {
		t.Fatalf("offers queued = %+v; want one, as given", got)
	}
	if due := r(b.PendingNudges(t0, 0)).must(t); len(due) != 1 || due[0].ID != got[0].ID {
		t.Errorf("pending = %+v; want the offer in the outbox", due)
	}
	if n := len(r(b.Touches("T1", "Acme", 0)).must(t)); n != 1 {
		t.Errorf("%d touches; want the one committed", n)
	}
}
