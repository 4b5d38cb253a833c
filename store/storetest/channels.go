package storetest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/keptbot/kept/model"
	"github.com/keptbot/kept/store"
)

// customers adds a standard customer of team for each name.
func customers(t T, b Backend, team string, names ...string) {
	t.Helper()
	for _, n := range names {
		r(b.AddCustomer("", model.Customer{Team: team, Name: n, Owner: "U1", Tier: model.TierStandard})).must(t)
	}
}

func testChannelLinks(t T, h Harness) {
	b, _ := open(t, h)
	customers(t, b, "T1", "Acme", "Globex")
	if _, err := b.LinkChannel("T1", "C1", "nobody", "U1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("link to an unknown customer: %v, want ErrNotFound", err)
	}
	l := r(b.LinkChannel("T1", "C1", "acme", "U1")).must(t)
	if l.Customer != "Acme" || l.Channel != "C1" || l.Team != "T1" || l.By != "U1" || !l.At.Equal(t0) {
		t.Errorf("link = %+v, want C1 to Acme (its spelling) by U1 at t0", l)
	}
	if again := r(b.LinkChannel("T1", "C1", "ACME", "U2")).must(t); again.By != "U1" {
		t.Errorf("linking again to the same customer = %+v, want the first link unchanged", again)
	}
	r(b.LinkChannel("T1", "C2", "Acme", "U1")).must(t)
	if l, err := b.LinkChannel("T1", "C1", "Globex", "U1"); !errors.Is(err, store.ErrExists) || l.Customer != "Acme" {
		t.Errorf("linking another customer's channel = %+v, %v; want ErrExists naming Acme", l, err)
	}
	if c := r(b.ChannelCustomer("T1", "C1")).must(t); c.Name != "Acme" {
		t.Errorf("ChannelCustomer(C1) = %q, want Acme", c.Name)
	}
	if _, err := b.ChannelCustomer("T2", "C1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another team sees the link: %v, want ErrNotFound", err)
	}
	if chs := r(b.CustomerChannels("T1", "acme")).must(t); !slices.Equal(chs, []string{"C1", "C2"}) {
		t.Errorf("CustomerChannels(acme) = %v, want [C1 C2]", chs)
	}
	if old := r(b.UnlinkChannel("T1", "C2")).must(t); old.Customer != "Acme" {
		t.Errorf("unlink C2 = %+v, want its link to Acme", old)
	}
	if _, err := b.UnlinkChannel("T1", "C2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unlink twice: %v, want ErrNotFound", err)
	}
	// A removed customer frees its channels.
	if err := b.RemoveCustomer("", "T1", "Acme"); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := b.ChannelCustomer("T1", "C1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the channel of a removed customer: %v, want ErrNotFound", err)
	}
	if l := r(b.LinkChannel("T1", "C1", "Globex", "U1")).must(t); l.Customer != "Globex" {
		t.Errorf("relink after removal = %+v, want Globex", l)
	}
	if chs := r(b.CustomerChannels("T1", "Globex")).must(t); !slices.Equal(chs, []string{"C1"}) {
		t.Errorf("Globex's channels = %v, want [C1]", chs)
	}
}

func testHeardAndWaits(t T, h Harness) {
	b, _ := open(t, h)
	customers(t, b, "T1", "Acme")
	at := t0.Add(6 * time.Hour)
	if h := r(b.LastHeard("T1", "Acme")).must(t); !h.At.IsZero() {
		t.Errorf("heard before anything: %+v, want zero", h)
	}
	if err := b.SetHeard("T1", "Acme", store.Heard{At: at, By: "U9", Channel: "C1", TS: "1.1"}); err != nil {
		t.Fatalf("%v", err)
	}
	if err := b.SetHeard("T1", "acme", store.Heard{At: at.Add(-time.Hour), By: "U8"}); err != nil { // older: kept out
		t.Fatalf("%v", err)
	}
	if h := r(b.LastHeard("T1", "ACME")).must(t); !h.At.Equal(at) || h.By != "U9" || h.TS != "1.1" {
		t.Errorf("LastHeard = %+v, want U9's at %s (the older one ignored)", h, at)
	}
	if err := b.SetHeard("T2", "Acme", store.Heard{At: at.Add(time.Hour), By: "U7"}); err != nil {
		t.Fatalf("%v", err)
	}
	if all := r(b.TeamHeard("T1")).must(t); len(all) != 1 || !all[model.CustomerKey("Acme")].At.Equal(at) {
		t.Errorf("TeamHeard(T1) = %+v, want only Acme's, at %s (not T2's)", all, at)
	}

	dm := model.Nudge{Kind: model.NudgeWaiting, Team: "T1", To: "U1", Subject: "C1|", NotBefore: at.Add(4 * time.Hour)}
	w := r(b.OpenWait(store.Wait{Team: "T1", Customer: "Acme", Channel: "C1", TS: "1.1", By: "U9", At: at, Excerpt: "help"}, dm)).must(t)
	if w.NudgeID == 0 || w.TS != "1.1" || !w.At.Equal(at) {
		t.Fatalf("OpenWait = %+v, want the wait with its DM's id", w)
	}
	if n := r(b.Nudge(w.NudgeID)).must(t); n.Kind != model.NudgeWaiting || n.State != model.NudgeDue || n.To != "U1" || !n.NotBefore.Equal(dm.NotBefore) {
		t.Errorf("the wait's DM = %+v, want a due waiting nudge to U1 at %s", n, dm.NotBefore)
	}
	if _, err := b.OpenWait(store.Wait{Team: "T1", Customer: "Acme", Channel: "C1", TS: "1.2", At: at.Add(time.Minute)}, dm); !errors.Is(err, store.ErrWaiting) {
		t.Errorf("a second wait in the same place: %v, want ErrWaiting", err)
	}
	if ns := r(b.Nudges(model.NudgeWaiting)).must(t); len(ns) != 1 {
		t.Errorf("%d waiting DMs after a refused second wait, want 1 (nothing half-saved)", len(ns))
	}
	// A wait in a thread is its own, and without a DM queues none.
	tw := r(b.OpenWait(store.Wait{Team: "T1", Customer: "Acme", Channel: "C1", Thread: "1.1", TS: "1.3", At: at.Add(-time.Minute)}, model.Nudge{})).must(t)
	if tw.NudgeID != 0 {
		t.Errorf("a wait without a DM has nudge %d", tw.NudgeID)
	}
	if ws := r(b.CustomerWaits("T1", "acme")).must(t); len(ws) != 2 || ws[0].Thread != "1.1" || ws[1].TS != "1.1" {
		t.Errorf("CustomerWaits = %+v, want the thread's (older) then the channel's", ws)
	}
	if ws := r(b.TeamWaits("T1")).must(t); len(ws) != 2 || ws[0].TS != "1.3" {
		t.Errorf("TeamWaits = %+v, want both, oldest first", ws)
	}
	if ws := r(b.TeamWaits("T2")).must(t); len(ws) != 0 {
		t.Errorf("another team's waits = %+v, want none", ws)
	}
	if got := r(b.Wait("T1", "C1", "")).must(t); got.Excerpt != "help" || got.NudgeID != w.NudgeID {
		t.Errorf("Wait(C1) = %+v, want the channel's wait as opened", got)
	}
	// Where the DM landed: only for the wait's own nudge, and CloseWait
	// returns it, so that our side's reply can delete it.
	if err := b.WaitSent("T1", "C1", "", w.NudgeID+1, "D1", "9.9"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("WaitSent for another nudge: %v, want ErrNotFound", err)
	}
	if err := b.WaitSent("T1", "C1", "", w.NudgeID, "D1", "9.1"); err != nil {
		t.Errorf("WaitSent: %v", err)
	}
	// A close for one message leaves alone the wait another one started.
	if got, err := b.CloseWait("T1", "C1", "", "1.0"); !errors.Is(err, store.ErrOtherWait) || got.TS != "1.1" {
		t.Errorf("CloseWait for an older message = %+v, %v; want the open wait (1.1) and ErrOtherWait", got, err)
	}
	if _, err := b.Wait("T1", "C1", ""); err != nil {
		t.Errorf("the wait after a close for another message: %v, want it open", err)
	}
	if _, err := b.CloseWait("T1", "C9", "", "1.1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CloseWait where none waits: %v, want ErrNotFound", err)
	}
	if closed := r(b.CloseWait("T1", "C1", "", "")).must(t); closed.TS != "1.1" || closed.DMChannel != "D1" || closed.DMTS != "9.1" {
		t.Errorf("CloseWait = %+v, want the channel's wait and where its DM landed", closed)
	}
	// Our reply closed the wait first: the DM has nowhere to be recorded.
	if err := b.WaitSent("T1", "C1", "", w.NudgeID, "D1", "9.2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("WaitSent after CloseWait: %v, want ErrNotFound", err)
	}
	if _, err := b.CloseWait("T1", "C1", "", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("close twice: %v, want ErrNotFound", err)
	}
	if _, err := b.Wait("T1", "C1", ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a closed wait: %v, want ErrNotFound", err)
	}
	if got := r(b.Wait("T1", "C1", "1.1")).must(t); got.TS != "1.3" {
		t.Errorf("the thread's wait = %+v, still open", got)
	}
	if closed := r(b.CloseWait("T1", "C1", "1.1", "1.3")).must(t); closed.TS != "1.3" {
		t.Errorf("CloseWait of the thread's wait for its message = %+v, want it", closed)
	}
	// Closed, the place takes a new wait.
	r(b.OpenWait(store.Wait{Team: "T1", Customer: "Acme", Channel: "C1", TS: "1.4", At: at.Add(time.Hour)}, model.Nudge{})).must(t)
}

func testSuggestionPrefs(t T, h Harness) {
	b, _ := open(t, h)
	for _, step := range []struct {
		user       string
		on         bool
		off1, off2 bool // SuggestionsOff for U1, U2 after the step
	}{
		{"", false, false, false}, // nothing set: on for everyone
		{"U1", false, true, false},
		{"U1", false, true, false}, // twice: the same
		{"U2", false, true, true},
		{"U1", true, false, true},
		{"U1", true, false, true},
	} {
		if step.user != "" {
			if err := b.SetSuggestions("T1", step.user, step.on); err != nil {
				t.Fatalf("%v", err)
			}
		}
		off1, off2 := r(b.SuggestionsOff("T1", "U1")).must(t), r(b.SuggestionsOff("T1", "U2")).must(t)
		if off1 != step.off1 || off2 != step.off2 {
			t.Errorf("after %s on=%v: off U1 %v U2 %v, want %v %v", step.user, step.on, off1, off2, step.off1, step.off2)
		}
		if off := r(b.SuggestionsOff("T2", "U2")).must(t); off {
			t.Errorf("after %s on=%v: U2 is off in another team", step.user, step.on)
		}
	}
}

func testSharedPause(t T, h Harness) {
	b, _ := open(t, h)
	if at := r(b.SharedPause()).must(t); !at.IsZero() {
		t.Errorf("pause before any 429 = %s, want none", at)
	}
	until := t0.Add(90*time.Second + 123)
	for _, step := range []struct {
		set, want time.Time
	}{
		{until, until},
		{until.Add(-time.Minute), until}, // a shorter pause does not shorten it
		{until.Add(time.Minute), until.Add(time.Minute)},
	} {
		if err := b.SharePause(step.set); err != nil {
			t.Fatalf("%v", err)
		}
		if at := r(b.SharedPause()).must(t); !at.Equal(step.want) {
			t.Errorf("after SharePause(%s): %s, want %s", step.set, at, step.want)
		}
	}
}

// testWaitSentCrossesCloseWait races the waiting DM's WaitSent with our
// side's reply (CloseWait): exactly one of them sees the other, so the DM
// is deleted by the reply or withdrawn by the notifier, never left standing.
func testWaitSentCrossesCloseWait(t T, h Harness) {
	b, _ := open(t, h)
	customers(t, b, "T1", "Acme")
	for i := range 20 {
		ch := fmt.Sprintf("C%d", i)
		w := r(b.OpenWait(store.Wait{Team: "T1", Customer: "Acme", Channel: ch, TS: "1.1", At: t0},
			model.Nudge{Kind: model.NudgeWaiting, Team: "T1", To: "U1", Subject: ch + "|", NotBefore: t0})).must(t)
		sent, closed := make(chan error), make(chan store.Wait)
		go func() { sent <- b.WaitSent("T1", ch, "", w.NudgeID, "D1", "9.1") }()
		go func() {
			c, err := b.CloseWait("T1", ch, "", "")
			if err != nil {
				t.Errorf("CloseWait: %v", err)
			}
			closed <- c
		}()
		serr, c := <-sent, <-closed
		switch {
		case serr == nil && c.DMTS == "9.1": // recorded, then the reply deletes it
		case errors.Is(serr, store.ErrNotFound) && c.DMTS == "": // the reply first: the notifier withdraws it
		default:
			t.Errorf("round %d: WaitSent %v, CloseWait saw DM %q: one must see the other", i, serr, c.DMTS)
		}
	}
}

// testOpenWaitRace opens the same wait from several goroutines at once
// (a customer's message delivered to two replicas): one opens it with its
// DM, the others get ErrWaiting and queue nothing.
func testOpenWaitRace(t T, h Harness) {
	b, _ := open(t, h)
	customers(t, b, "T1", "Acme")
	const racers = 8
	for i := range 5 {
		ch := fmt.Sprintf("C%d", i)
		errs := make(chan error, racers)
		for range racers {
			go func() {
				_, err := b.OpenWait(store.Wait{Team: "T1", Customer: "Acme", Channel: ch, TS: "1.1", At: t0},
					model.Nudge{Kind: model.NudgeWaiting, Team: "T1", To: "U1", Subject: ch + "|", NotBefore: t0})
				errs <- err
			}()
		}
		opened := 0
		for range racers {
			switch err := <-errs; {
			case err == nil:
				opened++
			case !errors.Is(err, store.ErrWaiting):
				t.Errorf("OpenWait: %v, want nil or ErrWaiting", err)
			}
		}
		if opened != 1 {
			t.Errorf("round %d: %d OpenWaits succeeded, want 1", i, opened)
		}
	}
	if ns := r(b.Nudges(model.NudgeWaiting)).must(t); len(ns) != 5 {
		t.Errorf("%d waiting DMs queued for 5 waits, want 5 (a refused OpenWait queues none)", len(ns))
	}
}
