package store

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestChannelLinks(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "k.db"))
	for _, name := range []string{"Acme", "Globex"} {
		if _, err := s.AddCustomer("", Customer{Team: "T1", Name: name, Owner: "U1", Tier: StandardTier}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.LinkChannel("T1", "C1", "nobody", "U1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("link to an unknown customer: %v", err)
	}
	if _, err := s.LinkChannel("T1", "C1", "acme", "U1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LinkChannel("T1", "C1", "ACME", "U2"); err != nil {
		t.Errorf("linking again to the same customer: %v", err)
	}
	if _, err := s.LinkChannel("T1", "C2", "Acme", "U1"); err != nil {
		t.Fatal(err)
	}
	l, err := s.LinkChannel("T1", "C1", "Globex", "U1")
	if !errors.Is(err, ErrExists) || l.Customer != "Acme" {
		t.Errorf("a channel of another customer: %+v, %v", l, err)
	}
	if c, err := s.ChannelCustomer("T1", "C1"); err != nil || c.Name != "Acme" {
		t.Errorf("ChannelCustomer = %v, %v", c.Name, err)
	}
	if _, err := s.ChannelCustomer("T2", "C1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("another team sees the link: %v", err)
	}
	if chs, _ := s.CustomerChannels("T1", "acme"); len(chs) != 2 || chs[0] != "C1" || chs[1] != "C2" {
		t.Errorf("CustomerChannels = %v", chs)
	}
	if _, err := s.UnlinkChannel("T1", "C2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UnlinkChannel("T1", "C2"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unlink twice: %v", err)
	}
	// A removed customer frees its channels.
	if err := s.RemoveCustomer("", "T1", "Acme"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChannelCustomer("T1", "C1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the channel of a removed customer: %v", err)
	}
	if _, err := s.LinkChannel("T1", "C1", "Globex", "U1"); err != nil {
		t.Errorf("relink after removal: %v", err)
	}
	if chs, _ := s.CustomerChannels("T1", "Globex"); len(chs) != 1 {
		t.Errorf("Globex channels = %v", chs)
	}
}

func TestWaitsAndHeard(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "k.db"))
	if _, err := s.AddCustomer("", Customer{Team: "T1", Name: "Acme", Owner: "U1", Tier: StandardTier}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	if h, _ := s.LastHeard("T1", "Acme"); !h.At.IsZero() {
		t.Errorf("heard before anything: %+v", h)
	}
	_ = s.SetHeard("T1", "Acme", Heard{At: at, By: "U9"})
	_ = s.SetHeard("T1", "acme", Heard{At: at.Add(-time.Hour), By: "U8"}) // older: ignored
	if h, _ := s.LastHeard("T1", "ACME"); !h.At.Equal(at) || h.By != "U9" {
		t.Errorf("LastHeard = %+v", h)
	}
	_ = s.SetHeard("T2", "Acme", Heard{At: at.Add(time.Hour), By: "U7"})
	if all, err := s.TeamHeard("T1"); err != nil || len(all) != 1 || !all[CustomerKey("Acme")].At.Equal(at) {
		t.Errorf("TeamHeard(T1) = %+v, %v", all, err)
	}

	n := Nudge{Kind: Waiting, Team: "T1", To: "U1", Subject: "C1|", NotBefore: at.Add(4 * time.Hour)}
	w, err := s.OpenWait(Wait{Team: "T1", Customer: "Acme", Channel: "C1", TS: "1.1", By: "U9", At: at}, n)
	if err != nil || w.NudgeID == 0 {
		t.Fatalf("OpenWait = %+v, %v", w, err)
	}
	if q, err := s.Nudge(w.NudgeID); err != nil || q.Kind != Waiting || q.State != NudgeDue {
		t.Errorf("queued nudge = %+v, %v", q, err)
	}
	if _, err := s.OpenWait(Wait{Team: "T1", Customer: "Acme", Channel: "C1", TS: "1.2", At: at.Add(time.Minute)}, n); !errors.Is(err, ErrWaiting) {
		t.Errorf("a second wait in the same place: %v", err)
	}
	if _, err := s.OpenWait(Wait{Team: "T1", Customer: "Acme", Channel: "C1", Thread: "1.1", TS: "1.3", At: at.Add(-time.Minute)}, Nudge{}); err != nil {
		t.Fatal(err)
	}
	ws, _ := s.CustomerWaits("T1", "acme")
	if len(ws) != 2 || ws[0].Thread != "1.1" || ws[1].TS != "1.1" {
		t.Errorf("CustomerWaits (oldest first) = %+v", ws)
	}
	if w, err := s.CloseWait("T1", "C1", ""); err != nil || w.TS != "1.1" {
		t.Errorf("CloseWait = %+v, %v", w, err)
	}
	if _, err := s.CloseWait("T1", "C1", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("close twice: %v", err)
	}
	if _, err := s.Wait("T1", "C1", "1.1"); err != nil {
		t.Errorf("the thread's wait: %v", err)
	}
}

func TestSuggestionPrefs(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "k.db"))
	if off, _ := s.SuggestionsOff("T1", "U1"); off {
		t.Error("off by default")
	}
	_ = s.SetSuggestions("T1", "U1", false)
	if off, _ := s.SuggestionsOff("T1", "U1"); !off {
		t.Error("still on after off")
	}
	if off, _ := s.SuggestionsOff("T1", "U2"); off {
		t.Error("another user turned off")
	}
	_ = s.SetSuggestions("T1", "U1", true)
	if off, _ := s.SuggestionsOff("T1", "U1"); off {
		t.Error("still off after on")
	}
}
